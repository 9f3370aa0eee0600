// SPDX-License-Identifier: GPL-3.0-or-later
// One incarnation judged on its own, rule by rule in the order verdict.h documents (2 – 6);
// each rule returns its finding with the numbers behind it, never a sentence.
#include "verdictdetail.h"

#include <algorithm>
#include <cmath>

namespace oomscope::verdict_detail {

namespace {

using Kind = Verdict::Kind;
using Rule = SegmentFinding::Rule;

void decide(SegmentResult &r, Kind kind, double confidence, const SegmentFinding &finding)
{
    r.seg.kind = kind;
    r.seg.confidence = confidence;
    r.seg.finding = finding;
}

SegmentFinding finding(Rule rule)
{
    SegmentFinding f;
    f.rule = rule;
    return f;
}

// The lines fitted to one incarnation: demand itself and its rolling floor.
struct Trend {
    double durS = 0;
    double level = 0; // median demand
    std::vector<double> demand; // per sample
    std::vector<double> t; // decimated demand
    std::vector<double> y;
    std::vector<double> ft; // decimated floor, once a whole window lies behind it
    std::vector<double> fy;
    double floorNoise = 0;
};

Trend fitTrend(SegmentResult &r, std::span<const Pt> pts, double durS)
{
    Trend tr;
    tr.durS = durS;
    const qint64 t0 = pts.front().ms;
    tr.demand.resize(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i)
        tr.demand[i] = pts[i].demand;
    decimate(pts, tr.demand, t0, tr.t, tr.y);
    r.raw = theilSen(tr.t, tr.y);
    r.noise = robustNoise(pts, tr.demand, r.raw, t0);

    const qint64 windowMs = std::max<qint64>(1, (pts.back().ms - pts.front().ms) / 8);
    // The trailing minimum is only a floor once a whole window lies behind it; before that it
    // sees fewer samples and sits too high, which would tilt the floor line down.
    std::size_t full = 0;
    while (full + 1 < pts.size() && pts[full].ms < pts.front().ms + windowMs)
        ++full;
    const std::span<const Pt> floorPts = pts.subspan(full);
    const std::vector<double> floorAll = rollingMin(pts, windowMs);
    const std::vector<double> floorValues(floorAll.begin() + std::ptrdiff_t(full), floorAll.end());
    decimate(floorPts, floorValues, t0, tr.ft, tr.fy);
    r.floor = theilSen(tr.ft, tr.fy);
    tr.floorNoise = robustNoise(floorPts, floorValues, r.floor, t0);
    tr.level = median(tr.demand);
    return tr;
}

double secondHalfSlope(const std::vector<double> &tt, const std::vector<double> &yy, double durS)
{
    const double mid = durS / 2.0;
    std::vector<double> t2;
    std::vector<double> y2;
    for (std::size_t i = 0; i < tt.size(); ++i)
        if (tt[i] >= mid) {
            t2.push_back(tt[i]);
            y2.push_back(yy[i]);
        }
    return theilSen(t2, y2).slope;
}

bool growing(const Context &ctx, const Trend &tr, const Line &line, double noise,
             const std::vector<double> &tt, const std::vector<double> &yy, double minR2)
{
    const double rise = line.slope * tr.durS;
    const double minRise = std::max({4.0 * noise, 0.05 * tr.level, kMiB});
    return line.valid && line.slope > 0 && line.r2 >= minR2 && rise >= minRise
        && tr.durS >= ctx.options.minLeakDurationS
        && secondHalfSlope(tt, yy, tr.durS) >= kSustainedShare * line.slope;
}

std::int64_t failcntRise(std::span<const Pt> pts)
{
    std::int64_t firstF = MemorySample::kUnknown;
    std::int64_t lastF = MemorySample::kUnknown;
    for (const Pt &p : pts)
        if (MemorySample::known(p.failcnt)) {
            if (!MemorySample::known(firstF))
                firstF = p.failcnt;
            lastF = p.failcnt;
        }
    return MemorySample::known(firstF) ? lastF - firstF : 0;
}

// A short recording that is plainly page cache: usage at the limit, made of reclaimable cache,
// failcnt rising, no kill.
bool briefPageCache(SegmentFinding &f, std::span<const Pt> pts, double limit, double durS)
{
    if (pts.size() < 5 || durS < 3)
        return false;
    std::vector<double> shares;
    double peakDemand = 0;
    for (const Pt &p : pts) {
        peakDemand = std::max(peakDemand, p.demand);
        if (p.usage >= kNearLimit * limit && p.usage > 0)
            shares.push_back(std::max(0.0, p.usage - p.demand) / p.usage);
    }
    const std::int64_t rise = failcntRise(pts);
    if (shares.size() < 2 || rise <= 0 || peakDemand >= kComfortShare * limit)
        return false;
    const double share = median(shares);
    if (share < 0.9)
        return false;
    f.rule = Rule::PageCacheBrief;
    f.share = share;
    f.failcntRise = rise;
    return true;
}

// 1. Too little to judge — unless it was killed during its startup, or is plainly page cache.
bool judgeTooShort(SegmentResult &r, const Context &ctx, std::span<const Pt> pts, double durS,
                   double peakDemand, bool killed)
{
    const int n = int(pts.size());
    const bool enough =
        (n >= ctx.options.minSamples && durS >= ctx.options.minDurationS) || (killed && n >= 3);
    if (enough)
        return false;
    SegmentFinding f;
    f.samples = n;
    f.durationS = durS;
    if (!killed && ctx.limit && briefPageCache(f, pts, *ctx.limit, durS)) {
        decide(r, Kind::PageCache, std::clamp(0.45 + 0.03 * durS, 0.5, 0.75), f);
        return true;
    }
    if (killed && peakDemand > 0 && ctx.limit) {
        // Killed within a sample or two of starting: whatever it loads at start does not fit.
        f.rule = Rule::KilledAtStartup;
        decide(r, Kind::Undersized, 0.5, f);
    } else {
        f.rule = Rule::TooFewSamples;
        decide(r, Kind::InsufficientData, 0.1, f);
    }
    return true;
}

// 2. Leak: the line, or the sawtooth's floor, keeps rising.
bool judgeLeak(SegmentResult &r, const Context &ctx, const Trend &tr)
{
    // A rolling minimum is smooth even over pure noise, so its line must fit better to count.
    const bool rawLeak = growing(ctx, tr, r.raw, r.noise, tr.t, tr.y, kMinR2);
    const bool floorLeak = !rawLeak && growing(ctx, tr, r.floor, tr.floorNoise, tr.ft, tr.fy, kMinFloorR2);
    if (!rawLeak && !floorLeak)
        return false;
    r.useFloor = floorLeak;
    const Line &line = floorLeak ? r.floor : r.raw;
    const double noise = floorLeak ? tr.floorNoise : r.noise;
    r.rise = line.slope * tr.durS;
    const double snr = r.rise / std::max(noise, kMiB / 16);
    SegmentFinding f = finding(floorLeak ? Rule::LeakFloor : Rule::Leak);
    f.slopeBytesPerS = line.slope;
    f.r2 = line.r2;
    decide(r, Kind::Leak,
           std::clamp(0.45 + 0.35 * (line.r2 - kMinR2) / (1 - kMinR2) + 0.15 * std::min(1.0, snr / 20.0), 0.3,
                      0.95),
           f);
    r.seg.slopeMiBPerHour = line.slope * 3600.0 / kMiB;
    r.seg.r2 = line.r2;
    return true;
}

// Second-half level: what the workload settles at (plateauShare); returns whether it is flat
// there (moved < 5 % of the limit).
bool judgeSecondHalf(SegmentResult &r, std::span<const Pt> pts, const Trend &tr, double limit)
{
    std::vector<double> late;
    const qint64 mid = pts.front().ms + (pts.back().ms - pts.front().ms) / 2;
    for (const Pt &p : pts)
        if (p.ms >= mid)
            late.push_back(p.demand);
    r.plateauShare = median(std::move(late)) / limit;
    return std::abs(secondHalfSlope(tr.t, tr.y, tr.durS)) * tr.durS / 2.0 < 0.05 * limit;
}

struct Jumps {
    double best = 0;
    std::size_t from = 0;
    std::size_t to = 0;
    int large = 0; // separate jumps >= kSpikeJumpShare of the limit
};

// Jumps within one or two samples, never across a gap.
Jumps findJumps(const Context &ctx, std::span<const Pt> pts, double limit)
{
    Jumps j;
    std::size_t lastLargeEnd = 0;
    bool haveLarge = false;
    for (std::size_t i = 1; i < pts.size(); ++i) {
        double jumpHere = 0;
        for (std::size_t k = 1; k <= 2 && k <= i; ++k) {
            const std::size_t from = i - k;
            bool gap = false;
            for (std::size_t m = from; m < i; ++m)
                gap = gap || isGap(ctx, pts[m], pts[m + 1]);
            if (gap)
                continue;
            const double rise = pts[i].demand - pts[from].demand;
            jumpHere = std::max(jumpHere, rise);
            if (rise > j.best) {
                j.best = rise;
                j.from = from;
                j.to = i;
            }
        }
        if (jumpHere >= kSpikeJumpShare * limit) {
            if (!haveLarge || i > lastLargeEnd + 2)
                ++j.large;
            haveLarge = true;
            lastLargeEnd = i;
        }
    }
    return j;
}

// 3. Spike: one or two jumps from a stable, low baseline to the limit (or into a kill).
bool judgeSpike(SegmentResult &r, std::span<const Pt> pts, const Jumps &jump, double limit, bool killed)
{
    if (jump.best < kSpikeJumpShare * limit || jump.large > 2 || jump.from + 1 < 5)
        return false;
    std::vector<double> base;
    for (std::size_t i = 0; i <= jump.from; ++i)
        base.push_back(pts[i].demand);
    const double baseline = median(base);
    const double spread = quantile(base, 0.9) - quantile(base, 0.1);
    double after = 0;
    for (std::size_t i = jump.to; i < std::min(pts.size(), jump.to + 4); ++i)
        after = std::max(after, std::max(pts[i].usage, pts[i].demand));
    const bool intoKill = killed && jump.to + 4 >= pts.size();
    if (baseline > kSpikeBaselineShare * limit || spread > 0.5 * jump.best
        || (after < kNearLimit * limit && !intoKill))
        return false;
    SegmentFinding f = finding(Rule::SpikeJump);
    f.baselineBytes = baseline;
    f.share = baseline / limit;
    f.jumpBytes = jump.best;
    f.jumpS = double(pts[jump.to].ms - pts[jump.from].ms) / 1000.0;
    f.intoKill = intoKill && after < kNearLimit * limit;
    decide(r, Kind::Spike, killed ? 0.85 : 0.8, f);
    // Shade until the excursion falls back halfway.
    std::size_t end = jump.to;
    while (end + 1 < pts.size() && pts[end + 1].demand > baseline + jump.best / 2)
        ++end;
    Region region;
    region.kind = Region::Kind::Spike;
    region.startMs = pts[jump.from].ms;
    region.endMs = pts[end].ms;
    region.amount = jump.best;
    r.region = region;
    return true;
}

// A kill while no sample came near the limit: a spike faster than the sampling interval.
bool judgeUnseenSpike(SegmentResult &r, std::span<const Pt> pts, double limit, bool killed)
{
    double peakUsage = 0;
    double peakDemand = 0;
    for (const Pt &p : pts) {
        peakUsage = std::max(peakUsage, p.usage);
        peakDemand = std::max(peakDemand, p.demand);
    }
    if (!killed || peakUsage >= 0.7 * limit || peakDemand >= 0.7 * limit)
        return false;
    SegmentFinding f = finding(Rule::SpikeUnseen);
    f.peakUsageBytes = peakUsage;
    f.share = peakUsage / limit;
    decide(r, Kind::Spike, 0.5, f);
    return true;
}

struct Bursts {
    int count = 0; // separate excursions of demand to >= 90 % of the limit
    double timeHighS = 0;
};

Bursts countBursts(const Context &ctx, std::span<const Pt> pts, double limit)
{
    Bursts b;
    bool inBurst = false;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const bool high = pts[i].demand >= kNearLimit * limit;
        if (high && !inBurst)
            ++b.count;
        if (high)
            inBurst = true;
        else if (pts[i].demand < kComfortShare * limit)
            inBurst = false;
        if (high && i + 1 < pts.size() && !isGap(ctx, pts[i], pts[i + 1]))
            b.timeHighS += double(pts[i + 1].ms - pts[i].ms) / 1000.0;
    }
    return b;
}

// 4. Undersized: killed, or a plateau near the limit, or recurring bursts to it.
bool judgeUndersized(SegmentResult &r, std::span<const Pt> pts, const Bursts &bursts, bool lateFlat,
                     double durS, bool killed)
{
    const double plateau = r.plateauShare.value_or(0);
    SegmentFinding f;
    f.share = plateau;
    f.durationS = durS;
    f.bursts = bursts.count;
    if (killed) {
        if (plateau >= kPlateauShare && lateFlat) {
            f.rule = Rule::KilledAtPlateau;
            decide(r, Kind::Undersized, 0.8, f);
        } else if (bursts.count >= 2) {
            f.rule = Rule::KilledInBursts;
            decide(r, Kind::Undersized, 0.75, f);
        } else {
            f.rule = Rule::KilledDuringClimb;
            decide(r, Kind::Undersized, 0.65, f);
        }
        return true;
    }
    if (plateau >= kPlateauShare) {
        f.rule = Rule::Plateau;
        decide(r, Kind::Undersized, std::clamp(0.6 + 2.0 * (plateau - kPlateauShare), 0.6, 0.9), f);
        Region region;
        region.kind = Region::Kind::Plateau;
        region.startMs = pts.front().ms + (pts.back().ms - pts.front().ms) / 2;
        region.endMs = pts.back().ms;
        region.amount = plateau;
        r.region = region;
        return true;
    }
    if (bursts.count >= 3 || bursts.timeHighS >= 0.05 * durS) {
        f.rule = Rule::Bursts;
        decide(r, Kind::Undersized, bursts.count >= 3 ? 0.75 : 0.65, f);
        return true;
    }
    return false;
}

bool failcntRises(std::span<const Pt> pts)
{
    return failcntRise(pts) > 0;
}

// 5. Page cache: usage pinned at the limit by cache while demand stays low; else 6. fits.
void judgeCacheOrFits(SegmentResult &r, const Context &ctx, std::span<const Pt> pts, const Trend &tr,
                      double limit)
{
    double usageHighS = 0;
    double peakUsage = 0;
    for (const Pt &p : pts)
        peakUsage = std::max(peakUsage, p.usage);
    for (std::size_t i = 0; i + 1 < pts.size(); ++i)
        if (pts[i].usage >= kNearLimit * limit && !isGap(ctx, pts[i], pts[i + 1]))
            usageHighS += double(pts[i + 1].ms - pts[i].ms) / 1000.0;
    const bool failcntRising = failcntRises(pts);
    std::vector<double> demandSorted = tr.demand;
    std::sort(demandSorted.begin(), demandSorted.end());
    const double demandP99 = quantileSorted(demandSorted, 0.99);
    if ((usageHighS >= 0.05 * tr.durS || failcntRising) && peakUsage >= kNearLimit * limit
        && demandP99 < kComfortShare * limit) {
        SegmentFinding f = finding(Rule::PageCache);
        f.share = demandP99 / limit;
        decide(r, Kind::PageCache, 0.7 + (failcntRising ? 0.1 : 0.0) + (demandP99 < 0.5 * limit ? 0.1 : 0.0),
               f);
        return;
    }
    SegmentFinding f = finding(Rule::Fits);
    f.share = demandP99 / limit;
    decide(r, Kind::Fits, demandP99 < kComfortShare * limit ? 0.85 : 0.6, f);
}

// Per process: one process growing steadily while the others hold is a leak in it, whatever the
// cgroup's line said; a leak on the cgroup's line names its dominant grower.
void judgeProcesses(SegmentResult &r, const Context &ctx)
{
    if (ctx.processes.empty() || r.seg.finding.rule == Rule::None)
        return;
    const GrowthAttribution a = attributeGrowth(ctx.processes, r.seg.startMs, r.seg.endMs);
    if (a.processes.empty())
        return;
    const ProcessGrowth &top = a.processes.front();
    if (r.seg.kind == Kind::Leak) {
        if (top.shareOfGrowth >= 0.6 && top.growthBytes > 0) {
            r.seg.finding.processComm = top.comm;
            r.seg.finding.processPid = top.pid;
            r.seg.finding.processShare = top.shareOfGrowth;
        }
        return;
    }
    if (!findProcessLeak(a, ctx.limit.value_or(0)))
        return;
    SegmentFinding f = finding(Rule::ProcessLeak);
    f.slopeBytesPerS = top.slopeBytesPerS;
    f.r2 = top.r2;
    f.durationS = double(top.lastMs - top.firstMs) / 1000.0;
    f.samples = top.samples;
    f.processComm = top.comm;
    f.processPid = top.pid;
    f.processShare = top.shareOfGrowth;
    const double confidence = std::clamp(0.5 + 1.0 * (top.r2 - 0.8) + 0.2 * (top.shareOfGrowth - 0.75) / 0.25
                                             + (r.seg.endedByKill ? 0.05 : 0.0),
                                         0.5, 0.9);
    decide(r, Kind::Leak, confidence, f);
    r.seg.slopeMiBPerHour = top.slopeBytesPerS * 3600.0 / kMiB;
    r.seg.r2 = top.r2;
    r.useFloor = false;
    r.region.reset();
}

SegmentResult analyseSegmentAlone(const Context &ctx, std::span<const Pt> all, bool killed);

} // namespace

