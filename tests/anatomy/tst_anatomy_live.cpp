// SPDX-License-Identifier: GPL-3.0-or-later
// Live: a real OOM kill in a scratch memory cgroup whose memory is mostly shmem (a memfd, as
// tmpfs), read back from /dev/kmsg and explained — the kernel's own memory.stat must make shmem
// the dominant part and say it cannot be reclaimed without swap. Run under the machine-wide lock
// (flock /work/brief/oom.lock); recognises its own kill by the unique cgroup name.
#include "meminfoparser.h"
#include "memoryanatomy.h"
#include "oomreportparser.h"
#include "scratchcgroup.h"

#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace oomscope;
using namespace oomscope::testsupport;
using namespace Qt::StringLiterals;

namespace {

constexpr std::int64_t limitBytes = 64 * 1024 * 1024;
constexpr int shmemMib = 40;
const auto namePrefix = "oomscope-anatomy-"_L1;

// /dev/kmsg from now on: each read() returns one record, the raw form the parser accepts.
QByteArray drainKmsg(int fd)
{
    QByteArray out;
    char buffer[16 * 1024];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got > 0)
            out.append(buffer, got);
        else if (got < 0 && (errno == EINTR || errno == EPIPE))
            continue;
        else
            return out;
    }
}

} // namespace

class TestAnatomyLive : public QObject
{
    Q_OBJECT

    MemoryHierarchy m_hierarchy;
    QString m_skipReason;
    QString m_name;
    QByteArray m_kmsg;

    void capture()
    {
        m_name = ScratchCgroup::uniqueName(namePrefix);
        m_kmsg.clear();
        ScratchCgroup cgroup(m_hierarchy, u'/' + m_name);
        const Result<void> created = cgroup.create(limitBytes, SwapLimit::SameAsMemory);
        QVERIFY2(created, qPrintable(errorOf(created)));
        const int fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY(fd >= 0);
        ::lseek(fd, 0, SEEK_END);
        const Result<pid_t> hog =
            cgroup.spawn({QStringLiteral(OOMSCOPE_SHMEM_HOG), QString::number(shmemMib), u"256"_s});
        if (!hog)
            ::close(fd);
        QVERIFY2(hog, qPrintable(errorOf(hog)));
        int status = 0;
        bool reaped = false;
        QTRY_VERIFY_WITH_TIMEOUT(reaped || (reaped = tryReap(*hog, &status)), 20000);
        cgroup.forget(*hog);
        const QByteArray killLine = "Killed process " + QByteArray::number(*hog) + " (";
        QTRY_VERIFY_WITH_TIMEOUT((m_kmsg += drainKmsg(fd), m_kmsg.contains(killLine)), 5000);
        ::close(fd);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the hog was not killed by the limit");
    }

private Q_SLOTS:
    void initTestCase()
    {
        const Result<MemoryHierarchy> hierarchy = liveHierarchy({});
        if (!hierarchy) {
            m_skipReason = hierarchy.error().message;
            return;
        }
        m_hierarchy = *hierarchy;
        ScratchCgroup::removeStale(m_hierarchy.rootPath, namePrefix);
    }

    void cleanup()
    {
        if (!m_hierarchy.rootPath.isEmpty())
            QVERIFY(ScratchCgroup::leftBehind(m_hierarchy.rootPath, namePrefix).isEmpty());
    }

    void shmemDominatesAndCannotBeReclaimed()
    {
        if (!m_skipReason.isEmpty())
            QSKIP(qPrintable(m_skipReason));
        const OomCapture got = captureOomReport(
            [&] { capture(); }, [&] { return m_kmsg.contains(QByteArray(m_name.toLatin1() + ":")); });
        if (got == OomCapture::Failed)
            return;
        if (got == OomCapture::RateLimited)
            QSKIP(kOomReportRateLimited);
        if (const QString save = qEnvironmentVariable("OOMSCOPE_ANATOMY_SAVE_KMSG"); !save.isEmpty()) {
            QFile f(save);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(m_kmsg);
        }
        const ParseResult parsed = OomReportParser().parse(m_kmsg);
        const OomEvent *ours = nullptr;
        for (const OomEvent &e : parsed.events) {
            if (e.oomMemcg.endsWith(m_name))
                ours = &e;
        }
        QVERIFY2(ours, m_kmsg.constData());
        const MemInfoSnapshot snap = parseMemInfo(*ours);
        QVERIFY(snap.memcg.form != MemcgStatsForm::None);
        const MemoryAnatomy a = analyseMemory(*ours, snap);
        const AccountingCategory *shmem = a.accounting.category(u"shmem");
        QVERIFY(shmem);
        // The memfd's 40 MiB, as the kernel counted them at the kill.
        QVERIFY2(shmem->kb >= (shmemMib - 1) * 1024 && shmem->kb <= (shmemMib + 1) * 1024,
                 qPrintable(QString::number(shmem->kb)));
        QCOMPARE(a.accounting.dominant, u"shmem"_s);
        QCOMPARE(a.accounting.memcgSwapEnabled, false);
        QVERIFY2(a.accountingStatement.contains(u"cannot be reclaimed without swap"_s),
                 qPrintable(a.accountingStatement));
    }
};

QTEST_GUILESS_MAIN(TestAnatomyLive)
#include "tst_anatomy_live.moc"
