// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end check against a real kernel: makes a 64 MiB memory cgroup, lets a hog get OOM-killed
// in it, captures the report from /dev/kmsg and checks that the parser, the kill decision and the
// workspace all name the process the kernel really killed.

#include "killdecision.h"
#include "oomreportparser.h"
#include "scratchcgroup.h"
#include "workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

// std::int64_t like the model's fields, so QCOMPARE sees the same types.
constexpr std::int64_t limitBytes = 64 * 1024 * 1024;
constexpr std::int64_t limitKb = limitBytes / 1024;
constexpr std::int64_t pageSizeBytes = 4096;
constexpr int idleOomScoreAdj = 500;
const auto namePrefix = "oomscope-e2e-"_L1;

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// "key value" lines as in memory.oom_control and memory.events.
std::optional<qint64> keyedValue(const QByteArray &text, const QByteArray &key)
{
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() == 2 && parts.at(0) == key) {
            bool ok = false;
            const qint64 value = parts.at(1).toLongLong(&ok);
            if (ok)
                return value;
        }
    }
    return std::nullopt;
}

std::optional<qint64> numberFile(const QString &path)
{
    bool ok = false;
    const qint64 value = readSysFile(path).trimmed().toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

// /dev/kmsg from "now": one read() returns exactly one record "pri,seq,usec,flags;text\n"
// (plus indented dictionary lines), which is the raw format the parser accepts.
class KmsgReader
{
public:
    KmsgReader()
    {
        m_fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (m_fd < 0)
            m_error = errnoText(errno);
        else if (::lseek(m_fd, 0, SEEK_END) < 0) // skip the history
            m_error = u"lseek: %1"_s.arg(errnoText(errno));
    }
    ~KmsgReader()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    KmsgReader(const KmsgReader &) = delete;
    KmsgReader &operator=(const KmsgReader &) = delete;

    bool ok() const { return m_fd >= 0 && m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    const QByteArray &captured() const { return m_captured; }

    // Appends every record available now.
    void drain()
    {
        char buffer[16 * 1024];
        for (;;) {
            const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
            if (got > 0) {
                m_captured.append(buffer, got);
                continue;
            }
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0 && errno == EPIPE) {
                // Records were overwritten before we read them; the next read resumes.
                ++m_lostRecords;
                continue;
            }
            break; // EAGAIN: nothing more for now
        }
    }
    int lostRecords() const { return m_lostRecords; }

private:
    int m_fd = -1;
    QString m_error;
    QByteArray m_captured;
    int m_lostRecords = 0;
};

const OomTask *findTask(const OomEvent &event, std::int64_t pid)
{
    for (const OomTask &task : event.tasks) {
        if (task.pid == pid)
            return &task;
    }
    return nullptr;
}

const RankedTask *findRanked(const KillDecision &decision, std::int64_t pid)
{
    for (const RankedTask &ranked : decision.ranking) {
        if (ranked.task.pid == pid)
            return &ranked;
    }
    return nullptr;
}

} // namespace

class TestE2eOomKill : public QObject
{
    Q_OBJECT

private:
    MemoryHierarchy m_hierarchy;
    QString m_hogPath;
    QString m_sleepPath;
    QString m_skipReason;

    // One run of the scenario: a fresh cgroup, the idle process and the hog, the kmsg records
    // written meanwhile and the cgroup's counters, read before the guard removes the cgroup.
    struct Capture {
        QString name;
        bool v1 = true;
        pid_t hogPid = 0;
        pid_t idlePid = 0;
        QByteArray kmsg;
        std::optional<qint64> oomKills; // memory.oom_control / memory.events oom_kill
        std::optional<qint64> peakBytes; // v1 memory.max_usage_in_bytes, v2 memory.peak
        std::optional<qint64> failcnt; // v1 memory.failcnt
        bool memswLimited = false;
    };

