// SPDX-License-Identifier: GPL-3.0-or-later
#include "verdict.h"

#include "timeline.h"
#include "verdictdetail.h"
#include "verdictsummary.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <set>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

using verdict_detail::kMiB;
using verdict_detail::roundUpLimit;

std::int64_t roundUpMiB(double bytes)
{
    return std::int64_t(std::ceil(bytes / kMiB) * kMiB);
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

namespace {

using namespace verdict_detail;

enum class Source { Unreclaimable, WorkingSet, Usage };

void warn(Verdict &v, VerdictWarning::Kind kind)
{
    VerdictWarning w;
    w.kind = kind;
    v.warningFacts.push_back(w);
}

// Sorted copy of the samples that carry a usage.
std::vector<MemorySample> usableSamples(std::span<const MemorySample> samplesIn)
{
    std::vector<MemorySample> kept;
    kept.reserve(samplesIn.size());
    for (const MemorySample &s : samplesIn)
        if (MemorySample::known(s.usageBytes))
            kept.push_back(s);
    const auto earlier = [](const MemorySample &a, const MemorySample &b) {
        return a.timestampMs < b.timestampMs;
    };
    if (!std::is_sorted(kept.begin(), kept.end(), earlier))
        std::stable_sort(kept.begin(), kept.end(), earlier);
    return kept;
}

// What stands for unreclaimable memory: the best source most samples have; samples without it
// are dropped.
Source chooseDemandSource(std::vector<MemorySample> &kept, Verdict &v)
{
    std::size_t withAnon = 0;
    std::size_t withInactive = 0;
    for (const MemorySample &s : kept) {
        withAnon += MemorySample::known(s.anonBytes) ? 1 : 0;
        withInactive += MemorySample::known(s.inactiveFileBytes) ? 1 : 0;
    }
    if (!kept.empty() && withAnon * 2 >= kept.size()) {
        v.evidence.demandSource = u"anon+shmem+kernel"_s;
        std::erase_if(kept, [](const MemorySample &s) { return !MemorySample::known(s.anonBytes); });
        return Source::Unreclaimable;
    }
    if (!kept.empty() && withInactive * 2 >= kept.size()) {
        v.evidence.demandSource = u"working set"_s;
        warn(v, VerdictWarning::Kind::WorkingSetStandsIn);
        std::erase_if(kept, [](const MemorySample &s) { return !MemorySample::known(s.inactiveFileBytes); });
        return Source::WorkingSet;
    }
    v.evidence.demandSource = u"usage"_s;
    if (!kept.empty())
        warn(v, VerdictWarning::Kind::UsageStandsIn);
    return Source::Usage;
}

std::vector<Pt> toPoints(const std::vector<MemorySample> &kept, Source source)
{
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
    return pts;
}

// The limit: forced, else the last finite one (a change is reported).
std::optional<double> chooseLimit(const std::vector<MemorySample> &kept, const ClassifyOptions &options,
                                  Verdict &v)
{
    if (options.limitBytes && *options.limitBytes > 0)
        return double(*options.limitBytes);
    std::optional<std::int64_t> firstLimit;
    std::optional<std::int64_t> lastLimit;
    for (const MemorySample &s : kept)
        if (MemorySample::known(s.limitBytes) && s.limitBytes != MemorySample::kUnlimited
            && s.limitBytes > 0) {
            if (!firstLimit)
                firstLimit = s.limitBytes;
            lastLimit = s.limitBytes;
        }
    if (!lastLimit)
        return std::nullopt;
    if (*firstLimit != *lastLimit) {
        VerdictWarning w;
        w.kind = VerdictWarning::Kind::LimitChanged;
        w.fromBytes = double(*firstLimit);
        w.toBytes = double(*lastLimit);
        v.warningFacts.push_back(w);
    }
    return double(*lastLimit);
}

// Duration, sampling interval and gaps (shaded, never read as jumps).
qint64 measureSampling(Verdict &v, const std::vector<Pt> &pts, const ClassifyOptions &options)
{
    Evidence &ev = v.evidence;
    ev.durationMs = pts.back().ms - pts.front().ms;
    std::vector<double> dts;
    dts.reserve(pts.size() - 1);
    for (std::size_t i = 1; i < pts.size(); ++i)
        dts.push_back(double(pts[i].ms - pts[i - 1].ms));
    ev.medianIntervalS = median(std::move(dts)) / 1000.0;
    const qint64 gapMs =
        std::max({qint64(1000), qint64(options.gapFactor * ev.medianIntervalS * 1000.0), options.minGapMs});
    for (std::size_t i = 1; i < pts.size(); ++i)
        if (pts[i].ms - pts[i - 1].ms > gapMs) {
            ++ev.gapCount;
            ev.largestGapMs = std::max(ev.largestGapMs, pts[i].ms - pts[i - 1].ms);
            if (v.regions.size() < 500)
                v.regions.push_back(Region {Region::Kind::Gap, pts[i - 1].ms, pts[i].ms, {}});
        }
    return gapMs;
}

struct Incarnations {
    std::vector<std::size_t> cuts; // first sample of each incarnation after the first
    bool lastKilled = false; // a kill after the last sample
};

// Where the range is cut: kills passed in (placed on the sample that shows the drop), steps of
// the oom_kill counter, or inferred falls from the limit. Sets the evidence's kill count.
Incarnations findIncarnations(const std::vector<MemorySample> &kept, const std::vector<Pt> &pts,
                              std::span<const qint64> killTimesMs, const ClassifyOptions &options,
                              std::optional<double> limit, Verdict &v)
{
    Incarnations inc;
    std::set<std::size_t> cuts;
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
            inc.lastKilled = true;
    }
    int counted = 0;
    bool counterKnown = false;
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
    int inferred = 0;
    if (killTimesMs.empty() && !counterKnown && options.inferKills && limit) {
        for (std::size_t i = 1; i < pts.size(); ++i)
            if (pts[i - 1].usage >= kInferKillShare * *limit && pts[i].demand < 0.5 * pts[i - 1].demand
                && pts[i].usage < 0.5 * pts[i - 1].usage) {
                cuts.insert(i);
                ++inferred;
            }
        if (inferred > 0) {
            VerdictWarning w;
            w.kind = VerdictWarning::Kind::InferredKills;
            w.count = inferred;
            v.warningFacts.push_back(w);
        }
    }
    // One kill seen twice (the log's time and the counter's step) must not make two cuts.
    for (std::size_t c : cuts)
        if (inc.cuts.empty() || c > inc.cuts.back() + 2)
            inc.cuts.push_back(c);
    v.evidence.kills =
        std::max({passedKills, counted, inferred, int(inc.cuts.size()) + (inc.lastKilled ? 1 : 0)});
    return inc;
}

std::vector<SegmentResult> judgeIncarnations(const Context &ctx, const std::vector<Pt> &pts,
                                             const Incarnations &inc, Verdict &v)
{
    std::vector<SegmentResult> segs;
    std::size_t begin = 0;
    for (std::size_t k = 0; k <= inc.cuts.size(); ++k) {
        const std::size_t end = k < inc.cuts.size() ? inc.cuts[k] : pts.size();
        const bool killed = k < inc.cuts.size() || inc.lastKilled;
        if (end > begin)
            segs.push_back(analyseSegment(ctx, std::span<const Pt>(pts).subspan(begin, end - begin), killed));
        begin = end;
    }
    v.evidence.incarnations = int(segs.size());
    for (const SegmentResult &s : segs) {
        v.segments.push_back(s.seg);
        v.evidence.growingIncarnations += s.seg.kind == Verdict::Kind::Leak ? 1 : 0;
        if (segs.size() > 1) {
            Region region {Region::Kind::Incarnation, s.seg.startMs, s.seg.endMs, {}};
            region.endedByKill = s.seg.endedByKill;
            v.regions.push_back(region);
        }
        if (s.region)
            v.regions.push_back(*s.region);
    }
    return segs;
}

// Combine: a risk outranks a benign verdict; killed incarnations weigh double, benign ones by
// their length.
std::optional<Verdict::Kind> combineVerdicts(const std::vector<SegmentResult> &segs)
{
    std::optional<Verdict::Kind> chosen;
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
    if (chosen)
        return chosen;
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
    return chosen;
}

// The latest strong incarnation of the chosen kind: for a leak, the current incarnation.
std::optional<std::size_t> findDecider(const std::vector<SegmentResult> &segs, Verdict::Kind chosen)
{
    double maxConf = 0;
    for (const SegmentResult &s : segs)
        if (s.seg.kind == chosen)
            maxConf = std::max(maxConf, s.seg.confidence);
    std::optional<std::size_t> decider;
    for (std::size_t i = 0; i < segs.size(); ++i)
        if (segs[i].seg.kind == chosen && segs[i].seg.confidence >= 0.8 * maxConf)
            decider = i;
    return decider;
}

// Evidence over the whole range: peaks, failcnt, time near the limit and what is reclaimable
// there (shaded as near-limit regions).
void rangeEvidence(Verdict &v, const std::vector<Pt> &pts, const Context &ctx, Source source)
{
    Evidence &ev = v.evidence;
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
        if (!ctx.limit)
            continue;
        const bool high = p.usage >= kNearLimit * *ctx.limit;
        if (high) {
            if (p.usage > 0 && source != Source::Usage)
                reclaimShares.push_back(std::max(0.0, p.usage - p.demand) / p.usage);
            if (i + 1 < pts.size() && !isGap(ctx, p, pts[i + 1]))
                ev.timeAtOrAbove90PercentS += double(pts[i + 1].ms - p.ms) / 1000.0;
        }
        if (high && !inHigh)
            highStart = p.ms;
        if (inHigh && (!high || i + 1 == pts.size()) && v.regions.size() < 1000)
            v.regions.push_back(Region {Region::Kind::NearLimit, highStart, p.ms, {}});
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
}

// Largest jump over the range (within two samples, not across gaps or kills).
void largestJump(Evidence &ev, const std::vector<Pt> &pts, const Context &ctx, const Incarnations &inc)
{
    const std::set<std::size_t> cutSet(inc.cuts.begin(), inc.cuts.end());
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
            if (ctx.limit && k == 1 && rise >= kSpikeJumpShare * *ctx.limit)
                ++ev.largeJumpCount;
        }
}

