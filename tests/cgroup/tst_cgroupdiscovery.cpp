// SPDX-License-Identifier: GPL-3.0-or-later
// CgroupDiscovery: path classification (Docker, Kubernetes with both cgroup drivers, systemd) and
// the walk over the fixture trees of tests/data/cgroupfs.
#include "cgroupdiscovery.h"
#include "cgroupfixtures.h"
#include "cgroupreader.h"

#include <QDirIterator>
#include <QTest>

#include <algorithm>
#include <map>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace cgroupfixtures;

namespace {

QString underscored(QString uid)
{
    return uid.replace(u'-', u'_');
}

// Directory count of a fixture tree, counted independently of the code under test.
int countDirs(const QString &root)
{
    int n = 1;
    QDirIterator it(root, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

} // namespace

Q_DECLARE_METATYPE(CgroupInfo::Kind)

class CgroupDiscoveryTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classify_data()
    {
        using K = CgroupInfo::Kind;
        QTest::addColumn<QString>("path");
        QTest::addColumn<CgroupInfo::Kind>("kind");
        QTest::addColumn<QString>("podUid");
        QTest::addColumn<QString>("containerId");
        QTest::addColumn<QString>("qosClass");
        QTest::addColumn<QString>("unit");

        QTest::newRow("root") << u"/"_s << K::Other << QString() << QString() << QString() << QString();
        QTest::newRow("docker cgroupfs")
            << u"/docker/"_s + kDocker1 << K::Docker << QString() << kDocker1 << QString() << QString();
        QTest::newRow("docker parent")
            << u"/docker"_s << K::Docker << QString() << QString() << QString() << QString();
        QTest::newRow("docker systemd")
            << u"/system.slice/docker-"_s + kDocker2 + u".scope"_s << K::Docker << QString() << kDocker2
            << QString() << u"docker-"_s + kDocker2 + u".scope"_s;
        QTest::newRow("docker daemon is a systemd unit")
            << u"/system.slice/docker.service"_s << K::Systemd << QString() << QString() << QString()
            << u"docker.service"_s;
        QTest::newRow("k8s v1 burstable container")
            << u"/kubepods/burstable/pod"_s + kPod1 + u'/' + kK8s1 << K::Kubernetes << kPod1 << kK8s1
            << u"Burstable"_s << QString();
        QTest::newRow("k8s v1 pod") << u"/kubepods/burstable/pod"_s + kPod1 << K::Kubernetes << kPod1
                                    << QString() << u"Burstable"_s << QString();
        QTest::newRow("k8s v1 qos level") << u"/kubepods/besteffort"_s << K::Kubernetes << QString()
                                          << QString() << u"BestEffort"_s << QString();
        QTest::newRow("k8s kubepods")
            << u"/kubepods"_s << K::Kubernetes << QString() << QString() << QString() << QString();
        QTest::newRow("k8s v1 guaranteed") << u"/kubepods/pod"_s + kPod3 + u'/' + kK8s3 << K::Kubernetes
                                           << kPod3 << kK8s3 << u"Guaranteed"_s << QString();
        QTest::newRow("k8s v2 containerd burstable")
            << u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"_s + underscored(kPod1)
                + u".slice/cri-containerd-"_s + kK8s1 + u".scope"_s
            << K::Kubernetes << kPod1 << kK8s1 << u"Burstable"_s
            << u"cri-containerd-"_s + kK8s1 + u".scope"_s;
        QTest::newRow("k8s v2 pod slice")
            << u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"_s + underscored(kPod1)
                + u".slice"_s
            << K::Kubernetes << kPod1 << QString() << u"Burstable"_s
            << u"kubepods-burstable-pod"_s + underscored(kPod1) + u".slice"_s;
        QTest::newRow("k8s v2 crio besteffort")
            << u"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"_s + underscored(kPod2)
                + u".slice/crio-"_s + kK8s2 + u".scope"_s
            << K::Kubernetes << kPod2 << kK8s2 << u"BestEffort"_s << u"crio-"_s + kK8s2 + u".scope"_s;
        QTest::newRow("k8s v2 guaranteed") << u"/kubepods.slice/kubepods-pod"_s + underscored(kPod3)
                + u".slice/cri-containerd-"_s + kK8s3 + u".scope"_s
                                           << K::Kubernetes << kPod3 << kK8s3 << u"Guaranteed"_s
                                           << u"cri-containerd-"_s + kK8s3 + u".scope"_s;
        QTest::newRow("k8s systemd driver, docker runtime")
            << u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"_s + underscored(kPod1)
                + u".slice/docker-"_s + kK8s4 + u".scope"_s
            << K::Kubernetes << kPod1 << kK8s4 << u"Burstable"_s << u"docker-"_s + kK8s4 + u".scope"_s;
        QTest::newRow("kind: k8s inside docker")
            << u"/docker/"_s + kDocker1 + u"/kubepods/burstable/pod"_s + kPod1 + u'/' + kK8s1 << K::Kubernetes
            << kPod1 << kK8s1 << u"Burstable"_s << QString();
        QTest::newRow("systemd service") << u"/system.slice/nginx.service"_s << K::Systemd << QString()
                                         << QString() << QString() << u"nginx.service"_s;
        QTest::newRow("systemd innermost unit")
            << u"/user.slice/user-1000.slice/user@1000.service/app.slice/vte-spawn-5b1e.scope"_s << K::Systemd
            << QString() << QString() << QString() << u"vte-spawn-5b1e.scope"_s;
        QTest::newRow("delegated subgroup of a service")
            << u"/system.slice/app.service/worker"_s << K::Systemd << QString() << QString() << QString()
            << u"app.service"_s;
        QTest::newRow("lxc") << u"/lxc/web01"_s << K::Other << QString() << QString() << QString()
                             << QString();
    }
    void classify()
    {
        QFETCH(QString, path);
        QFETCH(CgroupInfo::Kind, kind);
        QFETCH(QString, podUid);
        QFETCH(QString, containerId);
        QFETCH(QString, qosClass);
        QFETCH(QString, unit);
        const CgroupInfo info = CgroupDiscovery::classify(path);
        QCOMPARE(info.path, path);
        QCOMPARE(cgroupKindName(info.kind), cgroupKindName(kind));
        QCOMPARE(info.podUid, podUid);
        QCOMPARE(info.containerId, containerId);
        QCOMPARE(info.qosClass, qosClass);
        QCOMPARE(info.unit, unit);
        QCOMPARE(info.depth, int(path.count(u'/')) - (path == u"/" ? 1 : 0));
    }

    void kindNames()
    {
        QCOMPARE(cgroupKindName(CgroupInfo::Kind::Docker), u"docker"_s);
        QCOMPARE(cgroupKindName(CgroupInfo::Kind::Kubernetes), u"kubernetes"_s);
        QCOMPARE(cgroupKindName(CgroupInfo::Kind::Systemd), u"systemd"_s);
        QCOMPARE(cgroupKindName(CgroupInfo::Kind::Other), u"other"_s);
    }

    void discoversV1Tree()
    {
        const CgroupReader reader(kData + u"/v1"_s, kData + u"/proc"_s);
        const std::vector<CgroupInfo> all = CgroupDiscovery(reader).discover();
        QCOMPARE(int(all.size()), countDirs(kData + u"/v1/memory"_s));
        QVERIFY(std::is_sorted(all.begin(), all.end(),
                               [](const CgroupInfo &a, const CgroupInfo &b) { return a.path < b.path; }));
        std::map<QString, CgroupInfo> byPath;
        for (const CgroupInfo &info : all)
            byPath[info.path] = info;
        QVERIFY(byPath.count(u"/"_s));
        const CgroupInfo &docker = byPath[u"/docker/"_s + kDocker1];
        QCOMPARE(docker.kind, CgroupInfo::Kind::Docker);
        QCOMPARE(docker.containerId, kDocker1);
        QCOMPARE(docker.depth, 2);
        const CgroupInfo &k8s = byPath[u"/kubepods/burstable/pod"_s + kPod1 + u'/' + kK8s1];
        QCOMPARE(k8s.kind, CgroupInfo::Kind::Kubernetes);
        QCOMPARE(k8s.podUid, kPod1);
        QCOMPARE(k8s.containerId, kK8s1);
        QCOMPARE(k8s.qosClass, u"Burstable"_s);
        const CgroupInfo &k8sSystemd =
            byPath[u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"_s + underscored(kPod1)
                   + u".slice/docker-"_s + kK8s4 + u".scope"_s];
        QCOMPARE(k8sSystemd.kind, CgroupInfo::Kind::Kubernetes);
        QCOMPARE(k8sSystemd.podUid, kPod1);
        QCOMPARE(k8sSystemd.containerId, kK8s4);
        QCOMPARE(byPath[u"/system.slice/nginx.service"_s].kind, CgroupInfo::Kind::Systemd);
        QCOMPARE(byPath[u"/system.slice/docker-"_s + kDocker2 + u".scope"_s].containerId, kDocker2);
        QCOMPARE(byPath[u"/broken"_s].kind, CgroupInfo::Kind::Other);
    }

    void discoversV2Tree()
    {
        const CgroupReader reader(kData + u"/v2"_s, kData + u"/proc"_s);
        const std::vector<CgroupInfo> all = CgroupDiscovery(reader).discover();
        QCOMPARE(int(all.size()), countDirs(kData + u"/v2"_s));
        int containers = 0;
        QStringList pods;
        for (const CgroupInfo &info : all) {
            if (info.kind == CgroupInfo::Kind::Kubernetes && !info.containerId.isEmpty()) {
                ++containers;
                pods << info.podUid + u' ' + info.qosClass;
            }
        }
        // Three pods under kubepods.slice and one under the cgroupfs-driver kubepods.
        QCOMPARE(containers, 4);
        pods.sort();
        QCOMPARE(pods,
                 QStringList({kPod2 + u" BestEffort"_s, kPod1 + u" Burstable"_s, kPod1 + u" Burstable"_s,
                              kPod3 + u" Guaranteed"_s}));

        // Depth limit: the root and its direct children only.
        const std::vector<CgroupInfo> top = CgroupDiscovery(reader).discover(1);
        for (const CgroupInfo &info : top)
            QVERIFY2(info.depth <= 1, qPrintable(info.path));
        QCOMPARE(int(top.size()),
                 1 + int(QDir(kData + u"/v2"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size()));
    }
};

QTEST_GUILESS_MAIN(CgroupDiscoveryTest)
#include "tst_cgroupdiscovery.moc"
