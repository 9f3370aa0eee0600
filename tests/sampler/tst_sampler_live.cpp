// SPDX-License-Identifier: GPL-3.0-or-later
// The sampler and the kernel log tail against a real kernel: a hog grows in a 64 MiB memory
// cgroup sampled every 100 ms until the kernel kills it; samples, the counter-based kill
// detection and the kmsg report must tell the same story at the same time. Needs root, a
// writable memory cgroup and /dev/kmsg (as tests/e2e); skips otherwise. Also prints the
// sampler's cost on this machine's real hierarchy.

#include "cgroupdiscovery.h"
#include "cgroupreader.h"
#include "kmsgtail.h"
#include "sampler.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

constexpr std::int64_t kLimitBytes = 64 * 1024 * 1024;
constexpr int kIntervalMs = 100;
constexpr double kIntervalSeconds = kIntervalMs / 1000.0;
const auto kNamePrefix = "oomscope-sampler-"_L1;

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// cgroupfs reports errors (EBUSY, EINVAL) on write(); plain POSIX keeps the reason.
bool writeSysFile(const QString &path, const QByteArray &value, QString *error)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = u"open %1: %2"_s.arg(path, errnoText(errno));
        return false;
    }
    const ssize_t written = ::write(fd, value.constData(), size_t(value.size()));
    const int writeErrno = errno;
    ::close(fd);
    if (written != value.size()) {
        *error = u"write '%1' to %2: %3"_s.arg(QString::fromLatin1(value), path, errnoText(writeErrno));
        return false;
    }
    return true;
}

QByteArray readSysFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct MemoryHierarchy {
    bool v1 = true;
    QString rootPath; // where the scratch cgroup is made: the v1 memory mount or the v2 root
};

// v1 first: on hybrid systems /sys/fs/cgroup is a tmpfs and the v2 mount has no controllers.
std::optional<MemoryHierarchy> findMemoryHierarchy(QString *whyNot)
{
    const QString v1 = u"/sys/fs/cgroup/memory"_s;
    if (QFileInfo::exists(v1 + u"/memory.limit_in_bytes"_s)) {
        if (::access(QFile::encodeName(v1).constData(), W_OK) == 0)
            return MemoryHierarchy {true, v1};
        *whyNot = u"%1 is not writable"_s.arg(v1);
        return std::nullopt;
    }
    const QString v2 = u"/sys/fs/cgroup"_s;
    if (QFileInfo::exists(v2 + u"/cgroup.controllers"_s)) {
        if (!readSysFile(v2 + u"/cgroup.subtree_control"_s).simplified().split(' ').contains("memory")) {
            *whyNot = u"cgroup v2 at %1 does not delegate the memory controller"_s.arg(v2);
            return std::nullopt;
        }
        if (::access(QFile::encodeName(v2).constData(), W_OK) != 0) {
            *whyNot = u"%1 is not writable"_s.arg(v2);
            return std::nullopt;
        }
        return MemoryHierarchy {false, v2};
    }
    *whyNot = u"no memory cgroup hierarchy"_s;
    return std::nullopt;
}

bool reapChild(pid_t pid, int *status)
{
    pid_t got = 0;
    do {
        got = ::waitpid(pid, status, WNOHANG);
    } while (got < 0 && errno == EINTR);
    return got == pid;
}

