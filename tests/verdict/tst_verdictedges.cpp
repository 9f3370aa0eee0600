// SPDX-License-Identifier: GPL-3.0-or-later
// The verdict classifier at its edges — gaps, restarts, a kill in the middle, too few or unknown
// samples, no limit, the JSON form — on the real checkout-leak recording, whose truth.json says
// what happened, and the words composed from its structured findings.
#include "oomreportparser.h"
#include "recordingcsv.h"
#include "timeline.h"
#include "verdict.h"
#include "verdictfixture.h"
#include "verdictsummary.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <functional>
#include <random>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace verdicttest;

namespace {

const QString kRecording = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/checkout-leak");

} // namespace

class VerdictEdgesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gapIsNotAJump()
    {
        // Recording stopped for 40 minutes; the workload came back at a higher, stable level.
        Noise noise(81);
        const double limit = 1024 * kMiB;
        auto a = series(3600.0, 10.0, mib(1024), [&](double) {
            return Parts {0.25 * limit + noise(2 * kMiB), 10 * kMiB, 0, 5 * kMiB};
        });
        const auto b = series(
            3600.0, 10.0, mib(1024),
            [&](double) {
                return Parts {0.55 * limit + noise(2 * kMiB), 10 * kMiB, 0, 5 * kMiB};
            },
            kT0 + (3600 + 2400) * 1000);
        a.insert(a.end(), b.begin(), b.end());
        const Verdict v = classify(a);
        QVERIFY2(v.kind == Verdict::Kind::Fits, describe(v));
        QCOMPARE(v.evidence.gapCount, 1);
        QVERIFY(v.evidence.largestJumpBytes < std::int64_t(0.05 * limit));
        QVERIFY(std::any_of(v.regions.begin(), v.regions.end(),
                            [](const Region &r) { return r.kind == Region::Kind::Gap; }));
    }

    void leakWithGaps()
    {
        Noise noise(82);
        std::vector<MemorySample> s = series(6 * 3600.0, 30.0, mib(2048), [&](double t) {
            return Parts {(300 + 100 * t / 3600.0 + noise(3)) * kMiB, 10 * kMiB, 0, 5 * kMiB};
        });
        // Drop two stretches of an hour each.
        std::erase_if(s, [](const MemorySample &m) {
            const qint64 h = (m.timestampMs - kT0) / 3600000;
            return h == 1 || h == 4;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QCOMPARE(v.evidence.gapCount, 2);
        QVERIFY2(std::abs(v.evidence.slopeMiBPerHour - 100) < 10, describe(v));
    }

    void restartedLeak()
    {
        // Three incarnations, each leaking at 40 MiB/min from 30 MiB, killed at the 512 MiB limit.
        Noise noise(91);
        const double limit = 512 * kMiB;
        std::vector<MemorySample> s;
        std::vector<qint64> kills;
        double t = 0;
        for (int run = 0; run < 3; ++run) {
            for (double r = 0;; r += 2.0, t += 2.0) {
                const Parts p {(30 + 40 * r / 60.0 + noise(1)) * kMiB, 8 * kMiB, 0, 4 * kMiB};
                s.push_back(makeSample(kT0 + qint64(t * 1000), p, mib(512)));
                if (p.anon + p.file + 2 * kMiB >= limit) {
                    kills.push_back(kT0 + qint64(t * 1000) + 1000);
                    t += 2.0;
                    break;
                }
            }
        }
        const Verdict v = classify(s, {}, kills);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QCOMPARE(v.evidence.incarnations, 3);
        QCOMPARE(v.evidence.growingIncarnations, 3);
        QVERIFY2(std::abs(v.evidence.slopeMiBPerHour - 2400) < 240, describe(v));
        QVERIFY(!v.recommendedLimitBytes);
        for (std::size_t i = 0; i < v.segments.size(); ++i)
            QCOMPARE(v.segments[i].endedByKill, true);

        // One incarnation alone is less certain than three that each grew again.
        const std::vector<MemorySample> first(s.begin(), s.begin() + std::ptrdiff_t(s.size() / 3));
        const Verdict one = classify(first, {}, std::span<const qint64>(kills).first(1));
        QCOMPARE(one.kind, Verdict::Kind::Leak);
        QVERIFY(v.confidence > one.confidence);
    }

    void killInTheMiddle()
    {
        // A plateau at 95 % killed by a burst halfway; the restart settles again.
        Noise noise(92);
        const double limit = 640 * kMiB;
        std::vector<MemorySample> s = series(3600.0, 10.0, mib(640), [&](double t) {
            Parts p;
            p.anon = std::min(0.95, 0.2 + t / 400.0) * limit + noise(2 * kMiB);
            if (t >= 1800 && t < 1830)
                p.anon = 0; // killed; the restart takes 30 s
            else if (t >= 1830)
                p.anon = std::min(0.95, 0.2 + (t - 1830) / 400.0) * limit + noise(2 * kMiB);
            p.file = 5 * kMiB;
            p.inactiveFile = 2 * kMiB;
            return p;
        });
        const qint64 kill = kT0 + 1795 * 1000;
        const Verdict v = classify(s, {}, std::span<const qint64>(&kill, 1));
        QVERIFY2(v.kind == Verdict::Kind::Undersized, describe(v));
        QCOMPARE(v.evidence.incarnations, 2);
        QVERIFY(v.segments[0].endedByKill);
        QVERIFY(!v.segments[1].endedByKill);
        QVERIFY(v.segments[1].startMs > kill);
        QCOMPARE(v.segments[0].kind, Verdict::Kind::Undersized);
    }

    void tooFewSamples()
    {
        const auto s = series(40.0, 10.0, mib(512), [](double) { return Parts {100 * kMiB, 0, 0, 0}; });
        QCOMPARE(s.size(), std::size_t(5));
        const Verdict v = classify(s);
        QCOMPARE(v.kind, Verdict::Kind::InsufficientData);
        QVERIFY(v.confidence < 0.3);
        QVERIFY(!v.summary.isEmpty());
        QCOMPARE(classify({}).kind, Verdict::Kind::InsufficientData);
    }

    void allUnknown()
    {
        std::vector<MemorySample> s;
        for (int i = 0; i < 100; ++i) {
            MemorySample m;
            m.timestampMs = kT0 + i * 1000;
            s.push_back(m);
        }
        const Verdict v = classify(s);
        QCOMPARE(v.kind, Verdict::Kind::InsufficientData);
        QCOMPARE(v.evidence.sampleCount, 0);

        // Only usage known: a leak is still a leak, said to rest on usage.
        for (std::size_t i = 0; i < s.size(); ++i) {
            s[i].usageBytes = mib(100 + double(i) * 0.5);
            s[i].limitBytes = mib(512);
        }
        const Verdict u = classify(s, {}, {});
        QVERIFY2(u.kind == Verdict::Kind::Leak, describe(u));
        QCOMPARE(u.evidence.demandSource, u"usage"_s);
        QVERIFY(!u.warnings.isEmpty());
    }

    void noLimit()
    {
        Noise noise(93);
        auto flat = series(3600.0, 10.0, MemorySample::kUnlimited, [&](double) {
            return Parts {(300 + noise(3)) * kMiB, 20 * kMiB, 0, 10 * kMiB};
        });
        const Verdict f = classify(flat);
        QVERIFY2(f.kind == Verdict::Kind::Fits, describe(f));
        QVERIFY(!f.evidence.limitBytes);
        auto leak = series(3600.0, 10.0, MemorySample::kUnlimited, [&](double t) {
            return Parts {(300 + 200 * t / 3600.0 + noise(3)) * kMiB, 20 * kMiB, 0, 10 * kMiB};
        });
        const Verdict l = classify(leak);
        QVERIFY2(l.kind == Verdict::Kind::Leak, describe(l));
        QVERIFY(!l.timeToLimitS);
        // The same with a what-if limit.
        ClassifyOptions o;
        o.limitBytes = mib(1024);
        const Verdict w = classify(leak, o);
        QVERIFY(w.timeToLimitS.has_value());
        QVERIFY(std::abs(double(*w.timeToLimitS) - (1024 - 502.0) / 200 * 3600) < 600);
    }

    void json()
    {
        Noise noise(94);
        const auto s = series(3600.0, 10.0, mib(512), [&](double t) {
            return Parts {(100 + 150 * t / 3600.0 + noise(1)) * kMiB, 10 * kMiB, 0, 5 * kMiB};
        });
        const QJsonObject o = verdictToJson(classify(s));
        QCOMPARE(o.value(u"verdict"_s).toString(), u"leak"_s);
        QVERIFY(o.value(u"recommended_limit_bytes"_s).isNull());
        QVERIFY(o.value(u"time_to_limit_s"_s).toDouble() > 0);
        QVERIFY(o.value(u"evidence"_s).toObject().contains(u"slope_mib_per_h"_s));
        QVERIFY(o.value(u"trend"_s).isObject());
        QCOMPARE(o.value(u"segments"_s).toArray().size(), 1);
    }

    // The real incident: a leak of ~1.8 MiB/s in a 128 MiB cgroup, killed after ~59 s.
    void checkoutLeakRecording()
    {
        QFile samplesFile(kRecording + u"/samples.csv"_s);
        QFile truthFile(kRecording + u"/truth.json"_s);
        QFile logFile(kRecording + u"/kernel.log"_s);
        for (QFile *file : {&samplesFile, &truthFile, &logFile}) // committed fixtures
            QVERIFY2(file->open(QIODevice::ReadOnly),
                     qPrintable(file->fileName() + u": "_s + file->errorString()));
        const QJsonObject truth = QJsonDocument::fromJson(truthFile.readAll()).object();
        const SamplesCsvResult read = readSamplesCsv(samplesFile, u"checkout"_s);
        QVERIFY(read.error.isEmpty());
        QCOMPARE(read.series.size(), std::size_t(1));
        const std::vector<MemorySample> &samples = read.series.front().samples;

        const ParseResult parsed = OomReportParser().parse(logFile.readAll());
        QCOMPARE(parsed.events.size(), std::size_t(1));
        const std::optional<qint64> kill =
            eventWallTimeMs(parsed.events.front(), bootTimeMsFromSamples(samples));
        QVERIFY(kill.has_value());

        const Verdict v = classify(samples, {}, std::span<const qint64>(&*kill, 1));
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QCOMPARE(truth.value(u"cause"_s).toString(), verdictKindName(v.kind));
        QCOMPARE(v.evidence.limitBytes.value_or(0), std::int64_t(truth.value(u"limit_bytes"_s).toDouble()));
        // truth.json: "retains ~1.8 MiB/s".
        QVERIFY2(std::abs(v.evidence.slopeMiBPerHour / 3600.0 - 1.8) < 0.2, describe(v));
        QVERIFY(v.evidence.slopeR2 > 0.9);
        QCOMPARE(v.evidence.kills, 1);
        QVERIFY(v.segments.front().endedByKill);
        // The leaking incarnation ended at the kill; its line meets the limit there, and the time
        // from its start to the limit matches the observed time to the first kill.
        QVERIFY(v.timeToLimitS.has_value());
        QVERIFY(*v.timeToLimitS <= 5);
        QVERIFY(v.trend.limitCrossingMs.has_value());
        QVERIFY2(std::abs(double(*v.trend.limitCrossingMs - *kill)) < 5000,
                 QByteArray::number(*v.trend.limitCrossingMs - *kill));
        const double observed =
            truth.value(u"observed"_s).toObject().value(u"time_to_first_kill_s"_s).toDouble();
        QVERIFY(v.evidence.timeToLimitFromIncarnationStartS.has_value());
        QVERIFY2(std::abs(double(*v.evidence.timeToLimitFromIncarnationStartS) - observed) < 0.1 * observed,
                 QByteArray::number(*v.evidence.timeToLimitFromIncarnationStartS));
        QVERIFY(!v.recommendedLimitBytes);
        QVERIFY(v.warnings.join(u' ').contains(u"chase"_s));

        // The run-up alone (what a live view shows just before the kill): a leak, limit imminent.
        std::vector<MemorySample> runUp;
        for (const MemorySample &m : samples)
            if (m.timestampMs < *kill - 10000)
                runUp.push_back(m);
        const Verdict r = classify(runUp);
        QVERIFY2(r.kind == Verdict::Kind::Leak, describe(r));
        QVERIFY(r.timeToLimitS.has_value());
        QVERIFY2(std::abs(double(*r.timeToLimitS) - 10.0) < 5.0, QByteArray::number(*r.timeToLimitS));
    }

    // The findings → words seam (verdictsummary.h).
    void plateauFindingCarriesItsNumbers()
    {
        const auto s = plateauUnderLimit();
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Undersized, describe(v));
        QVERIFY(v.decidingSegment);
        const Verdict::Segment &seg = v.segments[*v.decidingSegment];
        QCOMPARE(seg.finding.rule, SegmentFinding::Rule::Plateau);
        // anon 93 % of the limit plus 2 MiB kernel: the plateau share is the evidence's percent.
        QVERIFY(std::abs(seg.finding.share * 100.0 - *v.evidence.plateauPercentOfLimit) < 1e-9);
        QCOMPARE(seg.reason, segmentReason(seg.finding));
        QCOMPARE(v.summary, verdictSummary(v));
        QVERIFY2(v.summary.startsWith(u"Undersized limit: it levels off at 9"_s), v.summary.toUtf8());
        for (const Region &r : v.regions)
            QCOMPARE(r.label, regionLabel(r));
    }

    void composerSegmentReasons()
    {
        SegmentFinding plateau;
        plateau.rule = SegmentFinding::Rule::Plateau;
        plateau.share = 0.92;
        QCOMPARE(segmentReason(plateau), u"it levels off at 92 % of the limit"_s);

        SegmentFinding spike;
        spike.rule = SegmentFinding::Rule::SpikeJump;
        spike.baselineBytes = 100 * kMiB;
        spike.share = 0.1;
        spike.jumpBytes = 800 * kMiB;
        spike.jumpS = 2;
        spike.intoKill = true;
        QCOMPARE(
            segmentReason(spike),
            u"a stable baseline of 100 MiB (10 % of the limit) jumped by 800 MiB within 2.0 s to a kill"_s);
        spike.intoKill = false;
        QVERIFY(segmentReason(spike).endsWith(u"to the limit"_s));

        SegmentFinding leak;
        leak.rule = SegmentFinding::Rule::LeakFloor;
        leak.slopeBytesPerS = 10 * kMiB / 3600.0;
        leak.r2 = 0.912;
        QCOMPARE(segmentReason(leak), u"the floor of its allocate/free cycles rises 10.0 MiB/h (R² 0.91)"_s);
        QCOMPARE(segmentReason(SegmentFinding {}), QString());
    }

    void composerSummaries()
    {
        Verdict v;
        v.kind = Verdict::Kind::Undersized;
        v.evidence.limitBytes = mib(512);
        v.recommendedLimitBytes = mib(640);
        Verdict::Segment seg;
        seg.reason = u"it levels off at 95 % of the limit"_s;
        seg.endedByKill = true;
        v.segments = {seg};
        v.decidingSegment = 0;
        QCOMPARE(verdictSummary(v),
                 u"Undersized limit: it levels off at 95 % of the limit; the 512 MiB limit is "
                 u"too small for this workload — about 640 MiB would fit."_s);

        v.kind = Verdict::Kind::Leak;
        v.segments[0].reason = u"unreclaimable memory rises 5.0 MiB/h (R² 0.99) without levelling off"_s;
        v.evidence.growingIncarnations = 3;
        QCOMPARE(
            verdictSummary(v),
            u"Leak: unreclaimable memory rises 5.0 MiB/h (R² 0.99) without levelling off. Each of 3 "
            u"incarnations (between kills) grew the same way. It reached the 512 MiB limit and was killed. "
            u"A bigger limit only delays the next kill; fix what retains memory."_s);
        v.segments[0].endedByKill = false;
        v.timeToLimitS = 7200;
        QVERIFY(verdictSummary(v).contains(u"At this rate it reaches the 512 MiB limit in 2.0 h."_s));

        Verdict none;
        QCOMPARE(verdictSummary(none), u"No sample has a usable memory reading: nothing to judge."_s);
        none.evidence.sampleCount = 4;
        none.evidence.durationMs = 3000;
        QCOMPARE(verdictSummary(none), u"4 usable samples over 3.0 s: too few to judge."_s);
    }

    void composerWarnings()
    {
        VerdictWarning chase;
        chase.kind = VerdictWarning::Kind::LeakOutgrowsAdvice;
        chase.fromBytes = mib(129);
        chase.toBytes = mib(147);
        QCOMPARE(
            verdictWarningText(chase),
            u"Leak: VPA-style (129 MiB) and KRR-style (147 MiB) recommendations would only chase it; any "
            u"limit is outgrown. Fix the retention instead."_s);
        chase.rateBytesPerS = 1 * kMiB;
        chase.buysS = 19;
        QVERIFY2(verdictWarningText(chase).contains(
                     u"outgrown (at 1.00 MiB/s (3600 MiB/h), the KRR figure buys only "
                     u"19 s more)."_s),
                 verdictWarningText(chase).toUtf8());
        VerdictWarning gaps;
        gaps.kind = VerdictWarning::Kind::Gaps;
        gaps.count = 2;
        gaps.seconds = 600;
        QCOMPARE(verdictWarningText(gaps),
                 u"2 gap(s) in the samples (longest 10 min); no jump was read across them."_s);
        Verdict v;
        v.warningFacts = {gaps, chase};
        composeVerdictText(v);
        QCOMPARE(v.warnings, (QStringList {verdictWarningText(gaps), verdictWarningText(chase)}));
    }
};

QTEST_GUILESS_MAIN(VerdictEdgesTest)
#include "tst_verdictedges.moc"
