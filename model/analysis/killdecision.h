// SPDX-License-Identifier: GPL-3.0-or-later
// Recomputes oom_badness() for every task of one report with the formula of the kernel era that
// printed it, ranks them, and explains why the victim was chosen (kernel-oom-formats.md §3–4).
#pragma once

#include "oomevent.h"

namespace oomscope {

// The badness formula and tie rule of a kernel era.
enum class BadnessEra {
    Unknown,
    Linux310, // 3.10 / RHEL 7: rss + nr_ptes + swap, 3 % root bonus, first maximum wins (threads)
    Linux41to414, // rss + swap + nr_ptes + nr_pmds, root bonus, first leader wins
    Linux415to416, // pgtables_bytes, root bonus, first leader wins
    Linux417to52, // pgtables_bytes, no bonus, first leader wins, clamp to 1
    Linux53to58, // last maximum wins, clamp to 1
    Linux59Plus, // signed badness, last maximum wins
};

QString badnessEraName(BadnessEra era);

enum class QosTier { None, Guaranteed, Burstable, BestEffort, NeverKill, Other };
QString qosTierName(QosTier tier);
// What Kubernetes QoS tier an oom_score_adj implies: -997 Guaranteed, 1000 BestEffort,
// 2..999 Burstable, -1000 never killed (system daemons), 0 not a kubelet-managed pod.
QosTier qosTierForAdj(int oomScoreAdj);

struct DecisionOptions {
    // Host swap in pages, when known from elsewhere (another report of the boot, user input).
    std::optional<std::int64_t> totalSwapPages;
    // uid 0 counts as CAP_SYS_ADMIN for the root bonus of <= 4.16 eras (a heuristic: containers
    // drop CAP_SYS_ADMIN, so the default follows the kernel-oom-formats.md assumption).
    bool uidZeroIsCapSysAdmin = true;
    // Force an era instead of detecting it (for what-if analysis and tests).
    std::optional<BadnessEra> era;
    // Force the tie rule (true: last maximum wins); by default it follows the era (RHEL 8 aside).
    std::optional<bool> lastMaximumWins;
};

struct RankedTask {
    OomTask task;
    bool eligible = true; // false: oom_score_adj -1000
    std::int64_t rssPages = 0;
    std::int64_t swapPages = 0;
    std::int64_t pageTablePages = 0;
    std::int64_t basePoints = 0; // rss + swap + page tables
    std::int64_t rootBonusPoints = 0; // points removed by the 3 % bonus (<= 0)
    std::int64_t adjPoints = 0; // oom_score_adj * (totalpages / 1000)
    std::int64_t points = 0; // what oom_badness returned (clamped per era)
    double share = 0; // points / sum of positive points
    int rank = 0; // 1 = selected
};

// An assumption or observation the decision rests on; killexplanation.h words it.
struct DecisionNote {
    enum class Kind {
        CpusetTotals, // cpuset/mempolicy OOM: the whole machine's pages were used instead
        NoRamTotals, // no Mem-Info totals: the oom_score_adj term was taken as 0
        NoTotalSwap, // "Total swap" not printed: no host swap assumed
        MemcgNoLimit, // the memcg "memory:" line shows no limit
        MemcgLimitMissing, // the memcg "memory:" line is missing
        AdjTermZero, // without any limit the oom_score_adj term is 0
        HostSwapUnknown, // the memcg could swap but the host's swap size is unknown
        SwappinessAssumed, // the swap term assumes vm.swappiness > 0
        RootBonusAssumed, // uid 0 counted as CAP_SYS_ADMIN for the 3 % bonus
        MatchedByTgid, // the kernel's pid (pid) matched a row by tgid
        MatchedByCommAndScore, // the kernel's pid (pid) is not in the table; matched to matchedPid
        KernelPidNotInTable, // the kernel's pid (pid) is not in the table and did not match
        ScoreMismatch, // printed score vs recomputed score at totalPages
    };
    Kind kind = Kind::CpusetTotals;
    std::int64_t pid = 0; // MatchedBy…, KernelPidNotInTable: the kernel's pid
    std::int64_t matchedPid = 0; // MatchedByCommAndScore: the table row it was matched to
    QString matchedComm;
    std::int64_t printedScore = 0; // ScoreMismatch
    std::int64_t recomputedScore = 0;
    std::int64_t totalPages = 0;
};

// Why the recomputation selected what it did: the facts the explanation is composed from.
struct KillFacts {
    enum class Outcome {
        NoTaskTable, // nothing to recompute
        NoneEligible, // every task has oom_score_adj -1000
        Selected, // ranking[0] is the selection
    };
    // Which rule put the selected task first.
    enum class Rule {
        MostMemory, // it also used the most memory (or as much as the largest)
        OutweighedLarger, // a task with more memory lost: see the three reasons below
    };
    // What may explain a disagreement with the kernel's choice.
    enum class Suspect { None, TotalPages, RootBonus };
    struct SacrificedChild { // "Kill process P … or sacrifice child" killed another task
        QString selectedComm;
        std::int64_t selectedPid = 0;
        std::optional<std::int64_t> selectedScore;
        QString victimComm;
        std::int64_t victimPid = 0;
    };

