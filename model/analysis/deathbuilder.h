// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to the deaths table (deaths.cpp: kernel kills, which to hold, the facts and the order;
// deathjoins.cpp: the other killers' lines and Kubernetes' record joined onto them).
#pragma once

#include "cgrouppath.h"
#include "deaths.h"

#include <QHash>
#include <QSet>

#include <cstdint>
#include <optional>
#include <vector>

namespace oomscope::deathtable {

using namespace Qt::StringLiterals;
using Kind = KillerLine::Kind;

// The indices a key maps to, by reference (QHash::value copies the vector: per eviction, a copy of
// every kubelet line of its source so far).
template<typename Key>
inline const std::vector<std::size_t> &indicesOf(const QHash<Key, std::vector<std::size_t>> &index,
                                                 const Key &key)
{
    static const std::vector<std::size_t> none;
    const auto it = index.constFind(key);
    return it == index.cend() ? none : *it;
}

inline bool memoryKiller(Killer k)
{
    return k == Killer::KernelMemcg || k == Killer::KernelGlobal || k == Killer::SystemdOomd
        || k == Killer::Earlyoom || k == Killer::RuntimeOom || k == Killer::KubeletEviction;
}

inline bool isKernel(Killer k)
{
    return k == Killer::KernelMemcg || k == Killer::KernelGlobal;
}

inline QString lastComponent(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash < 0 ? path : path.mid(slash + 1);
}

inline DeathEvidence evidenceOf(const SourcedKillerLine &l)
{
    return DeathEvidence {l.source, l.line.line, l.line.text};
}

// A container's termination that is a death: OOMKilled, or exit 137.
inline bool deathByTermination(const KubeTermination &t)
{
    return t.reason == u"OOMKilled"_s || t.exitCode == 137;
}

inline QString terminationContainerId(const KubeContainerStatus &status, const KubeTermination &t)
{
    return bareContainerId(t.containerId.isEmpty() ? status.containerId : t.containerId);
}

inline std::optional<QDateTime> finishedTime(const KubeTermination &t)
{
    return t.finishedAt.isValid() ? std::optional(t.finishedAt) : std::nullopt;
}

inline std::optional<QDateTime> kubeEventTime(const KubeEvent &e)
{
    return e.lastTimestamp.isValid() ? std::optional(e.lastTimestamp)
        : e.firstTimestamp.isValid() ? std::optional(e.firstTimestamp)
                                     : std::nullopt;
}

// "System OOM encountered, victim process: worker, pid: 4711" / "Killed process 4711 (worker) …".
inline bool namesKilledPid(const KubeEvent &e)
{
    return e.reason == u"OOMKilling"_s || e.reason == u"SystemOOM"_s;
}

// Every number in a message, in turn.
template<typename F> void forEachNumber(const QString &m, F &&f)
{
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
        if (ok)
            f(number);
    }
}

class Builder
{
public:
    Builder(const DeathInputs &in, const DeathStreams &streams)
        : m_in(in)
        , m_streams(streams)
    {
        for (const KubeRecordInput &r : in.kube) {
            m_dir.add(r.pods);
            for (const KubePod &p : r.pods)
                if (!m_podSources.contains(p.uid))
                    m_podSources.insert(p.uid, r.source);
        }
        indexLookups();
    }

    std::vector<OrderedDeath> run();

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
    // A killer line's time, converted once (l is one of m_in.lines).
    std::optional<qint64> lineMs(const SourcedKillerLine &l) const
    {
        return m_lineMs[std::size_t(&l - m_in.lines.data())];
    }
    void name(Death &d) const;
    Death runtimeProbe(const SourcedKillerLine &l) const;
    void indexLookups();
    void addKernel();
    void addKill(const KernelKill &k);
    bool lookedUp(const std::vector<DeathRow> &rows);
    void finishAlone(DeathRow &&r);
    void addRunningContainerFact(DeathRow &r) const;
    void noteKernelPod(const Death &d);
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
    const DeathStreams &m_streams;
    std::uint64_t m_nextOrder = 0;
    PodDirectory m_dir;
    QHash<QString, QString> m_podSources; // pod UID -> the record that holds the pod
    std::vector<DeathRow> m_rows;
    QHash<QString, std::vector<std::size_t>> m_byContainerId, m_byPodUid, m_kernelByUnit, m_evictionByPod;
    QHash<std::int64_t, std::vector<std::size_t>> m_kernelByPid, m_earlyoomByPid;
    std::vector<std::pair<QString, QString>> m_indexedKeys; // per row: the containerId, podUid indexed
    std::vector<std::optional<qint64>> m_timeMs; // per row: its time (msOf), kept in step with it
    std::vector<std::optional<qint64>> m_lineMs; // per killer line (m_in.lines): its time (msOf)
    std::vector<bool> m_unitLineTaken; // per row: a "unit: … killed by the OOM killer" line joined it
    QHash<QString, std::size_t> m_unitCursor; // per unit: rows before it are all taken
    QHash<QString, std::vector<std::size_t>> m_oomdUnitLines; // unit -> its systemd "killed N" lines
    QHash<QString, std::size_t> m_lastLowMemory; // source -> index of its latest earlyoom report so far
    QHash<QString, std::vector<std::size_t>> m_kubeletLines; // source -> its kubelet lines so far
    QSet<QString> m_kernelPodUids, m_kernelPods; // the pods the kernel killed in (UID, namespace/name)

    // How the other inputs will look kernel rows up (lookedUp() decides which kills to hold).
    struct ContainerLookup { // a runtime line, a termination, the sigkill row either may make
        QString containerId, podUid;
        QString container; // by pod: only rows of this container (findByContainer), when given
        std::optional<qint64> ms;
        std::size_t capacity = 1; // kills to hold for it (lookedUp())
        std::size_t held = 0; // kills held for it so far
    };
    struct PidLookup { // a number in a kube OOM event's message
        std::optional<qint64> ms;
        std::size_t held = 0;
    };
    std::vector<ContainerLookup> m_containerLookups;
    QHash<QString, std::vector<std::size_t>> m_lookupByContainerId, m_lookupByPodUid;
    std::vector<PidLookup> m_pidLookups;
    QHash<std::int64_t, std::vector<std::size_t>> m_lookupByPid;
    QHash<QString, std::vector<qint64>>
        m_unitLineMs; // unit -> times of its "killed by the OOM killer" lines, sorted
    std::size_t m_heldPerLateLookup = 1; // terminations + 1 (lookedUp())
};

} // namespace oomscope::deathtable