// A child memory cgroup and the processes started in it (the approach of tests/e2e): the
// destructor kills the children and removes the directory whatever happened.
class ScratchCgroup
{
public:
    ScratchCgroup(MemoryHierarchy hierarchy, QString name)
        : m_hierarchy(std::move(hierarchy))
        , m_path(m_hierarchy.rootPath + u'/' + name)
    { }
    ~ScratchCgroup()
    {
        for (const pid_t pid : m_children)
            ::kill(pid, SIGKILL);
        for (const pid_t pid : m_children) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
        }
        if (m_created)
            removeDir(m_path);
    }
    ScratchCgroup(const ScratchCgroup &) = delete;
    ScratchCgroup &operator=(const ScratchCgroup &) = delete;

    QString file(const QString &name) const { return m_path + u'/' + name; }

    bool create(QString *error)
    {
        if (::mkdir(QFile::encodeName(m_path).constData(), 0755) != 0) {
            *error = u"mkdir %1: %2"_s.arg(m_path, errnoText(errno));
            return false;
        }
        m_created = true;
        const QByteArray limit = QByteArray::number(kLimitBytes);
        if (m_hierarchy.v1) {
            // memsw after memory (it must stay >= it); equal, so nothing escapes into swap.
            return writeSysFile(file(u"memory.limit_in_bytes"_s), limit, error)
                && (!QFileInfo::exists(file(u"memory.memsw.limit_in_bytes"_s))
                    || writeSysFile(file(u"memory.memsw.limit_in_bytes"_s), limit, error))
                && writeSysFile(file(u"memory.oom_control"_s), "0", error);
        }
        return writeSysFile(file(u"memory.max"_s), limit, error)
            && (!QFileInfo::exists(file(u"memory.swap.max"_s))
                || writeSysFile(file(u"memory.swap.max"_s), "0", error));
    }

    // Forks, moves the child into the cgroup while it waits on a pipe, then lets it exec.
    pid_t spawn(const QStringList &arguments, QString *error)
    {
        std::vector<QByteArray> argStorage;
        for (const QString &argument : arguments)
            argStorage.push_back(QFile::encodeName(argument));
        std::vector<char *> argv;
        for (QByteArray &arg : argStorage)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        int gate[2];
        if (::pipe2(gate, O_CLOEXEC) != 0) {
            *error = u"pipe2: %1"_s.arg(errnoText(errno));
            return -1;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            *error = u"fork: %1"_s.arg(errnoText(errno));
            ::close(gate[0]);
            ::close(gate[1]);
            return -1;
        }
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::close(gate[1]);
            char go = 0;
            ssize_t got = 0;
            do {
                got = ::read(gate[0], &go, 1);
            } while (got < 0 && errno == EINTR);
            if (got != 1)
                ::_exit(126);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(gate[0]);
        m_children.push_back(pid);
        const bool placed = writeSysFile(file(u"cgroup.procs"_s), QByteArray::number(pid), error);
        if (placed && ::write(gate[1], "g", 1) != 1) {
            *error = u"releasing child %1: %2"_s.arg(pid).arg(errnoText(errno));
            ::close(gate[1]);
            return -1;
        }
        ::close(gate[1]);
        return placed ? pid : -1;
    }

    void forget(pid_t pid) { std::erase(m_children, pid); }

    static bool removeDir(const QString &path)
    {
        // An exiting task can keep the cgroup busy for a moment after waitpid returns.
        const QByteArray nativePath = QFile::encodeName(path);
        for (int attempt = 0; attempt < 200; ++attempt) {
            if (::rmdir(nativePath.constData()) == 0 || errno == ENOENT)
                return true;
            if (errno != EBUSY)
                break;
            QTest::qSleep(10);
        }
        qWarning("could not remove cgroup %s: %s", nativePath.constData(), std::strerror(errno));
        return false;
    }

private:
    MemoryHierarchy m_hierarchy;
    QString m_path;
    bool m_created = false;
    std::vector<pid_t> m_children;
};

struct Kill {
    QString path;
    qint64 timestampMs = 0;
    qint64 count = 0;
};

} // namespace

class TestSamplerLive : public QObject
{
    Q_OBJECT

private:
    MemoryHierarchy m_hierarchy;
    QString m_skipReason;
    int m_generation = 0;

    // What one run saw, filled on this thread from the workers' queued signals.
    QString m_name;
    pid_t m_hogPid = 0;
    std::vector<SampleBatchPtr> m_batches;
    std::vector<Kill> m_kills;
    std::vector<OomEvent> m_events;
    QStringList m_kmsgProblems;

