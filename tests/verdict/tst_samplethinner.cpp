// SPDX-License-Identifier: GPL-3.0-or-later
// SampleThinner: what a verdict over a range too long to hold raw is judged on. It keeps at most
// its budget, in time order, only real samples, the extremes of every bucket (a one-sample spike,
// a dip, the drop at a kill) and the gaps; and the verdict judged on what it keeps is the verdict
// of the raw samples — on the real recordings (thinned hard) and on long 10 Hz series of each kind.
#include "recordingcsv.h"
#include "samplethinner.h"
#include "verdict.h"
#include "verdictfixture.h"

#include <QFile>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace verdicttest;

namespace {

std::vector<MemorySample> thin(const std::vector<MemorySample> &samples, std::size_t maxSamples,
                               qint64 *bucketMs = nullptr)
{
    SampleThinner thinner(samples.front().timestampMs, samples.back().timestampMs, maxSamples);
    for (const MemorySample &s : samples)
        thinner.add(s);
    if (bucketMs)
        *bucketMs = thinner.bucketMs();
    return thinner.take();
}

// What evaluateRange passes with thinned samples: steps within two buckets are not gaps.
ClassifyOptions thinnedOptions(qint64 bucketMs)
{
    ClassifyOptions o;
    o.minGapMs = 2 * bucketMs;
    return o;
}

QByteArray versus(const Verdict &raw, const Verdict &thinned)
{
    return describe(raw) + QByteArray("\n vs thinned: ") + describe(thinned);
}

bool sameSample(const MemorySample &a, const MemorySample &b)
{
    return a.timestampMs == b.timestampMs && a.usageBytes == b.usageBytes && a.anonBytes == b.anonBytes
        && a.fileBytes == b.fileBytes && a.inactiveFileBytes == b.inactiveFileBytes
        && a.limitBytes == b.limitBytes && a.failcnt == b.failcnt && a.oomKillCount == b.oomKillCount;
}

// Every kept sample is one of the input's (times are distinct there), in strictly rising time.
void verifyRealAndOrdered(const std::vector<MemorySample> &kept, const std::vector<MemorySample> &raw)
{
    for (std::size_t i = 0; i < kept.size(); ++i) {
        if (i > 0)
            QVERIFY(kept[i].timestampMs > kept[i - 1].timestampMs);
        const auto it = std::lower_bound(raw.begin(), raw.end(), kept[i].timestampMs,
                                         [](const MemorySample &s, qint64 t) { return s.timestampMs < t; });
        QVERIFY(it != raw.end());
        QVERIFY(sameSample(*it, kept[i]));
    }
}

struct Recording {
    std::vector<MemorySample> samples;
    std::vector<ProcessSample> processes;
};

Recording loadRecording(const QString &name)
{
    const QString dir = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/") + name + u'/';
    QFile samplesFile(dir + u"samples.csv"_s);
    QFile procsFile(dir + u"procs.csv"_s);
    if (!samplesFile.open(QIODevice::ReadOnly) || !procsFile.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(dir));
    const SamplesCsvResult samples = readSamplesCsv(samplesFile, name);
    if (!samples.error.isEmpty() || samples.series.size() != 1)
        qFatal("%s: %s", qPrintable(dir), qPrintable(samples.error));
    return {samples.series.front().samples, readProcsCsv(procsFile).rows};
}

// Four hours at 10 Hz (144,001 samples) of fn, against a 1 GiB limit.
std::vector<MemorySample> tenHzHours(double hours, const std::function<Parts(double)> &fn)
{
    return series(hours * 3600.0, 0.1, mib(1024), fn);
}

} // namespace

class SampleThinnerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fewSamplesAreAllKept()
    {
        const std::vector<MemorySample> raw = plateauUnderLimit(); // 361 samples at 20 s
        const std::vector<MemorySample> kept = thin(raw, 3 * raw.size());
        QCOMPARE(kept.size(), raw.size());
        for (std::size_t i = 0; i < raw.size(); ++i)
            QVERIFY(sameSample(kept[i], raw[i]));
    }

    void boundedOrderedRealAndExtremesKept()
    {
        Noise noise(7);
        std::vector<MemorySample> raw = tenHzHours(1, [&](double t) {
            Parts p;
            p.anon = 300 * kMiB + t * 10 * 1024 + noise(2 * kMiB);
            p.file = 50 * kMiB + noise(kMiB);
            p.inactiveFile = 20 * kMiB;
            return p;
        });
        // One sample of a spike, one of a dip, and ten minutes without samples (an agent away).
        raw[12'345].anonBytes += mib(500);
        raw[12'345].usageBytes += mib(500);
        raw[23'456].anonBytes -= mib(200);
        const qint64 gapFrom = raw[30'000].timestampMs;
        const qint64 gapTo = gapFrom + 600'000;
        std::erase_if(
            raw, [&](const MemorySample &s) { return s.timestampMs > gapFrom && s.timestampMs < gapTo; });

        const std::size_t budget = 3000;
        qint64 bucketMs = 0;
        const std::vector<MemorySample> kept = thin(raw, budget, &bucketMs);
        QVERIFY2(kept.size() <= budget && kept.size() >= budget / 4,
                 qPrintable(QString::number(kept.size())));
        verifyRealAndOrdered(kept, raw);
        const auto has = [&](qint64 ms) {
            return std::any_of(kept.begin(), kept.end(),
                               [&](const MemorySample &s) { return s.timestampMs == ms; });
        };
        QVERIFY(has(raw[12'345].timestampMs));
        QVERIFY(has(raw[23'456].timestampMs));
        QVERIFY(std::none_of(kept.begin(), kept.end(), [&](const MemorySample &s) {
            return s.timestampMs > gapFrom && s.timestampMs < gapTo;
        }));
        const Verdict v = classify(kept, thinnedOptions(bucketMs));
        QCOMPARE(v.evidence.gapCount, 1); // the agent's absence, and no other
        QVERIFY(v.evidence.largestGapMs >= 600'000 && v.evidence.largestGapMs < 600'000 + 2 * bucketMs);
        // The range's first and last samples are kept: its duration, where it starts, what it is now.
        QVERIFY(sameSample(kept.front(), raw.front()));
        QVERIFY(sameSample(kept.back(), raw.back()));
    }

    void dropAtAKillIsKept()
    {
        // Undersized: climbs to the limit in 20 minutes, is killed and starts again: two drops in an hour.
        const std::vector<MemorySample> raw = tenHzHours(1, [](double t) {
            Parts p;
            p.anon = std::min(1.0, 0.2 + std::fmod(t, 1200.0) / 1500.0) * 1000 * kMiB;
            return p;
        });
        const std::vector<MemorySample> kept = thin(raw, 600); // 200 buckets of 18 s
        verifyRealAndOrdered(kept, raw);
        const auto has = [&](qint64 ms) {
            return std::any_of(kept.begin(), kept.end(),
                               [&](const MemorySample &s) { return s.timestampMs == ms; });
        };
        int drops = 0;
        for (std::size_t i = 1; i < raw.size(); ++i) {
            if (raw[i].anonBytes * 2
                < raw[i - 1].anonBytes) { // the last sample before a drop, the first after
                ++drops;
                QVERIFY(has(raw[i - 1].timestampMs));
                QVERIFY(has(raw[i].timestampMs));
            }
        }
        QCOMPARE(drops, 2);
    }

    void recordedVerdictsSurviveThinning_data()
    {
        QTest::addColumn<QString>("recording");
        QTest::addColumn<int>("budget");
        QTest::newRow("checkout-leak: 1130 samples to 150") << u"checkout-leak"_s << 150;
        QTest::newRow("issue12-fast-leak: 136 samples to 45") << u"issue12-fast-leak"_s << 45;
        QTest::newRow("issue12-backup: 50 samples to 30") << u"issue12-backup"_s << 30;
    }

    void recordedVerdictsSurviveThinning()
    {
        QFETCH(QString, recording);
        QFETCH(int, budget);
        const Recording r = loadRecording(recording);
        qint64 bucketMs = 0;
        const std::vector<MemorySample> kept = thin(r.samples, std::size_t(budget), &bucketMs);
        QVERIFY(kept.size() <= std::size_t(budget) && kept.size() < r.samples.size());
        verifyRealAndOrdered(kept, r.samples);
        const Verdict raw = classify(r.samples, {}, {}, r.processes);
        const Verdict thinned = classify(kept, thinnedOptions(bucketMs), {}, r.processes);
        QVERIFY2(thinned.kind == raw.kind, versus(raw, thinned).constData());
        QCOMPARE(thinned.leakingProcess.has_value(), raw.leakingProcess.has_value());
        QCOMPARE(thinned.evidence.peakDemandBytes, raw.evidence.peakDemandBytes);
        QCOMPARE(thinned.evidence.peakUsageBytes, raw.evidence.peakUsageBytes);
    }

    void longTenHzVerdictsSurviveThinning_data()
    {
        QTest::addColumn<int>("scenario");
        QTest::addColumn<int>("expected");
        QTest::newRow("leak, 4 h") << 0 << int(Verdict::Kind::Leak);
        QTest::newRow("undersized plateau, 2 h") << 1 << int(Verdict::Kind::Undersized);
        QTest::newRow("page cache at the limit, 2 h") << 2 << int(Verdict::Kind::PageCache);
        QTest::newRow("spike to the limit, 2 h") << 3 << int(Verdict::Kind::Spike);
    }

    void longTenHzVerdictsSurviveThinning()
    {
        QFETCH(int, scenario);
        QFETCH(int, expected);
        Noise noise(11);
        std::vector<MemorySample> raw;
        switch (scenario) {
        case 0:
            raw = tenHzHours(4, [&](double t) {
                Parts p;
                p.anon = 200 * kMiB + t / 3600.0 * 150 * kMiB + noise(4 * kMiB);
                p.file = 40 * kMiB;
                p.inactiveFile = 20 * kMiB;
                return p;
            });
            break;
        case 1:
            raw = tenHzHours(2, [&](double t) {
                Parts p;
                p.anon = std::min(0.93, 0.1 + t / 600.0) * 1024 * kMiB + noise(4 * kMiB);
                p.file = 8 * kMiB;
                p.inactiveFile = 4 * kMiB;
                return p;
            });
            break;
        case 2:
            raw = tenHzHours(2, [&](double t) {
                Parts p;
                p.anon = 150 * kMiB + noise(2 * kMiB);
                p.file = std::min(850.0, 20 + t / 3.0) * kMiB;
                p.inactiveFile = p.file * 0.8;
                return p;
            });
            break;
        default: // tst_verdict's one-off spike: 30 s at 97 % of the limit, once
            raw = tenHzHours(2, [&](double t) {
                Parts p;
                p.anon = (t >= 3600 && t < 3630 ? 0.97 : 0.22) * 1024 * kMiB + noise(5 * kMiB);
                p.file = 6 * kMiB;
                p.inactiveFile = 3 * kMiB;
                return p;
            });
            break;
        }
        const Verdict whole = classify(raw);
        QVERIFY2(int(whole.kind) == expected, describe(whole).constData()); // the scenario is what it says
        qint64 bucketMs = 0;
        const std::vector<MemorySample> kept = thin(raw, 20'000, &bucketMs);
        QVERIFY(kept.size() <= 20'000);
        const Verdict thinned = classify(kept, thinnedOptions(bucketMs));
        QVERIFY2(thinned.kind == whole.kind, versus(whole, thinned).constData());
        QCOMPARE(thinned.evidence.peakDemandBytes, whole.evidence.peakDemandBytes);
        QCOMPARE(thinned.evidence.durationMs, whole.evidence.durationMs);
        QCOMPARE(thinned.evidence.gapCount, whole.evidence.gapCount);
        QVERIFY(thinned.evidence.largestJumpBytes >= whole.evidence.largestJumpBytes * 9 / 10);
        if (whole.kind == Verdict::Kind::Leak)
            QVERIFY2(std::abs(thinned.evidence.slopeMiBPerHour - whole.evidence.slopeMiBPerHour)
                         < 0.1 * whole.evidence.slopeMiBPerHour,
                     versus(whole, thinned).constData());
    }
};

QTEST_GUILESS_MAIN(SampleThinnerTest)
#include "tst_samplethinner.moc"
