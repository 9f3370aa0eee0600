// SPDX-License-Identifier: GPL-3.0-or-later
#include "killdecision.h"

#include "badnessera.h"
#include "killexplanation.h"
#include "totalpages.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr int kAdjMin = -1000; // OOM_SCORE_ADJ_MIN: never selected
constexpr int kAdjMax = 1000;

// How oom_evaluate_task()/select_bad_process() of an era treats equal points (§4.3).
enum class TieRule {
    FirstMaximum, // 3.10: "points > chosen_points"
    FirstLeader, // 4.4 – 5.2: equal points replace the chosen only if it is not a group leader
    LastMaximum, // >= 5.3 and RHEL 8: only "points < chosen" is skipped
};

TieRule tieRuleFor(BadnessEra era, bool lastMaximumWins)
{
    if (lastMaximumWins)
        return TieRule::LastMaximum;
    return era == BadnessEra::Linux310 ? TieRule::FirstMaximum : TieRule::FirstLeader;
}

std::int64_t pageTablePagesFor(const OomTask &task, BadnessEra era, std::int64_t pageSizeBytes)
{
    // Each era counts what it printed; a what-if era on another table uses what is there.
    if (era == BadnessEra::Linux310 && task.nrPtes)
        return *task.nrPtes;
    if (era == BadnessEra::Linux41to414 && task.nrPtes)
        return *task.nrPtes + task.nrPmds.value_or(0);
    if (task.pgtablesBytes)
        return *task.pgtablesBytes / std::max<std::int64_t>(1, pageSizeBytes);
    return task.nrPtes.value_or(0) + task.nrPmds.value_or(0);
}

struct Candidate {
    std::int64_t points = 0;
    bool eligible = false;
    bool leader = true;
};

// Replays the kernel's selection loop over the table in its printed (= iteration) order.
int selectIndex(const std::vector<Candidate> &cands, TieRule rule, bool signedBadness)
{
    int chosen = -1;
    std::int64_t chosenPoints = 0;
    for (int i = 0; i < int(cands.size()); ++i) {
        const Candidate &c = cands[size_t(i)];
        if (!c.eligible)
            continue;
        // Before 5.9 a zero badness means "unkillable" and chosen_points starts at 0.
        if (!signedBadness && c.points <= 0)
            continue;
        if (chosen >= 0) {
            if (c.points < chosenPoints)
                continue;
            if (c.points == chosenPoints) {
                if (rule == TieRule::FirstMaximum)
                    continue;
                if (rule == TieRule::FirstLeader && cands[size_t(chosen)].leader)
                    continue;
            }
        }
        chosen = i;
        chosenPoints = c.points;
    }
    return chosen;
}

int findRow(const std::vector<OomTask> &tasks, std::int64_t pid, bool *viaTgid = nullptr)
{
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (tasks[i].pid == pid) {
            if (viaTgid)
                *viaTgid = false;
            return int(i);
        }
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (tasks[i].tgid == pid) {
            if (viaTgid)
                *viaTgid = true;
            return int(i);
        }
    }
    return -1;
}

} // namespace

QString qosTierName(QosTier tier)
{
    switch (tier) {
    case QosTier::None:
        return u"none"_s;
    case QosTier::Guaranteed:
        return u"Guaranteed"_s;
    case QosTier::Burstable:
        return u"Burstable"_s;
    case QosTier::BestEffort:
        return u"BestEffort"_s;
    case QosTier::NeverKill:
        return u"never killed"_s;
    case QosTier::Other:
        return u"other"_s;
    }
    return u"none"_s;
}

QosTier qosTierForAdj(int oomScoreAdj)
{
    if (oomScoreAdj == kAdjMin)
        return QosTier::NeverKill;
    if (oomScoreAdj == -997)
        return QosTier::Guaranteed;
    if (oomScoreAdj == kAdjMax)
        return QosTier::BestEffort;
    if (oomScoreAdj >= 2 && oomScoreAdj <= 999)
        return QosTier::Burstable;
    if (oomScoreAdj == 0)
        return QosTier::None;
    return QosTier::Other;
}

