// SPDX-License-Identifier: GPL-3.0-or-later
#include "nodefeedstore.h"

#include "samplestore.h"
#include "sqlitestatement.h"
#include "timeline.h"
#include "workspace.h"
#include "workspacehandle.h"

#include <QDateTime>

#include <limits>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

struct NodeFeedStore::Private {
    Workspace &workspace;
    SampleStore samples;
    QHash<QString, NodeCursor> cursors; // read once per node, then kept current
    QHash<qint64, std::int64_t> seriesLastMs; // newest stored sample per series

    explicit Private(Workspace &ws)
        : workspace(ws)
        , samples(ws)
    { }
    sqlite3 *db() const { return WorkspaceHandle::of(workspace); }

    Result<qint64> storeSeries(const QString &host, const NodeBatch::Series &series, NodeBatchStored &stored);
    Result<void> placeEvents(const QString &host, const std::vector<NodeBatch::Event> &events);
    Result<void> storeGaps(const NodeBatch &batch, qint64 nowMs, NodeBatchStored &stored);
    Result<void> storeCursor(const NodeBatch &batch, const NodeCursor &cursor, qint64 nowMs);
};

// Appends the samples newer than the series' newest stored one; returns how many were stored.
Result<qint64> NodeFeedStore::Private::storeSeries(const QString &host, const NodeBatch::Series &series,
                                                   NodeBatchStored &stored)
{
    const Result<qint64> seriesId = samples.ensureSeries(host, series.cgroup);
    if (!seriesId)
        return seriesId;
    auto last = seriesLastMs.find(*seriesId);
    if (last == seriesLastMs.end()) {
        const std::optional<SeriesInfo> info = samples.seriesInfo(*seriesId);
        last = seriesLastMs.insert(
            *seriesId, info && info->lastMs ? *info->lastMs : std::numeric_limits<std::int64_t>::min());
    }
    // A node clock stepped back (or a restarted agent's first tick at the same ms) would make
    // the store reject the whole batch; such samples are skipped instead.
    std::vector<MemorySample> fresh;
    std::vector<ProcessSample> processes;
    fresh.reserve(series.samples.size());
    std::int64_t lastMs = *last;
    for (std::size_t i = 0; i < series.samples.size(); ++i) {
        const MemorySample &s = series.samples[i];
        if (s.timestampMs < lastMs) {
            ++stored.samplesSkipped;
            continue;
        }
        lastMs = s.timestampMs;
        fresh.push_back(s);
        if (i < series.processes.size())
            processes.insert(processes.end(), series.processes[i].begin(), series.processes[i].end());
    }
    if (fresh.empty())
        return 0;
    const AppendResult appended = samples.append(*seriesId, fresh);
    if (!appended.ok)
        return fail(Error::Kind::Internal, appended.error);
    if (!processes.empty()) {
        if (Result<void> procs = samples.appendProcesses(*seriesId, processes); !procs)
            return tl::unexpected<Error>(procs.error());
    }
    *last = lastMs;
    stored.samples.series.emplace_back(*seriesId, std::move(fresh));
    return appended.appended;
}

// Places the new events on this node's series (by memcg path, see cgroupIndexForEvent).
Result<void> NodeFeedStore::Private::placeEvents(const QString &host,
                                                 const std::vector<NodeBatch::Event> &events)
{
    if (events.empty())
        return {};
    std::vector<QString> paths;
    std::vector<qint64> ids;
    for (const SeriesInfo &s : samples.series()) {
        if (s.host == host) {
            paths.push_back(s.cgroupPath);
            ids.push_back(s.id);
        }
    }
    for (const NodeBatch::Event &ne : events) {
        if (const std::optional<std::size_t> idx = cgroupIndexForEvent(ne.event, paths)) {
            if (Result<void> placed = samples.setPlacement(ne.eventId, ids[*idx], ne.wallMs); !placed)
                return placed;
        }
    }
    return {};
}

