// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedimport.h"

#include "samplestore.h"
#include "sourceregistry.h"
#include "sqlitestatement.h"
#include "workspacehandle.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

MetricFeedStore::MetricFeedStore(Workspace &workspace, SampleStore &store)
    : m_workspace(workspace)
    , m_store(store)
{ }

MetricStoreResult MetricFeedStore::rolledBack(SqliteTransaction &tx, const QString &error)
{
    tx.rollback();
    m_lastMs.clear(); // the rollback may have removed samples the cache counted
    MetricStoreResult failed;
    failed.error = error;
    return failed;
}

MetricStoreResult MetricFeedStore::storeSeries(std::span<const MetricSeries> series,
                                               const QString &defaultHost, const QString &hostOverride)
{
    MetricStoreResult result;
    sqlite3 *db = WorkspaceHandle::of(m_workspace);
    if (!db) {
        result.error = u"no workspace is open"_s;
        return result;
    }
    SqliteTransaction tx(db, "oomscope_feed");
    if (!beginOrReport(tx, result))
        return result;
    auto fail = [&](const QString &error) {
        return rolledBack(tx, error);
    };
    for (const MetricSeries &s : series) {
        QString host = hostOverride;
        if (host.isEmpty())
            host = s.host.isEmpty() ? defaultHost : s.host;
        if (host.isEmpty())
            host = u"unknown"_s;
        const Result<qint64> ensured = m_store.ensureSeries(host, s.cgroupPath, s.workloadKey);
        if (!ensured)
            return fail(u"cgroup %1: %2"_s.arg(s.cgroupPath, ensured.error().message));
        const qint64 id = *ensured;
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
    if (Result<void> committed = tx.commit(); !committed)
        return fail(u"cannot commit the samples: "_s + committed.error().message);
    result.ok = true;
    return result;
}

MetricStoreResult MetricFeedStore::importPromRangeFile(const QString &path, const QString &defaultHost,
                                                       const PromRangeOptions &options,
                                                       const QString &hostOverride)
{
    MetricStoreResult result;
    sqlite3 *db = WorkspaceHandle::of(m_workspace);
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
    const SourceContent content = ContentHasher::ofBytes(bytes);
    SourceRegistry registry(db);
    const Result<std::optional<qint64>> existing = registry.find(content.hash);
    if (!existing) {
        result.error = existing.error().message;
        return result;
    }
    if (*existing) {
        result.ok = true;
        result.alreadyImported = true;
        result.sourceId = **existing;
        return result;
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
    if (!beginOrReport(tx, result))
        return result;
    auto fail = [&](const QString &error) {
        return rolledBack(tx, error);
    };
    const Result<qint64> sourceId =
        registry.add(NewSource {QFileInfo(path).fileName(), content, parsed.points, "prometheus"});
    if (!sourceId)
        return fail(sourceId.error().message);
    std::vector<ParseWarning> warnings;
    for (const QString &w : parsed.warnings)
        warnings.push_back(ParseWarning {0, ParseWarning::Kind::Malformed, w});
    if (Result<void> stored = registry.addWarnings(*sourceId, warnings); !stored)
        return fail(stored.error().message);
    MetricStoreResult stored = storeSeries(parsed.series, defaultHost, hostOverride);
    if (!stored.ok)
        return fail(stored.error);
    if (Result<void> committed = tx.commit(); !committed)
        return fail(u"cannot commit the import: "_s + committed.error().message);
    stored.sourceId = *sourceId;
    stored.warnings = parsed.warnings;
    return stored;
}

} // namespace oomscope
