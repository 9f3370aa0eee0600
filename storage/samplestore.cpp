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
// - The last chunk of every level is partially filled. We keep it decoded in memory (the "tail",
//   one per series this store appended to) and rewrite its row at the end of each append: simple,
//   the file is always complete, and queries need no in-memory state. A live append (one sample,
//   one transaction) therefore re-encodes the tails; its cost grows with the chunk capacity:
//   measured 339 us per append with 4096-sample raw / 1024-bucket level chunks, 172 us with
//   1024 / 1024, 125 us with 1024 / 256, bulk ingest unchanged (~5-6 M samples/s) and the file
//   2 % larger. Hence 1024 samples and 256 buckets per chunk.
// - Times within a series never decrease, so chunk seq order is time order and the
//   (series, level, t_last) index finds the first chunk of a range directly.
#include "samplestore.h"

#include "cgrouppath.h"
#include "samplechunk.h"
#include "sqlitestatement.h"
#include "workspace.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <bit>
#include <sqlite3.h>
#include <unordered_map>
#include <xxhash.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr std::array<std::int64_t, 5> kLevelWidthsMs {10'000, 60'000, 600'000, 3'600'000, 86'400'000};
constexpr int kLevels = int(kLevelWidthsMs.size());
constexpr std::int64_t kUnknown = MemorySample::kUnknown;

// Raw chunk columns (level 0).
enum RawColumn {
    RawTime,
    RawUsage,
    RawLimit,
    RawHigh,
    RawAnon,
    RawFile,
    RawActiveFile,
    RawInactiveFile,
    RawShmem,
    RawKernel,
    RawSwap,
    RawFailcnt,
    RawOomKill,
    RawBoottimeBits,
    RawColumnCount
};

// Bucket columns (levels 1…). Order matches the kEnvelopeColumns table below.
enum BucketColumn {
    BTime,
    BLastTime,
    BCount,
    BMinUsage,
    BMaxUsage,
    BLastUsage,
    BMinWs,
    BMaxWs,
    BLastWs,
    BLastAnon,
    BLastFile,
    BLastShmem,
    BLastActiveFile,
    BLastInactiveFile,
    BLastKernel,
    BLastSwap,
    BLastLimit,
    BLastHigh,
    BMaxFailcnt,
    BMaxOomKill,
    BucketColumnCount
};

constexpr std::array<std::vector<std::int64_t> SampleEnvelope::*, BucketColumnCount> kEnvelopeColumns {
    &SampleEnvelope::timeMs,
    &SampleEnvelope::lastTimeMs,
    &SampleEnvelope::sampleCount,
    &SampleEnvelope::minUsageBytes,
    &SampleEnvelope::maxUsageBytes,
    &SampleEnvelope::lastUsageBytes,
    &SampleEnvelope::minWorkingSetBytes,
    &SampleEnvelope::maxWorkingSetBytes,
    &SampleEnvelope::lastWorkingSetBytes,
    &SampleEnvelope::lastAnonBytes,
    &SampleEnvelope::lastFileBytes,
    &SampleEnvelope::lastShmemBytes,
    &SampleEnvelope::lastActiveFileBytes,
    &SampleEnvelope::lastInactiveFileBytes,
    &SampleEnvelope::lastKernelBytes,
    &SampleEnvelope::lastSwapBytes,
    &SampleEnvelope::lastLimitBytes,
    &SampleEnvelope::lastHighBytes,
    &SampleEnvelope::maxFailcnt,
    &SampleEnvelope::maxOomKillCount,
};

using Bucket = std::array<std::int64_t, BucketColumnCount>;

int columnCountOf(int level)
{
    return level == 0 ? int(RawColumnCount) : int(BucketColumnCount);
}

std::size_t chunkCapacityOf(int level)
{
    return level == 0 ? std::size_t(SampleStore::kRawChunkSamples)
                      : std::size_t(SampleStore::kLevelChunkBuckets);
}

std::int64_t alignDown(std::int64_t t, std::int64_t width)
{
    std::int64_t q = t / width;
    if (t % width < 0)
        --q;
    return q * width;
}

// kUnknown is -1 and every known value is >= 0: as unsigned, -1 is the largest value, so an
// unsigned min skips unknowns (and stays unknown when all are), and a signed max does the same.
inline std::int64_t minKnown(std::int64_t a, std::int64_t b)
{
    return std::int64_t(std::min(std::uint64_t(a), std::uint64_t(b)));
}

inline std::int64_t lastKnown(std::int64_t earlier, std::int64_t later)
{
    return later != kUnknown ? later : earlier;
}

// Merges `later` (a bucket or a one-sample bucket, not before acc) into acc; acc keeps its time.
inline void mergeBucket(Bucket &acc, const Bucket &later)
{
    acc[BLastTime] = std::max(acc[BLastTime], later[BLastTime]);
    acc[BCount] += later[BCount];
    acc[BMinUsage] = minKnown(acc[BMinUsage], later[BMinUsage]);
    acc[BMaxUsage] = std::max(acc[BMaxUsage], later[BMaxUsage]);
    acc[BMinWs] = minKnown(acc[BMinWs], later[BMinWs]);
    acc[BMaxWs] = std::max(acc[BMaxWs], later[BMaxWs]);
    acc[BLastUsage] = lastKnown(acc[BLastUsage], later[BLastUsage]);
    acc[BLastWs] = lastKnown(acc[BLastWs], later[BLastWs]);
    for (int c = BLastAnon; c <= BLastHigh; ++c)
        acc[c] = lastKnown(acc[c], later[c]);
    acc[BMaxFailcnt] = std::max(acc[BMaxFailcnt], later[BMaxFailcnt]);
    acc[BMaxOomKill] = std::max(acc[BMaxOomKill], later[BMaxOomKill]);
}

