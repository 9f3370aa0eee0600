// SPDX-License-Identifier: GPL-3.0-or-later
// Value types for memory samples over time: one cgroup reading and one process reading, as the
// sampler, recordings (CSV), storage and charts exchange them.
#pragma once

#include <QString>

#include <cmath>
#include <cstdint>
#include <limits>

namespace oomscope {

// One reading of one cgroup. All memory in bytes; kUnknown where the source did not say.
// Plain integers (not std::optional) so that millions of samples stay compact and copyable.
struct MemorySample {
    static constexpr std::int64_t kUnknown = -1;
    // A limit that is not set ("max", or v1's PAGE_COUNTER_MAX).
    static constexpr std::int64_t kUnlimited = std::numeric_limits<std::int64_t>::max();

    std::int64_t timestampMs = 0; // wall clock, ms since the Unix epoch (UTC)
    std::int64_t usageBytes = kUnknown; // memory.usage_in_bytes / memory.current
    std::int64_t limitBytes = kUnknown; // effective limit: smallest on the path to the root
    std::int64_t highBytes = kUnknown; // v2 memory.high
    std::int64_t anonBytes = kUnknown; // v1 total_rss / v2 anon
    std::int64_t fileBytes = kUnknown; // v1 total_cache / v2 file (both include shmem)
    std::int64_t activeFileBytes = kUnknown;
    std::int64_t inactiveFileBytes = kUnknown;
    std::int64_t shmemBytes = kUnknown;
    std::int64_t kernelBytes = kUnknown; // v2 kernel (or slab + stacks + page tables)
    std::int64_t swapBytes = kUnknown;
    std::int64_t failcnt = kUnknown; // v1 memory.failcnt / v2 memory.events max
    std::int64_t oomKillCount = kUnknown; // v1 memory.oom_control oom_kill / v2 memory.events oom_kill
    double boottimeSeconds = std::nan(""); // CLOCK_BOOTTIME at the sample: aligns dmesg time
    // The highest usage since the previous sample (v2 memory.peak, v1 memory.max_usage_in_bytes):
    // what a spike between two samples reached. See PeakTracker for how exact it is.
    std::int64_t peakBytes = kUnknown;

    static bool known(std::int64_t v) { return v != kUnknown; }
    bool hasBoottime() const { return !std::isnan(boottimeSeconds); }
    // cAdvisor/kubelet working set: usage - inactive_file, never below zero.
    std::int64_t workingSetBytes() const
    {
        if (!known(usageBytes))
            return kUnknown;
        if (!known(inactiveFileBytes))
            return usageBytes;
        return usageBytes > inactiveFileBytes ? usageBytes - inactiveFileBytes : 0;
    }
    // Memory that reclaim cannot free without swap: anon + shmem (shmem counts as "cache" in
    // memory.stat, yet tmpfs pages cannot be dropped) + kernel.
    std::int64_t unreclaimableBytes() const
    {
        if (!known(anonBytes))
            return kUnknown;
        return anonBytes + (known(shmemBytes) ? shmemBytes : 0) + (known(kernelBytes) ? kernelBytes : 0);
    }
};

// One reading of one process in a cgroup (for the predicted-victim ranking).
struct ProcessSample {
    std::int64_t timestampMs = 0;
    std::int64_t pid = 0;
    QString comm;
    QString cgroup; // empty when the source did not say
    std::int64_t rssKb = MemorySample::kUnknown; // total, when only that is known
    std::int64_t rssAnonKb = MemorySample::kUnknown;
    std::int64_t rssFileKb = MemorySample::kUnknown;
    std::int64_t rssShmemKb = MemorySample::kUnknown;
    std::int64_t swapKb = MemorySample::kUnknown;
    std::int64_t pgtablesKb = MemorySample::kUnknown;
    int oomScoreAdj = 0;
    double boottimeSeconds = std::nan("");

    std::int64_t totalRssKb() const
    {
        if (MemorySample::known(rssKb))
            return rssKb;
        std::int64_t sum = 0;
        bool any = false;
        for (std::int64_t v : {rssAnonKb, rssFileKb, rssShmemKb}) {
            if (MemorySample::known(v)) {
                sum += v;
                any = true;
            }
        }
        return any ? sum : MemorySample::kUnknown;
    }
};

} // namespace oomscope
