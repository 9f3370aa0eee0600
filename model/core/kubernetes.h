// SPDX-License-Identifier: GPL-3.0-or-later
// Kubernetes' own record, as value types: pods (with their containers' memory requests/limits and
// statuses), events, and a directory that turns what the kernel prints (cgroup paths with pod UIDs
// and container IDs) into the names users think in: namespace/pod/container.
// Parsed by model/formats/podjson (kubectl JSON and `kubectl describe pod` text).
#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace oomscope {

// A container's `terminated` state (state.terminated or lastState.terminated).
struct KubeTermination {
    QString reason; // "OOMKilled", "Error", "Completed", "Evicted", …
    std::optional<int> exitCode; // 137 = SIGKILL, whoever sent it
    std::optional<int> signal;
    QString message;
    QDateTime startedAt; // UTC; invalid when not given
    QDateTime finishedAt;
    QString containerId; // "containerd://<id>" as Kubernetes spells it
};

struct KubeContainerState {
    enum class Kind { None, Waiting, Running, Terminated };
    Kind kind = Kind::None;
    QString reason; // waiting reason ("CrashLoopBackOff"), or the terminated reason
    QDateTime startedAt; // running since
    std::optional<KubeTermination> terminated;
};

QString kubeStateKindName(KubeContainerState::Kind kind); // "waiting", "running", "terminated", ""

struct KubeContainerStatus {
    QString name;
    QString containerId; // "containerd://<id>", "cri-o://<id>", "docker://<id>"; may be empty
    QString image;
    bool init = false; // from initContainerStatuses
    bool ready = false;
    int restartCount = 0;
    KubeContainerState state;
    KubeContainerState lastState;
};

// "containerd://abc" -> "abc"; an ID without a scheme is returned as is.
QString bareContainerId(const QString &containerId);
// "containerd://abc" -> "containerd"; "" without a scheme.
QString containerRuntimeOf(const QString &containerId);

struct KubeContainer {
    QString name;
    bool init = false;
    std::optional<std::int64_t> memoryRequestBytes;
    std::optional<std::int64_t> memoryLimitBytes;
};

struct KubePod {
    QString uid; // metadata.uid, with dashes
    QString namespaceName; // metadata.namespace ("default" when absent)
    QString name;
    QString nodeName; // spec.nodeName
    QString qosClass; // status.qosClass: Guaranteed, Burstable, BestEffort
    QString phase; // status.phase
    QString reason; // status.reason ("Evicted")
    QString message; // status.message ("The node was low on resource: memory. …")
    QDateTime startTime;
    std::vector<KubeContainer> containers; // spec.initContainers, then spec.containers
    std::vector<KubeContainerStatus> statuses; // initContainerStatuses, then containerStatuses

    const KubeContainer *container(const QString &containerName) const;
    const KubeContainerStatus *status(const QString &containerName) const;
    bool evicted() const { return reason == QLatin1String("Evicted"); }
};

// One Kubernetes Event (core/v1 or events.k8s.io/v1, both read into this).
struct KubeEvent {
    QString namespaceName;
    QString involvedKind; // "Pod", "Node"
    QString involvedName;
    QString involvedUid;
    QString fieldPath; // "spec.containers{render}"
    QString type; // "Normal", "Warning"
    QString reason; // "OOMKilling", "Evicted", "Killing", "BackOff", "SystemOOM", …
    QString message;
    QString sourceComponent; // "kubelet"
    QString sourceHost; // the node
    QDateTime firstTimestamp; // UTC; eventTime when that is all there is
    QDateTime lastTimestamp;
    int count = 1;

    // "render" from fieldPath "spec.containers{render}"; empty otherwise.
    QString containerName() const;
};

// What a name lookup found: every part that is known, the rest empty.
struct PodRef {
    QString namespaceName;
    QString pod;
    QString container;
    QString podUid;
    QString containerId; // bare
    QString nodeName;

    bool isEmpty() const { return pod.isEmpty() && container.isEmpty(); }
    // "namespace/pod/container", "namespace/pod", or "" — the one spelling every view uses.
    QString label() const;
};

// Every pod known (from the workspace, a file, the kubelet) indexed by pod UID and container ID, so
// a kernel cgroup path, a container ID or a pod UID resolves to its names. Container IDs match
// exactly or by a unique prefix of at least 12 characters (Docker's short IDs).
class PodDirectory
{
public:
    void add(const KubePod &pod); // a pod with the same UID (or namespace/name) replaces the old one
    void add(const std::vector<KubePod> &pods);
    bool isEmpty() const { return m_pods.empty(); }
    const std::vector<KubePod> &pods() const { return m_pods; }

    std::optional<PodRef> byPodUid(const QString &podUid) const;
    std::optional<PodRef> byContainerId(const QString &containerId) const; // bare or runtime://
    // A kernel cgroup path ("/kubepods.slice/…/cri-containerd-<id>.scope", "/kubepods/…/pod<uid>/<id>"):
    // the container when its ID is known, else the pod by UID.
    std::optional<PodRef> byCgroupPath(const QString &cgroupPath) const;
    const KubePod *pod(const QString &podUid) const;
    const KubePod *podNamed(const QString &namespaceName, const QString &name) const;

private:
    PodRef refFor(const KubePod &pod, const KubeContainerStatus *status) const;
    void reindex();

    std::vector<KubePod> m_pods;
    QHash<QString, std::size_t> m_byUid;
    QHash<QString, std::pair<std::size_t, std::size_t>> m_byContainerId; // bare id -> pod, status
};

} // namespace oomscope