std::int64_t badnessPoints(const OomTask &task, BadnessEra era, std::int64_t totalPages, bool capSysAdmin,
                           std::int64_t pageSizeBytes)
{
    // The kernel returns 0 (LONG_MIN from 5.9) for these; 0 keeps callers' arithmetic sane.
    if (task.oomScoreAdj <= kAdjMin)
        return 0;
    std::int64_t points = task.rssPages + task.swapEntsPages + pageTablePagesFor(task, era, pageSizeBytes);
    if (eraHasRootBonus(era) && capSysAdmin)
        points -= points * 3 / 100;
    points += std::int64_t(task.oomScoreAdj) * (totalPages / 1000);
    if (!eraIsSigned(era))
        return points > 0 ? points : 1;
    return points;
}

namespace {

// The era's rules and the page arithmetic every scoring step shares.
struct Scoring {
    BadnessEra era = BadnessEra::Unknown;
    TieRule rule = TieRule::LastMaximum;
    bool signedBadness = true;
    std::int64_t pageSize = 4096;
    std::int64_t totalPages = 0;
    bool uidZeroIsCapSysAdmin = true;

    bool capSysAdmin(const OomTask &task) const { return uidZeroIsCapSysAdmin && task.uid == 0; }
    std::int64_t points(const OomTask &task) const
    {
        return badnessPoints(task, era, totalPages, capSysAdmin(task), pageSize);
    }
};

// The task table scored in its printed (= the kernel's iteration) order.
struct ScoredTable {
    std::vector<RankedTask> rows;
    std::vector<Candidate> cands;
    bool bonusApplied = false; // the root bonus lowered an eligible task
};

// Step 1: era, tie rule and totalpages.
Scoring chooseRules(KillDecision &d, const OomEvent &event, const DecisionOptions &options)
{
    const EraChoice eraChoice = chooseEra(event, options);
    d.era = eraChoice.era;
    d.eraReason = eraChoice.reason;
    d.lastMaximumWins = eraChoice.lastMaximumWins;

    TotalPages total = computeTotalPages(event, d.era, options);
    d.totalPages = total.pages;
    d.totalPagesExact = total.exact;
    d.totalPagesSource = total.source;
    d.noteFacts = std::move(total.notes);

    Scoring s;
    s.era = d.era;
    s.rule = tieRuleFor(d.era, d.lastMaximumWins);
    s.signedBadness = eraIsSigned(d.era);
    s.pageSize = event.pageSizeBytes > 0 ? event.pageSizeBytes : 4096;
    s.totalPages = d.totalPages;
    s.uidZeroIsCapSysAdmin = options.uidZeroIsCapSysAdmin;
    return s;
}

// Step 2: the pid the kernel chose by badness ("Kill process P" up to 5.0, else the victim)
// and the pid it killed.
void identifyKernelChoice(KillDecision &d, const OomEvent &event)
{
    if (event.selectedPid)
        d.kernelSelectedPid = *event.selectedPid;
    else if (event.victim.present)
        d.kernelSelectedPid = event.victim.pid;
    else
        d.kernelSelectedPid = event.summaryPid.value_or(0);
    d.victimPid = event.victim.present ? event.victim.pid : event.summaryPid.value_or(0);
}

// Step 3: the badness of every candidate under the era's formula, term by term.
ScoredTable scoreCandidates(const OomEvent &event, const Scoring &scoring)
{
    ScoredTable table;
    const bool bonusEra = eraHasRootBonus(scoring.era);
    table.rows.reserve(event.tasks.size());
    table.cands.reserve(event.tasks.size());
    for (const OomTask &task : event.tasks) {
        RankedTask r;
        r.task = task;
        r.eligible = task.oomScoreAdj > kAdjMin;
        r.rssPages = task.rssPages;
        r.swapPages = task.swapEntsPages;
        r.pageTablePages = pageTablePagesFor(task, scoring.era, scoring.pageSize);
        r.basePoints = r.rssPages + r.swapPages + r.pageTablePages;
        if (bonusEra && scoring.capSysAdmin(task)) {
            r.rootBonusPoints = -(r.basePoints * 3 / 100);
            table.bonusApplied = table.bonusApplied || r.eligible;
        }
        r.adjPoints = std::int64_t(task.oomScoreAdj) * (scoring.totalPages / 1000);
        r.points = scoring.points(task);
        Candidate c;
        c.points = r.points;
        c.eligible = r.eligible;
        c.leader = task.tgid == 0 || task.tgid == task.pid;
        table.rows.push_back(std::move(r));
        table.cands.push_back(c);
    }
    return table;
}

// Step 4: the ranking — eligible by points, ties in the order the era's loop prefers them, rank
// 1 the selection — then the ineligible. Returns the table rows in rank order.
std::vector<int> rankTasks(KillDecision &d, const ScoredTable &table, int selected, TieRule rule)
{
    const std::vector<RankedTask> &rows = table.rows;
    std::vector<int> order;
    for (int i = 0; i < int(rows.size()); ++i)
        if (rows[size_t(i)].eligible)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const std::int64_t pa = rows[size_t(a)].points;
        const std::int64_t pb = rows[size_t(b)].points;
        if (pa != pb)
            return pa > pb;
        return rule == TieRule::LastMaximum ? a > b : a < b;
    });
    if (selected >= 0) {
        // The 4.x leader rule can let a later equal task win; keep rank 1 = the selection.
        const auto it = std::find(order.begin(), order.end(), selected);
        if (it != order.end())
            std::rotate(order.begin(), it, it + 1);
    }
    std::int64_t positiveSum = 0;
    for (int i : order)
        positiveSum += std::max<std::int64_t>(0, rows[size_t(i)].points);
    for (int i = 0; i < int(rows.size()); ++i)
        if (!rows[size_t(i)].eligible)
            order.push_back(i);
    for (size_t pos = 0; pos < order.size(); ++pos) {
        RankedTask r = rows[size_t(order[pos])];
        r.rank = int(pos) + 1;
        if (r.eligible && positiveSum > 0)
            r.share = double(std::max<std::int64_t>(0, r.points)) / double(positiveSum);
        d.ranking.push_back(std::move(r));
    }
    if (selected >= 0)
        d.recomputedSelectedPid = rows[size_t(selected)].task.pid;
    return order;
}

