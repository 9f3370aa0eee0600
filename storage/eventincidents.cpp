// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventincidents.h"

using namespace Qt::StringLiterals;

namespace oomscope {

IncidentKill incidentKillOf(const EventSummary &event)
{
    IncidentKill k;
    k.host = event.host;
    Constraint constraint = Constraint::Unknown;
    if (event.constraint == u"memcg"_s)
        constraint = Constraint::Memcg;
    else if (event.constraint == u"global"_s)
        constraint = Constraint::None;
    else if (event.constraint == u"cpuset"_s)
        constraint = Constraint::Cpuset;
    else if (event.constraint == u"mempolicy"_s)
        constraint = Constraint::MemoryPolicy;
    k.scope = incidentScopeOf(constraint, event.oomMemcg, event.taskMemcg);
    if (event.wallTime && event.wallTime->isValid())
        k.wallMs = event.wallTime->toMSecsSinceEpoch();
    k.uptimeSeconds = event.uptimeSeconds;
    k.sourceId = event.sourceId;
    return k;
}

std::vector<Incident> incidentsOf(const std::vector<EventSummary> &events, const IncidentOptions &options)
{
    std::vector<IncidentKill> kills;
    kills.reserve(events.size());
    for (const EventSummary &e : events)
        kills.push_back(incidentKillOf(e));
    return groupIncidents(kills, options);
}

} // namespace oomscope