    Outcome outcome = Outcome::NoTaskTable;
    Rule rule = Rule::MostMemory;
    std::int64_t pageSizeBytes = 4096;
    // What points are measured against: the memcg limit, else RAM + swap (totalpages).
    bool scopeIsLimit = false;
    std::int64_t scopeBytes = 0;
    bool selectedIsVictim = false;
    bool selectedOverScope = false; // MostMemory: rss with shared file pages exceeds the scope
    // OutweighedLarger: the ranking index of the task that used the most memory, how much more
    // it used, and what made it lose (several can hold; none: the era's formula).
    std::size_t largestIndex = 0;
    double largestToSelectedMemory = 0;
    bool selectedAdjAdded = false;
    bool largestAdjRemoved = false;
    bool largestRootBonus = false;
    bool rootBonusApplied = false; // to an eligible task
    bool tie = false; // the runner-up had exactly the selection's points
    std::optional<SacrificedChild> sacrificedChild;
    bool disagrees = false; // the kernel selected another task than the recomputation
    Suspect suspect = Suspect::None;
    std::optional<qsizetype> groupKilledOthers; // memory.oom.group: how many more were killed
    std::optional<int> victimAdj; // for the QoS sentence
    bool victimInKubepods = false;
    std::optional<std::int64_t> killedPid; // NoTaskTable: the kernel's victim, when printed
    QString killedComm;
};

struct KillDecision {
    BadnessEra era = BadnessEra::Unknown;
    QString eraReason; // why this era was chosen (layout, release, lines seen)
    // Tie rule actually applied: true for >= 5.3 and RHEL 8 (which is otherwise Linux417to52).
    bool lastMaximumWins = false;
    std::int64_t totalPages = 0;
    bool totalPagesExact = false; // false: swap term or limit assumed
    QString totalPagesSource; // e.g. "memcg limit 131072 kB / 4 kB pages"
    std::vector<RankedTask> ranking; // eligible first, highest points first per the era's tie rule
    std::optional<std::int64_t> recomputedSelectedPid;
    std::int64_t kernelSelectedPid = 0;
    std::int64_t victimPid = 0;
    bool agrees = false;
    // Margin: how far the selection was from flipping to the runner-up.
    std::optional<std::int64_t> runnerUpPid;
    std::int64_t pointsMargin = 0; // selected.points - runnerUp.points
    std::optional<int> runnerUpAdjToWin; // oom_score_adj the runner-up needed to be selected
    std::optional<int> selectedAdjToLose; // oom_score_adj at which the selected would have lost
    QosTier victimQos = QosTier::None;
    KillFacts facts; // why: what the explanation is composed from
    std::vector<DecisionNote> noteFacts; // assumptions made, in order
    QString explanation; // killExplanation(*this): plain-language paragraph for people
    QStringList notes; // killNotes(*this): the assumptions (swap, root bonus, threads) in words
};

KillDecision decideKill(const OomEvent &event, const DecisionOptions &options = {});

// Badness of one task under an era's formula (exposed for the predicted-victim view).
std::int64_t badnessPoints(const OomTask &task, BadnessEra era, std::int64_t totalPages, bool capSysAdmin,
                           std::int64_t pageSizeBytes = 4096);

} // namespace oomscope
