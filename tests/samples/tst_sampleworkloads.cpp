// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for the sample store beyond the numbers: incarnations stitched into workloads, event
// placements, process samples and the CSV recording import (samples, procs, bad and fatal files).
#include "samplestore.h"
#include "samplestorefixture.h"
#include "workspace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace samplestoretest;

namespace {

const QString kPod = u"6a2b1c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"_s;
const QString kContainer1 = u"571031ad0e7dfdb355fb763a1d7302242d79892c24658ea50867668cb25e4531"_s;
const QString kContainer2 = u"f5ac13205eb456846c38b3846609028a70857df26ef549bc4be872e00376b25c"_s;

} // namespace

class TestSampleWorkloads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void incarnationsStitchIntoWorkloads();
    void placements();
    void processSamplesRoundTrip();
    void importRecordingCsv();
    void importBadAndFatalCsv();

private:
    QTemporaryDir m_dir;
    int m_files = 0;
    QString newPath() { return m_dir.filePath(u"ws%1.sqlite"_s.arg(++m_files)); }
};

void TestSampleWorkloads::incarnationsStitchIntoWorkloads()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const QString path1 = u"/kubepods/burstable/pod"_s + kPod + u'/' + kContainer1;
    const QString path2 = u"/kubepods/burstable/pod"_s + kPod + u'/' + kContainer2;
    QCOMPARE(SampleStore::workloadKeyFor(path1), u"pod/"_s + kPod);
    const qint64 s1 = ensure(store, u"node-1"_s, path1);
    const qint64 s2 = ensure(store, u"node-1"_s, path2);
    const qint64 other = ensure(store, u"node-1"_s, u"/system.slice/cron.service"_s);
    const qint64 otherHost = ensure(store, u"node-2"_s, path1);
    QVERIFY(s1 > 0 && s2 > 0 && other > 0 && otherHost > 0);
    QVERIFY(s1 != s2);

    const auto a = store.seriesInfo(s1);
    const auto b = store.seriesInfo(s2);
    QCOMPARE(a->workloadId, b->workloadId);
    QCOMPARE(a->incarnation, 1);
    QCOMPARE(b->incarnation, 2);
    QVERIFY(store.seriesInfo(other)->workloadId != a->workloadId);
    QVERIFY(store.seriesInfo(otherHost)->workloadId != a->workloadId);
    QCOMPARE(store.seriesInfo(otherHost)->incarnation, 1);

    const std::vector<WorkloadInfo> workloads = store.workloads();
    QCOMPARE(workloads.size(), std::size_t(3));
    const auto pod = std::find_if(workloads.begin(), workloads.end(),
                                  [&](const WorkloadInfo &w) { return w.id == a->workloadId; });
    QVERIFY(pod != workloads.end());
    QCOMPARE(pod->kind, u"kubernetes"_s);
    QCOMPARE(pod->podUid, kPod);
    QCOMPARE(pod->seriesCount, 2);
    const auto cron = std::find_if(workloads.begin(), workloads.end(),
                                   [](const WorkloadInfo &w) { return w.key == u"unit/cron.service"_s; });
    QVERIFY(cron != workloads.end());
    QCOMPARE(cron->kind, u"systemd"_s);

    // An explicit key (e.g. a container name from the runtime) wins over the path.
    const qint64 named1 = ensure(store, u"node-1"_s, u"/docker/aaa"_s, u"name/web"_s);
    const qint64 named2 = ensure(store, u"node-1"_s, u"/docker/bbb"_s, u"name/web"_s);
    QCOMPARE(store.seriesInfo(named1)->workloadId, store.seriesInfo(named2)->workloadId);
    QCOMPARE(store.seriesInfo(named2)->incarnation, 2);
    // series(): grouped by workload, then incarnation.
    const std::vector<SeriesInfo> all = store.series();
    QCOMPARE(all.size(), std::size_t(6));
    for (std::size_t i = 1; i < all.size(); ++i) {
        QVERIFY(
            all[i - 1].workloadId < all[i].workloadId
            || (all[i - 1].workloadId == all[i].workloadId && all[i - 1].incarnation < all[i].incarnation));
    }
}

