// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests of the badness recomputation on hand-built events; every expected number is worked
// out from the formulas of kernel-oom-formats.md §3–4 in the comments, not taken from the code.
// The words composed from a decision: tst_killexplanation.
#include "killdecision.h"
#include "killdecisionfixture.h"
#include "killexplanation.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace killdecisiontest;

class TestKillDecision : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badnessPerEra_data();
    void badnessPerEra();
    void rootBonusBeforeAdj();
    void clampBeforeAndAfter59();
    void adjMinusThousandNeverSelected();
    void tieRules_data();
    void tieRules();
    void tieRuleLeaderPreference();
    void eraFromRelease_data();
    void eraFromRelease();
    void eraFromFormat();
    void totalPagesMemcg_data();
    void totalPagesMemcg();
    void totalPagesGlobal();
    void totalPagesVanilla310UsesManaged();
    void unlimitedMemcgIsGraceful();
    void noTaskTable();
    void qosMapping();
    void marginFlipsOutcome();
    void marginMatchesHandComputation();
    void sacrificeChild();
    void threadIdNotInTable();
    void victimQosFromKillLine();
    void shareSumsToOne();
    // The facts → words seam (killexplanation.h).
};

void TestKillDecision::badnessPerEra_data()
{
    QTest::addColumn<int>("era");
    QTest::addColumn<qint64>("pageSize");
    QTest::addColumn<int>("adj");
    QTest::addColumn<qint64>("totalPages");
    QTest::addColumn<qint64>("expected");

    // Task: rss 1000, swap 5, nr_ptes 10, nr_pmds 3, pgtables_bytes 40960, uid 1000 (no bonus).
    // 3.10 counts nr_ptes only: 1000 + 5 + 10.
    QTest::newRow("3.10") << int(BadnessEra::Linux310) << qint64(4096) << 0 << qint64(100000) << qint64(1015);
    // 4.1 – 4.14 add nr_pmds: 1000 + 5 + 10 + 3.
    QTest::newRow("4.14") << int(BadnessEra::Linux41to414) << qint64(4096) << 0 << qint64(100000)
                          << qint64(1018);
    // 4.15+: pgtables_bytes / PAGE_SIZE = 10 pages: 1000 + 5 + 10.
    QTest::newRow("4.15") << int(BadnessEra::Linux415to416) << qint64(4096) << 0 << qint64(100000)
                          << qint64(1015);
    // 64 KiB pages: 40960 / 65536 = 0 page-table pages.
    QTest::newRow("5.9 64k pages") << int(BadnessEra::Linux59Plus) << qint64(65536) << 0 << qint64(100000)
                                   << qint64(1005);
    // adj 500 at totalpages 262144: multiplier 262 (divide first) -> +131000.
    QTest::newRow("4.19 adj") << int(BadnessEra::Linux417to52) << qint64(4096) << 500 << qint64(262144)
                              << qint64(1015 + 131000);
    // Same on 5.9+: no clamp in play, same value.
    QTest::newRow("5.9 adj") << int(BadnessEra::Linux59Plus) << qint64(4096) << 500 << qint64(262144)
                             << qint64(1015 + 131000);
    // totalpages below 1000: the multiplier is 0, adj has no effect.
    QTest::newRow("small totalpages")
        << int(BadnessEra::Linux53to58) << qint64(4096) << 1000 << qint64(999) << qint64(1015);
}

void TestKillDecision::badnessPerEra()
{
    QFETCH(int, era);
    QFETCH(qint64, pageSize);
    QFETCH(int, adj);
    QFETCH(qint64, totalPages);
    QFETCH(qint64, expected);
    OomTask t = makeTask(1, 1000, 40960, adj, 1000, u"x"_s, 5);
    t.nrPtes = 10;
    t.nrPmds = 3;
    if (BadnessEra(era) == BadnessEra::Linux310 || BadnessEra(era) == BadnessEra::Linux41to414)
        t.pgtablesBytes.reset();
    QCOMPARE(badnessPoints(t, BadnessEra(era), totalPages, false, pageSize), expected);
}

