// SPDX-License-Identifier: GPL-3.0-or-later
// Hand-built OOM events for the kill-decision suites (tst_killdecision, tst_killexplanation):
// tasks, a memcg event with swap provably out of the sum, the second kill of the real
// three-kills log rebuilt from its table, and lookups in a decision's ranking.
#pragma once

#include "killdecision.h"

namespace killdecisiontest {

using namespace oomscope;
using namespace Qt::StringLiterals;

inline OomTask makeTask(std::int64_t pid, std::int64_t rssPages, std::int64_t pgtablesBytes, int adj,
                        std::int64_t uid = 1000, const QString &comm = u"app"_s, std::int64_t swapPages = 0)
{
    OomTask t;
    t.pid = pid;
    t.tgid = pid;
    t.uid = uid;
    t.rssPages = rssPages;
    t.pgtablesBytes = pgtablesBytes;
    t.swapEntsPages = swapPages;
    t.oomScoreAdj = adj;
    t.comm = comm;
    return t;
}

// A memcg OOM with a limited memory line and memory+swap equal to it (swap term provably 0).
inline OomEvent memcgEvent(std::int64_t limitKb, const QString &release = u"6.18.44"_s)
{
    OomEvent e;
    e.kernelRelease = release;
    e.constraint = Constraint::Memcg;
    e.oomMemcg = u"/test"_s;
    e.memory.present = true;
    e.memory.limitKb = limitKb;
    e.memory.usageKb = limitKb;
    e.memsw.present = true;
    e.memsw.limitKb = limitKb;
    e.layout = TaskTableLayout::RssSplit;
    e.hasTasksStateLine = true;
    e.hasSummaryLine = true;
    return e;
}

// The cgroup of linux-6.18-cgroup-v1-three-kills (second kill), rebuilt by hand from its table.
inline OomEvent oomlab2Event()
{
    OomEvent e = memcgEvent(131072);
    e.memsw.limitKb = 9007199254740988;
    e.tasks = {
        makeTask(2377, 13443, 163840, 0, 0, u"python3"_s), makeTask(2378, 5722, 90112, 900, 0, u"python3"_s),
        makeTask(2379, 4519, 86016, 0, 0, u"python3"_s), makeTask(2501, 14830, 180224, 0, 0, u"python3"_s)};
    e.victim.present = true;
    e.victim.pid = 2378;
    e.victim.comm = u"python3"_s;
    e.victim.oomScoreAdj = 900;
    return e;
}

inline std::vector<std::int64_t> rankedPids(const KillDecision &d)
{
    std::vector<std::int64_t> pids;
    for (const RankedTask &r : d.ranking)
        pids.push_back(r.task.pid);
    return pids;
}

inline const RankedTask *rowFor(const KillDecision &d, std::int64_t pid)
{
    for (const RankedTask &r : d.ranking)
        if (r.task.pid == pid)
            return &r;
    return nullptr;
}

} // namespace killdecisiontest
