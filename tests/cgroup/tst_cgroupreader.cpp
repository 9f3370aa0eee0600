// SPDX-License-Identifier: GPL-3.0-or-later
// CgroupReader against the fixture trees in tests/data/cgroupfs: every parsed field is compared
// with the value written into the fixture file, not with the reader's own output.
#include "cgroupfixtures.h"
#include "cgroupreader.h"

#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace cgroupfixtures;

namespace {

constexpr qint64 MiB = 1024 * 1024;

// An optional counter must be present and equal; QCOMPARE cannot print std::optional.
#define QCOMPARE_OPT(actual, expected)                                                                       \
    do {                                                                                                     \
        QVERIFY2((actual).has_value(), #actual " is empty");                                                 \
        QCOMPARE(qint64(*(actual)), qint64(expected));                                                       \
    } while (false)

CgroupReader v1Reader()
{
    return CgroupReader(kData + u"/v1"_s, kData + u"/proc"_s);
}
CgroupReader v2Reader()
{
    return CgroupReader(kData + u"/v2"_s, kData + u"/proc"_s);
}

QString v2PodSlice()
{
    return u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"_s + kPod1Systemd + u".slice"_s;
}

} // namespace

class CgroupReaderTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void detectsVersions()
    {
        CgroupReader v1 = v1Reader();
        QCOMPARE(v1.version(), CgroupVersion::V1);
        QCOMPARE(v1.memoryRoot(), kData + u"/v1/memory"_s);
        CgroupReader v2 = v2Reader();
        QCOMPARE(v2.version(), CgroupVersion::V2);
        QCOMPARE(v2.memoryRoot(), kData + u"/v2"_s);
        // A root that is itself the v1 memory mount.
        CgroupReader mount(kData + u"/v1/memory/"_s);
        QCOMPARE(mount.version(), CgroupVersion::V1);
        QCOMPARE(mount.memoryRoot(), kData + u"/v1/memory"_s);
        CgroupReader none(kData + u"/proc"_s);
        QCOMPARE(none.version(), CgroupVersion::None);
        const Result<CgroupSample> nothing = none.read(u"/"_s);
        QVERIFY(!nothing);
        QCOMPARE(nothing.error().kind, Error::Kind::NotFound);
        QVERIFY(nothing.error().message.contains(u"no cgroup memory controller"_s));
    }