void TestKillDecision::rootBonusBeforeAdj()
{
    // base 2000, adj 500, totalpages 100000 (multiplier 100).
    const OomTask t = makeTask(1, 2000, 0, 500, 0);
    // Bonus first: 2000 - 2000*3/100 = 1940, then + 50000.
    QCOMPARE(badnessPoints(t, BadnessEra::Linux310, 100000, true), qint64(51940));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux41to414, 100000, true), qint64(51940));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux415to416, 100000, true), qint64(51940));
    // Without CAP_SYS_ADMIN, or from 4.17 on: no bonus.
    QCOMPARE(badnessPoints(t, BadnessEra::Linux310, 100000, false), qint64(52000));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux417to52, 100000, true), qint64(52000));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux59Plus, 100000, true), qint64(52000));
    // Truncating division: 1015*3/100 = 30.
    QCOMPARE(badnessPoints(makeTask(1, 1015, 0, 0, 0), BadnessEra::Linux310, 0, true), qint64(985));

    // Through decideKill: a uid-0 task gets the bonus only with the heuristic on.
    OomEvent e = memcgEvent(4096000, u"3.10.0-1160.el7.x86_64"_s);
    e.layout = TaskTableLayout::NrPtes;
    OomTask root = makeTask(10, 1000, 0, 0, 0);
    root.pgtablesBytes.reset();
    root.nrPtes = 15;
    e.tasks = {root};
    KillDecision d = decideKill(e);
    QCOMPARE(d.ranking.at(0).points, qint64(1015 - 30));
    QCOMPARE(d.ranking.at(0).rootBonusPoints, qint64(-30));
    QVERIFY(!d.notes.filter(u"CAP_SYS_ADMIN"_s).isEmpty());
    DecisionOptions noBonus;
    noBonus.uidZeroIsCapSysAdmin = false;
    d = decideKill(e, noBonus);
    QCOMPARE(d.ranking.at(0).points, qint64(1015));
    QCOMPARE(d.ranking.at(0).rootBonusPoints, qint64(0));
}

void TestKillDecision::clampBeforeAndAfter59()
{
    // base 1000, adj -900 at totalpages 100000: 1000 - 90000 = -89000.
    const OomTask t = makeTask(1, 1000, 0, -900);
    QCOMPARE(badnessPoints(t, BadnessEra::Linux310, 100000, false), qint64(1));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux417to52, 100000, false), qint64(1));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux53to58, 100000, false), qint64(1));
    QCOMPARE(badnessPoints(t, BadnessEra::Linux59Plus, 100000, false), qint64(-89000));

    // With every task negative, 5.9+ picks the least negative; 5.3–5.8 see all 1s and
    // take the last.
    OomEvent e = memcgEvent(400000); // 100000 pages
    e.tasks = {makeTask(1, 1000, 0, -900), makeTask(2, 500, 0, -950), makeTask(3, 3000, 0, -900)};
    DecisionOptions o59;
    o59.era = BadnessEra::Linux59Plus;
    KillDecision d = decideKill(e, o59);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(3)); // 3000-90000 = -87000
    QCOMPARE(d.ranking.at(2).points, qint64(500 - 95000));
    DecisionOptions o53;
    o53.era = BadnessEra::Linux53to58;
    d = decideKill(e, o53);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(3));
    DecisionOptions o41;
    o41.era = BadnessEra::Linux41to414;
    d = decideKill(e, o41);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(1)); // all 1: first wins
}

void TestKillDecision::adjMinusThousandNeverSelected()
{
    OomEvent e = memcgEvent(400000);
    e.tasks = {makeTask(1, 90000, 0, -1000, 1000, u"sshd"_s), makeTask(2, 10, 0, 0), makeTask(3, 20, 0, 0)};
    const KillDecision d = decideKill(e);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(3));
    QCOMPARE(d.ranking.size(), size_t(3));
    QCOMPARE(d.ranking.back().task.pid, qint64(1));
    QVERIFY(!d.ranking.back().eligible);
    QCOMPARE(d.ranking.back().rank, 3);
    QCOMPARE(d.ranking.back().share, 0.0);
    QVERIFY(d.ranking.front().eligible);
    // Only -1000 itself excludes: -999 stays eligible.
    e.tasks[0].oomScoreAdj = -999;
    QVERIFY(decideKill(e).ranking.front().eligible);
}

