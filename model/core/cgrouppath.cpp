// SPDX-License-Identifier: GPL-3.0-or-later
#include "cgrouppath.h"

#include <QList>
#include <QStringView>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

bool isUnitName(QStringView c)
{
    return c.endsWith(u".service") || c.endsWith(u".scope") || c.endsWith(u".slice");
}

// "cri-containerd-<id>.scope" -> "<id>"; a bare cgroupfs-driver name is returned as is.
QString containerIdFrom(QStringView c)
{
    if (c.endsWith(u".scope"))
        c.chop(6);
    // "crio-conmon-<id>.scope" is CRI-O's monitor beside the container; it belongs to <id>.
    for (const QStringView prefix :
         {QStringView(u"cri-containerd-"), QStringView(u"crio-conmon-"), QStringView(u"crio-"),
          QStringView(u"docker-"), QStringView(u"containerd-")}) {
        if (c.startsWith(prefix)) {
            c = c.sliced(prefix.size());
            break;
        }
    }
    return c.toString();
}

QString qosName(QStringView qos)
{
    if (qos == u"burstable")
        return u"Burstable"_s;
    if (qos == u"besteffort")
        return u"BestEffort"_s;
    return QString();
}

// The Kubernetes part of a path, components after "kubepods" / "kubepods.slice".
void classifyKubernetes(const QList<QStringView> &parts, qsizetype start, CgroupInfo &info)
{
    info.kind = CgroupInfo::Kind::Kubernetes;
    bool podSeen = false;
    for (qsizetype i = start + 1; i < parts.size(); ++i) {
        QStringView c = parts[i];
        if (podSeen) {
            // The first level under the pod is the container; deeper levels are its own
            // sub-cgroups (systemd inside a container), which belong to it.
            if (info.containerId.isEmpty())
                info.containerId = containerIdFrom(c);
            continue;
        }
        if (c.endsWith(u".slice") && c.startsWith(u"kubepods-")) {
            // systemd driver: kubepods-<qos>.slice, kubepods[-<qos>]-pod<uid>.slice
            c = c.sliced(9).chopped(6);
            const qsizetype pod = c.indexOf(u"pod");
            if (pod >= 0 && (pod == 0 || c[pod - 1] == u'-')) {
                if (pod > 0)
                    info.qosClass = qosName(c.first(pod - 1));
                info.podUid = c.sliced(pod + 3).toString().replace(u'_', u'-');
                podSeen = true;
            } else {
                info.qosClass = qosName(c);
            }
        } else if (c.startsWith(u"pod")) {
            info.podUid = c.sliced(3).toString();
            podSeen = true;
        } else if (!qosName(c).isEmpty()) {
            info.qosClass = qosName(c);
        }
    }
    // A pod directly under kubepods has no QoS level of its own: Guaranteed.
    if (podSeen && info.qosClass.isEmpty())
        info.qosClass = u"Guaranteed"_s;
}

} // namespace

std::optional<QString> normalizeCgroupPath(const QString &relPath)
{
    if (relPath.contains(QChar(0)))
        return std::nullopt;
    QString out;
    out.reserve(relPath.size() + 1);
    for (const QStringView part : QStringView(relPath).split(u'/', Qt::SkipEmptyParts)) {
        if (part == u".")
            continue;
        if (part == u"..")
            return std::nullopt;
        out += u'/';
        out += part;
    }
    if (out.isEmpty())
        out = u"/"_s;
    return out;
}

QString cgroupKindName(CgroupInfo::Kind kind)
{
    switch (kind) {
    case CgroupInfo::Kind::Docker:
        return u"docker"_s;
    case CgroupInfo::Kind::Kubernetes:
        return u"kubernetes"_s;
    case CgroupInfo::Kind::Systemd:
        return u"systemd"_s;
    case CgroupInfo::Kind::Other:
        break;
    }
    return u"other"_s;
}

CgroupInfo classifyCgroupPath(const QString &path)
{
    CgroupInfo info;
    info.path = normalizeCgroupPath(path).value_or(path);
    const QList<QStringView> parts = QStringView(info.path).split(u'/', Qt::SkipEmptyParts);
    info.depth = int(parts.size());

    for (qsizetype i = parts.size() - 1; i >= 0; --i) {
        if (isUnitName(parts[i])) {
            info.unit = parts[i].toString();
            break;
        }
    }

    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (parts[i] == u"kubepods" || parts[i] == u"kubepods.slice") {
            classifyKubernetes(parts, i, info);
            return info;
        }
    }
    // Innermost Docker marker wins (docker-in-docker nests them).
    for (qsizetype i = parts.size() - 1; i >= 0; --i) {
        const QStringView c = parts[i];
        if (c.startsWith(u"docker-") && c.endsWith(u".scope")) {
            info.kind = CgroupInfo::Kind::Docker;
            info.containerId = containerIdFrom(c);
            return info;
        }
        if (c == u"docker") {
            info.kind = CgroupInfo::Kind::Docker;
            if (i + 1 < parts.size())
                info.containerId = parts[i + 1].toString();
            return info;
        }
    }
    if (!info.unit.isEmpty())
        info.kind = CgroupInfo::Kind::Systemd;
    return info;
}

QString kubeletCgroupPath(KubeCgroupDriver driver, const QString &qosClass, const QString &podUid,
                          const QString &containerId, const QString &runtime)
{
    const QString qos = qosClass.toLower();
    const bool guaranteed = qos.isEmpty() || qos == u"guaranteed";
    if (driver == KubeCgroupDriver::Cgroupfs) {
        QString path = u"/kubepods"_s;
        if (!guaranteed)
            path += u'/' + qos;
        path += u"/pod"_s + podUid;
        if (!containerId.isEmpty())
            path += u'/' + containerId;
        return path;
    }
    const QString level = guaranteed ? u"kubepods"_s : u"kubepods-"_s + qos;
    QString path = u"/kubepods.slice"_s;
    if (!guaranteed)
        path += u'/' + level + u".slice"_s;
    path += u'/' + level + u"-pod"_s + QString(podUid).replace(u'-', u'_') + u".slice"_s;
    if (!containerId.isEmpty()) {
        const QString r = runtime.isEmpty() ? u"containerd"_s : runtime;
        const QString prefix = r == u"containerd" ? u"cri-containerd-"_s : r + u'-';
        path += u'/' + prefix + containerId + u".scope"_s;
    }
    return path;
}

} // namespace oomscope
