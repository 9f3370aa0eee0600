// SPDX-License-Identifier: GPL-3.0-or-later
#include "verdict.h"

#include "timeline.h"

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <set>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

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

double quantileSorted(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return 0;
    const double pos = q * double(sorted.size() - 1);
    const auto lo = std::size_t(std::floor(pos));
    const auto hi = std::min(sorted.size() - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

double quantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return quantileSorted(v, q);
}

double median(std::vector<double> v)
{
    return quantile(std::move(v), 0.5);
}

struct Line {
    bool valid = false;
    double slope = 0; // bytes per second
    double intercept = 0; // bytes at t = 0 (the incarnation's first sample)
    double r2 = 0;
};

// Theil–Sen: median of pairwise slopes, intercept the median of y - slope * t.
Line theilSen(const std::vector<double> &t, const std::vector<double> &y)
{
    Line line;
    const std::size_t n = t.size();
    if (n < 2)
        return line;
    std::vector<double> slopes;
    slopes.reserve(n * (n - 1) / 2);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            if (t[j] > t[i])
                slopes.push_back((y[j] - y[i]) / (t[j] - t[i]));
    if (slopes.empty())
        return line;
    line.slope = median(std::move(slopes));
    std::vector<double> icpt(n);
    for (std::size_t i = 0; i < n; ++i)
        icpt[i] = y[i] - line.slope * t[i];
    line.intercept = median(std::move(icpt));
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / double(n);
    double ssTot = 0;
    double ssRes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ssTot += (y[i] - mean) * (y[i] - mean);
        const double r = y[i] - (line.intercept + line.slope * t[i]);
        ssRes += r * r;
    }
    // A flat series has nothing to explain; call it no fit rather than a perfect one.
    line.r2 = ssTot > 0 ? std::max(0.0, 1.0 - ssRes / ssTot) : 0.0;
    line.valid = true;
    return line;
}

// Median per time bucket, so that a million samples cost what 240 do and noise averages out.
void decimate(std::span<const Pt> pts, const std::vector<double> &values, qint64 t0Ms,
              std::vector<double> &tOut, std::vector<double> &yOut)
{
    tOut.clear();
    yOut.clear();
    if (pts.empty())
        return;
    const qint64 span = std::max<qint64>(1, pts.back().ms - pts.front().ms);
    const int buckets = int(std::min<std::size_t>(kMaxBuckets, pts.size()));
    std::size_t i = 0;
    std::vector<double> ys;
    for (int b = 0; b < buckets && i < pts.size(); ++b) {
        const qint64 end = pts.front().ms + span * (b + 1) / buckets;
        ys.clear();
        double tSum = 0;
        while (i < pts.size() && (pts[i].ms <= end || b == buckets - 1)) {
            ys.push_back(values[i]);
            tSum += double(pts[i].ms - t0Ms) / 1000.0;
            ++i;
        }
        if (ys.empty())
            continue;
        tOut.push_back(tSum / double(ys.size()));
        yOut.push_back(median(ys));
    }
}

// Trailing minimum over windowMs, by time (monotonic deque).
std::vector<double> rollingMin(std::span<const Pt> pts, qint64 windowMs)
{
    std::vector<double> out(pts.size());
    std::deque<std::size_t> q;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        while (!q.empty() && pts[q.back()].demand >= pts[i].demand)
            q.pop_back();
        q.push_back(i);
        while (pts[q.front()].ms < pts[i].ms - windowMs)
            q.pop_front();
        out[i] = pts[q.front()].demand;
    }
    return out;
}

// Robust sigma of the residuals of values around the line (at most ~20000 points looked at).
double robustNoise(std::span<const Pt> pts, const std::vector<double> &values, const Line &line, qint64 t0Ms)
{
    const std::size_t stride = std::max<std::size_t>(1, pts.size() / 20000);
    std::vector<double> res;
    for (std::size_t i = 0; i < pts.size(); i += stride) {
        const double t = double(pts[i].ms - t0Ms) / 1000.0;
        res.push_back(std::abs(values[i] - (line.intercept + line.slope * t)));
    }
    return 1.4826 * median(std::move(res));
}

QString mib(double bytes)
{
    const double m = bytes / kMiB;
    if (std::abs(m) >= 10240)
        return u"%1 GiB"_s.arg(QLocale::c().toString(m / 1024.0, 'f', 1));
    return u"%1 MiB"_s.arg(QLocale::c().toString(m, 'f', std::abs(m) >= 100 ? 0 : 1));
}

QString percent(double share)
{
    return u"%1 %"_s.arg(QLocale::c().toString(share * 100.0, 'f', 0));
}

QString duration(double seconds)
{
    const auto c = QLocale::c();
    if (seconds < 120)
        return u"%1 s"_s.arg(c.toString(seconds, 'f', seconds < 10 ? 1 : 0));
    if (seconds < 7200)
        return u"%1 min"_s.arg(c.toString(seconds / 60.0, 'f', 0));
    if (seconds < 172800)
        return u"%1 h"_s.arg(c.toString(seconds / 3600.0, 'f', 1));
    return u"%1 days"_s.arg(c.toString(seconds / 86400.0, 'f', 1));
}

QString rate(double bytesPerS)
{
    const double perHour = bytesPerS * 3600.0 / kMiB;
    const auto c = QLocale::c();
    if (perHour >= 1000)
        return u"%1 MiB/s (%2 MiB/h)"_s.arg(c.toString(bytesPerS / kMiB, 'f', 2),
                                            c.toString(perHour, 'f', 0));
    return u"%1 MiB/h"_s.arg(c.toString(perHour, 'f', perHour >= 100 ? 0 : 1));
}

// Round a limit up to a step people would write in a manifest.
std::int64_t roundUpLimit(double bytes)
{
    const double stepMiB = bytes < 256 * kMiB ? 8 : bytes < 2048 * kMiB ? 32 : 128;
    const double step = stepMiB * kMiB;
    return std::int64_t(std::ceil(bytes / step) * step);
}

