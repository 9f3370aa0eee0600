// SPDX-License-Identifier: GPL-3.0-or-later
// CgroupReader on the machine's real cgroup v1 memory controller: creates a parent and a child
// cgroup below the test's own memory cgroup (so nothing leaves the limits it already runs under),
// puts a sleeping process in the child and reads both back. Needs root and a writable v1 memory
// controller; skips otherwise.
#include "cgroupdiscovery.h"
#include "cgroupreader.h"
#include "scratchcgroup.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

constexpr qint64 MiB = 1024 * 1024;
const auto kPrefix = "oomscope-test-"_L1;

// The kernel's own answer for the effective limit: hierarchical_memory_limit in memory.stat.
qint64 kernelHierarchicalLimit(const QString &cgroupDir)
{
    QFile f(cgroupDir + u"/memory.stat"_s);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("hierarchical_memory_limit "))
            return line.mid(26).trimmed().toLongLong();
    }
    return -1;
}

} // namespace

class CgroupReaderLiveTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void realV1Cgroup()
    {
        const Result<MemoryHierarchy> hierarchy = liveHierarchy({.kmsg = false});
        if (!hierarchy)
            QSKIP(qPrintable(hierarchy.error().message));
        CgroupReader reader;
        QCOMPARE(reader.version(), CgroupVersion::V1);
        const qint64 selfPid = QCoreApplication::applicationPid();
        const std::optional<QString> own = reader.cgroupOfProcess(selfPid);
        QVERIFY2(own, "no memory line in /proc/self/cgroup");
        const QString base = *own == u"/" ? QString() : *own;
        // Leftovers of an earlier run that crashed before its cleanup.
        ScratchCgroup::removeStale(reader.memoryRoot() + base, kPrefix);

        // The parent is tighter than the child, so the parent's limit is the one that binds.
        const QString parentRel = base + u'/' + kPrefix + QString::number(selfPid);
        const QString childRel = parentRel + u"/child"_s;
        ScratchCgroup parentCgroup(*hierarchy, parentRel);
        const Result<void> parentCreated = parentCgroup.create(64 * MiB, SwapLimit::Untouched);
        if (!parentCreated && !QFileInfo::exists(parentCgroup.path()))
            QSKIP(qPrintable(errorOf(parentCreated))); // e.g. our own cgroup is not ours to change
        QVERIFY2(parentCreated, qPrintable(errorOf(parentCreated)));
        ScratchCgroup childCgroup(*hierarchy, childRel);
        const Result<void> childCreated = childCgroup.create(128 * MiB, SwapLimit::Untouched);
        QVERIFY2(childCreated, qPrintable(errorOf(childCreated)));

        const Result<pid_t> sleeper =
            childCgroup.spawn({QStandardPaths::findExecutable(u"sleep"_s), u"60"_s}, {.oomScoreAdj = 500});
        QVERIFY2(sleeper, qPrintable(errorOf(sleeper)));
        const qint64 pid = *sleeper;
        // After exec: the comm the reader reports is the program's.
        QTRY_COMPARE(readSysFile(u"/proc/%1/comm"_s.arg(pid)).trimmed(), QByteArray("sleep"));

        QString error;
        const Result<CgroupSample> sRead = reader.read(childRel);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(s.version, 1);
        QCOMPARE(s.path, childRel);
        QCOMPARE(s.limitBytes.value_or(-1), 128 * MiB);
        const qint64 kernelLimit = kernelHierarchicalLimit(childCgroup.path());
        QVERIFY(kernelLimit > 0);
        QCOMPARE(s.effectiveLimitBytes.value_or(-1), kernelLimit);
        if (kernelLimit == 64 * MiB)
            QCOMPARE(s.effectiveLimitPath, parentRel);
        else // the cgroup this test runs in is tighter still
            QVERIFY(kernelLimit < 64 * MiB);
        QVERIFY(s.usageBytes);
        QVERIFY(s.peakBytes);
        QVERIFY(s.failcnt);
        QCOMPARE(s.oomKillCount.value_or(-1), 0);
        QVERIFY(!s.underOom);
        QVERIFY(s.anonBytes);
        QVERIFY(s.fileBytes);

        // The v1 root cannot be limited.
        const Result<CgroupSample> rootRead = reader.read(u"/"_s);
        QVERIFY2(rootRead, qPrintable(rootRead ? QString() : rootRead.error().message));
        error = rootRead->problem;
        const CgroupSample &root = *rootRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(root.usageBytes);
        QVERIFY(!root.limitBytes);
        QVERIFY(!root.effectiveLimitBytes);

        const Result<CgroupSample> parentRead = reader.read(parentRel);
        QVERIFY2(parentRead, qPrintable(parentRead ? QString() : parentRead.error().message));
        error = parentRead->problem;
        const CgroupSample &parent = *parentRead;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parent.limitBytes.value_or(-1), 64 * MiB);

        const Result<std::vector<ProcessReading>> procsRead = reader.processes(childRel, false);
        QVERIFY2(procsRead, qPrintable(procsRead ? QString() : procsRead.error().message));
        const std::vector<ProcessReading> &procs = *procsRead;
        QCOMPARE(procs.size(), size_t(1));
        QCOMPARE(procs[0].pid, pid);
        QCOMPARE(procs[0].comm, u"sleep"_s);
        QCOMPARE(procs[0].oomScoreAdj.value_or(-1), 500);
        QVERIFY(procs[0].oomScore);
        QVERIFY(procs[0].vmRssKb.value_or(0) > 0);
        QVERIFY(procs[0].rssAnonKb);
        QVERIFY(procs[0].rssFileKb.value_or(0) > 0); // libc is mapped
        QCOMPARE(procs[0].vmRssKb.value_or(0),
                 procs[0].rssAnonKb.value_or(0) + procs[0].rssFileKb.value_or(0)
                     + procs[0].rssShmemKb.value_or(0));
        QVERIFY(procs[0].state != 0);
        // The parent holds no process itself; recursively it has the sleeper.
        QVERIFY(reader.processes(parentRel).value().empty());
        QCOMPARE(reader.processes(parentRel, true).value().size(), size_t(1));
        QCOMPARE(reader.cgroupOfProcess(pid).value_or(QString()), childRel);

        const std::vector<CgroupInfo> found = CgroupDiscovery(reader).discover();
        QVERIFY(
            std::any_of(found.begin(), found.end(), [&](const CgroupInfo &i) { return i.path == childRel; }));
    }
};

QTEST_GUILESS_MAIN(CgroupReaderLiveTest)
#include "tst_cgroupreader_live.moc"
