// SPDX-License-Identifier: GPL-3.0-or-later
// Fewer samples with the same shape, for judging a range too long to hold raw.
//
// The range is cut into equal time buckets; each bucket keeps, in time order, its samples of lowest
// and highest demand (unreclaimable memory, else the working set, else usage: what the verdict
// judges) and of highest usage (how close to the limit it came); and the range's first and last
// samples are kept. So the duration, the trend, plateaus at the limit, spikes, the drop at a kill
// and the newest reading survive, and every sample kept is a real reading with all its fields; a
// gap in the recording stays a run of empty buckets. Fed in time order one sample at a time (a
// store reads chunk by chunk): its memory is bounded by the bucket count, not by the range.
#pragma once

#include "memorysample.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace oomscope {

class SampleThinner
{
public:
    static constexpr std::size_t kKeptPerBucket = 3;

    // Buckets of equal width over [fromMs, toMs], as many as maxSamples allows (at least one).
    SampleThinner(std::int64_t fromMs, std::int64_t toMs, std::size_t maxSamples);

    std::int64_t bucketMs() const { return m_bucketMs; }
    // Samples outside [fromMs, toMs] are ignored; times must not go back.
    void add(const MemorySample &s);
    // The kept samples, in time order (the open bucket closed); the thinner starts over empty.
    std::vector<MemorySample> take();

private:
    // The open bucket's candidates, with the order in which each was added (one sample may be
    // several candidates).
    enum Candidate { Lowest, Highest, Fullest, First, Last, CandidateCount };
    void closeBucket(bool rangeEnds);

    std::int64_t m_fromMs;
    std::int64_t m_toMs;
    std::int64_t m_bucketMs;
    std::int64_t m_bucket = -1; // index of the open bucket, -1: none
    std::array<MemorySample, CandidateCount> m_candidates;
    std::array<std::uint64_t, CandidateCount> m_ordinals {};
    std::uint64_t m_added = 0;
    std::vector<MemorySample> m_kept;
};

} // namespace oomscope
