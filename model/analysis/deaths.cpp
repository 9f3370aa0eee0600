// SPDX-License-Identifier: GPL-3.0-or-later
#include "deaths.h"

#include "cgrouppath.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

using Kind = KillerLine::Kind;

bool memoryKiller(Killer k)
{
    return k == Killer::KernelMemcg || k == Killer::KernelGlobal || k == Killer::SystemdOomd
        || k == Killer::Earlyoom || k == Killer::RuntimeOom || k == Killer::KubeletEviction;
}

bool isKernel(Killer k)
{
    return k == Killer::KernelMemcg || k == Killer::KernelGlobal;
}

QString lastComponent(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash < 0 ? path : path.mid(slash + 1);
}

DeathEvidence evidenceOf(const SourcedKillerLine &l)
{
    return DeathEvidence {l.source, l.line.line, l.line.text};
}

class Builder
{
public:
    explicit Builder(const DeathInputs &in)
        : m_in(in)
    {
        for (const KubeRecordInput &r : in.kube)
            m_dir.add(r.pods);
    }

    std::vector<Death> run();

private:
    bool near(const std::optional<QDateTime> &a, const std::optional<QDateTime> &b) const
    {
        if (!a || !b || !a->isValid() || !b->isValid())
            return false;
        return std::abs(a->secsTo(*b)) <= m_in.toleranceSeconds;
    }
    // Times that cannot be compared (one side unknown) do not rule a join out.
    bool compatible(const std::optional<QDateTime> &a, const std::optional<QDateTime> &b) const
    {
        if (!a || !b || !a->isValid() || !b->isValid())
            return true;
        return near(a, b);
    }
    void name(Death &d) const;
    void addKernel();
    void addLines();
    void addOomd(const SourcedKillerLine &l);
    void addEarlyoom(const SourcedKillerLine &l, std::size_t index);
    void addEviction(const SourcedKillerLine &l, std::size_t index);
    void addRuntime(const SourcedKillerLine &l);
    void addKube();
    void addPod(const KubeRecordInput &record, const KubePod &pod);
    void addTermination(const QString &source, const KubePod &pod, const KubeContainerStatus &status,
                        const KubeTermination &t, bool current);
    void addKubeEvent(const QString &source, const KubeEvent &e);
    void finishFacts();
    QString podSource(const QString &podUid) const
    {
        for (const KubeRecordInput &r : m_in.kube)
            for (const KubePod &p : r.pods)
                if (p.uid == podUid)
                    return r.source;
        return {};
    }
    DeathRow *findByContainer(const QString &containerId, const QString &podUid, const QString &container,
                              const std::optional<QDateTime> &time, bool memoryOnly);
    DeathRow *findEviction(const QString &ns, const QString &pod);

    const DeathInputs &m_in;
    PodDirectory m_dir;
    std::vector<DeathRow> m_rows;
};

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
    for (const KernelKill &k : m_in.kernel) {
        const bool memcg = k.constraint == Constraint::Memcg
            || (k.constraint == Constraint::Unknown && !k.oomMemcg.isEmpty() && k.oomMemcg != u"/"_s);
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
                r.facts.push_back(
                    {DeathFact::Kind::KernelGlobalInContainer, comm, pid, d.container, {}, {}, {}});
            if (!k.wallTime && !m_in.kube.empty())
                r.facts.push_back({DeathFact::Kind::TimesUnjoinable, comm, pid, d.container, {}, {}, {}});
            m_rows.push_back(std::move(r));
        };
        row(k.pid, k.comm);
        for (const auto &[pid, comm] : k.groupKilled)
            row(pid, comm);
    }
}

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
    const QString unit = lastComponent(d.cgroup);
    for (const SourcedKillerLine &o : m_in.lines) {
        if (o.line.kind == Kind::OomdUnitKilled && o.line.unit == unit && compatible(o.line.wallTime, d.time))
            d.evidence.push_back(evidenceOf(o));
    }
    name(d);
    m_rows.push_back(std::move(r));
}

