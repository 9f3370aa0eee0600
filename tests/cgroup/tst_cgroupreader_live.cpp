// SPDX-License-Identifier: GPL-3.0-or-later
// CgroupReader on the machine's real cgroup v1 memory controller: creates a parent and a child
// cgroup below the test's own memory cgroup (so nothing leaves the limits it already runs under),
// puts a sleeping process in the child and reads both back. Needs root; skips otherwise.
#include "cgroupdiscovery.h"
#include "cgroupreader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

constexpr qint64 MiB = 1024 * 1024;
const QString kPrefix = u"oomscope-test-"_s;

bool writeFile(const QString &path, const QByteArray &content, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size() || !f.flush()) {
        *error = path + u": "_s + f.errorString();
        return false;
    }
    return true;
}

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

// rmdir of a cgroup can fail for a moment after its last process exited (the exit is not yet
// uncharged); retry briefly.
bool removeCgroup(const QString &dir)
{
    for (int attempt = 0; attempt < 100; ++attempt) {
        if (::rmdir(QFile::encodeName(dir).constData()) == 0 || errno == ENOENT)
            return true;
        QTest::qWait(20);
    }
    qWarning("could not remove test cgroup %s: %s", qPrintable(dir), std::strerror(errno));
    return false;
}

// Kills the sleeper and removes the cgroups whatever the test outcome.
struct Cleanup {
    QProcess *sleeper = nullptr;
    QStringList dirs; // innermost first
    ~Cleanup()
    {
        if (sleeper && sleeper->state() != QProcess::NotRunning) {
            sleeper->kill();
            sleeper->waitForFinished(5000);
        }
        for (const QString &d : std::as_const(dirs))
            removeCgroup(d);
    }
};

} // namespace

class CgroupReaderLiveTest : public QObject
{
    Q_OBJECT

private slots:
    void realV1Cgroup()
    {
        CgroupReader reader;
        if (reader.version() != CgroupVersion::V1)
            QSKIP("no cgroup v1 memory controller under /sys/fs/cgroup");
        if (::geteuid() != 0)
            QSKIP("creating memory cgroups needs root");
        const qint64 selfPid = QCoreApplication::applicationPid();
        const std::optional<QString> own = reader.cgroupOfProcess(selfPid);
        QVERIFY2(own, "no memory line in /proc/self/cgroup");
        const QString base = *own == u"/" ? QString() : *own;

        // Leftovers of an earlier run that crashed before its cleanup.
        const QDir baseDir(reader.memoryRoot() + base);
        for (const QString &stale : baseDir.entryList({kPrefix + u'*'}, QDir::Dirs)) {
            const QString staleDir = baseDir.filePath(stale);
            for (const QString &child : QDir(staleDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                ::rmdir(QFile::encodeName(staleDir + u'/' + child).constData());
            ::rmdir(QFile::encodeName(staleDir).constData());
        }

        const QString parentRel = base + u'/' + kPrefix + QString::number(selfPid);
        const QString childRel = parentRel + u"/child"_s;
        const QString parentDir = reader.memoryRoot() + parentRel;
        const QString childDir = reader.memoryRoot() + childRel;
        QProcess sleeper;
        Cleanup cleanup;
        cleanup.sleeper = &sleeper;
        if (::mkdir(QFile::encodeName(parentDir).constData(), 0755) != 0)
            QSKIP(qPrintable(
                u"cannot create %1: %2"_s.arg(parentDir, QString::fromLocal8Bit(std::strerror(errno)))));
        cleanup.dirs.prepend(parentDir);
        QVERIFY2(::mkdir(QFile::encodeName(childDir).constData(), 0755) == 0, std::strerror(errno));
        cleanup.dirs.prepend(childDir);

        // The parent is tighter than the child, so the parent's limit is the one that binds.
        QString error;
        QVERIFY2(writeFile(parentDir + u"/memory.limit_in_bytes"_s, QByteArray::number(64 * MiB), &error),
                 qPrintable(error));
        QVERIFY2(writeFile(childDir + u"/memory.limit_in_bytes"_s, QByteArray::number(128 * MiB), &error),
                 qPrintable(error));

        sleeper.start(u"sleep"_s, {u"60"_s});
        QVERIFY2(sleeper.waitForStarted(5000), qPrintable(sleeper.errorString()));
        const qint64 pid = sleeper.processId();
        QVERIFY2(writeFile(childDir + u"/cgroup.procs"_s, QByteArray::number(pid), &error),
                 qPrintable(error));
        QVERIFY2(writeFile(u"/proc/%1/oom_score_adj"_s.arg(pid), "500", &error), qPrintable(error));

        const CgroupSample s = reader.read(childRel, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(s.version, 1);
        QCOMPARE(s.path, childRel);
        QCOMPARE(s.limitBytes.value_or(-1), 128 * MiB);
        const qint64 kernelLimit = kernelHierarchicalLimit(childDir);
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
        const CgroupSample root = reader.read(u"/"_s, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(root.usageBytes);
        QVERIFY(!root.limitBytes);
        QVERIFY(!root.effectiveLimitBytes);

        const CgroupSample parent = reader.read(parentRel, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parent.limitBytes.value_or(-1), 64 * MiB);

        const std::vector<ProcessReading> procs = reader.processes(childRel, false, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
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
        QVERIFY(reader.processes(parentRel).empty());
        QCOMPARE(reader.processes(parentRel, true).size(), size_t(1));
        QCOMPARE(reader.cgroupOfProcess(pid).value_or(QString()), childRel);

        const std::vector<CgroupInfo> found = CgroupDiscovery(reader).discover();
        QVERIFY(
            std::any_of(found.begin(), found.end(), [&](const CgroupInfo &i) { return i.path == childRel; }));
    }
};

QTEST_GUILESS_MAIN(CgroupReaderLiveTest)
#include "tst_cgroupreader_live.moc"
