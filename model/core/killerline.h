// SPDX-License-Identifier: GPL-3.0-or-later
// One log line of a killer other than the kernel's OOM killer, or of a program that reports a
// container's death, as recognised by model/kernellog/killerlines.h. A value type, so the deaths
// table (model/analysis) can join these lines without reading logs.
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace oomscope {

struct KillerLine {
    enum class Kind {
        OomdKill, // systemd-oomd killed (or marked for killing) a cgroup
        OomdUnitKilled, // systemd: "<unit>: systemd-oomd killed N process(es) in this unit."
        UnitOomKilled, // systemd: "<unit>: A process of this unit has been killed by the OOM killer."
        EarlyoomLowMemory, // earlyoom: "low memory! at or below SIGTERM limits: …"
        EarlyoomKill, // earlyoom: "sending SIGTERM to process 123 uid 0 "x": badness 5, VmRSS 9 MiB"
        KubeletReclaim, // kubelet: threshold crossed, "attempting to reclaim memory"
        KubeletRanked, // kubelet: "pods ranked for eviction"
        KubeletEvicted, // kubelet: "pod … is evicted successfully" / "Evicting pod"
        RuntimeOom, // containerd TaskOOM, dockerd "container oom", kubelet/CRI-O OOM events
        RuntimeExit, // containerd "received exit event", dockerd "container die" with an exit code
    };
    Kind kind = Kind::OomdKill;
    qint64 line = 0; // 1-based
    QString text; // the whole line, prefix kept
    QString host;
    std::optional<QDateTime> wallTime;
    std::optional<double> uptimeSeconds;

    QString cgroup; // oomd: the cgroup killed; others: a cgroup path when printed
    QString unit; // systemd unit for the OomdUnitKilled/UnitOomKilled lines
    QString rule; // oomd: "memory pressure" or "swap"; kubelet: the resource ("memory")
    QString detail; // the reason as printed ("… being 51.07% > 50.00% for > 20s …")
    std::optional<std::int64_t> pid;
    QString comm;
    std::optional<int> signal; // earlyoom: 15 or 9
    std::optional<std::int64_t> badness;
    std::optional<std::int64_t> vmRssMiB;
    QString namespaceName; // kubelet and dockerd name the pod
    QString pod;
    QString podUid;
    QString container;
    QString containerId; // 64 hex digits where the runtime printed one
    std::optional<int> exitCode;
    QStringList rankedPods; // KubeletRanked: "namespace/name" in the kubelet's order
};

QString killerLineKindName(KillerLine::Kind kind);

} // namespace oomscope