std::int64_t roundUpMiB(double bytes)
{
    return std::int64_t(std::ceil(bytes / kMiB) * kMiB);
}

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

struct Context {
    const ClassifyOptions &options;
    std::optional<double> limit;
    qint64 gapMs = 0;
};

bool isGap(const Context &ctx, const Pt &a, const Pt &b)
{
    return b.ms - a.ms > ctx.gapMs;
}

SegmentResult analyseSegment(const Context &ctx, std::span<const Pt> all, bool killed)
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
    const int n = int(pts.size());
    const bool enough =
        (n >= ctx.options.minSamples && durS >= ctx.options.minDurationS) || (killed && n >= 3);
    if (!enough && killed && peakDemand > 0 && ctx.limit) {
        // Killed within a sample or two of starting: whatever it loads at start does not fit.
        r.seg.kind = Verdict::Kind::Undersized;
        r.seg.confidence = 0.5;
        r.seg.reason =
            u"it was killed %1 after it started (%2 samples), during its startup climb"_s.arg(duration(durS))
                .arg(n);
        return r;
    }
    if (!enough) {
        r.seg.kind = Verdict::Kind::InsufficientData;
        r.seg.confidence = 0.1;
        r.seg.reason = u"%1 samples over %2: too few to judge"_s.arg(n).arg(duration(durS));
        return r;
    }

    const qint64 t0 = pts.front().ms;
    std::vector<double> demand(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i)
        demand[i] = pts[i].demand;
    std::vector<double> t;
    std::vector<double> y;
    decimate(pts, demand, t0, t, y);
    r.raw = theilSen(t, y);
    r.noise = robustNoise(pts, demand, r.raw, t0);

    const qint64 windowMs = std::max<qint64>(1, (pts.back().ms - pts.front().ms) / 8);
    // The trailing minimum is only a floor once a whole window lies behind it; before that it
    // sees fewer samples and sits too high, which would tilt the floor line down.
    std::size_t full = 0;
    while (full + 1 < pts.size() && pts[full].ms < pts.front().ms + windowMs)
        ++full;
    const std::span<const Pt> floorPts = pts.subspan(full);
    const std::vector<double> floorAll = rollingMin(pts, windowMs);
    const std::vector<double> floorValues(floorAll.begin() + std::ptrdiff_t(full), floorAll.end());
    std::vector<double> ft;
    std::vector<double> fy;
    decimate(floorPts, floorValues, t0, ft, fy);
    r.floor = theilSen(ft, fy);
    const double floorNoise = robustNoise(floorPts, floorValues, r.floor, t0);

    const double level = median(demand);
    const auto secondHalfSlope = [&](const std::vector<double> &tt, const std::vector<double> &yy) {
        const double mid = durS / 2.0;
        std::vector<double> t2;
        std::vector<double> y2;
        for (std::size_t i = 0; i < tt.size(); ++i)
            if (tt[i] >= mid) {
                t2.push_back(tt[i]);
                y2.push_back(yy[i]);
            }
        return theilSen(t2, y2).slope;
    };
    const auto growing = [&](const Line &line, double noise, const std::vector<double> &tt,
                             const std::vector<double> &yy, double minR2) {
        const double rise = line.slope * durS;
        const double minRise = std::max({4.0 * noise, 0.05 * level, kMiB});
        return line.valid && line.slope > 0 && line.r2 >= minR2 && rise >= minRise
            && durS >= ctx.options.minLeakDurationS
            && secondHalfSlope(tt, yy) >= kSustainedShare * line.slope;
    };

    // 2. Leak: the line, or the sawtooth's floor, keeps rising.
    // A rolling minimum is smooth even over pure noise, so its line must fit better to count.
    const bool rawLeak = growing(r.raw, r.noise, t, y, kMinR2);
    const bool floorLeak = !rawLeak && growing(r.floor, floorNoise, ft, fy, kMinFloorR2);
    if (rawLeak || floorLeak) {
        r.useFloor = floorLeak;
        const Line &line = floorLeak ? r.floor : r.raw;
        const double noise = floorLeak ? floorNoise : r.noise;
        r.rise = line.slope * durS;
        const double snr = r.rise / std::max(noise, kMiB / 16);
        r.seg.kind = Verdict::Kind::Leak;
        r.seg.confidence = std::clamp(
            0.45 + 0.35 * (line.r2 - kMinR2) / (1 - kMinR2) + 0.15 * std::min(1.0, snr / 20.0), 0.3, 0.95);
        r.seg.slopeMiBPerHour = line.slope * 3600.0 / kMiB;
        r.seg.r2 = line.r2;
        r.seg.reason = floorLeak ? u"the floor of its allocate/free cycles rises %1 (R² %2)"_s.arg(
                           rate(line.slope), QString::number(line.r2, 'f', 2))
                                 : u"unreclaimable memory rises %1 (R² %2) without levelling off"_s.arg(
                                     rate(line.slope), QString::number(line.r2, 'f', 2));
        return r;
    }
    r.seg.slopeMiBPerHour = r.raw.slope * 3600.0 / kMiB;
    r.seg.r2 = r.raw.r2;
    r.rise = r.raw.slope * durS;

    if (!ctx.limit) {
        r.seg.kind = Verdict::Kind::Fits;
        r.seg.confidence = 0.5;
        r.seg.reason = u"memory does not grow steadily (no limit is known to compare with)"_s;
        return r;
    }
    const double limit = *ctx.limit;

    // Second-half level: what the workload settles at; flat means it moved < 5 % of the limit.
    bool lateFlat = false;
    {
        std::vector<double> late;
        const qint64 mid = pts.front().ms + (pts.back().ms - pts.front().ms) / 2;
        for (const Pt &p : pts)
            if (p.ms >= mid)
                late.push_back(p.demand);
        r.plateauShare = median(std::move(late)) / limit;
        lateFlat = std::abs(secondHalfSlope(t, y)) * durS / 2.0 < 0.05 * limit;
    }

    // Jumps within one or two samples, never across a gap.
    double bestJump = 0;
    std::size_t bestFrom = 0;
    std::size_t bestTo = 0;
    int largeJumps = 0;
    std::size_t lastLargeEnd = 0;
    bool haveLarge = false;
    for (std::size_t i = 1; i < pts.size(); ++i) {
        double jumpHere = 0;
        for (std::size_t k = 1; k <= 2 && k <= i; ++k) {
            const std::size_t j = i - k;
            bool gap = false;
            for (std::size_t m = j; m < i; ++m)
                gap = gap || isGap(ctx, pts[m], pts[m + 1]);
            if (gap)
                continue;
            const double rise = pts[i].demand - pts[j].demand;
            jumpHere = std::max(jumpHere, rise);
            if (rise > bestJump) {
                bestJump = rise;
                bestFrom = j;
                bestTo = i;
            }
        }
        if (jumpHere >= kSpikeJumpShare * limit) {
            if (!haveLarge || i > lastLargeEnd + 2)
                ++largeJumps;
            haveLarge = true;
            lastLargeEnd = i;
        }
    }

    // 3. Spike: one or two jumps from a stable, low baseline to the limit.
    if (bestJump >= kSpikeJumpShare * limit && largeJumps <= 2 && bestFrom + 1 >= 5) {
        std::vector<double> base;
        for (std::size_t i = 0; i <= bestFrom; ++i)
            base.push_back(pts[i].demand);
        const double baseline = median(base);
        const double spread = quantile(base, 0.9) - quantile(base, 0.1);
        double after = 0;
        for (std::size_t i = bestTo; i < std::min(pts.size(), bestTo + 4); ++i)
            after = std::max(after, std::max(pts[i].usage, pts[i].demand));
        const bool intoKill = killed && bestTo + 4 >= pts.size();
        if (baseline <= kSpikeBaselineShare * limit && spread <= 0.5 * bestJump
            && (after >= kNearLimit * limit || intoKill)) {
            r.seg.kind = Verdict::Kind::Spike;
            r.seg.confidence = killed ? 0.85 : 0.8;
            const double jumpS = double(pts[bestTo].ms - pts[bestFrom].ms) / 1000.0;
            r.seg.reason = u"a stable baseline of %1 (%2 of the limit) jumped by %3 within %4 to %5"_s.arg(
                mib(baseline), percent(baseline / limit), mib(bestJump), duration(jumpS),
                intoKill && after < kNearLimit * limit ? u"a kill"_s : u"the limit"_s);
            // Shade until the excursion falls back halfway.
            std::size_t end = bestTo;
            while (end + 1 < pts.size() && pts[end + 1].demand > baseline + bestJump / 2)
                ++end;
            r.region = Region {Region::Kind::Spike, pts[bestFrom].ms, pts[end].ms,
                               u"spike +%1"_s.arg(mib(bestJump))};
            return r;
        }
    }
    double peakUsage = 0;
    double peakSegDemand = 0;
    for (const Pt &p : pts) {
        peakUsage = std::max(peakUsage, p.usage);
        peakSegDemand = std::max(peakSegDemand, p.demand);
    }
    if (killed && peakUsage < 0.7 * limit && peakSegDemand < 0.7 * limit) {
        r.seg.kind = Verdict::Kind::Spike;
        r.seg.confidence = 0.5;
        r.seg.reason = u"killed while no sample came near the limit (peak %1, %2 of it): a spike faster "
                       u"than the sampling interval"_s.arg(mib(peakUsage), percent(peakUsage / limit));
        return r;
    }

    // Recurring bursts to the limit: count separate excursions of demand to >= 90 %.
    int bursts = 0;
    bool inBurst = false;
    double timeHighS = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const bool high = pts[i].demand >= kNearLimit * limit;
        if (high && !inBurst)
            ++bursts;
        if (high)
            inBurst = true;
        else if (pts[i].demand < kComfortShare * limit)
            inBurst = false;
        if (high && i + 1 < pts.size() && !isGap(ctx, pts[i], pts[i + 1]))
            timeHighS += double(pts[i + 1].ms - pts[i].ms) / 1000.0;
    }
    const double plateau = r.plateauShare.value_or(0);

    // 4. Undersized.
    if (killed) {
        r.seg.kind = Verdict::Kind::Undersized;
        if (plateau >= kPlateauShare && lateFlat) {
            r.seg.confidence = 0.8;
            r.seg.reason = u"it held %1 of the limit before it was killed"_s.arg(percent(plateau));
        } else if (bursts >= 2) {
            r.seg.confidence = 0.75;
            r.seg.reason = u"bursts from a plateau at %1 of the limit reached it and it was killed"_s.arg(
                percent(plateau));
        } else {
            r.seg.confidence = 0.65;
            r.seg.reason = u"it was killed %1 after it started, during a climb that had not levelled off "
                           u"(a startup footprint larger than the limit, or a leak too fast to tell)"_s.arg(
                               duration(durS));
        }
        return r;
    }
    if (plateau >= kPlateauShare) {
        r.seg.kind = Verdict::Kind::Undersized;
        r.seg.confidence = std::clamp(0.6 + 2.0 * (plateau - kPlateauShare), 0.6, 0.9);
        r.seg.reason = u"it levels off at %1 of the limit"_s.arg(percent(plateau));
        const qint64 mid = pts.front().ms + (pts.back().ms - pts.front().ms) / 2;
        r.region = Region {Region::Kind::Plateau, mid, pts.back().ms, u"plateau %1"_s.arg(percent(plateau))};
        return r;
    }
    if (bursts >= 3 || timeHighS >= 0.05 * durS) {
        r.seg.kind = Verdict::Kind::Undersized;
        r.seg.confidence = bursts >= 3 ? 0.75 : 0.65;
        r.seg.reason = u"its working level is %1 of the limit and %2 bursts reached >= 90 % of it"_s
                           .arg(percent(plateau))
                           .arg(bursts);
        return r;
    }

    // 5. Page cache: usage pinned at the limit by cache while demand stays low.
    double usageHighS = 0;
    for (std::size_t i = 0; i + 1 < pts.size(); ++i)
        if (pts[i].usage >= kNearLimit * limit && !isGap(ctx, pts[i], pts[i + 1]))
            usageHighS += double(pts[i + 1].ms - pts[i].ms) / 1000.0;
    bool failcntRising = false;
    {
        std::int64_t firstF = MemorySample::kUnknown;
        std::int64_t lastF = MemorySample::kUnknown;
        for (const Pt &p : pts)
            if (MemorySample::known(p.failcnt)) {
                if (!MemorySample::known(firstF))
                    firstF = p.failcnt;
                lastF = p.failcnt;
            }
        failcntRising = MemorySample::known(firstF) && lastF > firstF;
    }
    std::vector<double> demandSorted = demand;
    std::sort(demandSorted.begin(), demandSorted.end());
    const double demandP99 = quantileSorted(demandSorted, 0.99);
    if ((usageHighS >= 0.05 * durS || failcntRising) && peakUsage >= kNearLimit * limit
        && demandP99 < kComfortShare * limit) {
        r.seg.kind = Verdict::Kind::PageCache;
        r.seg.confidence = 0.7 + (failcntRising ? 0.1 : 0.0) + (demandP99 < 0.5 * limit ? 0.1 : 0.0);
        r.seg.reason = u"usage sits at the limit but unreclaimable memory stays at %1 of it"_s.arg(
            percent(demandP99 / limit));
        return r;
    }

    // 6. Fits.
    r.seg.kind = Verdict::Kind::Fits;
    r.seg.confidence = demandP99 < kComfortShare * limit ? 0.85 : 0.6;
    r.seg.reason = u"unreclaimable memory stays at most %1 of the limit"_s.arg(percent(demandP99 / limit));
    return r;
}