Result<void> NodeFeedStore::Private::storeGaps(const NodeBatch &batch, qint64 nowMs, NodeBatchStored &stored)
{
    if (batch.gaps.empty())
        return {};
    SqliteStatement ins;
    if (!ins.prepare(db(),
                     "INSERT INTO remote_gaps (node, instance, from_seq, to_seq, detected_ms) "
                     "VALUES (?, ?, ?, ?, ?)"))
        return sqliteFail(db());
    for (const NodeBatch::Gap &g : batch.gaps) {
        ins.bind(1, batch.cursor.node);
        ins.bind(2, batch.cursor.instance);
        ins.bind(3, g.fromSeq);
        ins.bind(4, g.toSeq);
        ins.bind(5, nowMs);
        if (!ins.run())
            return sqliteFail(db());
        ins.reset();
        ++stored.gaps;
    }
    return {};
}

Result<void> NodeFeedStore::Private::storeCursor(const NodeBatch &batch, const NodeCursor &cursor,
                                                 qint64 nowMs)
{
    SqliteStatement up;
    if (!up.prepare(
            db(),
            "INSERT INTO remote_nodes (node, hostname, instance, last_seq, boot_time_ms, "
            "kernel_release, cgroup_version, samples_stored, events_stored, last_stored_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(node) DO UPDATE SET "
            "hostname = excluded.hostname, instance = excluded.instance, last_seq = excluded.last_seq, "
            "boot_time_ms = excluded.boot_time_ms, kernel_release = excluded.kernel_release, "
            "cgroup_version = excluded.cgroup_version, samples_stored = excluded.samples_stored, "
            "events_stored = excluded.events_stored, last_stored_ms = excluded.last_stored_ms"))
        return sqliteFail(db());
    up.bind(1, cursor.node);
    up.bind(2, cursor.hostname);
    up.bind(3, cursor.instance);
    up.bind(4, cursor.lastSeq);
    up.bind(5, batch.bootTimeMs);
    up.bind(6, batch.kernelRelease);
    up.bind(7, batch.cgroupVersion);
    up.bind(8, cursor.samplesStored);
    up.bind(9, cursor.eventsStored);
    up.bind(10, nowMs);
    if (!up.run())
        return sqliteFail(db());
    return {};
}

Result<void> NodeFeedStore::resetCursor(const QString &node)
{
    SqliteStatement up;
    if (!up.prepare(d->db(), "UPDATE remote_nodes SET instance = '', last_seq = 0 WHERE node = ?"))
        return sqliteFail(d->db());
    up.bind(1, node);
    if (!up.run())
        return sqliteFail(d->db());
    d->cursors.remove(node);
    return {};
}

NodeFeedStore::NodeFeedStore(Workspace &workspace)
    : d(std::make_unique<Private>(workspace))
{ }

NodeFeedStore::~NodeFeedStore() = default;

std::optional<NodeCursor> NodeFeedStore::cursor(const QString &node)
{
    if (const auto it = d->cursors.constFind(node); it != d->cursors.constEnd())
        return *it;
    SqliteStatement q;
    if (!d->db()
        || !q.prepare(d->db(),
                      "SELECT hostname, instance, last_seq, samples_stored, events_stored "
                      "FROM remote_nodes WHERE node = ?"))
        return std::nullopt;
    q.bind(1, node);
    NodeCursor c;
    c.node = node;
    if (q.step() == SQLITE_ROW) {
        c.hostname = q.text(0);
        c.instance = q.text(1);
        c.lastSeq = q.int64(2);
        c.samplesStored = q.int64(3);
        c.eventsStored = q.int64(4);
    }
    d->cursors.insert(node, c);
    return c;
}

std::vector<NodeCursor> NodeFeedStore::nodes()
{
    std::vector<NodeCursor> out;
    SqliteStatement q;
    if (!d->db() || !q.prepare(d->db(), "SELECT node FROM remote_nodes ORDER BY node"))
        return out;
    std::vector<QString> names;
    while (q.step() == SQLITE_ROW)
        names.push_back(q.text(0));
    for (const QString &n : names) {
        if (std::optional<NodeCursor> c = cursor(n))
            out.push_back(*c);
    }
    return out;
}

