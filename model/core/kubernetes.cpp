// SPDX-License-Identifier: GPL-3.0-or-later
#include "kubernetes.h"

#include "cgrouppath.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString kubeStateKindName(KubeContainerState::Kind kind)
{
    switch (kind) {
    case KubeContainerState::Kind::Waiting:
        return u"waiting"_s;
    case KubeContainerState::Kind::Running:
        return u"running"_s;
    case KubeContainerState::Kind::Terminated:
        return u"terminated"_s;
    case KubeContainerState::Kind::None:
        break;
    }
    return QString();
}

QString bareContainerId(const QString &containerId)
{
    const qsizetype scheme = containerId.indexOf(u"://");
    return scheme < 0 ? containerId : containerId.sliced(scheme + 3);
}

QString containerRuntimeOf(const QString &containerId)
{
    const qsizetype scheme = containerId.indexOf(u"://");
    return scheme < 0 ? QString() : containerId.first(scheme);
}

const KubeContainer *KubePod::container(const QString &containerName) const
{
    for (const KubeContainer &c : containers) {
        if (c.name == containerName)
            return &c;
    }
    return nullptr;
}

const KubeContainerStatus *KubePod::status(const QString &containerName) const
{
    for (const KubeContainerStatus &s : statuses) {
        if (s.name == containerName)
            return &s;
    }
    return nullptr;
}

QString KubeEvent::containerName() const
{
    const qsizetype open = fieldPath.indexOf(u'{');
    if (open < 0 || !fieldPath.endsWith(u'}'))
        return QString();
    return fieldPath.sliced(open + 1).chopped(1);
}

QString PodRef::label() const
{
    if (pod.isEmpty())
        return QString();
    QString out = namespaceName.isEmpty() ? pod : namespaceName + u'/' + pod;
    if (!container.isEmpty())
        out += u'/' + container;
    return out;
}

void PodDirectory::add(const KubePod &pod)
{
    for (KubePod &old : m_pods) {
        const bool sameUid = !pod.uid.isEmpty() && old.uid == pod.uid;
        const bool sameName = (pod.uid.isEmpty() || old.uid.isEmpty()) && old.name == pod.name
            && old.namespaceName == pod.namespaceName;
        if (sameUid || sameName) {
            KubePod merged = pod;
            if (merged.uid.isEmpty())
                merged.uid = old.uid; // `describe` text has no UID; keep the JSON's
            old = std::move(merged);
            reindex();
            return;
        }
    }
    m_pods.push_back(pod);
    reindex();
}

void PodDirectory::add(const std::vector<KubePod> &pods)
{
    for (const KubePod &pod : pods)
        add(pod);
}

void PodDirectory::reindex()
{
    m_byUid.clear();
    m_byContainerId.clear();
    for (std::size_t p = 0; p < m_pods.size(); ++p) {
        const KubePod &pod = m_pods[p];
        if (!pod.uid.isEmpty())
            m_byUid.insert(pod.uid, p);
        for (std::size_t s = 0; s < pod.statuses.size(); ++s) {
            const KubeContainerStatus &status = pod.statuses[s];
            // The current container and the one that died before it (lastState) both resolve.
            for (const QString &id :
                 {status.containerId,
                  status.lastState.terminated ? status.lastState.terminated->containerId : QString(),
                  status.state.terminated ? status.state.terminated->containerId : QString()}) {
                const QString bare = bareContainerId(id);
                if (!bare.isEmpty())
                    m_byContainerId.insert(bare, {p, s});
            }
        }
    }
}

PodRef PodDirectory::refFor(const KubePod &pod, const KubeContainerStatus *status) const
{
    PodRef ref;
    ref.namespaceName = pod.namespaceName;
    ref.pod = pod.name;
    ref.podUid = pod.uid;
    ref.nodeName = pod.nodeName;
    if (status) {
        ref.container = status->name;
        ref.containerId = bareContainerId(status->containerId);
    }
    return ref;
}

const KubePod *PodDirectory::pod(const QString &podUid) const
{
    const auto it = m_byUid.constFind(podUid);
    return it == m_byUid.cend() ? nullptr : &m_pods[*it];
}

const KubePod *PodDirectory::podNamed(const QString &namespaceName, const QString &name) const
{
    for (const KubePod &p : m_pods) {
        if (p.name == name && (namespaceName.isEmpty() || p.namespaceName == namespaceName))
            return &p;
    }
    return nullptr;
}

std::optional<PodRef> PodDirectory::byPodUid(const QString &podUid) const
{
    const KubePod *p = pod(QString(podUid).replace(u'_', u'-'));
    if (!p)
        return std::nullopt;
    return refFor(*p, nullptr);
}

std::optional<PodRef> PodDirectory::byContainerId(const QString &containerId) const
{
    const QString bare = bareContainerId(containerId);
    if (bare.isEmpty())
        return std::nullopt;
    auto it = m_byContainerId.constFind(bare);
    if (it == m_byContainerId.cend() && bare.size() >= 12) {
        // A short ID (Docker's 12 characters) or a long one where Kubernetes has the short one.
        auto found = m_byContainerId.cend();
        for (auto c = m_byContainerId.cbegin(); c != m_byContainerId.cend(); ++c) {
            if (c.key().startsWith(bare) || (c.key().size() >= 12 && bare.startsWith(c.key()))) {
                if (found != m_byContainerId.cend() && found.value() != c.value())
                    return std::nullopt; // ambiguous
                found = c;
            }
        }
        it = found;
    }
    if (it == m_byContainerId.cend())
        return std::nullopt;
    const KubePod &p = m_pods[it->first];
    PodRef ref = refFor(p, &p.statuses[it->second]);
    ref.containerId = bare;
    return ref;
}

std::optional<PodRef> PodDirectory::byCgroupPath(const QString &cgroupPath) const
{
    const CgroupInfo info = classifyCgroupPath(cgroupPath);
    if (info.kind != CgroupInfo::Kind::Kubernetes && info.kind != CgroupInfo::Kind::Docker)
        return std::nullopt;
    if (!info.containerId.isEmpty()) {
        if (auto ref = byContainerId(info.containerId))
            return ref;
    }
    if (info.podUid.isEmpty())
        return std::nullopt;
    auto ref = byPodUid(info.podUid);
    if (ref)
        ref->containerId = info.containerId;
    return ref;
}

} // namespace oomscope
