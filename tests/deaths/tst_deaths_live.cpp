// SPDX-License-Identifier: GPL-3.0-or-later
// Real deaths on this machine, then the deaths table over what they left behind:
//  - kernel OOM kills in memory cgroups named exactly as the kubelet names a pod's containers
//    (systemd driver "kubepods.slice/…/cri-containerd-<id>.scope" and cgroupfs
//    "kubepods/burstable/pod<uid>/<id>"), one of the container's main process and one of a child
//    while its parent lives on, captured from /dev/kmsg;
//  - a `kill -9` of a container's process with no OOM anywhere;
//  - earlyoom, run for real inside a PID namespace of this test so it can only kill the test's
//    process, with thresholds that fire at once.
// Pod JSON as kubectl prints it refers to those cgroups' pod UID and container IDs.
// Run only under the machine-wide lock: flock /work/brief/oom.lock ctest -R tst_deaths_live

#include "cgrouppath.h"
#include "deaths.h"
#include "killerlines.h"
#include "oomreportparser.h"
#include "podjson.h"
#include "scratchcgroup.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QTest>
#include <QUuid>

#include <csignal>
#include <fcntl.h>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

constexpr std::int64_t limitBytes = 64 * 1024 * 1024;
const auto namePrefix = "oomscope-deaths-"_L1;

QString randomHex(int digits)
{
    QString s;
    while (s.size() < digits)
        s += QString::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, u'0');
    return s.left(digits);
}

// Every level of the pod's kubelet cgroup paths below a unique scratch root (levels the pod's
// containers share are made once), removed leaf first.
class CgroupTree
{
public:
    ~CgroupTree()
    {
        while (!m_levels.empty())
            m_levels.pop_back();
    }
    Result<ScratchCgroup *> add(const MemoryHierarchy &h, const QString &root, const QString &kubePath,
                                std::int64_t limit)
    {
        QString path = root;
        const QStringList parts = kubePath.split(u'/', Qt::SkipEmptyParts);
        for (qsizetype i = 0; i < parts.size(); ++i) {
            path += u'/' + parts[i];
            if (m_made.contains(path))
                continue;
            auto level = std::make_unique<ScratchCgroup>(h, path);
            const bool leaf = i == parts.size() - 1;
            if (Result<void> made = level->create(leaf ? limit : 0); !made)
                return tl::unexpected(made.error());
            m_made.insert(path);
            m_levels.push_back(std::move(level));
        }
        return m_levels.back().get();
    }

private:
    std::vector<std::unique_ptr<ScratchCgroup>> m_levels;
    QSet<QString> m_made;
};

class KmsgReader
{
public:
    KmsgReader()
    {
        m_fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (m_fd >= 0)
            ::lseek(m_fd, 0, SEEK_END);
    }
    ~KmsgReader()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool ok() const { return m_fd >= 0; }
    QByteArray drain()
    {
        char buffer[16 * 1024];
        for (;;) {
            const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
            if (got > 0)
                m_captured.append(buffer, got);
            else if (!(got < 0 && (errno == EINTR || errno == EPIPE)))
                break;
        }
        return m_captured;
    }

private:
    int m_fd = -1;
    QByteArray m_captured;
};

bool waitKilled(pid_t pid, int signal, int timeoutMs)
{
    int status = 0;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (tryReap(pid, &status))
            return WIFSIGNALED(status) && WTERMSIG(status) == signal;
        QThread::msleep(20);
    }
    return false;
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

const Death *findDeath(const std::vector<Death> &deaths, Killer killer, const QString &container)
{
    for (const Death &d : deaths)
        if (d.killer == killer && d.container == container)
            return &d;
    return nullptr;
}

// The pod as `kubectl get pod -o json` prints it after these deaths: render restarted after its
// OOM kill, worker runs on, probe restarted after a SIGKILL (Error, 137).
QString podJsonAfterDeaths(const QString &podUid, const QString &renderId, const QString &workerId,
                           const QString &probeId, const QDateTime &started, const QDateTime &finished)
{
    // %1 pod UID, %2 render's new container, %3 render's killed one, %4 worker, %5 start, %6 end,
    // %7 probe's new container, %8 probe's killed one.
    QFile f(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/deaths/pod-after-deaths.template.json"_s);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing tests/data/deaths/pod-after-deaths.template.json");
    return QString::fromUtf8(f.readAll())
        .arg(podUid, randomHex(64), renderId, workerId, iso(started), iso(finished), randomHex(64), probeId);
}

} // namespace