inline Bucket bucketOf(const MemorySample &s, std::int64_t bucketStart)
{
    const std::int64_t ws = s.workingSetBytes();
    return Bucket {bucketStart,
                   s.timestampMs,
                   1,
                   s.usageBytes,
                   s.usageBytes,
                   s.usageBytes,
                   ws,
                   ws,
                   ws,
                   s.anonBytes,
                   s.fileBytes,
                   s.shmemBytes,
                   s.activeFileBytes,
                   s.inactiveFileBytes,
                   s.kernelBytes,
                   s.swapBytes,
                   s.limitBytes,
                   s.highBytes,
                   s.failcnt,
                   s.oomKillCount};
}

Bucket rowOf(const chunk::ColumnBlock &block, std::size_t row)
{
    Bucket b {};
    for (int c = 0; c < BucketColumnCount; ++c)
        b[std::size_t(c)] = block.columns[std::size_t(c)][row];
    return b;
}

std::array<std::int64_t, RawColumnCount> rawRowOf(const MemorySample &s)
{
    return {s.timestampMs,     s.usageBytes,
            s.limitBytes,      s.highBytes,
            s.anonBytes,       s.fileBytes,
            s.activeFileBytes, s.inactiveFileBytes,
            s.shmemBytes,      s.kernelBytes,
            s.swapBytes,       s.failcnt,
            s.oomKillCount,    std::bit_cast<std::int64_t>(s.boottimeSeconds)};
}

MemorySample sampleOf(const chunk::ColumnBlock &b, std::size_t i)
{
    MemorySample s;
    s.timestampMs = b.columns[RawTime][i];
    s.usageBytes = b.columns[RawUsage][i];
    s.limitBytes = b.columns[RawLimit][i];
    s.highBytes = b.columns[RawHigh][i];
    s.anonBytes = b.columns[RawAnon][i];
    s.fileBytes = b.columns[RawFile][i];
    s.activeFileBytes = b.columns[RawActiveFile][i];
    s.inactiveFileBytes = b.columns[RawInactiveFile][i];
    s.shmemBytes = b.columns[RawShmem][i];
    s.kernelBytes = b.columns[RawKernel][i];
    s.swapBytes = b.columns[RawSwap][i];
    s.failcnt = b.columns[RawFailcnt][i];
    s.oomKillCount = b.columns[RawOomKill][i];
    s.boottimeSeconds = std::bit_cast<double>(b.columns[RawBoottimeBits][i]);
    return s;
}

std::span<const char> blobOf(const SqliteStatement &s, int col)
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(s.get(), col));
    return {data, std::size_t(sqlite3_column_bytes(s.get(), col))};
}

QByteArray contentHashOf(QIODevice &device, qint64 *bytes, QString *error)
{
    XXH3_state_t *state = XXH3_createState();
    if (!state) {
        *error = u"out of memory"_s;
        return {};
    }
    XXH3_128bits_reset(state);
    QByteArray block(1 << 20, Qt::Uninitialized);
    *bytes = 0;
    for (;;) {
        const qint64 n = device.read(block.data(), block.size());
        if (n < 0) {
            *error = device.errorString();
            XXH3_freeState(state);
            return {};
        }
        if (n == 0)
            break;
        XXH3_128bits_update(state, block.constData(), std::size_t(n));
        *bytes += n;
    }
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state));
    XXH3_freeState(state);
    // Same form as the log sources' hashes (workspace.cpp).
    return QByteArray(reinterpret_cast<const char *>(canonical.digest), sizeof(canonical.digest)).toHex();
}

} // namespace

// Write-side state of one series: the decoded last chunk of every level and the open buckets.
struct SeriesState {
    struct Level {
        chunk::ColumnBlock tail;
        std::int64_t tailSeq = 0; // seq of the row that holds (or will hold) the tail
        bool dirty = false;
    };
    std::array<Level, kLevels + 1> levels;
    // open[i]: the open bucket of level i + 1, made of the closed buckets of level i (for i = 0:
    // the samples) — without the still open finer bucket, which flush() merges in.
    std::array<Bucket, kLevels> open {};
    std::array<bool, kLevels> hasOpen {};
    // The tail's last row of level i + 1 is the stored view of open[i] (to be overwritten).
    std::array<bool, kLevels> viewInTail {};
    std::int64_t lastMs = 0;
    qint64 count = 0;

    SeriesState()
    {
        for (int l = 0; l <= kLevels; ++l)
            levels[std::size_t(l)].tail = chunk::ColumnBlock(columnCountOf(l));
    }
};

struct SampleStore::Private {
    Workspace &workspace;
    sqlite3 *db = nullptr; // the connection the statements and cache belong to
    std::unordered_map<qint64, std::unique_ptr<SeriesState>> states;

    SqliteStatement upsertChunk;
    SqliteStatement lastChunk;
    SqliteStatement seriesMeta;
    SqliteStatement updateSeries;
    SqliteStatement insertProcess;

    explicit Private(Workspace &ws)
        : workspace(ws)
    { }

