// SPDX-License-Identifier: GPL-3.0-or-later
// What-if for one OOM report: change a task's oom_score_adj, the memcg limit, or remove a task,
// and re-decide the report with the same badness code (decideKill) — the new ranking and the
// task that would have been selected.
//
// The limit is the report's "memory:" counter (memory+swap and kmem are left as printed; for a
// global OOM totalpages does not depend on it). The era and tie rule are kept as decided for the
// original report, so that only the change moves the ranking.
#pragma once

#include "killdecision.h"

#include <map>
#include <optional>
#include <set>

namespace oomscope {

struct WhatIfChange {
    std::map<std::int64_t, int> adjByPid; // new oom_score_adj per pid (clamped to -1000 … 1000)
    std::set<std::int64_t> removedPids; // tasks left out of the table
    std::optional<std::int64_t> memcgLimitBytes; // the memcg limit instead of the printed one
    bool empty() const { return adjByPid.empty() && removedPids.empty() && !memcgLimitBytes; }
};

// The report with the change applied.
OomEvent applyWhatIf(const OomEvent &event, const WhatIfChange &change);

// decideKill on the changed report, the era and tie rule of `original` kept.
KillDecision decideWhatIf(const OomEvent &event, const KillDecision &original, const WhatIfChange &change,
                          DecisionOptions options = {});

} // namespace oomscope
