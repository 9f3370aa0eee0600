// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplethinner.h"

#include <algorithm>

namespace oomscope {

namespace {

// The verdict's demand (verdict.cpp's chooseDemandSource), per sample: a bucket's extremes of it.
std::int64_t demandOf(const MemorySample &s)
{
    const std::int64_t unreclaimable = s.unreclaimableBytes();
    return MemorySample::known(unreclaimable) ? unreclaimable : s.workingSetBytes();
}

} // namespace

SampleThinner::SampleThinner(std::int64_t fromMs, std::int64_t toMs, std::size_t maxSamples)
    : m_fromMs(fromMs)
    , m_toMs(std::max(fromMs, toMs))
{
    // The first and the last bucket may keep one more each: the range's first and last samples.
    const auto buckets =
        std::int64_t(std::max<std::size_t>(1, (std::max<std::size_t>(maxSamples, 2) - 2) / kKeptPerBucket));
    const std::int64_t span = m_toMs - m_fromMs + 1;
    m_bucketMs = std::max<std::int64_t>(1, (span + buckets - 1) / buckets);
}

void SampleThinner::add(const MemorySample &s)
{
    if (s.timestampMs < m_fromMs || s.timestampMs > m_toMs)
        return;
    const std::int64_t bucket = (s.timestampMs - m_fromMs) / m_bucketMs;
    const std::uint64_t ordinal = m_added++;
    if (bucket != m_bucket) {
        closeBucket(false);
        m_bucket = bucket;
        m_candidates.fill(s);
        m_ordinals.fill(ordinal);
        return;
    }
    const auto replace = [&](Candidate c) {
        m_candidates[c] = s;
        m_ordinals[c] = ordinal;
    };
    // An unknown value loses to any known one; ties keep the earlier sample.
    const auto lower = [](std::int64_t v, std::int64_t than) {
        return MemorySample::known(v) && (!MemorySample::known(than) || v < than);
    };
    const auto higher = [](std::int64_t v, std::int64_t than) {
        return MemorySample::known(v) && (!MemorySample::known(than) || v > than);
    };
    const std::int64_t demand = demandOf(s);
    if (lower(demand, demandOf(m_candidates[Lowest])))
        replace(Lowest);
    if (higher(demand, demandOf(m_candidates[Highest])))
        replace(Highest);
    if (higher(s.usageBytes, m_candidates[Fullest].usageBytes))
        replace(Fullest);
    replace(Last);
}

void SampleThinner::closeBucket(bool rangeEnds)
{
    if (m_bucket < 0)
        return;
    std::vector<Candidate> keep {Lowest, Highest, Fullest};
    if (m_ordinals[First] == 0) // the range's first sample
        keep.push_back(First);
    if (rangeEnds)
        keep.push_back(Last);
    std::sort(keep.begin(), keep.end(),
              [&](Candidate a, Candidate b) { return m_ordinals[a] < m_ordinals[b]; });
    for (std::size_t i = 0; i < keep.size(); ++i) {
        if (i == 0 || m_ordinals[keep[i]] != m_ordinals[keep[i - 1]]) // a sample that is two candidates: once
            m_kept.push_back(m_candidates[keep[i]]);
    }
    m_bucket = -1;
}

std::vector<MemorySample> SampleThinner::take()
{
    closeBucket(true);
    std::vector<MemorySample> out;
    out.swap(m_kept);
    m_added = 0;
    return out;
}

} // namespace oomscope
