// SPDX-License-Identifier: GPL-3.0-or-later
// One death of a process or container by memory (or a SIGKILL that looks like one), whoever killed
// it: the kernel, systemd-oomd, earlyoom, the kubelet, the container runtime. Value types only; the
// table is built in model/analysis/deaths.h, its sentences in deathexplanation.cpp.
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace oomscope {

// Who killed it. Stable keys (killerKey) are used in JSON and in the workspace.
enum class Killer {
    Unknown,
    KernelMemcg, // the kernel OOM killer, a cgroup's limit was hit
    KernelGlobal, // the kernel OOM killer, the node ran out (also cpuset/mempolicy constrained)
    SystemdOomd, // systemd-oomd (memory pressure or swap rule)
    Earlyoom, // earlyoom
    KubeletEviction, // the kubelet's eviction manager (node memory pressure)
    RuntimeOom, // the container runtime reported an OOM (containerd/CRI-O/dockerd/kubelet event)
    SigkillOther, // exit code 137 with no memory evidence
};

// "kernel_memcg", "kernel_global", "systemd_oomd", "earlyoom", "kubelet_eviction", "runtime_oom",
// "sigkill_other", "unknown".
QString killerKey(Killer killer);
std::optional<Killer> killerFromKey(const QString &key);

enum class DeathConfidence { Low, Medium, High };

QString confidenceKey(DeathConfidence confidence); // "low", "medium", "high"
std::optional<DeathConfidence> confidenceFromKey(const QString &key);

// One line or object that supports a death.
struct DeathEvidence {
    QString source; // file name as the user gave it, or "<stdin>"
    qint64 line = 0; // 1-based line in the source; 0 for a whole object (pod JSON)
    QString text; // the line as printed (prefix kept), or a short description of the object
};

struct Death {
    std::optional<QDateTime> time; // wall-clock time of the kill, when any source gives it
    std::optional<double> uptimeSeconds; // kernel timestamp when only dmesg-style time is known
    QString node;
    QString namespaceName;
    QString pod;
    QString container;
    QString cgroup; // cgroup path of the victim, as the killer printed it
    QString podUid; // join keys, from cgroup paths or pod JSON
    QString containerId;
    std::optional<std::int64_t> pid;
    QString comm;
    Killer killer = Killer::Unknown;
    std::optional<int> exitCode;
    std::optional<int> restartCount; // the container's, when pod JSON gives it
    std::vector<DeathEvidence> evidence;
    DeathConfidence confidence = DeathConfidence::Low;
    // The kernel OOM event behind a kernel kill: in `analyze`, the 1-based index into its events;
    // in a workspace, the events row id.
    std::optional<qint64> eventId;
    QStringList notes; // plain sentences (deathexplanation.cpp), contradictions first
};

} // namespace oomscope
