// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: connection settings for the length of one bulk import (a log, a samples
// CSV), restored afterwards. Performance only: what is stored does not change.
#pragma once

#include "sqlitestatement.h"

#include <QByteArray>

#include <optional>

namespace oomscope {

// - A larger page cache: an import adds hundreds of thousands of rows in one transaction, and with
//   the default 2000 pages SQLite spills dirty pages to the WAL mid-transaction and writes them
//   again later. Bounded (32 MiB), and the connection's own size comes back afterwards.
// - No foreign-key lookups: every child row an import writes references the parent row it has
//   just inserted in the same transaction, so the per-row check of the parent can only pass.
// Set before BEGIN (SQLite ignores foreign_keys inside a transaction, which then just stays on).
class BulkImportSettings
{
public:
    explicit BulkImportSettings(sqlite3 *db)
        : m_db(db)
    {
        SqliteStatement get;
        if (get.prepare(db, "PRAGMA cache_size") && get.step() == SQLITE_ROW)
            m_cacheSize = get.int64(0);
        SqliteStatement fk;
        m_foreignKeys = fk.prepare(db, "PRAGMA foreign_keys") && fk.step() == SQLITE_ROW && fk.int64(0) != 0;
        sqlite3_exec(db, "PRAGMA cache_size = -32768; PRAGMA foreign_keys = OFF", nullptr, nullptr, nullptr);
    }
    ~BulkImportSettings()
    {
        QByteArray sql;
        if (m_cacheSize)
            sql += "PRAGMA cache_size = " + QByteArray::number(*m_cacheSize) + ";";
        if (m_foreignKeys)
            sql += "PRAGMA foreign_keys = ON;";
        if (!sql.isEmpty())
            sqlite3_exec(m_db, sql.constData(), nullptr, nullptr, nullptr);
    }
    BulkImportSettings(const BulkImportSettings &) = delete;
    BulkImportSettings &operator=(const BulkImportSettings &) = delete;

private:
    sqlite3 *m_db;
    std::optional<qint64> m_cacheSize;
    bool m_foreignKeys = false;
};

} // namespace oomscope
