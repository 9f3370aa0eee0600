// SPDX-License-Identifier: GPL-3.0-or-later
// Which processes the growth of a cgroup's unreclaimable memory comes from, from per-process
// samples (oomscope-cli --procs, the sampler's process rows).
//
// What is measured. Per process, unreclaimable memory = rss_anon + rss_shmem (rss_kb when the
// split is absent): what reclaim cannot take back, as the cgroup's anon + shmem.
//
// Joining. A pid is one series (a pid reused by another comm is another). A pid whose first sample comes
// after the last sample of an earlier pid with the same comm continues that pid's chain (a restart, or a
// worker replaced by its supervisor); pids of one comm that run at the same time stay apart, so that one
// leaking worker among several is still told apart. A chain is reported under its latest pid, with all its
// pids listed.
//
// Slope. Each pid's series is reduced to at most 120 time buckets (median of each) and a
// Theil–Sen line is fitted (verdict.h's statistics); a chain's slope is the duration-weighted
// mean of its pids' slopes, its R² likewise, its growth the sum of slope x duration over its
// pids (a restart's drop is not growth lost: each run grew on its own). share_of_growth is a
// chain's positive growth over the sum of all chains' positive growth.
//
// One leaking process (findProcessLeak): the largest grower has R² >= 0.8, grows by at least
// max(4 MiB, 3 % of the limit), takes >= 75 % of the positive growth, keeps growing in the
// second half of its run (>= 30 % of its slope there: no plateau) over >= 5 s and 6 samples,
// while at least one other process holds (runs over the same stretch and together they grow by
// at most a third of the leader's growth). However fast it fills the limit, that is a leak in
// that process. A single process alone is not judged here: its climb may be its startup.
#pragma once

#include "memorysample.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <limits>
#include <optional>
#include <span>
#include <vector>

namespace oomscope {

struct ProcessGrowth {
    std::int64_t pid = 0; // the chain's latest pid
    std::vector<std::int64_t> pids; // every pid of the chain, oldest first
    QString comm;
    double slopeBytesPerS = 0;
    double shareOfGrowth = 0; // 0..1 of the positive growth of all chains
    double r2 = 0;
    double growthBytes = 0; // sum over its pids of slope x duration
    std::int64_t startKb = 0; // first sample of the chain
    std::int64_t endKb = 0; // last sample of the chain
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    int samples = 0;
    double secondHalfSlopeBytesPerS = 0; // of its latest pid's run
    // Its unreclaimable memory for drawing: the bucket medians of every pid (epoch ms, bytes),
    // at most 120 per pid, in time order.
    std::vector<std::pair<qint64, double>> curve;
};

struct GrowthAttribution {
    std::vector<ProcessGrowth> processes; // largest growth first
    double totalPositiveGrowthBytes = 0;
};

// Per-process rows of one cgroup (any order); rows outside [fromMs, toMs] are ignored.
GrowthAttribution attributeGrowth(std::span<const ProcessSample> rows,
                                  qint64 fromMs = std::numeric_limits<qint64>::min(),
                                  qint64 toMs = std::numeric_limits<qint64>::max());

// The one process growing steadily while the others hold (rule above), as an index into
// attribution.processes; limitBytes <= 0 when unknown.
std::optional<std::size_t> findProcessLeak(const GrowthAttribution &attribution, double limitBytes);

// Unreclaimable kB of one process row (rss_anon + rss_shmem, else rss), kUnknown when unknown.
std::int64_t processDemandKb(const ProcessSample &row);

// JSON: {pid, pids, comm, slope_mib_per_h, share_of_growth, r2, start_kb, end_kb, samples}; the
// array in attribution order (largest growth first).
QJsonObject growthEntryToJson(const ProcessGrowth &growth);
QJsonArray growthToJson(const GrowthAttribution &attribution);

} // namespace oomscope
