// SPDX-License-Identifier: GPL-3.0-or-later
#include "labworkloads.h"

#include <random>

using namespace Qt::StringLiterals;

namespace oomscope::lab {

namespace {

double draw(std::mt19937_64 &rng, double lo, double hi)
{
    return std::uniform_real_distribution<double>(lo, hi)(rng);
}

std::int64_t drawLimit(std::mt19937_64 &rng)
{
    return std::int64_t(std::llround(draw(rng, 48, 128))) * kMiB;
}

QString num(double v)
{
    return QString::number(v, 'f', 3);
}

double mibOf(std::int64_t bytes)
{
    return double(bytes) / double(kMiB);
}

// Four processes in one cgroup, one of them (leaker) leaking rateMiBps after delayS; the others
// hold holdMiB[i]; adjs per process.
Spec severalProcessLeak(const QString &name, std::int64_t limitBytes, int leaker, double rateMiBps,
                        double delayS, const std::vector<double> &holdMiB, const QStringList &adjs)
{
    Spec s;
    s.name = name;
    s.expected = u"leak"_s;
    s.limitBytes = limitBytes;
    s.realRateMiBps = rateMiBps;
    s.leakerProcess = leaker;
    s.expectKill = true;
    std::vector<QStringList> procs;
    QStringList parts;
    for (int i = 0; i < int(holdMiB.size()); ++i) {
        if (i == leaker) {
            procs.push_back({u"leak"_s, u"--rate-mibps"_s, num(rateMiBps), u"--base-mib"_s, num(holdMiB[i]),
                             u"--delay-s"_s, num(delayS), u"--adj"_s, adjs[i]});
            parts << u"#%1 adj %2 holds %3 MiB, leaks %4 MiB/s after %5 s"_s.arg(i).arg(
                adjs[i], num(holdMiB[i]), num(rateMiBps), num(delayS));
        } else {
            procs.push_back({u"hold"_s, u"--base-mib"_s, num(holdMiB[i]), u"--adj"_s, adjs[i]});
            parts << u"#%1 adj %2 holds %3 MiB"_s.arg(i).arg(adjs[i], num(holdMiB[i]));
        }
    }
    s.args = procs.front();
    s.extraProcesses.assign(procs.begin() + 1, procs.end());
    s.description = parts.join(u"; "_s);
    return s;
}

Spec pageCacheReader(const QString &name, std::int64_t limitBytes, const QString &file,
                     std::int64_t fileBytes, double rateMiBps, double stopAfterS)
{
    Spec s;
    s.name = name;
    s.expected = u"page_cache"_s;
    s.limitBytes = limitBytes;
    s.cacheFile = file;
    s.cacheFileBytes = fileBytes;
    s.args = {u"pagecache"_s, u"--file"_s, file, u"--rate-mibps"_s, num(rateMiBps)};
    s.stopAfterS = stopAfterS;
    s.description = u"reads a %1 MiB file on disk in a loop at %2 MiB/s for %3 s"_s.arg(
        QString::number(fileBytes / kMiB), num(rateMiBps), num(stopAfterS));
    return s;
}

// The issue's two measured failures, at their fixed sizes.
void addIssueShapes(std::vector<Spec> &specs, const QString &cacheDir)
{
    specs.push_back(severalProcessLeak(u"issue12-fast-leak"_s, 128 * kMiB, 1, 4.0, 3.0, {20, 12, 18, 16},
                                       {u"0"_s, u"0"_s, u"0"_s, u"0"_s}));
    specs.push_back(
        pageCacheReader(u"issue12-backup"_s, 64 * kMiB, cacheDir + u"/backup.bin"_s, 160 * kMiB, 120, 7));
}

// 9. Three processes with oom_score_adj 0 / 500 / -500, one leaking: whom does the kernel kill?
Spec victimSpec(std::mt19937_64 &rng, quint64 seed, bool negativeAdj)
{
    Spec s;
    s.name = u"victim"_s;
    s.expected = QString(); // judged by the prediction, not the classifier
    s.limitBytes = std::int64_t(std::llround(draw(rng, 64, 128))) * kMiB;
    const int leaker = int(seed % 3);
    // Without CAP_SYS_RESOURCE all three move up by 500: the badness term is linear in the
    // adj, so the ranking is the same.
    const QStringList adjs =
        negativeAdj ? QStringList {u"0"_s, u"500"_s, u"-500"_s} : QStringList {u"500"_s, u"1000"_s, u"0"_s};
    const double rate = mibOf(s.limitBytes) / draw(rng, 12, 20);
    std::vector<QStringList> procs;
    QStringList parts;
    for (int i = 0; i < 3; ++i) {
        if (i == leaker) {
            procs.push_back({u"leak"_s, u"--rate-mibps"_s, num(rate), u"--adj"_s, adjs[i]});
            parts << u"adj %1 leaks %2 MiB/s"_s.arg(adjs[i], num(rate));
        } else {
            const double hold = draw(rng, 4, 12);
            procs.push_back({u"hold"_s, u"--base-mib"_s, num(hold), u"--adj"_s, adjs[i]});
            parts << u"adj %1 holds %2 MiB"_s.arg(adjs[i], num(hold));
        }
    }
    s.args = procs.front();
    s.extraProcesses.assign(procs.begin() + 1, procs.end());
    s.expectKill = true;
    s.description = parts.join(u"; "_s);
    return s;
}

// 10. Four processes, one leaking 2-20 MiB/s (which one, its adj and the limit vary): a leak in
// that process, however fast it fills the limit (8-30 s).
Spec processLeakSpec(std::mt19937_64 &rng, bool negativeAdj)
{
    const int leaker = int(rng() % 4);
    const double rate = draw(rng, 2, 20);
    std::vector<double> holds;
    QStringList adjs;
    const QStringList choices = negativeAdj ? QStringList {u"-300"_s, u"0"_s, u"200"_s, u"600"_s}
                                            : QStringList {u"0"_s, u"100"_s, u"300"_s, u"600"_s};
    double held = 0;
    for (int i = 0; i < 4; ++i) {
        holds.push_back(draw(rng, 5, 16));
        held += holds.back();
        adjs << choices[int(rng() % 4)];
    }
    const double fillS = std::min(draw(rng, 8, 30), (320 - held) / rate);
    const std::int64_t limit = std::int64_t(std::llround(held + 2 + rate * fillS)) * kMiB;
    return severalProcessLeak(u"process-leak"_s, limit, leaker, rate, draw(rng, 1, 4), holds, adjs);
}

// 3. Sawtooth with a rising floor.
Spec sawtoothSpec(std::mt19937_64 &rng)
{
    Spec s;
    s.name = u"sawtooth"_s;
    s.expected = u"leak"_s;
    s.limitBytes = drawLimit(rng);
    const double limitMib = mibOf(s.limitBytes);
    const double cycleMib = draw(rng, 0.2, 0.3) * limitMib;
    const double periodS = draw(rng, 2.0, 3.5);
    const double fillS = draw(rng, 38, 48);
    const double keepMib = (0.97 * limitMib - cycleMib) / (fillS / periodS);
    s.realRateMiBps = keepMib / periodS;
    s.args = {u"sawtooth"_s, u"--cycle-mib"_s, num(cycleMib), u"--keep-mib"_s,
              num(keepMib),  u"--period-s"_s,  num(periodS)};
    s.expectKill = true;
    s.description = u"sawtooth %1 MiB every %2 s, keeps %3 MiB per cycle"_s.arg(num(cycleMib), num(periodS),
                                                                                num(keepMib));
    return s;
}

} // namespace

std::vector<Spec> makeSpecs(quint64 seed, const QString &cacheDir, bool negativeAdj, bool issueShapes)
{
    std::mt19937_64 rng(seed);
    std::vector<Spec> specs;
    const auto seedArg = [&rng] {
        return QString::number(rng() % 1000000);
    };

    // 1. Steady anon leaks, killed after 34-50 s (a leak needs >= 30 s to be told from a startup).
    for (int i = 0; i < 2; ++i) {
        Spec s;
        s.name = i == 0 ? u"leak-a"_s : u"leak-b"_s;
        s.expected = u"leak"_s;
        s.limitBytes = drawLimit(rng);
        const double fillS = i == 0 ? draw(rng, 34, 42) : draw(rng, 42, 50);
        s.realRateMiBps = mibOf(s.limitBytes) / fillS;
        const double jitter = i == 0 ? 0 : draw(rng, 1, 4);
        s.args = {u"leak"_s,   u"--rate-mibps"_s, num(s.realRateMiBps), u"--jitter-mib"_s, num(jitter),
                  u"--seed"_s, seedArg()};
        s.expectKill = true;
        s.description = u"anon leak %1 MiB/s, jitter 0..%2 MiB"_s.arg(num(s.realRateMiBps), num(jitter));
        specs.push_back(s);
    }
    // 2. A leak hidden in shmem (memfd: "cache" in memory.stat, yet not reclaimable).
    {
        Spec s;
        s.name = u"shmem-leak"_s;
        s.expected = u"leak"_s;
        s.limitBytes = drawLimit(rng);
        s.realRateMiBps = mibOf(s.limitBytes) / draw(rng, 35, 48);
        s.args = {u"shmem"_s, u"--rate-mibps"_s, num(s.realRateMiBps)};
        s.expectKill = true;
        s.description = u"shmem (memfd) leak %1 MiB/s"_s.arg(num(s.realRateMiBps));
        specs.push_back(s);
    }
    specs.push_back(sawtoothSpec(rng));
    // 4. A startup footprint over the limit.
    {
        Spec s;
        s.name = u"startup"_s;
        s.expected = u"undersized"_s;
        s.limitBytes = drawLimit(rng);
        const double rate = draw(rng, 10, 30);
        s.args = {u"startup"_s, u"--target-mib"_s, num(1.3 * mibOf(s.limitBytes)), u"--rate-mibps"_s,
                  num(rate)};
        s.expectKill = true;
        s.description = u"startup climb to 1.3x the limit at %1 MiB/s"_s.arg(num(rate));
        specs.push_back(s);
    }
    // 5. A plateau at 86-90 % with bursts just under or at the limit (killed or not: undersized).
    {
        Spec s;
        s.name = u"plateau"_s;
        s.expected = u"undersized"_s;
        s.limitBytes = drawLimit(rng);
        const double limitMib = mibOf(s.limitBytes);
        const double base = draw(rng, 0.86, 0.90) * limitMib;
        const double burst = draw(rng, 0.03, 0.08) * limitMib;
        const double every = draw(rng, 2.5, 4.0);
        const double burstS = draw(rng, 0.4, 0.8);
        s.args = {u"plateau"_s,         u"--base-mib"_s, num(base),      u"--burst-mib"_s, num(burst),
                  u"--burst-every-s"_s, num(every),      u"--burst-s"_s, num(burstS)};
        s.stopAfterS = 30;
        s.description = u"plateau %1 MiB (%2 %) + bursts of %3 MiB every %4 s for %5 s"_s.arg(
            num(base), num(100 * base / limitMib), num(burst), num(every), num(burstS));
        specs.push_back(s);
    }
    // 6. A one-off spike from a stable baseline.
    {
        Spec s;
        s.name = u"spike"_s;
        s.expected = u"spike"_s;
        s.limitBytes = drawLimit(rng);
        const double limitMib = mibOf(s.limitBytes);
        const double base = draw(rng, 0.25, 0.35) * limitMib;
        const double hold = draw(rng, 12, 18);
        const double spike = draw(rng, 1.0, 1.3) * limitMib;
        s.args = {u"spike"_s, u"--base-mib"_s,  num(base), u"--hold-s"_s,
                  num(hold),  u"--spike-mib"_s, num(spike)};
        s.expectKill = true;
        s.description =
            u"baseline %1 MiB for %2 s, then +%3 MiB at once"_s.arg(num(base), num(hold), num(spike));
        specs.push_back(s);
    }
    // 7. A page-cache-heavy reader of a file larger than the limit, for 30 s and in a 5-10 s burst.
    for (const bool burst : {false, true}) {
        const std::int64_t limit = drawLimit(rng);
        const std::int64_t fileBytes = std::int64_t(draw(rng, 1.5, 2.2) * double(limit)) / kMiB * kMiB;
        const double rate = draw(rng, 60, 150);
        specs.push_back(pageCacheReader(burst ? u"cache-burst"_s : u"pagecache"_s, limit,
                                        cacheDir + (burst ? u"/burst.bin"_s : u"/pagecache.bin"_s), fileBytes,
                                        rate, burst ? draw(rng, 5, 10) : 30));
    }
    // 8. A workload that fits.
    {
        Spec s;
        s.name = u"fits"_s;
        s.expected = u"fits"_s;
        s.limitBytes = drawLimit(rng);
        const double base = draw(rng, 0.2, 0.4) * mibOf(s.limitBytes);
        const double wobble = draw(rng, 0.5, 3);
        s.args = {u"hold"_s,   u"--base-mib"_s, num(base), u"--wobble-mib"_s,
                  num(wobble), u"--seed"_s,     seedArg()};
        s.stopAfterS = 30;
        s.description = u"holds %1 MiB, 0..%2 MiB come and go"_s.arg(num(base), num(wobble));
        specs.push_back(s);
    }
    specs.push_back(victimSpec(rng, seed, negativeAdj));
    specs.push_back(processLeakSpec(rng, negativeAdj));
    if (issueShapes)
        addIssueShapes(specs, cacheDir);
    return specs;
}

QString describe(const Recording &r)
{
    QStringList out;
    out << u"workload %1 (%2), limit %3 MiB, expected %4"_s.arg(
        r.spec.name, r.spec.description, QString::number(r.spec.limitBytes / kMiB), r.spec.expected);
    out << u"  recorded %1 samples over %2 s, kernel kills %3"_s.arg(r.samples.size())
               .arg(double(r.endMs - r.spawnMs) / 1000.0, 0, 'f', 1)
               .arg(r.killTimesMs.size());
    if (!r.verdict)
        return out.join(u'\n');
    const Verdict &v = *r.verdict;
    const Evidence &e = v.evidence;
    out << u"  verdict %1 (confidence %2): %3"_s.arg(verdictKindName(v.kind))
               .arg(v.confidence, 0, 'f', 2)
               .arg(v.summary);
    out << u"  slope %1 MiB/h (R² %2), floor %3 MiB/h (R² %4), trend %5 MiB/s%6, noise %7 MiB, rise %8 MiB"_s
               .arg(e.slopeMiBPerHour, 0, 'f', 0)
               .arg(e.slopeR2, 0, 'f', 2)
               .arg(e.floorSlopeMiBPerHour, 0, 'f', 0)
               .arg(e.floorR2, 0, 'f', 2)
               .arg(v.trend.slopeBytesPerS / double(kMiB), 0, 'f', 3)
               .arg(v.trend.onFloor ? u" (floor)"_s : QString())
               .arg(e.noiseMiB, 0, 'f', 2)
               .arg(e.riseMiB, 0, 'f', 1);
    out << u"  plateau %1 %, >= 90 %: %2 s, reclaimable at limit %3, peak usage %4 MiB, peak demand %5 MiB, "
           u"largest jump %6 MiB in %7 ms, failcnt +%8, kills %9"_s
               .arg(e.plateauPercentOfLimit ? QString::number(*e.plateauPercentOfLimit, 'f', 1) : u"-"_s)
               .arg(e.timeAtOrAbove90PercentS, 0, 'f', 1)
               .arg(e.reclaimableShareAtLimit ? QString::number(*e.reclaimableShareAtLimit, 'f', 2) : u"-"_s)
               .arg(mibOf(e.peakUsageBytes), 0, 'f', 1)
               .arg(mibOf(e.peakDemandBytes), 0, 'f', 1)
               .arg(mibOf(e.largestJumpBytes), 0, 'f', 1)
               .arg(e.largestJumpDurationMs)
               .arg(e.failcntDelta ? QString::number(*e.failcntDelta) : u"-"_s)
               .arg(e.kills);
    out << u"  recommended limit %1"_s.arg(
        v.recommendedLimitBytes ? QString::number(mibOf(*v.recommendedLimitBytes), 'f', 0) + u" MiB"_s
                                : u"none"_s);
    for (const Verdict::Segment &s : v.segments)
        out << u"  segment %1 %2 (%3, %4 samples, killed %5): %6"_s.arg(verdictKindName(s.kind))
                   .arg(s.confidence, 0, 'f', 2)
                   .arg(u"%1 s"_s.arg(double(s.endMs - s.startMs) / 1000.0, 0, 'f', 1))
                   .arg(s.sampleCount)
                   .arg(s.endedByKill ? u"yes"_s : u"no"_s)
                   .arg(s.reason);
    for (const QString &w : v.warnings)
        out << u"  warning: "_s + w;
    for (const ProcessGrowth &g : v.growthByProcess.processes)
        out << u"  growth: %1 (pid %2) %3 MiB/s, R² %4, %5 % of the growth, %6 -> %7 MiB"_s.arg(g.comm)
                   .arg(g.pid)
                   .arg(g.slopeBytesPerS / double(kMiB), 0, 'f', 2)
                   .arg(g.r2, 0, 'f', 2)
                   .arg(g.shareOfGrowth * 100, 0, 'f', 0)
                   .arg(double(g.startKb) / 1024, 0, 'f', 1)
                   .arg(double(g.endKb) / 1024, 0, 'f', 1);
    return out.join(u'\n');
}

} // namespace oomscope::lab
