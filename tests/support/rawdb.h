// SPDX-License-Identifier: GPL-3.0-or-later
// An independent connection on a workspace file for the storage tests' raw checks: the
// workspace's own connection stays inside storage/. The test links SQLite::SQLite3 itself.
#pragma once

#include <QFile>
#include <QString>

#include <sqlite3.h>

class RawDb
{
public:
    explicit RawDb(const QString &path)
    {
        sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE, nullptr);
        sqlite3_busy_timeout(m_db, 5000);
    }
    ~RawDb() { sqlite3_close(m_db); }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;
    operator sqlite3 *() const { return m_db; }

private:
    sqlite3 *m_db = nullptr;
};
