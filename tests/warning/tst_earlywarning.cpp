// SPDX-License-Identifier: GPL-3.0-or-later
// The early warning's trend rule on synthetic series with noise: a steady leak warns with the
// right time to the limit, page cache and a sawtooth do not, the monitor says a warning once
// until it clears, kernel signals are rate-limited per source, the predicted victim is named, and
// the agent protocol carries the warning both ways.

#include "agentprotocol.h"
#include "earlywarning.h"

#include <QTest>

#include <random>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
constexpr std::int64_t kT0 = 1'760'000'000'000;

// anon grows by rateMiBps from startMiB, file by cacheMiBps; noise in ±noiseMiB; one sample a second.
std::vector<MemorySample> series(double rateMiBps, double cacheMiBps, int seconds, std::int64_t limitMiB,
                                 double noiseMiB = 0.5, std::uint64_t seed = 1, double startMiB = 20)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> noise(-noiseMiB, noiseMiB);
    std::vector<MemorySample> out;
    for (int i = 0; i < seconds; ++i) {
        MemorySample s;
        s.timestampMs = kT0 + i * 1000;
        s.limitBytes = limitMiB * kMiB;
        s.anonBytes = std::int64_t((startMiB + rateMiBps * i + noise(rng)) * double(kMiB));
        s.fileBytes =
            std::min<std::int64_t>(std::int64_t(cacheMiBps * i * double(kMiB)), s.limitBytes - s.anonBytes);
        s.inactiveFileBytes = s.fileBytes;
        s.shmemBytes = 0;
        s.kernelBytes = 2 * kMiB;
        s.usageBytes = s.anonBytes + s.fileBytes + s.kernelBytes;
        out.push_back(s);
    }
    return out;
}

} // namespace

