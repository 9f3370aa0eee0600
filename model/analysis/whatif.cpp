// SPDX-License-Identifier: GPL-3.0-or-later
#include "whatif.h"

#include <algorithm>

namespace oomscope {

OomEvent applyWhatIf(const OomEvent &event, const WhatIfChange &change)
{
    OomEvent e = event;
    std::erase_if(e.tasks, [&](const OomTask &t) { return change.removedPids.count(t.pid) > 0; });
    for (OomTask &t : e.tasks) {
        const auto it = change.adjByPid.find(t.pid);
        if (it != change.adjByPid.end())
            t.oomScoreAdj = std::clamp(it->second, -1000, 1000);
    }
    if (change.memcgLimitBytes && *change.memcgLimitBytes > 0) {
        e.memory.present = true;
        e.memory.limitKb = *change.memcgLimitBytes / 1024;
    }
    return e;
}

KillDecision decideWhatIf(const OomEvent &event, const KillDecision &original, const WhatIfChange &change,
                          DecisionOptions options)
{
    if (original.era != BadnessEra::Unknown)
        options.era = original.era;
    options.lastMaximumWins = original.lastMaximumWins;
    return decideKill(applyWhatIf(event, change), options);
}

} // namespace oomscope