// The deciding incarnation's numbers and line, and when that line meets the limit.
void applyTrend(Verdict &v, const SegmentResult &decider, Verdict::Kind chosen, std::optional<double> limit)
{
    Evidence &ev = v.evidence;
    ev.slopeMiBPerHour = decider.raw.slope * 3600.0 / kMiB;
    ev.slopeR2 = decider.raw.r2;
    ev.floorSlopeMiBPerHour = decider.floor.slope * 3600.0 / kMiB;
    ev.floorR2 = decider.floor.r2;
    ev.noiseMiB = decider.noise / kMiB;
    ev.riseMiB = decider.rise / kMiB;
    ev.plateauPercentOfLimit =
        decider.plateauShare ? std::optional<double>(*decider.plateauShare * 100.0) : std::nullopt;

    const Line &line = decider.useFloor ? decider.floor : decider.raw;
    TrendLine &tr = v.trend;
    tr.valid = line.valid;
    tr.onFloor = decider.useFloor;
    tr.startMs = decider.firstMs;
    tr.endMs = decider.seg.endMs;
    tr.startBytes = line.intercept;
    tr.slopeBytesPerS = line.slope;
    const bool rising = chosen == Verdict::Kind::Leak
        || (line.slope > 0 && decider.rise >= std::max(4.0 * decider.noise, kMiB));
    if (limit && rising && line.slope > 0) {
        const double crossS = (*limit - line.intercept) / line.slope;
        tr.limitCrossingMs = tr.startMs + qint64(crossS * 1000.0);
        v.timeToLimitS = std::max<qint64>(0, (*tr.limitCrossingMs - tr.endMs) / 1000);
        ev.timeToLimitFromIncarnationStartS = std::max<qint64>(0, qint64(crossS));
        if (tr.endMs < *tr.limitCrossingMs)
            tr.endMs = *tr.limitCrossingMs; // draw the forecast up to the limit
    }
}

