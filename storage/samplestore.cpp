// SPDX-License-Identifier: GPL-3.0-or-later
//
// Storage design (measured with `oomscope-bench samples`, figures in the bench output):
// - Samples are stored in chunks of up to kRawChunkSamples records per row, column-wise, each
//   column delta + zigzag varint encoded (samplechunk.h). One row per thousand samples makes
//   bulk ingest cost a fraction of a row-per-sample insert, and a zoomed query decodes only the
//   two or three chunks that overlap it.
// - The level of detail is stored, not computed per query: levels 1…5 hold, per time-aligned
//   bucket (10 s, 1 min, 10 min, 1 h, 1 day), min/max/last of usage and working set, the last
//   known value of every other field, max of failcnt/oom_kill, in the same chunk format. They are
//   maintained on append by a cascade: each sample updates the open 10 s bucket only; a closed
//   bucket is merged into the open bucket of the next level. Widths divide each other, so every
//   bucket lies within one bucket of each coarser level.
// - The last chunk of every level is partially filled (the "tail") and rewritten at the end of
//   each append: the file is always complete, and queries need no in-memory state. The raw tail
//   is kept encoded as it is built (ChunkBuilder, a fixed buffer per series); of a level's tail
//   only its row count and last row are kept, and the changes (last row replaced, rows added)
//   are spliced onto the stored blob, read back by its key (chunk::spliceAppend). Keeping the
//   level tails decoded cost 168 bytes per bucket up to 256 buckets per level and series: a live
//   session of 200 cgroups grew ~0.4 MiB a minute for hours (longsession bench). The cost of a
//   live append grows with the chunk capacity: measured 339 us per append with 4096-sample raw /
//   1024-bucket level chunks, 172 us with 1024 / 1024, 125 us with 1024 / 256 (tails re-encoded
//   whole then), bulk ingest unchanged (~5-6 M samples/s) and the file 2 % larger. Hence 1024
//   samples and 256 buckets per chunk.
// - Times within a series never decrease, so chunk seq order is time order and the
//   (series, level, t_last) index finds the first chunk of a range directly.
//
// This file: series, workloads and event placements. Writes: samplewrite.cpp; queries:
// samplequery.cpp; recording CSV imports: samplecsvimport.cpp.
#include "samplestore.h"

#include "cgrouppath.h"
#include "samplestoreprivate.h"

#include <QDateTime>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

using namespace samplelevels;

SampleStore::SampleStore(Workspace &workspace)
    : d(std::make_unique<Private>(workspace))
{ }

SampleStore::~SampleStore() = default;

std::span<const std::int64_t> SampleStore::levelWidthsMs()
{
    return kLevelWidthsMs;
}

QString SampleStore::workloadKeyFor(const QString &cgroupPath)
{
    const CgroupInfo info = classifyCgroupPath(cgroupPath);
    switch (info.kind) {
    case CgroupInfo::Kind::Kubernetes:
        // A restarted container gets a new container id (and path) in the same pod; the pod uid
        // is what stays. The pod's own cgroup (no container) is a workload of its own.
        if (!info.podUid.isEmpty() && !info.containerId.isEmpty())
            return u"pod/"_s + info.podUid;
        break;
    case CgroupInfo::Kind::Docker:
        if (!info.containerId.isEmpty())
            return u"docker/"_s + info.containerId;
        break;
    case CgroupInfo::Kind::Systemd:
        if (!info.unit.isEmpty())
            return u"unit/"_s + info.unit;
        break;
    case CgroupInfo::Kind::Other:
        break;
    }
    return cgroupPath;
}