void TestKillDecision::tieRules_data()
{
    QTest::addColumn<QString>("release");
    QTest::addColumn<qint64>("winner");
    QTest::addColumn<bool>("lastMax");
    // Table order 7, 5 (not pid order), equal points.
    QTest::newRow("3.10 first") << u"3.10.0-1160.el7.x86_64"_s << qint64(7) << false;
    QTest::newRow("4.14 first") << u"4.14.336-257.562.amzn2.x86_64"_s << qint64(7) << false;
    QTest::newRow("4.19 first") << u"4.19.0-27-amd64"_s << qint64(7) << false;
    QTest::newRow("5.4.59 last") << u"5.4.59"_s << qint64(5) << true;
    QTest::newRow("6.8 last") << u"6.8.0-49-generic"_s << qint64(5) << true;
    QTest::newRow("RHEL8 last") << u"4.18.0-240.el8.x86_64"_s << qint64(5) << true;
}

void TestKillDecision::tieRules()
{
    QFETCH(QString, release);
    QFETCH(qint64, winner);
    QFETCH(bool, lastMax);
    OomEvent e = memcgEvent(400000, release);
    e.tasks = {makeTask(3, 100, 0, 0), makeTask(7, 5000, 0, 0), makeTask(5, 5000, 0, 0)};
    const KillDecision d = decideKill(e);
    QCOMPARE(d.lastMaximumWins, lastMax);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(winner));
    QCOMPARE(d.ranking.at(0).task.pid, winner);
    QCOMPARE(d.ranking.at(1).task.pid, winner == 7 ? qint64(5) : qint64(7));
    QCOMPARE(d.pointsMargin, qint64(0));
    QVERIFY2(d.explanation.contains(u"exactly the same badness"_s), qPrintable(d.explanation));
}

void TestKillDecision::tieRuleLeaderPreference()
{
    // 4.4 – 5.2 replace an equal chosen task only when it is not a thread-group leader.
    OomEvent e = memcgEvent(400000, u"4.19.0-27-amd64"_s);
    OomTask thread = makeTask(11, 5000, 0, 0);
    thread.tgid = 10; // the leader has exited; find_lock_task_mm found thread 11
    e.tasks = {thread, makeTask(12, 5000, 0, 0)};
    QCOMPARE(decideKill(e).recomputedSelectedPid, std::optional<std::int64_t>(12));
    // 3.10 has no such preference.
    e.kernelRelease = u"3.10.0-1160.el7.x86_64"_s;
    QCOMPARE(decideKill(e).recomputedSelectedPid, std::optional<std::int64_t>(11));
    // A forced tie rule (what-if) overrides the era's.
    DecisionOptions lastMax;
    lastMax.lastMaximumWins = true;
    const KillDecision forced = decideKill(e, lastMax);
    QVERIFY(forced.lastMaximumWins);
    QCOMPARE(forced.recomputedSelectedPid, std::optional<std::int64_t>(12));
}

void TestKillDecision::eraFromRelease_data()
{
    QTest::addColumn<QString>("release");
    QTest::addColumn<int>("era");
    QTest::newRow("el7") << u"3.10.0-1160.el7.x86_64"_s << int(BadnessEra::Linux310);
    QTest::newRow("3.10.108") << u"3.10.108"_s << int(BadnessEra::Linux310);
    QTest::newRow("amzn2") << u"4.14.336-257.562.amzn2.x86_64"_s << int(BadnessEra::Linux41to414);
    QTest::newRow("4.4") << u"4.4.0-210-generic"_s << int(BadnessEra::Linux41to414);
    QTest::newRow("4.15") << u"4.15.0-213-generic"_s << int(BadnessEra::Linux415to416);
    QTest::newRow("el8") << u"4.18.0-240.el8.x86_64"_s << int(BadnessEra::Linux417to52);
    QTest::newRow("4.19") << u"4.19.0-27-amd64"_s << int(BadnessEra::Linux417to52);
    QTest::newRow("5.2") << u"5.2.1"_s << int(BadnessEra::Linux417to52);
    QTest::newRow("5.3") << u"5.3.1"_s << int(BadnessEra::Linux53to58);
    QTest::newRow("5.4.59") << u"5.4.59"_s << int(BadnessEra::Linux53to58);
    QTest::newRow("5.4.286") << u"5.4.286"_s << int(BadnessEra::Linux59Plus);
    QTest::newRow("5.10") << u"5.10.0-33-amd64"_s << int(BadnessEra::Linux59Plus);
    QTest::newRow("el9") << u"5.14.0-427.el9.x86_64"_s << int(BadnessEra::Linux59Plus);
    QTest::newRow("6.18") << u"6.18.44-fc-v782"_s << int(BadnessEra::Linux59Plus);
}