SegmentResult analyseSegment(const Context &ctx, std::span<const Pt> all, bool killed)
{
    SegmentResult r = analyseSegmentAlone(ctx, all, killed);
    judgeProcesses(r, ctx);
    return r;
}

namespace {

SegmentResult analyseSegmentAlone(const Context &ctx, std::span<const Pt> all, bool killed)
{
    SegmentResult r;
    r.seg.endedByKill = killed;
    if (all.empty())
        return r;
    r.seg.startMs = all.front().ms;
    r.seg.endMs = all.back().ms;

    // Skip the lead-in before the workload runs (after a kill, before the restart).
    double peakDemand = 0;
    for (const Pt &p : all)
        peakDemand = std::max(peakDemand, p.demand);
    std::size_t first = 0;
    if (peakDemand > 0)
        while (first + 1 < all.size() && all[first].demand < 0.02 * peakDemand)
            ++first;
    const std::span<const Pt> pts = all.subspan(first);
    r.firstMs = pts.front().ms;
    r.seg.sampleCount = int(pts.size());
    const double durS = double(pts.back().ms - pts.front().ms) / 1000.0;
    if (judgeTooShort(r, ctx, pts, durS, peakDemand, killed))
        return r;

    const Trend tr = fitTrend(r, pts, durS);
    if (judgeLeak(r, ctx, tr))
        return r;
    r.seg.slopeMiBPerHour = r.raw.slope * 3600.0 / kMiB;
    r.seg.r2 = r.raw.r2;
    r.rise = r.raw.slope * durS;
    if (!ctx.limit) {
        decide(r, Kind::Fits, 0.5, finding(Rule::NoLimitNoGrowth));
        return r;
    }
    const double limit = *ctx.limit;
    const bool lateFlat = judgeSecondHalf(r, pts, tr, limit);
    if (judgeSpike(r, pts, findJumps(ctx, pts, limit), limit, killed)
        || judgeUnseenSpike(r, pts, limit, killed))
        return r;
    if (judgeUndersized(r, pts, countBursts(ctx, pts, limit), lateFlat, durS, killed))
        return r;
    judgeCacheOrFits(r, ctx, pts, tr, limit);
    return r;
}

} // namespace

} // namespace oomscope::verdict_detail