std::int64_t printedScoreOf(const RankedTask &task, std::int64_t totalPages)
{
    return std::max<std::int64_t>(0, task.points) * 1000 / totalPages;
}

// Step 5: does the kernel's choice match the recomputation? Returns the kernel's table row
// (-1 when its pid is not in the table).
int checkAgreement(KillDecision &d, const OomEvent &event, const ScoredTable &table, int selected)
{
    bool viaTgid = false;
    const int kernelRow = findRow(event.tasks, d.kernelSelectedPid, &viaTgid);
    DecisionNote note;
    note.pid = d.kernelSelectedPid;
    if (selected >= 0 && d.kernelSelectedPid != 0) {
        if (kernelRow >= 0) {
            d.agrees = kernelRow == selected;
            if (viaTgid) {
                note.kind = DecisionNote::Kind::MatchedByTgid;
                d.noteFacts.push_back(note);
            }
        } else {
            // A thread id (3.10/4.x memcg OOMs): match by comm and the printed score.
            const RankedTask &rec = table.rows[size_t(selected)];
            const bool commOk = event.selectedComm.isEmpty() || event.selectedComm == rec.task.comm;
            const bool scoreOk = event.selectedScore && d.totalPages > 0
                && printedScoreOf(rec, d.totalPages) == *event.selectedScore;
            d.agrees = commOk && scoreOk;
            note.kind = d.agrees ? DecisionNote::Kind::MatchedByCommAndScore
                                 : DecisionNote::Kind::KernelPidNotInTable;
            note.matchedPid = rec.task.pid;
            note.matchedComm = rec.task.comm;
            d.noteFacts.push_back(note);
        }
    }
    if (selected >= 0 && event.selectedScore && d.totalPages > 0 && kernelRow == selected) {
        const std::int64_t score = printedScoreOf(table.rows[size_t(selected)], d.totalPages);
        if (score != *event.selectedScore) {
            DecisionNote mismatch;
            mismatch.kind = DecisionNote::Kind::ScoreMismatch;
            mismatch.printedScore = *event.selectedScore;
            mismatch.recomputedScore = score;
            mismatch.totalPages = d.totalPages;
            d.noteFacts.push_back(mismatch);
        }
    }
    return kernelRow;
}

