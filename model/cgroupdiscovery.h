// SPDX-License-Identifier: GPL-3.0-or-later
// Lists the memory cgroups of a hierarchy and tells from each path alone what runs there: a
// Docker container, a Kubernetes pod or container (with QoS class), a systemd unit.
#pragma once

#include <QString>

#include <vector>

namespace oomscope {

class CgroupReader;

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

class CgroupDiscovery
{
public:
    explicit CgroupDiscovery(const CgroupReader &reader);

    // Every cgroup directory under the reader's memory root (the root itself included), sorted
    // by path, down to maxDepth levels.
    std::vector<CgroupInfo> discover(int maxDepth = 32) const;

    // Pure path classification, no file access. Recognises Docker "/docker/<id>" and
    // "system.slice/docker-<id>.scope", Kubernetes "kubepods/<qos>/pod<uid>/<id>" and
    // "kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/<runtime>-<id>.scope"
    // (containerd, CRI-O, Docker runtimes), and systemd units; Kubernetes wins when nested.
    static CgroupInfo classify(const QString &path);

private:
    QString m_memoryRoot;
};

} // namespace oomscope