    // Fails the current test (QVERIFY) on any error; the caller checks currentTestFailed().
    void captureOomKill(Capture &out)
    {
        out.name = ScratchCgroup::uniqueName(namePrefix);
        out.v1 = m_hierarchy.v1;
        ScratchCgroup cgroup(m_hierarchy, u'/' + out.name);
        const Result<void> created = cgroup.create(limitBytes);
        QVERIFY2(created, qPrintable(errorOf(created)));

        KmsgReader kmsg;
        QVERIFY2(kmsg.ok(), qPrintable(u"/dev/kmsg: "_s + kmsg.error()));

        // The idle process goes first and must be asleep before the hog starts, so its own
        // exec cannot be the allocation that hits the limit. Its positive oom_score_adj adds
        // 500 * totalpages/1000 points: a real share of the ranking, still far below the hog.
        const Result<pid_t> idle = cgroup.spawn({m_sleepPath, u"30"_s}, {.oomScoreAdj = idleOomScoreAdj});
        QVERIFY2(idle, qPrintable(errorOf(idle)));
        out.idlePid = *idle;
        const QString idleComm = u"/proc/%1/comm"_s.arg(out.idlePid);
        const QString idleStat = u"/proc/%1/stat"_s.arg(out.idlePid);
        QTRY_VERIFY_WITH_TIMEOUT(readSysFile(idleComm).trimmed() == QByteArrayLiteral("sleep")
                                     && readSysFile(idleStat).contains(QByteArrayLiteral(") S ")),
                                 5000);

        // 4 MiB per step, give up at 512 MiB: if the limit did not hold, the hog exits 3.
        const Result<pid_t> hog = cgroup.spawn({m_hogPath, u"4"_s, u"512"_s}, {.oomScoreAdj = 0});
        QVERIFY2(hog, qPrintable(errorOf(hog)));
        out.hogPid = *hog;

        // QTRY evaluates its expression once more after success; waitpid must not run again.
        int status = 0;
        bool hogReaped = false;
        QTRY_VERIFY_WITH_TIMEOUT(hogReaped || (hogReaped = tryReap(out.hogPid, &status)), 20000);
        cgroup.forget(out.hogPid);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                 qPrintable(u"hog was not SIGKILLed: wait status 0x%1"_s.arg(status, 0, 16)));

        // The kernel prints the kill line in the hog's own context before it can exit, so it
        // is normally there already; the bound covers a slow console.
        const QByteArray killLine = "Killed process " + QByteArray::number(out.hogPid) + " (";
        QTRY_VERIFY_WITH_TIMEOUT((kmsg.drain(), kmsg.captured().contains(killLine)), 5000);
        out.kmsg = kmsg.captured();
        if (kmsg.lostRecords() > 0)
            qWarning("%d kmsg records were overwritten before they were read", kmsg.lostRecords());

