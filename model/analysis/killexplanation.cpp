// SPDX-License-Identifier: GPL-3.0-or-later
#include "killexplanation.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString groupDigits(std::int64_t value)
{
    const bool negative = value < 0;
    QString digits = QString::number(negative ? -value : value);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, u',');
    return negative ? u"-"_s % digits : digits;
}

QString formatBytes(double bytes)
{
    static const char16_t *const units[] = {u"B", u"KiB", u"MiB", u"GiB", u"TiB", u"PiB"};
    int unit = 0;
    double value = bytes < 0 ? -bytes : bytes;
    while (value >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    QString number;
    if (value < 10 && std::abs(value - std::round(value)) >= 0.05)
        number = QString::number(value, 'f', 1);
    else
        number = QString::number(std::llround(value));
    return (bytes < 0 ? u"-"_s : QString()) % number % u" "_s % QString::fromUtf16(units[unit]);
}

QString label(const QString &comm, std::int64_t pid)
{
    return u"`%1` (pid %2)"_s.arg(comm).arg(pid);
}

QString label(const OomTask &task)
{
    return label(task.comm, task.pid);
}

QString qosSentence(QosTier tier, int adj, bool kubepods)
{
    // Outside kubepods cgroups the value only resembles a tier, so say so.
    const QString marks = kubepods ? u"marks a Kubernetes"_s : u"is what Kubernetes gives a"_s;
    switch (tier) {
    case QosTier::Guaranteed:
        return u"The victim's oom_score_adj -997 %1 Guaranteed pod, normally the last to be killed."_s.arg(
            marks);
    case QosTier::Burstable:
        return u"The victim's oom_score_adj %1 %2 Burstable pod (the kubelet sets 2–999 from the memory "
               u"request: the smaller the request, the higher the value)."_s.arg(adj)
                   .arg(marks);
    case QosTier::BestEffort:
        return u"The victim's oom_score_adj 1000 %1 BestEffort pod (no memory request), which is killed "
               u"first."_s.arg(marks);
    case QosTier::NeverKill:
        return u"The victim's oom_score_adj -1000 should have made it unkillable."_s;
    case QosTier::None:
    case QosTier::Other:
        break;
    }
    return {};
}

// "the 2 GiB limit" / "at a 2 GiB limit", or the RAM + swap the points are shares of.
QString scopeText(const KillFacts &f)
{
    return f.scopeIsLimit ? u"the %1 limit"_s.arg(formatBytes(double(f.scopeBytes)))
                          : u"the %1 of RAM + swap"_s.arg(formatBytes(double(f.scopeBytes)));
}

QString atScopeText(const KillFacts &f)
{
    return f.scopeIsLimit ? u"at a %1 limit"_s.arg(formatBytes(double(f.scopeBytes)))
                          : u"with %1 of RAM + swap"_s.arg(formatBytes(double(f.scopeBytes)));
}

QString mostMemorySentence(const KillDecision &d)
{
    const KillFacts &f = d.facts;
    const RankedTask &sel = d.ranking[0];
    const QString used = formatBytes(double(sel.basePoints) * double(f.pageSizeBytes));
    const QString pct = QString::number(std::llround(sel.share * 100));
    // rss counts shared file pages too, so a task can appear to exceed its limit.
    QString s = f.selectedOverScope
        ? u"%1 used the most memory: %2 as the kernel counts it (rss including shared "
          u"file pages, swap, page tables) against %3 (%4 % of all points)."_s.arg(label(sel.task), used,
                                                                                   scopeText(f), pct)
        : u"%1 used the most memory: %2 of %3 (%4 % of all points)."_s.arg(label(sel.task), used,
                                                                           scopeText(f), pct);
    if (sel.adjPoints != 0)
        s += u" Its oom_score_adj %1 %2 %3 points."_s.arg(sel.task.oomScoreAdj)
                 .arg(sel.adjPoints > 0 ? u"added"_s : u"removed"_s)
                 .arg(groupDigits(std::abs(sel.adjPoints)));
    return s;
}

QString outweighedSentence(const KillDecision &d)
{
    const KillFacts &f = d.facts;
    const RankedTask &sel = d.ranking[0];
    const RankedTask &largest = d.ranking[f.largestIndex];
    QStringList why;
    if (f.selectedAdjAdded)
        why << u"its oom_score_adj %1 added %2 points %3"_s.arg(sel.task.oomScoreAdj)
                   .arg(groupDigits(sel.adjPoints), atScopeText(f));
    if (f.largestAdjRemoved)
        why << u"%1's oom_score_adj %2 removed %3 points"_s.arg(
            label(largest.task), QString::number(largest.task.oomScoreAdj), groupDigits(-largest.adjPoints));
    if (f.largestRootBonus)
        why << u"the 3 % root bonus took %1 points off %2"_s.arg(groupDigits(-largest.rootBonusPoints),
                                                                 label(largest.task));
    if (why.isEmpty())
        why << u"the badness formula of this kernel ranked it higher"_s;
    return u"%1 was %2 although %3 used %4x more memory, because %5."_s.arg(
        label(sel.task), f.selectedIsVictim ? u"killed"_s : u"selected"_s, label(largest.task),
        QString::number(f.largestToSelectedMemory, 'f', 1), why.join(u" and "_s));
}

QString sacrificeSentence(const KillFacts::SacrificedChild &c)
{
    return u"The kernel selected `%1` (pid %2%3) but killed `%4` (pid %5) instead: "
           u"kernels up to 5.0 sacrifice a child that has its own memory."_s.arg(
               c.selectedComm, QString::number(c.selectedPid),
               c.selectedScore ? u", score %1"_s.arg(*c.selectedScore) : QString(), c.victimComm,
               QString::number(c.victimPid));
}

QString tieSentence(const KillDecision &d)
{
    return u"%1 and %2 had exactly the same badness (%3 points); this kernel picks the "
           u"%4 of equal tasks in the table, which decided it."_s.arg(
               label(d.ranking[0].task), label(d.ranking[1].task), groupDigits(d.ranking[0].points),
               d.lastMaximumWins ? u"last"_s : u"first"_s);
}

QString marginSentence(const KillDecision &d)
{
    QString s =
        u"The runner-up %1 had %2 fewer points"_s.arg(label(d.ranking[1].task), groupDigits(d.pointsMargin));
    if (d.runnerUpAdjToWin)
        s += u" and would have been chosen with oom_score_adj %1 or more"_s.arg(*d.runnerUpAdjToWin);
    else
        s += u"; not even oom_score_adj 1000 would have made it the choice"_s;
    return s % u"."_s;
}

QString disagreementSentence(const KillDecision &d)
{
    QString s = u"The recomputation picks %1, but the kernel selected pid %2"_s.arg(
        label(d.ranking[0].task), QString::number(d.kernelSelectedPid));
    if (d.facts.suspect == KillFacts::Suspect::TotalPages)
        s += u"; the assumed totalpages (%1) may be wrong"_s.arg(d.totalPages);
    else if (d.facts.suspect == KillFacts::Suspect::RootBonus)
        s += u"; the root-bonus assumption may be wrong"_s;
    return s % u"."_s;
}

// The sentences about the selection itself: why it, the sacrificed child, the margin, checks.
QStringList selectionSentences(const KillDecision &d)
{
    const KillFacts &f = d.facts;
    QStringList text;
    text << (f.rule == KillFacts::Rule::MostMemory ? mostMemorySentence(d) : outweighedSentence(d));
    if (f.sacrificedChild)
        text << sacrificeSentence(*f.sacrificedChild);
    if (d.runnerUpPid && f.tie)
        text << tieSentence(d);
    else if (d.runnerUpPid)
        text << marginSentence(d);
    if (f.disagrees)
        text << disagreementSentence(d);
    return text;
}

} // namespace

