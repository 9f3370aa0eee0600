// SPDX-License-Identifier: GPL-3.0-or-later
// Classifies one cgroup's memory over a time range — leak, undersized limit, spike, page cache or
// fits — with the numbers behind the verdict, a trend line for the chart and a limit advice.
//
// ## How the verdict is reached
//
// What is measured. Only memory that reclaim cannot free counts as demand: "unreclaimable" =
// anon + shmem + kernel (MemorySample::unreclaimableBytes()). Shmem/tmpfs is reported as "cache"
// in memory.stat but cannot be dropped without swap, so a leak into /dev/shm is still a leak.
// When anon is not measured the working set (usage - inactive_file) stands in for it, and when
// inactive_file is not known either, usage itself (both said in `warnings`). Samples without a
// usage are ignored; gaps in time (a step longer than 3x the median sampling interval and 1 s)
// are never read as jumps.
//
// Incarnations. The range is cut at every kill (the times passed in, each placed on the sample
// that shows the drop, and every step of the oom_kill counter). Without either, a fall of more
// than half from >= 98 % of the limit is taken as an unreported kill. Each piece — one run of the
// workload — is judged on its own, then the pieces are combined (below). A leading stretch in
// which nothing runs yet (< 2 % of the piece's peak) is skipped.
//
// Trend. The unreclaimable series is reduced to at most 240 time buckets (median of each), and
// a Theil–Sen line (the median of all pairwise slopes; robust to noise and outliers) is fitted;
// its R² says how much of the variation the line explains. The same is done on the floor — the
// trailing minimum over 1/8 of the piece (fitted once a whole window lies behind it) — which is
// what keeps rising in a sawtooth of allocate/free cycles when something is retained each cycle.
// Noise is 1.4826 x the median absolute residual.
//
// Per incarnation, in this order:
// 1. insufficient_data — fewer than 10 usable samples or under 10 s (a killed incarnation needs
//    only 3; one killed within fewer samples than that, after it started, is undersized: its
//    startup does not fit).
// 2. leak — the line has R² >= 0.6 (or, for a sawtooth, the floor line R² >= 0.8: a rolling
//    minimum is smooth even over pure noise, so it must fit better), rises by at least
//    max(4 x noise, 5 % of the median level, 1 MiB) over the piece, keeps rising in the second
//    half (>= 30 % of the overall slope there: no plateau), and the growth lasts >= 30 s (a
//    climb faster than that is a startup, see 4). Confidence grows with R², with the rise over
//    the noise, and with every further incarnation that grows again.
// 3. spike — with a limit: one or two jumps of >= 25 % of the limit within at most two samples
//    (not across a gap), from a stable baseline (>= 5 samples, <= 60 % of the limit) to >= 90 % of the
//    limit or into a kill. A kill from a baseline that never came near the limit is a spike too
//    fast for the sampling interval (lower confidence).
// 4. undersized — with a limit, not a leak: killed (at a plateau, in a burst, or during a quick
//    climb to a level it would then have held), or a plateau (median of the second half) at
//    >= 85 % of the limit, or recurring bursts (>= 3, or >= 5 % of the time) at >= 90 % of it.
// 5. page_cache — not killed, usage reaches >= 90 % of the limit and stays there >= 5 % of the
//    time (or failcnt rises), while unreclaimable memory (p99) stays under 80 % of it: the kernel
//    fills free room with file cache and reclaims it at the limit, so usage looks pinned without
//    any risk.
// 6. fits — anything else. Under 80 % of the limit at the peak: confident; closer: a warning.
// Without a known limit only leak, fits and insufficient_data can be told apart.
//
// Short recordings (under 10 s or 10 samples, not killed) are still judged where the evidence is
// plain: usage at >= 90 % of the limit made of >= 90 % reclaimable cache, failcnt rising, over
// >= 3 s and 5 samples, is page cache (PageCacheBrief; confidence grows with the length).
//
// Per process (given per-process samples; processgrowth.h): in every incarnation, one process
// growing steadily while the others hold is a leak in that process (ProcessLeak), however fast it
// fills the limit and however short the incarnation — it overrides undersized, spike, fits or
// insufficient_data there. A leak found on the cgroup's line names its top grower when that one
// has >= 60 % of the growth. growthByProcess attributes the whole range's growth.
//
// Combining incarnations: a risk (leak, undersized, spike) outranks a benign verdict; among the
// risks the one with the largest sum of confidence x (2 if killed else 1) wins. A leak stays a
// leak whatever the limit: no bigger limit is recommended for it, and the VPA/KRR-style figures
// come with a warning that they would only chase it.
//
// Numbers reported (Evidence): slope of the unreclaimable line (MiB/h) and its R², the floor's
// slope and R², noise, rise, plateau level (% of limit), time >= 90 % of the limit, reclaimable
// share at the limit, the largest jump (size, duration), peaks, failcnt delta, kills, gaps. The
// trend is that of the deciding incarnation; time_to_limit is from the last sample of that
// incarnation to where its line meets the limit (null when it is not growing).
//
// Limit advice (not for a leak): peak unreclaimable (or working set) memory + 20 % headroom,
// rounded up (to 8 MiB under 256 MiB, 32 MiB under 2 GiB, then 128 MiB). When a kill cut the
// climb short the peak is only a lower bound, so at least limit + 25 % is advised, with a
// warning. Shown beside VPA's convention (p90 of daily working-set peaks + 15 %; with less than
// a day of data, p90 of the peaks of 20 equal windows, said in `vpaBasis`) and KRR's (max
// working set + 15 %). limitReplay replays the recorded demand against candidate limits
// (limitreplay.h); its recommendation is shown beside them.
#pragma once