        if (out.v1) {
            out.oomKills = keyedValue(readSysFile(cgroup.file(u"memory.oom_control"_s)), "oom_kill");
            out.peakBytes = numberFile(cgroup.file(u"memory.max_usage_in_bytes"_s));
            out.failcnt = numberFile(cgroup.file(u"memory.failcnt"_s));
            out.memswLimited = QFileInfo::exists(cgroup.file(u"memory.memsw.limit_in_bytes"_s));
        } else {
            out.oomKills = keyedValue(readSysFile(cgroup.file(u"memory.events"_s)), "oom_kill");
            out.peakBytes = numberFile(cgroup.file(u"memory.peak"_s)); // >= 5.19 only
        }
    }

    // comm is the executable name cut to TASK_COMM_LEN - 1 characters.
    QString hogComm() const { return QFileInfo(m_hogPath).fileName().left(15); }

    // The one event of the capture's cgroup among what the parser found in the capture.
    void parseOurEvent(const Capture &capture, std::optional<OomEvent> &out)
    {
        const ParseResult parsed = OomReportParser().parse(capture.kmsg);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        // Other OOMs on the machine may land in the same window; only ours counts.
        std::vector<const OomEvent *> ours;
        for (const OomEvent &event : parsed.events) {
            if (event.oomMemcg.endsWith(capture.name))
                ours.push_back(&event);
        }
        QVERIFY2(ours.size() == 1,
                 qPrintable(u"%1 events for %2 among %3 parsed from:\n%4"_s.arg(ours.size())
                                .arg(capture.name)
                                .arg(parsed.events.size())
                                .arg(QString::fromUtf8(capture.kmsg))));
        out = *ours.front();
    }

    // The parsed report: the cgroup, its counters, the task table of its two processes and the
    // kill line, as the running kernel (release; version major * 100 + minor) prints them.
    void checkReport(const Capture &capture, const OomEvent &event, const QString &release, int kernelVersion)
    {
        const QString &name = capture.name;
        const pid_t hogPid = capture.hogPid;
        const pid_t idlePid = capture.idlePid;
        QCOMPARE(event.prefixStyle, PrefixStyle::Kmsg);
        QCOMPARE(event.constraint, Constraint::Memcg);
        QVERIFY2(event.taskMemcg.endsWith(name), qPrintable(event.taskMemcg));
        QVERIFY(event.memory.present);
        QCOMPARE(event.memory.limitKb, limitKb);
        QVERIFY(event.memory.usageKb <= limitKb);
        if (capture.v1) {
            // Counters only grow, so what the report printed cannot exceed the file later.
            // (Seen on 6.18 with memsw limit == memory limit: memory.failcnt and
            // memory.memsw.failcnt both stay 0 through the OOM, so failcnt > 0 is no check.)
            QVERIFY(capture.failcnt);
            QVERIFY(event.memory.failcnt <= *capture.failcnt);
            if (capture.memswLimited) {
                QVERIFY(event.memsw.present);
                QCOMPARE(event.memsw.limitKb, limitKb);
            }
        }
        QCOMPARE(event.kernelRelease, release);
        if (kernelVersion >= 608)
            QCOMPARE(event.layout, TaskTableLayout::RssSplit);
        else if (kernelVersion >= 415)
            QCOMPARE(event.layout, TaskTableLayout::PgtablesBytes);
        QCOMPARE(event.triggerPid, std::int64_t(hogPid));

        // The task table lists exactly the cgroup's two processes.
        QCOMPARE(event.tasks.size(), size_t(2));
        const OomTask *hogTask = findTask(event, hogPid);
        const OomTask *idleTask = findTask(event, idlePid);
        QVERIFY(hogTask);
        QVERIFY(idleTask);
        QCOMPARE(hogTask->oomScoreAdj, 0);
        QCOMPARE(idleTask->oomScoreAdj, idleOomScoreAdj);
        QCOMPARE(idleTask->comm, u"sleep"_s);
        QCOMPARE(hogTask->comm, hogComm());

        if (kernelVersion >= 500) { // "oom-kill:constraint=..." summary line
            QVERIFY(event.hasSummaryLine);
            QCOMPARE(event.summaryPid, std::optional<std::int64_t>(hogPid));
        }
        QVERIFY(event.victim.present);
        QCOMPARE(event.victim.pid, std::int64_t(hogPid));
        QCOMPARE(event.victim.comm, hogComm());
        QCOMPARE(event.victim.message, u"Memory cgroup out of memory"_s);
        // The victim is blocked in the kernel between the table and the kill line, so both
        // describe the same pages.
        if (kernelVersion >= 608) {
            QVERIFY(hogTask->rssAnonPages);
            QCOMPARE(event.victim.anonRssKb, *hogTask->rssAnonPages * pageSizeBytes / 1024);
        }
        QCOMPARE(event.kernelSelectedPid(), std::int64_t(hogPid));
    }

    // The kill decision, recomputed with the 5.9+ formula: points = rss + swapents +
    // pgtables_bytes / PAGE_SIZE + oom_score_adj * totalpages / 1000, where totalpages is the
    // memcg limit in pages (memsw == memory limit, or swap.max 0: no swap term).
    void checkDecision(const Capture &capture, const OomEvent &event, int kernelVersion)
    {
        const pid_t hogPid = capture.hogPid;
        const pid_t idlePid = capture.idlePid;
        const KillDecision decision = decideKill(event);
        if (kernelVersion >= 509)
            QCOMPARE(decision.era, BadnessEra::Linux59Plus);
        const std::int64_t totalPages = limitBytes / pageSizeBytes;
        QCOMPARE(decision.totalPages, totalPages);
        QCOMPARE(decision.victimPid, std::int64_t(hogPid));
        QCOMPARE(decision.kernelSelectedPid, std::int64_t(hogPid));
        QCOMPARE(decision.recomputedSelectedPid, std::optional<std::int64_t>(hogPid));
        QVERIFY(decision.agrees);
        QVERIFY2(decision.explanation.contains(QString::number(hogPid)), qPrintable(decision.explanation));
        QVERIFY(!decision.ranking.empty());
        QCOMPARE(decision.ranking.front().task.pid, std::int64_t(hogPid));
        QCOMPARE(decision.runnerUpPid, std::optional<std::int64_t>(idlePid));

        const auto expectedPoints = [&](const OomTask &task) {
            return task.rssPages + task.swapEntsPages + task.pgtablesBytes.value_or(0) / pageSizeBytes
                + std::int64_t(task.oomScoreAdj) * (totalPages / 1000);
        };
        const RankedTask *hogRanked = findRanked(decision, hogPid);
        const RankedTask *idleRanked = findRanked(decision, idlePid);
        QVERIFY(hogRanked);
        QVERIFY(idleRanked);
        QCOMPARE(hogRanked->rank, 1);
        QCOMPARE(idleRanked->rank, 2);
        QCOMPARE(idleRanked->adjPoints, std::int64_t(idleOomScoreAdj) * (totalPages / 1000));
        if (kernelVersion >= 509) {
            QCOMPARE(hogRanked->points, expectedPoints(*findTask(event, hogPid)));
            QCOMPARE(idleRanked->points, expectedPoints(*findTask(event, idlePid)));
        }
        QCOMPARE(decision.pointsMargin, hogRanked->points - idleRanked->points);
    }

    // The same bytes through the storage layer.
    void checkStorage(const Capture &capture)
    {
        const QString &name = capture.name;
        const pid_t hogPid = capture.hogPid;
        const QByteArray &captured = capture.kmsg;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString logPath = dir.filePath(u"kmsg.log"_s);
        {
            QFile log(logPath);
            QVERIFY(log.open(QIODevice::WriteOnly));
            QCOMPARE(log.write(captured), captured.size());
        }
        Workspace workspace;
        const Result<void> opened = workspace.open(dir.filePath(u"workspace.sqlite"_s));
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
        const ImportResult imported = workspace.importLogFile(logPath);
        QVERIFY2(imported.ok, qPrintable(imported.error));
        QVERIFY(imported.eventsAdded >= 1);
        std::vector<EventSummary> stored;
        for (const EventSummary &summary : workspace.events()) {
            if (summary.oomMemcg.endsWith(name))
                stored.push_back(summary);
        }
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored.front().victimPid, qint64(hogPid));
        QCOMPARE(stored.front().victimComm, hogComm());
        QCOMPARE(stored.front().constraint, u"memcg"_s);
        QCOMPARE(stored.front().limitKb, qint64(limitKb));
        QVERIFY(stored.front().agrees);
        const std::optional<OomEvent> full = workspace.event(stored.front().id);
        QVERIFY(full);
        QCOMPARE(full->victim.pid, std::int64_t(hogPid));
        QCOMPARE(full->tasks.size(), size_t(2));
        QVERIFY(findTask(*full, capture.idlePid));
        workspace.close();
    }