namespace {

// Inserts the workload of a new series unless it is known; returns nothing of interest.
Result<void> ensureWorkload(sqlite3 *db, const QString &host, const QString &key, const CgroupInfo &info)
{
    SqliteStatement s;
    if (!s.prepare(db,
                   "INSERT INTO workloads (host, key, kind, pod_uid, container, unit) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host, key) DO NOTHING"))
        return sqliteFail(db);
    s.bind(1, host);
    s.bind(2, key);
    s.bind(3, cgroupKindName(info.kind));
    auto bindOptional = [&](int index, const QString &value) {
        if (value.isEmpty())
            s.bindNull(index);
        else
            s.bind(index, value);
    };
    bindOptional(4, info.podUid);
    bindOptional(5, info.containerId);
    bindOptional(6, info.unit);
    if (!s.run())
        return sqliteFail(db, u"cannot store the workload: "_s);
    return {};
}

// The series as the workload's next incarnation; returns its id.
Result<qint64> insertSeries(sqlite3 *db, const QString &host, const QString &cgroupPath, const QString &key)
{
    SqliteStatement insert;
    if (!insert.prepare(db,
                        "INSERT INTO series (workload_id, host, cgroup_path, incarnation, created_at) "
                        "SELECT w.id, ?1, ?2, (SELECT coalesce(max(incarnation), 0) + 1 FROM series "
                        "WHERE workload_id = w.id), ?4 FROM workloads w WHERE w.host = ?1 AND w.key = ?3"))
        return sqliteFail(db);
    insert.bind(1, host);
    insert.bind(2, cgroupPath);
    insert.bind(3, key);
    insert.bind(4, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    if (!insert.run() || sqlite3_changes(db) != 1)
        return sqliteFail(db, u"cannot store the series: "_s);
    return qint64(sqlite3_last_insert_rowid(db));
}

} // namespace

Result<qint64> SampleStore::ensureSeries(const QString &host, const QString &cgroupPath,
                                         const QString &workloadKey)
{
    sqlite3 *db = d->connection();
    if (!db)
        return fail(Error::Kind::Internal, u"no workspace is open"_s);
    if (const auto existing = findSeries(host, cgroupPath))
        return *existing;

    SqliteTransaction scope(db, "oomscope_samples");
    if (Result<void> begun = scope.begin(); !begun)
        return fail(begun.error().kind, u"cannot start a transaction: "_s + begun.error().message);
    const CgroupInfo info = classifyCgroupPath(cgroupPath);
    const QString key = workloadKey.isEmpty() ? workloadKeyFor(cgroupPath) : workloadKey;
    if (Result<void> workload = ensureWorkload(db, host, key, info); !workload)
        return tl::unexpected<Error>(workload.error());
    const Result<qint64> id = insertSeries(db, host, cgroupPath, key);
    if (!id)
        return id;
    if (Result<void> committed = scope.commit(); !committed)
        return fail(committed.error().kind, u"cannot commit the series: "_s + committed.error().message);
    return id;
}

std::optional<qint64> SampleStore::findSeries(const QString &host, const QString &cgroupPath) const
{
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db || !s.prepare(db, "SELECT id FROM series WHERE host = ? AND cgroup_path = ?"))
        return std::nullopt;
    s.bind(1, host);
    s.bind(2, cgroupPath);
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    return s.int64(0);
}

namespace {

constexpr const char *kSeriesSelect =
    "SELECT id, workload_id, host, cgroup_path, incarnation, first_ms, last_ms, count FROM series ";

SeriesInfo seriesFrom(const SqliteStatement &s)
{
    SeriesInfo info;
    info.id = s.int64(0);
    info.workloadId = s.int64(1);
    info.host = s.text(2);
    info.cgroupPath = s.text(3);
    info.incarnation = s.integer(4);
    info.firstMs = s.optInt64(5);
    info.lastMs = s.optInt64(6);
    info.count = s.int64(7);
    return info;
}

} // namespace

std::vector<SeriesInfo> SampleStore::series() const
{
    std::vector<SeriesInfo> out;
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db || !s.prepare(db, QByteArray(kSeriesSelect) + "ORDER BY workload_id, incarnation, id"))
        return out;
    while (s.step() == SQLITE_ROW)
        out.push_back(seriesFrom(s));
    return out;
}

std::optional<SeriesInfo> SampleStore::seriesInfo(qint64 seriesId) const
{
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db || !s.prepare(db, QByteArray(kSeriesSelect) + "WHERE id = ?"))
        return std::nullopt;
    s.bind(1, std::int64_t(seriesId));
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    return seriesFrom(s);
}

std::vector<WorkloadInfo> SampleStore::workloads() const
{
    std::vector<WorkloadInfo> out;
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db
        || !s.prepare(db,
                      "SELECT w.id, w.host, w.key, w.kind, w.pod_uid, w.container, w.unit, "
                      "(SELECT count(*) FROM series s WHERE s.workload_id = w.id) "
                      "FROM workloads w ORDER BY w.host, w.key"))
        return out;
    while (s.step() == SQLITE_ROW) {
        WorkloadInfo w;
        w.id = s.int64(0);
        w.host = s.text(1);
        w.key = s.text(2);
        w.kind = s.text(3);
        w.podUid = s.text(4);
        w.containerId = s.text(5);
        w.unit = s.text(6);
        w.seriesCount = s.integer(7);
        out.push_back(std::move(w));
    }
    return out;
}

std::optional<std::pair<std::int64_t, std::int64_t>> SampleStore::timeRange(qint64 seriesId) const
{
    const auto info = seriesInfo(seriesId);
    if (!info || !info->firstMs || !info->lastMs)
        return std::nullopt;
    return std::pair {*info->firstMs, *info->lastMs};
}