    // The current connection, or nullptr; drops statements and cache when it changed.
    sqlite3 *connection()
    {
        sqlite3 *current = workspace.handle();
        if (current != db) {
            for (SqliteStatement *s : {&upsertChunk, &lastChunk, &seriesMeta, &updateSeries, &insertProcess})
                *s = SqliteStatement();
            states.clear();
            db = current;
        }
        return db;
    }
    bool prepareWriteStatements(QString *error);
    SeriesState *loadState(qint64 seriesId, QString *error);
    bool writeTail(qint64 seriesId, int level, SeriesState::Level &lv, QString *error);
    bool pushRecord(qint64 seriesId, int level, SeriesState &st, std::span<const std::int64_t> row,
                    QString *error);
    bool emitBucket(qint64 seriesId, int index, SeriesState &st, const Bucket &b, QString *error);
    bool cascade(qint64 seriesId, int index, SeriesState &st, const Bucket &closed, QString *error);
    bool flush(qint64 seriesId, SeriesState &st, QString *error);

    // Chunks overlapping [lo, hi] of one level, decoded and cut to the range.
    bool readRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi,
                   chunk::ColumnBlock &out) const;
    qint64 countRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi) const;
};

bool SampleStore::Private::prepareWriteStatements(QString *error)
{
    if (upsertChunk.isValid())
        return true;
    const std::array<std::pair<SqliteStatement *, QByteArray>, 5> statements {{
        {&upsertChunk,
         "INSERT INTO sample_chunks (series_id, level, seq, t_first, t_last, count, data) "
         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, level, seq) DO UPDATE SET "
         "t_first = excluded.t_first, t_last = excluded.t_last, count = excluded.count, "
         "data = excluded.data"},
        {&lastChunk,
         "SELECT seq, count, data FROM sample_chunks WHERE series_id = ? AND level = ? "
         "ORDER BY seq DESC LIMIT 1"},
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
        if (!stmt->prepare(db, sql, true)) {
            if (error)
                *error = u"cannot prepare statement: "_s + sqliteLastError(db);
            return false;
        }
    }
    return true;
}

SeriesState *SampleStore::Private::loadState(qint64 seriesId, QString *error)
{
    seriesMeta.bind(1, std::int64_t(seriesId));
    const int rc = seriesMeta.step();
    const bool found = rc == SQLITE_ROW;
    const std::int64_t lastMs = found && !seriesMeta.isNull(0) ? seriesMeta.int64(0) : 0;
    const qint64 count = found ? seriesMeta.int64(1) : 0;
    seriesMeta.reset();
    if (!found) {
        *error = rc == SQLITE_DONE ? u"no series with id %1"_s.arg(seriesId)
                                   : u"cannot read series %1: %2"_s.arg(seriesId).arg(sqliteLastError(db));
        return nullptr;
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
        lastChunk.bind(1, std::int64_t(seriesId));
        lastChunk.bind(2, l);
        const int step = lastChunk.step();
        if (step == SQLITE_ROW) {
            const std::int64_t seq = lastChunk.int64(0);
            const std::int64_t rows = lastChunk.int64(1);
            if (l == 0 && rows >= SampleStore::kRawChunkSamples) {
                lv.tailSeq = seq + 1; // a full raw chunk never changes again
            } else {
                lv.tailSeq = seq;
                if (!chunk::decodeAppend(blobOf(lastChunk, 2), lv.tail)) {
                    lastChunk.reset();
                    *error =
                        u"corrupt sample chunk (series %1, level %2, seq %3)"_s.arg(seriesId).arg(l).arg(seq);
                    return nullptr;
                }
            }
        } else if (step != SQLITE_DONE) {
            *error = u"cannot read samples: "_s + sqliteLastError(db);
            lastChunk.reset();
            return nullptr;
        }
        lastChunk.reset();
        if (l > 0 && !lv.tail.empty()) {
            const std::size_t i = std::size_t(l - 1);
            views[i] = rowOf(lv.tail, lv.tail.size() - 1);
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

bool SampleStore::Private::writeTail(qint64 seriesId, int level, SeriesState::Level &lv, QString *error)
{
    if (lv.tail.empty())
        return true;
    const QByteArray blob = chunk::encode(lv.tail);
    const auto &time = lv.tail.columns[0];
    SqliteStatement &s = upsertChunk;
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, level);
    s.bind(3, lv.tailSeq);
    s.bind(4, time.front());
    s.bind(5, level == 0 ? time.back() : lv.tail.columns[BLastTime].back());
    s.bind(6, std::int64_t(lv.tail.size()));
    sqlite3_bind_blob(s.get(), 7, blob.constData(), int(blob.size()), SQLITE_STATIC);
    if (!s.run()) {
        *error = u"cannot store samples: "_s + sqliteLastError(db);
        return false;
    }
    lv.dirty = false;
    return true;
}

// Appends one record to a level's tail; a full tail is written out first and a new chunk begun.
bool SampleStore::Private::pushRecord(qint64 seriesId, int level, SeriesState &st,
                                      std::span<const std::int64_t> row, QString *error)
{
    SeriesState::Level &lv = st.levels[std::size_t(level)];
    if (lv.tail.size() >= chunkCapacityOf(level)) {
        if (!writeTail(seriesId, level, lv, error))
            return false;
        lv.tail.clear();
        ++lv.tailSeq;
    }
    lv.tail.push(row);
    lv.dirty = true;
    return true;
}

// A bucket of level index + 1 is final: overwrite its stored view or append it.
bool SampleStore::Private::emitBucket(qint64 seriesId, int index, SeriesState &st, const Bucket &b,
                                      QString *error)
{
    SeriesState::Level &lv = st.levels[std::size_t(index + 1)];
    if (st.viewInTail[std::size_t(index)]) {
        lv.tail.setRow(lv.tail.size() - 1, b);
        lv.dirty = true;
        st.viewInTail[std::size_t(index)] = false;
        return true;
    }
    return pushRecord(seriesId, index + 1, st, b, error);
}

// A closed bucket of level index (index 0 = a closed 10 s bucket… ) goes into open[index].
bool SampleStore::Private::cascade(qint64 seriesId, int index, SeriesState &st, const Bucket &closed,
                                   QString *error)
{
    const std::size_t i = std::size_t(index);
    const std::int64_t start = alignDown(closed[BTime], kLevelWidthsMs[i]);
    if (st.hasOpen[i] && st.open[i][BTime] != start) {
        if (!emitBucket(seriesId, index, st, st.open[i], error))
            return false;
        if (index + 1 < kLevels && !cascade(seriesId, index + 1, st, st.open[i], error))
            return false;
        st.hasOpen[i] = false;
    }
    if (st.hasOpen[i]) {
        mergeBucket(st.open[i], closed);
    } else {
        st.open[i] = closed;
        st.open[i][BTime] = start;
        st.hasOpen[i] = true;
    }
    return true;
}

// Stores the views of the open buckets (finer open content merged in) and the dirty tails.
bool SampleStore::Private::flush(qint64 seriesId, SeriesState &st, QString *error)
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
                lv.tail.setRow(lv.tail.size() - 1, view);
                lv.dirty = true;
            } else {
                if (!pushRecord(seriesId, index + 1, st, view, error))
                    return false;
                st.viewInTail[i] = true;
            }
        }
    }
    for (int l = 0; l <= kLevels; ++l) {
        SeriesState::Level &lv = st.levels[std::size_t(l)];
        if (lv.dirty && !writeTail(seriesId, l, lv, error))
            return false;
    }
    return true;
}