void Builder::addEarlyoom(const SourcedKillerLine &l, std::size_t index)
{
    // A SIGKILL after a SIGTERM to the same process is one death.
    for (DeathRow &r : m_rows) {
        Death &d = r.death;
        if (d.killer == Killer::Earlyoom && d.pid == l.line.pid && d.node == l.line.host
            && compatible(d.time, l.line.wallTime) && !d.evidence.empty()
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
    for (std::size_t i = index; i-- > 0;) {
        const SourcedKillerLine &p = m_in.lines[i];
        if (p.source == l.source && p.line.kind == Kind::EarlyoomLowMemory) {
            d.evidence.push_back(evidenceOf(p));
            break;
        }
    }
    d.evidence.push_back(evidenceOf(l));
    r.facts.push_back({DeathFact::Kind::EarlyoomSignal,
                       d.comm,
                       d.pid.value_or(0),
                       {},
                       {},
                       {},
                       l.line.signal == 9 ? u"SIGKILL"_s : u"SIGTERM"_s});
    m_rows.push_back(std::move(r));
}

void Builder::addEviction(const SourcedKillerLine &l, std::size_t index)
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
    for (std::size_t i = index; i-- > 0;) {
        const SourcedKillerLine &p = m_in.lines[i];
        if (p.source != l.source || !compatible(p.line.wallTime, d.time))
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
    m_rows.push_back(std::move(r));
}

DeathRow *Builder::findByContainer(const QString &containerId, const QString &podUid,
                                   const QString &container, const std::optional<QDateTime> &time,
                                   bool memoryOnly)
{
    for (DeathRow &r : m_rows) {
        const Death &d = r.death;
        if (memoryOnly && !memoryKiller(d.killer))
            continue;
        const bool byId = !containerId.isEmpty() && d.containerId == containerId;
        const bool byPod = containerId.isEmpty() || d.containerId.isEmpty()
            ? !podUid.isEmpty() && d.podUid == podUid && (container.isEmpty() || d.container == container)
            : false;
        if ((byId || byPod) && compatible(d.time, time))
            return &r;
    }
    return nullptr;
}

DeathRow *Builder::findEviction(const QString &ns, const QString &pod)
{
    for (DeathRow &r : m_rows)
        if (r.death.killer == Killer::KubeletEviction && r.death.pod == pod
            && (ns.isEmpty() || r.death.namespaceName.isEmpty() || r.death.namespaceName == ns))
            return &r;
    return nullptr;
}

void Builder::addRuntime(const SourcedKillerLine &l)
{
    Death probe;
    probe.containerId = l.line.containerId;
    probe.podUid = l.line.podUid;
    probe.cgroup = l.line.cgroup;
    name(probe);
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
    m_rows.push_back(std::move(r));
}

void Builder::addLines()
{
    // Kernel OOMs first (above), then killers, then runtime lines that join onto them.
    for (std::size_t i = 0; i < m_in.lines.size(); ++i) {
        const SourcedKillerLine &l = m_in.lines[i];
        if (l.line.kind == Kind::OomdKill)
            addOomd(l);
        else if (l.line.kind == Kind::EarlyoomKill)
            addEarlyoom(l, i);
        else if (l.line.kind == Kind::KubeletEvicted)
            addEviction(l, i);
    }
    for (const SourcedKillerLine &l : m_in.lines) {
        if (l.line.kind == Kind::UnitOomKilled) {
            for (DeathRow &r : m_rows)
                if (isKernel(r.death.killer) && r.death.cgroup.endsWith(u'/' + l.line.unit)
                    && near(r.death.time, l.line.wallTime))
                    r.death.evidence.push_back(evidenceOf(l));
        } else if (l.line.kind == Kind::RuntimeOom || l.line.kind == Kind::RuntimeExit) {
            addRuntime(l);
        }
    }
}

} // namespace

namespace {

void Builder::addTermination(const QString &source, const KubePod &pod, const KubeContainerStatus &status,
                             const KubeTermination &t, bool current)
{
    const bool oomKilled = t.reason == u"OOMKilled"_s;
    if (!oomKilled && t.exitCode != 137)
        return;
    const QString id = bareContainerId(t.containerId.isEmpty() ? status.containerId : t.containerId);
    const std::optional<QDateTime> finished =
        t.finishedAt.isValid() ? std::optional(t.finishedAt) : std::nullopt;
    const DeathEvidence evidence {source, 0, terminationEvidenceText(pod, status, t, current)};
    if (DeathRow *r = findByContainer(id, pod.uid, status.name, finished, true)) {
        Death &d = r->death;
        d.evidence.push_back(evidence);
        d.exitCode = t.exitCode;
        d.restartCount = status.restartCount;
        if (d.containerId.isEmpty())
            d.containerId = id;
        if (d.container.isEmpty())
            d.container = status.name;
        if (!d.time && finished)
            d.time = finished;
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
    m_rows.push_back(std::move(r));
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
            m_rows.push_back(std::move(r));
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
    const std::optional<QDateTime> time = e.lastTimestamp.isValid() ? std::optional(e.lastTimestamp)
        : e.firstTimestamp.isValid()                                ? std::optional(e.firstTimestamp)
                                                                    : std::nullopt;
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
            m_rows.push_back(std::move(r));
        }
        return;
    }
    if (e.reason == u"OOMKilling"_s || e.reason == u"SystemOOM"_s) {
        // "System OOM encountered, victim process: worker, pid: 4711" / "Killed process 4711 (worker) …"
        for (DeathRow &r : m_rows) {
            const Death &d = r.death;
            if (isKernel(d.killer) && d.pid && e.message.contains(QString::number(*d.pid))
                && compatible(d.time, time)) {
                r.death.evidence.push_back(evidence);
                return;
            }
        }
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

void Builder::finishFacts()
{
    for (DeathRow &r : m_rows) {
        Death &d = r.death;
        if (isKernel(d.killer) && !d.exitCode && !d.podUid.isEmpty() && !d.container.isEmpty()) {
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
        if (d.killer == Killer::KubeletEviction) {
            bool kernelInPod = false;
            for (const DeathRow &o : m_rows)
                kernelInPod = kernelInPod
                    || (isKernel(o.death.killer)
                        && ((!d.podUid.isEmpty() && o.death.podUid == d.podUid)
                            || (!d.pod.isEmpty() && o.death.pod == d.pod
                                && o.death.namespaceName == d.namespaceName)));
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

std::vector<Death> Builder::run()
{
    addKernel();
    addLines();
    addKube();
    finishFacts();
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const DeathRow &a, const DeathRow &b) {
        if (a.death.time && b.death.time)
            return *a.death.time < *b.death.time;
        return a.death.time.has_value() && !b.death.time.has_value();
    });
    std::vector<Death> deaths;
    deaths.reserve(m_rows.size());
    for (DeathRow &r : m_rows) {
        r.death.notes = explainDeathFacts(r.facts);
        deaths.push_back(std::move(r.death));
    }
    return deaths;
}

} // namespace

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

std::vector<Death> buildDeaths(const DeathInputs &inputs)
{
    return Builder(inputs).run();
}

} // namespace oomscope