Result<void> SampleStore::deleteSeries(qint64 seriesId)
{
    sqlite3 *db = d->connection();
    if (!db)
        return fail(Error::Kind::Internal, u"no workspace is open"_s);
    d->states.erase(seriesId);
    SqliteTransaction scope(db, "oomscope_samples");
    if (Result<void> begun = scope.begin(); !begun)
        return begun;
    // Children go explicitly, so the delete does not depend on PRAGMA foreign_keys.
    SqliteStatement workload;
    if (!workload.prepare(db, "SELECT workload_id FROM series WHERE id = ?"))
        return sqliteFail(db);
    workload.bind(1, std::int64_t(seriesId));
    if (workload.step() != SQLITE_ROW)
        return fail(Error::Kind::NotFound, u"no series with id %1"_s.arg(seriesId));
    const std::int64_t workloadId = workload.int64(0);
    for (const char *sql :
         {"DELETE FROM sample_chunks WHERE series_id = ?1",
          "DELETE FROM process_samples WHERE series_id = ?1",
          "DELETE FROM event_placement WHERE series_id = ?1", "DELETE FROM series WHERE id = ?1",
          "DELETE FROM workloads WHERE id = ?2 AND NOT EXISTS "
          "(SELECT 1 FROM series WHERE workload_id = ?2)"}) {
        SqliteStatement s;
        if (!s.prepare(db, sql))
            return sqliteFail(db);
        s.bind(1, std::int64_t(seriesId));
        if (sqlite3_bind_parameter_count(s.get()) >= 2)
            s.bind(2, workloadId);
        if (!s.run())
            return sqliteFail(db, u"cannot delete the series: "_s);
    }
    return scope.commit();
}

Result<void> SampleStore::setPlacement(qint64 eventId, qint64 seriesId, std::int64_t timeMs)
{
    sqlite3 *db = d->connection();
    if (!db)
        return fail(Error::Kind::Internal, u"no workspace is open"_s);
    SqliteStatement s;
    if (!s.prepare(db,
                   "INSERT INTO event_placement (event_id, series_id, time_ms) VALUES (?, ?, ?) "
                   "ON CONFLICT (event_id, series_id) DO UPDATE SET time_ms = excluded.time_ms"))
        return sqliteFail(db);
    s.bind(1, std::int64_t(eventId));
    s.bind(2, std::int64_t(seriesId));
    s.bind(3, timeMs);
    if (!s.run())
        return sqliteFail(db, u"cannot place the event: "_s);
    return {};
}

bool SampleStore::removePlacement(qint64 eventId, qint64 seriesId)
{
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db || !s.prepare(db, "DELETE FROM event_placement WHERE event_id = ? AND series_id = ?"))
        return false;
    s.bind(1, std::int64_t(eventId));
    s.bind(2, std::int64_t(seriesId));
    return s.run() && sqlite3_changes(db) > 0;
}

namespace {

std::vector<EventPlacement> readPlacements(sqlite3 *db, const char *sql, qint64 id)
{
    std::vector<EventPlacement> out;
    SqliteStatement s;
    if (!db || !s.prepare(db, sql))
        return out;
    s.bind(1, std::int64_t(id));
    while (s.step() == SQLITE_ROW)
        out.push_back(EventPlacement {s.int64(0), s.int64(1), s.int64(2)});
    return out;
}

} // namespace

std::vector<EventPlacement> SampleStore::placements(qint64 seriesId) const
{
    return readPlacements(d->connection(),
                          "SELECT event_id, series_id, time_ms FROM event_placement "
                          "WHERE series_id = ? ORDER BY time_ms, event_id",
                          seriesId);
}

std::vector<EventPlacement> SampleStore::placementsOfEvent(qint64 eventId) const
{
    return readPlacements(d->connection(),
                          "SELECT event_id, series_id, time_ms FROM event_placement "
                          "WHERE event_id = ? ORDER BY series_id",
                          eventId);
}

int SampleStore::placeEventsByMemcg(std::int64_t slackMs)
{
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db
        || !s.prepare(db,
                      "INSERT INTO event_placement (event_id, series_id, time_ms) "
                      "SELECT e.id, s.id, e.wall_time_ms FROM events e JOIN series s "
                      "ON (s.cgroup_path = e.oom_memcg OR s.cgroup_path = e.task_memcg) "
                      "AND (e.host IS NULL OR e.host = '' OR e.host = s.host) "
                      "WHERE e.wall_time_ms IS NOT NULL AND s.first_ms IS NOT NULL "
                      "AND e.wall_time_ms BETWEEN s.first_ms - ?1 AND s.last_ms + ?1 "
                      "ON CONFLICT (event_id, series_id) DO NOTHING"))
        return 0;
    s.bind(1, slackMs);
    return s.run() ? sqlite3_changes(db) : 0;
}

} // namespace oomscope