class TestDeathsLive : public QObject
{
    Q_OBJECT

private:
    MemoryHierarchy m_hierarchy;
    QString m_skip;
    QString m_hog = QStringLiteral(OOMSCOPE_E2E_HOG);

private Q_SLOTS:
    void initTestCase()
    {
        const Result<MemoryHierarchy> h = liveHierarchy({.v2Accepted = false});
        if (!h) {
            m_skip = h.error().message;
            return;
        }
        m_hierarchy = *h;
        ScratchCgroup::removeStale(m_hierarchy.rootPath, namePrefix);
    }

    void cleanup()
    {
        if (m_hierarchy.rootPath.isEmpty())
            return;
        const QStringList left = ScratchCgroup::leftBehind(m_hierarchy.rootPath, namePrefix);
        QVERIFY2(left.isEmpty(), qPrintable(u"cgroups left behind: "_s + left.join(u", "_s)));
    }

    void kubeletCgroupsJoinPodJson_data()
    {
        QTest::addColumn<int>("driver");
        QTest::newRow("systemd driver") << int(KubeCgroupDriver::Systemd);
        QTest::newRow("cgroupfs driver") << int(KubeCgroupDriver::Cgroupfs);
    }

    void kubeletCgroupsJoinPodJson();
    void checkDeaths(const std::vector<Death> &deaths, pid_t renderPid, const QString &renderPath,
                     const QString &workerPath);
    void earlyoomKillsInItsNamespace_data();
    void earlyoomKillsInItsNamespace();
};