void TestSampleWorkloads::placements()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    const ImportResult imported = ws.importLogFile(dataPath(u"recordings/checkout-leak/kernel.log"_s));
    QVERIFY2(imported.ok, qPrintable(imported.error));
    const std::vector<EventSummary> events = ws.events();
    QCOMPARE(events.size(), std::size_t(1));
    const qint64 eventId = events.front().id;

    SampleStore store(ws);
    const SamplesImportResult samples =
        store.importSamplesCsv(dataPath(u"recordings/checkout-leak/samples.csv"_s), u"lab"_s);
    QVERIFY2(samples.ok, qPrintable(samples.error));
    QCOMPARE(samples.seriesIds.size(), std::size_t(1));
    const qint64 series = samples.seriesIds.front();
    const qint64 unrelated = ensure(store, u"lab"_s, u"/elsewhere"_s);

    QVERIFY(store.setPlacement(eventId, series, 1'795'825'135'000));
    QVERIFY(store.setPlacement(eventId, unrelated, 5));
    QCOMPARE(store.placements(series).size(), std::size_t(1));
    QCOMPARE(store.placements(series).front().timeMs, 1'795'825'135'000);
    QCOMPARE(store.placementsOfEvent(eventId).size(), std::size_t(2));
    // Placing again moves the event instead of adding a second placement.
    QVERIFY(store.setPlacement(eventId, series, 1'795'825'136'000));
    QCOMPARE(store.placements(series).size(), std::size_t(1));
    QCOMPARE(store.placements(series).front().timeMs, 1'795'825'136'000);
    QVERIFY(store.removePlacement(eventId, unrelated));
    QVERIFY(!store.removePlacement(eventId, unrelated));
    QVERIFY(!store.setPlacement(eventId + 100, series, 0)); // no such event (foreign key)

    // Automatic placement by memcg path and wall time (this dmesg log has no wall time: give it
    // one inside the recording, as a timeline alignment would).
    QVERIFY(store.removePlacement(eventId, series));
    execOrFail(RawDb(ws.path()), "UPDATE events SET wall_time_ms = 1795825135000");
    QCOMPARE(store.placeEventsByMemcg(), 1);
    QCOMPARE(store.placements(series).size(), std::size_t(1));
    QCOMPARE(store.placements(unrelated).size(), std::size_t(0));
    QCOMPARE(store.placeEventsByMemcg(), 0); // already placed
}

void TestSampleWorkloads::processSamplesRoundTrip()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/procs"_s);
    std::vector<ProcessSample> rows(3);
    rows[0].timestampMs = 1000;
    rows[0].pid = 42;
    rows[0].comm = u"java"_s;
    rows[0].rssAnonKb = 100;
    rows[0].rssFileKb = 20;
    rows[0].rssShmemKb = 0;
    rows[0].swapKb = 7;
    rows[0].oomScoreAdj = -998;
    rows[0].boottimeSeconds = 12.5;
    rows[1].timestampMs = 1000;
    rows[1].pid = 43;
    rows[1].comm = u"sidecar"_s;
    rows[1].cgroup = u"/procs"_s;
    rows[1].rssKb = 555;
    rows[1].pgtablesKb = 12;
    rows[1].oomScoreAdj = 1000;
    rows[2].timestampMs = 2000;
    rows[2].pid = 42;
    QVERIFY(store.appendProcesses(id, rows));
    const std::vector<ProcessSample> back = store.processSamples(id, 0, 5000);
    QCOMPARE(back.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QCOMPARE(back[i].timestampMs, rows[i].timestampMs);
        QCOMPARE(back[i].pid, rows[i].pid);
        QCOMPARE(back[i].comm, rows[i].comm);
        QCOMPARE(back[i].cgroup, rows[i].cgroup);
        QCOMPARE(back[i].rssKb, rows[i].rssKb);
        QCOMPARE(back[i].rssAnonKb, rows[i].rssAnonKb);
        QCOMPARE(back[i].rssFileKb, rows[i].rssFileKb);
        QCOMPARE(back[i].rssShmemKb, rows[i].rssShmemKb);
        QCOMPARE(back[i].swapKb, rows[i].swapKb);
        QCOMPARE(back[i].pgtablesKb, rows[i].pgtablesKb);
        QCOMPARE(back[i].oomScoreAdj, rows[i].oomScoreAdj);
        QCOMPARE(std::isnan(back[i].boottimeSeconds), std::isnan(rows[i].boottimeSeconds));
    }
    QCOMPARE(back[0].boottimeSeconds, 12.5);
    QCOMPARE(store.processSamples(id, 1500, 5000).size(), std::size_t(1));
}

