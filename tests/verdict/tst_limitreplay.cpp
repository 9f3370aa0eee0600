// SPDX-License-Identifier: GPL-3.0-or-later
// Limit replay (limitreplay.h) on synthetic demand with kill counts worked out by hand, and on a
// verdict: the recommendation is the smallest kill-free limit plus headroom.
#include "limitreplay.h"
#include "verdict.h"
#include "verdictfixture.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace verdicttest;

namespace {

std::vector<std::pair<qint64, double>> demandOf(const std::vector<double> &mibPerSecond)
{
    std::vector<std::pair<qint64, double>> out;
    for (std::size_t i = 0; i < mibPerSecond.size(); ++i)
        out.emplace_back(kT0 + qint64(i) * 1000, mibPerSecond[i] * kMiB);
    return out;
}

} // namespace

class LimitReplayTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killsCountedByHand()
    {
        // 10 20 30 40 30 20 30 50 10 MiB, one second apart.
        const auto demand = demandOf({10, 20, 30, 40, 30, 20, 30, 50, 10});
        const std::vector<std::int64_t> candidates {mib(55), mib(15), mib(25), mib(35), mib(45), mib(50)};
        const LimitReplay r = replayDemand(demand, candidates, std::nullopt, 0);
        QCOMPARE(r.limits.size(), std::size_t(6));
        // limit: kills (first kill second): 15: one excursion t1..t7; 25: t2..t4 and t6..t7; 35: t3 and
        // t7; 45: t7; 50: demand equal to the limit is no kill; 55: none.
        const std::vector<std::tuple<double, int, int>> expected {{15, 1, 1}, {25, 2, 2},  {35, 2, 3},
                                                                  {45, 1, 7}, {50, 0, -1}, {55, 0, -1}};
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const auto [limitMiB, kills, firstS] = expected[i];
            QCOMPARE(r.limits[i].limitBytes, mib(limitMiB));
            QCOMPARE(r.limits[i].kills, kills);
            QCOMPARE(r.limits[i].firstKillMs.has_value(), firstS >= 0);
            if (firstS >= 0)
                QCOMPARE(*r.limits[i].firstKillMs, kT0 + firstS * 1000);
            QVERIFY(!r.limits[i].censored);
        }
        QCOMPARE(r.peakDemandBytes, mib(50));
        QCOMPARE(r.smallestWithoutKillBytes, std::optional<std::int64_t>(mib(50)));
        // 50 MiB + 20 % = 60 MiB, rounded up to 8 MiB steps: 64 MiB.
        QCOMPARE(r.recommendedLimitBytes, std::optional<std::int64_t>(mib(64)));
    }

    void censoredAboveTheRecordedLimit()
    {
        // The recording was killed at its 50 MiB limit: above it nothing was seen.
        const auto demand = demandOf({10, 30, 49, 5, 20, 40, 49.5, 4});
        const std::vector<std::int64_t> candidates {mib(35), mib(45), mib(49), mib(60)};
        const LimitReplay r = replayDemand(demand, candidates, mib(50), 2);
        QCOMPARE(r.limits[0].kills, 2); // 35: t2 and t5..t6
        QCOMPARE(r.limits[1].kills, 2); // 45: t2 and t6
        QVERIFY(!r.limits[1].censored);
        QVERIFY(r.limits[2].censored); // 49 MiB >= 98 % of 50
        QVERIFY(r.limits[3].censored);
        QCOMPARE(r.limits[3].kills, 0);
        QVERIFY(!r.smallestWithoutKillBytes);
        QVERIFY(!r.recommendedLimitBytes);
        const QJsonObject json = limitReplayToJson(r);
        QCOMPARE(json[u"limits"_s].toArray().size(), 4);
        QVERIFY(json[u"recommended_limit_bytes"_s].isNull());
        QCOMPARE(json[u"limits"_s].toArray()[3].toObject()[u"censored"_s].toBool(), true);
    }

    void candidatesSpanTheRecording()
    {
        const std::vector<std::int64_t> c = candidateLimits(mib(100), mib(128));
        QVERIFY(c.size() >= 40);
        QVERIFY(std::is_sorted(c.begin(), c.end()));
        QCOMPARE(c.front(), mib(25));
        QCOMPARE(c.back(), mib(192));
        QVERIFY(candidateLimits(0, std::nullopt).empty());
    }

    // On a verdict: a plateau at 93 % of 768 MiB replays without kill from just above its peak.
    void verdictCarriesTheReplay()
    {
        const Verdict v = classify(plateauUnderLimit());
        const LimitReplay &r = v.limitReplay;
        QVERIFY(!r.limits.empty());
        QVERIFY(r.smallestWithoutKillBytes);
        QVERIFY(*r.smallestWithoutKillBytes >= v.evidence.peakDemandBytes);
        // Every candidate below the peak kills at least once, every one above it never.
        for (const ReplayedLimit &l : r.limits)
            QCOMPARE(l.kills > 0, l.limitBytes < v.evidence.peakDemandBytes);
        QVERIFY(*r.recommendedLimitBytes >= std::int64_t(1.2 * double(*r.smallestWithoutKillBytes)));
        QVERIFY(verdictToJson(v)[u"limit_replay"_s].toObject()[u"limits"_s].toArray().size() > 10);
    }
};

QTEST_GUILESS_MAIN(LimitReplayTest)
#include "tst_limitreplay.moc"
