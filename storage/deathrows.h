// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table in the workspace (migration 4): one row per death, its searchable columns
// (time, killer, node, namespace/pod/container, event) beside the whole death as the JSON of
// deathjson.h. Storing the same death again (same killer, node, time, pid, cgroup) replaces it, so
// a later import that adds names (pod JSON) updates a death instead of adding a second one.
#pragma once

#include "death.h"
#include "result.h"

#include <functional>
#include <vector>

namespace oomscope {

class Workspace;

struct StoredDeath {
    qint64 id = 0;
    Death death;
};

struct DeathStoreResult {
    int added = 0;
    int updated = 0;
};

// Stores the deaths in one transaction (all or nothing).
Result<DeathStoreResult> storeDeaths(Workspace &workspace, const std::vector<Death> &deaths);
// The same for a table produced row by row (DeathCollector::forEachDeath): produce hands every
// death to the sink it is given; its failure rolls the transaction back too.
using DeathSink = std::function<void(Death &&)>;
Result<DeathStoreResult> storeDeaths(Workspace &workspace,
                                     const std::function<Result<void>(const DeathSink &)> &produce);
// Every stored death, by time (deaths without a time last).
Result<std::vector<StoredDeath>> readDeaths(const Workspace &workspace);

} // namespace oomscope
