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
    QString explanation; // plain-language paragraph for people
    QStringList notes; // assumptions made (swap, root bonus, threads)
};

KillDecision decideKill(const OomEvent &event, const DecisionOptions &options = {});

// Badness of one task under an era's formula (exposed for the predicted-victim view).
std::int64_t badnessPoints(const OomTask &task, BadnessEra era, std::int64_t totalPages, bool capSysAdmin,
                           std::int64_t pageSizeBytes = 4096);

} // namespace oomscope
