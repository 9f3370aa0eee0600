// SPDX-License-Identifier: GPL-3.0-or-later
// Groups OOM kills into incidents: kills of the same memory cgroup (or of the node, for global
// OOMs) on one host in one episode of pressure — each within a few seconds of the previous one.
// A cgroup at its limit often loses two or three processes within milliseconds; a user wants to
// see that as one incident with several kills, not as unrelated events.
#pragma once

#include "oomevent.h"

#include <QString>

#include <cstddef>
#include <optional>
#include <vector>

namespace oomscope {

// What grouping needs of one kill (from a stored event summary or a parsed OomEvent).
struct IncidentKill {
    QString host; // empty for logs without host names (dmesg)
    QString scope; // the memory cgroup whose limit was hit; empty for a node-wide OOM
    std::optional<qint64> wallMs; // wall time of the kill when the log had one
    std::optional<double> uptimeSeconds; // kernel time, comparable within one log only
    qint64 sourceId = 0; // the log the kill came from; uptimes of different logs are not compared
};

// The scope of an event as grouping sees it: its oom_memcg (else its task's memcg) for a memcg
// OOM, empty for a node-wide one (global, cpuset, mempolicy).
QString incidentScopeOf(Constraint constraint, const QString &oomMemcg, const QString &taskMemcg);
IncidentKill incidentKillOf(const OomEvent &event, qint64 sourceId = 0);

struct IncidentOptions {
    // A kill joins an incident when it follows the incident's previous kill by at most this.
    double maxGapSeconds = 10.0;
};

struct Incident {
    std::vector<std::size_t> kills; // indices into the input, in time order (then input order)
    QString host;
    QString scope; // empty: node-wide
    double spanSeconds = 0; // first to last kill (0 for one kill or kills without a time)
    bool nodeWide() const { return scope.isEmpty(); }
};

// The incidents of `kills`, ordered by where their first kill stands in the input (callers pass
// events in log order, so the last incident is the one that contains the last kill of the log
// whose events came last). Every kill is in exactly one incident. Kills without any time form an
// incident of their own. Two kills are compared by wall time when both have one (and the same
// host, or the same log when the host is unknown), else by uptime when both come from one log.
std::vector<Incident> groupIncidents(const std::vector<IncidentKill> &kills,
                                     const IncidentOptions &options = {});

// For each input index, the index of its incident in groupIncidents()'s result.
std::vector<std::size_t> incidentIndexOfKills(const std::vector<Incident> &incidents, std::size_t killCount);

} // namespace oomscope