bool isRisk(Verdict::Kind k)
{
    return k == Verdict::Kind::Leak || k == Verdict::Kind::Undersized || k == Verdict::Kind::Spike;
}

} // namespace

QString verdictKindName(Verdict::Kind kind)
{
    switch (kind) {
    case Verdict::Kind::Leak:
        return u"leak"_s;
    case Verdict::Kind::Undersized:
        return u"undersized"_s;
    case Verdict::Kind::Spike:
        return u"spike"_s;
    case Verdict::Kind::PageCache:
        return u"page_cache"_s;
    case Verdict::Kind::Fits:
        return u"fits"_s;
    case Verdict::Kind::InsufficientData:
        return u"insufficient_data"_s;
    }
    return u"insufficient_data"_s;
}

QString regionKindName(Region::Kind kind)
{
    switch (kind) {
    case Region::Kind::Plateau:
        return u"plateau"_s;
    case Region::Kind::Spike:
        return u"spike"_s;
    case Region::Kind::NearLimit:
        return u"near_limit"_s;
    case Region::Kind::Gap:
        return u"gap"_s;
    case Region::Kind::Incarnation:
        return u"incarnation"_s;
    }
    return u"plateau"_s;
}

Verdict classify(std::span<const MemorySample> samplesIn, const ClassifyOptions &options,
                 std::span<const qint64> killTimesMs)
{
    Verdict v;
    Evidence &ev = v.evidence;

    // Sorted copy of the samples that carry a usage.
    std::vector<MemorySample> kept;
    kept.reserve(samplesIn.size());
    for (const MemorySample &s : samplesIn)
        if (MemorySample::known(s.usageBytes))
            kept.push_back(s);
    if (!std::is_sorted(kept.begin(), kept.end(), [](const MemorySample &a, const MemorySample &b) {
            return a.timestampMs < b.timestampMs;
        }))
        std::stable_sort(kept.begin(), kept.end(), [](const MemorySample &a, const MemorySample &b) {
            return a.timestampMs < b.timestampMs;
        });

    // What stands for unreclaimable memory: the best source most samples have.
    std::size_t withAnon = 0;
    std::size_t withInactive = 0;
    for (const MemorySample &s : kept) {
        withAnon += MemorySample::known(s.anonBytes) ? 1 : 0;
        withInactive += MemorySample::known(s.inactiveFileBytes) ? 1 : 0;
    }
    enum class Source { Unreclaimable, WorkingSet, Usage } source = Source::Usage;
    if (!kept.empty() && withAnon * 2 >= kept.size()) {
        source = Source::Unreclaimable;
        ev.demandSource = u"anon+shmem+kernel"_s;
    } else if (!kept.empty() && withInactive * 2 >= kept.size()) {
        source = Source::WorkingSet;
        ev.demandSource = u"working set"_s;
        v.warnings << u"anon is not measured: the working set (usage - inactive_file) stands in for "
                      u"unreclaimable memory, so active file cache counts as demand."_s;
    } else {
        ev.demandSource = u"usage"_s;
        if (!kept.empty())
            v.warnings << u"Neither anon nor inactive_file is measured: usage stands in for demand, so file "
                          u"cache cannot be told from it (no page_cache verdict possible)."_s;
    }
    if (source == Source::Unreclaimable)
        std::erase_if(kept, [](const MemorySample &s) { return !MemorySample::known(s.anonBytes); });
    if (source == Source::WorkingSet)
        std::erase_if(kept, [](const MemorySample &s) { return !MemorySample::known(s.inactiveFileBytes); });

    std::vector<Pt> pts;
    pts.reserve(kept.size());
    for (const MemorySample &s : kept) {
        Pt p;
        p.ms = s.timestampMs;
        p.usage = double(s.usageBytes);
        p.ws = double(s.workingSetBytes());
        p.demand = source == Source::Unreclaimable ? double(s.unreclaimableBytes())
            : source == Source::WorkingSet         ? p.ws
                                                   : p.usage;
        p.failcnt = s.failcnt;
        p.oomKill = s.oomKillCount;
        pts.push_back(p);
    }
    ev.sampleCount = int(pts.size());

    // The limit: forced, else the last finite one (a change is reported).
    std::optional<double> limit;
    if (options.limitBytes && *options.limitBytes > 0) {
        limit = double(*options.limitBytes);
    } else {
        std::optional<std::int64_t> firstLimit;
        std::optional<std::int64_t> lastLimit;
        for (const MemorySample &s : kept)
            if (MemorySample::known(s.limitBytes) && s.limitBytes != MemorySample::kUnlimited
                && s.limitBytes > 0) {
                if (!firstLimit)
                    firstLimit = s.limitBytes;
                lastLimit = s.limitBytes;
            }
        if (lastLimit) {
            limit = double(*lastLimit);
            if (*firstLimit != *lastLimit)
                v.warnings << u"The limit changed from %1 to %2 in this range; the last is used."_s.arg(
                    mib(double(*firstLimit)), mib(double(*lastLimit)));
        }
    }
    if (limit)
        ev.limitBytes = std::int64_t(*limit);
    else if (!pts.empty())
        v.warnings << u"No limit is known: only leak, fits and insufficient_data can be told apart."_s;

    if (pts.size() < 2) {
        v.kind = Verdict::Kind::InsufficientData;
        v.confidence = 0.05;
        v.summary = pts.empty() ? u"No sample has a usable memory reading: nothing to judge."_s
                                : u"Only one usable sample: nothing to judge."_s;
        return v;
    }

    ev.durationMs = pts.back().ms - pts.front().ms;
    {
        std::vector<double> dts;
        dts.reserve(pts.size() - 1);
        for (std::size_t i = 1; i < pts.size(); ++i)
            dts.push_back(double(pts[i].ms - pts[i - 1].ms));
        ev.medianIntervalS = median(std::move(dts)) / 1000.0;
    }
    Context ctx {options, limit,
                 std::max<qint64>(1000, qint64(options.gapFactor * ev.medianIntervalS * 1000.0))};
    for (std::size_t i = 1; i < pts.size(); ++i)
        if (isGap(ctx, pts[i - 1], pts[i])) {
            ++ev.gapCount;
            ev.largestGapMs = std::max(ev.largestGapMs, pts[i].ms - pts[i - 1].ms);
            if (v.regions.size() < 500)
                v.regions.push_back(Region {Region::Kind::Gap, pts[i - 1].ms, pts[i].ms, u"no samples"_s});
        }

    // Incarnations: cut at kills (passed in, counted by oom_kill, or inferred).
    std::set<std::size_t> cuts;
    bool lastKilled = false;
    int passedKills = 0;
    for (qint64 k : killTimesMs) {
        if (k < pts.front().ms - 1000 || k > pts.back().ms + 60000)
            continue;
        ++passedKills;
        std::optional<std::size_t> idx = usageDropIndex(kept, k);
        if (!idx) {
            const auto it =
                std::upper_bound(pts.begin(), pts.end(), k, [](qint64 ms, const Pt &p) { return ms < p.ms; });
            if (it != pts.end())
                idx = std::size_t(it - pts.begin());
        }
        if (idx && *idx > 0)
            cuts.insert(*idx);
        else if (!idx)
            lastKilled = true;
    }
    int counted = 0;
    bool counterKnown = false;
    {
        std::int64_t prev = MemorySample::kUnknown;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            if (!MemorySample::known(pts[i].oomKill))
                continue;
            counterKnown = true;
            if (MemorySample::known(prev) && pts[i].oomKill > prev) {
                counted += int(pts[i].oomKill - prev);
                cuts.insert(i);
            }
            prev = pts[i].oomKill;
        }
    }
    int inferred = 0;
    if (killTimesMs.empty() && !counterKnown && options.inferKills && limit) {
        for (std::size_t i = 1; i < pts.size(); ++i)
            if (pts[i - 1].usage >= kInferKillShare * *limit && pts[i].demand < 0.5 * pts[i - 1].demand
                && pts[i].usage < 0.5 * pts[i - 1].usage) {
                cuts.insert(i);
                ++inferred;
            }
        if (inferred > 0)
            v.warnings
                << u"No kill times or oom_kill counter: %1 fall(s) from the limit were taken as kills."_s.arg(
                       inferred);
    }
    // One kill seen twice (the log's time and the counter's step) must not make two cuts.
    std::vector<std::size_t> cutList;
    for (std::size_t c : cuts)
        if (cutList.empty() || c > cutList.back() + 2)
            cutList.push_back(c);
    ev.kills = std::max({passedKills, counted, inferred, int(cutList.size()) + (lastKilled ? 1 : 0)});

    std::vector<SegmentResult> segs;
    {
        std::size_t begin = 0;
        for (std::size_t k = 0; k <= cutList.size(); ++k) {
            const std::size_t end = k < cutList.size() ? cutList[k] : pts.size();
            const bool killed = k < cutList.size() || lastKilled;
            if (end > begin)
                segs.push_back(
                    analyseSegment(ctx, std::span<const Pt>(pts).subspan(begin, end - begin), killed));
            begin = end;
        }
    }
    ev.incarnations = int(segs.size());
    for (const SegmentResult &s : segs) {
        v.segments.push_back(s.seg);
        ev.growingIncarnations += s.seg.kind == Verdict::Kind::Leak ? 1 : 0;
        if (segs.size() > 1)
            v.regions.push_back(Region {Region::Kind::Incarnation, s.seg.startMs, s.seg.endMs,
                                        s.seg.endedByKill ? u"killed"_s : u"running"_s});
        if (s.region)
            v.regions.push_back(*s.region);
    }

    // Combine: a risk outranks a benign verdict; weigh killed incarnations double.
    std::optional<Verdict::Kind> chosen;
    {
        double bestScore = -1;
        for (Verdict::Kind k : {Verdict::Kind::Leak, Verdict::Kind::Undersized, Verdict::Kind::Spike}) {
            double score = 0;
            for (const SegmentResult &s : segs)
                if (s.seg.kind == k)
                    score += s.seg.confidence * (s.seg.endedByKill ? 2.0 : 1.0);
            if (score > bestScore && score > 0) {
                bestScore = score;
                chosen = k;
            }
        }
        if (!chosen) {
            for (Verdict::Kind k : {Verdict::Kind::PageCache, Verdict::Kind::Fits}) {
                double score = 0;
                for (const SegmentResult &s : segs)
                    if (s.seg.kind == k)
                        score += s.seg.confidence * double(s.seg.endMs - s.seg.startMs + 1);
                if (score > bestScore && score > 0) {
                    bestScore = score;
                    chosen = k;
                }
            }
        }
    }
    const SegmentResult *decider = nullptr;
    if (chosen) {
        double maxConf = 0;
        for (const SegmentResult &s : segs)
            if (s.seg.kind == *chosen)
                maxConf = std::max(maxConf, s.seg.confidence);
        for (const SegmentResult &s : segs)
            if (s.seg.kind == *chosen && s.seg.confidence >= 0.8 * maxConf)
                decider = &s; // the latest strong one: for a leak, the current incarnation
    }

    // Evidence over the whole range.
    {
        std::int64_t firstF = MemorySample::kUnknown;
        std::int64_t lastF = MemorySample::kUnknown;
        double peakUsage = 0;
        double peakWs = 0;
        double peakDemand = 0;
        std::vector<double> reclaimShares;
        bool inHigh = false;
        qint64 highStart = 0;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            const Pt &p = pts[i];
            peakUsage = std::max(peakUsage, p.usage);
            peakWs = std::max(peakWs, p.ws);
            peakDemand = std::max(peakDemand, p.demand);
            if (MemorySample::known(p.failcnt)) {
                if (!MemorySample::known(firstF))
                    firstF = p.failcnt;
                lastF = p.failcnt;
            }
            if (!limit)
                continue;
            const bool high = p.usage >= kNearLimit * *limit;
            if (high) {
                if (p.usage > 0 && source != Source::Usage)
                    reclaimShares.push_back(std::max(0.0, p.usage - p.demand) / p.usage);
                if (i + 1 < pts.size() && !isGap(ctx, p, pts[i + 1]))
                    ev.timeAtOrAbove90PercentS += double(pts[i + 1].ms - p.ms) / 1000.0;
            }
            if (high && !inHigh)
                highStart = p.ms;
            if (inHigh && (!high || i + 1 == pts.size())) {
                if (v.regions.size() < 1000)
                    v.regions.push_back(
                        Region {Region::Kind::NearLimit, highStart, p.ms, u">= 90 % of the limit"_s});
            }
            inHigh = high;
        }
        ev.peakUsageBytes = std::int64_t(peakUsage);
        ev.peakWorkingSetBytes = std::int64_t(peakWs);
        ev.peakDemandBytes = std::int64_t(peakDemand);
        if (MemorySample::known(firstF))
            ev.failcntDelta = lastF - firstF;
        if (ev.durationMs > 0)
            ev.fractionAtOrAbove90Percent = ev.timeAtOrAbove90PercentS * 1000.0 / double(ev.durationMs);
        if (!reclaimShares.empty())
            ev.reclaimableShareAtLimit = median(std::move(reclaimShares));

        // Largest jump over the range (within two samples, not across gaps or kills).
        std::set<std::size_t> cutSet(cutList.begin(), cutList.end());
        for (std::size_t i = 1; i < pts.size(); ++i)
            for (std::size_t k = 1; k <= 2 && k <= i; ++k) {
                const std::size_t j = i - k;
                bool blocked = false;
                for (std::size_t m = j; m < i; ++m)
                    blocked = blocked || isGap(ctx, pts[m], pts[m + 1]) || cutSet.count(m + 1) > 0;
                if (blocked)
                    continue;
                const double rise = pts[i].demand - pts[j].demand;
                if (rise > double(ev.largestJumpBytes)) {
                    ev.largestJumpBytes = std::int64_t(rise);
                    ev.largestJumpDurationMs = pts[i].ms - pts[j].ms;
                    ev.largestJumpAtMs = pts[j].ms;
                }
                if (limit && k == 1 && rise >= kSpikeJumpShare * *limit)
                    ++ev.largeJumpCount;
            }
    }
    if (decider) {
        ev.slopeMiBPerHour = decider->raw.slope * 3600.0 / kMiB;
        ev.slopeR2 = decider->raw.r2;
        ev.floorSlopeMiBPerHour = decider->floor.slope * 3600.0 / kMiB;
        ev.floorR2 = decider->floor.r2;
        ev.noiseMiB = decider->noise / kMiB;
        ev.riseMiB = decider->rise / kMiB;
        ev.plateauPercentOfLimit =
            decider->plateauShare ? std::optional<double>(*decider->plateauShare * 100.0) : std::nullopt;

        const Line &line = decider->useFloor ? decider->floor : decider->raw;
        TrendLine &tr = v.trend;
        tr.valid = line.valid;
        tr.onFloor = decider->useFloor;
        tr.startMs = decider->firstMs;
        tr.endMs = decider->seg.endMs;
        tr.startBytes = line.intercept;
        tr.slopeBytesPerS = line.slope;
        const bool rising = *chosen == Verdict::Kind::Leak
            || (line.slope > 0 && decider->rise >= std::max(4.0 * decider->noise, kMiB));
        if (limit && rising && line.slope > 0) {
            const double crossS = (*limit - line.intercept) / line.slope;
            tr.limitCrossingMs = tr.startMs + qint64(crossS * 1000.0);
            v.timeToLimitS = std::max<qint64>(0, (*tr.limitCrossingMs - tr.endMs) / 1000);
            ev.timeToLimitFromIncarnationStartS = std::max<qint64>(0, qint64(crossS));
            if (tr.endMs < *tr.limitCrossingMs)
                tr.endMs = *tr.limitCrossingMs; // draw the forecast up to the limit
        }
    }

    // VPA-style and KRR-style figures from the working set.
    {
        const double dayMs = 86400000.0;
        const bool daily = double(ev.durationMs) >= dayMs;
        const int windows = daily ? int(std::ceil(double(ev.durationMs + 1) / dayMs)) : 20;
        const double windowMs = daily ? dayMs : std::max(1.0, double(ev.durationMs + 1) / windows);
        std::vector<double> peaks(std::size_t(windows), -1.0);
        double maxWs = 0;
        for (const Pt &p : pts) {
            const auto w = std::min<std::size_t>(std::size_t(windows - 1),
                                                 std::size_t(double(p.ms - pts.front().ms) / windowMs));
            peaks[w] = std::max(peaks[w], p.ws);
            maxWs = std::max(maxWs, p.ws);
        }
        std::erase_if(peaks, [](double x) { return x < 0; });
        v.vpaLimitBytes = roundUpMiB(quantile(peaks, 0.9) * 1.15);
        v.krrLimitBytes = roundUpMiB(maxWs * 1.15);
        ev.vpaBasis = daily
            ? u"p90 of %1 daily working-set peaks + 15 %"_s.arg(peaks.size())
            : u"p90 of the working-set peaks of %1 windows of %2 + 15 % (less than a day of data)"_s
                  .arg(peaks.size())
                  .arg(duration(windowMs / 1000.0));
    }

    if (!chosen) {
        v.kind = Verdict::Kind::InsufficientData;
        v.confidence = 0.1;
        v.summary = u"%1 usable samples over %2: too few to judge."_s.arg(ev.sampleCount)
                        .arg(duration(double(ev.durationMs) / 1000.0));
        return v;
    }
    v.kind = *chosen;
    v.confidence = decider ? decider->seg.confidence : 0.1;
    if (v.kind == Verdict::Kind::Leak && ev.growingIncarnations > 1)
        v.confidence = std::min(0.99, v.confidence + 0.05 * (ev.growingIncarnations - 1));
    // Disagreeing killed incarnations lower the confidence.
    for (const SegmentResult &s : segs)
        if (s.seg.endedByKill && isRisk(s.seg.kind) && s.seg.kind != v.kind)
            v.confidence *= 0.85;

    // Limit advice.
    const bool censored =
        std::any_of(segs.begin(), segs.end(), [](const SegmentResult &s) { return s.seg.endedByKill; });
    if (v.kind != Verdict::Kind::Leak) {
        double need = double(ev.peakDemandBytes) * (1.0 + options.headroom);
        if (censored && limit && isRisk(v.kind)) {
            need = std::max(need, *limit * 1.25);
            v.warnings << u"A kill cut the growth short, so the real peak is unknown: %1 is a lower bound; "
                          u"watch the next run."_s.arg(mib(double(roundUpLimit(need))));
        }
        v.recommendedLimitBytes = roundUpLimit(need);
    } else {
        const double slope = decider ? (decider->useFloor ? decider->floor.slope : decider->raw.slope) : 0;
        QString buys;
        if (limit && slope > 0 && v.krrLimitBytes && double(*v.krrLimitBytes) > *limit)
            buys = u" (at %1, the KRR figure buys only %2 more)"_s.arg(
                rate(slope), duration((double(*v.krrLimitBytes) - *limit) / slope));
        v.warnings << u"Leak: VPA-style (%1) and KRR-style (%2) recommendations would only chase it; any "
                      u"limit is outgrown%3. Fix the retention instead."_s.arg(
                          mib(double(v.vpaLimitBytes.value_or(0))), mib(double(v.krrLimitBytes.value_or(0))),
                          buys);
    }
    if (ev.gapCount > 0)
        v.warnings << u"%1 gap(s) in the samples (longest %2); no jump was read across them."_s
                          .arg(ev.gapCount)
                          .arg(duration(double(ev.largestGapMs) / 1000.0));

    // The plain-language sentence.
    const QString limitText = limit ? mib(*limit) : u"(unknown)"_s;
    const QString reason = decider ? decider->seg.reason : QString();
    switch (v.kind) {
    case Verdict::Kind::Leak: {
        QString when;
        if (decider && decider->seg.endedByKill && limit)
            when = u" It reached the %1 limit and was killed."_s.arg(limitText);
        else if (v.timeToLimitS && *v.timeToLimitS > 0)
            when = u" At this rate it reaches the %1 limit in %2."_s.arg(limitText,
                                                                         duration(double(*v.timeToLimitS)));
        else if (limit && v.trend.limitCrossingMs)
            when = u" It reached the %1 limit."_s.arg(limitText);
        const QString again = ev.growingIncarnations > 1
            ? u" Each of %1 incarnations (between kills) grew the same way."_s.arg(ev.growingIncarnations)
            : QString();
        v.summary = u"Leak: %1.%2%3 A bigger limit only delays the next kill; fix what retains memory."_s.arg(
            reason, again, when);
        break;
    }
    case Verdict::Kind::Undersized:
        v.summary =
            u"Undersized limit: %1; the %2 limit is too small for this workload — about %3 would fit."_s.arg(
                reason, limitText, mib(double(v.recommendedLimitBytes.value_or(0))));
        break;
    case Verdict::Kind::Spike:
        v.summary = u"Spike: %1. Find what allocates that much at once (a large request or batch), or allow "
                    u"about %2."_s.arg(reason, mib(double(v.recommendedLimitBytes.value_or(0))));
        break;
    case Verdict::Kind::PageCache:
        v.summary =
            u"Page cache, no risk: %1 — %2 of usage at the limit is reclaimable file cache, which the "
            u"kernel keeps while there is room and drops at the limit, so the usage graph looks "
            u"pinned without danger (working set peak %3)."_s.arg(
                reason, percent(ev.reclaimableShareAtLimit.value_or(0)), mib(double(ev.peakWorkingSetBytes)));
        break;
    case Verdict::Kind::Fits:
        v.summary = limit ? u"Fits: %1 and is stable; the %2 limit has room."_s.arg(reason, limitText)
                          : u"No steady growth: %1."_s.arg(reason);
        if (limit && ev.peakDemandBytes >= kComfortShare * *limit)
            v.warnings << u"Less than 20 % headroom at the peak."_s;
        break;
    case Verdict::Kind::InsufficientData:
        v.summary = reason;
        break;
    }
    return v;
}

