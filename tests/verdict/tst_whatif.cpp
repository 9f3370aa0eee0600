// SPDX-License-Identifier: GPL-3.0-or-later
// What-if on a real kernel report (whatif.h): a changed oom_score_adj, a removed task or another
// limit re-decided by decideKill, checked against badnessPoints() itself.
#include "killdecision.h"
#include "oomreportparser.h"
#include "whatif.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

// The second report of the real 6.18 log: three python3 tasks in a 128 MiB memcg.
OomEvent realEvent()
{
    QFile log(QStringLiteral(OOMSCOPE_TEST_DATA "/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"));
    if (!log.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(log.fileName()));
    const ParseResult parsed = OomReportParser().parse(log.readAll());
    if (parsed.events.size() < 2)
        qFatal("expected three reports");
    return parsed.events[1];
}

// The pid with the most points by badnessPoints() directly, ties per the era's rule.
std::int64_t expectedTop(const OomEvent &e, const KillDecision &d)
{
    std::int64_t best = 0;
    std::optional<std::int64_t> bestPoints;
    for (const OomTask &t : e.tasks) {
        if (t.oomScoreAdj == -1000)
            continue;
        const std::int64_t p = badnessPoints(t, d.era, d.totalPages, false, e.pageSizeBytes);
        if (!bestPoints || p > *bestPoints || (p == *bestPoints && d.lastMaximumWins)) {
            bestPoints = p;
            best = t.pid;
        }
    }
    return best;
}

} // namespace

class WhatIfTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unchangedIsTheOriginal()
    {
        const OomEvent e = realEvent();
        const KillDecision d = decideKill(e);
        const KillDecision same = decideWhatIf(e, d, {});
        QCOMPARE(same.recomputedSelectedPid, d.recomputedSelectedPid);
        QCOMPARE(same.ranking.size(), d.ranking.size());
        QCOMPARE(*d.recomputedSelectedPid, std::int64_t(2378)); // the kernel's victim
    }

    void adjOfTheVictimToNeverKill()
    {
        const OomEvent e = realEvent();
        const KillDecision d = decideKill(e);
        WhatIfChange change;
        change.adjByPid[2378] = -1000;
        const KillDecision w = decideWhatIf(e, d, change);
        QVERIFY(w.recomputedSelectedPid);
        QVERIFY(*w.recomputedSelectedPid != 2378);
        QCOMPARE(*w.recomputedSelectedPid, expectedTop(applyWhatIf(e, change), w));
        QCOMPARE(*w.recomputedSelectedPid, *d.runnerUpPid);
        // The victim is still listed, not eligible.
        QVERIFY(std::any_of(w.ranking.begin(), w.ranking.end(),
                            [](const RankedTask &t) { return t.task.pid == 2378 && !t.eligible; }));
    }

    void runnerUpWithTheAdjItNeeded()
    {
        const OomEvent e = realEvent();
        const KillDecision d = decideKill(e);
        QVERIFY(d.runnerUpPid && d.runnerUpAdjToWin);
        WhatIfChange change;
        change.adjByPid[*d.runnerUpPid] = *d.runnerUpAdjToWin;
        QCOMPARE(decideWhatIf(e, d, change).recomputedSelectedPid, d.runnerUpPid);
        change.adjByPid[*d.runnerUpPid] = *d.runnerUpAdjToWin - 1;
        QCOMPARE(decideWhatIf(e, d, change).recomputedSelectedPid, d.recomputedSelectedPid);
    }

    void removedTask()
    {
        const OomEvent e = realEvent();
        const KillDecision d = decideKill(e);
        WhatIfChange change;
        change.removedPids.insert(2378);
        const KillDecision w = decideWhatIf(e, d, change);
        QCOMPARE(w.ranking.size(), d.ranking.size() - 1);
        QCOMPARE(*w.recomputedSelectedPid, expectedTop(applyWhatIf(e, change), w));
    }

    void otherLimit()
    {
        const OomEvent e = realEvent();
        const KillDecision d = decideKill(e);
        QCOMPARE(d.totalPages, std::int64_t(32768));
        WhatIfChange change;
        change.memcgLimitBytes = std::int64_t(512) << 20;
        change.adjByPid[*d.runnerUpPid] = 300;
        const OomEvent changed = applyWhatIf(e, change);
        const KillDecision w = decideWhatIf(e, d, change);
        QCOMPARE(w.totalPages, std::int64_t(131072)); // 512 MiB in 4 KiB pages
        for (const RankedTask &t : w.ranking)
            if (t.eligible)
                QCOMPARE(t.points, badnessPoints(t.task, w.era, w.totalPages, false, changed.pageSizeBytes));
        QCOMPARE(*w.recomputedSelectedPid, expectedTop(changed, w));
    }
};

QTEST_GUILESS_MAIN(WhatIfTest)
#include "tst_whatif.moc"
