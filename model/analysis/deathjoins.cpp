// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table's joins: the other killers' lines (systemd-oomd, earlyoom, the kubelet, the
// runtimes, systemd's unit lines) and Kubernetes' record (pods, terminations, events), each a row
// of its own or evidence on the row it names.
#include "deathbuilder.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope::deathtable {

void Builder::addOomd(const SourcedKillerLine &l)
{
    DeathRow r;
    Death &d = r.death;
    d.killer = Killer::SystemdOomd;
    d.time = l.line.wallTime;
    d.uptimeSeconds = l.line.uptimeSeconds;
    d.node = l.line.host;
    d.cgroup = l.line.cgroup;
    d.evidence.push_back(evidenceOf(l));
    d.confidence = DeathConfidence::High;
    r.facts.push_back({DeathFact::Kind::OomdRule, {}, 0, {}, {}, {}, l.line.rule + u": "_s + l.line.detail});
    // systemd's own line about the same unit: "<unit>: systemd-oomd killed N process(es) in this unit."
    for (std::size_t i : indicesOf(m_oomdUnitLines, lastComponent(d.cgroup))) {
        const SourcedKillerLine &o = m_in.lines[i];
        if (compatibleMs(lineMs(o), lineMs(l)))
            d.evidence.push_back(evidenceOf(o));
    }
    name(d);
    push(std::move(r));
}

void Builder::addEarlyoom(const SourcedKillerLine &l)
{
    // A SIGKILL after a SIGTERM to the same process is one death.
    for (std::size_t i : indicesOf(m_earlyoomByPid, std::int64_t(l.line.pid.value_or(0)))) {
        DeathRow &r = m_rows[i];
        Death &d = r.death;
        if (d.killer == Killer::Earlyoom && d.pid == l.line.pid && d.node == l.line.host
            && compatibleMs(m_timeMs[i], lineMs(l)) && !d.evidence.empty()
            && d.evidence.front().source == l.source) {
            d.evidence.push_back(evidenceOf(l));
            if (l.line.signal == 9) {
                d.confidence = DeathConfidence::High;
                r.facts.back().detail = u"SIGTERM, then SIGKILL"_s;
            }
            return;
        }
    }
    DeathRow r;
    Death &d = r.death;
    d.killer = Killer::Earlyoom;
    d.time = l.line.wallTime;
    d.uptimeSeconds = l.line.uptimeSeconds;
    d.node = l.line.host;
    d.pid = l.line.pid;
    d.comm = l.line.comm;
    d.confidence = l.line.signal == 9 ? DeathConfidence::High : DeathConfidence::Medium;
    // The low-memory report that made earlyoom act: the last one before, in the same source.
    if (const auto low = m_lastLowMemory.constFind(l.source); low != m_lastLowMemory.cend())
        d.evidence.push_back(evidenceOf(m_in.lines[*low]));
    d.evidence.push_back(evidenceOf(l));
    r.facts.push_back({DeathFact::Kind::EarlyoomSignal,
                       d.comm,
                       d.pid.value_or(0),
                       {},
                       {},
                       {},
                       l.line.signal == 9 ? u"SIGKILL"_s : u"SIGTERM"_s});
    push(std::move(r));
}

void Builder::addEviction(const SourcedKillerLine &l)
{
    DeathRow r;
    Death &d = r.death;
    d.killer = Killer::KubeletEviction;
    d.time = l.line.wallTime;
    d.uptimeSeconds = l.line.uptimeSeconds;
    d.node = l.line.host;
    d.namespaceName = l.line.namespaceName;
    d.pod = l.line.pod;
    d.podUid = l.line.podUid;
    d.confidence = DeathConfidence::Medium;
    QString resource;
    std::vector<DeathEvidence> before;
    const QString ref = d.namespaceName + u'/' + d.pod;
    // The kubelet's lines of this source before this one, newest first.
    const std::vector<std::size_t> &kubelet = indicesOf(m_kubeletLines, l.source);
    for (auto it = kubelet.rbegin(); it != kubelet.rend(); ++it) {
        const SourcedKillerLine &p = m_in.lines[*it];
        if (!compatibleMs(lineMs(p), lineMs(l)))
            continue;
        if (p.line.kind == Kind::KubeletRanked && before.empty() && p.line.rankedPods.contains(ref))
            before.push_back(evidenceOf(p));
        if (p.line.kind == Kind::KubeletReclaim) {
            resource = p.line.rule;
            before.push_back(evidenceOf(p));
            break;
        }
        if (p.line.kind == Kind::KubeletEvicted)
            break; // the previous eviction's lines are not this one's
    }
    if (!resource.isEmpty() && resource != u"memory"_s)
        return; // disk or inode pressure: not a death by memory
    if (resource == u"memory"_s)
        d.confidence = DeathConfidence::High;
    std::reverse(before.begin(), before.end());
    d.evidence = std::move(before);
    d.evidence.push_back(evidenceOf(l));
    name(d);
    push(std::move(r));
}

