// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table: the kernel kills (held for the joins, or finished at once), the facts that
// need every row, the order. The joins of the other inputs are in deathjoins.cpp.
#include "deathbuilder.h"

#include <algorithm>
#include <iterator>

using namespace Qt::StringLiterals;

namespace oomscope::deathtable {

void Builder::push(DeathRow &&row)
{
    row.order = m_nextOrder++;
    const std::size_t i = m_rows.size();
    const Death &d = row.death;
    if (isKernel(d.killer)) {
        m_kernelByUnit[lastComponent(d.cgroup)].push_back(i);
        if (d.pid)
            m_kernelByPid[*d.pid].push_back(i);
    }
    if (d.killer == Killer::Earlyoom && d.pid)
        m_earlyoomByPid[*d.pid].push_back(i);
    if (d.killer == Killer::KubeletEviction)
        m_evictionByPod[d.pod].push_back(i);
    m_timeMs.push_back(msOf(row.death.time));
    m_rows.push_back(std::move(row));
    m_indexedKeys.emplace_back();
    m_unitLineTaken.push_back(false);
    indexKeys(i);
}

void Builder::indexKeys(std::size_t row)
{
    const Death &d = m_rows[row].death;
    auto &[containerId, podUid] = m_indexedKeys[row];
    // Keys are only ever filled in, never changed: add the new ones.
    if (containerId.isEmpty() && !d.containerId.isEmpty()) {
        containerId = d.containerId;
        m_byContainerId[containerId].push_back(row);
    }
    if (podUid.isEmpty() && !d.podUid.isEmpty()) {
        podUid = d.podUid;
        m_byPodUid[podUid].push_back(row);
    }
}

void Builder::name(Death &d) const
{
    std::optional<PodRef> ref;
    if (!d.cgroup.isEmpty()) {
        const CgroupInfo info = classifyCgroupPath(d.cgroup);
        if (d.podUid.isEmpty())
            d.podUid = info.podUid;
        if (d.containerId.isEmpty())
            d.containerId = info.containerId;
        ref = m_dir.byCgroupPath(d.cgroup);
    }
    if (!ref && !d.containerId.isEmpty())
        ref = m_dir.byContainerId(d.containerId);
    if (!ref && !d.podUid.isEmpty())
        ref = m_dir.byPodUid(d.podUid);
    if (!ref && !d.pod.isEmpty()) {
        if (const KubePod *p = m_dir.podNamed(d.namespaceName, d.pod))
            ref = m_dir.byPodUid(p->uid);
    }
    if (!ref)
        return;
    auto fill = [](QString &field, const QString &value) {
        if (field.isEmpty())
            field = value;
    };
    fill(d.namespaceName, ref->namespaceName);
    fill(d.pod, ref->pod);
    fill(d.container, ref->container);
    fill(d.podUid, ref->podUid);
    fill(d.containerId, ref->containerId);
    fill(d.node, ref->nodeName);
}

void Builder::addKernel()
{
    for (const KernelKill &k : m_in.kernel)
        addKill(k);
    if (m_streams.nextKill)
        for (KernelKill k; m_streams.nextKill(k);)
            addKill(k);
}

void Builder::addKill(const KernelKill &k)
{
    const bool memcg = k.constraint == Constraint::Memcg
        || (k.constraint == Constraint::Unknown && !k.oomMemcg.isEmpty() && k.oomMemcg != u"/"_s);
    std::vector<DeathRow> rows;
    auto row = [&](std::int64_t pid, const QString &comm) {
        DeathRow r;
        Death &d = r.death;
        d.killer = memcg ? Killer::KernelMemcg : Killer::KernelGlobal;
        d.time = k.wallTime;
        d.uptimeSeconds = k.uptimeSeconds;
        d.node = k.host;
        d.cgroup = k.taskMemcg.isEmpty() ? k.oomMemcg : k.taskMemcg;
        d.pid = pid;
        d.comm = comm;
        d.eventId = k.eventId;
        d.evidence = k.evidence;
        d.confidence = DeathConfidence::High;
        name(d);
        if (!memcg && !d.pod.isEmpty())
            r.facts.push_back({DeathFact::Kind::KernelGlobalInContainer, comm, pid, d.container, {}, {}, {}});
        if (!k.wallTime && !m_in.kube.empty())
            r.facts.push_back({DeathFact::Kind::TimesUnjoinable, comm, pid, d.container, {}, {}, {}});
        rows.push_back(std::move(r));
    };
    row(k.pid, k.comm);
    for (const auto &[pid, comm] : k.groupKilled)
        row(pid, comm);
    // The rows of one report stay together: held, or finished, all of them.
    const bool hold = lookedUp(rows);
    for (DeathRow &r : rows) {
        if (hold)
            push(std::move(r));
        else
            finishAlone(std::move(r));
    }
}

bool Builder::lookedUp(const std::vector<DeathRow> &rows)
{
    if (m_streams.holdEveryKill)
        return true;
    // A lookup takes the first row (in the order rows were made) that matches it at a compatible
    // time. A row stops matching only when an earlier lookup changed it — only a pod's
    // termination does (it fills in a row's time, container ID or container name), and each
    // changes at most one row. So a runtime OOM line (looked up before any termination) ends on
    // the first kill that matches it, and a termination, an OOM event or a sigkill row (checked
    // after them all) on one of the first (terminations + 1) kills that match it, or on a row a
    // termination changed — held the same way. A kill is held while any lookup it matches has
    // held fewer (it is counted to the first such lookup, so the others hold a little more than
    // they need, never less); the other kills are never looked up: they are finished now.
    for (const DeathRow &r : rows) {
        const Death &d = r.death;
        const std::optional<qint64> ms = msOf(d.time);
        // Found by its container ID: matches by ID. Found by its pod: matches when one side has no ID.
        auto take = [&](std::size_t q, bool byId) {
            ContainerLookup &c = m_containerLookups[q];
            const bool byPod = (c.containerId.isEmpty() || d.containerId.isEmpty())
                && (c.container.isEmpty() || d.container == c.container);
            if (c.held == c.capacity || !compatibleMs(ms, c.ms) || !(byId || byPod))
                return false;
            ++c.held;
            return true;
        };
        if (!d.containerId.isEmpty())
            for (std::size_t q : indicesOf(m_lookupByContainerId, d.containerId))
                if (take(q, true))
                    return true;
        if (!d.podUid.isEmpty())
            for (std::size_t q : indicesOf(m_lookupByPodUid, d.podUid))
                if (take(q, false))
                    return true;
        if (d.pid)
            for (std::size_t q : indicesOf(m_lookupByPid, std::int64_t(*d.pid))) {
                PidLookup &p = m_pidLookups[q];
                if (p.held < m_heldPerLateLookup && compatibleMs(ms, p.ms)) {
                    ++p.held;
                    return true;
                }
            }
        // systemd's unit lines join every kill of the unit near them in time (addUnitOomKilled).
        if (ms)
            if (const auto times = m_unitLineMs.constFind(lastComponent(d.cgroup));
                times != m_unitLineMs.cend()) {
                const auto at = std::lower_bound(times->begin(), times->end(), *ms);
                if ((at != times->end() && nearMs(*at, ms))
                    || (at != times->begin() && nearMs(*(at - 1), ms)))
                    return true;
            }
    }
    return false;
}

void Builder::indexLookups()
{
    m_lineMs.reserve(m_in.lines.size());
    for (const SourcedKillerLine &l : m_in.lines)
        m_lineMs.push_back(msOf(l.line.wallTime));
    // The terminations first: how many there are bounds what the later lookups hold.
    std::vector<ContainerLookup> terminations;
    for (const KubeRecordInput &record : m_in.kube)
        for (const KubePod &pod : record.pods) {
            if (pod.evicted())
                continue;
            for (const KubeContainerStatus &s : pod.statuses)
                for (const std::optional<KubeTermination> *t : {&s.state.terminated, &s.lastState.terminated})
                    if (*t && deathByTermination(**t))
                        terminations.push_back(
                            {terminationContainerId(s, **t), pod.uid, s.name, msOf(finishedTime(**t)), 0, 0});
        }
    m_heldPerLateLookup = terminations.size() + 1;
    auto add = [this](ContainerLookup &&lookup) {
        const std::size_t q = m_containerLookups.size();
        if (!lookup.containerId.isEmpty())
            m_lookupByContainerId[lookup.containerId].push_back(q);
        if (!lookup.podUid.isEmpty())
            m_lookupByPodUid[lookup.podUid].push_back(q);
        m_containerLookups.push_back(std::move(lookup));
    };
    for (const SourcedKillerLine &l : m_in.lines) {
        if (l.line.kind == Kind::UnitOomKilled && l.line.wallTime && l.line.wallTime->isValid())
            m_unitLineMs[l.line.unit].push_back(*lineMs(l));
        const bool oom = l.line.kind == Kind::RuntimeOom;
        if (oom || (l.line.kind == Kind::RuntimeExit && l.line.exitCode == 137)) {
            const Death probe = runtimeProbe(l);
            const std::optional<qint64> ms = lineMs(l);
            add({probe.containerId, probe.podUid, {}, ms, 1, 0});
            // An exit 137 that joins nothing is a sigkill row, looked up again after the terminations
            // (finishFacts), then for its own container only.
            if (!oom)
                add({probe.containerId, probe.podUid,
                     probe.container.isEmpty() ? l.line.container : probe.container, ms, m_heldPerLateLookup,
                     0});
        }
    }
    for (std::vector<qint64> &times : m_unitLineMs)
        std::sort(times.begin(), times.end());
    for (ContainerLookup &t : terminations) {
        t.capacity = m_heldPerLateLookup;
        add(std::move(t));
    }
    for (const KubeRecordInput &record : m_in.kube)
        for (const KubeEvent &e : record.events)
            if (namesKilledPid(e))
                forEachNumber(e.message, [&](std::int64_t pid) {
                    m_lookupByPid[pid].push_back(m_pidLookups.size());
                    m_pidLookups.push_back({msOf(kubeEventTime(e)), 0});
                });
}

void Builder::addRunningContainerFact(DeathRow &r) const
{
    Death &d = r.death;
    if (!isKernel(d.killer) || d.exitCode || d.podUid.isEmpty() || d.container.isEmpty())
        return;
    // The kernel killed a process of a container that is running since before the kill.
    const KubePod *pod = m_dir.pod(d.podUid);
    const KubeContainerStatus *s = pod ? pod->status(d.container) : nullptr;
    if (s && s->state.kind == KubeContainerState::Kind::Running
        && (!d.time || !s->state.startedAt.isValid() || s->state.startedAt <= *d.time)) {
        d.restartCount = s->restartCount;
        d.evidence.push_back({podSource(d.podUid), 0, runningContainerEvidenceText(*pod, *s)});
        r.facts.insert(r.facts.begin(),
                       {DeathFact::Kind::ChildDiedContainerRunning,
                        d.comm,
                        d.pid.value_or(0),
                        d.container,
                        s->restartCount,
                        {},
                        {}});
    }
}

void Builder::noteKernelPod(const Death &d)
{
    if (!isKernel(d.killer))
        return;
    if (!d.podUid.isEmpty())
        m_kernelPodUids.insert(d.podUid);
    if (!d.pod.isEmpty())
        m_kernelPods.insert(d.namespaceName + u'/' + d.pod);
}

void Builder::finishAlone(DeathRow &&r)
{
    // What finishFacts and run() do for a held kernel row; nothing else will change this one.
    r.order = m_nextOrder++;
    noteKernelPod(r.death);
    addRunningContainerFact(r);
    r.death.notes = explainDeathFacts(r.facts);
    m_streams.finished({r.order, std::move(r.death)});
}

DeathRow *Builder::findByContainer(const QString &containerId, const QString &podUid,
                                   const QString &container, const std::optional<QDateTime> &time,
                                   bool memoryOnly)
{
    // The first row (in the order rows were made) with the container's ID, or of its pod when one
    // side lacks the ID.
    std::optional<std::size_t> first;
    const std::optional<qint64> timeMs = msOf(time);
    auto consider = [&](std::size_t i) {
        if (first && *first < i)
            return;
        const Death &d = m_rows[i].death;
        if (memoryOnly && !memoryKiller(d.killer))
            return;
        const bool byId = !containerId.isEmpty() && d.containerId == containerId;
        const bool byPod = containerId.isEmpty() || d.containerId.isEmpty()
            ? !podUid.isEmpty() && d.podUid == podUid && (container.isEmpty() || d.container == container)
            : false;
        if ((byId || byPod) && compatibleMs(m_timeMs[i], timeMs))
            first = i;
    };
    if (!containerId.isEmpty())
        if (const auto it = m_byContainerId.constFind(containerId); it != m_byContainerId.cend())
            for (std::size_t i : *it)
                consider(i);
    if (!podUid.isEmpty())
        if (const auto it = m_byPodUid.constFind(podUid); it != m_byPodUid.cend())
            for (std::size_t i : *it)
                consider(i);
    return first ? &m_rows[*first] : nullptr;
}

DeathRow *Builder::findEviction(const QString &ns, const QString &pod)
{
    for (std::size_t i : indicesOf(m_evictionByPod, pod)) {
        DeathRow &r = m_rows[i];
        if (ns.isEmpty() || r.death.namespaceName.isEmpty() || r.death.namespaceName == ns)
            return &r;
    }
    return nullptr;
}

void Builder::finishFacts()
{
    // The pods in which the kernel killed (by UID, by namespace/name) for the evictions below; the
    // finished rows noted theirs already.
    for (const DeathRow &o : m_rows)
        noteKernelPod(o.death);
    for (DeathRow &r : m_rows) {
        Death &d = r.death;
        addRunningContainerFact(r);
        if (d.killer == Killer::KubeletEviction) {
            const bool kernelInPod = (!d.podUid.isEmpty() && m_kernelPodUids.contains(d.podUid))
                || (!d.pod.isEmpty() && m_kernelPods.contains(d.namespaceName + u'/' + d.pod));
            if (!kernelInPod)
                r.facts.insert(r.facts.begin(), {DeathFact::Kind::EvictedNoKernelOom, {}, 0, {}, {}, {}, {}});
        }
        if (d.killer == Killer::SigkillOther) {
            // A sigkill row stays one only when no memory killer touched that container around then.
            if (!d.podUid.isEmpty() && findByContainer(d.containerId, d.podUid, d.container, d.time, true))
                r.facts.clear();
        }
    }
    // A 137 that a memory killer explains is not a death of its own.
    std::erase_if(
        m_rows, [](const DeathRow &r) { return r.death.killer == Killer::SigkillOther && r.facts.empty(); });
}

std::vector<OrderedDeath> Builder::run()
{
    addKernel();
    addLines();
    addKube();
    finishFacts();
    std::vector<OrderedDeath> held;
    held.reserve(m_rows.size());
    for (DeathRow &r : m_rows) {
        r.death.notes = explainDeathFacts(r.facts);
        held.push_back({r.order, std::move(r.death)});
    }
    std::sort(held.begin(), held.end(), deathBefore);
    return held;
}
} // namespace oomscope::deathtable