QString killExplanation(const KillDecision &d)
{
    const KillFacts &f = d.facts;
    QStringList text;
    switch (f.outcome) {
    case KillFacts::Outcome::NoTaskTable:
        text << u"The report has no task table, so the kernel's choice cannot be recomputed."_s;
        if (f.killedPid)
            text << u"The kernel killed `%1` (pid %2)."_s.arg(f.killedComm).arg(*f.killedPid);
        break;
    case KillFacts::Outcome::NoneEligible:
        text << u"No task in the table was eligible (every one has oom_score_adj -1000), so "
                u"the recomputation selects nobody."_s;
        break;
    case KillFacts::Outcome::Selected:
        text << selectionSentences(d);
        break;
    }
    if (f.groupKilledOthers)
        text << u"memory.oom.group is set, so the kernel also killed the cgroup's other tasks "
                u"(%1 more)."_s.arg(*f.groupKilledOthers);
    if (f.victimAdj) {
        const QString q = qosSentence(d.victimQos, *f.victimAdj, f.victimInKubepods);
        if (!q.isEmpty())
            text << q;
    }
    return text.join(u' ');
}

QString decisionNoteText(const DecisionNote &n)
{
    using K = DecisionNote::Kind;
    switch (n.kind) {
    case K::CpusetTotals:
        return u"A cpuset/mempolicy OOM counts only the allowed nodes' pages, which the log "
               u"does not total; the whole machine was used instead."_s;
    case K::NoRamTotals:
        return u"The report prints no RAM totals, so the oom_score_adj term could not be "
               u"computed (taken as 0)."_s;
    case K::NoTotalSwap:
        return u"\"Total swap\" was not printed; the host is assumed to have no swap."_s;
    case K::MemcgNoLimit:
        return u"The memcg \"memory:\" line shows no limit, which a memcg OOM cannot "
               u"have; the limit was not used."_s;
    case K::MemcgLimitMissing:
        return u"The memcg \"memory:\" line is missing; the limit is unknown."_s;
    case K::AdjTermZero:
        return u"Without a limit the oom_score_adj term is taken as 0."_s;
    case K::HostSwapUnknown:
        return u"The memcg could use swap but a memcg report does not print the host's swap "
               u"size; no swap was assumed (the kernel adds min(swap room, total swap) when "
               u"vm.swappiness > 0)."_s;
    case K::SwappinessAssumed:
        return u"The swap term assumes vm.swappiness > 0 for this cgroup."_s;
    case K::RootBonusAssumed:
        return u"uid 0 was counted as CAP_SYS_ADMIN for the 3 % root bonus; processes in "
               u"containers usually lack it, which would raise their points."_s;
    case K::MatchedByTgid:
        return u"The kernel's pid %1 is not a task-table pid; it was matched to the "
               u"row with tgid %1."_s.arg(n.pid);
    case K::MatchedByCommAndScore:
        return u"The kernel selected pid %1, which is not in the task table (a "
               u"thread id, as on 3.10/4.x memcg OOMs); it was matched to %2 by "
               u"comm and the printed score."_s.arg(n.pid)
                   .arg(label(n.matchedComm, n.matchedPid));
    case K::KernelPidNotInTable:
        return u"The kernel selected pid %1, which is not in the task table (a "
               u"thread id, or the table was cut short)."_s.arg(n.pid);
    case K::ScoreMismatch:
        return u"The kernel printed score %1 but the recomputation gives %2, so "
               u"totalpages (%3) is probably off (swap term?)."_s.arg(n.printedScore)
                   .arg(n.recomputedScore)
                   .arg(n.totalPages);
    }
    return {};
}

QStringList killNotes(const KillDecision &decision)
{
    QStringList notes;
    notes.reserve(qsizetype(decision.noteFacts.size()));
    for (const DecisionNote &n : decision.noteFacts)
        notes << decisionNoteText(n);
    return notes;
}

} // namespace oomscope