QJsonObject verdictToJson(const Verdict &v)
{
    const auto opt = [](const auto &o) {
        return o ? QJsonValue(double(*o)) : QJsonValue(QJsonValue::Null);
    };
    const Evidence &e = v.evidence;
    QJsonObject ev {
        {u"sample_count"_s, e.sampleCount},
        {u"duration_s"_s, double(e.durationMs) / 1000.0},
        {u"median_interval_s"_s, e.medianIntervalS},
        {u"gap_count"_s, e.gapCount},
        {u"largest_gap_s"_s, double(e.largestGapMs) / 1000.0},
        {u"limit_bytes"_s, opt(e.limitBytes)},
        {u"demand_source"_s, e.demandSource},
        {u"slope_mib_per_h"_s, e.slopeMiBPerHour},
        {u"slope_r2"_s, e.slopeR2},
        {u"floor_slope_mib_per_h"_s, e.floorSlopeMiBPerHour},
        {u"floor_r2"_s, e.floorR2},
        {u"noise_mib"_s, e.noiseMiB},
        {u"rise_mib"_s, e.riseMiB},
        {u"plateau_percent_of_limit"_s, opt(e.plateauPercentOfLimit)},
        {u"time_at_or_above_90_percent_s"_s, e.timeAtOrAbove90PercentS},
        {u"fraction_at_or_above_90_percent"_s, e.fractionAtOrAbove90Percent},
        {u"reclaimable_share_at_limit"_s, opt(e.reclaimableShareAtLimit)},
        {u"largest_jump_bytes"_s, double(e.largestJumpBytes)},
        {u"largest_jump_duration_s"_s, double(e.largestJumpDurationMs) / 1000.0},
        {u"large_jump_count"_s, e.largeJumpCount},
        {u"peak_usage_bytes"_s, double(e.peakUsageBytes)},
        {u"peak_working_set_bytes"_s, double(e.peakWorkingSetBytes)},
        {u"peak_unreclaimable_bytes"_s, double(e.peakDemandBytes)},
        {u"failcnt_delta"_s, opt(e.failcntDelta)},
        {u"kills"_s, e.kills},
        {u"incarnations"_s, e.incarnations},
        {u"growing_incarnations"_s, e.growingIncarnations},
        {u"time_to_limit_from_incarnation_start_s"_s, opt(e.timeToLimitFromIncarnationStartS)},
        {u"vpa_basis"_s, e.vpaBasis},
    };
    QJsonArray regions;
    for (const Region &r : v.regions)
        regions.append(QJsonObject {{u"kind"_s, regionKindName(r.kind)},
                                    {u"start_ms"_s, double(r.startMs)},
                                    {u"end_ms"_s, double(r.endMs)},
                                    {u"label"_s, r.label}});
    QJsonArray segments;
    for (const Verdict::Segment &s : v.segments)
        segments.append(QJsonObject {{u"kind"_s, verdictKindName(s.kind)},
                                     {u"confidence"_s, s.confidence},
                                     {u"start_ms"_s, double(s.startMs)},
                                     {u"end_ms"_s, double(s.endMs)},
                                     {u"ended_by_kill"_s, s.endedByKill},
                                     {u"sample_count"_s, s.sampleCount},
                                     {u"slope_mib_per_h"_s, s.slopeMiBPerHour},
                                     {u"r2"_s, s.r2},
                                     {u"reason"_s, s.reason}});
    QJsonObject trend;
    if (v.trend.valid)
        trend = QJsonObject {
            {u"start_ms"_s, double(v.trend.startMs)}, {u"end_ms"_s, double(v.trend.endMs)},
            {u"start_bytes"_s, v.trend.startBytes},   {u"slope_bytes_per_s"_s, v.trend.slopeBytesPerS},
            {u"on_floor"_s, v.trend.onFloor},         {u"limit_crossing_ms"_s, opt(v.trend.limitCrossingMs)}};
    return QJsonObject {
        {u"verdict"_s, verdictKindName(v.kind)},
        {u"confidence"_s, v.confidence},
        {u"summary"_s, v.summary},
        {u"time_to_limit_s"_s, opt(v.timeToLimitS)},
        {u"recommended_limit_bytes"_s, opt(v.recommendedLimitBytes)},
        {u"vpa_limit_bytes"_s, opt(v.vpaLimitBytes)},
        {u"krr_limit_bytes"_s, opt(v.krrLimitBytes)},
        {u"evidence"_s, ev},
        {u"warnings"_s, QJsonArray::fromStringList(v.warnings)},
        {u"regions"_s, regions},
        {u"segments"_s, segments},
        {u"trend"_s, v.trend.valid ? QJsonValue(trend) : QJsonValue(QJsonValue::Null)},
    };
}

} // namespace oomscope