Death Builder::runtimeProbe(const SourcedKillerLine &l) const
{
    Death probe;
    probe.containerId = l.line.containerId;
    probe.podUid = l.line.podUid;
    probe.cgroup = l.line.cgroup;
    name(probe);
    return probe;
}

void Builder::addRuntime(const SourcedKillerLine &l)
{
    const Death probe = runtimeProbe(l);
    const bool oom = l.line.kind == Kind::RuntimeOom;
    if (!oom && l.line.exitCode != 137)
        return;
    if (DeathRow *r = findByContainer(probe.containerId, probe.podUid, {}, l.line.wallTime, true);
        r && (oom ? true : !r->death.exitCode)) {
        r->death.evidence.push_back(evidenceOf(l));
        if (!oom)
            r->death.exitCode = l.line.exitCode;
        return;
    }
    DeathRow r;
    Death &d = r.death;
    d = probe;
    d.killer = oom ? Killer::RuntimeOom : Killer::SigkillOther;
    d.time = l.line.wallTime;
    d.uptimeSeconds = l.line.uptimeSeconds;
    d.node = l.line.host;
    d.pid = l.line.pid;
    d.comm = l.line.comm;
    d.exitCode = l.line.exitCode;
    if (d.namespaceName.isEmpty())
        d.namespaceName = l.line.namespaceName;
    if (d.pod.isEmpty())
        d.pod = l.line.pod;
    if (d.container.isEmpty())
        d.container = l.line.container;
    d.evidence.push_back(evidenceOf(l));
    d.confidence = DeathConfidence::Medium;
    r.facts.push_back(
        {oom ? DeathFact::Kind::RuntimeOomWithoutKernelReport : DeathFact::Kind::SigkillNoMemoryEvidence,
         d.comm,
         d.pid.value_or(0),
         d.container,
         {},
         d.exitCode,
         {}});
    push(std::move(r));
}

void Builder::addUnitOomKilled(const SourcedKillerLine &l)
{
    // systemd's "<unit>: A process of this unit has been killed by the OOM killer." is printed once
    // per kill: it joins the nearest kill in that unit that no such line joined yet (with the
    // processes the same report killed), else the nearest one. Not every kill of the unit within the
    // tolerance: a unit killed a thousand times would give each kill a thousand lines.
    const auto rows = m_kernelByUnit.constFind(l.line.unit);
    if (rows == m_kernelByUnit.cend() || !l.line.wallTime || !l.line.wallTime->isValid())
        return;
    const std::vector<std::size_t> &candidates = *rows;
    const qint64 lineMs = *this->lineMs(l);
    std::size_t &cursor = m_unitCursor[l.line.unit]; // candidates before it are all taken
    while (cursor < candidates.size() && m_unitLineTaken[candidates[cursor]])
        ++cursor;
    auto nearest = [&](std::size_t from, bool untakenOnly) {
        std::optional<std::size_t> best;
        qint64 bestGap = 0;
        for (std::size_t c = from; c < candidates.size(); ++c) {
            const std::size_t i = candidates[c];
            const Death &d = m_rows[i].death;
            if ((untakenOnly && m_unitLineTaken[i]) || !nearMs(m_timeMs[i], lineMs)
                || !d.cgroup.endsWith(u'/' + l.line.unit))
                continue;
            const qint64 gap = std::abs(*m_timeMs[i] - lineMs);
            if (!best || gap < bestGap) {
                best = i;
                bestGap = gap;
                if (gap == 0)
                    break;
            }
        }
        return best;
    };
    std::optional<std::size_t> chosen = nearest(cursor, true);
    if (!chosen)
        chosen = nearest(0, false);
    if (!chosen)
        return;
    // The processes one report killed (memory.oom.group) are rows next to each other.
    const std::optional<qint64> event = m_rows[*chosen].death.eventId;
    std::size_t first = *chosen;
    while (event && first > 0 && m_rows[first - 1].death.eventId == event
           && isKernel(m_rows[first - 1].death.killer))
        --first;
    for (std::size_t i = first; i < m_rows.size(); ++i) {
        if (i != *chosen && (!event || m_rows[i].death.eventId != event || !isKernel(m_rows[i].death.killer)))
            break;
        if (i != *chosen && !nearMs(m_timeMs[i], lineMs))
            continue;
        m_rows[i].death.evidence.push_back(evidenceOf(l));
        m_unitLineTaken[i] = true;
    }
}