bool SampleStore::Private::readRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi,
                                     chunk::ColumnBlock &out) const
{
    SqliteStatement s;
    if (!s.prepare(db,
                   "SELECT t_first, t_last, data FROM sample_chunks WHERE series_id = ? AND "
                   "level = ? AND t_last >= ? AND t_first <= ? ORDER BY seq"))
        return false;
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, level);
    s.bind(3, lo);
    s.bind(4, hi);
    while (s.step() == SQLITE_ROW) {
        const std::size_t before = out.size();
        if (!chunk::decodeAppend(blobOf(s, 2), out)) {
            for (auto &c : out.columns)
                c.resize(before);
            return false;
        }
        // Cut the boundary chunks to [lo, hi]: times are sorted within a chunk.
        if (s.int64(0) < lo || s.int64(1) > hi) {
            auto &time = out.columns[0];
            const auto first = std::lower_bound(time.begin() + qsizetype(before), time.end(), lo);
            const auto last = std::upper_bound(first, time.end(), hi);
            const std::size_t a = std::size_t(first - time.begin());
            const std::size_t b = std::size_t(last - time.begin());
            if (a != before || b != time.size()) {
                for (auto &c : out.columns) {
                    c.erase(c.begin() + qsizetype(b), c.end());
                    c.erase(c.begin() + qsizetype(before), c.begin() + qsizetype(a));
                }
            }
        }
    }
    return true;
}

qint64 SampleStore::Private::countRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi) const
{
    SqliteStatement s;
    if (!s.prepare(db,
                   "SELECT t_first, t_last, count, id FROM sample_chunks WHERE series_id = ? "
                   "AND level = ? AND t_last >= ? AND t_first <= ?"))
        return 0;
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, level);
    s.bind(3, lo);
    s.bind(4, hi);
    qint64 total = 0;
    std::vector<std::int64_t> boundary;
    while (s.step() == SQLITE_ROW) {
        if (s.int64(0) >= lo && s.int64(1) <= hi) {
            total += s.int64(2);
            continue;
        }
        // A chunk cut by the range: count its times (one column, without the others).
        SqliteStatement data;
        if (!data.prepare(db, "SELECT data FROM sample_chunks WHERE id = ?"))
            return total;
        data.bind(1, s.int64(3));
        if (data.step() != SQLITE_ROW)
            continue;
        boundary.clear();
        if (!chunk::decodeColumn(blobOf(data, 0), 0, boundary))
            continue;
        const auto first = std::lower_bound(boundary.begin(), boundary.end(), lo);
        total += std::upper_bound(first, boundary.end(), hi) - first;
    }
    return total;
}

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

