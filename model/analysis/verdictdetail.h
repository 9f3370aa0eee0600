// SPDX-License-Identifier: GPL-3.0-or-later
// Internals of classify() (verdict.h) shared by its files: the thresholds of the method, one
// usable sample, the robust statistics (Theil–Sen line, decimation, rolling minimum, noise) and
// the judgement of one incarnation (verdictsegment.cpp). Not an API for other folders.
#pragma once

#include "verdict.h"

#include <span>

namespace oomscope::verdict_detail {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr int kMaxBuckets = 240;

// Thresholds of the method (documented in verdict.h; change both together).
constexpr double kMinR2 = 0.6;
constexpr double kMinFloorR2 = 0.8;
constexpr double kSustainedShare = 0.3;
constexpr double kSpikeJumpShare = 0.25;
constexpr double kSpikeBaselineShare = 0.6;
constexpr double kNearLimit = 0.9;
constexpr double kPlateauShare = 0.85;
constexpr double kComfortShare = 0.8;
constexpr double kInferKillShare = 0.98;

// One usable sample, in doubles: the analysis is statistics, not accounting.
struct Pt {
    qint64 ms = 0;
    double usage = 0;
    double demand = 0; // unreclaimable, or its stand-in
    double ws = 0;
    std::int64_t failcnt = MemorySample::kUnknown;
    std::int64_t oomKill = MemorySample::kUnknown;
};

// Round a limit up to a step people would write in a manifest (8 MiB under 256 MiB, 32 MiB under
// 2 GiB, then 128 MiB).
std::int64_t roundUpLimit(double bytes);

double quantileSorted(const std::vector<double> &sorted, double q);
double quantile(std::vector<double> v, double q);
double median(std::vector<double> v);

struct Line {
    bool valid = false;
    double slope = 0; // bytes per second
    double intercept = 0; // bytes at t = 0 (the incarnation's first sample)
    double r2 = 0;
};

// Theil–Sen: median of pairwise slopes, intercept the median of y - slope * t.
Line theilSen(const std::vector<double> &t, const std::vector<double> &y);
// Median per time bucket (at most kMaxBuckets), t in seconds since t0Ms.
void decimate(std::span<const Pt> pts, const std::vector<double> &values, qint64 t0Ms,
              std::vector<double> &tOut, std::vector<double> &yOut);
// Trailing minimum of demand over windowMs, by time.
std::vector<double> rollingMin(std::span<const Pt> pts, qint64 windowMs);
// Robust sigma of the residuals of values around the line.
double robustNoise(std::span<const Pt> pts, const std::vector<double> &values, const Line &line, qint64 t0Ms);

// What every incarnation is judged against.
struct Context {
    const ClassifyOptions &options;
    std::optional<double> limit;
    qint64 gapMs = 0;
    std::span<const ProcessSample> processes; // the cgroup's per-process rows (may be empty)
};

inline bool isGap(const Context &ctx, const Pt &a, const Pt &b)
{
    return b.ms - a.ms > ctx.gapMs;
}

// One incarnation judged on its own, with the lines and levels the verdict reports.
struct SegmentResult {
    Verdict::Segment seg;
    Line raw;
    Line floor;
    bool useFloor = false;
    double noise = 0;
    double rise = 0;
    std::optional<double> plateauShare;
    qint64 firstMs = 0; // after the idle lead-in
    std::optional<Region> region;
};

SegmentResult analyseSegment(const Context &ctx, std::span<const Pt> all, bool killed);

} // namespace oomscope::verdict_detail