void TestSampleWorkloads::importRecordingCsv()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const QString samplesPath = dataPath(u"recordings/checkout-leak/samples.csv"_s);
    QFile file(samplesPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const SamplesCsvResult direct = readSamplesCsv(file, defaultCgroupForFile(samplesPath));
    QVERIFY(direct.error.isEmpty());
    file.close();

    const SamplesImportResult r = store.importSamplesCsv(samplesPath, u"lab"_s);
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(!r.alreadyImported);
    QCOMPARE(r.samplesAdded, direct.rows);
    QCOMPARE(r.seriesIds.size(), direct.series.size());
    const auto info = store.seriesInfo(r.seriesIds.front());
    QCOMPARE(info->cgroupPath, u"/oomgt-demo"_s);
    QCOMPARE(info->host, u"lab"_s);
    compareSamples(store.samples(r.seriesIds.front(), 0, std::numeric_limits<std::int64_t>::max()),
                   direct.series.front().samples);
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sources WHERE kind = 'samples'"), 1);

    const SamplesImportResult again = store.importSamplesCsv(samplesPath, u"lab"_s);
    QVERIFY(again.ok);
    QVERIFY(again.alreadyImported);
    QCOMPARE(again.sourceId, r.sourceId);
    QCOMPARE(store.seriesInfo(r.seriesIds.front())->count, direct.rows);

    // Processes, placed on the series of their cgroup (the file has no cgroup column: all here).
    const qint64 series = r.seriesIds.front();
    const ProcsImportResult procs =
        store.importProcsCsv(dataPath(u"recordings/checkout-leak/procs.csv"_s), [&](const ProcessSample &p) {
            return p.pid == 23026 || p.pid == 23025 ? series : 0;
        });
    QVERIFY2(procs.ok, qPrintable(procs.error));
    QVERIFY(procs.rowsAdded > 0);
    QCOMPARE(qint64(store.processSamples(series, 0, std::numeric_limits<std::int64_t>::max()).size()),
             procs.rowsAdded);
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sources WHERE kind = 'procs'"), 1);
}

void TestSampleWorkloads::importBadAndFatalCsv()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);

    const QString bad = m_dir.filePath(u"bad-rows.csv"_s);
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("timestamp,usage_bytes,limit_bytes\n"
                "1700000000000,100,max\n"
                "1700000001000,oops,max\n" // line 3: not a number
                "1700000002000,300\n" // line 4: field count
                "1700000003000,400,1000\n");
    }
    const SamplesImportResult r = store.importSamplesCsv(bad, u"h"_s);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.samplesAdded, 2);
    QCOMPARE(r.skippedRows, 2);
    QCOMPARE(r.warnings.size(), std::size_t(2));
    QCOMPARE(r.warnings[0].line, 3);
    QCOMPARE(r.warnings[1].line, 4);
    const std::vector<ParseWarning> stored = ws.warnings(r.sourceId);
    QCOMPARE(stored.size(), std::size_t(2));
    QCOMPARE(stored[0].line, 3);
    QCOMPARE(store.seriesInfo(r.seriesIds.front())->cgroupPath, u"bad-rows"_s);

    // Fatal: no timestamp column. Nothing is stored.
    const QString fatal = m_dir.filePath(u"fatal.csv"_s);
    {
        QFile f(fatal);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("usage_bytes\n100\n");
    }
    const qint64 sourcesBefore = queryInt(RawDb(ws.path()), "SELECT count(*) FROM sources");
    const SamplesImportResult failed = store.importSamplesCsv(fatal, u"h"_s);
    QVERIFY(!failed.ok);
    QVERIFY(!failed.error.isEmpty());
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sources"), sourcesBefore);

    // A recording that starts before the series' stored samples fails whole: its source row,
    // its warnings and any other cgroup of the file are rolled back.
    const QString early = m_dir.filePath(u"early.csv"_s);
    {
        QFile f(early);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("timestamp,cgroup,usage_bytes\n"
                "1600000000000,/fresh,1\n"
                "1600000000000,bad-rows,1\n"
                "x,bad-rows,1\n");
    }
    const qint64 seriesBefore = qint64(store.series().size());
    const SamplesImportResult rejected = store.importSamplesCsv(early, u"h"_s);
    QVERIFY(!rejected.ok);
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sources"), sourcesBefore);
    QCOMPARE(qint64(store.series().size()), seriesBefore);
    QCOMPARE(store.seriesInfo(r.seriesIds.front())->count, 2);
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM warnings"), 2);
}

QTEST_GUILESS_MAIN(TestSampleWorkloads)
#include "tst_sampleworkloads.moc"
