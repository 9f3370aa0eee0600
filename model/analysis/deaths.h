// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table: every death by memory (or a SIGKILL that looks like one) found in the inputs —
// kernel OOM reports, other killers' log lines, Kubernetes' own record — joined into one row per
// death. Joins: container IDs and pod UIDs in kernel cgroup paths ↔ pod JSON (PodDirectory), times
// within a tolerance, restart counts. Pure: values in, values out. Sentences in deathexplanation.cpp.
#pragma once

#include "death.h"
#include "killerline.h"
#include "kubernetes.h"
#include "oomevent.h"

#include <QDateTime>
#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace oomscope {

// What the deaths table needs of one kernel OOM report (small, so callers need not keep events).
struct KernelKill {
    qint64 eventId = 0; // analyze: 1-based index of the event; workspace: events row id
    QString source;
    QString host;
    std::optional<QDateTime> wallTime;
    std::optional<double> uptimeSeconds;
    Constraint constraint = Constraint::Unknown;
    QString taskMemcg; // the victim's cgroup
    QString oomMemcg; // the cgroup whose limit was hit
    std::int64_t pid = 0;
    QString comm;
    std::vector<std::pair<std::int64_t, QString>> groupKilled; // memory.oom.group: pid, comm
    std::vector<DeathEvidence> evidence; // the report's header, kill and summary lines
};

// The kill of one report, or nullopt when the report has no kill line.
std::optional<KernelKill> kernelKillOf(const OomEvent &event, qint64 eventId, const QString &source);

struct SourcedKillerLine {
    QString source;
    KillerLine line;
};

// Pods and events of one kubectl file (or of the workspace).
struct KubeRecordInput {
    QString source;
    std::vector<KubePod> pods;
    std::vector<KubeEvent> events;
};

struct DeathInputs {
    std::vector<KernelKill> kernel;
    std::vector<SourcedKillerLine> lines;
    std::vector<KubeRecordInput> kube;
    int toleranceSeconds = 120; // how far apart two sources' times may be for one death
};

// One plain fact about a death; deathexplanation.cpp turns each into a sentence.
struct DeathFact {
    enum class Kind {
        ChildDiedContainerRunning, // kernel killed a process, its container runs on, no restart
        SigkillNoMemoryEvidence, // exit 137 and nothing on the node says memory
        EvictedNoKernelOom, // kubelet eviction for node memory pressure, no kernel OOM in the pod
        EvictedForOtherResource, // evicted, but for disk or another resource — not a memory death
        KernelKillRestarted, // the container ended with the kill (exit 137 / OOMKilled, restart count)
        RuntimeOomWithoutKernelReport, // runtime or Kubernetes says OOMKilled, no kernel report given
        OomdRule, // systemd-oomd's rule as it printed it
        EarlyoomSignal, // earlyoom sent SIGTERM (and perhaps SIGKILL)
        KernelGlobalInContainer, // the node ran out, not the container's own limit
        TimesUnjoinable, // the kernel log has only uptime; joined by IDs alone
    };
    Kind kind;
    QString comm;
    std::int64_t pid = 0;
    QString container;
    std::optional<int> restartCount;
    std::optional<int> exitCode;
    QString detail; // rule text, resource, signal
};

struct DeathRow {
    Death death;
    std::vector<DeathFact> facts;
    std::uint64_t order = 0; // when it was made (OrderedDeath::order)
};

// A row of the table and when it was made: rows at the same time keep the order they were made in.
struct OrderedDeath {
    std::uint64_t order = 0;
    Death death;
};

// The table's order: by time, rows at one time in the order they were made, rows without a wall
// time last.
bool deathBefore(const OrderedDeath &a, const OrderedDeath &b);

// Where a table too big to hold comes from and goes to: the kernel kills after inputs.kernel, read
// back one at a time in the order they were added (false at the end), and the rows finished at
// once, in the order they were made.
struct DeathStreams {
    std::function<bool(KernelKill &)> nextKill;
    std::function<void(OrderedDeath &&)> finished;
    // Tests: hold every kill as if another input could join it (the table must not change).
    bool holdEveryKill = false;
};

// Builds the table streaming the kernel kills: a kill that no other input can join (no killer
// line, pod, termination or event names its container, pod, unit or pid at a compatible time) is
// finished at once and handed to streams.finished; only the kills other inputs name are held for
// the joins. Returns the rows held, ordered by deathBefore; the table is their merge with the
// finished rows. Memory grows with the other inputs, not with the number of kernel kills.
std::vector<OrderedDeath> buildDeaths(const DeathInputs &inputs, const DeathStreams &streams);
// The table, ordered by time (rows without a wall time last, by source order), all in memory.
std::vector<Death> buildDeaths(const DeathInputs &inputs);

// Sentences for a death's facts (deathexplanation.cpp); contradictions first.
QStringList explainDeathFacts(const std::vector<DeathFact> &facts);
// The evidence text for a container's termination in pod JSON.
QString terminationEvidenceText(const KubePod &pod, const KubeContainerStatus &status,
                                const KubeTermination &t, bool current);
QString podEvictionEvidenceText(const KubePod &pod);
QString runningContainerEvidenceText(const KubePod &pod, const KubeContainerStatus &status);
QString kubeEventEvidenceText(const KubeEvent &event);

} // namespace oomscope