// Would table row `idx` be selected with this oom_score_adj, everything else unchanged?
bool winsWithAdj(const ScoredTable &table, const Scoring &scoring, int idx, int adj)
{
    std::vector<Candidate> trial = table.cands;
    OomTask t = table.rows[size_t(idx)].task;
    t.oomScoreAdj = adj;
    trial[size_t(idx)].points = scoring.points(t);
    trial[size_t(idx)].eligible = adj > kAdjMin;
    return selectIndex(trial, scoring.rule, scoring.signedBadness) == idx;
}

// Points never fall as adj rises and more points never lose a selection, so winning is
// monotone in adj and a binary search finds the exact threshold (tables can be long).
std::optional<int> smallestWinningAdj(const ScoredTable &table, const Scoring &scoring, int idx)
{
    int lo = std::max(kAdjMin + 1, table.rows[size_t(idx)].task.oomScoreAdj);
    int hi = kAdjMax;
    if (!winsWithAdj(table, scoring, idx, hi))
        return std::nullopt;
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (winsWithAdj(table, scoring, idx, mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

// Largest adj at which the task loses; at -1000 it is never eligible.
int largestLosingAdj(const ScoredTable &table, const Scoring &scoring, int idx)
{
    int lo = kAdjMin;
    int hi = table.rows[size_t(idx)].task.oomScoreAdj;
    while (lo < hi) {
        const int mid = lo + (hi - lo + 1) / 2;
        if (winsWithAdj(table, scoring, idx, mid))
            hi = mid - 1;
        else
            lo = mid;
    }
    return lo;
}

// Step 6: the margin — what would have flipped the outcome to the runner-up.
void computeMargins(KillDecision &d, const ScoredTable &table, const std::vector<int> &order, int selected,
                    const Scoring &scoring)
{
    if (selected < 0 || d.ranking.size() < 2 || !d.ranking[1].eligible)
        return;
    const RankedTask &runner = d.ranking[1];
    d.runnerUpPid = runner.task.pid;
    d.pointsMargin = d.ranking[0].points - runner.points;
    d.runnerUpAdjToWin = smallestWinningAdj(table, scoring, order[1]); // table row, exact with duplicate pids
    d.selectedAdjToLose = largestLosingAdj(table, scoring, selected);
}

// Step 7: the victim's own oom_score_adj (from its row, else its kill line).
std::optional<int> victimAdjOf(const OomEvent &event, int victimRow)
{
    if (victimRow >= 0)
        return event.tasks[size_t(victimRow)].oomScoreAdj;
    if (event.victim.oomScoreAdj)
        return *event.victim.oomScoreAdj;
    return std::nullopt;
}

// Why the selection is ranking[0]: its memory, or what outweighed a larger task.
void selectionFacts(KillFacts &f, const KillDecision &d)
{
    const RankedTask &sel = d.ranking[0];
    std::size_t largest = 0;
    bool found = false;
    for (std::size_t i = 0; i < d.ranking.size(); ++i)
        if (d.ranking[i].eligible && (!found || d.ranking[i].basePoints > d.ranking[largest].basePoints)) {
            largest = i;
            found = true;
        }
    const RankedTask &big = d.ranking[largest];
    if (largest == 0 || big.basePoints == sel.basePoints) {
        f.rule = KillFacts::Rule::MostMemory;
        f.selectedOverScope = sel.basePoints > d.totalPages;
        return;
    }
    f.rule = KillFacts::Rule::OutweighedLarger;
    f.largestIndex = largest;
    f.largestToSelectedMemory = double(big.basePoints) / double(std::max<std::int64_t>(1, sel.basePoints));
    f.selectedAdjAdded = sel.adjPoints > big.adjPoints && sel.adjPoints > 0;
    f.largestAdjRemoved = big.adjPoints < 0 && big.adjPoints < sel.adjPoints;
    f.largestRootBonus = big.rootBonusPoints < sel.rootBonusPoints;
}

// Up to 5.0 the kernel may kill a child of the task it selected.
std::optional<KillFacts::SacrificedChild> sacrificedChildOf(const KillDecision &d, const OomEvent &event,
                                                            int kernelRow, int victimRow, int selected)
{
    // The kernel's choice as a table row: direct, or matched by comm and score.
    const int kernelChoiceRow = kernelRow >= 0 ? kernelRow : (d.agrees ? selected : -1);
    if (!event.selectedPid || d.victimPid == 0 || kernelChoiceRow < 0 || victimRow == kernelChoiceRow)
        return std::nullopt;
    KillFacts::SacrificedChild c;
    c.selectedComm = event.selectedComm.isEmpty() ? d.ranking[0].task.comm : event.selectedComm;
    c.selectedPid = *event.selectedPid;
    c.selectedScore = event.selectedScore;
    c.victimComm = event.victim.comm;
    c.victimPid = d.victimPid;
    return c;
}

// Step 8: the facts the explanation is composed from.
KillFacts collectFacts(const KillDecision &d, const OomEvent &event, const ScoredTable &table,
                       const Scoring &scoring, int selected, int kernelRow)
{
    KillFacts f;
    f.pageSizeBytes = scoring.pageSize;
    f.rootBonusApplied = table.bonusApplied;
    const bool isMemcg = event.constraint == Constraint::Memcg
        || (event.constraint == Constraint::Unknown && event.memory.present);
    f.scopeIsLimit = isMemcg && event.memory.present && !event.memory.unlimited();
    f.scopeBytes = f.scopeIsLimit ? event.memory.limitKb * 1024 : d.totalPages * scoring.pageSize;
    const int victimRow = findRow(event.tasks, d.victimPid);
    if (event.tasks.empty()) {
        f.outcome = KillFacts::Outcome::NoTaskTable;
        if (event.victim.present) {
            f.killedPid = event.victim.pid;
            f.killedComm = event.victim.comm;
        }
    } else if (selected < 0) {
        f.outcome = KillFacts::Outcome::NoneEligible;
    } else {
        f.outcome = KillFacts::Outcome::Selected;
        selectionFacts(f, d);
        f.selectedIsVictim = victimRow == selected;
        f.sacrificedChild = sacrificedChildOf(d, event, kernelRow, victimRow, selected);
        f.tie = d.runnerUpPid && d.pointsMargin == 0;
        f.disagrees = !d.agrees && d.kernelSelectedPid != 0;
        if (f.disagrees)
            f.suspect = !d.totalPagesExact ? KillFacts::Suspect::TotalPages
                : table.bonusApplied       ? KillFacts::Suspect::RootBonus
                                           : KillFacts::Suspect::None;
    }
    if (event.oomGroup)
        f.groupKilledOthers = std::count_if(event.groupKilled.begin(), event.groupKilled.end(),
                                            [&](const KilledProcess &k) { return k.pid != d.victimPid; });
    f.victimAdj = victimAdjOf(event, victimRow);
    f.victimInKubepods = event.oomMemcg.contains(u"kubepods"_s) || event.taskMemcg.contains(u"kubepods"_s);
    return f;
}

} // namespace

KillDecision decideKill(const OomEvent &event, const DecisionOptions &options)
{
    KillDecision d;
    const Scoring scoring = chooseRules(d, event, options);
    identifyKernelChoice(d, event);
    const ScoredTable table = scoreCandidates(event, scoring);
    if (table.bonusApplied) {
        DecisionNote bonus;
        bonus.kind = DecisionNote::Kind::RootBonusAssumed;
        d.noteFacts.push_back(bonus);
    }
    const int selected = selectIndex(table.cands, scoring.rule, scoring.signedBadness);
    const std::vector<int> order = rankTasks(d, table, selected, scoring.rule);
    const int kernelRow = checkAgreement(d, event, table, selected);
    computeMargins(d, table, order, selected, scoring);
    d.facts = collectFacts(d, event, table, scoring, selected, kernelRow);
    if (d.facts.victimAdj)
        d.victimQos = qosTierForAdj(*d.facts.victimAdj);
    d.explanation = killExplanation(d);
    d.notes = killNotes(d);
    return d;
}

} // namespace oomscope
