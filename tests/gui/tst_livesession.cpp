// SPDX-License-Identifier: GPL-3.0-or-later
// Live sessions against a copy of the v1 fixture tree that the test rewrites while the session
// samples it, with a kernel log file the test appends a real report to: samples land in the
// workspace in order and once, the report is imported and placed at its kernel time, stop
// stores the last batch; and through the window, the chart grows.

#include "qcustomplotinclude.h" // must come first, see there

#include "../cgroup/cgroupfixtures.h"
#include "fixturetree.h"
#include "growthchart.h"
#include "livesession.h"
#include "mainwindow.h"
#include "samplestore.h"
#include "samplesview.h"
#include "samplewriter.h"
#include "seriestreemodel.h"
#include "watchdialog.h"
#include "workerthread.h"
#include "workspace.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTreeWidget>

#include <filesystem>
#include <memory>
#include <time.h>

using namespace Qt::StringLiterals;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;
using namespace oomscope;
using cgroupfixtures::kDocker1Path;

namespace {

// The cgroup the recorded report names (tests/data/e2e/kmsg-6.18-memcg-v1-oomkill.kmsg).
const QString kReportPath = u"/oomscope-e2e-10097-436de7fc"_s;
constexpr qint64 kMiB = 1024 * 1024;

double boottimeNowSeconds()
{
    timespec ts {};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// The recorded report with its kernel times moved to now, so it lies on the samples' timeline.
QByteArray reportNow(qint64 *firstUsecOut)
{
    QFile file(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/e2e/kmsg-6.18-memcg-v1-oomkill.kmsg"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> lines = file.readAll().split('\n');
    const qint64 nowUs = qint64(boottimeNowSeconds() * 1e6);
    qint64 firstUsec = -1;
    QByteArray out;
    for (const QByteArray &line : lines) {
        const QList<QByteArray> head = line.left(line.indexOf(';')).split(',');
        if (head.size() < 4)
            continue;
        const qint64 usec = head[2].toLongLong();
        if (firstUsec < 0)
            firstUsec = usec;
        out += head[0] + ',' + head[1] + ',' + QByteArray::number(nowUs + usec - firstUsec) + ','
            + line.mid(line.indexOf(',', head[0].size() + head[1].size() + 2) + 1) + '\n';
    }
    *firstUsecOut = nowUs;
    return out;
}

} // namespace

class TestLiveSession : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_root; // <tmp>/v1: the copy's cgroup root

    QString cgroupDir(const QString &path) const { return m_root + u"/memory"_s + path; }

    // A fresh fixture copy with a cgroup named like the one of the recorded report.
    bool makeFixture()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        if (!m_tmp->isValid())
            return false;
        const QString fixtures = cgroupfixtures::kData;
        m_root = m_tmp->filePath(u"v1"_s);
        return copyFixtureTree(fixtures + u"/v1"_s, m_root)
            && copyFixtureTree(fixtures + u"/proc"_s, m_tmp->filePath(u"proc"_s))
            && copyFixtureTree(cgroupDir(kDocker1Path), cgroupDir(kReportPath))
            && writeFileAtomically(cgroupDir(kReportPath) + u"/memory.limit_in_bytes"_s,
                                   QByteArray::number(64 * kMiB))
            && writeFileAtomically(cgroupDir(kReportPath) + u"/memory.usage_in_bytes"_s,
                                   QByteArray::number(5 * kMiB))
            && writeFileAtomically(cgroupDir(kReportPath) + u"/memory.oom_control"_s,
                                   "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    }

    LiveSessionConfig fixtureConfig(const QStringList &paths) const
    {
        LiveSessionConfig config;
        config.cgroupRoot = m_root;
        config.procRoot = m_tmp->filePath(u"proc"_s);
        config.paths = paths;
        config.intervalMs = 100;
        config.kmsgPath.clear();
        config.host = u"testhost"_s;
        return config;
    }

private Q_SLOTS:
    // The session stores every tick of every present cgroup once, in order, each in the series
    // of its path, and the values the test wrote come back in the order written.
    void samplesStoredInOrder()
    {
        QVERIFY(makeFixture());
        const QString ws = m_tmp->filePath(u"ws.sqlite"_s);
        {
            Workspace w;
            QVERIFY(w.open(ws));
        }
        LiveSession session(fixtureConfig({kDocker1Path, kReportPath, u"/not-there"_s}), ws);
        std::vector<std::int64_t> seenUsage; // of kReportPath, as the GUI receives them
        connect(&session, &LiveSession::samplesStored, this, [&](const StoredSamplesPtr &stored) {
            const qint64 id = session.seriesOfPaths().value(kReportPath);
            for (const auto &[seriesId, samples] : stored->series) {
                if (seriesId == id) {
                    for (const MemorySample &s : samples)
                        seenUsage.push_back(s.usageBytes);
                }
            }
        });
        session.start();
        QTRY_COMPARE(session.seriesOfPaths().size(), 2); // the missing cgroup gets no series
        for (qint64 step = 1; step <= 5; ++step) {
            QVERIFY(writeFileAtomically(cgroupDir(kReportPath) + u"/memory.usage_in_bytes"_s,
                                        QByteArray::number(step * 10 * kMiB)));
            QTRY_VERIFY(!seenUsage.empty() && seenUsage.back() == step * 10 * kMiB);
        }
        session.stop();
        QVERIFY(!session.isRunning());
        QCoreApplication::processEvents(); // the last flush's signal

        Workspace w;
        QVERIFY(w.open(ws));
        const SampleStore store(w);
        const std::vector<SeriesInfo> series = store.series();
        QCOMPARE(series.size(), size_t(2));
        qint64 total = 0;
        for (const SeriesInfo &s : series) {
            QCOMPARE(s.host, u"testhost"_s);
            QVERIFY(s.cgroupPath == kDocker1Path || s.cgroupPath == kReportPath);
            QCOMPARE(session.seriesOfPaths().value(s.cgroupPath), s.id);
            const std::vector<MemorySample> samples =
                store.samples(s.id, 0, std::numeric_limits<std::int64_t>::max());
            QVERIFY(samples.size() >= 5);
            for (std::size_t i = 1; i < samples.size(); ++i)
                QVERIFY2(samples[i].timestampMs > samples[i - 1].timestampMs, "out of order or duplicate");
            total += qint64(samples.size());
            if (s.cgroupPath == kReportPath) {
                QCOMPARE(samples.back().usageBytes, 50 * kMiB);
                QCOMPARE(samples.back().limitBytes, 64 * kMiB);
                for (std::size_t i = 1; i < samples.size(); ++i)
                    QVERIFY(samples[i].usageBytes >= samples[i - 1].usageBytes);
                // Every value the GUI was handed is in the store, in the same order.
                std::vector<std::int64_t> storedUsage;
                for (const MemorySample &m : samples)
                    storedUsage.push_back(m.usageBytes);
                QCOMPARE(storedUsage, seenUsage);
            } else {
                QVERIFY(!store.processSamples(s.id, 0, std::numeric_limits<std::int64_t>::max()).empty());
            }
        }
        QCOMPARE(total, session.samplesStoredCount());
    }

    // The writer on its own thread: a batch delivered twice is stored once, and finish() stores
    // what was still queued (the last batch) before the thread is joined.
    void writerStoresLastBatchOnce()
    {
        QVERIFY(makeFixture());
        const QString ws = m_tmp->filePath(u"ws.sqlite"_s);
        WorkerThread thread(u"storage"_s);
        SampleWriterConfig config;
        config.workspacePath = ws;
        config.host = u"h"_s;
        config.flushIntervalMs = 60'000; // nothing is stored before finish()
        SampleWriter *writer = thread.adopt(new SampleWriter(config));
        QSignalSpy ready(writer, &SampleWriter::seriesReady);
        thread.start();
        writer->open();
        writer->addPaths({u"/a"_s});
        QVERIFY(ready.wait());
        std::vector<SampleBatchPtr> batches;
        for (int i = 0; i < 4; ++i) {
            auto b = std::make_shared<SampleBatch>();
            b->tick = i;
            b->timestampMs = 1'700'000'000'000 + i * 100;
            SampledCgroup c;
            c.path = u"/a"_s;
            c.present = true;
            c.memory.timestampMs = b->timestampMs;
            c.memory.usageBytes = (i + 1) * kMiB;
            b->cgroups.push_back(c);
            batches.push_back(b);
        }
        for (const SampleBatchPtr &b : batches)
            writer->writeBatch(b);
        writer->writeBatch(batches[2]); // again: must not be stored twice
        QMetaObject::invokeMethod(writer, &SampleWriter::finish, Qt::BlockingQueuedConnection);
        thread.stop();

        Workspace w;
        QVERIFY(w.open(ws));
        const SampleStore store(w);
        const std::optional<qint64> id = store.findSeries(u"h"_s, u"/a"_s);
        QVERIFY(id);
        const std::vector<MemorySample> samples =
            store.samples(*id, 0, std::numeric_limits<std::int64_t>::max());
        QCOMPARE(samples.size(), size_t(4));
        QCOMPARE(samples.back().usageBytes, 4 * kMiB);
        QCOMPARE(samples.back().timestampMs, batches.back()->timestampMs);
    }

    // A report appended to the kernel log file is imported the moment it is complete and placed
    // on the series of the cgroup it names, at its kernel time on the samples' clock; the
    // oom_kill counter's kill is explained by it (no note).
    void oomReportImportedAndPlaced()
    {
        QVERIFY(makeFixture());
        const QString ws = m_tmp->filePath(u"ws.sqlite"_s);
        const QString kmsg = m_tmp->filePath(u"kmsg"_s);
        QVERIFY(writeFileAtomically(kmsg, {}));
        LiveSessionConfig config = fixtureConfig({kDocker1Path, kReportPath});
        config.kmsgPath = kmsg;
        LiveSession session(config, ws);
        QSignalSpy stored(&session, &LiveSession::oomEventStored);
        QSignalSpy withoutReport(&session, &LiveSession::killWithoutReport);
        session.start();
        QTRY_VERIFY(session.kernelLogAvailable());
        QTRY_VERIFY(session.samplesStoredCount() >= 4);

        QVERIFY(writeFileAtomically(cgroupDir(kReportPath) + u"/memory.oom_control"_s,
                                    "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"));
        qint64 reportUs = 0;
        const QByteArray report = reportNow(&reportUs);
        QVERIFY(!report.isEmpty());
        const qint64 expectedWallMs = QDateTime::currentMSecsSinceEpoch();
        {
            QFile file(kmsg);
            QVERIFY(file.open(QIODevice::Append));
            QCOMPARE(file.write(report), report.size());
        }
        QVERIFY(stored.wait(5000));
        const qint64 eventId = stored.at(0).at(0).toLongLong();
        const qint64 seriesId = stored.at(0).at(1).toLongLong();
        const qint64 timeMs = stored.at(0).at(2).toLongLong();
        QCOMPARE(seriesId, session.seriesOfPaths().value(kReportPath));
        // The report's first record is "now" on CLOCK_BOOTTIME; the kill line 0.46 ms later.
        QVERIFY2(std::abs(timeMs - expectedWallMs) < 250,
                 qPrintable(u"placed at %1, expected about %2"_s.arg(timeMs).arg(expectedWallMs)));
        // Give the counter's kill its grace period: the report explains it.
        QTest::qWait(config.reportGraceMs + 300);
        QCOMPARE(withoutReport.count(), 0);
        session.stop();
        QVERIFY(session.notes().isEmpty());

        Workspace w;
        QVERIFY(w.open(ws));
        const std::optional<OomEvent> event = w.event(eventId);
        QVERIFY(event);
        QCOMPARE(event->victim.pid, std::int64_t(10100));
        QCOMPARE(event->oomMemcg, kReportPath);
        QCOMPARE(w.sources().size(), size_t(1));
        const SampleStore store(w);
        const std::vector<EventPlacement> placements = store.placementsOfEvent(eventId);
        QCOMPARE(placements.size(), size_t(1));
        QCOMPARE(placements[0].seriesId, seriesId);
        QCOMPARE(placements[0].timeMs, timeMs);
        const auto range = store.timeRange(seriesId);
        QVERIFY(range && range->first <= timeMs && timeMs <= range->second + 200);
    }

    // Without a kernel log the counter's kill becomes a note after the grace period.
    void counterKillWithoutReportIsNoted()
    {
        QVERIFY(makeFixture());
        LiveSessionConfig config = fixtureConfig({kReportPath});
        config.reportGraceMs = 300;
        LiveSession session(config, m_tmp->filePath(u"ws.sqlite"_s));
        QSignalSpy withoutReport(&session, &LiveSession::killWithoutReport);
        session.start();
        QTRY_VERIFY(session.samplesStoredCount() >= 2);
        QVERIFY(writeFileAtomically(cgroupDir(kReportPath) + u"/memory.oom_control"_s,
                                    "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"));
        QVERIFY(withoutReport.wait(5000));
        QCOMPARE(withoutReport.at(0).at(0).toString(), kReportPath);
        QCOMPARE(withoutReport.at(0).at(2).toLongLong(), 2);
        QCOMPARE(session.notes().size(), 1);
        QCOMPARE(session.eventsStoredCount(), 0);
    }

    // Through the window: the dialog picks a cgroup on the fixture tree, the session starts,
    // the series appears checked in the tree and the chart's usage graph gains points.
    void windowChartGrows()
    {
        QVERIFY(makeFixture());
        MainWindow window(m_tmp->filePath(u"ws.sqlite"_s));
        window.resize(1280, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        WatchDialog dialog(&window, m_root);
        dialog.setProcRoot(m_tmp->filePath(u"proc"_s));
        QVERIFY(dialog.tree()->topLevelItemCount() > 0);
        QVERIFY(dialog.setPathChecked(kReportPath, true));
        QVERIFY(!dialog.setPathChecked(u"/nope"_s, true));
        dialog.setIntervalMs(100);
        dialog.setKmsgPath(QString());
        const LiveSessionConfig config = dialog.sessionConfig();
        QCOMPARE(config.paths, QStringList {kReportPath});
        QCOMPARE(config.intervalMs, 100);
        QVERIFY(window.startLiveSession(config));

        LiveSession *session = window.liveSession();
        QVERIFY(session);
        QTRY_VERIFY(session->seriesOfPaths().contains(kReportPath));
        const qint64 id = session->seriesOfPaths().value(kReportPath);
        QTRY_VERIFY(window.samplesView()->treeModel()->indexOfSeries(id).isValid());
        QTRY_VERIFY(window.samplesView()->chart()->usageGraph(id) != nullptr);
        QCPGraph *graph = window.samplesView()->chart()->usageGraph(id);
        QTRY_VERIFY(graph->dataCount() >= 3);
        const int before = graph->dataCount();
        for (qint64 step = 1; step <= 6; ++step) {
            QVERIFY(writeFileAtomically(cgroupDir(kReportPath) + u"/memory.usage_in_bytes"_s,
                                        QByteArray::number(step * 8 * kMiB)));
            QTest::qWait(120);
        }
        QTRY_VERIFY(window.samplesView()->chart()->usageGraph(id)->dataCount() >= before + 5);
        graph = window.samplesView()->chart()->usageGraph(id);
        QTRY_COMPARE((graph->data()->constEnd() - 1)->value, double(48 * kMiB));

        if (const QByteArray shot = qgetenv("OOMSCOPE_LIVE_SCREENSHOT"); !shot.isEmpty()) {
            window.samplesView()->chart()->replotNow();
            QVERIFY(window.grab().save(QString::fromLocal8Bit(shot)));
        }
        window.close(); // stops the session: threads joined
        QVERIFY(!session->isRunning());
    }
};

QTEST_MAIN(TestLiveSession)
#include "tst_livesession.moc"