qint64 SampleStore::ensureSeries(const QString &host, const QString &cgroupPath, QString *error,
                                 const QString &workloadKey)
{
    sqlite3 *db = d->connection();
    auto fail = [&](const QString &message) -> qint64 {
        if (error)
            *error = message;
        return 0;
    };
    if (!db)
        return fail(u"no workspace is open"_s);
    if (const auto existing = findSeries(host, cgroupPath))
        return *existing;

    SqliteTransaction scope(db, "oomscope_samples");
    QString message;
    if (!scope.begin(&message))
        return fail(u"cannot start a transaction: "_s + message);

    const CgroupInfo info = classifyCgroupPath(cgroupPath);
    const QString key = workloadKey.isEmpty() ? workloadKeyFor(cgroupPath) : workloadKey;
    SqliteStatement s;
    if (!s.prepare(db,
                   "INSERT INTO workloads (host, key, kind, pod_uid, container, unit) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host, key) DO NOTHING"))
        return fail(sqliteLastError(db));
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
        return fail(u"cannot store the workload: "_s + sqliteLastError(db));

    SqliteStatement insert;
    if (!insert.prepare(db,
                        "INSERT INTO series (workload_id, host, cgroup_path, incarnation, created_at) "
                        "SELECT w.id, ?1, ?2, (SELECT coalesce(max(incarnation), 0) + 1 FROM series "
                        "WHERE workload_id = w.id), ?4 FROM workloads w WHERE w.host = ?1 AND w.key = ?3"))
        return fail(sqliteLastError(db));
    insert.bind(1, host);
    insert.bind(2, cgroupPath);
    insert.bind(3, key);
    insert.bind(4, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    if (!insert.run() || sqlite3_changes(db) != 1)
        return fail(u"cannot store the series: "_s + sqliteLastError(db));
    const qint64 id = sqlite3_last_insert_rowid(db);
    if (!scope.commit(&message))
        return fail(u"cannot commit the series: "_s + message);
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

bool SampleStore::deleteSeries(qint64 seriesId, QString *error)
{
    sqlite3 *db = d->connection();
    if (!db) {
        if (error)
            *error = u"no workspace is open"_s;
        return false;
    }
    d->states.erase(seriesId);
    SqliteTransaction scope(db, "oomscope_samples");
    if (!scope.begin(error))
        return false;
    // Children go explicitly, so the delete does not depend on PRAGMA foreign_keys.
    SqliteStatement workload;
    if (!workload.prepare(db, "SELECT workload_id FROM series WHERE id = ?"))
        return false;
    workload.bind(1, std::int64_t(seriesId));
    if (workload.step() != SQLITE_ROW) {
        if (error)
            *error = u"no series with id %1"_s.arg(seriesId);
        return false;
    }
    const std::int64_t workloadId = workload.int64(0);
    for (const char *sql :
         {"DELETE FROM sample_chunks WHERE series_id = ?1",
          "DELETE FROM process_samples WHERE series_id = ?1",
          "DELETE FROM event_placement WHERE series_id = ?1", "DELETE FROM series WHERE id = ?1",
          "DELETE FROM workloads WHERE id = ?2 AND NOT EXISTS "
          "(SELECT 1 FROM series WHERE workload_id = ?2)"}) {
        SqliteStatement s;
        if (!s.prepare(db, sql)) {
            if (error)
                *error = sqliteLastError(db);
            return false;
        }
        s.bind(1, std::int64_t(seriesId));
        if (sqlite3_bind_parameter_count(s.get()) >= 2)
            s.bind(2, workloadId);
        if (!s.run()) {
            if (error)
                *error = u"cannot delete the series: "_s + sqliteLastError(db);
            return false;
        }
    }
    return scope.commit(error);
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
    if (!d->prepareWriteStatements(&result.error))
        return result;
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
    if (!scope.begin(&result.error)) {
        result.error = u"cannot start a transaction: "_s + result.error;
        return result;
    }
    auto fail = [&](const QString &error) {
        scope.rollback();
        // The in-memory tails may hold rows the rollback removed from the file.
        d->states.erase(seriesId);
        result.error = error;
        return result;
    };

    QString error;
    SeriesState *st = d->loadState(seriesId, &error);
    if (!st)
        return fail(error);
    if (st->count > 0 && samples.front().timestampMs < st->lastMs)
        return fail(u"samples before the series' last sample (%1 < %2)"_s.arg(samples.front().timestampMs)
                        .arg(st->lastMs));

    SeriesState::Level &raw = st->levels[0];
    const std::int64_t width0 = kLevelWidthsMs[0];
    std::size_t done = 0;
    for (const MemorySample &s : samples) {
        const auto row = rawRowOf(s);
        raw.tail.push(row);
        raw.dirty = true;
        if (raw.tail.size() >= std::size_t(kRawChunkSamples)) {
            if (!d->writeTail(seriesId, 0, raw, &error))
                return fail(error);
            raw.tail.clear();
            ++raw.tailSeq;
            if (progress && !progress(qint64(done + 1))) {
                scope.rollback();
                d->states.erase(seriesId);
                result.canceled = true;
                return result;
            }
        }

        const std::int64_t start0 = alignDown(s.timestampMs, width0);
        if (!st->hasOpen[0]) {
            st->open[0] = bucketOf(s, start0);
            st->hasOpen[0] = true;
        } else if (st->open[0][BTime] == start0) {
            mergeBucket(st->open[0], bucketOf(s, start0));
        } else {
            // The 10 s bucket is closed: store it, pass it up, and close every coarser open
            // bucket the new sample lies beyond.
            if (!d->emitBucket(seriesId, 0, *st, st->open[0], &error)
                || !d->cascade(seriesId, 1, *st, st->open[0], &error))
                return fail(error);
            for (int index = 1; index < kLevels; ++index) {
                const std::size_t i = std::size_t(index);
                if (!st->hasOpen[i] || st->open[i][BTime] == alignDown(s.timestampMs, kLevelWidthsMs[i]))
                    continue;
                if (!d->emitBucket(seriesId, index, *st, st->open[i], &error))
                    return fail(error);
                if (index + 1 < kLevels && !d->cascade(seriesId, index + 1, *st, st->open[i], &error))
                    return fail(error);
                st->hasOpen[i] = false;
            }
            st->open[0] = bucketOf(s, start0);
        }
        ++done;
    }
    if (!d->flush(seriesId, *st, &error))
        return fail(error);

    d->updateSeries.bind(1, samples.front().timestampMs);
    d->updateSeries.bind(2, samples.back().timestampMs);
    d->updateSeries.bind(3, std::int64_t(samples.size()));
    d->updateSeries.bind(4, std::int64_t(seriesId));
    if (!d->updateSeries.run())
        return fail(u"cannot update the series: "_s + sqliteLastError(db));
    if (!scope.commit(&error))
        return fail(u"cannot commit samples: "_s + error);
    st->count += qint64(samples.size());
    st->lastMs = samples.back().timestampMs;
    result.ok = true;
    result.appended = qint64(samples.size());
    return result;
}

bool SampleStore::appendProcesses(qint64 seriesId, std::span<const ProcessSample> rows, QString *error)
{
    sqlite3 *db = d->connection();
    if (!db) {
        if (error)
            *error = u"no workspace is open"_s;
        return false;
    }
    if (!d->prepareWriteStatements(error))
        return false;
    SqliteTransaction scope(db, "oomscope_samples");
    if (!scope.begin(error))
        return false;
    auto bindKnown = [](SqliteStatement &s, int index, std::int64_t v) {
        if (v == kUnknown)
            s.bindNull(index);
        else
            s.bind(index, v);
    };
    SqliteStatement &s = d->insertProcess;
    for (const ProcessSample &p : rows) {
        s.bind(1, std::int64_t(seriesId));
        s.bind(2, p.timestampMs);
        s.bind(3, p.pid);
        s.bind(4, p.comm);
        if (p.cgroup.isNull())
            s.bindNull(5);
        else
            s.bind(5, p.cgroup);
        bindKnown(s, 6, p.rssKb);
        bindKnown(s, 7, p.rssAnonKb);
        bindKnown(s, 8, p.rssFileKb);
        bindKnown(s, 9, p.rssShmemKb);
        bindKnown(s, 10, p.swapKb);
        bindKnown(s, 11, p.pgtablesKb);
        s.bind(12, p.oomScoreAdj);
        if (std::isnan(p.boottimeSeconds))
            s.bindNull(13);
        else
            s.bind(13, p.boottimeSeconds);
        if (!s.run()) {
            if (error)
                *error = u"cannot store a process sample: "_s + sqliteLastError(db);
            return false;
        }
    }
    return scope.commit(error);
}

std::vector<MemorySample> SampleStore::samples(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs) const
{
    std::vector<MemorySample> out;
    if (!d->connection() || fromMs > toMs)
        return out;
    chunk::ColumnBlock block(RawColumnCount);
    d->readRange(seriesId, 0, fromMs, toMs, block);
    out.reserve(block.size());
    for (std::size_t i = 0; i < block.size(); ++i)
        out.push_back(sampleOf(block, i));
    return out;
}

std::vector<ProcessSample> SampleStore::processSamples(qint64 seriesId, std::int64_t fromMs,
                                                       std::int64_t toMs) const
{
    std::vector<ProcessSample> out;
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db
        || !s.prepare(db,
                      "SELECT time_ms, pid, comm, cgroup, rss_kb, rss_anon_kb, rss_file_kb, "
                      "rss_shmem_kb, swap_kb, pgtables_kb, oom_score_adj, boottime_s "
                      "FROM process_samples WHERE series_id = ? AND time_ms BETWEEN ? AND ? "
                      "ORDER BY time_ms, rowid"))
        return out;
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, fromMs);
    s.bind(3, toMs);
    auto known = [&](int col) {
        return s.isNull(col) ? kUnknown : s.int64(col);
    };
    while (s.step() == SQLITE_ROW) {
        ProcessSample p;
        p.timestampMs = s.int64(0);
        p.pid = s.int64(1);
        p.comm = s.text(2);
        p.cgroup = s.text(3);
        p.rssKb = known(4);
        p.rssAnonKb = known(5);
        p.rssFileKb = known(6);
        p.rssShmemKb = known(7);
        p.swapKb = known(8);
        p.pgtablesKb = known(9);
        p.oomScoreAdj = s.integer(10);
        if (!s.isNull(11))
            p.boottimeSeconds = s.real(11);
        out.push_back(std::move(p));
    }
    return out;
}