namespace oomscope {

using deathtable::Builder;

std::optional<KernelKill> kernelKillOf(const OomEvent &event, qint64 eventId, const QString &source)
{
    if (!event.victim.present)
        return std::nullopt;
    KernelKill k;
    k.eventId = eventId;
    k.source = source;
    k.host = event.host;
    k.wallTime = event.wallTime;
    k.uptimeSeconds = event.uptimeSeconds;
    k.constraint = event.constraint;
    k.taskMemcg = event.taskMemcg;
    k.oomMemcg = event.oomMemcg;
    k.pid = event.victim.pid;
    k.comm = event.victim.comm;
    for (const KilledProcess &g : event.groupKilled)
        if (g.pid != event.victim.pid)
            k.groupKilled.emplace_back(g.pid, g.comm);
    // The header ("invoked oom-killer"), the summary ("oom-kill:constraint=…") and the kill line.
    for (const RawLine &l : event.rawLines) {
        const bool wanted =
            l.line == event.firstLine || l.line == event.victim.line || l.text.startsWith(u"oom-kill:"_s);
        if (wanted)
            k.evidence.push_back({source, l.line, l.text});
    }
    return k;
}

bool deathBefore(const OrderedDeath &a, const OrderedDeath &b)
{
    const std::optional<QDateTime> &ta = a.death.time;
    const std::optional<QDateTime> &tb = b.death.time;
    if (ta.has_value() != tb.has_value())
        return ta.has_value();
    if (ta && *ta != *tb)
        return *ta < *tb;
    return a.order < b.order;
}

std::vector<OrderedDeath> buildDeaths(const DeathInputs &inputs, const DeathStreams &streams)
{
    return Builder(inputs, streams).run();
}

std::vector<Death> buildDeaths(const DeathInputs &inputs)
{
    std::vector<OrderedDeath> rows;
    DeathStreams streams;
    streams.finished = [&rows](OrderedDeath &&d) {
        rows.push_back(std::move(d));
    };
    std::vector<OrderedDeath> held = buildDeaths(inputs, streams);
    std::move(held.begin(), held.end(), std::back_inserter(rows));
    std::sort(rows.begin(), rows.end(), deathBefore);
    std::vector<Death> deaths;
    deaths.reserve(rows.size());
    for (OrderedDeath &r : rows)
        deaths.push_back(std::move(r.death));
    return deaths;
}

} // namespace oomscope
