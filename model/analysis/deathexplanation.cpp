// SPDX-License-Identifier: GPL-3.0-or-later
// Every sentence of the deaths table: its notes (contradictions said plainly) and the evidence
// texts that describe Kubernetes objects. Composed from facts (deaths.h), nowhere else.
#include "deaths.h"

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString quoted(const QString &s)
{
    return u"`"_s + s + u"`"_s;
}

QString victim(const DeathFact &f)
{
    if (f.comm.isEmpty())
        return f.pid ? u"pid %1"_s.arg(f.pid) : u"a process"_s;
    return f.pid ? u"%1 (pid %2)"_s.arg(quoted(f.comm)).arg(f.pid) : quoted(f.comm);
}

QString sentence(const DeathFact &f)
{
    using K = DeathFact::Kind;
    switch (f.kind) {
    case K::ChildDiedContainerRunning:
        return u"the kernel killed %1 in container %2 but the container is still running (restartCount %3): "
               u"a child died, nothing restarted"_s.arg(victim(f), quoted(f.container))
                   .arg(f.restartCount.value_or(0));
    case K::SigkillNoMemoryEvidence:
        return u"exit code %1 and no OOM evidence on the node: SIGKILL from elsewhere (liveness probe, `kill "
               u"-9`, "
               u"the runtime)"_s.arg(f.exitCode.value_or(137));
    case K::EvictedNoKernelOom:
        return u"evicted by the kubelet for node memory pressure: no kernel OOM, its own limit was never reached"_s;
    case K::EvictedForOtherResource:
        return u"evicted by the kubelet for %1 pressure, not for memory"_s.arg(f.detail);
    case K::KernelKillRestarted:
        return u"the kernel's kill ended container %1 (%2, exit code %3, restartCount %4)"_s
            .arg(quoted(f.container), f.detail.isEmpty() ? u"terminated"_s : f.detail)
            .arg(f.exitCode.value_or(137))
            .arg(f.restartCount.value_or(0));
    case K::RuntimeOomWithoutKernelReport:
        return u"the runtime reports an OOM kill%1 but no kernel OOM report was given for it: add the node's "
               u"kernel log to see who was killed and why"_s.arg(
                   f.container.isEmpty() ? QString() : u" of container "_s + quoted(f.container));
    case K::OomdRule:
        return u"systemd-oomd killed every process of the cgroup, by its %1 rule: %2"_s.arg(
            f.detail.section(u": "_s, 0, 0), f.detail.section(u": "_s, 1));
    case K::EarlyoomSignal:
        return f.detail == u"SIGTERM"_s
            ? u"earlyoom sent %1 SIGTERM because available memory fell below its limit"_s.arg(victim(f))
            : u"earlyoom sent %1 %2 because available memory fell below its limit"_s.arg(victim(f), f.detail);
    case K::KernelGlobalInContainer:
        return u"the node ran out of memory (a global OOM), not the container's own limit"_s;
    case K::TimesUnjoinable:
        return u"the kernel log gives only seconds since boot, so this kill was joined by container and pod "
               u"IDs, "
               u"not by time"_s;
    }
    return {};
}

QString timeText(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : u"?"_s;
}

} // namespace

QStringList explainDeathFacts(const std::vector<DeathFact> &facts)
{
    QStringList notes;
    for (const DeathFact &f : facts) {
        const QString s = sentence(f);
        if (!s.isEmpty() && !notes.contains(s))
            notes.append(s);
    }
    return notes;
}

QString terminationEvidenceText(const KubePod &pod, const KubeContainerStatus &status,
                                const KubeTermination &t, bool current)
{
    return u"pod %1/%2 container %3: %4.terminated reason %5, exitCode %6, startedAt %7, finishedAt %8, "
           u"restartCount %9"_s
               .arg(pod.namespaceName, pod.name, status.name, current ? u"state"_s : u"lastState"_s,
                    t.reason.isEmpty() ? u"-"_s : t.reason,
                    t.exitCode ? QString::number(*t.exitCode) : u"-"_s, timeText(t.startedAt),
                    timeText(t.finishedAt))
               .arg(status.restartCount);
}

QString podEvictionEvidenceText(const KubePod &pod)
{
    return u"pod %1/%2: status.reason %3, message \"%4\""_s.arg(pod.namespaceName, pod.name, pod.reason,
                                                                pod.message);
}

QString runningContainerEvidenceText(const KubePod &pod, const KubeContainerStatus &status)
{
    return u"pod %1/%2 container %3: state running since %4, restartCount %5"_s
        .arg(pod.namespaceName, pod.name, status.name, timeText(status.state.startedAt))
        .arg(status.restartCount);
}

QString kubeEventEvidenceText(const KubeEvent &event)
{
    return u"event %1 %2 %3/%4: %5"_s.arg(event.type, event.reason, event.namespaceName, event.involvedName,
                                          event.message);
}

} // namespace oomscope