void Builder::addLines()
{
    // Kernel OOMs first (above), then killers, then runtime lines that join onto them.
    for (std::size_t i = 0; i < m_in.lines.size(); ++i)
        if (m_in.lines[i].line.kind == Kind::OomdUnitKilled)
            m_oomdUnitLines[m_in.lines[i].line.unit].push_back(i);
    for (std::size_t i = 0; i < m_in.lines.size(); ++i) {
        const SourcedKillerLine &l = m_in.lines[i];
        switch (l.line.kind) {
        case Kind::OomdKill:
            addOomd(l);
            break;
        case Kind::EarlyoomLowMemory:
            m_lastLowMemory.insert(l.source, i);
            break;
        case Kind::EarlyoomKill:
            addEarlyoom(l);
            break;
        case Kind::KubeletRanked:
        case Kind::KubeletReclaim:
            m_kubeletLines[l.source].push_back(i);
            break;
        case Kind::KubeletEvicted:
            addEviction(l);
            m_kubeletLines[l.source].push_back(i);
            break;
        default:
            break;
        }
    }
    for (const SourcedKillerLine &l : m_in.lines) {
        if (l.line.kind == Kind::UnitOomKilled) {
            addUnitOomKilled(l);
        } else if (l.line.kind == Kind::RuntimeOom || l.line.kind == Kind::RuntimeExit) {
            addRuntime(l);
        }
    }
}

void Builder::addTermination(const QString &source, const KubePod &pod, const KubeContainerStatus &status,
                             const KubeTermination &t, bool current)
{
    const bool oomKilled = t.reason == u"OOMKilled"_s;
    if (!deathByTermination(t))
        return;
    const QString id = terminationContainerId(status, t);
    const std::optional<QDateTime> finished = finishedTime(t);
    const DeathEvidence evidence {source, 0, terminationEvidenceText(pod, status, t, current)};
    if (DeathRow *r = findByContainer(id, pod.uid, status.name, finished, true)) {
        Death &d = r->death;
        d.evidence.push_back(evidence);
        d.exitCode = t.exitCode;
        d.restartCount = status.restartCount;
        if (d.containerId.isEmpty())
            d.containerId = id;
        indexKeys(std::size_t(r - m_rows.data()));
        if (d.container.isEmpty())
            d.container = status.name;
        if (!d.time && finished) {
            d.time = finished;
            m_timeMs[std::size_t(r - m_rows.data())] = msOf(d.time);
        }
        if (isKernel(d.killer))
            r->facts.push_back({DeathFact::Kind::KernelKillRestarted, d.comm, d.pid.value_or(0), status.name,
                                status.restartCount, t.exitCode, t.reason});
        return;
    }
    DeathRow r;
    Death &d = r.death;
    d.killer = oomKilled ? Killer::RuntimeOom : Killer::SigkillOther;
    d.time = finished;
    d.node = pod.nodeName;
    d.namespaceName = pod.namespaceName;
    d.pod = pod.name;
    d.podUid = pod.uid;
    d.container = status.name;
    d.containerId = id;
    d.exitCode = t.exitCode;
    d.restartCount = status.restartCount;
    d.confidence = DeathConfidence::Medium;
    d.evidence.push_back(evidence);
    r.facts.push_back({oomKilled ? DeathFact::Kind::RuntimeOomWithoutKernelReport
                                 : DeathFact::Kind::SigkillNoMemoryEvidence,
                       {},
                       0,
                       status.name,
                       status.restartCount,
                       t.exitCode,
                       t.reason});
    push(std::move(r));
}