qint64 SampleStore::levelCount(qint64 seriesId, int level, std::int64_t fromMs, std::int64_t toMs) const
{
    if (!d->connection() || level < 0 || level > kLevels || fromMs > toMs)
        return 0;
    const std::int64_t lo = level == 0 ? fromMs : alignDown(fromMs, kLevelWidthsMs[std::size_t(level - 1)]);
    return d->countRange(seriesId, level, lo, toMs);
}

SampleEnvelope SampleStore::levelData(qint64 seriesId, int level, std::int64_t fromMs,
                                      std::int64_t toMs) const
{
    SampleEnvelope env;
    env.level = level;
    if (!d->connection() || level < 0 || level > kLevels || fromMs > toMs)
        return env;
    if (level == 0) {
        chunk::ColumnBlock block(RawColumnCount);
        d->readRange(seriesId, 0, fromMs, toMs, block);
        const std::size_t n = block.size();
        for (auto member : kEnvelopeColumns)
            (env.*member).resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const MemorySample s = sampleOf(block, i);
            const Bucket b = bucketOf(s, s.timestampMs);
            for (std::size_t c = 0; c < kEnvelopeColumns.size(); ++c)
                (env.*kEnvelopeColumns[c])[i] = b[c];
        }
        return env;
    }
    const std::int64_t width = kLevelWidthsMs[std::size_t(level - 1)];
    env.bucketMs = width;
    chunk::ColumnBlock block(BucketColumnCount);
    d->readRange(seriesId, level, alignDown(fromMs, width), toMs, block);
    for (std::size_t c = 0; c < kEnvelopeColumns.size(); ++c)
        env.*kEnvelopeColumns[c] = std::move(block.columns[c]);
    return env;
}

