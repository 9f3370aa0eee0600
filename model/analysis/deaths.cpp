// SPDX-License-Identifier: GPL-3.0-or-later
#include "deaths.h"

#include "cgrouppath.h"

#include <QHash>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

using Kind = KillerLine::Kind;

// The indices a key maps to, by reference (QHash::value copies the vector: per eviction, a copy of
// every kubelet line of its source so far).
template<typename Key>
const std::vector<std::size_t> &indicesOf(const QHash<Key, std::vector<std::size_t>> &index, const Key &key)
{
    static const std::vector<std::size_t> none;
    const auto it = index.constFind(key);
    return it == index.cend() ? none : *it;
}

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
        for (const KubeRecordInput &r : in.kube) {
            m_dir.add(r.pods);
            for (const KubePod &p : r.pods)
                if (!m_podSources.contains(p.uid))
                    m_podSources.insert(p.uid, r.source);
        }
    }

    std::vector<Death> run();

private:
    // Times as milliseconds since the epoch, each converted once: a local-time QDateTime asks the
    // C library for the zone on every conversion (a stat of /etc/localtime each time).
    static std::optional<qint64> msOf(const std::optional<QDateTime> &t)
    {
        if (!t || !t->isValid())
            return std::nullopt;
        return t->toMSecsSinceEpoch();
    }
    // Within the tolerance in whole seconds, as QDateTime::secsTo counts them.
    bool nearMs(std::optional<qint64> a, std::optional<qint64> b) const
    {
        return a && b && std::abs(*a - *b) / 1000 <= qint64(m_in.toleranceSeconds);
    }
    // Times that cannot be compared (one side unknown) do not rule a join out.
    bool compatibleMs(std::optional<qint64> a, std::optional<qint64> b) const
    {
        return !a || !b || nearMs(a, b);
    }
    bool compatible(const std::optional<QDateTime> &a, const std::optional<QDateTime> &b) const
    {
        return compatibleMs(msOf(a), msOf(b));
    }
    void name(Death &d) const;
    void addKernel();
    void addLines();
    void addOomd(const SourcedKillerLine &l);
    void addEarlyoom(const SourcedKillerLine &l);
    void addEviction(const SourcedKillerLine &l);
    void addRuntime(const SourcedKillerLine &l);
    void addUnitOomKilled(const SourcedKillerLine &l);
    void addKube();
    void addPod(const KubeRecordInput &record, const KubePod &pod);
    void addTermination(const QString &source, const KubePod &pod, const KubeContainerStatus &status,
                        const KubeTermination &t, bool current);
    void addKubeEvent(const QString &source, const KubeEvent &e);
    void finishFacts();
    QString podSource(const QString &podUid) const { return m_podSources.value(podUid); }
    DeathRow *findByContainer(const QString &containerId, const QString &podUid, const QString &container,
                              const std::optional<QDateTime> &time, bool memoryOnly);
    DeathRow *findEviction(const QString &ns, const QString &pod);
    // Every join looks its candidates up by key instead of walking all rows: a log of thousands of
    // kills (a crash-looping container, a node under pressure for days) joins in n·log n, and a
    // line attaches to the kill it belongs to, not to every kill of the same name.
    void push(DeathRow &&row);
    void indexKeys(std::size_t row); // after a row's containerId or podUid was filled in

    const DeathInputs &m_in;
    PodDirectory m_dir;
    QHash<QString, QString> m_podSources; // pod UID -> the record that holds the pod
    std::vector<DeathRow> m_rows;
    QHash<QString, std::vector<std::size_t>> m_byContainerId, m_byPodUid, m_kernelByUnit, m_evictionByPod;
    QHash<std::int64_t, std::vector<std::size_t>> m_kernelByPid, m_earlyoomByPid;
    std::vector<std::pair<QString, QString>> m_indexedKeys; // per row: the containerId, podUid indexed
    std::vector<std::optional<qint64>> m_timeMs; // per row: its time (msOf), kept in step with it
    std::vector<bool> m_unitLineTaken; // per row: a "unit: … killed by the OOM killer" line joined it
    QHash<QString, std::size_t> m_unitCursor; // per unit: rows before it are all taken
    QHash<QString, std::vector<std::size_t>> m_oomdUnitLines; // unit -> its systemd "killed N" lines
    QHash<QString, std::size_t> m_lastLowMemory; // source -> index of its latest earlyoom report so far
    QHash<QString, std::vector<std::size_t>> m_kubeletLines; // source -> its kubelet lines so far
};

void Builder::push(DeathRow &&row)
{
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
            push(std::move(r));
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
    for (std::size_t i : indicesOf(m_oomdUnitLines, lastComponent(d.cgroup))) {
        const SourcedKillerLine &o = m_in.lines[i];
        if (compatible(o.line.wallTime, d.time))
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
            && compatibleMs(m_timeMs[i], msOf(l.line.wallTime)) && !d.evidence.empty()
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
        if (!compatible(p.line.wallTime, d.time))
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
    const qint64 lineMs = *msOf(l.line.wallTime);
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
            push(std::move(r));
        }
        return;
    }
    if (e.reason == u"OOMKilling"_s || e.reason == u"SystemOOM"_s) {
        // "System OOM encountered, victim process: worker, pid: 4711" / "Killed process 4711 (worker) …":
        // the first kernel kill of a number in the message, at a compatible time.
        std::optional<std::size_t> first;
        const std::optional<qint64> timeMs = msOf(time);
        const QString &m = e.message;
        for (qsizetype at = 0; at < m.size();) {
            if (!m.at(at).isDigit()) {
                ++at;
                continue;
            }
            qsizetype end = at;
            while (end < m.size() && m.at(end).isDigit())
                ++end;
            bool ok = false;
            const std::int64_t number = QStringView(m).sliced(at, end - at).toLongLong(&ok);
            at = end;
            if (!ok)
                continue;
            for (std::size_t i : indicesOf(m_kernelByPid, number))
                if ((!first || i < *first) && compatibleMs(m_timeMs[i], timeMs))
                    first = i;
        }
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

void Builder::finishFacts()
{
    // The pods in which the kernel killed (by UID, by namespace/name) for the evictions below.
    QSet<QString> kernelPodUids, kernelPods;
    for (const DeathRow &o : m_rows) {
        if (!isKernel(o.death.killer))
            continue;
        if (!o.death.podUid.isEmpty())
            kernelPodUids.insert(o.death.podUid);
        if (!o.death.pod.isEmpty())
            kernelPods.insert(o.death.namespaceName + u'/' + o.death.pod);
    }
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
            const bool kernelInPod = (!d.podUid.isEmpty() && kernelPodUids.contains(d.podUid))
                || (!d.pod.isEmpty() && kernelPods.contains(d.namespaceName + u'/' + d.pod));
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
