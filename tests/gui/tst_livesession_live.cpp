// SPDX-License-Identifier: GPL-3.0-or-later
// A live session against the real kernel: a hog grows in a 64 MiB v1 memory cgroup sampled every
// 100 ms until the kernel kills it; the workspace must hold the samples and the kill's report,
// placed within one sample interval of the fall in usage. Needs root, a writable cgroup v1
// memory hierarchy and /dev/kmsg (as tests/sampler/tst_sampler_live); skips otherwise.

#include "livesession.h"
#include "samplestore.h"
#include "workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

constexpr std::int64_t kLimitBytes = 64 * 1024 * 1024;
constexpr int kIntervalMs = 100;
const QString kHierarchy = u"/sys/fs/cgroup/memory"_s;
const auto kNamePrefix = "oomscope-live-"_L1;

bool writeSysFile(const QString &path, const QByteArray &value)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const ssize_t written = ::write(fd, value.constData(), size_t(value.size()));
    ::close(fd);
    return written == value.size();
}

bool removeCgroup(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::rmdir(native.constData()) == 0 || errno == ENOENT)
            return true;
        if (errno != EBUSY)
            return false;
        QTest::qSleep(10);
    }
    return false;
}

// The scratch cgroup and its hog; the destructor kills the hog and removes the cgroup always.
struct Scratch {
    QString dir;
    pid_t pid = -1;
    bool created = false;
    ~Scratch()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
        }
        if (created && !removeCgroup(dir))
            qWarning("could not remove %s", qPrintable(dir));
    }
};

// Forks a child that waits on a pipe until it is in the cgroup, then execs the hog.
pid_t spawnIn(const QString &procsFile, const QStringList &arguments)
{
    std::vector<QByteArray> storage;
    for (const QString &a : arguments)
        storage.push_back(QFile::encodeName(a));
    std::vector<char *> argv;
    for (QByteArray &a : storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int gate[2];
    if (::pipe2(gate, O_CLOEXEC) != 0)
        return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::close(gate[1]);
        char go = 0;
        if (::read(gate[0], &go, 1) != 1)
            ::_exit(126);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(gate[0]);
    const bool placed = pid > 0 && writeSysFile(procsFile, QByteArray::number(pid));
    if (placed && ::write(gate[1], "g", 1) != 1) { }
    ::close(gate[1]);
    return placed ? pid : (pid > 0 ? -pid : -1);
}

} // namespace