void TestDeathsLive::kubeletCgroupsJoinPodJson()
{
    if (!m_skip.isEmpty())
        QSKIP(qPrintable(m_skip));
    QFETCH(int, driver);
    const auto drv = KubeCgroupDriver(driver);
    const QString podUid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString renderId = randomHex(64), workerId = randomHex(64), probeId = randomHex(64);
    const QString root = u'/' + ScratchCgroup::uniqueName(namePrefix);
    ScratchCgroup rootCgroup(m_hierarchy, root);
    QVERIFY2(rootCgroup.create(), "scratch root");
    const QDateTime started = QDateTime::currentDateTimeUtc().addSecs(-1);
    KmsgReader kmsg;
    QVERIFY(kmsg.ok());
    QString renderPath, workerPath;
    pid_t renderPid = 0, workerParent = 0;
    {
        // 1. The container's main process is killed: the container ends (OOMKilled, restart).
        CgroupTree tree;
        renderPath = kubeletCgroupPath(drv, u"Burstable"_s, podUid, renderId, u"containerd"_s);
        const Result<ScratchCgroup *> render = tree.add(m_hierarchy, root, renderPath, limitBytes);
        QVERIFY2(render, qPrintable(errorOf(render)));
        const Result<pid_t> hog = (*render)->spawn({m_hog, u"4"_s, u"512"_s}, {.oomScoreAdj = 0});
        QVERIFY2(hog, qPrintable(errorOf(hog)));
        renderPid = *hog;
        QVERIFY2(waitKilled(renderPid, SIGKILL, 20000), "the kernel did not kill the render hog");
        (*render)->forget(renderPid);

        // 2. A child is killed while its parent (the container's main process) lives on.
        workerPath = kubeletCgroupPath(drv, u"Burstable"_s, podUid, workerId, u"containerd"_s);
        const Result<ScratchCgroup *> worker = tree.add(m_hierarchy, root, workerPath, limitBytes);
        QVERIFY2(worker, qPrintable(errorOf(worker)));
        const Result<pid_t> parent = (*worker)->spawn(
            {u"/bin/sh"_s, u"-c"_s, u"'%1' 4 512; exec sleep 30"_s.arg(m_hog)}, {.oomScoreAdj = 0});
        QVERIFY2(parent, qPrintable(errorOf(parent)));
        workerParent = *parent;
        QTRY_VERIFY_WITH_TIMEOUT(readSysFile(u"/proc/%1/comm"_s.arg(workerParent)).trimmed() == "sleep",
                                 20000);
        QVERIFY2(::kill(workerParent, 0) == 0, "the parent must still live");

        // 3. kill -9 with no OOM anywhere.
        const QString probePath = kubeletCgroupPath(drv, u"Burstable"_s, podUid, probeId, u"containerd"_s);
        const Result<ScratchCgroup *> probe = tree.add(m_hierarchy, root, probePath, 0);
        QVERIFY2(probe, qPrintable(errorOf(probe)));
        const Result<pid_t> sleeper = (*probe)->spawn({u"/bin/sleep"_s, u"30"_s});
        QVERIFY2(sleeper, qPrintable(errorOf(sleeper)));
        QTest::qWait(100);
        QCOMPARE(::kill(*sleeper, SIGKILL), 0);
        QVERIFY(waitKilled(*sleeper, SIGKILL, 5000));
        (*probe)->forget(*sleeper);
        QTest::qWait(200);
    } // chains removed here (the worker's parent is killed and reaped by its guard)
    const QDateTime finished = QDateTime::currentDateTimeUtc();

    const ParseResult parsed = OomReportParser().parse(kmsg.drain());
    DeathInputs in;
    qint64 id = 0;
    int ours = 0;
    for (const OomEvent &e : parsed.events) {
        ++id;
        if (!e.taskMemcg.contains(root))
            continue; // another process's kill on this machine: not ours
        ++ours;
        if (std::optional<KernelKill> k = kernelKillOf(e, id, u"kmsg"_s))
            in.kernel.push_back(*k);
    }
    QCOMPARE(ours, 2);

    const QString podJson = podJsonAfterDeaths(podUid, renderId, workerId, probeId, started, finished);
    const Result<KubeObjects> objects = parseKubeJson(podJson.toUtf8());
    QVERIFY2(objects, qPrintable(errorOf(objects)));
    in.kube.push_back({u"pod.json"_s, objects->pods, objects->events});
    const std::vector<Death> deaths = buildDeaths(in);

    checkDeaths(deaths, renderPid, renderPath, workerPath);

    // Keep what this run produced when asked (the committed fixtures of tst_deaths come from here).
    if (const QByteArray out = qgetenv("OOMSCOPE_DEATHS_FIXTURE_OUT"); !out.isEmpty()) {
        const QString base = QString::fromLocal8Bit(out) + u'/'
            + (drv == KubeCgroupDriver::Systemd ? u"systemd"_s : u"cgroupfs"_s);
        QFile k(base + u"-kills.kmsg"_s), j(base + u"-pod.json"_s);
        QVERIFY(k.open(QIODevice::WriteOnly) && j.open(QIODevice::WriteOnly));
        k.write(kmsg.drain());
        j.write(podJson.toUtf8());
    }
}

void TestDeathsLive::checkDeaths(const std::vector<Death> &deaths, pid_t renderPid, const QString &renderPath,
                                 const QString &workerPath)
{
    const Death *r = findDeath(deaths, Killer::KernelMemcg, u"render"_s);
    QVERIFY2(r, "the render kill joined to its container");
    QCOMPARE(r->namespaceName, u"media"_s);
    QCOMPARE(r->pod, u"render-7f9c"_s);
    QCOMPARE(r->pid, std::optional<std::int64_t>(renderPid));
    QCOMPARE(r->exitCode, std::optional<int>(137));
    QCOMPARE(r->restartCount, std::optional<int>(1));
    QVERIFY(r->eventId.has_value());
    QVERIFY(r->cgroup.endsWith(renderPath));

    const Death *w = findDeath(deaths, Killer::KernelMemcg, u"worker"_s);
    QVERIFY2(w, "the worker child's kill joined to its container");
    QCOMPARE(w->comm, u"oomscope_e2e_ho"_s);
    QVERIFY(w->cgroup.endsWith(workerPath));
    const QString childSentence =
        u"the kernel killed `oomscope_e2e_ho` (pid %1) in container `worker` but the container "
        u"is still running (restartCount 0): a child died, nothing restarted"_s.arg(*w->pid);
    QVERIFY2(w->notes.contains(childSentence), qPrintable(w->notes.join(u" | "_s)));

    const Death *p = findDeath(deaths, Killer::SigkillOther, u"probe"_s);
    QVERIFY2(p, "the kill -9 is a SIGKILL from elsewhere");
    QVERIFY(
        p->notes.contains(u"exit code 137 and no OOM evidence on the node: SIGKILL from elsewhere (liveness "
                          u"probe, `kill -9`, the runtime)"_s));
    QCOMPARE(deaths.size(), std::size_t(3));
}