private Q_SLOTS:
    // The live test needs root, a memory cgroup and /dev/kmsg; the recorded-capture test needs
    // none of them, so a missing one skips only the live test.
    void initTestCase()
    {
        m_hogPath = QStringLiteral(OOMSCOPE_E2E_HOG);
        m_sleepPath = QStandardPaths::findExecutable(u"sleep"_s);
        const Result<MemoryHierarchy> hierarchy = liveHierarchy({.v2Accepted = true});
        if (!hierarchy) {
            m_skipReason = hierarchy.error().message;
            return;
        }
        m_hierarchy = *hierarchy;
        // A run killed by a CTest timeout cannot clean up; its empty cgroups are removed here.
        ScratchCgroup::removeStale(m_hierarchy.rootPath, namePrefix);
    }

    // Runs after every test function, failed or not: the RAII guard must have removed the
    // cgroups this process made.
    void cleanup()
    {
        if (m_hierarchy.rootPath.isEmpty())
            return;
        const QStringList left = ScratchCgroup::leftBehind(m_hierarchy.rootPath, namePrefix);
        QVERIFY2(left.isEmpty(), qPrintable(u"cgroups left behind: "_s + left.join(u", "_s)));
    }

    void hogIsKilledAndExplained()
    {
        if (!m_skipReason.isEmpty())
            QSKIP(qPrintable(m_skipReason));
        QVERIFY2(QFileInfo(m_hogPath).isExecutable(), qPrintable(m_hogPath));
        QVERIFY2(!m_sleepPath.isEmpty(), "no 'sleep' executable in PATH");

        // After other OOM kills on the machine the kernel may log only the kill line; then the
        // capture is repeated after its rate-limit window.
        Capture capture;
        const OomCapture got = captureOomReport(
            [&] {
                capture = Capture();
                captureOomKill(capture);
            },
            // The suppressed part is everything that names the cgroup (stats, summary line).
            [&] {
                return capture.kmsg.contains("invoked oom-killer")
                    && capture.kmsg.contains(capture.name.toLatin1());
            });
        if (got == OomCapture::Failed)
            return;
        if (got == OomCapture::RateLimited)
            QSKIP(kOomReportRateLimited);
        const QString savePath = qEnvironmentVariable("OOMSCOPE_E2E_SAVE_KMSG");
        if (!savePath.isEmpty()) {
            QFile save(savePath);
            QVERIFY2(save.open(QIODevice::WriteOnly), qPrintable(save.errorString()));
            save.write(capture.kmsg);
        }

        // The kernel's own counters say exactly one OOM kill happened in this cgroup, and
        // usage reached the limit.
        QCOMPARE(capture.oomKills, std::optional<qint64>(1));
        if (capture.peakBytes) {
            QVERIFY2(*capture.peakBytes > limitBytes - 1024 * 1024 && *capture.peakBytes <= limitBytes,
                     qPrintable(QString::number(*capture.peakBytes)));
        }

        std::optional<OomEvent> event;
        parseOurEvent(capture, event);
        if (QTest::currentTestFailed())
            return;
        utsname uts {};
        QCOMPARE(::uname(&uts), 0);
        const QString release = QString::fromLatin1(uts.release);
        // What the running kernel prints depends on its version (kernel-oom-formats.md).
        const QStringList versionParts = release.section(u'-', 0, 0).split(u'.');
        const int kernelVersion = versionParts.value(0).toInt() * 100 + versionParts.value(1).toInt();

        checkReport(capture, *event, release, kernelVersion);
        if (QTest::currentTestFailed())
            return;
        checkDecision(capture, *event, kernelVersion);
        if (QTest::currentTestFailed())
            return;
        checkStorage(capture);
    }

    // A report captured by the live test on Linux 6.18 (cgroup v1), kept as a fixture: the same
    // checks against the hand-computed answer in its .expected.json, on any machine.
    void recordedCaptureMatchesExpected()
    {
        const QString base = QStringLiteral(OOMSCOPE_TEST_DATA) + u"/e2e/kmsg-6.18-memcg-v1-oomkill"_s;
        QFile logFile(base + u".kmsg"_s);
        QVERIFY2(logFile.open(QIODevice::ReadOnly), qPrintable(logFile.fileName()));
        QFile expectedFile(base + u".expected.json"_s);
        QVERIFY2(expectedFile.open(QIODevice::ReadOnly), qPrintable(expectedFile.fileName()));
        QJsonParseError jsonError;
        const QJsonDocument expectedDoc = QJsonDocument::fromJson(expectedFile.readAll(), &jsonError);
        QVERIFY2(!expectedDoc.isNull(), qPrintable(jsonError.errorString()));
        const QJsonArray expectedEvents = expectedDoc.object().value(u"events"_s).toArray();
        QCOMPARE(expectedEvents.size(), 1);
        const QJsonObject expected = expectedEvents.at(0).toObject();

        const ParseResult parsed = OomReportParser().parse(logFile.readAll());
        QCOMPARE(parsed.events.size(), size_t(1));
        const OomEvent &event = parsed.events.front();
        QCOMPARE(event.prefixStyle, PrefixStyle::Kmsg);
        QCOMPARE(event.constraint, Constraint::Memcg);
        QCOMPARE(event.oomMemcg, expected.value(u"memcg"_s).toString());
        QCOMPARE(event.memory.limitKb, std::int64_t(expected.value(u"limit_kb"_s).toInteger()));
        QCOMPARE(event.memory.usageKb, std::int64_t(expected.value(u"usage_kb"_s).toInteger()));
        QCOMPARE(event.victim.pid, std::int64_t(expected.value(u"victim_pid"_s).toInteger()));
        QCOMPARE(event.victim.comm, expected.value(u"victim_comm"_s).toString());
        QVERIFY(event.complete);
        // The kmsg timestamp is microseconds since boot.
        QVERIFY(event.uptimeSeconds);
        QCOMPARE(qRound64(*event.uptimeSeconds * 1e6), qint64(437194783));

        const KillDecision decision = decideKill(event);
        QCOMPARE(decision.totalPages, std::int64_t(expected.value(u"totalpages"_s).toInteger()));
        QVERIFY(decision.agrees);
        const QJsonArray ranking = expected.value(u"ranking"_s).toArray();
        QCOMPARE(decision.ranking.size(), size_t(ranking.size()));
        for (qsizetype i = 0; i < ranking.size(); ++i) {
            const QJsonObject row = ranking.at(i).toObject();
            const RankedTask &got = decision.ranking.at(size_t(i));
            QCOMPARE(got.task.pid, std::int64_t(row.value(u"pid"_s).toInteger()));
            QCOMPARE(got.task.comm, row.value(u"comm"_s).toString());
            QCOMPARE(got.points, std::int64_t(row.value(u"points"_s).toInteger()));
        }
    }
};

QTEST_GUILESS_MAIN(TestE2eOomKill)
#include "tst_e2e_oomkill.moc"