// VPA-style (p90 of daily, else of 20 windows', working-set peaks + 15 %) and KRR-style (max
// working set + 15 %) figures.
void workingSetFigures(Verdict &v, const std::vector<Pt> &pts)
{
    Evidence &ev = v.evidence;
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
    ev.vpaDaily = daily;
    ev.vpaWindows = int(peaks.size());
    ev.vpaWindowS = windowMs / 1000.0;
}

// The verdict's confidence: the decider's, raised by every further growing incarnation of a
// leak, lowered by each killed incarnation that disagrees.
double combinedConfidence(const Verdict &v, const std::vector<SegmentResult> &segs,
                          const SegmentResult *decider)
{
    double confidence = decider ? decider->seg.confidence : 0.1;
    if (v.kind == Verdict::Kind::Leak && v.evidence.growingIncarnations > 1)
        confidence = std::min(0.99, confidence + 0.05 * (v.evidence.growingIncarnations - 1));
    for (const SegmentResult &s : segs)
        if (s.seg.endedByKill && isRisk(s.seg.kind) && s.seg.kind != v.kind)
            confidence *= 0.85;
    return confidence;
}

// Limit advice: peak demand + headroom (at least limit + 25 % when a kill hid the peak); none
// for a leak, whose VPA/KRR figures come with a warning instead.
void limitAdvice(Verdict &v, const std::vector<SegmentResult> &segs, const SegmentResult *decider,
                 std::optional<double> limit, const ClassifyOptions &options)
{
    const bool censored =
        std::any_of(segs.begin(), segs.end(), [](const SegmentResult &s) { return s.seg.endedByKill; });
    if (v.kind != Verdict::Kind::Leak) {
        double need = double(v.evidence.peakDemandBytes) * (1.0 + options.headroom);
        if (censored && limit && isRisk(v.kind)) {
            need = std::max(need, *limit * 1.25);
            VerdictWarning w;
            w.kind = VerdictWarning::Kind::PeakCensored;
            w.bytes = double(roundUpLimit(need));
            v.warningFacts.push_back(w);
        }
        v.recommendedLimitBytes = roundUpLimit(need);
        return;
    }
    const double slope = decider ? (decider->useFloor ? decider->floor.slope : decider->raw.slope) : 0;
    VerdictWarning w;
    w.kind = VerdictWarning::Kind::LeakOutgrowsAdvice;
    w.fromBytes = double(v.vpaLimitBytes.value_or(0));
    w.toBytes = double(v.krrLimitBytes.value_or(0));
    if (limit && slope > 0 && v.krrLimitBytes && double(*v.krrLimitBytes) > *limit) {
        w.rateBytesPerS = slope;
        w.buysS = (double(*v.krrLimitBytes) - *limit) / slope;
    }
    v.warningFacts.push_back(w);
}