void Builder::addPod(const KubeRecordInput &record, const KubePod &pod)
{
    if (pod.evicted()) {
        const bool memory = pod.message.contains(u"memory"_s, Qt::CaseInsensitive);
        const DeathEvidence evidence {record.source, 0, podEvictionEvidenceText(pod)};
        if (DeathRow *found = findEviction(pod.namespaceName, pod.name)) {
            found->death.evidence.push_back(evidence);
            if (found->death.podUid.isEmpty())
                found->death.podUid = pod.uid;
            indexKeys(std::size_t(found - m_rows.data()));
            if (found->death.node.isEmpty())
                found->death.node = pod.nodeName;
        } else if (memory) {
            DeathRow r;
            Death &d = r.death;
            d.killer = Killer::KubeletEviction;
            d.node = pod.nodeName;
            d.namespaceName = pod.namespaceName;
            d.pod = pod.name;
            d.podUid = pod.uid;
            d.confidence = DeathConfidence::Medium;
            d.evidence.push_back(evidence);
            for (const KubeContainerStatus &s : pod.statuses)
                if (s.state.terminated && s.state.terminated->finishedAt.isValid())
                    d.time = s.state.terminated->finishedAt;
            push(std::move(r));
        }
        return; // an evicted pod's containers end with 137 from the eviction, not from elsewhere
    }
    for (const KubeContainerStatus &s : pod.statuses) {
        if (s.state.terminated)
            addTermination(record.source, pod, s, *s.state.terminated, true);
        if (s.lastState.terminated)
            addTermination(record.source, pod, s, *s.lastState.terminated, false);
    }
}

void Builder::addKubeEvent(const QString &source, const KubeEvent &e)
{
    const std::optional<QDateTime> time = kubeEventTime(e);
    const DeathEvidence evidence {source, 0, kubeEventEvidenceText(e)};
    if (e.reason == u"Evicted"_s && e.involvedKind == u"Pod"_s) {
        if (DeathRow *found = findEviction(e.namespaceName, e.involvedName)) {
            found->death.evidence.push_back(evidence);
        } else if (e.message.contains(u"memory"_s, Qt::CaseInsensitive)) {
            // Only the event is left (the pod object is gone): still a death by node memory pressure.
            DeathRow r;
            Death &d = r.death;
            d.killer = Killer::KubeletEviction;
            d.time = time;
            d.node = e.sourceHost;
            d.namespaceName = e.namespaceName;
            d.pod = e.involvedName;
            d.podUid = e.involvedUid;
            d.confidence = DeathConfidence::Medium;
            d.evidence.push_back(evidence);
            push(std::move(r));
        }
        return;
    }
    if (namesKilledPid(e)) {
        // The first kernel kill of a number in the message, at a compatible time.
        std::optional<std::size_t> first;
        const std::optional<qint64> timeMs = msOf(time);
        forEachNumber(e.message, [&](std::int64_t number) {
            for (std::size_t i : indicesOf(m_kernelByPid, number))
                if ((!first || i < *first) && compatibleMs(m_timeMs[i], timeMs))
                    first = i;
        });
        if (first)
            m_rows[*first].death.evidence.push_back(evidence);
    }
}

void Builder::addKube()
{
    for (const KubeRecordInput &record : m_in.kube)
        for (const KubePod &pod : record.pods)
            addPod(record, pod);
    for (const KubeRecordInput &record : m_in.kube)
        for (const KubeEvent &e : record.events)
            addKubeEvent(record.source, e);
}

} // namespace oomscope::deathtable
