// SPDX-License-Identifier: GPL-3.0-or-later
// Replays a recording against candidate limits: how many kills each would have caused and when
// the first, from the recorded demand.
//
// What is assumed. Demand is the memory reclaim cannot free — anon + shmem + kernel, else the
// working set, else usage (the verdict's stand-ins, verdict.h). The kernel reclaims all file cache
// before it kills, so a limit kills when demand would exceed it, and only then. One kill per
// excursion: demand rising above the limit is one kill; the next counts only once demand has been
// back under the limit (a restarted workload climbing again). What the workload would have done
// after a kill that did not happen in the recording is not modelled: the recorded demand is
// replayed as it is. A recording that had kills never showed demand above its own limit, so for
// candidates at or above 98 % of it the count is censored (a lower bound: "no kill seen", not "no
// kill").
//
// Recommendation: the smallest candidate with no kill that is not censored, plus headroom (20 %),
// rounded up as the verdict's advice is (8 MiB steps under 256 MiB, 32 MiB under 2 GiB, then
// 128 MiB). None when every kill-free candidate is censored.
#pragma once

#include "memorysample.h"

#include <QJsonObject>

#include <optional>
#include <span>
#include <vector>

namespace oomscope {

struct ReplayedLimit {
    std::int64_t limitBytes = 0;
    int kills = 0;
    std::optional<qint64> firstKillMs; // epoch ms of the first excursion above it
    bool censored = false; // at or above the recorded limit of a recording with kills
};

struct LimitReplay {
    std::vector<ReplayedLimit> limits; // ascending
    std::int64_t peakDemandBytes = 0;
    std::optional<std::int64_t> recordedLimitBytes;
    int recordedKills = 0;
    std::optional<std::int64_t> smallestWithoutKillBytes;
    std::optional<std::int64_t> recommendedLimitBytes;
    double headroom = 0.20;
};

// 48 candidates from a quarter of the peak demand up to 1.5 x max(peak demand, recorded limit),
// in whole MiB, ascending, without duplicates.
std::vector<std::int64_t> candidateLimits(std::int64_t peakDemandBytes,
                                          std::optional<std::int64_t> recordedLimitBytes, int count = 48);

// demand: (epoch ms, bytes) in time order. recordedKills: kills the recording had (censoring).
LimitReplay replayDemand(std::span<const std::pair<qint64, double>> demand,
                         std::span<const std::int64_t> candidates,
                         std::optional<std::int64_t> recordedLimitBytes, int recordedKills,
                         double headroom = 0.20);

// JSON: {peak_demand_bytes, recorded_limit_bytes, recorded_kills, smallest_without_kill_bytes,
// recommended_limit_bytes, headroom, limits: [{limit_bytes, kills, first_kill_ms, censored}]}.
QJsonObject limitReplayToJson(const LimitReplay &replay);

} // namespace oomscope
