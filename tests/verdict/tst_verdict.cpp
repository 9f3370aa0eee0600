// SPDX-License-Identifier: GPL-3.0-or-later
// The verdict classifier on synthetic series with known causes (several rates, limits and
// sampling intervals, seeded noise, so that the method is not tuned to one shape), on edge cases,
// and on the real checkout-leak recording, whose truth.json says what happened.
#include "oomreportparser.h"
#include "recordingcsv.h"
#include "timeline.h"
#include "verdict.h"
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

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr qint64 kT0 = 1800000000000; // epoch ms

const QString kRecording = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/checkout-leak");

// What the workload holds at one instant; usage = anon + file (+ kernel), as memory.stat counts.
struct Parts {
    double anon = 0;
    double file = 0; // includes shmem
    double shmem = 0;
    double inactiveFile = 0;
};

MemorySample makeSample(qint64 ms, const Parts &p, std::int64_t limitBytes)
{
    MemorySample s;
    s.timestampMs = ms;
    const double kernel = 2 * kMiB;
    s.anonBytes = std::int64_t(std::max(0.0, p.anon));
    s.fileBytes = std::int64_t(std::max(0.0, p.file));
    s.shmemBytes = std::int64_t(std::max(0.0, p.shmem));
    s.inactiveFileBytes = std::int64_t(std::max(0.0, p.inactiveFile));
    s.activeFileBytes = std::max<std::int64_t>(0, s.fileBytes - s.shmemBytes - s.inactiveFileBytes);
    s.kernelBytes = std::int64_t(kernel);
    s.usageBytes = s.anonBytes + s.fileBytes + s.kernelBytes;
    if (limitBytes > 0)
        s.usageBytes = std::min<std::int64_t>(s.usageBytes, limitBytes);
    s.limitBytes = limitBytes;
    return s;
}

// Samples every intervalS over durationS of the parts fn(t seconds) returns.
std::vector<MemorySample> series(double durationS, double intervalS, std::int64_t limitBytes,
                                 const std::function<Parts(double)> &fn, qint64 startMs = kT0)
{
    std::vector<MemorySample> out;
    for (double t = 0; t <= durationS + 1e-9; t += intervalS)
        out.push_back(makeSample(startMs + qint64(std::llround(t * 1000.0)), fn(t), limitBytes));
    return out;
}

struct Noise {
    explicit Noise(unsigned seed)
        : rng(seed)
    { }
    double operator()(double sigma) { return std::normal_distribution<double>(0.0, sigma)(rng); }
    std::mt19937 rng;
};

std::int64_t mib(double m)
{
    return std::int64_t(m * kMiB);
}

QByteArray describe(const Verdict &v)
{
    return QString(verdictKindName(v.kind) % u" conf="_s % QString::number(v.confidence, 'f', 2)
                   % u" slope="_s % QString::number(v.evidence.slopeMiBPerHour, 'f', 1) % u"MiB/h r2="_s
                   % QString::number(v.evidence.slopeR2, 'f', 2) % u" floor="_s
                   % QString::number(v.evidence.floorSlopeMiBPerHour, 'f', 1) % u" | "_s % v.summary)
        .toUtf8();
}

} // namespace

class VerdictTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names()
    {
        QCOMPARE(verdictKindName(Verdict::Kind::Leak), u"leak"_s);
        QCOMPARE(verdictKindName(Verdict::Kind::Undersized), u"undersized"_s);
        QCOMPARE(verdictKindName(Verdict::Kind::Spike), u"spike"_s);
        QCOMPARE(verdictKindName(Verdict::Kind::PageCache), u"page_cache"_s);
        QCOMPARE(verdictKindName(Verdict::Kind::Fits), u"fits"_s);
        QCOMPARE(verdictKindName(Verdict::Kind::InsufficientData), u"insufficient_data"_s);
    }

    void steadyLeak_data()
    {
        QTest::addColumn<double>("limitMiB");
        QTest::addColumn<double>("baseMiB");
        QTest::addColumn<double>("rateMiBPerHour");
        QTest::addColumn<double>("durationS");
        QTest::addColumn<double>("intervalS");
        QTest::addColumn<double>("noiseMiB");
        QTest::addColumn<unsigned>("seed");
        QTest::newRow("128MiB fast, 100 ms") << 128.0 << 20.0 << 1.8 * 3600 << 50.0 << 0.1 << 0.5 << 1u;
        QTest::newRow("1GiB slow, 60 s") << 1024.0 << 200.0 << 50.0 << 12 * 3600.0 << 60.0 << 8.0 << 2u;
        QTest::newRow("4GiB, 30 s") << 4096.0 << 1024.0 << 300.0 << 6 * 3600.0 << 30.0 << 40.0 << 3u;
        QTest::newRow("512MiB, 15 s, noisy") << 512.0 << 100.0 << 120.0 << 2 * 3600.0 << 15.0 << 12.0 << 4u;
    }
    void steadyLeak()
    {
        QFETCH(double, limitMiB);
        QFETCH(double, baseMiB);
        QFETCH(double, rateMiBPerHour);
        QFETCH(double, durationS);
        QFETCH(double, intervalS);
        QFETCH(double, noiseMiB);
        QFETCH(unsigned, seed);
        Noise noise(seed);
        const auto s = series(durationS, intervalS, mib(limitMiB), [&](double t) {
            Parts p;
            p.anon = (baseMiB + rateMiBPerHour * t / 3600.0 + noise(noiseMiB)) * kMiB;
            p.file = 10 * kMiB;
            p.inactiveFile = 6 * kMiB;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QVERIFY2(std::abs(v.evidence.slopeMiBPerHour - rateMiBPerHour) < 0.1 * rateMiBPerHour, describe(v));
        QVERIFY(v.evidence.slopeR2 > 0.6);
        QVERIFY(v.confidence >= 0.5);
        // Never a bigger limit for a leak, but the conventions are shown with a warning.
        QVERIFY(!v.recommendedLimitBytes);
        QVERIFY(v.vpaLimitBytes && v.krrLimitBytes);
        QVERIFY(v.warnings.join(u' ').contains(u"chase"_s));
        // Time to the limit at the true rate from the last level (2 MiB kernel + 10 MiB file count
        // in usage; anon + kernel is what grows toward it).
        const double endDemandMiB = baseMiB + rateMiBPerHour * durationS / 3600.0 + 2;
        const double expectS = (limitMiB - endDemandMiB) / rateMiBPerHour * 3600.0;
        QVERIFY(v.timeToLimitS.has_value());
        QVERIFY2(std::abs(double(*v.timeToLimitS) - expectS) < 0.1 * expectS + 3 * intervalS + 1,
                 QByteArray(QByteArray::number(*v.timeToLimitS) + " vs " + QByteArray::number(expectS)));
        QVERIFY(v.trend.valid && v.trend.limitCrossingMs);
        QVERIFY(v.summary.startsWith(u"Leak"_s));
    }

    void leakHiddenInShmem()
    {
        // anon is flat; tmpfs grows. memory.stat counts it as "cache", yet it cannot be reclaimed.
        Noise noise(11);
        const auto s = series(3 * 3600.0, 30.0, mib(1024), [&](double t) {
            Parts p;
            p.anon = (150 + noise(3)) * kMiB;
            p.shmem = (20 + 200 * t / 3600.0) * kMiB;
            p.file = p.shmem + 60 * kMiB;
            p.inactiveFile = 45 * kMiB;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QVERIFY2(std::abs(v.evidence.slopeMiBPerHour - 200) < 20, describe(v));
        QCOMPARE(v.evidence.demandSource, u"anon+shmem+kernel"_s);
    }

    void sawtoothRisingFloor_data()
    {
        QTest::addColumn<double>("floorRateMiBPerHour");
        QTest::addColumn<double>("toothMiB");
        QTest::addColumn<double>("periodS");
        QTest::addColumn<double>("intervalS");
        QTest::newRow("30 MiB/h, 150 MiB teeth, 10 min") << 30.0 << 150.0 << 600.0 << 15.0;
        QTest::newRow("80 MiB/h, 300 MiB teeth, 20 min") << 80.0 << 300.0 << 1200.0 << 30.0;
    }
    void sawtoothRisingFloor()
    {
        QFETCH(double, floorRateMiBPerHour);
        QFETCH(double, toothMiB);
        QFETCH(double, periodS);
        QFETCH(double, intervalS);
        Noise noise(21);
        const auto s = series(8 * 3600.0, intervalS, mib(2048), [&](double t) {
            Parts p;
            const double phase = std::fmod(t, periodS) / periodS; // allocate, then free at once
            p.anon = (200 + floorRateMiBPerHour * t / 3600.0 + toothMiB * phase + noise(2)) * kMiB;
            p.file = 20 * kMiB;
            p.inactiveFile = 10 * kMiB;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QVERIFY2(std::abs(v.evidence.floorSlopeMiBPerHour - floorRateMiBPerHour) < 0.2 * floorRateMiBPerHour,
                 describe(v));
        QVERIFY(!v.recommendedLimitBytes);
    }

    void sawtoothFlatFloorIsNoLeak()
    {
        Noise noise(22);
        const auto s = series(8 * 3600.0, 15.0, mib(2048), [&](double t) {
            Parts p;
            p.anon = (200 + 300 * std::fmod(t, 600.0) / 600.0 + noise(2)) * kMiB;
            p.file = 20 * kMiB;
            p.inactiveFile = 10 * kMiB;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Fits, describe(v));
        QVERIFY(std::abs(v.evidence.floorSlopeMiBPerHour) < 5);
    }

    void startupFootprintOverLimit_data()
    {
        QTest::addColumn<double>("limitMiB");
        QTest::addColumn<double>("tauS");
        QTest::addColumn<double>("intervalS");
        QTest::addColumn<bool>("passKillTimes");
        QTest::newRow("256MiB, tau 3 s, 100 ms, kill times") << 256.0 << 3.0 << 0.1 << true;
        QTest::newRow("512MiB, tau 8 s, 1 s, oom_kill counter") << 512.0 << 8.0 << 1.0 << false;
    }
    void startupFootprintOverLimit()
    {
        // Each run loads a 1.4x-limit footprint quickly and is killed at the limit; then restarts.
        QFETCH(double, limitMiB);
        QFETCH(double, tauS);
        QFETCH(double, intervalS);
        QFETCH(bool, passKillTimes);
        Noise noise(31);
        const double limit = limitMiB * kMiB;
        std::vector<MemorySample> s;
        std::vector<qint64> kills;
        double t = 0;
        for (int run = 0; run < 4; ++run) {
            for (double idle = 0; idle < 3.0; idle += intervalS, t += intervalS) // restart delay
                s.push_back(makeSample(kT0 + qint64(t * 1000), Parts {}, mib(limitMiB)));
            for (double r = 0;; r += intervalS, t += intervalS) {
                Parts p;
                p.anon = 1.4 * limit * (1 - std::exp(-r / tauS)) + noise(0.3) * kMiB;
                p.file = 4 * kMiB;
                s.push_back(makeSample(kT0 + qint64(t * 1000), p, mib(limitMiB)));
                if (p.anon + p.file + 2 * kMiB >= limit) {
                    kills.push_back(kT0 + qint64(t * 1000) + qint64(intervalS * 500));
                    t += intervalS;
                    break;
                }
            }
        }
        for (double idle = 0; idle < 3.0; idle += intervalS, t += intervalS) // after the last kill
            s.push_back(makeSample(kT0 + qint64(t * 1000), Parts {}, mib(limitMiB)));
        if (!passKillTimes) {
            // The kernel's counter instead: it steps on the first row after each kill.
            std::int64_t count = 0;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (i > 0 && s[i].usageBytes < s[i - 1].usageBytes / 2)
                    ++count;
                s[i].oomKillCount = count;
            }
        }
        const Verdict v = passKillTimes ? classify(s, {}, kills) : classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Undersized, describe(v));
        QCOMPARE(v.evidence.kills, 4);
        QVERIFY(v.recommendedLimitBytes.has_value());
        // The kill hides the true need: at least the limit + 25 %.
        QVERIFY(*v.recommendedLimitBytes >= std::int64_t(1.25 * limit));
        QVERIFY(v.warnings.join(u' ').contains(u"lower bound"_s));
        QVERIFY2(v.summary.contains(u"climb"_s), v.summary.toUtf8());
        // Each killed run on its own, too (the idle tail after the last kill is too short).
        for (const Verdict::Segment &seg : v.segments)
            QVERIFY(!seg.endedByKill || seg.kind == Verdict::Kind::Undersized);
        QCOMPARE(v.segments.back().kind, Verdict::Kind::InsufficientData);
    }

    void plateauWithBursts_data()
    {
        QTest::addColumn<double>("limitMiB");
        QTest::addColumn<double>("plateauShare");
        QTest::addColumn<double>("burstShare");
        QTest::addColumn<double>("intervalS");
        QTest::newRow("1GiB, 75 % + 22 %") << 1024.0 << 0.75 << 0.22 << 10.0;
        QTest::newRow("300MiB, 70 % + 26 %") << 300.0 << 0.70 << 0.26 << 5.0;
    }
    void plateauWithBursts()
    {
        QFETCH(double, limitMiB);
        QFETCH(double, plateauShare);
        QFETCH(double, burstShare);
        QFETCH(double, intervalS);
        Noise noise(41);
        const double limit = limitMiB * kMiB;
        const auto s = series(3 * 3600.0, intervalS, mib(limitMiB), [&](double t) {
            Parts p;
            const bool burst = std::fmod(t, 300.0) < 40.0 && t > 60; // every 5 min for 40 s
            p.anon = (plateauShare + (burst ? burstShare : 0.0)) * limit + noise(0.01 * limit);
            p.file = 5 * kMiB;
            p.inactiveFile = 2 * kMiB;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Undersized, describe(v));
        QVERIFY(v.recommendedLimitBytes && *v.recommendedLimitBytes > std::int64_t(limit));
        QVERIFY(v.evidence.timeAtOrAbove90PercentS > 0);
    }

    void plateauJustUnderLimit()
    {
        Noise noise(42);
        const auto s = series(2 * 3600.0, 20.0, mib(768), [&](double t) {
            Parts p;
            p.anon = std::min(0.93, 0.1 + t / 600.0) * 768 * kMiB + noise(4 * kMiB);
            p.file = 8 * kMiB;
            p.inactiveFile = 4 * kMiB;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Undersized, describe(v));
        QVERIFY(v.evidence.plateauPercentOfLimit && *v.evidence.plateauPercentOfLimit > 88);
        QVERIFY(std::any_of(v.regions.begin(), v.regions.end(),
                            [](const Region &r) { return r.kind == Region::Kind::Plateau; }));
    }

    void oneOffSpike_data()
    {
        QTest::addColumn<double>("limitMiB");
        QTest::addColumn<double>("intervalS");
        QTest::addColumn<bool>("killed");
        QTest::newRow("2GiB, 10 s, held") << 2048.0 << 10.0 << false;
        QTest::newRow("512MiB, 1 s, killed") << 512.0 << 1.0 << true;
    }
    void oneOffSpike()
    {
        QFETCH(double, limitMiB);
        QFETCH(double, intervalS);
        QFETCH(bool, killed);
        Noise noise(51);
        const double limit = limitMiB * kMiB;
        const double spikeAt = 1200;
        std::vector<MemorySample> s;
        std::vector<qint64> kills;
        for (double t = 0; t <= 2400; t += intervalS) {
            Parts p;
            p.anon = 0.22 * limit + noise(0.005 * limit);
            if (t >= spikeAt && t < spikeAt + 30) {
                p.anon = killed ? limit : 0.97 * limit;
                if (killed && kills.empty())
                    kills.push_back(kT0 + qint64((t + intervalS / 2) * 1000));
            }
            if (killed && t >= spikeAt + intervalS && t < spikeAt + 30)
                p.anon = 0; // killed; restarts at its baseline afterwards
            p.file = 6 * kMiB;
            p.inactiveFile = 3 * kMiB;
            s.push_back(makeSample(kT0 + qint64(t * 1000), p, mib(limitMiB)));
        }
        const Verdict v = classify(s, {}, kills);
        QVERIFY2(v.kind == Verdict::Kind::Spike, describe(v));
        QVERIFY(v.evidence.largestJumpBytes > std::int64_t(0.6 * limit));
        QVERIFY(v.evidence.largestJumpDurationMs <= qint64(2 * intervalS * 1000));
        QVERIFY(std::any_of(v.regions.begin(), v.regions.end(),
                            [](const Region &r) { return r.kind == Region::Kind::Spike; }));
    }

    void fileCacheReader_data()
    {
        QTest::addColumn<double>("limitMiB");
        QTest::addColumn<double>("anonShare");
        QTest::newRow("1GiB, 30 % anon") << 1024.0 << 0.30;
        QTest::newRow("256MiB, 45 % anon") << 256.0 << 0.45;
    }
    void fileCacheReader()
    {
        QFETCH(double, limitMiB);
        QFETCH(double, anonShare);
        Noise noise(61);
        const double limit = limitMiB * kMiB;
        std::int64_t failcnt = 0;
        auto s = series(2 * 3600.0, 15.0, mib(limitMiB), [&](double t) {
            Parts p;
            p.anon = anonShare * limit + noise(0.005 * limit);
            // Reading files fills every free byte with cache, which is reclaimed at the limit.
            p.file = std::min(limit - p.anon - 2 * kMiB, 0.5 * limit * t / 1800.0);
            p.inactiveFile = 0.8 * p.file;
            return p;
        });
        for (MemorySample &m : s) {
            if (m.usageBytes >= std::int64_t(0.99 * limit))
                failcnt += 37;
            m.failcnt = failcnt;
        }
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::PageCache, describe(v));
        QVERIFY(v.evidence.reclaimableShareAtLimit && *v.evidence.reclaimableShareAtLimit > 0.4);
        QVERIFY(v.evidence.failcntDelta && *v.evidence.failcntDelta > 0);
        QVERIFY(v.recommendedLimitBytes && *v.recommendedLimitBytes < std::int64_t(limit));
        QVERIFY(v.summary.contains(u"cache"_s));
    }

    void fits_data()
    {
        QTest::addColumn<double>("limitMiB");
        QTest::addColumn<double>("share");
        QTest::addColumn<double>("noiseShare");
        QTest::newRow("1GiB at 40 %") << 1024.0 << 0.40 << 0.01;
        QTest::newRow("8GiB at 25 %, heavy noise") << 8192.0 << 0.25 << 0.06;
        QTest::newRow("128MiB at 55 %") << 128.0 << 0.55 << 0.02;
    }
    void fits()
    {
        QFETCH(double, limitMiB);
        QFETCH(double, share);
        QFETCH(double, noiseShare);
        Noise noise(71);
        const double limit = limitMiB * kMiB;
        const auto s = series(4 * 3600.0, 30.0, mib(limitMiB), [&](double) {
            Parts p;
            p.anon = share * limit + noise(noiseShare * limit);
            p.file = 0.05 * limit;
            p.inactiveFile = 0.03 * limit;
            return p;
        });
        const Verdict v = classify(s);
        QVERIFY2(v.kind == Verdict::Kind::Fits, describe(v));
        QVERIFY(!v.timeToLimitS);
        QVERIFY(v.recommendedLimitBytes.has_value());
        // Peak demand + 20 % rounded up: above the typical level, below the limit.
        QVERIFY(*v.recommendedLimitBytes > std::int64_t(share * limit));
        QVERIFY(*v.recommendedLimitBytes < std::int64_t(limit));
    }

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

    // Shapes drawn at random (limits 128 MiB – 8 GiB, intervals 0.1 – 60 s, levels, rates,
    // noise, where a spike falls): every one must get its cause, so that no threshold is tuned to
    // the hand-made series above.
    void randomisedShapes()
    {
        std::mt19937 rng(20260101);
        const auto uni = [&](double a, double b) {
            return std::uniform_real_distribution<double>(a, b)(rng);
        };
        const std::vector<double> intervals = {0.1, 1, 10, 30, 60};
        int failures = 0;
        QStringList failed;
        for (int round = 0; round < 25; ++round) {
            const double limit = std::exp(uni(std::log(128.0), std::log(8192.0))) * kMiB;
            const std::int64_t limitBytes = std::int64_t(limit);
            const double interval = intervals[std::size_t(round) % intervals.size()];
            const int n = int(uni(150, 1500));
            const double durationS = std::max(120.0, n * interval);
            Noise noise(unsigned(1000 + round));
            const auto check = [&](const char *what, const Verdict &v, Verdict::Kind want, bool ok = true) {
                if (v.kind != want || !ok) {
                    ++failures;
                    if (failed.size() < 8)
                        failed << QString::fromLatin1(what) % u" round "_s % QString::number(round) % u": "_s
                                % QString::fromUtf8(describe(v));
                }
            };

            const double base = uni(0.05, 0.4);
            const double riseShare = uni(0.2, 0.55);
            const double noiseShare = uni(0.0, 0.02);
            const double ratePerS = riseShare * limit / durationS;
            const Verdict leak = classify(series(durationS, interval, limitBytes, [&](double t) {
                return Parts {base * limit + ratePerS * t + noise(noiseShare * limit), 0.02 * limit, 0,
                              0.01 * limit};
            }));
            check("leak", leak, Verdict::Kind::Leak,
                  std::abs(leak.evidence.slopeMiBPerHour - ratePerS * 3600 / kMiB)
                      < 0.15 * ratePerS * 3600 / kMiB);

            const double level = uni(0.1, 0.6);
            check("fits",
                  classify(series(durationS, interval, limitBytes,
                                  [&](double) {
                                      return Parts {level * limit + noise(uni(0.0, 0.05) * limit),
                                                    0.03 * limit, 0, 0.02 * limit};
                                  })),
                  Verdict::Kind::Fits);

            const double plateau = uni(0.87, 0.96);
            check("plateau",
                  classify(series(
                      durationS, interval, limitBytes,
                      [&](double t) {
                          const double ramp = std::min(1.0, t / (0.1 * durationS));
                          return Parts {plateau * limit * ramp + noise(0.005 * limit), 0.005 * limit, 0, 0};
                      })),
                  Verdict::Kind::Undersized);

            const double spikeAt = uni(0.3, 0.8) * durationS;
            const double spikeTop = uni(0.93, 0.98);
            const double hold = interval * double(1 + round % 4);
            check("spike",
                  classify(series(durationS, interval, limitBytes,
                                  [&](double t) {
                                      const bool in = t >= spikeAt && t < spikeAt + hold;
                                      return Parts {(in ? spikeTop : base) * limit + noise(0.003 * limit),
                                                    0.005 * limit, 0, 0};
                                  })),
                  Verdict::Kind::Spike);

            const double anonShare = uni(0.1, 0.6);
            std::int64_t failcnt = 0;
            auto reader = series(durationS, interval, limitBytes, [&](double t) {
                Parts p;
                p.anon = anonShare * limit + noise(0.005 * limit);
                p.file = std::min(limit - p.anon - 2 * kMiB, limit * t / (0.5 * durationS));
                p.inactiveFile = 0.7 * p.file;
                return p;
            });
            for (MemorySample &m : reader) {
                failcnt += m.usageBytes >= std::int64_t(0.99 * limit) ? 5 : 0;
                m.failcnt = failcnt;
            }
            check("page cache", classify(reader), Verdict::Kind::PageCache);

            // Sawtooth: teeth of 10 – 40 % of the limit, 6 – 20 cycles, the floor rising 15 – 40 %.
            const double tooth = uni(0.1, 0.4);
            const double period = durationS / uni(6, 20);
            const double floorRise = uni(0.15, 0.4);
            const Verdict saw = classify(series(durationS, interval, limitBytes, [&](double t) {
                const double phase = std::fmod(t, period) / period;
                return Parts {(0.1 + floorRise * t / durationS + tooth * phase) * limit
                                  + noise(0.003 * limit),
                              0.01 * limit, 0, 0.005 * limit};
            }));
            const double floorRate = floorRise * limit / durationS * 3600 / kMiB;
            check("sawtooth", saw, Verdict::Kind::Leak,
                  std::abs(saw.evidence.floorSlopeMiBPerHour - floorRate) < 0.25 * floorRate);

            // Restarted leak: 2 – 4 incarnations from a random start level, killed at the limit.
            std::vector<MemorySample> runs;
            std::vector<qint64> kills;
            const double runS = std::max(60.0, 300 * interval);
            const double runRate = (1.0 - base) * limit / runS;
            double at = 0;
            for (int run = 0; run < 2 + round % 3; ++run) {
                for (double r = 0;; r += interval, at += interval) {
                    const Parts p {base * limit + runRate * r + noise(0.003 * limit), 0, 0, 0};
                    runs.push_back(makeSample(kT0 + qint64(at * 1000), p, limitBytes));
                    if (p.anon + 2 * kMiB >= limit) {
                        kills.push_back(kT0 + qint64(at * 1000) + qint64(interval * 400));
                        at += interval;
                        break;
                    }
                }
            }
            // Startup footprint 1.2 – 2x the limit, loaded within seconds, 3 runs killed.
            std::vector<MemorySample> boots;
            std::vector<qint64> bootKills;
            const double footprint = uni(1.2, 2.0);
            const double tau = uni(1.0, 6.0);
            const double step = std::min(interval, 1.0);
            double bt = 0;
            for (int run = 0; run < 3; ++run) {
                for (double idle = 0; idle < 2.0; idle += step, bt += step)
                    boots.push_back(makeSample(kT0 + qint64(bt * 1000), Parts {}, limitBytes));
                for (double r = 0;; r += step, bt += step) {
                    const Parts p {footprint * limit * (1 - std::exp(-r / tau)), 0.01 * limit, 0, 0};
                    boots.push_back(makeSample(kT0 + qint64(bt * 1000), p, limitBytes));
                    if (p.anon + p.file + 2 * kMiB >= limit) {
                        bootKills.push_back(kT0 + qint64(bt * 1000) + qint64(step * 400));
                        bt += step;
                        break;
                    }
                }
            }
            check("startup", classify(boots, {}, bootKills), Verdict::Kind::Undersized);

            const Verdict restarted = classify(runs, {}, kills);
            check("restarted leak", restarted, Verdict::Kind::Leak,
                  restarted.evidence.growingIncarnations == 2 + round % 3);
        }
        QVERIFY2(failures == 0, failed.join(u'\n').toUtf8());
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
        Noise noise(42);
        const auto s = series(2 * 3600.0, 20.0, mib(768), [&](double t) {
            Parts p;
            p.anon = std::min(0.93, 0.1 + t / 600.0) * 768 * kMiB + noise(4 * kMiB);
            p.file = 8 * kMiB;
            p.inactiveFile = 4 * kMiB;
            return p;
        });
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

QTEST_GUILESS_MAIN(VerdictTest)
#include "tst_verdict.moc"
