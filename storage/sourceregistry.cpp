// SPDX-License-Identifier: GPL-3.0-or-later
#include "sourceregistry.h"

#include "storagekeys.h"

#include <QDateTime>

#include <xxhash.h>

using namespace Qt::StringLiterals;

namespace oomscope {

ContentHasher::ContentHasher()
    : m_state(XXH3_createState())
{
    if (m_state)
        XXH3_128bits_reset(m_state);
}

ContentHasher::~ContentHasher()
{
    XXH3_freeState(m_state);
}

void ContentHasher::add(const char *data, qsizetype size)
{
    XXH3_128bits_update(m_state, data, std::size_t(size));
    m_bytes += size;
}

namespace {

QByteArray hexOf(XXH128_hash_t digest)
{
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, digest);
    return QByteArray(reinterpret_cast<const char *>(canonical.digest), sizeof(canonical.digest)).toHex();
}

} // namespace

SourceContent ContentHasher::content() const
{
    return SourceContent {hexOf(XXH3_128bits_digest(m_state)), m_bytes};
}

Result<SourceContent> ContentHasher::ofDevice(QIODevice &device)
{
    ContentHasher hasher;
    if (!hasher.isValid())
        return fail(Error::Kind::Internal, u"out of memory"_s);
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device.read(block.data(), block.size());
        if (n < 0)
            return fail(Error::Kind::Io, device.errorString());
        if (n == 0)
            break;
        hasher.add(block.constData(), n);
    }
    return hasher.content();
}

SourceContent ContentHasher::ofBytes(const QByteArray &bytes)
{
    return SourceContent {hexOf(XXH3_128bits(bytes.constData(), std::size_t(bytes.size()))), bytes.size()};
}

SourceRegistry::SourceRegistry(sqlite3 *db)
    : m_db(db)
{ }

Result<void> SourceRegistry::prepare(SqliteStatement &statement, const char *sql)
{
    if (statement.isValid())
        return {};
    if (!m_db)
        return fail(Error::Kind::Internal, u"no workspace is open"_s);
    if (!statement.prepare(m_db, sql, true))
        return sqliteFail(m_db, u"cannot prepare statement: "_s);
    return {};
}

Result<std::optional<qint64>> SourceRegistry::find(const QByteArray &hash, qint64 excludeId)
{
    if (auto ok = prepare(m_find, "SELECT id FROM sources WHERE content_hash = ? AND id <> ?"); !ok)
        return tl::unexpected<Error>(ok.error());
    m_find.bind(1, hash);
    m_find.bind(2, excludeId);
    const int rc = m_find.step();
    const std::optional<qint64> id = rc == SQLITE_ROW ? std::optional<qint64>(m_find.int64(0)) : std::nullopt;
    m_find.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqliteFail(m_db, u"cannot look up the source: "_s);
    return id;
}

Result<qint64> SourceRegistry::add(const NewSource &source)
{
    if (auto ok = prepare(m_insert,
                          "INSERT INTO sources (name, content_hash, bytes, lines, imported_at, kind) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
        !ok)
        return tl::unexpected<Error>(ok.error());
    m_insert.bind(1, source.name);
    m_insert.bind(2, source.content.hash);
    m_insert.bind(3, source.content.bytes);
    m_insert.bind(4, source.lines);
    m_insert.bind(5, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    m_insert.bind(6, source.kind);
    const bool ok = m_insert.run();
    m_insert.reset();
    if (!ok)
        return sqliteFail(m_db, u"cannot store the source: "_s);
    return qint64(sqlite3_last_insert_rowid(m_db));
}

Result<void> SourceRegistry::finish(qint64 sourceId, const SourceContent &content, qint64 lines)
{
    if (auto ok = prepare(m_finish, "UPDATE sources SET content_hash = ?, bytes = ?, lines = ? WHERE id = ?");
        !ok)
        return ok;
    m_finish.bind(1, content.hash);
    m_finish.bind(2, content.bytes);
    m_finish.bind(3, lines);
    m_finish.bind(4, sourceId);
    const bool ok = m_finish.run();
    m_finish.reset();
    if (!ok)
        return sqliteFail(m_db, u"cannot store the source: "_s);
    return {};
}

Result<void> SourceRegistry::addWarnings(qint64 sourceId, std::span<const ParseWarning> warnings)
{
    if (warnings.empty())
        return {};
    if (auto ok = prepare(m_insertWarning,
                          "INSERT INTO warnings (source_id, line, kind, detail) VALUES (?, ?, ?, ?)");
        !ok)
        return ok;
    for (const ParseWarning &w : warnings) {
        m_insertWarning.bind(1, sourceId);
        m_insertWarning.bind(2, std::int64_t(w.line));
        m_insertWarning.bind(3, keys::toKey(keys::kWarningKindKeys, w.kind));
        m_insertWarning.bind(4, w.detail);
        const bool ok = m_insertWarning.run();
        m_insertWarning.reset();
        if (!ok)
            return sqliteFail(m_db, u"cannot store a warning: "_s);
    }
    return {};
}

std::vector<SourceInfo> SourceRegistry::sources() const
{
    std::vector<SourceInfo> out;
    SqliteStatement s;
    if (!m_db
        || !s.prepare(m_db,
                      "SELECT s.id, s.name, s.content_hash, s.bytes, s.imported_at, "
                      "(SELECT count(*) FROM events e WHERE e.source_id = s.id), "
                      "(SELECT count(*) FROM warnings w WHERE w.source_id = s.id) "
                      "FROM sources s ORDER BY s.id"))
        return out;
    while (s.step() == SQLITE_ROW) {
        SourceInfo info;
        info.id = s.int64(0);
        info.name = s.text(1);
        info.contentHash = s.text(2);
        info.bytes = s.int64(3);
        info.importedAt = QDateTime::fromString(s.text(4), Qt::ISODateWithMs);
        info.eventCount = s.integer(5);
        info.warningCount = s.integer(6);
        out.push_back(std::move(info));
    }
    return out;
}

std::vector<ParseWarning> SourceRegistry::warnings(qint64 sourceId) const
{
    std::vector<ParseWarning> out;
    SqliteStatement s;
    if (!m_db || !s.prepare(m_db, "SELECT line, kind, detail FROM warnings WHERE source_id = ? ORDER BY id"))
        return out;
    s.bind(1, sourceId);
    while (s.step() == SQLITE_ROW) {
        ParseWarning w;
        w.line = s.int64(0);
        w.kind = keys::fromKey(keys::kWarningKindKeys, s.text(1));
        w.detail = s.text(2);
        out.push_back(std::move(w));
    }
    return out;
}

} // namespace oomscope