SampleEnvelope SampleStore::envelope(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs,
                                     int maxPoints) const
{
    if (maxPoints <= 0 || fromMs > toMs || !d->connection())
        return {};
    for (int level = 0; level <= kLevels; ++level) {
        if (levelCount(seriesId, level, fromMs, toMs) <= maxPoints)
            return levelData(seriesId, level, fromMs, toMs);
    }
    // Even days are too many: merge consecutive day buckets in equal groups.
    SampleEnvelope coarse = levelData(seriesId, kLevels, fromMs, toMs);
    const std::size_t n = coarse.size();
    const std::size_t group = (n + std::size_t(maxPoints) - 1) / std::size_t(maxPoints);
    SampleEnvelope out;
    out.level = kLevels;
    out.bucketMs = coarse.bucketMs * std::int64_t(group);
    for (std::size_t first = 0; first < n; first += group) {
        Bucket acc {};
        for (std::size_t c = 0; c < kEnvelopeColumns.size(); ++c)
            acc[c] = (coarse.*kEnvelopeColumns[c])[first];
        for (std::size_t i = first + 1; i < std::min(n, first + group); ++i) {
            Bucket next {};
            for (std::size_t c = 0; c < kEnvelopeColumns.size(); ++c)
                next[c] = (coarse.*kEnvelopeColumns[c])[i];
            mergeBucket(acc, next);
        }
        for (std::size_t c = 0; c < kEnvelopeColumns.size(); ++c)
            (out.*kEnvelopeColumns[c]).push_back(acc[c]);
    }
    return out;
}