void TestKillDecision::eraFromRelease()
{
    QFETCH(QString, release);
    QFETCH(int, era);
    OomEvent e = memcgEvent(400000, release);
    e.layout = TaskTableLayout::Unknown;
    const KillDecision d = decideKill(e);
    QCOMPARE(int(d.era), era);
    QVERIFY(d.eraReason.contains(release));
}

void TestKillDecision::eraFromFormat()
{
    OomEvent e = memcgEvent(400000, QString());
    e.hasSummaryLine = false;
    e.hasTasksStateLine = false;
    e.layout = TaskTableLayout::NrPtes;
    QCOMPARE(decideKill(e).era, BadnessEra::Linux310);
    e.layout = TaskTableLayout::NrPtesNrPmds;
    QCOMPARE(decideKill(e).era, BadnessEra::Linux41to414);
    // RHEL 8: pgtables_bytes header without "Tasks state" but with the oom-kill: summary.
    e.layout = TaskTableLayout::PgtablesBytes;
    e.hasSummaryLine = true;
    KillDecision d = decideKill(e);
    QCOMPARE(d.era, BadnessEra::Linux417to52);
    QVERIFY(d.lastMaximumWins);
    QVERIFY(d.eraReason.contains(u"RHEL 8"_s));
    // 4.19 – 5.0: "Tasks state" plus "or sacrifice child".
    e.hasTasksStateLine = true;
    e.selectedPid = 1;
    d = decideKill(e);
    QCOMPARE(d.era, BadnessEra::Linux417to52);
    QVERIFY(!d.lastMaximumWins);
    e.selectedPid.reset();
    e.layout = TaskTableLayout::RssSplit;
    QCOMPARE(decideKill(e).era, BadnessEra::Linux59Plus);
    // The option overrides everything.
    DecisionOptions forced;
    forced.era = BadnessEra::Linux310;
    QCOMPARE(decideKill(e, forced).era, BadnessEra::Linux310);
}

void TestKillDecision::totalPagesMemcg_data()
{
    QTest::addColumn<qint64>("memswLimitKb"); // -1: no memory+swap line
    QTest::addColumn<qint64>("swapLimitKb"); // -1: no v2 swap: line
    QTest::addColumn<qint64>("hostSwapPages"); // -1: unknown
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<bool>("exact");
    const qint64 unlimited = 9007199254740988;
    // memory limit 131072 kB = 32768 pages throughout.
    QTest::newRow("memsw == limit") << qint64(131072) << qint64(-1) << qint64(50000) << qint64(32768) << true;
    QTest::newRow("memsw unlimited, swap unknown")
        << unlimited << qint64(-1) << qint64(-1) << qint64(32768) << false;
    QTest::newRow("memsw unlimited, host swap 1000")
        << unlimited << qint64(-1) << qint64(1000) << qint64(33768) << true;
    // memsw 8 MiB above the limit: room 2048 pages, min(room, host swap).
    QTest::newRow("memsw room > swap")
        << qint64(131072 + 8192) << qint64(-1) << qint64(1000) << qint64(33768) << true;
    QTest::newRow("memsw room < swap")
        << qint64(131072 + 8192) << qint64(-1) << qint64(100000) << qint64(32768 + 2048) << true;
    QTest::newRow("v2 swap.max 0") << qint64(-1) << qint64(0) << qint64(-1) << qint64(32768) << true;
    QTest::newRow("v2 swap.max 4 MiB")
        << qint64(-1) << qint64(4096) << qint64(10000) << qint64(32768 + 1024) << true;
    QTest::newRow("v2 swap.max max") << qint64(-1) << unlimited << qint64(10000) << qint64(32768 + 10000)
                                     << true;
}