void TestDeathsLive::earlyoomKillsInItsNamespace_data()
{
    QTest::addColumn<QString>("limits");
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGTERM") << u"99,1"_s << int(SIGTERM);
    QTest::newRow("SIGKILL") << u"99,99"_s << int(SIGKILL);
}

void TestDeathsLive::earlyoomKillsInItsNamespace()
{
    if (::geteuid() != 0)
        QSKIP("unshare --pid needs root");
    QFETCH(QString, limits);
    QFETCH(int, signal);
    const QString earlyoom = QStandardPaths::findExecutable(u"earlyoom"_s);
    QVERIFY2(!earlyoom.isEmpty(), "earlyoom is not installed (installers/install-deps.sh installs it)");
    // PID 1 of the namespace is a shell that waits (and reaps); the victim holds 16 MiB and asks
    // to be chosen (oom_score_adj 1000); earlyoom acts at once (available memory <= 99 %).
    QProcess ns;
    ns.setProcessChannelMode(QProcess::MergedChannels);
    ns.start(u"unshare"_s,
             {u"--pid"_s, u"--fork"_s, u"--mount-proc"_s, u"--kill-child"_s, u"/bin/sh"_s, u"-c"_s,
              u"(echo 1000 > /proc/self/oom_score_adj; exec '%1' 16 64 100000) & sleep 0.5; "
              u"'%2' -m %3 -s 100,100 -r 0 & wait"_s.arg(m_hog, earlyoom, limits)});
    QVERIFY(ns.waitForStarted());
    QByteArray output;
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired() && !output.contains("process exited") && !output.contains("did not exit")) {
        ns.waitForReadyRead(200);
        output += ns.readAll();
    }
    ns.kill(); // --kill-child: the namespace's PID 1 and everything in it go with it
    ns.waitForFinished(5000);
    output += ns.readAll();
    QVERIFY2(output.contains("low memory!"), output.constData());

    const KillerLineScan scan = scanKillerLines(std::string_view(output.constData(), size_t(output.size())));
    DeathInputs in;
    for (const KillerLine &l : scan.lines)
        in.lines.push_back({u"earlyoom.out"_s, l});
    const std::vector<Death> deaths = buildDeaths(in);
    QVERIFY2(!deaths.empty(), output.constData());
    const Death &d = deaths.front();
    QCOMPARE(d.killer, Killer::Earlyoom);
    QCOMPARE(d.comm, u"oomscope_e2e_ho"_s);
    QCOMPARE(d.pid, std::optional<std::int64_t>(2)); // the victim is PID 2 of the namespace
    QCOMPARE(d.confidence, signal == SIGKILL ? DeathConfidence::High : DeathConfidence::Medium);
    QVERIFY(d.evidence.size() >= 2);
    QVERIFY(d.evidence.front().text.startsWith(u"low memory!"_s));
    QVERIFY(d.evidence.back().text.startsWith(signal == SIGKILL ? u"sending SIGKILL to process 2 "_s
                                                                : u"sending SIGTERM to process 2 "_s));
    if (const QByteArray out = qgetenv("OOMSCOPE_DEATHS_FIXTURE_OUT"); !out.isEmpty()) {
        QFile f(QString::fromLocal8Bit(out) + u"/earlyoom-"_s
                + (signal == SIGKILL ? u"sigkill"_s : u"sigterm"_s) + u".out"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(output);
    }
}

QTEST_GUILESS_MAIN(TestDeathsLive)
#include "tst_deaths_live.moc"
