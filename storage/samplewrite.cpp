// SPDX-License-Identifier: GPL-3.0-or-later
// Sample writes: raw samples into chunks, the level-of-detail cascade, the tails rewritten at
// the end of each append (see samplestore.cpp for the design), and process samples.
#include "samplestore.h"
#include "samplestoreprivate.h"

#include <cmath>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

using namespace samplelevels;

Result<void> SampleStore::Private::prepareWriteStatements()
{
    if (upsertChunk.isValid())
        return {};
    const std::array<std::pair<SqliteStatement *, QByteArray>, 6> statements {{
        {&upsertChunk,
         "INSERT INTO sample_chunks (series_id, level, seq, t_first, t_last, count, data) "
         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, level, seq) DO UPDATE SET "
         "t_first = excluded.t_first, t_last = excluded.t_last, count = excluded.count, "
         "data = excluded.data"},
        {&lastChunk,
         "SELECT seq, count, data FROM sample_chunks WHERE series_id = ? AND level = ? "
         "ORDER BY seq DESC LIMIT 1"},
        {&chunkData, "SELECT data FROM sample_chunks WHERE series_id = ? AND level = ? AND seq = ?"},
        {&seriesMeta, "SELECT last_ms, count FROM series WHERE id = ?"},
        {&updateSeries,
         "UPDATE series SET first_ms = coalesce(first_ms, ?), last_ms = ?, "
         "count = count + ? WHERE id = ?"},
        {&insertProcess,
         "INSERT INTO process_samples (series_id, time_ms, pid, comm, cgroup, rss_kb, rss_anon_kb, "
         "rss_file_kb, rss_shmem_kb, swap_kb, pgtables_kb, oom_score_adj, boottime_s) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    }};
    for (const auto &[stmt, sql] : statements) {
        if (!stmt->prepare(db, sql, true))
            return sqliteFail(db, u"cannot prepare statement: "_s);
    }
    return {};
}

namespace {

// A level's stored tail: its row count, first time and last row. Decoded whole once per series
// and store; a chunk from before columns were added is then kept as pending rows, to be written
// again whole.
bool loadLevelTail(std::span<const char> blob, SeriesState::Level &lv)
{
    chunk::RowBlock rows(BucketColumnCount);
    if (!chunk::decodeAppend(blob, rows))
        return false;
    if (rows.empty())
        return true;
    lv.pending = std::move(rows);
    lv.dirty = false;
    if (chunk::columnCountOf(blob) == BucketColumnCount)
        lv.stored(); // else spliceAppend() could not continue it
    return true;
}

} // namespace

// Reads where the stored last chunk of one level stands into lv (a full raw chunk is not read:
// it never changes again, the next sample starts a new one).
Result<void> SampleStore::Private::loadTail(qint64 seriesId, int level, SeriesState::Level &lv,
                                            chunk::ChunkBuilder &raw)
{
    lastChunk.bind(1, std::int64_t(seriesId));
    lastChunk.bind(2, level);
    const int step = lastChunk.step();
    Result<void> loaded;
    if (step == SQLITE_ROW) {
        const std::int64_t seq = lastChunk.int64(0);
        const std::int64_t rows = lastChunk.int64(1);
        if (level == 0 && rows >= SampleStore::kRawChunkSamples) {
            lv.tailSeq = seq + 1;
        } else {
            lv.tailSeq = seq;
            const std::span<const char> blob = blobOf(lastChunk, 2);
            if (level == 0 ? !raw.load(blob) : !loadLevelTail(blob, lv))
                loaded =
                    fail(Error::Kind::Invalid,
                         u"corrupt sample chunk (series %1, level %2, seq %3)"_s.arg(seriesId).arg(level).arg(
                             seq));
        }
    } else if (step != SQLITE_DONE) {
        loaded = sqliteFail(db, u"cannot read samples: "_s);
    }
    lastChunk.reset();
    return loaded;
}

Result<SeriesState *> SampleStore::Private::loadState(qint64 seriesId)
{
    seriesMeta.bind(1, std::int64_t(seriesId));
    const int rc = seriesMeta.step();
    const bool found = rc == SQLITE_ROW;
    const std::int64_t lastMs = found && !seriesMeta.isNull(0) ? seriesMeta.int64(0) : 0;
    const qint64 count = found ? seriesMeta.int64(1) : 0;
    seriesMeta.reset();
    if (!found) {
        if (rc == SQLITE_DONE)
            return fail(Error::Kind::NotFound, u"no series with id %1"_s.arg(seriesId));
        return sqliteFail(db, u"cannot read series %1: "_s.arg(seriesId));
    }

    // The cache is trusted only while it agrees with the file: a caller's rollback of an outer
    // transaction leaves the file behind the cache.
    auto it = states.find(seriesId);
    if (it != states.end() && it->second->count == count && (count == 0 || it->second->lastMs == lastMs))
        return it->second.get();

    auto st = std::make_unique<SeriesState>();
    st->count = count;
    st->lastMs = lastMs;
    std::array<Bucket, kLevels> views {};
    for (int l = 0; l <= kLevels; ++l) {
        SeriesState::Level &lv = st->levels[std::size_t(l)];
        if (Result<void> loaded = loadTail(seriesId, l, lv, st->raw); !loaded)
            return tl::unexpected<Error>(loaded.error());
        if (l > 0 && !lv.empty()) {
            const std::size_t i = std::size_t(l - 1);
            views[i] = lv.last();
            st->open[i] = views[i];
            // The stored view of a coarser level includes the finer view; min/max/last are
            // idempotent under merging it again, the count is not.
            if (i > 0)
                st->open[i][BCount] -= views[i - 1][BCount];
            st->hasOpen[i] = true;
            st->viewInTail[i] = true;
        }
    }
    SeriesState *raw = st.get();
    states[seriesId] = std::move(st);
    return raw;
}

// The blob of a level's tail into chunkBlob: the stored blob with the changes spliced on, or the
// rows encoded when nothing of the chunk is stored yet (or its layout predates a column).
Result<void> SampleStore::Private::levelBlob(qint64 seriesId, int level, const SeriesState::Level &lv)
{
    if (lv.storedRows == 0) {
        chunkBlob = chunk::encode(lv.pending);
        return {};
    }
    chunkData.bind(1, std::int64_t(seriesId));
    chunkData.bind(2, level);
    chunkData.bind(3, lv.tailSeq);
    const int step = chunkData.step();
    bool spliced = false;
    if (step == SQLITE_ROW)
        spliced = chunk::spliceAppend(blobOf(chunkData, 0), lv.dropStored, lv.storedLast, lv.pending,
                                      chunkBlob, lv.storedRows);
    chunkData.reset();
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sqliteFail(db, u"cannot read samples: "_s);
    if (!spliced)
        return fail(
            Error::Kind::Invalid,
            u"corrupt or missing sample chunk (series %1, level %2, seq %3)"_s.arg(seriesId).arg(level).arg(
                lv.tailSeq));
    return {};
}

Result<void> SampleStore::Private::writeTail(qint64 seriesId, int level, SeriesState &st)
{
    SeriesState::Level &lv = st.levels[std::size_t(level)];
    std::int64_t firstMs = 0;
    std::int64_t lastMs = 0;
    std::size_t count = 0;
    if (level == 0) {
        count = st.raw.size();
        if (count == 0)
            return {};
        st.raw.blob(chunkBlob);
        firstMs = st.raw.first(RawTime);
        lastMs = st.raw.last(RawTime);
    } else {
        count = lv.rows();
        if (count == 0)
            return {};
        if (Result<void> built = levelBlob(seriesId, level, lv); !built)
            return built;
        firstMs = lv.firstMs();
        lastMs = lv.last()[BLastTime];
    }
    SqliteStatement &s = upsertChunk;
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, level);
    s.bind(3, lv.tailSeq);
    s.bind(4, firstMs);
    s.bind(5, lastMs);
    s.bind(6, std::int64_t(count));
    sqlite3_bind_blob(s.get(), 7, chunkBlob.constData(), int(chunkBlob.size()), SQLITE_STATIC);
    if (!s.run())
        return sqliteFail(db, u"cannot store samples: "_s);
    if (level == 0)
        lv.dirty = false;
    else
        lv.stored();
    return {};
}

// Appends one record to a level's tail; a full tail is written out first and a new chunk begun.
Result<void> SampleStore::Private::pushRecord(qint64 seriesId, int level, SeriesState &st, const Bucket &row)
{
    SeriesState::Level &lv = st.levels[std::size_t(level)];
    if (lv.rows() >= chunkCapacityOf(level)) {
        if (Result<void> written = writeTail(seriesId, level, st); !written)
            return written;
        lv.next();
    }
    lv.push(row);
    return {};
}

// A bucket of level index + 1 is final: overwrite its stored view or append it.
Result<void> SampleStore::Private::emitBucket(qint64 seriesId, int index, SeriesState &st, const Bucket &b)
{
    SeriesState::Level &lv = st.levels[std::size_t(index + 1)];
    if (st.viewInTail[std::size_t(index)]) {
        lv.replaceLast(b);
        st.viewInTail[std::size_t(index)] = false;
        return {};
    }
    return pushRecord(seriesId, index + 1, st, b);
}

// The open bucket of level index is complete: store it, pass it up a level, and close it.
Result<void> SampleStore::Private::flushOpen(qint64 seriesId, int index, SeriesState &st)
{
    const std::size_t i = std::size_t(index);
    if (Result<void> emitted = emitBucket(seriesId, index, st, st.open[i]); !emitted)
        return emitted;
    if (index + 1 < kLevels) {
        if (Result<void> passed = cascade(seriesId, index + 1, st, st.open[i]); !passed)
            return passed;
    }
    st.hasOpen[i] = false;
    return {};
}

// A closed bucket of level index (index 0 = a closed 10 s bucket… ) goes into open[index].
Result<void> SampleStore::Private::cascade(qint64 seriesId, int index, SeriesState &st, const Bucket &closed)
{
    const std::size_t i = std::size_t(index);
    const std::int64_t start = alignDown(closed[BTime], kLevelWidthsMs[i]);
    if (st.hasOpen[i] && st.open[i][BTime] != start) {
        if (Result<void> flushed = flushOpen(seriesId, index, st); !flushed)
            return flushed;
    }
    if (st.hasOpen[i]) {
        mergeBucket(st.open[i], closed);
    } else {
        st.open[i] = closed;
        st.open[i][BTime] = start;
        st.hasOpen[i] = true;
    }
    return {};
}

// The 10 s bucket is closed by sample s: store it, pass it up, and close every coarser open
// bucket s lies beyond.
Result<void> SampleStore::Private::closeBuckets(qint64 seriesId, SeriesState &st, const MemorySample &s)
{
    if (Result<void> emitted = emitBucket(seriesId, 0, st, st.open[0]); !emitted)
        return emitted;
    if (Result<void> passed = cascade(seriesId, 1, st, st.open[0]); !passed)
        return passed;
    for (int index = 1; index < kLevels; ++index) {
        const std::size_t i = std::size_t(index);
        if (!st.hasOpen[i] || st.open[i][BTime] == alignDown(s.timestampMs, kLevelWidthsMs[i]))
            continue;
        if (Result<void> flushed = flushOpen(seriesId, index, st); !flushed)
            return flushed;
    }
    return {};
}

// Stores the views of the open buckets (finer open content merged in) and the dirty tails.
Result<void> SampleStore::Private::flush(qint64 seriesId, SeriesState &st)
{
    if (st.hasOpen[0]) {
        Bucket view = st.open[0];
        for (int index = 0; index < kLevels; ++index) {
            const std::size_t i = std::size_t(index);
            if (index > 0) {
                if (st.hasOpen[i]) {
                    Bucket merged = st.open[i];
                    mergeBucket(merged, view);
                    view = merged;
                } else {
                    view[BTime] = alignDown(view[BTime], kLevelWidthsMs[i]);
                }
            }
            SeriesState::Level &lv = st.levels[i + 1];
            if (st.viewInTail[i]) {
                lv.replaceLast(view);
            } else {
                if (Result<void> pushed = pushRecord(seriesId, index + 1, st, view); !pushed)
                    return pushed;
                st.viewInTail[i] = true;
            }
        }
    }
    for (int l = 0; l <= kLevels; ++l) {
        SeriesState::Level &lv = st.levels[std::size_t(l)];
        if (lv.dirty) {
            if (Result<void> written = writeTail(seriesId, l, st); !written)
                return written;
        }
    }
    return {};
}

// One sample into the raw tail (a full raw chunk is written out and a new one begun) and the
// open 10 s bucket (closing the buckets it lies beyond).
Result<void> SampleStore::Private::pushSample(qint64 seriesId, SeriesState &st, const MemorySample &s)
{
    SeriesState::Level &raw = st.levels[0];
    st.raw.push(rawRowOf(s));
    raw.dirty = true;
    if (st.raw.size() >= std::size_t(kRawChunkSamples)) {
        if (Result<void> written = writeTail(seriesId, 0, st); !written)
            return written;
        st.raw.clear();
        ++raw.tailSeq;
    }
    const std::int64_t start0 = alignDown(s.timestampMs, kLevelWidthsMs[0]);
    if (!st.hasOpen[0]) {
        st.open[0] = bucketOf(s, start0);
        st.hasOpen[0] = true;
    } else if (st.open[0][BTime] == start0) {
        mergeBucket(st.open[0], bucketOf(s, start0));
    } else {
        if (Result<void> closed = closeBuckets(seriesId, st, s); !closed)
            return closed;
        st.open[0] = bucketOf(s, start0);
    }
    return {};
}

Result<void> SampleStore::Private::addToSeries(qint64 seriesId, std::int64_t firstMs, std::int64_t lastMs,
                                               qint64 count)
{
    updateSeries.bind(1, firstMs);
    updateSeries.bind(2, lastMs);
    updateSeries.bind(3, std::int64_t(count));
    updateSeries.bind(4, std::int64_t(seriesId));
    if (!updateSeries.run())
        return sqliteFail(db, u"cannot update the series: "_s);
    return {};
}

AppendResult SampleStore::append(qint64 seriesId, std::span<const MemorySample> samples,
                                 const ProgressFn &progress)
{
    AppendResult result;
    sqlite3 *db = d->connection();
    if (!db) {
        result.error = u"no workspace is open"_s;
        return result;
    }
    if (Result<void> prepared = d->prepareWriteStatements(); !prepared) {
        result.error = prepared.error().message;
        return result;
    }
    if (samples.empty()) {
        result.ok = true;
        return result;
    }
    for (std::size_t i = 1; i < samples.size(); ++i) {
        if (samples[i].timestampMs < samples[i - 1].timestampMs) {
            result.error = u"samples out of time order at index %1"_s.arg(i);
            return result;
        }
    }

    SqliteTransaction scope(db, "oomscope_samples");
    if (!beginOrReport(scope, result, u"cannot start a transaction: "_s))
        return result;
    auto fail = [&](const QString &error) {
        scope.rollback();
        // The in-memory tails may hold rows the rollback removed from the file.
        d->states.erase(seriesId);
        result.error = error;
        return result;
    };

    const Result<SeriesState *> loaded = d->loadState(seriesId);
    if (!loaded)
        return fail(loaded.error().message);
    SeriesState *st = *loaded;
    if (st->count > 0 && samples.front().timestampMs < st->lastMs)
        return fail(u"samples before the series' last sample (%1 < %2)"_s.arg(samples.front().timestampMs)
                        .arg(st->lastMs));

    const SeriesState::Level &raw = st->levels[0];
    std::size_t done = 0;
    for (const MemorySample &s : samples) {
        const std::int64_t chunkBefore = raw.tailSeq;
        if (Result<void> pushed = d->pushSample(seriesId, *st, s); !pushed)
            return fail(pushed.error().message);
        ++done;
        if (raw.tailSeq != chunkBefore && progress && !progress(qint64(done))) {
            fail(QString());
            result.canceled = true;
            return result;
        }
    }
    if (Result<void> flushed = d->flush(seriesId, *st); !flushed)
        return fail(flushed.error().message);
    if (Result<void> updated = d->addToSeries(seriesId, samples.front().timestampMs,
                                              samples.back().timestampMs, qint64(samples.size()));
        !updated)
        return fail(updated.error().message);
    if (Result<void> committed = scope.commit(); !committed)
        return fail(u"cannot commit samples: "_s + committed.error().message);
    st->count += qint64(samples.size());
    st->lastMs = samples.back().timestampMs;
    result.ok = true;
    result.appended = qint64(samples.size());
    return result;
}

std::size_t SampleStore::writeStateBytes() const
{
    std::size_t bytes = 0;
    for (const auto &[id, st] : d->states) {
        bytes += sizeof(SeriesState) + st->raw.heldBytes();
        for (const SeriesState::Level &lv : st->levels)
            bytes += lv.heldBytes();
    }
    return bytes;
}

namespace {

void bindProcessSample(SqliteStatement &s, qint64 seriesId, const ProcessSample &p)
{
    auto bindKnown = [&s](int index, std::int64_t v) {
        if (v == kUnknown)
            s.bindNull(index);
        else
            s.bind(index, v);
    };
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, p.timestampMs);
    s.bind(3, p.pid);
    s.bind(4, p.comm);
    if (p.cgroup.isNull())
        s.bindNull(5);
    else
        s.bind(5, p.cgroup);
    bindKnown(6, p.rssKb);
    bindKnown(7, p.rssAnonKb);
    bindKnown(8, p.rssFileKb);
    bindKnown(9, p.rssShmemKb);
    bindKnown(10, p.swapKb);
    bindKnown(11, p.pgtablesKb);
    s.bind(12, p.oomScoreAdj);
    if (std::isnan(p.boottimeSeconds))
        s.bindNull(13);
    else
        s.bind(13, p.boottimeSeconds);
}

} // namespace

Result<void> SampleStore::appendProcesses(qint64 seriesId, std::span<const ProcessSample> rows)
{
    sqlite3 *db = d->connection();
    if (!db)
        return oomscope::fail(Error::Kind::Internal, u"no workspace is open"_s);
    if (Result<void> prepared = d->prepareWriteStatements(); !prepared)
        return prepared;
    SqliteTransaction scope(db, "oomscope_samples");
    if (Result<void> begun = scope.begin(); !begun)
        return begun;
    for (const ProcessSample &p : rows) {
        bindProcessSample(d->insertProcess, seriesId, p);
        if (!d->insertProcess.run())
            return sqliteFail(db, u"cannot store a process sample: "_s);
    }
    return scope.commit();
}

} // namespace oomscope