void TestKillDecision::totalPagesMemcg()
{
    QFETCH(qint64, memswLimitKb);
    QFETCH(qint64, swapLimitKb);
    QFETCH(qint64, hostSwapPages);
    QFETCH(qint64, expected);
    QFETCH(bool, exact);
    OomEvent e = memcgEvent(131072);
    e.memsw = {};
    if (memswLimitKb >= 0) {
        e.memsw.present = true;
        e.memsw.limitKb = memswLimitKb;
    }
    if (swapLimitKb >= 0) {
        e.swap.present = true;
        e.swap.limitKb = swapLimitKb;
    }
    DecisionOptions o;
    if (hostSwapPages >= 0)
        o.totalSwapPages = hostSwapPages;
    const KillDecision d = decideKill(e, o);
    QCOMPARE(d.totalPages, expected);
    QCOMPARE(d.totalPagesExact, exact);
    if (!exact)
        QVERIFY(!d.notes.filter(u"swap"_s).isEmpty());
}

void TestKillDecision::totalPagesGlobal()
{
    OomEvent e;
    e.kernelRelease = u"4.14.336-257.562.amzn2.x86_64"_s;
    e.constraint = Constraint::None;
    e.ramPages = 2097022;
    e.reservedPages = 49631;
    e.totalSwapKb = 2097148;
    // (2097022 - 49631) + 2097148/4 = 2047391 + 524287.
    KillDecision d = decideKill(e);
    QCOMPARE(d.totalPages, qint64(2571678));
    QVERIFY(d.totalPagesExact);
    // Only the zone managed: sum: 4060024 kB / 4, no swap.
    OomEvent m;
    m.constraint = Constraint::None;
    m.managedKbSum = 4060024;
    m.totalSwapKb = 0;
    d = decideKill(m);
    QCOMPARE(d.totalPages, qint64(1015006));
    // Missing "Total swap": assumed 0, flagged.
    m.totalSwapKb.reset();
    d = decideKill(m);
    QCOMPARE(d.totalPages, qint64(1015006));
    QVERIFY(!d.totalPagesExact);
    // 16 KiB pages.
    m.pageSizeBytes = 16384;
    m.totalSwapKb = 16384;
    QCOMPARE(decideKill(m).totalPages, qint64(4060024 / 16 + 1024));
}

void TestKillDecision::totalPagesVanilla310UsesManaged()
{
    // Vanilla 3.10 counts PageReserved per PFN, so only Σ managed is totalram (§2.5).
    OomEvent e;
    e.kernelRelease = u"3.10.108"_s;
    e.constraint = Constraint::None;
    e.ramPages = 1048576;
    e.reservedPages = 10000;
    e.managedKbSum = 4000000;
    e.totalSwapKb = 4096;
    QCOMPARE(decideKill(e).totalPages, qint64(1000000 + 1024));
    // RHEL 7 uses present/managed like 4.x: RAM - reserved.
    e.kernelRelease = u"3.10.0-1160.el7.x86_64"_s;
    QCOMPARE(decideKill(e).totalPages, qint64(1048576 - 10000 + 1024));
}

void TestKillDecision::unlimitedMemcgIsGraceful()
{
    OomEvent e = memcgEvent(131072);
    e.memory.limitKb = 9007199254740988;
    e.memsw.limitKb = 9007199254740988;
    e.tasks = {makeTask(1, 100, 0, 500), makeTask(2, 200, 0, 0)};
    KillDecision d = decideKill(e);
    QCOMPARE(d.totalPages, qint64(0)); // adj term dropped rather than multiplied by 2^51
    QVERIFY(!d.totalPagesExact);
    QVERIFY(!d.notes.isEmpty());
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(2));
    // With Mem-Info totals in the same report, those are used.
    e.ramPages = 1000000;
    e.reservedPages = 0;
    e.totalSwapKb = 0;
    d = decideKill(e);
    QCOMPARE(d.totalPages, qint64(1000000));
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(1)); // 100 + 500*1000
}

void TestKillDecision::noTaskTable()
{
    OomEvent e = memcgEvent(131072);
    e.victim.present = true;
    e.victim.pid = 42;
    e.victim.comm = u"worker"_s;
    const KillDecision d = decideKill(e);
    QVERIFY(d.ranking.empty());
    QVERIFY(!d.recomputedSelectedPid);
    QVERIFY(!d.agrees);
    QCOMPARE(d.kernelSelectedPid, qint64(42));
    QVERIFY(!d.runnerUpPid);
    QVERIFY(d.explanation.contains(u"no task table"_s));
    QVERIFY(d.explanation.contains(u"`worker` (pid 42)"_s));
}

