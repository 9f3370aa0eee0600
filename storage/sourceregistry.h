// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: the one registry of imported sources — kernel logs, recordings and
// metric feeds alike. A source is identified by the content hash of its bytes (hex of the
// canonical XXH3-128, streamed), so importing the same bytes twice adds nothing; its row in
// `sources` and its warnings are written here and nowhere else.
#pragma once

#include "oomreportparser.h" // ParseWarning
#include "result.h"
#include "sqlitestatement.h"
#include "workspace.h" // SourceInfo

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include <optional>
#include <span>
#include <vector>

struct XXH3_state_s;

namespace oomscope {

// The identity of a source's bytes.
struct SourceContent {
    QByteArray hash; // hex of the canonical XXH3-128
    qint64 bytes = 0;
};

// Hashes a source block by block as it is read.
class ContentHasher
{
public:
    ContentHasher();
    ~ContentHasher();
    ContentHasher(const ContentHasher &) = delete;
    ContentHasher &operator=(const ContentHasher &) = delete;

    bool isValid() const { return m_state != nullptr; } // false: out of memory
    void add(const char *data, qsizetype size);
    qint64 bytes() const { return m_bytes; }
    SourceContent content() const;

    // Reads device to its end.
    static Result<SourceContent> ofDevice(QIODevice &device);
    static SourceContent ofBytes(const QByteArray &bytes);

private:
    XXH3_state_s *m_state = nullptr;
    qint64 m_bytes = 0;
};

struct NewSource {
    QString name; // file name as given at import
    SourceContent content;
    qint64 lines = 0; // lines, rows or points read
    QByteArray kind = "log"; // log, samples, procs, prometheus
};

// Works on one connection; statements are prepared on first use and kept.
class SourceRegistry
{
public:
    explicit SourceRegistry(sqlite3 *db);

    // The source with this content hash other than excludeId, if any.
    Result<std::optional<qint64>> find(const QByteArray &hash, qint64 excludeId = 0);
    // Inserts the source row; returns its id.
    Result<qint64> add(const NewSource &source);
    // A source added before its last byte was read (under a placeholder hash, because its
    // events reference it) gets its content and line count.
    Result<void> finish(qint64 sourceId, const SourceContent &content, qint64 lines);
    Result<void> addWarnings(qint64 sourceId, std::span<const ParseWarning> warnings);

    std::vector<SourceInfo> sources() const;
    std::vector<ParseWarning> warnings(qint64 sourceId) const;

private:
    Result<void> prepare(SqliteStatement &statement, const char *sql);

    sqlite3 *m_db;
    SqliteStatement m_find;
    SqliteStatement m_insert;
    SqliteStatement m_finish;
    SqliteStatement m_insertWarning;
};

} // namespace oomscope