std::vector<StoredGap> NodeFeedStore::gaps(const QString &node) const
{
    std::vector<StoredGap> out;
    SqliteStatement q;
    if (!d->db()
        || !q.prepare(
            d->db(),
            "SELECT instance, from_seq, to_seq, detected_ms FROM remote_gaps WHERE node = ? ORDER BY id"))
        return out;
    q.bind(1, node);
    while (q.step() == SQLITE_ROW)
        out.push_back(StoredGap {q.text(0), q.int64(1), q.int64(2), q.int64(3)});
    return out;
}

Result<NodeBatchStored> NodeFeedStore::storeBatch(const NodeBatch &batch)
{
    if (!d->db())
        return fail(Error::Kind::Internal, u"no workspace is open"_s);
    SqliteTransaction transaction(d->db(), "oomscope_remote");
    if (Result<void> begun = transaction.begin(); !begun)
        return tl::unexpected<Error>(begun.error());
    auto rollback = [&](const Error &error) {
        transaction.rollback();
        d->cursors.remove(batch.cursor.node);
        d->seriesLastMs.clear();
        return tl::unexpected<Error>(error);
    };

    NodeBatchStored stored;
    for (const NodeBatch::Series &series : batch.series) {
        const Result<qint64> appended = d->storeSeries(batch.host, series, stored);
        if (!appended)
            return rollback(appended.error());
        stored.samplesStored += *appended;
    }
    if (Result<void> placed = d->placeEvents(batch.host, batch.events); !placed)
        return rollback(placed.error());
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (Result<void> gaps = d->storeGaps(batch, nowMs, stored); !gaps)
        return rollback(gaps.error());
    stored.cursor = batch.cursor;
    stored.cursor.samplesStored += stored.samplesStored;
    if (Result<void> moved = d->storeCursor(batch, stored.cursor, nowMs); !moved)
        return rollback(moved.error());
    if (Result<void> committed = transaction.commit(); !committed)
        return rollback(committed.error());
    d->cursors.insert(stored.cursor.node, stored.cursor);
    return stored;
}

Result<void> NodeFeedStore::stampNodeEvents(const std::vector<qint64> &eventIds, const QString &host,
                                            std::optional<qint64> bootTimeMs)
{
    sqlite3 *db = WorkspaceHandle::of(d->workspace);
    if (!db)
        return fail(Error::Kind::Invalid, u"no workspace is open"_s);
    SqliteStatement st;
    // The wall time only where the log gave none (a kmsg record has its uptime only).
    if (!st.prepare(
            db,
            "UPDATE events SET host = CASE WHEN host IS NULL OR host = '' THEN ?2 ELSE host END, "
            "wall_time = CASE WHEN wall_time IS NULL AND ?3 IS NOT NULL AND uptime_s IS NOT NULL "
            "  THEN strftime('%Y-%m-%dT%H:%M:%fZ', (?3 + CAST(round(uptime_s * 1000) AS INTEGER)) / 1000.0, "
            "'unixepoch') ELSE wall_time END, "
            "wall_time_ms = CASE WHEN wall_time_ms IS NULL AND ?3 IS NOT NULL AND uptime_s IS NOT NULL "
            "  THEN ?3 + CAST(round(uptime_s * 1000) AS INTEGER) ELSE wall_time_ms END "
            "WHERE id = ?1"))
        return sqliteFail(db, u"cannot give the node's events their host: "_s);
    for (const qint64 id : eventIds) {
        st.bind(1, id);
        st.bind(2, host);
        st.bind(3, bootTimeMs);
        if (!st.run())
            return sqliteFail(db, u"cannot give event %1 its host: "_s.arg(id));
    }
    return {};
}

} // namespace oomscope