void TestKillDecision::qosMapping()
{
    QCOMPARE(qosTierForAdj(-997), QosTier::Guaranteed);
    QCOMPARE(qosTierForAdj(1000), QosTier::BestEffort);
    QCOMPARE(qosTierForAdj(2), QosTier::Burstable);
    QCOMPARE(qosTierForAdj(999), QosTier::Burstable);
    QCOMPARE(qosTierForAdj(-1000), QosTier::NeverKill);
    QCOMPARE(qosTierForAdj(0), QosTier::None);
    QCOMPARE(qosTierForAdj(1), QosTier::Other);
    QCOMPARE(qosTierForAdj(-500), QosTier::Other);
    QCOMPARE(qosTierName(QosTier::BestEffort), u"BestEffort"_s);
    QCOMPARE(qosTierName(QosTier::Guaranteed), u"Guaranteed"_s);
}

void TestKillDecision::marginFlipsOutcome()
{
    const OomEvent e = oomlab2Event();
    const KillDecision d = decideKill(e);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(2378));
    QCOMPARE(d.runnerUpPid, std::optional<std::int64_t>(2501));
    QVERIFY(d.runnerUpAdjToWin.has_value());
    QVERIFY(d.selectedAdjToLose.has_value());

    const auto withAdj = [&](std::int64_t pid, int adj) {
        OomEvent copy = e;
        for (OomTask &t : copy.tasks)
            if (t.pid == pid)
                t.oomScoreAdj = adj;
        return decideKill(copy).recomputedSelectedPid;
    };
    QCOMPARE(withAdj(2501, *d.runnerUpAdjToWin), std::optional<std::int64_t>(2501));
    QCOMPARE(withAdj(2501, *d.runnerUpAdjToWin - 1), std::optional<std::int64_t>(2378));
    QVERIFY(withAdj(2378, *d.selectedAdjToLose) != std::optional<std::int64_t>(2378));
    QCOMPARE(withAdj(2378, *d.selectedAdjToLose + 1), std::optional<std::int64_t>(2378));
}

void TestKillDecision::marginMatchesHandComputation()
{
    // totalpages 32768, multiplier 32. Selected 2378: 5722 + 90112/4096 (22) + 900*32 = 34544.
    // Runner-up 2501: 14830 + 44 = 14874; wins when 14874 + 32a >= 34544, i.e. a >= 615.
    // 2378 loses when 5744 + 32a < 14874, i.e. a <= 285.
    const KillDecision d = decideKill(oomlab2Event());
    QCOMPARE(d.totalPages, qint64(32768));
    QCOMPARE(d.ranking.at(0).points, qint64(34544));
    QCOMPARE(d.ranking.at(1).points, qint64(14874));
    QCOMPARE(d.pointsMargin, qint64(34544 - 14874));
    QCOMPARE(d.runnerUpAdjToWin, std::optional<int>(615));
    QCOMPARE(d.selectedAdjToLose, std::optional<int>(285));
    QCOMPARE(d.ranking.at(0).adjPoints, qint64(28800));
    QCOMPARE(d.ranking.at(0).basePoints, qint64(5744));
    QCOMPARE(d.era, BadnessEra::Linux59Plus);
    QVERIFY(d.agrees);
    QCOMPARE(d.victimQos, QosTier::Burstable);
    // Host swap was not known (memsw unlimited): flagged.
    QVERIFY(!d.totalPagesExact);
}

