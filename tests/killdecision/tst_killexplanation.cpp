// SPDX-License-Identifier: GPL-3.0-or-later
// The words of a kill decision on hand-built events: the facts decideKill() records and the
// explanation and notes killexplanation.cpp composes from them. Every expected number is worked
// out from the formulas of kernel-oom-formats.md §3–4 in the comments, not taken from the code.
#include "killdecision.h"
#include "killdecisionfixture.h"
#include "killexplanation.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace killdecisiontest;

namespace {

RankedTask rankedTask(std::int64_t pid, const QString &comm, std::int64_t basePoints, int adj,
                      std::int64_t adjPoints)
{
    RankedTask r;
    r.task = makeTask(pid, basePoints, 0, adj, 1000, comm);
    r.basePoints = basePoints;
    r.adjPoints = adjPoints;
    r.points = basePoints + adjPoints;
    return r;
}

} // namespace

class TestKillExplanation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void explanationAdjBeatsSize();
    void explanationLargestKilled();
    void factsNameTheAdjRule();
    void composerAdjWinnerSentence();
    void composerTieSentence();
    void composerMarginWithoutWinningAdj();
    void composerNoTaskTable();
    void composerNotes();
};

void TestKillExplanation::explanationAdjBeatsSize()
{
    const KillDecision d = decideKill(oomlab2Event());
    // 2501 used 14874 pages vs 5744: 2.59 -> "2.6x".
    QVERIFY2(d.explanation.contains(u"`python3` (pid 2378) was killed although `python3` (pid "
                                    u"2501) used 2.6x more memory"_s),
             qPrintable(d.explanation));
    QVERIFY2(d.explanation.contains(u"oom_score_adj 900 added 28,800 points at a 128 MiB limit"_s),
             qPrintable(d.explanation));
    QVERIFY2(d.explanation.contains(u"Burstable"_s), qPrintable(d.explanation));
}

void TestKillExplanation::explanationLargestKilled()
{
    // 2 GiB limit, java holds 506635 of 524288 pages (1.93 GiB).
    OomEvent e = memcgEvent(2097152);
    e.tasks = {makeTask(1, 30000, 0, 0, 1000, u"sh"_s), makeTask(3120, 506635, 0, 0, 1000, u"java"_s)};
    e.victim.present = true;
    e.victim.pid = 3120;
    const KillDecision d = decideKill(e);
    // 506635 / (506635 + 30000) = 94 %.
    QVERIFY2(
        d.explanation.contains(u"`java` (pid 3120) used the most memory: 1.9 GiB of the 2 GiB limit (94 % of "
                               u"all points)"_s),
        qPrintable(d.explanation));
    QVERIFY(!d.explanation.contains(u"sacrifice"_s));
}

void TestKillExplanation::factsNameTheAdjRule()
{
    // 2378 (adj 900 at totalpages 32768: +900 * 32 = 28,800 points) beat the larger 2501.
    const KillDecision d = decideKill(oomlab2Event());
    QCOMPARE(d.facts.outcome, KillFacts::Outcome::Selected);
    QCOMPARE(d.facts.rule, KillFacts::Rule::OutweighedLarger);
    QVERIFY(d.facts.selectedAdjAdded);
    QVERIFY(!d.facts.largestAdjRemoved);
    QVERIFY(d.facts.selectedIsVictim);
    QCOMPARE(d.ranking[d.facts.largestIndex].task.pid, qint64(2501));
    QCOMPARE(d.ranking[0].adjPoints, qint64(28800));
    QVERIFY(d.facts.scopeIsLimit);
    QCOMPARE(d.facts.scopeBytes, qint64(131072) * 1024);
    QCOMPARE(d.facts.victimAdj, std::optional<int>(900));
    // Every consumer reads the composer's words.
    QCOMPARE(d.explanation, killExplanation(d));
    QCOMPARE(d.notes, killNotes(d));
}

void TestKillExplanation::composerAdjWinnerSentence()
{
    KillDecision d;
    d.ranking = {rankedTask(2, u"py"_s, 1000, 900, 28800), rankedTask(1, u"java"_s, 3000, 0, 0)};
    d.kernelSelectedPid = 2;
    d.agrees = true;
    d.facts.outcome = KillFacts::Outcome::Selected;
    d.facts.rule = KillFacts::Rule::OutweighedLarger;
    d.facts.largestIndex = 1;
    d.facts.largestToSelectedMemory = 3.0;
    d.facts.selectedAdjAdded = true;
    d.facts.selectedIsVictim = true;
    d.facts.scopeIsLimit = true;
    d.facts.scopeBytes = 128 * 1024 * 1024;
    QCOMPARE(killExplanation(d),
             u"`py` (pid 2) was killed although `java` (pid 1) used 3.0x more memory, "
             u"because its oom_score_adj 900 added 28,800 points at a 128 MiB limit."_s);
    // Without the adj fact the formula is the reason; selected but not killed says so.
    d.facts.selectedAdjAdded = false;
    d.facts.selectedIsVictim = false;
    QVERIFY2(killExplanation(d).contains(u"`py` (pid 2) was selected although"_s),
             qPrintable(killExplanation(d)));
    QVERIFY(killExplanation(d).contains(u"because the badness formula of this kernel ranked it higher."_s));
}