class TestEarlyWarning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void steadyLeakWarnsWithTimeToLimit_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<int>("seconds");
        QTest::addColumn<std::uint64_t>("seed");
        QTest::newRow("1 MiB/s") << 1.0 << 30 << std::uint64_t(3);
        QTest::newRow("5 MiB/s") << 5.0 << 20 << std::uint64_t(4);
        QTest::newRow("20 MiB/s") << 20.0 << 8 << std::uint64_t(5);
    }

    void steadyLeakWarnsWithTimeToLimit()
    {
        QFETCH(double, rate);
        QFETCH(int, seconds);
        QFETCH(std::uint64_t, seed);
        EarlyWarningOptions o;
        o.horizonSeconds = 600;
        const std::vector<MemorySample> s = series(rate, 0, seconds, 512, 0.5, seed);
        const std::optional<EarlyWarning> w = trendWarning(s, o);
        QVERIFY(w);
        // Demand at the last sample: 20 + rate * (seconds - 1) + 2 (kernel) MiB.
        const double expected = (512.0 - 22.0 - rate * (seconds - 1)) / rate;
        QVERIFY2(std::abs(w->secondsToLimit - expected) < std::max(2.0, expected * 0.1),
                 qPrintable(u"%1 s to the limit, expected %2"_s.arg(w->secondsToLimit).arg(expected)));
        QVERIFY(std::abs(w->slopeBytesPerSecond / double(kMiB) - rate) < rate * 0.1 + 0.1);
        // Beyond the horizon: quiet.
        o.horizonSeconds = expected / 2;
        QVERIFY(!trendWarning(s, o));
    }

    void cacheSawtoothAndUnlimitedDoNotWarn()
    {
        EarlyWarningOptions o;
        o.horizonSeconds = 600;
        // Page cache fills the limit, anon holds (noise only).
        QVERIFY(!trendWarning(series(0, 20, 30, 256, 1.0, 7), o));
        // Sawtooth: anon up 8 MiB over 4 s, then back, again and again.
        std::vector<MemorySample> saw = series(0, 0, 30, 256, 0.2, 8);
        for (std::size_t i = 0; i < saw.size(); ++i)
            saw[i].anonBytes += std::int64_t(i % 4) * 2 * kMiB;
        QVERIFY(!trendWarning(saw, o));
        // No limit: nothing to reach.
        std::vector<MemorySample> unlimited = series(5, 0, 20, 256);
        for (MemorySample &m : unlimited)
            m.limitBytes = MemorySample::kUnlimited;
        QVERIFY(!trendWarning(unlimited, o));
        // Too few samples.
        QVERIFY(!trendWarning(series(20, 0, 3, 256), o));
    }

    void monitorWarnsOnceUntilCleared()
    {
        EarlyWarningOptions o;
        o.horizonSeconds = 30;
        EarlyWarningMonitor m(o);
        ProcessSample leaker;
        leaker.pid = 4242;
        leaker.comm = u"leaky"_s;
        leaker.rssAnonKb = 200 * 1024;
        ProcessSample small;
        small.pid = 7;
        small.comm = u"sidecar"_s;
        small.rssAnonKb = 10 * 1024;
        const std::vector<ProcessSample> procs {leaker, small};
        int warnings = 0;
        std::optional<EarlyWarning> first;
        for (const MemorySample &s : series(5, 0, 40, 256, 0.3, 9)) {
            if (auto w = m.addSample(u"/pod"_s, s, procs)) {
                ++warnings;
                first = first ? first : w;
            }
        }
        QCOMPARE(warnings, 1);
        QVERIFY(first->secondsToLimit <= 30);
        QCOMPARE(first->victimPid, std::int64_t(4242));
        QVERIFY2(earlyWarningText(*first).contains(u"leaky (pid 4242)"_s),
                 qPrintable(earlyWarningText(*first)));
        QVERIFY(earlyWarningText(*first).contains(u"/pod"_s));
    }

    void signalsAreRateLimitedPerSource()
    {
        EarlyWarningMonitor m;
        KernelSignal k;
        k.source = WarningSource::PressureLevel;
        k.cgroup = u"/a"_s;
        k.level = u"critical"_s;
        k.timestampMs = kT0;
        QVERIFY(m.addSignal(k));
        k.timestampMs += 1000;
        QVERIFY(!m.addSignal(k));
        KernelSignal t = k;
        t.source = WarningSource::UsageThreshold;
        t.thresholdBytes = 230 * kMiB;
        QVERIFY(m.addSignal(t));
        k.timestampMs += EarlyWarningMonitor::kSignalQuietMs;
        const std::optional<EarlyWarning> again = m.addSignal(k);
        QVERIFY(again);
        QVERIFY(earlyWarningText(*again).contains(u"critical"_s));

        // Mostly page cache: the usage threshold stays quiet, critical pressure still warns.
        EarlyWarningMonitor cache;
        for (const MemorySample &s : series(0, 20, 12, 256, 0.2, 11))
            QVERIFY(!cache.addSample(u"/c"_s, s, {}));
        KernelSignal crossed = t;
        crossed.cgroup = u"/c"_s;
        QVERIFY(!cache.addSignal(crossed));
        KernelSignal critical = k;
        critical.cgroup = u"/c"_s;
        QVERIFY(cache.addSignal(critical));
    }

    void protocolRoundTrip()
    {
        EarlyWarningOptions o;
        o.horizonSeconds = 600;
        EarlyWarning w = *trendWarning(series(5, 0, 20, 512), o);
        w.cgroup = u"/kubepods/x"_s;
        w.victimPid = 99;
        w.victimComm = u"java"_s;
        const QJsonObject json = warningRecordJson(w);
        QCOMPARE(json.value(u"type"_s).toString(), u"warning"_s);
        QCOMPARE(json.value(u"source"_s).toString(), u"trend"_s);
        const std::optional<EarlyWarning> back = warningFromJson(json);
        QVERIFY(back);
        QCOMPARE(back->cgroup, w.cgroup);
        QCOMPARE(back->victimPid, w.victimPid);
        QCOMPARE(back->limitBytes, w.limitBytes);
        QCOMPARE(earlyWarningText(*back), earlyWarningText(w));
        QJsonObject unknown = json;
        unknown.insert(u"source"_s, u"from_the_future"_s);
        QVERIFY(!warningFromJson(unknown));
    }
};

QTEST_GUILESS_MAIN(TestEarlyWarning)
#include "tst_earlywarning.moc"
