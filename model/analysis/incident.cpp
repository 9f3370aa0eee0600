// SPDX-License-Identifier: GPL-3.0-or-later
#include "incident.h"

#include <algorithm>
#include <map>
#include <tuple>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A kill's position on a clock that it shares with the kills it may be grouped with.
struct Clocked {
    QString key; // host, scope and clock: kills of different keys never share an incident
    double seconds = 0;
    std::size_t index = 0;
};

std::optional<Clocked> clocked(const IncidentKill &k, std::size_t index)
{
    const QString where = k.host + u'\x1f' + k.scope + u'\x1f';
    // Wall clocks of one host agree across its logs; without a host name only within one log.
    const QString origin = k.host.isEmpty() ? u"log%1"_s.arg(k.sourceId) : u"host"_s;
    if (k.wallMs)
        return Clocked {where + u"wall|"_s + origin, double(*k.wallMs) / 1000.0, index};
    if (k.uptimeSeconds)
        return Clocked {where + u"uptime|log%1"_s.arg(k.sourceId), *k.uptimeSeconds, index};
    return std::nullopt;
}

// First to last kill; by kernel time when every kill has it from one log (millisecond
// precision, where a syslog's wall time has seconds), else by wall time.
double spanOf(const std::vector<std::size_t> &members, const std::vector<IncidentKill> &kills)
{
    if (members.size() < 2)
        return 0;
    const IncidentKill &first = kills[members.front()];
    const bool byUptime = std::all_of(members.begin(), members.end(), [&](std::size_t i) {
        return kills[i].uptimeSeconds && kills[i].sourceId == first.sourceId;
    });
    double lo = 0;
    double hi = 0;
    bool any = false;
    for (std::size_t i : members) {
        std::optional<double> t;
        if (byUptime)
            t = kills[i].uptimeSeconds;
        else if (kills[i].wallMs)
            t = double(*kills[i].wallMs) / 1000.0;
        if (!t)
            continue;
        lo = any ? std::min(lo, *t) : *t;
        hi = any ? std::max(hi, *t) : *t;
        any = true;
    }
    // A log across a reboot restarts its uptime; the span is then not a duration.
    return any ? std::max(0.0, hi - lo) : 0.0;
}

} // namespace

QString incidentScopeOf(Constraint constraint, const QString &oomMemcg, const QString &taskMemcg)
{
    const bool memcg =
        constraint == Constraint::Memcg || (constraint == Constraint::Unknown && !oomMemcg.isEmpty());
    if (!memcg)
        return {};
    if (!oomMemcg.isEmpty())
        return oomMemcg;
    // The kernel named no memcg (truncated report): the victim's is the best guess, and "memcg"
    // keeps such kills apart from node-wide ones.
    return taskMemcg.isEmpty() ? u"memcg"_s : taskMemcg;
}

IncidentKill incidentKillOf(const OomEvent &event, qint64 sourceId)
{
    IncidentKill k;
    k.host = event.host;
    k.scope = incidentScopeOf(event.constraint, event.oomMemcg, event.taskMemcg);
    if (event.wallTime && event.wallTime->isValid())
        k.wallMs = event.wallTime->toMSecsSinceEpoch();
    k.uptimeSeconds = event.uptimeSeconds;
    k.sourceId = sourceId;
    return k;
}

std::vector<Incident> groupIncidents(const std::vector<IncidentKill> &kills, const IncidentOptions &options)
{
    std::vector<Clocked> timed;
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < kills.size(); ++i) {
        if (std::optional<Clocked> c = clocked(kills[i], i))
            timed.push_back(std::move(*c));
        else
            groups.push_back({i});
    }
    std::sort(timed.begin(), timed.end(), [](const Clocked &a, const Clocked &b) {
        return std::tie(a.key, a.seconds, a.index) < std::tie(b.key, b.seconds, b.index);
    });
    for (std::size_t i = 0; i < timed.size(); ++i) {
        const bool joins = i > 0 && timed[i].key == timed[i - 1].key
            && timed[i].seconds - timed[i - 1].seconds <= options.maxGapSeconds;
        if (joins)
            groups.back().push_back(timed[i].index);
        else
            groups.push_back({timed[i].index});
    }
    // Incidents in the order their first kill appears in the input.
    std::sort(groups.begin(), groups.end(), [](const auto &a, const auto &b) {
        return *std::min_element(a.begin(), a.end()) < *std::min_element(b.begin(), b.end());
    });
    std::vector<Incident> incidents;
    incidents.reserve(groups.size());
    for (std::vector<std::size_t> &members : groups) {
        Incident incident;
        incident.host = kills[members.front()].host;
        incident.scope = kills[members.front()].scope;
        incident.spanSeconds = spanOf(members, kills);
        incident.kills = std::move(members);
        incidents.push_back(std::move(incident));
    }
    return incidents;
}

std::vector<std::size_t> incidentIndexOfKills(const std::vector<Incident> &incidents, std::size_t killCount)
{
    std::vector<std::size_t> result(killCount, 0);
    for (std::size_t n = 0; n < incidents.size(); ++n) {
        for (std::size_t i : incidents[n].kills) {
            if (i < killCount)
                result[i] = n;
        }
    }
    return result;
}

} // namespace oomscope
