// SPDX-License-Identifier: GPL-3.0-or-later
// A live session against the real kernel: a hog grows in a 64 MiB v1 memory cgroup sampled every
// 100 ms until the kernel kills it; the workspace must hold the samples and the kill's report,
// placed within one sample interval of the fall in usage. Needs root, a writable cgroup v1
// memory hierarchy and /dev/kmsg (as tests/sampler/tst_sampler_live); skips otherwise.

#include "livesession.h"
#include "samplestore.h"
#include "scratchcgroup.h"
#include "workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

constexpr std::int64_t kLimitBytes = 64 * 1024 * 1024;
constexpr int kIntervalMs = 100;
const auto kNamePrefix = "oomscope-live-"_L1;

} // namespace

class TestLiveSessionLive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killStoredAndPlaced()
    {
        const Result<MemoryHierarchy> hierarchy = liveHierarchy();
        if (!hierarchy)
            QSKIP(qPrintable(hierarchy.error().message));
        const QString hog = QStringLiteral(OOMSCOPE_E2E_HOG);
        QVERIFY2(QFileInfo(hog).isExecutable(), qPrintable(hog));

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString ws = tmp.filePath(u"ws.sqlite"_s);
        const QString name = ScratchCgroup::uniqueName(kNamePrefix);
        const QString path = u'/' + name;
        ScratchCgroup scratch(*hierarchy, path);
        const Result<void> created = scratch.create(kLimitBytes);
        QVERIFY2(created, qPrintable(errorOf(created)));

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

            const Result<pid_t> spawned = scratch.spawn({hog, u"2"_s, u"512"_s, u"40"_s});
            QVERIFY2(spawned, qPrintable(errorOf(spawned)));
            const pid_t hogPid = *spawned;
            int status = 0;
            bool reaped = false; // QTRY evaluates once more after success: reap only once
            QTRY_VERIFY_WITH_TIMEOUT(reaped || (reaped = tryReap(hogPid, &status)), 20000);
            scratch.forget(hogPid);
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
        // The kernel prints the report, then kills; the victim's memory is freed as it exits (or
        // the OOM reaper frees it), which on a loaded machine takes a while: a sample may still
        // read the full usage up to half a second after the placed kill (111 ms seen with a
        // parallel build). The kill is never placed after the usage fell.
        constexpr qint64 kFreeingMs = 500;
        QVERIFY2(
            placedMs >= before - kFreeingMs && placedMs <= after + kIntervalMs,
            qPrintable(
                u"kill placed at %1, usage fell between %2 and %3"_s.arg(placedMs).arg(before).arg(after)));
        qInfo("kill placed %lld ms after the last full sample, %lld ms before the first empty one",
              qlonglong(placedMs - before), qlonglong(after - placedMs));
    }
};

QTEST_GUILESS_MAIN(TestLiveSessionLive)
#include "tst_livesession_live.moc"
