// SPDX-License-Identifier: GPL-3.0-or-later
// totalpages of an OOM report — the memcg limit (plus its swap room) or RAM + swap — which the
// oom_score_adj term of oom_badness() scales with; what was assumed is returned as notes.
#pragma once

#include "killdecision.h"

namespace oomscope {

struct TotalPages {
    std::int64_t pages = 0;
    bool exact = true;
    QString source;
    std::vector<DecisionNote> notes;
};

TotalPages computeTotalPages(const OomEvent &e, BadnessEra era, const DecisionOptions &options);

} // namespace oomscope