void TestKillDecision::sacrificeChild()
{
    // 3.10 memcg: java selected (score 966), its child controller killed.
    OomEvent e = memcgEvent(2097152, u"3.10.0-1160.83.1.el7.x86_64"_s);
    e.layout = TaskTableLayout::NrPtes;
    e.hasTasksStateLine = false;
    e.hasSummaryLine = false;
    auto row = [](std::int64_t pid, std::int64_t rss, std::int64_t ptes, const QString &comm) {
        OomTask t = makeTask(pid, rss, 0, 0, 1000, comm);
        t.pgtablesBytes.reset();
        t.nrPtes = ptes;
        return t;
    };
    e.tasks = {row(2987, 21, 8, u"sh"_s), row(3120, 505432, 1203, u"java"_s),
               row(3388, 2741, 52, u"controller"_s)};
    e.selectedPid = 3120;
    e.selectedComm = u"java"_s;
    e.selectedScore = 966;
    e.victim.present = true;
    e.victim.pid = 3388;
    e.victim.comm = u"controller"_s;
    const KillDecision d = decideKill(e);
    QCOMPARE(d.era, BadnessEra::Linux310);
    QCOMPARE(d.totalPages, qint64(524288));
    QVERIFY(d.totalPagesExact);
    QCOMPARE(d.kernelSelectedPid, qint64(3120));
    QCOMPARE(d.victimPid, qint64(3388));
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(3120));
    QVERIFY(d.agrees);
    // 505432 + 1203 = 506635; 506635*1000/524288 = 966, as the kernel printed.
    QCOMPARE(d.ranking.at(0).points, qint64(506635));
    QVERIFY(d.notes.filter(u"score"_s).isEmpty());
    QVERIFY2(d.explanation.contains(u"sacrifice"_s), qPrintable(d.explanation));
    QVERIFY2(d.explanation.contains(u"controller"_s), qPrintable(d.explanation));
}

void TestKillDecision::threadIdNotInTable()
{
    OomEvent e = memcgEvent(2097152, u"3.10.0-327.el7.x86_64"_s);
    e.layout = TaskTableLayout::NrPtes;
    OomTask java = makeTask(28438, 505432, 0, 0, 1000, u"java"_s);
    java.pgtablesBytes.reset();
    java.nrPtes = 1203;
    e.tasks = {makeTask(100, 21, 0, 0, 1000, u"sh"_s), java};
    e.selectedPid = 24572; // a thread of java, not a table row
    e.selectedComm = u"java"_s;
    e.selectedScore = 966;
    e.victim.present = true;
    e.victim.pid = 28438;
    e.victim.comm = u"java"_s;
    KillDecision d = decideKill(e);
    QCOMPARE(d.kernelSelectedPid, qint64(24572));
    QVERIFY(d.agrees);
    QVERIFY(!d.notes.filter(u"thread id"_s).isEmpty());
    // A score that does not match cannot be claimed as agreement.
    e.selectedScore = 5;
    d = decideKill(e);
    QVERIFY(!d.agrees);

    // Thread row whose tgid is the kernel's pid: matched via tgid.
    OomEvent t = memcgEvent(400000);
    OomTask thread = makeTask(501, 9000, 0, 0);
    thread.tgid = 500;
    t.tasks = {makeTask(1, 10, 0, 0), thread};
    t.victim.present = true;
    t.victim.pid = 500;
    d = decideKill(t);
    QVERIFY(d.agrees);
    QVERIFY(!d.notes.filter(u"tgid"_s).isEmpty());
}

void TestKillDecision::victimQosFromKillLine()
{
    // The victim is not in the table: its adj comes from the kill line.
    OomEvent e = memcgEvent(400000);
    e.tasks = {makeTask(1, 10, 0, 0)};
    e.victim.present = true;
    e.victim.pid = 77;
    e.victim.oomScoreAdj = 1000;
    QCOMPARE(decideKill(e).victimQos, QosTier::BestEffort);
    e.victim.oomScoreAdj = -997;
    QCOMPARE(decideKill(e).victimQos, QosTier::Guaranteed);
    e.victim.oomScoreAdj.reset();
    QCOMPARE(decideKill(e).victimQos, QosTier::None);
}

void TestKillDecision::shareSumsToOne()
{
    const KillDecision d = decideKill(oomlab2Event());
    double sum = 0;
    for (const RankedTask &r : d.ranking)
        sum += r.share;
    QVERIFY(qAbs(sum - 1.0) < 1e-9);
    // 34544 / (13483 + 34544 + 4540 + 14874).
    QVERIFY(qAbs(rowFor(d, 2378)->share - 34544.0 / 67441.0) < 1e-9);
    QCOMPARE(rankedPids(d), (std::vector<std::int64_t> {2378, 2501, 2377, 2379}));
    for (size_t i = 0; i < d.ranking.size(); ++i)
        QCOMPARE(d.ranking[i].rank, int(i) + 1);
}

QTEST_GUILESS_MAIN(TestKillDecision)
#include "tst_killdecision.moc"