    void captureOomKill()
    {
        const int generation = ++m_generation;
        const auto current = [this, generation] {
            return generation == m_generation;
        };
        m_batches.clear();
        m_kills.clear();
        m_events.clear();
        m_kmsgProblems.clear();
        const quint32 salt = QRandomGenerator::global()->generate();
        m_name = kNamePrefix + u"%1-%2"_s.arg(::getpid()).arg(qulonglong(salt), 8, 16, QChar(u'0'));
        const QString path = u'/' + m_name;

        ScratchCgroup cgroup(m_hierarchy, m_name);
        QString error;
        QVERIFY2(cgroup.create(&error), qPrintable(error));

        // Declared after the cgroup, so the threads stop before the cgroup is removed.
        WorkerThread worker(u"sampler"_s);
        SamplerConfig config;
        config.cgroupRoot = u"/sys/fs/cgroup"_s;
        config.paths = {path};
        config.intervalMs = kIntervalMs;
        config.sampleProcesses = true;
        Sampler *sampler = worker.adopt(new Sampler(config));
        KmsgTail *tail = worker.adopt(new KmsgTail());
        bool opened = false;
        connect(tail, &KmsgTail::opened, this, [&opened, current] { opened = current(); });
        connect(tail, &KmsgTail::unavailable, this, [this, current](const QString &reason) {
            if (current())
                m_kmsgProblems << reason;
        });
        connect(tail, &KmsgTail::oomEvent, this, [this, current](const OomEvent &event, qint64) {
            if (current())
                m_events.push_back(event);
        });
        connect(sampler, &Sampler::batchReady, this, [this, current](const SampleBatchPtr &batch) {
            if (current())
                m_batches.push_back(batch);
        });
        connect(sampler, &Sampler::killDetected, this,
                [this, current](const QString &p, qint64 ts, qint64 count) {
                    if (current())
                        m_kills.push_back({p, ts, count});
                });
        worker.start();
        tail->start();
        QTRY_VERIFY2(opened || !m_kmsgProblems.isEmpty(), "KmsgTail did not start");
        QVERIFY2(m_kmsgProblems.isEmpty(), qPrintable(m_kmsgProblems.join(u'\n')));
        sampler->start();
        QTRY_VERIFY(!m_batches.empty() && m_batches.back()->cgroups.at(0).present);

        // 2 MiB every 40 ms: the 64 MiB fill up in about 1.5 s, so 100 ms samples see it climb.
        const QString hogPath = QStringLiteral(OOMSCOPE_E2E_HOG);
        m_hogPid = cgroup.spawn({hogPath, u"2"_s, u"512"_s, u"40"_s}, &error);
        QVERIFY2(m_hogPid > 0, qPrintable(error));
        int status = 0;
        bool reaped = false;
        QTRY_VERIFY_WITH_TIMEOUT(reaped || (reaped = reapChild(m_hogPid, &status)), 20000);
        cgroup.forget(m_hogPid);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                 qPrintable(u"hog was not SIGKILLed: wait status 0x%1"_s.arg(status, 0, 16)));