    void normalizesPaths_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected"); // empty: refused
        QTest::newRow("root") << u""_s << u"/"_s;
        QTest::newRow("slash") << u"/"_s << u"/"_s;
        QTest::newRow("relative") << u"docker/abc"_s << u"/docker/abc"_s;
        QTest::newRow("dots and slashes") << u"//docker/./abc/"_s << u"/docker/abc"_s;
        QTest::newRow("dotdot") << u"../etc"_s << QString();
        QTest::newRow("inner dotdot") << u"/docker/../../x"_s << QString();
        QTest::newRow("harmless-looking dotdot") << u"/a/b/.."_s << QString();
        QTest::newRow("dotdot inside a name is fine") << u"/a..b"_s << u"/a..b"_s;
    }
    void normalizesPaths()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(CgroupReader::normalizePath(input).value_or(QString()), expected);
    }

    void refusesEscapingPaths()
    {
        const CgroupReader reader = v1Reader();
        // "../proc" would exist next to v1/memory/.. if it were followed.
        const Result<CgroupSample> s = reader.read(u"../../proc/1001"_s);
        QVERIFY(!s);
        QCOMPARE(s.error().kind, Error::Kind::Invalid);
        QVERIFY(s.error().message.contains(u"leaves the hierarchy root"_s));
        const Result<std::vector<ProcessReading>> procs = reader.processes(u"/docker/../.."_s, true);
        QVERIFY(!procs);
        QCOMPARE(procs.error().kind, Error::Kind::Invalid);
    }

    void readsV1DockerContainer()
    {
        CgroupReader reader = v1Reader();
        QString error;
        const Result<CgroupSample> sRead = reader.read(u"docker//"_s + kDocker1 + u"/"_s);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(s.path, u"/docker/"_s + kDocker1);
        QCOMPARE(s.version, 1);
        QVERIFY(s.timestampMs > 0);
        QVERIFY(s.boottimeUs > 0);
        QCOMPARE_OPT(s.usageBytes, 268435456);
        QCOMPARE_OPT(s.limitBytes, 512 * MiB);
        QCOMPARE_OPT(s.effectiveLimitBytes, 512 * MiB);
        QCOMPARE(s.effectiveLimitPath, s.path);
        QCOMPARE_OPT(s.peakBytes, 301989888);
        QCOMPARE_OPT(s.failcnt, 3);
        QCOMPARE_OPT(s.memswUsageBytes, 281018368);
        QCOMPARE_OPT(s.memswLimitBytes, 1024 * MiB);
        QCOMPARE_OPT(s.memswPeakBytes, 310378496);
        QCOMPARE_OPT(s.memswFailcnt, 1);
        QCOMPARE_OPT(s.kernelBytes, 8 * MiB);
        QCOMPARE_OPT(s.oomKillCount, 2);
        QVERIFY(!s.oomKillDisable);
        QVERIFY(!s.underOom);
        // v2-only fields stay empty.
        QVERIFY(!s.highBytes);
        QVERIFY(!s.oomEvents);
        QVERIFY(!s.events);
        QVERIFY(!s.eventsLocal);
        QVERIFY(!s.swapLimitBytes);
        QVERIFY(!s.slabBytes);
        // memory.stat total_* fields.
        QCOMPARE_OPT(s.anonBytes, 226492416);
        QCOMPARE_OPT(s.fileBytes, 25165824);
        QCOMPARE_OPT(s.shmemBytes, 4 * MiB);
        QCOMPARE_OPT(s.mappedFileBytes, 8 * MiB);
        QCOMPARE_OPT(s.activeAnonBytes, 226492416);
        QCOMPARE_OPT(s.inactiveAnonBytes, 4 * MiB);
        QCOMPARE_OPT(s.activeFileBytes, 8 * MiB);
        QCOMPARE_OPT(s.inactiveFileBytes, 16 * MiB);
        QCOMPARE_OPT(s.unevictableBytes, 0);
        // The local "swap 0" line comes first; total_swap (12 MiB) must win.
        QCOMPARE_OPT(s.swapBytes, 12 * MiB);
        QVERIFY(s.stat.empty()); // raw lines are opt-in

        reader.setKeepRawStat(true);
        const Result<CgroupSample> rawRead = reader.read(u"/docker/"_s + kDocker1);
        QVERIFY2(rawRead, qPrintable(rawRead ? QString() : rawRead.error().message));
        error = rawRead->problem;
        const CgroupSample &raw = *rawRead;
        QCOMPARE(raw.stat.size(), size_t(36)); // 17 local, 2 hierarchical_*, 17 total_*
        QCOMPARE(raw.stat.front().first, u"cache"_s);
        QCOMPARE(raw.stat.front().second, 25165824);
        const auto hier = std::find_if(raw.stat.begin(), raw.stat.end(), [](const auto &kv) {
            return kv.first == u"hierarchical_memory_limit";
        });
        QVERIFY(hier != raw.stat.end());
        QCOMPARE(hier->second, 512 * MiB);
    }

    void v1TotalsWinOverLocalCounters()
    {
        // A pod cgroup charges nothing itself (local rss 0); total_rss holds its containers'.
        const CgroupReader reader = v1Reader();
        QString error;
        const Result<CgroupSample> sRead = reader.read(u"/kubepods/burstable/pod"_s + kPod1);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE_OPT(s.anonBytes, 200 * MiB);
        QCOMPARE_OPT(s.fileBytes, 10 * MiB);
        QCOMPARE_OPT(s.activeFileBytes, 6 * MiB);
        QCOMPARE_OPT(s.inactiveFileBytes, 4 * MiB);
        QCOMPARE_OPT(s.failcnt, 17);
        QVERIFY(s.underOom);
        QVERIFY(!s.oomKillDisable);
        QCOMPARE_OPT(s.oomKillCount, 0);
    }

    void v1LocalCountersWithoutTotals()
    {
        // Without total_* lines the local ones are used ...
        const CgroupReader reader = v1Reader();
        QString error;
        const Result<CgroupSample> legacyRead = reader.read(u"/legacy"_s);
        QVERIFY2(legacyRead, qPrintable(legacyRead ? QString() : legacyRead.error().message));
        error = legacyRead->problem;
        const CgroupSample &legacy = *legacyRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE_OPT(legacy.anonBytes, 6 * MiB);
        QCOMPARE_OPT(legacy.fileBytes, 2 * MiB);
        QCOMPARE_OPT(legacy.swapBytes, 1 * MiB);
        QCOMPARE_OPT(legacy.activeFileBytes, 1 * MiB);
        QVERIFY(!legacy.inactiveAnonBytes);
        // ... but never override a total_* line, whatever the order.
        const Result<CgroupSample> reorderedRead = reader.read(u"/reordered"_s);
        QVERIFY2(reorderedRead, qPrintable(reorderedRead ? QString() : reorderedRead.error().message));
        error = reorderedRead->problem;
        const CgroupSample &reordered = *reorderedRead;
        QCOMPARE_OPT(reordered.anonBytes, 4 * MiB);
        QCOMPARE_OPT(reordered.fileBytes, 4 * MiB);
        QCOMPARE_OPT(reordered.activeFileBytes, 0);
    }

    void benchmarkRead_data()
    {
        QTest::addColumn<bool>("v2");
        QTest::newRow("v1 container") << false;
        QTest::newRow("v2 container") << true;
    }
    void benchmarkRead()
    {
        // Sampler cost per cgroup per sample on a fixture (page-cache files, deep path).
        QFETCH(bool, v2);
        const CgroupReader reader = v2 ? v2Reader() : v1Reader();
        const QString path = v2 ? QString(v2PodSlice() + u"/cri-containerd-"_s + kK8s1 + u".scope"_s)
                                : QString(u"/kubepods/burstable/pod"_s + kPod1 + u'/' + kK8s1);
        QString error;
        QBENCHMARK
        {
            const Result<CgroupSample> sRead = reader.read(path);
            QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
            error = sRead->problem;
            const CgroupSample &s = *sRead;
            QVERIFY(s.usageBytes);
        }
    }

    void effectiveLimit_data()
    {
        QTest::addColumn<bool>("v2");
        QTest::addColumn<QString>("path");
        QTest::addColumn<qint64>("limit"); // -1: none
        QTest::addColumn<qint64>("effectiveLimit"); // -1: none
        QTest::addColumn<QString>("effectivePath");

        const QString v1Pod = u"/kubepods/burstable/pod"_s + kPod1;
        QTest::newRow("v1 pod limit binds container")
            << false << v1Pod + u'/' + kK8s1 << 512 * MiB << 256 * MiB << v1Pod;
        QTest::newRow("v1 slice limit binds service")
            << false << u"/batch.slice/report.service"_s << 200 * MiB << 100 * MiB << u"/batch.slice"_s;
        QTest::newRow("v1 unlimited besteffort, node allocatable binds")
            << false << u"/kubepods/besteffort/pod0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e/"_s + kK8s2
            << qint64(-1) << qint64(7516192768) << u"/kubepods"_s;
        QTest::newRow("v1 root unlimited") << false << u"/"_s << qint64(-1) << qint64(-1) << QString();
        QTest::newRow("v2 pod limit binds container")
            << true << v2PodSlice() + u"/cri-containerd-"_s + kK8s1 + u".scope"_s << 512 * MiB << 256 * MiB
            << v2PodSlice();
        QTest::newRow("v2 slice limit binds service")
            << true << u"/batch.slice/report.service"_s << 200 * MiB << 100 * MiB << u"/batch.slice"_s;
        QTest::newRow("v2 own limit")
            << true << u"/system.slice/docker-"_s + kDocker2 + u".scope"_s << 256 * MiB << 256 * MiB
            << u"/system.slice/docker-"_s + kDocker2 + u".scope"_s;
        QTest::newRow("v2 max, kubepods.slice binds")
            << true
            << u"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"_s + kPod2Systemd
                + u".slice/crio-"_s + kK8s2 + u".scope"_s
            << qint64(-1) << qint64(7516192768) << u"/kubepods.slice"_s;
        QTest::newRow("v2 root has no memory.max") << true << u"/"_s << qint64(-1) << qint64(-1) << QString();
    }
    void effectiveLimit()
    {
        QFETCH(bool, v2);
        QFETCH(QString, path);
        QFETCH(qint64, limit);
        QFETCH(qint64, effectiveLimit);
        QFETCH(QString, effectivePath);
        const CgroupReader reader = v2 ? v2Reader() : v1Reader();
        QString error;
        const Result<CgroupSample> sRead = reader.read(path);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(s.limitBytes.value_or(-1), limit);
        QCOMPARE(s.effectiveLimitBytes.value_or(-1), effectiveLimit);
        QCOMPARE(s.effectiveLimitPath, effectivePath);
    }

    void readsV2DockerScope()
    {
        const CgroupReader reader = v2Reader();
        QString error;
        const Result<CgroupSample> sRead = reader.read(u"system.slice/docker-"_s + kDocker2 + u".scope"_s);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(s.version, 2);
        QCOMPARE_OPT(s.usageBytes, 199229440);
        QCOMPARE_OPT(s.limitBytes, 256 * MiB);
        QCOMPARE_OPT(s.highBytes, 240 * MiB);
        QCOMPARE_OPT(s.peakBytes, 248 * MiB);
        QCOMPARE_OPT(s.swapBytes, 16 * MiB);
        QCOMPARE_OPT(s.swapLimitBytes, 512 * MiB);
        QVERIFY(s.oomGroup);
        QVERIFY(s.events);
        QCOMPARE(s.events->low, 0);
        QCOMPARE(s.events->high, 5);
        QCOMPARE(s.events->max, 120);
        QCOMPARE(s.events->oom, 3);
        QCOMPARE(s.events->oomKill, 2);
        QCOMPARE(s.events->oomGroupKill, 1);
        QVERIFY(s.eventsLocal);
        QCOMPARE(s.eventsLocal->oomKill, 2);
        QCOMPARE_OPT(s.oomKillCount, 2);
        QCOMPARE_OPT(s.oomEvents, 3);
        // v1-only fields stay empty.
        QVERIFY(!s.failcnt);
        QVERIFY(!s.memswUsageBytes);
        QVERIFY(!s.memswLimitBytes);
        QVERIFY(!s.underOom);
        // memory.stat
        QCOMPARE_OPT(s.anonBytes, 144 * MiB);
        QCOMPARE_OPT(s.fileBytes, 40 * MiB);
        QCOMPARE_OPT(s.kernelBytes, 6 * MiB);
        QCOMPARE_OPT(s.kernelStackBytes, 393216);
        QCOMPARE_OPT(s.pageTablesBytes, 1179648);
        QCOMPARE_OPT(s.sockBytes, 8192);
        QCOMPARE_OPT(s.shmemBytes, 2 * MiB);
        QCOMPARE_OPT(s.mappedFileBytes, 12 * MiB);
        QCOMPARE_OPT(s.inactiveAnonBytes, 140 * MiB);
        QCOMPARE_OPT(s.activeAnonBytes, 4 * MiB);
        QCOMPARE_OPT(s.inactiveFileBytes, 28 * MiB);
        QCOMPARE_OPT(s.activeFileBytes, 12 * MiB);
        QCOMPARE_OPT(s.unevictableBytes, 0);
        QCOMPARE_OPT(s.slabBytes, 4 * MiB);
    }

    void v2EventsLocalDifferFromHierarchical()
    {
        // The kill happened in the container; the pod sees it in memory.events only.
        const CgroupReader reader = v2Reader();
        QString error;
        const Result<CgroupSample> podRead = reader.read(v2PodSlice());
        QVERIFY2(podRead, qPrintable(podRead ? QString() : podRead.error().message));
        error = podRead->problem;
        const CgroupSample &pod = *podRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(pod.events->oomKill, 1);
        QCOMPARE(pod.eventsLocal->oomKill, 0);
        QCOMPARE(pod.events->max, 9);
        QVERIFY(!pod.oomGroup);
        const Result<CgroupSample> containerRead =
            reader.read(v2PodSlice() + u"/cri-containerd-"_s + kK8s1 + u".scope"_s);
        QVERIFY2(containerRead, qPrintable(containerRead ? QString() : containerRead.error().message));
        error = containerRead->problem;
        const CgroupSample &container = *containerRead;
        QCOMPARE(container.eventsLocal->oomKill, 1);
        QCOMPARE(container.eventsLocal->oom, 1);
        QCOMPARE_OPT(container.anonBytes, 200 * MiB);
        QCOMPARE_OPT(container.kernelBytes, 2 * MiB);
        QCOMPARE_OPT(container.slabBytes, 1 * MiB);
        QCOMPARE_OPT(container.kernelStackBytes, 0); // the file has "kernel_stack 0"
    }

    void v2HighAndRoot()
    {
        const CgroupReader reader = v2Reader();
        QString error;
        const Result<CgroupSample> serviceRead = reader.read(u"/batch.slice/report.service"_s);
        QVERIFY2(serviceRead, qPrintable(serviceRead ? QString() : serviceRead.error().message));
        error = serviceRead->problem;
        const CgroupSample &service = *serviceRead;
        QCOMPARE_OPT(service.highBytes, 150 * MiB);
        const Result<CgroupSample> rootRead = reader.read(u"/"_s);
        QVERIFY2(rootRead, qPrintable(rootRead ? QString() : rootRead.error().message));
        error = rootRead->problem;
        const CgroupSample &root = *rootRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(root.path, u"/"_s);
        QVERIFY(!root.usageBytes); // the v2 root has no memory.current
        QCOMPARE_OPT(root.anonBytes, 1024 * MiB);
        QCOMPARE_OPT(root.fileBytes, 512 * MiB);
    }

    void missingFilesLeaveFieldsEmpty_data()
    {
        QTest::addColumn<bool>("v2");
        QTest::newRow("v1") << false;
        QTest::newRow("v2") << true;
    }
    void missingFilesLeaveFieldsEmpty()
    {
        QFETCH(bool, v2);
        const CgroupReader reader = v2 ? v2Reader() : v1Reader();
        QString error = u"stale"_s;
        const Result<CgroupSample> sRead = reader.read(u"/sparse"_s);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE_OPT(s.usageBytes, 4096);
        QVERIFY(!s.limitBytes);
        QVERIFY(!s.effectiveLimitBytes);
        QVERIFY(!s.peakBytes);
        QVERIFY(!s.failcnt);
        QVERIFY(!s.oomKillCount);
        QVERIFY(!s.events);
        QVERIFY(!s.anonBytes);
        QVERIFY(!s.fileBytes);
        QVERIFY(!s.oomGroup);
        QVERIFY(!s.underOom);
    }

    void missingCgroupIsAnError()
    {
        const CgroupReader reader = v2Reader();
        const Result<CgroupSample> s = reader.read(u"/no/such/cgroup"_s);
        QVERIFY(!s);
        QCOMPARE(s.error().kind, Error::Kind::NotFound);
        QVERIFY(s.error().message.contains(u"/no/such/cgroup"_s));
        const Result<std::vector<ProcessReading>> procs = reader.processes(u"/no/such/cgroup"_s, false);
        QVERIFY(!procs);
        QCOMPARE(procs.error().kind, Error::Kind::NotFound);
    }

    void malformedFilesAreReported()
    {
        QString error;
        const Result<CgroupSample> v1Read = v1Reader().read(u"/broken"_s);
        QVERIFY2(v1Read, qPrintable(v1Read ? QString() : v1Read.error().message));
        error = v1Read->problem;
        const CgroupSample &v1 = *v1Read;
        QVERIFY2(error.contains(u"memory.usage_in_bytes"_s), qPrintable(error));
        // Named, not echoed: a file outside cgroupfs may hold anything (docs/security.md).
        QVERIFY2(error.contains(u"not the expected format"_s) && !error.contains(u"garbage"_s),
                 qPrintable(error));
        QVERIFY(!v1.usageBytes);
        QCOMPARE_OPT(v1.limitBytes, 2); // the readable rest is still there
        QCOMPARE_OPT(v1.failcnt, 0);

        const Result<CgroupSample> v2Read = v2Reader().read(u"/broken"_s);
        QVERIFY2(v2Read, qPrintable(v2Read ? QString() : v2Read.error().message));
        error = v2Read->problem;
        const CgroupSample &v2 = *v2Read;
        QVERIFY2(error.contains(u"memory.max"_s), qPrintable(error));
        QVERIFY2(error.contains(u"not the expected format"_s) && !error.contains(u"12abc"_s),
                 qPrintable(error));
        QVERIFY(!v2.limitBytes);
        QVERIFY(!v2.events); // "high zero"
        QVERIFY(v2.eventsLocal);
        QCOMPARE_OPT(v2.usageBytes, 1);
    }

    void readsProcesses()
    {
        const CgroupReader reader = v1Reader();
        // cgroup.procs lists 1001, 1002 and 4242; 4242 has no /proc entry (exited) and is skipped.
        const Result<std::vector<ProcessReading>> read = reader.processes(u"/docker/"_s + kDocker1, false);
        QVERIFY2(read, qPrintable(read ? QString() : read.error().message));
        const std::vector<ProcessReading> &procs = *read;
        QCOMPARE(procs.size(), size_t(2));
        const ProcessReading &py = procs[0];
        QCOMPARE(py.pid, 1001);
        QCOMPARE(py.comm, u"python3"_s);
        QCOMPARE(py.state, 'R');
        QCOMPARE_OPT(py.vmRssKb, 215040);
        QCOMPARE_OPT(py.rssAnonKb, 204800);
        QCOMPARE_OPT(py.rssFileKb, 10240);
        QCOMPARE_OPT(py.rssShmemKb, 0);
        QCOMPARE_OPT(py.swapKb, 12288);
        QCOMPARE_OPT(py.oomScoreAdj, 0);
        QCOMPARE_OPT(py.oomScore, 612);
        const ProcessReading &sh = procs[1];
        QCOMPARE(sh.pid, 1002);
        QCOMPARE(sh.comm, u"sh"_s);
        QCOMPARE(sh.state, 'S');
        QCOMPARE_OPT(sh.rssAnonKb, 180);
        QCOMPARE_OPT(sh.rssFileKb, 1360);
        QCOMPARE_OPT(sh.oomScoreAdj, -500);
        QCOMPARE_OPT(sh.oomScore, 1);
    }

    void readsProcessesRecursively()
    {
        const CgroupReader reader = v2Reader();
        QVERIFY(reader.processes(u"/batch.slice"_s, false).value().empty());
        const Result<std::vector<ProcessReading>> read = reader.processes(u"/batch.slice"_s, true);
        QVERIFY2(read, qPrintable(read ? QString() : read.error().message));
        const std::vector<ProcessReading> &procs = *read;
        QCOMPARE(procs.size(), size_t(2));
        QCOMPARE(procs[0].pid, 3002);
        QCOMPARE(procs[0].comm, u"report-gen"_s);
        QCOMPARE(procs[0].state, 'D');
        QCOMPARE_OPT(procs[0].oomScoreAdj, 300);
        QCOMPARE_OPT(procs[0].rssAnonKb, 90112);
        // A zombie: no memory lines, no oom_score file.
        QCOMPARE(procs[1].pid, 5001);
        QCOMPARE(procs[1].state, 'Z');
        QVERIFY(!procs[1].vmRssKb);
        QVERIFY(!procs[1].rssAnonKb);
        QVERIFY(!procs[1].swapKb);
        QCOMPARE_OPT(procs[1].oomScoreAdj, 0);
        QVERIFY(!procs[1].oomScore);

        const std::vector<ProcessReading> k8s = v1Reader().processes(u"/kubepods"_s, true).value();
        QCOMPARE(k8s.size(), size_t(2));
        QCOMPARE(k8s[0].comm, u"java"_s);
        QCOMPARE_OPT(k8s[0].oomScoreAdj, 999);
        QCOMPARE_OPT(k8s[0].rssShmemKb, 4096);
        QCOMPARE(k8s[1].comm, u"busybox"_s);
        QCOMPARE_OPT(k8s[1].oomScoreAdj, 1000);
    }

    void singleProcess()
    {
        const CgroupReader reader = v2Reader();
        const std::optional<ProcessReading> nginx = reader.process(3001);
        QVERIFY(nginx);
        QCOMPARE(nginx->comm, u"nginx"_s);
        QCOMPARE_OPT(nginx->oomScoreAdj, -900);
        QCOMPARE_OPT(nginx->swapKb, 256);
        QVERIFY(!reader.process(4242));
    }

    void cgroupOfProcess()
    {
        // 1001's /proc/PID/cgroup is a hybrid one: v1 memory line and a unified "0::" line.
        QCOMPARE(v1Reader().cgroupOfProcess(1001).value_or(QString()), u"/docker/"_s + kDocker1);
        QCOMPARE(v2Reader().cgroupOfProcess(1001).value_or(QString()),
                 u"/system.slice/docker-"_s + kDocker2 + u".scope"_s);
        QCOMPARE(v2Reader().cgroupOfProcess(2001).value_or(QString()),
                 v2PodSlice() + u"/cri-containerd-"_s + kK8s1 + u".scope"_s);
        // Only a unified line: no memory cgroup for a v1 reader.
        QVERIFY(!v1Reader().cgroupOfProcess(2001));
        QVERIFY(!v1Reader().cgroupOfProcess(1002)); // no cgroup file
    }
};

QTEST_GUILESS_MAIN(CgroupReaderTest)
#include "tst_cgroupreader.moc"
