// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: the layout of stored samples — raw chunk columns, the buckets of the
// stored levels of detail and how they merge — and the write-side state of one series. Shared
// by the sample writes (samplewrite.cpp) and queries (samplequery.cpp); see samplestore.cpp for
// the design.
#pragma once

#include "memorysample.h"
#include "samplechunk.h"
#include "samplestore.h"
#include "sqlitestatement.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace oomscope::samplelevels {

inline constexpr std::array<std::int64_t, 5> kLevelWidthsMs {10'000, 60'000, 600'000, 3'600'000, 86'400'000};
inline constexpr int kLevels = int(kLevelWidthsMs.size());
inline constexpr std::int64_t kUnknown = MemorySample::kUnknown;

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
    RawPeak, // added later: older chunks have no such column (read as unknown)
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
    BMaxPeak, // added later, as RawPeak
    BucketColumnCount
};

inline constexpr std::array<std::vector<std::int64_t> SampleEnvelope::*, BucketColumnCount> kEnvelopeColumns {
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
    &SampleEnvelope::maxPeakBytes,
};

using Bucket = std::array<std::int64_t, BucketColumnCount>;

inline int columnCountOf(int level)
{
    return level == 0 ? int(RawColumnCount) : int(BucketColumnCount);
}

inline std::size_t chunkCapacityOf(int level)
{
    return level == 0 ? std::size_t(SampleStore::kRawChunkSamples)
                      : std::size_t(SampleStore::kLevelChunkBuckets);
}

inline std::int64_t alignDown(std::int64_t t, std::int64_t width)
{
    // Within one width of INT64_MIN the multiple below is not representable: round toward zero
    // there instead of overflowing (only absurd timestamps from a file or a node get here).
    if (t < std::numeric_limits<std::int64_t>::min() + width)
        return t - t % width;
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
    acc[BMaxPeak] = std::max(acc[BMaxPeak], later[BMaxPeak]);
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
                   s.oomKillCount,
                   std::max(s.peakBytes, s.usageBytes)};
}

inline Bucket rowOf(const chunk::RowBlock &block, std::size_t row)
{
    Bucket b {};
    std::copy_n(block.values.begin() + std::ptrdiff_t(row * block.width), BucketColumnCount, b.begin());
    return b;
}

inline std::array<std::int64_t, RawColumnCount> rawRowOf(const MemorySample &s)
{
    return {s.timestampMs,     s.usageBytes,
            s.limitBytes,      s.highBytes,
            s.anonBytes,       s.fileBytes,
            s.activeFileBytes, s.inactiveFileBytes,
            s.shmemBytes,      s.kernelBytes,
            s.swapBytes,       s.failcnt,
            s.oomKillCount,    std::bit_cast<std::int64_t>(s.boottimeSeconds),
            s.peakBytes};
}

inline MemorySample sampleOf(const chunk::ColumnBlock &b, std::size_t i)
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
    s.peakBytes = b.columns[RawPeak][i];
    return s;
}

inline std::span<const char> blobOf(const SqliteStatement &s, int col)
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(s.get(), col));
    return {data, std::size_t(sqlite3_column_bytes(s.get(), col))};
}

// Write-side state of one series: where the last chunk of every level stands and the open
// buckets. A level's last chunk (its "tail") is not kept here: what is stored of it is known by
// its row count and last row, and what changed since (its last row replaced, rows added) is
// spliced onto the stored blob when it is written. So a series holds the same few hundred bytes
// however long it is appended to; keeping the tails decoded grew 168 bytes per bucket up to
// 256 buckets per level (43 KB per level and series, reached after 43 min at level 1, 4 h at
// level 2, ...).
struct SeriesState {
    struct Level {
        static constexpr std::size_t kPendingKept = 4;
        std::int64_t tailSeq = 0; // seq of the row that holds (or will hold) the tail
        bool dirty = false;
        // Levels 1…: the tail as stored (at seq tailSeq) and as changed since.
        std::size_t storedRows = 0;
        Bucket storedLast {}; // the stored tail's last row
        std::int64_t storedFirstMs = 0; // its first row's time
        bool dropStored = false; // the stored last row is replaced by pending's first
        chunk::RowBlock pending {BucketColumnCount}; // rows after the stored ones kept

        std::size_t rows() const { return storedRows - (dropStored ? 1 : 0) + pending.size(); }
        bool empty() const { return rows() == 0; }
        Bucket last() const { return pending.empty() ? storedLast : rowOf(pending, pending.size() - 1); }
        std::int64_t firstMs() const
        {
            return storedRows > (dropStored ? 1U : 0U) ? storedFirstMs : pending.at(0, BTime);
        }
        void push(const Bucket &row)
        {
            if (pending.values.capacity() == 0) // room for what a live append adds, kept
                pending.values.reserve(kPendingKept * std::size_t(BucketColumnCount));
            pending.push(row);
            dirty = true;
        }
        void replaceLast(const Bucket &row)
        {
            if (pending.empty()) {
                dropStored = true;
                push(row);
            } else {
                pending.setRow(pending.size() - 1, row);
            }
            dirty = true;
        }
        // What was written is now the stored tail.
        void stored()
        {
            storedFirstMs = firstMs();
            storedLast = last();
            storedRows = rows();
            dropStored = false;
            pending.clear();
            // A bulk append leaves up to a chunk of pending rows: not kept for the next, live,
            // appends, which add a row or two.
            if (pending.values.capacity() > kPendingKept * std::size_t(BucketColumnCount))
                std::vector<std::int64_t>().swap(pending.values);
            dirty = false;
        }
        // The next chunk, empty.
        void next()
        {
            ++tailSeq;
            storedRows = 0;
            dropStored = false;
            pending.clear();
        }
        // Bytes held beyond the struct itself.
        std::size_t heldBytes() const { return pending.values.capacity() * sizeof(std::int64_t); }
    };
    // levels[0] holds the raw chunk's seq and dirty flag; its records are in raw, encoded as
    // they come (they are never read back, where the last bucket of a level is rewritten).
    std::array<Level, kLevels + 1> levels;
    chunk::ChunkBuilder raw {RawColumnCount, std::size_t(SampleStore::kRawChunkSamples)};
    // open[i]: the open bucket of level i + 1, made of the closed buckets of level i (for i = 0:
    // the samples) — without the still open finer bucket, which flush() merges in.
    std::array<Bucket, kLevels> open {};
    std::array<bool, kLevels> hasOpen {};
    // The tail's last row of level i + 1 is the stored view of open[i] (to be overwritten).
    std::array<bool, kLevels> viewInTail {};
    std::int64_t lastMs = 0;
    qint64 count = 0;
};

} // namespace oomscope::samplelevels
