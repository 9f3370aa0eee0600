// SPDX-License-Identifier: GPL-3.0-or-later
// Cgroup paths, from the path alone (no file access): their one spelling, and what runs there —
// a Docker container, a Kubernetes pod or container (with QoS class), a systemd unit.
#pragma once

#include <QString>

#include <optional>

namespace oomscope {

// A cgroup path relative to the hierarchy root in its one spelling ("/a/b", "/" for the root);
// nullopt for a path that leaves the root ("..") or holds a NUL.
std::optional<QString> normalizeCgroupPath(const QString &relPath);

struct CgroupInfo {
    enum class Kind { Other, Docker, Kubernetes, Systemd };

    QString path; // relative to the hierarchy root, starts with '/'
    Kind kind = Kind::Other;
    QString podUid; // Kubernetes, with dashes even where the systemd driver wrote '_'
    QString containerId; // Docker or Kubernetes container, without runtime prefix or ".scope"
    QString qosClass; // "Guaranteed", "Burstable" or "BestEffort" below the QoS level
    QString unit; // innermost systemd unit on the path ("docker-<id>.scope", "x.service")
    int depth = 0; // 0 for the root
};

// "docker", "kubernetes", "systemd", "other".
QString cgroupKindName(CgroupInfo::Kind kind);

// Recognises Docker "/docker/<id>" and "system.slice/docker-<id>.scope", Kubernetes
// "kubepods/<qos>/pod<uid>/<id>" and
// "kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/<runtime>-<id>.scope"
// (containerd, CRI-O, Docker runtimes), and systemd units; Kubernetes wins when nested.
CgroupInfo classifyCgroupPath(const QString &path);

// The kubelet's cgroup drivers.
enum class KubeCgroupDriver { Systemd, Cgroupfs };

// The cgroup path the kubelet gives a pod (containerId empty) or one of its containers, exactly as
// the kubelet spells it: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with
// _>.slice/cri-containerd-<id>.scope" (runtime "containerd"; "crio" and "docker" take their own
// scope prefixes) or "/kubepods/burstable/pod<uid>/<id>". classifyCgroupPath reads it back.
QString kubeletCgroupPath(KubeCgroupDriver driver, const QString &qosClass, const QString &podUid,
                          const QString &containerId = QString(), const QString &runtime = QString());

} // namespace oomscope