#include "limitreplay.h"
#include "memorysample.h"
#include "processgrowth.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <span>
#include <vector>

namespace oomscope {

struct ClassifyOptions {
    // Use this limit instead of the samples' (what-if, or samples without a limit column).
    std::optional<std::int64_t> limitBytes;
    int minSamples = 10;
    double minDurationS = 10;
    double minLeakDurationS = 30; // growth faster than this is judged as a startup climb
    double headroom = 0.20; // for recommendedLimitBytes
    double gapFactor = 3.0; // a step > gapFactor x median interval (and > 1 s) is a gap
    // Samples thinned to buckets (SampleThinner, a stored level): a step up to this long is the
    // thinning's (two buckets), not a gap in the recording.
    qint64 minGapMs = 0;
    // When no kill times are passed and no oom_kill counter is known, infer kills from falls
    // from the limit.
    bool inferKills = true;
};

struct Evidence {
    int sampleCount = 0; // samples with a usage
    qint64 durationMs = 0;
    double medianIntervalS = 0;
    int gapCount = 0;
    qint64 largestGapMs = 0;
    std::optional<std::int64_t> limitBytes;
    QString demandSource; // "anon+shmem+kernel", "working set", "usage"

    double slopeMiBPerHour = 0; // Theil–Sen line of unreclaimable memory
    double slopeR2 = 0;
    double floorSlopeMiBPerHour = 0; // the same on the rolling minimum (sawtooth floor)
    double floorR2 = 0;
    double noiseMiB = 0;
    double riseMiB = 0; // what the deciding line rises over its incarnation
    std::optional<double> plateauPercentOfLimit; // median of the second half / limit
    double timeAtOrAbove90PercentS = 0; // usage >= 90 % of the limit
    double fractionAtOrAbove90Percent = 0;
    std::optional<double> reclaimableShareAtLimit; // (usage - unreclaimable) / usage there
    std::int64_t largestJumpBytes = 0;
    qint64 largestJumpDurationMs = 0;
    qint64 largestJumpAtMs = 0;
    int largeJumpCount = 0; // jumps >= 25 % of the limit
    std::int64_t peakUsageBytes = 0;
    std::int64_t peakWorkingSetBytes = 0;
    std::int64_t peakDemandBytes = 0; // peak unreclaimable (or its stand-in)
    std::optional<std::int64_t> failcntDelta;
    int kills = 0; // kills inside the range (passed, counted or inferred)
    int incarnations = 0;
    int growingIncarnations = 0; // incarnations judged leak
    std::optional<qint64> timeToLimitFromIncarnationStartS; // along the deciding line
    QString vpaBasis; // vpaBasisText(): how the VPA-style figure was taken
    bool vpaDaily = false; // VPA figure from daily peaks (else from vpaWindows equal windows)
    int vpaWindows = 0;
    double vpaWindowS = 0;
};

// A stretch of time to shade on the chart.
struct Region {
    enum class Kind { Plateau, Spike, NearLimit, Gap, Incarnation };
    Kind kind = Kind::Plateau;
    qint64 startMs = 0;
    qint64 endMs = 0;
    QString label; // regionLabel()
    double amount = 0; // Spike: the jump in bytes; Plateau: its share of the limit
    bool endedByKill = false; // Incarnation: it ended in a kill
};

// The rule that decided one incarnation's verdict, with the numbers behind it; the reason
// sentence is composed from it (verdictsummary.h).
struct SegmentFinding {
    enum class Rule {
        None, // not judged (no samples)
        TooFewSamples, // samples over durationS
        KilledAtStartup, // killed durationS (samples) after it started
        Leak, // unreclaimable memory rises slopeBytesPerS with r2, not levelling off
        LeakFloor, // the floor of allocate/free cycles rises slopeBytesPerS with r2
        NoLimitNoGrowth, // no steady growth, no limit to compare with
        SpikeJump, // baselineBytes (share of the limit) jumped jumpBytes within jumpS (intoKill)
        SpikeUnseen, // killed with peakUsageBytes (share of the limit) far below the limit
        KilledAtPlateau, // held share of the limit, then killed
        KilledInBursts, // bursts from a plateau at share reached the limit, then killed
        KilledDuringClimb, // killed durationS after it started, still climbing
        Plateau, // levels off at share of the limit
        Bursts, // working level share, bursts reached >= 90 % of the limit
        PageCache, // usage at the limit, unreclaimable p99 at share of it
        Fits, // unreclaimable p99 at most share of the limit
        PageCacheBrief, // samples over durationS at the limit, share reclaimable, failcnt +failcntRise
        ProcessLeak, // process comm (pid) grows slopeBytesPerS with r2, processShare of the growth
    };
    Rule rule = Rule::None;
    int samples = 0;
    double durationS = 0;
    double slopeBytesPerS = 0;
    double r2 = 0;
    double share = 0; // of the limit (plateau, peak, baseline or p99, per rule)
    double baselineBytes = 0;
    double jumpBytes = 0;
    double jumpS = 0;
    bool intoKill = false; // SpikeJump: the jump ended in a kill below 90 % of the limit
    double peakUsageBytes = 0;
    int bursts = 0;
    std::int64_t failcntRise = 0;
    // The process the growth comes from (ProcessLeak, or a Leak with a dominant grower).
    QString processComm;
    std::int64_t processPid = 0;
    double processShare = 0;
};

// A caveat of a verdict, with its numbers; verdictsummary.h words it.
struct VerdictWarning {
    enum class Kind {
        WorkingSetStandsIn, // anon not measured
        UsageStandsIn, // neither anon nor inactive_file measured
        LimitChanged, // from fromBytes to toBytes; the last is used
        NoLimit, // only leak, fits and insufficient_data possible
        InferredKills, // count falls from the limit taken as kills
        PeakCensored, // a kill cut the growth short: bytes is a lower bound
        LeakOutgrowsAdvice, // VPA fromBytes / KRR toBytes would chase a leak (growing at rate)
        Gaps, // count gaps, longest seconds
        LittleHeadroom, // < 20 % headroom at the peak
    };
    Kind kind = Kind::NoLimit;
    int count = 0;
    double fromBytes = 0;
    double toBytes = 0;
    double bytes = 0;
    double seconds = 0;
    double rateBytesPerS = 0; // LeakOutgrowsAdvice: with buysS, what the KRR figure buys
    std::optional<double> buysS;
};

// The fitted line of the deciding incarnation, for drawing (bytes over epoch ms).
struct TrendLine {
    bool valid = false;
    bool onFloor = false; // fitted to the rolling minimum (sawtooth)
    qint64 startMs = 0;
    qint64 endMs = 0;
    double startBytes = 0;
    double slopeBytesPerS = 0;
    std::optional<qint64> limitCrossingMs; // where the line meets the limit, when it rises
    double valueAt(qint64 ms) const { return startBytes + slopeBytesPerS * double(ms - startMs) / 1000.0; }
};

struct Verdict {
    enum class Kind { Leak, Undersized, Spike, PageCache, Fits, InsufficientData };

