// SPDX-License-Identifier: GPL-3.0-or-later
// Sample queries: raw samples and process samples over a time range, the stored levels of
// detail, and the envelope a chart asks for.
#include "samplestore.h"
#include "samplestoreprivate.h"
#include "samplethinner.h"

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

using namespace samplelevels;

bool SampleStore::Private::readRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi,
                                     chunk::ColumnBlock &out,
                                     const std::function<void(chunk::ColumnBlock &)> &drain) const
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
        if (drain)
            drain(out);
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

SampleStore::Thinned SampleStore::thinnedSamples(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs,
                                                 qint64 maxSamples) const
{
    Thinned out;
    if (!d->connection() || fromMs > toMs)
        return out;
    out.rawCount = levelCount(seriesId, 0, fromMs, toMs);
    if (out.rawCount <= maxSamples) {
        out.samples = samples(seriesId, fromMs, toMs);
        return out;
    }
    SampleThinner thinner(fromMs, toMs, std::size_t(std::max<qint64>(0, maxSamples)));
    out.bucketMs = thinner.bucketMs();
    chunk::ColumnBlock block(RawColumnCount);
    d->readRange(seriesId, 0, fromMs, toMs, block, [&](chunk::ColumnBlock &read) {
        for (std::size_t i = 0; i < read.size(); ++i)
            thinner.add(sampleOf(read, i));
        read.clear();
    });
    out.samples = thinner.take();
    return out;
}

std::vector<ProcessSample> SampleStore::processSamples(qint64 seriesId, std::int64_t fromMs,
                                                       std::int64_t toMs,
                                                       std::optional<qint64> maxReadings) const
{
    std::vector<ProcessSample> out;
    sqlite3 *db = d->connection();
    SqliteStatement s;
    // Thinned: the first reading of each equal time bucket (a reading alone in its bucket stays).
    const QByteArray times = maxReadings
        ? "time_ms IN (SELECT MIN(time_ms) FROM process_samples WHERE series_id = ?1 AND time_ms BETWEEN ?2 "
          "AND ?3 GROUP BY (time_ms - ?2) / ?4)"
        : "time_ms BETWEEN ?2 AND ?3";
    if (!db || fromMs > toMs
        || !s.prepare(db,
                      "SELECT time_ms, pid, comm, cgroup, rss_kb, rss_anon_kb, rss_file_kb, "
                      "rss_shmem_kb, swap_kb, pgtables_kb, oom_score_adj, boottime_s "
                      "FROM process_samples WHERE series_id = ?1 AND "
                          + times + " ORDER BY time_ms, rowid"))
        return out;
    s.bind(1, std::int64_t(seriesId));
    s.bind(2, fromMs);
    s.bind(3, toMs);
    if (maxReadings) {
        const std::int64_t buckets = std::max<qint64>(1, *maxReadings);
        s.bind(4, std::max<std::int64_t>(1, (toMs - fromMs + buckets) / buckets)); // ceil(span / buckets)
    }
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

} // namespace oomscope
