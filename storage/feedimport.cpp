// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedimport.h"

#include "samplestore.h"
#include "sqlitestatement.h"
#include "workspace.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>
#include <xxhash.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Same form as the other sources' hashes: hex of the canonical XXH3-128.
QByteArray contentHash(const QByteArray &bytes)
{
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits(bytes.constData(), std::size_t(bytes.size())));
    return QByteArray(reinterpret_cast<const char *>(canonical.digest), sizeof(canonical.digest)).toHex();
}

} // namespace

MetricFeedStore::MetricFeedStore(Workspace &workspace, SampleStore &store)
    : m_workspace(workspace)
    , m_store(store)
{ }

MetricStoreResult MetricFeedStore::storeSeries(std::span<const MetricSeries> series,
                                               const QString &defaultHost, const QString &hostOverride)
{
    MetricStoreResult result;
    sqlite3 *db = m_workspace.handle();
    if (!db) {
        result.error = u"no workspace is open"_s;
        return result;
    }
    SqliteTransaction tx(db, "oomscope_feed");
    if (!tx.begin(&result.error))
        return result;
    auto fail = [&](const QString &error) {
        tx.rollback();
        m_lastMs.clear(); // the rollback may have removed samples the cache counted
        MetricStoreResult failed;
        failed.error = error;
        return failed;
    };
    for (const MetricSeries &s : series) {
        QString host = hostOverride;
        if (host.isEmpty())
            host = s.host.isEmpty() ? defaultHost : s.host;
        if (host.isEmpty())
            host = u"unknown"_s;
        QString error;
        const qint64 id = m_store.ensureSeries(host, s.cgroupPath, &error, s.workloadKey);
        if (!id)
            return fail(u"cgroup %1: %2"_s.arg(s.cgroupPath, error));
        auto cached = m_lastMs.constFind(id);
        std::int64_t lastMs = std::numeric_limits<std::int64_t>::min();
        if (cached != m_lastMs.constEnd()) {
            lastMs = *cached;
        } else if (const auto range = m_store.timeRange(id)) {
            lastMs = range->second;
        }
        // The store takes samples in time order only; a scrape repeating cAdvisor's last
        // reading, or a range overlapping an earlier import, is skipped here, not rejected there.
        std::vector<MemorySample> fresh;
        fresh.reserve(s.samples.size());
        for (const MemorySample &m : s.samples) {
            if (m.timestampMs > lastMs) {
                fresh.push_back(m);
                lastMs = m.timestampMs;
            } else {
                ++result.samplesSkipped;
            }
        }
        if (fresh.empty())
            continue;
        const AppendResult appended = m_store.append(id, fresh);
        if (!appended.ok)
            return fail(u"cgroup %1: %2"_s.arg(s.cgroupPath, appended.error));
        m_lastMs.insert(id, lastMs);
        result.seriesIds.push_back(id);
        result.samplesAdded += appended.appended;
    }
    QString error;
    if (!tx.commit(&error))
        return fail(u"cannot commit the samples: "_s + error);
    result.ok = true;
    return result;
}

MetricStoreResult MetricFeedStore::importPromRangeFile(const QString &path, const QString &defaultHost,
                                                       const PromRangeOptions &options,
                                                       const QString &hostOverride)
{
    MetricStoreResult result;
    sqlite3 *db = m_workspace.handle();
    if (!db) {
        result.error = u"no workspace is open"_s;
        return result;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = u"cannot open %1: %2"_s.arg(path, file.errorString());
        return result;
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        result.error = u"read error in %1: %2"_s.arg(path, file.errorString());
        return result;
    }
    const QByteArray hash = contentHash(bytes);
    {
        SqliteStatement find;
        if (!find.prepare(db, "SELECT id FROM sources WHERE content_hash = ?")) {
            result.error = sqliteLastError(db);
            return result;
        }
        find.bind(1, hash);
        if (find.step() == SQLITE_ROW) {
            result.ok = true;
            result.alreadyImported = true;
            result.sourceId = sqlite3_column_int64(find.get(), 0);
            return result;
        }
    }
    const PromRangeResult parsed = parsePromQueryRange(bytes, options);
    if (!parsed.ok) {
        result.error = u"%1: %2"_s.arg(QFileInfo(path).fileName(), parsed.error);
        return result;
    }
    if (parsed.series.empty()) {
        result.error =
            u"%1: no cAdvisor memory series (container_memory_*, container_spec_memory_limit_bytes, "
            "container_oom_events_total with an id label) in the answer"_s.arg(QFileInfo(path).fileName());
        if (!parsed.warnings.empty())
            result.error += u"; first skipped: "_s + parsed.warnings.front();
        return result;
    }

    SqliteTransaction tx(db, "oomscope_feed");
    if (!tx.begin(&result.error))
        return result;
    auto fail = [&](const QString &error) {
        tx.rollback();
        m_lastMs.clear();
        MetricStoreResult failed;
        failed.error = error;
        return failed;
    };
    SqliteStatement insert;
    if (!insert.prepare(db,
                        "INSERT INTO sources (name, content_hash, bytes, lines, imported_at, kind) "
                        "VALUES (?, ?, ?, ?, ?, 'prometheus')"))
        return fail(sqliteLastError(db));
    insert.bind(1, QFileInfo(path).fileName());
    insert.bind(2, hash);
    insert.bind(3, qint64(bytes.size()));
    insert.bind(4, parsed.points);
    insert.bind(5, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    if (!insert.run())
        return fail(u"cannot store the source: "_s + sqliteLastError(db));
    const qint64 sourceId = sqlite3_last_insert_rowid(db);
    SqliteStatement warn;
    if (!warn.prepare(db,
                      "INSERT INTO warnings (source_id, line, kind, detail) VALUES (?, 0, 'malformed', ?)"))
        return fail(sqliteLastError(db));
    for (const QString &w : parsed.warnings) {
        warn.bind(1, sourceId);
        warn.bind(2, w);
        if (!warn.run())
            return fail(u"cannot store a warning: "_s + sqliteLastError(db));
    }
    MetricStoreResult stored = storeSeries(parsed.series, defaultHost, hostOverride);
    if (!stored.ok)
        return fail(stored.error);
    QString error;
    if (!tx.commit(&error))
        return fail(u"cannot commit the import: "_s + error);
    stored.sourceId = sourceId;
    stored.warnings = parsed.warnings;
    return stored;
}

} // namespace oomscope