class TestLiveSessionLive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killStoredAndPlaced()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: creates a memory cgroup and reads /dev/kmsg");
        if (!QFileInfo::exists(kHierarchy + u"/memory.limit_in_bytes"_s)
            || ::access(QFile::encodeName(kHierarchy).constData(), W_OK) != 0)
            QSKIP("no writable cgroup v1 memory hierarchy at /sys/fs/cgroup/memory");
        if (::access("/dev/kmsg", R_OK) != 0)
            QSKIP("/dev/kmsg is not readable");
        const QString hog = QStringLiteral(OOMSCOPE_E2E_HOG);
        QVERIFY2(QFileInfo(hog).isExecutable(), qPrintable(hog));

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString ws = tmp.filePath(u"ws.sqlite"_s);
        const QString name = kNamePrefix
            + u"%1-%2"_s.arg(::getpid()).arg(QRandomGenerator::global()->generate(), 8, 16, QChar(u'0'));
        const QString path = u'/' + name;

        Scratch scratch;
        scratch.dir = kHierarchy + path;
        QVERIFY(::mkdir(QFile::encodeName(scratch.dir).constData(), 0755) == 0);
        scratch.created = true;
        const QByteArray limit = QByteArray::number(kLimitBytes);
        QVERIFY(writeSysFile(scratch.dir + u"/memory.limit_in_bytes"_s, limit));
        if (QFileInfo::exists(scratch.dir + u"/memory.memsw.limit_in_bytes"_s))
            QVERIFY(writeSysFile(scratch.dir + u"/memory.memsw.limit_in_bytes"_s, limit));

        qint64 eventId = 0, seriesId = 0, placedMs = 0;
        {
            // Declared after the scratch cgroup: the session's threads end before it is removed.
            LiveSessionConfig config;
            config.paths = {path};
            config.intervalMs = kIntervalMs;
            LiveSession session(config, ws);
            QSignalSpy stored(&session, &LiveSession::oomEventStored);
            session.start();
            QTRY_VERIFY(session.kernelLogAvailable());
            QTRY_VERIFY(session.samplesStoredCount() >= 2);

            scratch.pid = spawnIn(scratch.dir + u"/cgroup.procs"_s, {hog, u"2"_s, u"512"_s, u"40"_s});
            QVERIFY(scratch.pid > 0);
            int status = 0;
            bool reaped = false; // QTRY evaluates once more after success: reap only once
            QTRY_VERIFY_WITH_TIMEOUT(
                reaped || (reaped = ::waitpid(scratch.pid, &status, WNOHANG) == scratch.pid), 20000);
            const pid_t hogPid = scratch.pid;
            scratch.pid = -1;
            QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
            QTRY_VERIFY_WITH_TIMEOUT(!stored.isEmpty(), 5000);
            eventId = stored.at(0).at(0).toLongLong();
            seriesId = stored.at(0).at(1).toLongLong();
            placedMs = stored.at(0).at(2).toLongLong();
            const qint64 atKill = session.samplesStoredCount();
            QTRY_VERIFY(session.samplesStoredCount() >= atKill + 3);
            session.stop();
            QCOMPARE(seriesId, session.seriesOfPaths().value(path));

            Workspace w;
            QVERIFY(w.open(ws));
            const std::optional<OomEvent> event = w.event(eventId);
            QVERIFY(event);
            if (event->triggerComm.isEmpty())
                QSKIP("the kernel rate-limited the OOM report (dump_header)");
            QCOMPARE(event->victim.pid, std::int64_t(hogPid));
            QVERIFY(event->oomMemcg.endsWith(name));
        }

        Workspace w;
        QVERIFY(w.open(ws));
        const SampleStore store(w);
        QVERIFY(seriesId != 0);
        const std::vector<MemorySample> samples =
            store.samples(seriesId, 0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(samples.size() >= 5);
        for (std::size_t i = 1; i < samples.size(); ++i)
            QVERIFY(samples[i].timestampMs > samples[i - 1].timestampMs);
        const std::vector<EventPlacement> placements = store.placementsOfEvent(eventId);
        QCOMPARE(placements.size(), size_t(1));
        QCOMPARE(placements[0].timeMs, placedMs);
        // The fall in usage: the first sample below half the limit after the peak.
        const auto peak = std::max_element(
            samples.begin(), samples.end(),
            [](const MemorySample &a, const MemorySample &b) { return a.usageBytes < b.usageBytes; });
        QVERIFY(peak->usageBytes >= kLimitBytes * 3 / 4);
        const auto drop = std::find_if(peak, samples.end(),
                                       [](const MemorySample &s) { return s.usageBytes < kLimitBytes / 2; });
        QVERIFY2(drop != samples.end(), "usage never fell after the kill");
        const qint64 before = (drop - 1)->timestampMs;
        const qint64 after = drop->timestampMs;
        QVERIFY2(
            placedMs >= before - kIntervalMs && placedMs <= after + kIntervalMs,
            qPrintable(
                u"kill placed at %1, usage fell between %2 and %3"_s.arg(placedMs).arg(before).arg(after)));
        qInfo("kill placed %lld ms after the last full sample, %lld ms before the first empty one",
              qlonglong(placedMs - before), qlonglong(after - placedMs));
    }
};

QTEST_GUILESS_MAIN(TestLiveSessionLive)
#include "tst_livesession_live.moc"
