// SPDX-License-Identifier: GPL-3.0-or-later
// Growth by process (processgrowth.h) on synthetic per-process series with noise, pid reuse,
// restarts and concurrent workers of one comm, and its use in the verdict: one process growing
// while the others hold is a leak in that process, however fast it fills the limit; a short
// recording pinned at the limit by cache is page cache.
#include "processgrowth.h"
#include "verdict.h"
#include "verdictfixture.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace verdicttest;

namespace {

struct Proc {
    std::int64_t pid;
    QString comm;
    double fromS;
    double toS;
    std::function<double(double)> anonMiB; // of seconds since fromS
    int adj = 0;
};

// Rows every intervalS for each process while it runs, anon (MiB) with noise of sigma MiB.
std::vector<ProcessSample> rowsOf(const std::vector<Proc> &procs, double durationS, double intervalS,
                                  double sigmaMiB, unsigned seed)
{
    Noise noise(seed);
    std::vector<ProcessSample> rows;
    for (double t = 0; t <= durationS + 1e-9; t += intervalS)
        for (const Proc &p : procs) {
            if (t < p.fromS || t > p.toS)
                continue;
            ProcessSample r;
            r.timestampMs = kT0 + qint64(std::llround(t * 1000.0));
            r.pid = p.pid;
            r.comm = p.comm;
            r.rssAnonKb =
                std::max<std::int64_t>(0, std::int64_t((p.anonMiB(t - p.fromS) + noise(sigmaMiB)) * 1024));
            r.rssFileKb = 2048;
            r.rssShmemKb = 0;
            r.oomScoreAdj = p.adj;
            rows.push_back(r);
        }
    return rows;
}

std::function<double(double)> holds(double mibLevel)
{
    return [mibLevel](double) {
        return mibLevel;
    };
}

std::function<double(double)> grows(double baseMiB, double mibPerS, double delayS = 0)
{
    return [=](double t) {
        return baseMiB + mibPerS * std::max(0.0, t - delayS);
    };
}

QByteArray describeGrowth(const GrowthAttribution &a)
{
    QStringList parts;
    for (const ProcessGrowth &g : a.processes)
        parts << u"%1/%2 %3 MiB/s share %4 r2 %5"_s.arg(g.comm)
                     .arg(g.pid)
                     .arg(g.slopeBytesPerS / kMiB, 0, 'f', 3)
                     .arg(g.shareOfGrowth, 0, 'f', 2)
                     .arg(g.r2, 0, 'f', 2);
    return parts.join(u"; "_s).toUtf8();
}

// The cgroup's samples as the sum of its processes' anon (+ 2 MiB kernel), cut at limitMiB.
std::vector<MemorySample> cgroupOf(const std::vector<ProcessSample> &rows, double limitMiB,
                                   double cacheMiB = 0)
{
    std::map<qint64, double> anonAt;
    for (const ProcessSample &r : rows)
        anonAt[r.timestampMs] += double(r.rssAnonKb) * 1024.0;
    std::vector<MemorySample> out;
    for (const auto &[ms, anon] : anonAt)
        out.push_back(makeSample(ms, Parts {anon, cacheMiB * kMiB, 0, cacheMiB * kMiB}, mib(limitMiB)));
    return out;
}

} // namespace

class ProcessGrowthTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneLeakerAmongHolders_data()
    {
        QTest::addColumn<int>("leaker");
        QTest::addColumn<double>("rate");
        QTest::addColumn<double>("sigma");
        QTest::newRow("first, 2 MiB/s") << 0 << 2.0 << 0.3;
        QTest::newRow("third, 7 MiB/s") << 2 << 7.0 << 1.0;
        QTest::newRow("last, 20 MiB/s, noisy") << 3 << 20.0 << 3.0;
    }

    void oneLeakerAmongHolders()
    {
        QFETCH(int, leaker);
        QFETCH(double, rate);
        QFETCH(double, sigma);
        std::vector<Proc> procs;
        const QStringList comms {u"nginx"_s, u"sidecar"_s, u"app"_s, u"logshipper"_s};
        for (int i = 0; i < 4; ++i)
            procs.push_back({1000 + i, comms[i], 0, 12, i == leaker ? grows(10, rate, 2) : holds(8 + 3 * i)});
        const auto rows = rowsOf(procs, 12, 0.1, sigma, 7 + unsigned(leaker));
        const GrowthAttribution a = attributeGrowth(rows);
        QCOMPARE(a.processes.size(), std::size_t(4));
        const ProcessGrowth &top = a.processes.front();
        QVERIFY2(top.pid == 1000 + leaker, describeGrowth(a));
        QVERIFY2(top.shareOfGrowth > 0.85, describeGrowth(a));
        // The line starts 2 s before the growth does: Theil–Sen finds the slope of the rising part
        // within a fifth.
        QVERIFY2(std::abs(top.slopeBytesPerS / kMiB - rate) < 0.2 * rate, describeGrowth(a));
        QVERIFY2(top.r2 > 0.9, describeGrowth(a));
        QCOMPARE(top.startKb < top.endKb, true);
        QCOMPARE(findProcessLeak(a, 128 * kMiB), std::optional<std::size_t>(0));
    }

    void restartsJoinedByComm()
    {
        // The worker leaks 2 MiB/s, is killed after 20 s and restarted under a new pid twice.
        std::vector<Proc> procs {
            {200, u"worker"_s, 0, 20, grows(5, 2)},
            {340, u"worker"_s, 21, 41, grows(5, 2)},
            {512, u"worker"_s, 42, 60, grows(5, 2)},
            {100, u"supervisor"_s, 0, 60, holds(12)},
        };
        const auto rows = rowsOf(procs, 60, 0.5, 0.5, 3);
        const GrowthAttribution a = attributeGrowth(rows);
        QCOMPARE(a.processes.size(), std::size_t(2));
        const ProcessGrowth &top = a.processes.front();
        QCOMPARE(top.comm, u"worker"_s);
        QCOMPARE(top.pid, std::int64_t(512));
        QCOMPARE(top.pids, (std::vector<std::int64_t> {200, 340, 512}));
        QVERIFY2(std::abs(top.slopeBytesPerS / kMiB - 2.0) < 0.1, describeGrowth(a));
        // Each run grew on its own: 20 + 20 + 18 s at 2 MiB/s, not the end minus the start.
        QVERIFY2(std::abs(top.growthBytes / kMiB - 116) < 8, describeGrowth(a));
        QCOMPARE(findProcessLeak(a, 0), std::optional<std::size_t>(0));
    }

    void reusedPidIsAnotherProcess()
    {
        // pid 300 is a short cron job that holds, then the kernel hands 300 to a leaking program.
        std::vector<Proc> procs {
            {300, u"cronjob"_s, 0, 8, holds(30)},
            {300, u"uploader"_s, 10, 40, grows(2, 1.5)},
            {301, u"db"_s, 0, 40, holds(20)},
        };
        const GrowthAttribution a = attributeGrowth(rowsOf(procs, 40, 0.5, 0.2, 5));
        QCOMPARE(a.processes.size(), std::size_t(3));
        QCOMPARE(a.processes.front().comm, u"uploader"_s);
        QCOMPARE(a.processes.front().pids, (std::vector<std::int64_t> {300}));
        // The cron job's 30 MiB are not the uploader's start.
        QVERIFY2(a.processes.front().startKb < 6 * 1024, describeGrowth(a));
    }

    void concurrentWorkersStayApart()
    {
        std::vector<Proc> procs {
            {401, u"gunicorn"_s, 0, 30, holds(40)},
            {402, u"gunicorn"_s, 0, 30, grows(40, 3)},
            {403, u"gunicorn"_s, 0, 30, holds(40)},
        };
        const GrowthAttribution a = attributeGrowth(rowsOf(procs, 30, 0.25, 0.5, 11));
        QCOMPARE(a.processes.size(), std::size_t(3));
        QCOMPARE(a.processes.front().pid, std::int64_t(402));
        QCOMPARE(findProcessLeak(a, 512 * kMiB), std::optional<std::size_t>(0));
    }

    void noSingleLeaker_data()
    {
        QTest::addColumn<int>("shape");
        QTest::newRow("all grow alike") << 0;
        QTest::newRow("one process alone") << 1;
        QTest::newRow("grows then levels off") << 2;
        QTest::newRow("all hold, noisy") << 3;
    }

    void noSingleLeaker()
    {
        QFETCH(int, shape);
        std::vector<Proc> procs;
        if (shape == 0) {
            for (int i = 0; i < 3; ++i)
                procs.push_back({500 + i, u"w%1"_s.arg(i), 0, 30, grows(10, 1.0)});
        } else if (shape == 1) {
            procs.push_back({600, u"startup"_s, 0, 10, grows(0, 12)});
        } else if (shape == 2) {
            procs.push_back({700, u"cache"_s, 0, 30, [](double t) {
                                 return 10 + 4 * std::min(t, 12.0);
                             }});
            procs.push_back({701, u"db"_s, 0, 30, holds(30)});
        } else {
            for (int i = 0; i < 3; ++i)
                procs.push_back({800 + i, u"h%1"_s.arg(i), 0, 30, holds(20)});
        }
        const GrowthAttribution a = attributeGrowth(rowsOf(procs, 30, 0.2, 2.0, 17 + unsigned(shape)));
        QVERIFY2(!findProcessLeak(a, 256 * kMiB), describeGrowth(a));
    }

    // The measured failure: 128 MiB, four processes, one growing 4 MiB/s from its third
    // second, killed 18 s after start. A leak in that process, no bigger limit advised.
    void fastLeakByOneProcessIsALeak()
    {
        std::vector<Proc> procs {
            {11, u"api"_s, 0, 18, holds(14)},
            {12, u"leaky_worker"_s, 0, 18, grows(6, 4, 3)},
            {13, u"metrics"_s, 0, 25, holds(9)},
            {14, u"proxy"_s, 0, 25, holds(11)},
        };
        const auto rows = rowsOf(procs, 25, 0.1, 0.2, 23);
        const auto samples = cgroupOf(rows, 128);
        const qint64 killMs = kT0 + 18050;
        const std::vector<qint64> kills {killMs};
        const Verdict without = classify(samples, {}, kills);
        QVERIFY2(without.kind != Verdict::Kind::Leak, describe(without)); // the cgroup alone cannot tell
        const Verdict v = classify(samples, {}, kills, rows);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QVERIFY2(v.summary.contains(u"leaky_worker"_s), describe(v));
        QVERIFY(!v.recommendedLimitBytes);
        QVERIFY(v.leakingProcess);
        QCOMPARE(v.growthByProcess.processes[*v.leakingProcess].pid, std::int64_t(12));
        const QJsonObject json = verdictToJson(v);
        const QJsonArray growth = json[u"growth_by_process"_s].toArray();
        QCOMPARE(growth.size(), 4);
        QCOMPARE(growth[0].toObject()[u"comm"_s].toString(), u"leaky_worker"_s);
        QVERIFY(std::abs(growth[0].toObject()[u"slope_mib_per_h"_s].toDouble() - 4 * 3600) < 0.2 * 4 * 3600);
        QCOMPARE(json[u"leaking_process"_s].toObject()[u"pid"_s].toInteger(), 12);
    }

    // A cgroup-level leak names the process it comes from.
    void slowLeakNamesItsProcess()
    {
        std::vector<Proc> procs {
            {21, u"checkout"_s, 0, 600, grows(20, 0.05)},
            {22, u"agent"_s, 0, 600, holds(12)},
        };
        const auto rows = rowsOf(procs, 600, 2, 0.3, 29);
        const Verdict v = classify(cgroupOf(rows, 512), {}, {}, rows);
        QVERIFY2(v.kind == Verdict::Kind::Leak, describe(v));
        QVERIFY2(v.summary.startsWith(u"Leak in checkout (pid 21"_s), describe(v));
    }

    // The other failure: a 7 s backup job holding 64 MiB at the limit with page cache.
    void briefPageCache()
    {
        Noise noise(31);
        std::int64_t failcnt = 0;
        auto samples = series(7, 0.1, mib(64), [&](double) {
            return Parts {0.6 * kMiB + noise(0.05 * kMiB), 64 * kMiB, 0, 40 * kMiB};
        });
        for (MemorySample &s : samples) {
            failcnt += 8;
            s.failcnt = failcnt;
        }
        const Verdict v = classify(samples);
        QVERIFY2(v.kind == Verdict::Kind::PageCache, describe(v));
        QVERIFY2(v.confidence >= 0.5 && v.confidence < 0.8, describe(v));
        // Without failcnt rising it stays too little to judge.
        for (MemorySample &s : samples)
            s.failcnt = 5;
        QVERIFY2(classify(samples).kind == Verdict::Kind::InsufficientData, describe(classify(samples)));
    }
};

QTEST_GUILESS_MAIN(ProcessGrowthTest)
#include "tst_processgrowth.moc"
