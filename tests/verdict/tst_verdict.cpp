// SPDX-License-Identifier: GPL-3.0-or-later
// The verdict classifier on synthetic series with known causes (several rates, limits and
// sampling intervals, seeded noise, so that the method is not tuned to one shape). Edge cases,
// the real recording and the composed words: tst_verdictedges.
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

// A reader whose page cache fills the rest of the limit over half the time, failcnt rising
// while it presses against the limit.
std::vector<MemorySample> pageCacheReader(double anonShare, double limit, double durationS, double interval,
                                          Noise &noise)
{
    std::int64_t failcnt = 0;
    auto reader = series(durationS, interval, std::int64_t(limit), [&](double t) {
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
    return reader;
}

// Incarnations of one workload and the kills that ended them.
struct Runs {
    std::vector<MemorySample> samples;
    std::vector<qint64> kills;
};

// Restarted leak: `count` incarnations from the start level `base`, killed at the limit.
Runs restartedLeakRuns(int count, double base, double limit, double interval, Noise &noise)
{
    Runs out;
    const std::int64_t limitBytes = std::int64_t(limit);
    const double runS = std::max(60.0, 300 * interval);
    const double runRate = (1.0 - base) * limit / runS;
    double at = 0;
    for (int run = 0; run < count; ++run) {
        for (double r = 0;; r += interval, at += interval) {
            const Parts p {base * limit + runRate * r + noise(0.003 * limit), 0, 0, 0};
            out.samples.push_back(makeSample(kT0 + qint64(at * 1000), p, limitBytes));
            if (p.anon + 2 * kMiB >= limit) {
                out.kills.push_back(kT0 + qint64(at * 1000) + qint64(interval * 400));
                at += interval;
                break;
            }
        }
    }
    return out;
}

// Startup footprint `footprint` x the limit, loaded with time constant tau (seconds) after 2 s
// idle; 3 runs, each killed at the limit.
Runs startupRuns(double footprint, double tau, double limit, double interval)
{
    Runs out;
    const std::int64_t limitBytes = std::int64_t(limit);
    const double step = std::min(interval, 1.0);
    double bt = 0;
    for (int run = 0; run < 3; ++run) {
        for (double idle = 0; idle < 2.0; idle += step, bt += step)
            out.samples.push_back(makeSample(kT0 + qint64(bt * 1000), Parts {}, limitBytes));
        for (double r = 0;; r += step, bt += step) {
            const Parts p {footprint * limit * (1 - std::exp(-r / tau)), 0.01 * limit, 0, 0};
            out.samples.push_back(makeSample(kT0 + qint64(bt * 1000), p, limitBytes));
            if (p.anon + p.file + 2 * kMiB >= limit) {
                out.kills.push_back(kT0 + qint64(bt * 1000) + qint64(step * 400));
                bt += step;
                break;
            }
        }
    }
    return out;
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
        const auto s = plateauUnderLimit();
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
            const std::vector<MemorySample> reader =
                pageCacheReader(anonShare, limit, durationS, interval, noise);
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

            const Runs runs = restartedLeakRuns(2 + round % 3, base, limit, interval, noise);
            // Startup footprint 1.2 – 2x the limit, loaded within seconds, 3 runs killed.
            const double footprint = uni(1.2, 2.0);
            const double tau = uni(1.0, 6.0);
            const Runs boots = startupRuns(footprint, tau, limit, interval);
            check("startup", classify(boots.samples, {}, boots.kills), Verdict::Kind::Undersized);

            const Verdict restarted = classify(runs.samples, {}, runs.kills);
            check("restarted leak", restarted, Verdict::Kind::Leak,
                  restarted.evidence.growingIncarnations == 2 + round % 3);
        }
        QVERIFY2(failures == 0, failed.join(u'\n').toUtf8());
    }
};

QTEST_GUILESS_MAIN(VerdictTest)
#include "tst_verdict.moc"