void TestKillExplanation::composerTieSentence()
{
    KillDecision d;
    d.ranking = {rankedTask(7, u"b"_s, 5000, 0, 0), rankedTask(3, u"a"_s, 5000, 0, 0)};
    d.lastMaximumWins = true;
    d.runnerUpPid = 3;
    d.pointsMargin = 0;
    d.runnerUpAdjToWin = 1;
    d.kernelSelectedPid = 7;
    d.agrees = true;
    d.facts.outcome = KillFacts::Outcome::Selected;
    d.facts.rule = KillFacts::Rule::MostMemory;
    d.facts.tie = true;
    d.facts.scopeBytes = 4LL * 1024 * 1024 * 1024;
    const QString text = killExplanation(d);
    QVERIFY2(text.contains(u"`b` (pid 7) and `a` (pid 3) had exactly the same badness (5,000 points); this "
                           u"kernel picks the last of equal tasks in the table, which decided it."_s),
             qPrintable(text));
    QVERIFY(!text.contains(u"runner-up"_s));
    d.lastMaximumWins = false;
    QVERIFY(killExplanation(d).contains(u"picks the first of equal tasks"_s));
}

void TestKillExplanation::composerMarginWithoutWinningAdj()
{
    KillDecision d;
    d.ranking = {rankedTask(1, u"big"_s, 90000, 0, 0), rankedTask(2, u"small"_s, 100, 0, 0)};
    d.runnerUpPid = 2;
    d.pointsMargin = 89900;
    d.kernelSelectedPid = 9; // the kernel chose someone else
    d.totalPages = 100000;
    d.facts.outcome = KillFacts::Outcome::Selected;
    d.facts.disagrees = true;
    d.facts.suspect = KillFacts::Suspect::TotalPages;
    const QString text = killExplanation(d);
    QVERIFY2(text.contains(u"The runner-up `small` (pid 2) had 89,900 fewer points; not even oom_score_adj "
                           u"1000 would have made it the choice."_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"The recomputation picks `big` (pid 1), but the kernel selected pid 9; the "
                           u"assumed totalpages (100000) may be wrong."_s),
             qPrintable(text));
}

void TestKillExplanation::composerNoTaskTable()
{
    KillDecision d;
    d.facts.outcome = KillFacts::Outcome::NoTaskTable;
    d.facts.killedPid = 42;
    d.facts.killedComm = u"worker"_s;
    d.facts.groupKilledOthers = 2;
    d.facts.victimAdj = 1000;
    d.facts.victimInKubepods = true;
    d.victimQos = QosTier::BestEffort;
    QCOMPARE(killExplanation(d),
             u"The report has no task table, so the kernel's choice cannot be recomputed. The kernel killed "
             u"`worker` (pid 42). memory.oom.group is set, so the kernel also killed the cgroup's other "
             u"tasks (2 more). The victim's oom_score_adj 1000 marks a Kubernetes BestEffort pod (no memory "
             u"request), which is killed first."_s);
}

void TestKillExplanation::composerNotes()
{
    DecisionNote mismatch;
    mismatch.kind = DecisionNote::Kind::ScoreMismatch;
    mismatch.printedScore = 12;
    mismatch.recomputedScore = 15;
    mismatch.totalPages = 1000;
    QCOMPARE(decisionNoteText(mismatch),
             u"The kernel printed score 12 but the recomputation gives 15, so "
             u"totalpages (1000) is probably off (swap term?)."_s);
    DecisionNote tgid;
    tgid.kind = DecisionNote::Kind::MatchedByTgid;
    tgid.pid = 77;
    QCOMPARE(decisionNoteText(tgid),
             u"The kernel's pid 77 is not a task-table pid; it was matched to the row with tgid 77."_s);
    KillDecision d;
    d.noteFacts = {tgid, mismatch};
    QCOMPARE(killNotes(d), (QStringList {decisionNoteText(tgid), decisionNoteText(mismatch)}));
}

QTEST_GUILESS_MAIN(TestKillExplanation)
#include "tst_killexplanation.moc"
