// SPDX-License-Identifier: GPL-3.0-or-later
// The incidents of a workspace's events (model/analysis/incident.h over EventSummary), shared by
// the events list and the reports so both group the same kills.
#pragma once

#include "incident.h"
#include "workspace.h"

#include <vector>

namespace oomscope {

IncidentKill incidentKillOf(const EventSummary &event);
// groupIncidents() over the events in their order (Workspace::events()).
std::vector<Incident> incidentsOf(const std::vector<EventSummary> &events,
                                  const IncidentOptions &options = {});

} // namespace oomscope