// The growth of the whole range by process, and which of them the deciding incarnation named.
void processEvidence(Verdict &v, std::span<const ProcessSample> processes)
{
    if (processes.empty())
        return;
    v.growthByProcess = attributeGrowth(processes);
    if (v.kind != Verdict::Kind::Leak || !v.decidingSegment)
        return;
    const SegmentFinding &f = v.segments[*v.decidingSegment].finding;
    if (f.processComm.isEmpty() && f.processPid == 0)
        return;
    for (std::size_t i = 0; i < v.growthByProcess.processes.size(); ++i) {
        const ProcessGrowth &g = v.growthByProcess.processes[i];
        if (std::find(g.pids.begin(), g.pids.end(), f.processPid) != g.pids.end()) {
            v.leakingProcess = i;
            break;
        }
    }
}

} // namespace

Verdict classify(std::span<const MemorySample> samplesIn, const ClassifyOptions &options,
                 std::span<const qint64> killTimesMs, std::span<const ProcessSample> processes)
{
    Verdict v;
    Evidence &ev = v.evidence;
    std::vector<MemorySample> kept = usableSamples(samplesIn);
    const Source source = chooseDemandSource(kept, v);
    const std::vector<Pt> pts = toPoints(kept, source);
    ev.sampleCount = int(pts.size());
    const std::optional<double> limit = chooseLimit(kept, options, v);
    if (limit)
        ev.limitBytes = std::int64_t(*limit);
    else if (!pts.empty())
        warn(v, VerdictWarning::Kind::NoLimit);
    if (pts.size() < 2) {
        v.kind = Verdict::Kind::InsufficientData;
        v.confidence = 0.05;
        composeVerdictText(v);
        return v;
    }

    const Context ctx {options, limit, measureSampling(v, pts, options), processes};
    const Incarnations inc = findIncarnations(kept, pts, killTimesMs, options, limit, v);
    const std::vector<SegmentResult> segs = judgeIncarnations(ctx, pts, inc, v);
    const std::optional<Verdict::Kind> chosen = combineVerdicts(segs);
    if (chosen)
        v.decidingSegment = findDecider(segs, *chosen);
    const SegmentResult *decider = v.decidingSegment ? &segs[*v.decidingSegment] : nullptr;
    rangeEvidence(v, pts, ctx, source);
    largestJump(ev, pts, ctx, inc);
    if (decider)
        applyTrend(v, *decider, *chosen, limit);
    workingSetFigures(v, pts);
    std::vector<std::pair<qint64, double>> demand;
    demand.reserve(pts.size());
    for (const Pt &p : pts)
        demand.emplace_back(p.ms, p.demand);
    v.limitReplay = replayDemand(demand, candidateLimits(ev.peakDemandBytes, ev.limitBytes), ev.limitBytes,
                                 ev.kills, options.headroom);
    if (!chosen) {
        v.kind = Verdict::Kind::InsufficientData;
        v.confidence = 0.1;
        composeVerdictText(v);
        return v;
    }
    v.kind = *chosen;
    v.confidence = combinedConfidence(v, segs, decider);
    processEvidence(v, processes);
    limitAdvice(v, segs, decider, limit, options);
    if (ev.gapCount > 0) {
        VerdictWarning w;
        w.kind = VerdictWarning::Kind::Gaps;
        w.count = ev.gapCount;
        w.seconds = double(ev.largestGapMs) / 1000.0;
        v.warningFacts.push_back(w);
    }
    if (v.kind == Verdict::Kind::Fits && limit && ev.peakDemandBytes >= kComfortShare * *limit)
        warn(v, VerdictWarning::Kind::LittleHeadroom);
    composeVerdictText(v);
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
        {u"growth_by_process"_s, growthToJson(v.growthByProcess)},
        {u"limit_replay"_s, limitReplayToJson(v.limitReplay)},
        {u"leaking_process"_s,
         v.leakingProcess ? growthEntryToJson(v.growthByProcess.processes[*v.leakingProcess])
                          : QJsonValue(QJsonValue::Null)},
    };
}

} // namespace oomscope