        const auto hogEvent = [this] {
            return std::any_of(m_events.begin(), m_events.end(),
                               [this](const OomEvent &e) { return e.victim.pid == m_hogPid; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(hogEvent(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_kills.empty(), 5000);
        // Samples until usage has fallen after the kill.
        const size_t atKill = m_batches.size();
        QTRY_VERIFY(m_batches.size() >= atKill + 3);
        sampler->stop();
        tail->stop();
        worker.stop();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            m_skipReason = u"needs root: creates a memory cgroup and reads /dev/kmsg"_s;
            return;
        }
        QString whyNot;
        const std::optional<MemoryHierarchy> hierarchy = findMemoryHierarchy(&whyNot);
        if (!hierarchy) {
            m_skipReason = u"no writable memory cgroup: "_s + whyNot;
            return;
        }
        m_hierarchy = *hierarchy;
        if (::access("/dev/kmsg", R_OK) != 0) {
            m_skipReason = u"/dev/kmsg is not readable: "_s + errnoText(errno);
            return;
        }
        // A run killed by a CTest timeout cannot clean up; its empty cgroups go here.
        const QDir root(m_hierarchy.rootPath);
        for (const QString &name : root.entryList({kNamePrefix + u'*'}, QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (readSysFile(root.filePath(name) + u"/cgroup.procs"_s).trimmed().isEmpty())
                ScratchCgroup::removeDir(root.filePath(name));
        }
    }

    void cleanup()
    {
        if (m_hierarchy.rootPath.isEmpty())
            return;
        const QStringList left =
            QDir(m_hierarchy.rootPath)
                .entryList({kNamePrefix + u"%1-*"_s.arg(::getpid())}, QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty(), qPrintable(u"cgroups left behind: "_s + left.join(u", "_s)));
    }

    void samplesKillAndReportAgree()
    {
        if (!m_skipReason.isEmpty())
            QSKIP(qPrintable(m_skipReason));
        QVERIFY2(QFileInfo(QStringLiteral(OOMSCOPE_E2E_HOG)).isExecutable(), OOMSCOPE_E2E_HOG);

        // The kernel rate-limits the report (dump_header: 10 per 5 s, host-wide) but never the
        // kill line: after other OOMs on the machine only "Killed process" may come. Wait out
        // the window and try again, a bounded number of times.
        const OomEvent *event = nullptr;
        for (int attempt = 1;; ++attempt) {
            captureOomKill();
            if (QTest::currentTestFailed())
                return;
            event = nullptr;
            for (const OomEvent &e : m_events) {
                if (e.victim.pid == m_hogPid)
                    event = &e;
            }
            QVERIFY(event);
            if (!event->triggerComm.isEmpty() && event->oomMemcg.endsWith(m_name))
                break;
            if (attempt == 3)
                QSKIP("the kernel suppressed the OOM report three times (dump_header rate limit)");
            qWarning("attempt %d: the kernel rate-limited the OOM report; retrying in 5.5 s", attempt);
            QTest::qWait(5500); // DEFAULT_RATELIMIT_INTERVAL is 5 s
        }
        const QString path = u'/' + m_name;

        // The report names the hog, in our cgroup.
        const QString hogComm = QFileInfo(QStringLiteral(OOMSCOPE_E2E_HOG)).fileName().left(15);
        QCOMPARE(event->victim.comm, hogComm);
        QCOMPARE(event->triggerPid, std::int64_t(m_hogPid));
        QVERIFY(event->uptimeSeconds);
        const double killSeconds = *event->uptimeSeconds;

        // The samples: usage climbs to the limit, then falls when the hog is gone.
        struct Point {
            double boottime;
            std::int64_t usage;
            std::int64_t oomKills;
            std::int64_t hogRssKb;
            qint64 timestampMs;
        };
        std::vector<Point> points;
        for (const SampleBatchPtr &b : m_batches) {
            const SampledCgroup *c = b->find(path);
            QVERIFY(c);
            QVERIFY2(c->present, qPrintable(c->error));
            QCOMPARE(c->memory.limitBytes, kLimitBytes);
            std::int64_t hogRss = MemorySample::kUnknown;
            for (const ProcessSample &p : c->processes) {
                if (p.pid == m_hogPid)
                    hogRss = p.totalRssKb();
            }
            points.push_back({c->memory.boottimeSeconds, c->memory.usageBytes, c->memory.oomKillCount, hogRss,
                              c->memory.timestampMs});
        }
        QVERIFY(points.size() >= 5);
        const auto peak = std::max_element(points.begin(), points.end(),
                                           [](const Point &a, const Point &b) { return a.usage < b.usage; });
        QVERIFY2(peak->usage >= kLimitBytes * 3 / 4 && peak->usage <= kLimitBytes,
                 qPrintable(QString::number(peak->usage)));
        int rises = 0;
        for (auto it = points.begin() + 1; it <= peak; ++it)
            rises += it->usage > (it - 1)->usage ? 1 : 0;
        QVERIFY2(rises >= 3, qPrintable(u"usage rose in only %1 samples"_s.arg(rises)));
        // The process samples saw the hog grow too.
        QVERIFY(std::count_if(points.begin(), peak + 1, [](const Point &p) { return p.hogRssKb > 0; }) >= 3);
        QCOMPARE(points.back().hogRssKb, MemorySample::kUnknown); // gone

        const auto drop =
            std::find_if(peak + 1, points.end(), [](const Point &p) { return p.usage < kLimitBytes / 2; });
        QVERIFY2(drop != points.end(), "usage never fell after the kill");
        // The kernel's kill time lies within one sample interval of the fall in the samples
        // (kmsg time and CLOCK_BOOTTIME are the same clock here).
        const double before = (drop - 1)->boottime;
        const double after = drop->boottime;
        QVERIFY2(killSeconds >= before - kIntervalSeconds && killSeconds <= after + kIntervalSeconds,
                 qPrintable(u"kill at %1 s, usage fell between samples at %2 s and %3 s"_s
                                .arg(killSeconds, 0, 'f', 6)
                                .arg(before, 0, 'f', 6)
                                .arg(after, 0, 'f', 6)));

        // The oom_kill counter saw exactly this kill, in the sample interval that holds it.
        QCOMPARE(m_kills.size(), size_t(1));
        QCOMPARE(m_kills[0].path, path);
        QCOMPARE(m_kills[0].count, qint64(1));
        const auto seen = std::find_if(points.begin(), points.end(), [&](const Point &p) {
            return p.timestampMs == m_kills[0].timestampMs;
        });
        QVERIFY(seen != points.end() && seen != points.begin());
        QCOMPARE(seen->oomKills, std::int64_t(1));
        QCOMPARE((seen - 1)->oomKills, std::int64_t(0));
        constexpr double clockSlackSeconds = 0.02;
        QVERIFY2(
            killSeconds <= seen->boottime + clockSlackSeconds
                && killSeconds >= (seen - 1)->boottime - clockSlackSeconds,
            qPrintable(u"kill at %1 s, counter stepped between %2 s and %3 s"_s.arg(killSeconds, 0, 'f', 6)
                           .arg((seen - 1)->boottime, 0, 'f', 6)
                           .arg(seen->boottime, 0, 'f', 6)));
        qInfo("kill at %.3f s; samples at %.3f / %.3f s; usage peak %lld bytes", killSeconds,
              (seen - 1)->boottime, seen->boottime, qlonglong(peak->usage));
    }

    // Not a check: the cost figure for the report, on this machine's hierarchy.
    void benchRealHierarchyCost_data()
    {
        QTest::addColumn<bool>("processes");
        QTest::newRow("cgroups") << false;
        QTest::newRow("cgroups+processes") << true;
    }

    void benchRealHierarchyCost()
    {
        QFETCH(bool, processes);
        const CgroupReader reader;
        if (reader.version() == CgroupVersion::None)
            QSKIP("no cgroup memory controller under /sys/fs/cgroup");
        QStringList paths;
        for (const CgroupInfo &info : CgroupDiscovery(reader).discover())
            paths << info.path;
        QVERIFY(!paths.isEmpty());
        SamplerConfig config;
        config.paths = paths;
        config.sampleProcesses = processes;
        config.processesRecursive = false;
        Sampler sampler(config); // on this thread: sampleNow() runs synchronously
        std::int64_t costUs = 0;
        int rounds = 0;
        qint64 processCount = 0;
        connect(&sampler, &Sampler::batchReady, this, [&](const SampleBatchPtr &b) {
            costUs += b->readCostUs;
            ++rounds;
            for (const SampledCgroup &c : b->cgroups)
                processCount += qint64(c.processes.size());
        });
        constexpr int kRounds = 50;
        for (int i = 0; i < kRounds; ++i)
            sampler.sampleNow();
        QCOMPARE(rounds, kRounds);
        qInfo("sampler cost, real v%d hierarchy%s: %.1f µs per cgroup per sample (%lld cgroups, %.0f "
              "processes)",
              int(reader.version()), processes ? " with processes" : "",
              double(costUs) / (double(kRounds) * double(paths.size())), qlonglong(paths.size()),
              double(processCount) / kRounds);
    }
};

QTEST_GUILESS_MAIN(TestSamplerLive)
#include "tst_sampler_live.moc"