bool SampleStore::setPlacement(qint64 eventId, qint64 seriesId, std::int64_t timeMs, QString *error)
{
    sqlite3 *db = d->connection();
    SqliteStatement s;
    if (!db
        || !s.prepare(db,
                      "INSERT INTO event_placement (event_id, series_id, time_ms) VALUES (?, ?, ?) "
                      "ON CONFLICT (event_id, series_id) DO UPDATE SET time_ms = excluded.time_ms")) {
        if (error)
            *error = db ? sqliteLastError(db) : u"no workspace is open"_s;
        return false;
    }
    s.bind(1, std::int64_t(eventId));
    s.bind(2, std::int64_t(seriesId));
    s.bind(3, timeMs);
    if (!s.run()) {
        if (error)
            *error = u"cannot place the event: "_s + sqliteLastError(db);
        return false;
    }
    return true;
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

namespace {

// Shared start of both recording imports: hash the file and find an earlier import of it.
struct SourceCheck {
    QString error;
    QByteArray hash;
    qint64 bytes = 0;
    qint64 existingId = 0;
};

SourceCheck checkSource(sqlite3 *db, QFile &file)
{
    SourceCheck check;
    if (!file.open(QIODevice::ReadOnly)) {
        check.error = u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString());
        return check;
    }
    check.hash = contentHashOf(file, &check.bytes, &check.error);
    if (!check.error.isEmpty()) {
        check.error = u"read error in %1: %2"_s.arg(file.fileName(), check.error);
        return check;
    }
    SqliteStatement s;
    if (!s.prepare(db, "SELECT id FROM sources WHERE content_hash = ?")) {
        check.error = sqliteLastError(db);
        return check;
    }
    s.bind(1, check.hash);
    if (s.step() == SQLITE_ROW)
        check.existingId = s.int64(0);
    if (!file.seek(0))
        check.error = u"cannot rewind %1"_s.arg(file.fileName());
    return check;
}

qint64 insertSource(sqlite3 *db, const QString &path, const SourceCheck &check, qint64 lines,
                    const char *kind, const std::vector<CsvRowIssue> &issues, QString *error)
{
    SqliteStatement s;
    if (!s.prepare(db,
                   "INSERT INTO sources (name, content_hash, bytes, lines, imported_at, kind) "
                   "VALUES (?, ?, ?, ?, ?, ?)")) {
        *error = sqliteLastError(db);
        return 0;
    }
    s.bind(1, QFileInfo(path).fileName());
    s.bind(2, check.hash);
    s.bind(3, check.bytes);
    s.bind(4, lines);
    s.bind(5, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    s.bind(6, QByteArray(kind));
    if (!s.run()) {
        *error = u"cannot store the source: "_s + sqliteLastError(db);
        return 0;
    }
    const qint64 sourceId = sqlite3_last_insert_rowid(db);
    SqliteStatement w;
    if (!w.prepare(db,
                   "INSERT INTO warnings (source_id, line, kind, detail) VALUES (?, ?, 'malformed', ?)")) {
        *error = sqliteLastError(db);
        return 0;
    }
    for (const CsvRowIssue &issue : issues) {
        w.bind(1, std::int64_t(sourceId));
        w.bind(2, std::int64_t(issue.line));
        w.bind(3, issue.detail);
        if (!w.run()) {
            *error = u"cannot store a warning: "_s + sqliteLastError(db);
            return 0;
        }
    }
    return sourceId;
}

// The shared start of a recording import: an open workspace, a readable file, and content
// not imported before (then the result says alreadyImported). Empty: the result is final.
template<typename ImportResultT>
std::optional<SourceCheck> startSourceImport(sqlite3 *db, QFile &file, ImportResultT &result)
{
    if (!db) {
        result.error = u"no workspace is open"_s;
        return std::nullopt;
    }
    SourceCheck check = checkSource(db, file);
    if (!check.error.isEmpty()) {
        result.error = check.error;
        return std::nullopt;
    }
    if (check.existingId) {
        result.ok = true;
        result.alreadyImported = true;
        result.sourceId = check.existingId;
        return std::nullopt;
    }
    return check;
}

} // namespace

SamplesImportResult SampleStore::importSamplesCsv(const QString &path, const QString &host,
                                                  const ProgressFn &progress)
{
    SamplesImportResult result;
    sqlite3 *db = d->connection();
    QFile file(path);
    const std::optional<SourceCheck> started = startSourceImport(db, file, result);
    if (!started)
        return result;
    const SourceCheck &check = *started;
    SamplesCsvResult parsed = readSamplesCsv(file, defaultCgroupForFile(path), progress);
    result.skippedRows = parsed.skippedRows;
    result.warnings = parsed.skipped;
    if (parsed.canceled) {
        result.canceled = true;
        return result;
    }
    if (!parsed.error.isEmpty()) {
        result.error = parsed.error;
        return result;
    }

    SqliteTransaction scope(db, "oomscope_samples");
    if (!scope.begin(&result.error))
        return result;
    auto fail = [&](const QString &error) {
        scope.rollback();
        d->states.clear(); // tails of every series this import touched are stale now
        result.error = error;
        result.seriesIds.clear();
        result.samplesAdded = 0;
        return result;
    };
    QString error;
    result.sourceId = insertSource(db, path, check, parsed.rows, "samples", parsed.skipped, &error);
    if (!result.sourceId)
        return fail(error);
    for (const RecordedSeries &rs : parsed.series) {
        const qint64 id = ensureSeries(host, rs.cgroup, &error);
        if (!id)
            return fail(error);
        const AppendResult appended = append(id, rs.samples);
        if (!appended.ok)
            return fail(u"cgroup %1: %2"_s.arg(rs.cgroup, appended.error));
        result.seriesIds.push_back(id);
        result.samplesAdded += appended.appended;
    }
    if (!scope.commit(&error))
        return fail(u"cannot commit the import: "_s + error);
    result.ok = true;
    return result;
}

ProcsImportResult
SampleStore::importProcsCsv(const QString &path,
                            const std::function<qint64(const ProcessSample &)> &seriesLookup,
                            const ProgressFn &progress)
{
    ProcsImportResult result;
    sqlite3 *db = d->connection();
    QFile file(path);
    const std::optional<SourceCheck> started = startSourceImport(db, file, result);
    if (!started)
        return result;
    const SourceCheck &check = *started;
    ProcsCsvResult parsed = readProcsCsv(file, progress);
    result.skippedRows = parsed.skippedRows;
    result.warnings = parsed.skipped;
    if (parsed.canceled) {
        result.canceled = true;
        return result;
    }
    if (!parsed.error.isEmpty()) {
        result.error = parsed.error;
        return result;
    }

    SqliteTransaction scope(db, "oomscope_samples");
    if (!scope.begin(&result.error))
        return result;
    QString error;
    result.sourceId =
        insertSource(db, path, check, qint64(parsed.rows.size()), "procs", parsed.skipped, &error);
    auto fail = [&](const QString &message) {
        scope.rollback();
        result.error = message;
        result.rowsAdded = 0;
        return result;
    };
    if (!result.sourceId)
        return fail(error);
    // Consecutive rows of one series go in one call (one savepoint), not one per row.
    const std::span<const ProcessSample> rows(parsed.rows);
    std::size_t runStart = 0;
    qint64 runSeries = 0;
    auto flushRun = [&](std::size_t end) {
        if (runSeries > 0 && end > runStart) {
            if (!appendProcesses(runSeries, rows.subspan(runStart, end - runStart), &error))
                return false;
            result.rowsAdded += qint64(end - runStart);
        }
        return true;
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const qint64 seriesId = seriesLookup ? std::max<qint64>(0, seriesLookup(rows[i])) : 0;
        if (seriesId != runSeries) {
            if (!flushRun(i))
                return fail(error);
            runStart = i;
            runSeries = seriesId;
        }
        if (seriesId == 0)
            ++result.rowsUnplaced;
    }
    if (!flushRun(rows.size()))
        return fail(error);
    if (!scope.commit(&error))
        return fail(u"cannot commit the import: "_s + error);
    result.ok = true;
    return result;
}

} // namespace oomscope