    // One incarnation (between kills) as judged on its own.
    struct Segment {
        Kind kind = Kind::InsufficientData;
        double confidence = 0;
        qint64 startMs = 0;
        qint64 endMs = 0;
        bool endedByKill = false;
        int sampleCount = 0;
        double slopeMiBPerHour = 0;
        double r2 = 0;
        SegmentFinding finding;
        QString reason; // segmentReason(finding)
    };

    Kind kind = Kind::InsufficientData;
    double confidence = 0;
    Evidence evidence;
    std::optional<qint64> timeToLimitS;
    std::optional<std::int64_t> recommendedLimitBytes; // never for a leak
    std::optional<std::int64_t> vpaLimitBytes;
    std::optional<std::int64_t> krrLimitBytes;
    std::optional<std::size_t> decidingSegment; // the segment whose finding decided the verdict
    std::vector<VerdictWarning> warningFacts;
    QString summary; // verdictSummary(): composed from the above
    QStringList warnings; // verdictWarningText() of each warningFacts
    std::vector<Region> regions;
    TrendLine trend;
    std::vector<Segment> segments;
    GrowthAttribution growthByProcess; // empty without per-process samples
    std::optional<std::size_t> leakingProcess; // index into growthByProcess.processes
    LimitReplay limitReplay; // the recorded demand against candidate limits (limitreplay.h)
};

// JSON names: leak, undersized, spike, page_cache, fits, insufficient_data.
QString verdictKindName(Verdict::Kind kind);
QString regionKindName(Region::Kind kind);

// Samples of one cgroup sorted by time; killTimesMs are wall times (epoch ms) of kills of that
// cgroup (e.g. from timeline.h eventWallTimeMs), in any order; those outside the range are
// ignored. processes: that cgroup's per-process rows (any order), for the growth by process.
Verdict classify(std::span<const MemorySample> samples, const ClassifyOptions &options = {},
                 std::span<const qint64> killTimesMs = {}, std::span<const ProcessSample> processes = {});

// The verdict as a JSON object (snake_case keys, bytes and seconds, null where unknown).
QJsonObject verdictToJson(const Verdict &verdict);

} // namespace oomscope
