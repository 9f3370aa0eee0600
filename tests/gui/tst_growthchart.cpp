// SPDX-License-Identifier: GPL-3.0-or-later
// The growth chart and the Timeline tab: the series tree's model contract, the bundled recording
// charted with its limit and its kill where the kernel put it, clicking the kill, bounded point
// counts for a large series, live appends coalesced into few replots, the drawing shared with the
// reports (GrowthPlot from plain data) and the per-thread read connections the queries use.
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "eventlistmodel.h"
#include "growthchart.h"
#include "growthplot.h"
#include "guitestutil.h"
#include "importjob.h"
#include "mainwindow.h"
#include "readconnections.h"
#include "samplestore.h"
#include "samplesview.h"
#include "seriestreemodel.h"
#include "workspace.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString recordingDir = QStringLiteral(OOMSCOPE_TEST_DATA) + u"/recordings/checkout-leak"_s;
const QString threeKillsLog =
    QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
constexpr double kLimitBytes = 134217728.0; // 128 MiB, truth.json's limit_bytes
constexpr qint64 kSampleIntervalMs = 100;

RecordingImportRequest demoRequest()
{
    RecordingImportRequest r;
    r.samplesPath = recordingDir + u"/samples.csv"_s;
    r.procsPath = recordingDir + u"/procs.csv"_s;
    r.logPaths = {recordingDir + u"/kernel.log"_s, threeKillsLog};
    return r;
}

QJsonObject truth()
{
    QFile file(recordingDir + u"/truth.json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The kill's wall time from truth.json and samples.csv alone: the kill's dmesg time minus the
// recorded dmesg − boottime offset is its CLOCK_BOOTTIME, interpolated between the two samples
// whose boottime_s bracket it.
std::optional<qint64> truthKillWallMs()
{
    const QJsonObject t = truth();
    const double killBoottime = t.value(u"kills"_s).toArray().at(0).toObject().value(u"dmesg_ts"_s).toDouble()
        - t.value(u"clock"_s).toObject().value(u"dmesg_minus_boottime_s"_s).toDouble();
    QFile csv(recordingDir + u"/samples.csv"_s);
    if (!csv.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QList<QByteArray> header = csv.readLine().trimmed().split(',');
    const qsizetype timeColumn = header.indexOf("timestamp");
    const qsizetype bootColumn = header.indexOf("boottime_s");
    double previousBoot = 0;
    qint64 previousMs = 0;
    while (!csv.atEnd()) {
        const QList<QByteArray> fields = csv.readLine().trimmed().split(',');
        const qint64 ms = fields.value(timeColumn).toLongLong();
        const double boot = fields.value(bootColumn).toDouble();
        if (boot >= killBoottime && previousMs != 0)
            return previousMs + qint64(std::llround((killBoottime - previousBoot) * 1000.0));
        previousBoot = boot;
        previousMs = ms;
    }
    return std::nullopt;
}

bool importDemo(const QString &workspacePath)
{
    return guitest::importIntoWorkspace(workspacePath, demoRequest());
}

MemorySample sampleAt(std::int64_t timeMs, std::int64_t usageBytes)
{
    MemorySample s;
    s.timestampMs = timeMs;
    s.usageBytes = usageBytes;
    s.inactiveFileBytes = usageBytes / 8;
    s.anonBytes = usageBytes - usageBytes / 8;
    s.limitBytes = std::int64_t(1) << 30;
    s.failcnt = 0;
    return s;
}

} // namespace

class TestGrowthChart : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void seriesTreeModel();
    void bundledRecordingHasLimitAndKillMarker();
    void clickingTheKillSelectsItsEvent();
    void largeSeriesKeepsPointCountBounded();
    void liveAppendsCoalesce();
    void liveChartStaysBoundedAndCoversTheSession();
    void recordingCommandLine();
    void plotFromPlainDataMatchesTheWidget();
    void legendEntriesFitTheWidth();
    void trendLabelWords();
    void readConnectionsPerThread();
};

void TestGrowthChart::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(QFile::exists(recordingDir + u"/samples.csv"_s));
    QVERIFY(QFile::exists(threeKillsLog));
}

void TestGrowthChart::seriesTreeModel()
{
    QTemporaryDir dir;
    Workspace workspace;
    QVERIFY(workspace.open(dir.filePath(u"ws.sqlite"_s)));
    SampleStore store(workspace);
    const QString pod = u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_"
                        u"90ef_aaaa_bbbbccccdddd.slice/cri-containerd-"_s;
    const qint64 a1 = store.ensureSeries(u"node-a"_s, pod + u"1111.scope"_s).value_or(0);
    const qint64 a2 = store.ensureSeries(u"node-a"_s, pod + u"2222.scope"_s).value_or(0);
    const qint64 b = store.ensureSeries(u"node-b"_s, u"/system.slice/web.service"_s).value_or(0);
    QVERIFY(a1 && a2 && b);
    const std::vector<MemorySample> samples = {sampleAt(1000, 100), sampleAt(1100, 200)};
    QVERIFY(store.append(a1, samples).ok);

    SeriesTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSeries(store.workloads(), store.series());
    QCOMPARE(model.rowCount(), 2); // two hosts
    const QModelIndex a1Index = model.indexOfSeries(a1);
    QVERIFY(a1Index.isValid());
    const QModelIndex workload = a1Index.parent();
    QVERIFY(workload.isValid());
    QCOMPARE(workload.data(SeriesTreeModel::NodeKindRole).toInt(), int(SeriesTreeModel::WorkloadNode));
    QCOMPARE(workload.parent().data().toString(), u"node-a"_s);
    // The same pod's containers are incarnations of one workload.
    QCOMPARE(model.rowCount(workload), 2);
    QCOMPARE(model.indexOfSeries(a2).parent(), workload);
    QCOMPARE(model.index(a1Index.row(), SeriesTreeModel::SamplesColumn, workload).data().toString(), u"2"_s);

    QSignalSpy changed(&model, &SeriesTreeModel::checkedSeriesChanged);
    QVERIFY(model.checkedSeries().empty());
    QVERIFY(model.setData(a1Index, Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(model.checkedSeries(), std::vector<qint64> {a1});
    QCOMPARE(workload.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::PartiallyChecked);
    // The workload's box checks all its incarnations.
    QVERIFY(model.setData(workload, Qt::Checked, Qt::CheckStateRole));
    std::vector<qint64> checked = model.checkedSeries();
    std::sort(checked.begin(), checked.end());
    QCOMPARE(checked, (std::vector<qint64> {a1, a2}));
    QCOMPARE(changed.count(), 2);
    // A reload keeps the checks.
    model.setSeries(store.workloads(), store.series());
    QCOMPARE(model.checkedSeries().size(), std::size_t(2));
    QVERIFY(!model.setData(model.index(0, 0), Qt::Checked, Qt::CheckStateRole)); // hosts have no box

    // Live samples are counted as they are stored: only those after the series' newest known
    // one (a reload may have read the others), up to the workload and host rows.
    QSignalSpy counts(&model, &QAbstractItemModel::dataChanged);
    StoredSamples stored;
    stored.series.emplace_back(a1, std::vector<MemorySample> {sampleAt(1100, 200), sampleAt(1200, 300)});
    stored.series.emplace_back(a2, std::vector<MemorySample> {sampleAt(5000, 100)});
    QVERIFY(model.addStoredSamples(stored));
    const QModelIndex a1Row = model.indexOfSeries(a1);
    auto countOf = [&model](const QModelIndex &index) {
        return model.index(index.row(), SeriesTreeModel::SamplesColumn, index.parent()).data().toString();
    };
    QCOMPARE(countOf(a1Row), u"3"_s);
    QCOMPARE(countOf(model.indexOfSeries(a2)), u"1"_s);
    QCOMPARE(countOf(a1Row.parent()), u"4"_s);
    QCOMPARE(countOf(a1Row.parent().parent()), u"4"_s);
    QCOMPARE(model.seriesInfo(a1)->lastMs, std::optional<std::int64_t>(1200));
    QCOMPARE(model.seriesInfo(a2)->firstMs, std::optional<std::int64_t>(5000));
    QCOMPARE(counts.count(), 4); // two series, their workload, their host
    // A series the tree has not read yet: the caller reloads.
    StoredSamples unknown;
    unknown.series.emplace_back(b + 1000, std::vector<MemorySample> {sampleAt(1, 1)});
    QVERIFY(!model.addStoredSamples(unknown));
}

void TestGrowthChart::bundledRecordingHasLimitAndKillMarker()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"ws.sqlite"_s);
    QVERIFY(importDemo(path));
    Workspace workspace;
    QVERIFY(workspace.open(path));
    const std::vector<EventSummary> events = workspace.events();
    QCOMPARE(events.size(), std::size_t(4));
    const auto kill = std::find_if(events.begin(), events.end(), [](const EventSummary &e) {
        return e.victimPid
            == truth().value(u"kills"_s).toArray().at(0).toObject().value(u"pid"_s).toInteger();
    });
    QVERIFY(kill != events.end());

    SamplesView view;
    // Wide enough for the recording's 1130 samples raw beside the tree and the verdict (the
    // chart gets ~600 px of it, at 2.4 points per pixel).
    view.resize(1400, 600);
    QSignalSpy loaded(view.chart(), &GrowthChart::dataLoaded);
    view.reload(&workspace, events);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(loaded.wait(10000));

    // The recording's series is checked on its own, because a kill is placed on it.
    const std::vector<qint64> checked = view.treeModel()->checkedSeries();
    QCOMPARE(checked.size(), std::size_t(1));
    const qint64 seriesId = checked.front();
    GrowthChart *chart = view.chart();

    // The limit line: 128 MiB over the whole range. It never changed, so it is drawn from its
    // first and last sample (a step line keeps only the ends of a run of equal values).
    QTRY_COMPARE(chart->levelShown(seriesId), 0); // 1130 samples fit the width: raw samples
    QCOMPARE(chart->usageGraph(seriesId)->dataCount(),
             int(truth().value(u"observed"_s).toObject().value(u"n_samples"_s).toInt()));
    QCPGraph *limit = chart->limitGraph(seriesId);
    QVERIFY(limit && limit->visible());
    QCOMPARE(limit->dataCount(), 2);
    for (auto it = limit->data()->constBegin(); it != limit->data()->constEnd(); ++it)
        QCOMPARE(it->value, kLimitBytes);
    const SampleStore store(workspace);
    const std::optional<SeriesInfo> info = store.seriesInfo(seriesId);
    QVERIFY(info);
    QCOMPARE(limit->data()->constBegin()->key, double(*info->firstMs) / 1000.0);
    QCOMPARE((limit->data()->constEnd() - 1)->key, double(*info->lastMs) / 1000.0);

    // One kill marker, on the event's placement and within one sample of the true kill time.
    const std::vector<ChartMarker> markers = chart->markers();
    QCOMPARE(markers.size(), std::size_t(1));
    QCOMPARE(markers.front().eventId, kill->id);
    QVERIFY(markers.front().victim.startsWith(u"checkout_svc.py"_s));
    const std::vector<EventPlacement> placements = store.placementsOfEvent(kill->id);
    QCOMPARE(placements.size(), std::size_t(1));
    QCOMPARE(placements.front().seriesId, seriesId);
    QCOMPARE(markers.front().timeMs, placements.front().timeMs);
    const std::optional<qint64> truthMs = truthKillWallMs();
    QVERIFY(truthMs);
    qInfo("kill marker %lld ms from the true kill time", qlonglong(markers.front().timeMs - *truthMs));
    QVERIFY2(std::abs(markers.front().timeMs - *truthMs) <= kSampleIntervalMs,
             qPrintable(u"marker %1 ms, truth %2 ms"_s.arg(markers.front().timeMs).arg(*truthMs)));
    // The other log's kills belong to other cgroups and another time: not placed.
    for (const EventSummary &e : events) {
        if (e.id != kill->id)
            QVERIFY(store.placementsOfEvent(e.id).empty());
    }
    // The crosshair reads the values at the kill in human units with exact bytes.
    const QString text = chart->crosshairText(double(markers.front().timeMs) / 1000.0);
    QVERIFY2(text.contains(u"limit  128.0 MiB  (134,217,728 B)"_s), qPrintable(text));

    // Hovering shows that text by the cursor (set OOMSCOPE_TEST_GRABS=dir to look at it).
    chart->replotNow();
    const double hoverKey = double(markers.front().timeMs - 5000) / 1000.0;
    const QPoint hover(int(chart->plot()->xAxis->coordToPixel(hoverKey)),
                       chart->plot()->axisRect()->center().y());
    QTest::mouseMove(chart->plot(), hover);
    QTRY_VERIFY(chart->plot()->itemCount() > 0);
    if (const QByteArray grabs = qgetenv("OOMSCOPE_TEST_GRABS"); !grabs.isEmpty())
        view.grab().save(QString::fromLocal8Bit(grabs) + u"/growth-hover.png"_s);
}

void TestGrowthChart::clickingTheKillSelectsItsEvent()
{
    QTemporaryDir dir;
    MainWindow window(dir.filePath(u"ws.sqlite"_s));
    QVERIFY(guitest::showAndImport(window, demoRequest()));
    // A recording opens on its timeline.
    QCOMPARE(window.currentDetailTab(), MainWindow::TimelineTab);
    GrowthChart *chart = window.samplesView()->chart();
    const std::vector<ChartMarker> markers = chart->markers();
    QCOMPARE(markers.size(), std::size_t(1));
    const qint64 killId = markers.front().eventId;

    // Select another event, so the click has something to change.
    QTableView *events = window.eventView();
    QCOMPARE(events->model()->rowCount(), 4);
    for (int row = 0; row < events->model()->rowCount(); ++row) {
        const QModelIndex index = events->model()->index(row, 0);
        if (index.data(EventListModel::EventIdRole).toLongLong() != killId) {
            events->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            break;
        }
    }
    QVERIFY(window.currentEventId() != killId);
    window.showDetailTab(MainWindow::TimelineTab);
    QTRY_VERIFY(chart->levelShown(markers.front().seriesId) >= 0);
    chart->replotNow();
    const std::optional<QPoint> labelPos = chart->markerLabelPosition(killId);
    QVERIFY(labelPos);

    QSignalSpy activated(chart, &GrowthChart::eventActivated);
    QTest::mouseClick(chart->plot(), Qt::LeftButton, {}, *labelPos);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(window.currentEventId(), killId);
    QCOMPARE(window.currentDetailTab(), MainWindow::DecisionTab);
    const QModelIndex current = events->currentIndex();
    QCOMPARE(current.data(EventListModel::EventIdRole).toLongLong(), killId);

    // The handler alone does the same for the marker's line.
    window.showDetailTab(MainWindow::TimelineTab);
    events->selectionModel()->setCurrentIndex(
        events->model()->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    chart->activateMarker(killId);
    QCOMPARE(window.currentEventId(), killId);
}

void TestGrowthChart::largeSeriesKeepsPointCountBounded()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"ws.sqlite"_s);
    Workspace workspace;
    QVERIFY(workspace.open(path));
    SampleStore store(workspace);
    const qint64 id = store.ensureSeries(u"bench"_s, u"/big.slice"_s).value_or(0);
    constexpr qint64 kSamples = 2'000'000;
    const std::int64_t startMs = 1'700'000'000'000;
    std::vector<MemorySample> batch;
    QElapsedTimer timer;
    timer.start();
    for (qint64 first = 0; first < kSamples; first += 250'000) {
        batch.clear();
        for (qint64 i = first; i < first + 250'000; ++i)
            batch.push_back(
                sampleAt(startMs + i * kSampleIntervalMs, (std::int64_t(100) << 20) + (i % 5000) * 4096));
        QVERIFY(store.append(id, batch).ok);
    }
    qInfo("stored %lld samples in %lld ms", kSamples, timer.elapsed());

    GrowthChart chart;
    chart.resize(1000, 500);
    chart.setWorkspacePath(path);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QSignalSpy loaded(&chart, &GrowthChart::dataLoaded);
    const std::optional<SeriesInfo> info = store.seriesInfo(id);
    QVERIFY(info);
    chart.setSeries({ChartSeriesSpec {id, u"big"_s, Qt::blue, *info->firstMs, *info->lastMs}}, {});
    QVERIFY(loaded.wait(30000));
    const int widthPx = chart.plot()->axisRect()->width();
    QVERIFY(widthPx > 100);
    const int bound = 3 * std::max(widthPx, 200);
    QTRY_VERIFY(chart.levelShown(id) > 0); // 2M samples never reach the chart raw
    QVERIFY2(chart.usageGraph(id)->dataCount() <= bound,
             qPrintable(QString::number(chart.usageGraph(id)->dataCount())));
    QVERIFY(chart.usageGraph(id)->dataCount() > 10);

    // Zoomed to 1/100 of the range: a finer level, still bounded.
    const int wideLevel = chart.levelShown(id);
    loaded.clear();
    const QCPRange full = chart.plot()->xAxis->range();
    chart.plot()->xAxis->setRange(full.center(), full.size() / 100.0, Qt::AlignCenter);
    QVERIFY(loaded.wait(30000));
    QVERIFY(chart.levelShown(id) < wideLevel);
    QVERIFY(chart.usageGraph(id)->dataCount() <= bound);

    // Zoomed to 5 s: the raw samples themselves.
    loaded.clear();
    chart.plot()->xAxis->setRange(full.center(), 5.0, Qt::AlignCenter);
    QVERIFY(loaded.wait(30000));
    QCOMPARE(chart.levelShown(id), 0);
    QVERIFY(chart.usageGraph(id)->dataCount() >= 50);
    QVERIFY(chart.usageGraph(id)->dataCount() <= 70); // 5 s + 10 % either side at 100 ms
}

void TestGrowthChart::liveAppendsCoalesce()
{
    GrowthChart chart;
    chart.resize(800, 400);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const std::int64_t startMs = 1'700'000'000'000;
    chart.setSeries({ChartSeriesSpec {7, u"live"_s, Qt::blue, startMs, startMs}}, {});
    QSignalSpy replots(chart.plot(), &QCustomPlot::afterReplot);
    QTest::qWait(100);
    replots.clear();

    // A sampler delivering 1000 samples, five at a time, with the event loop running between.
    QElapsedTimer elapsed;
    elapsed.start();
    std::int64_t t = startMs;
    for (int burst = 0; burst < 200; ++burst) {
        std::vector<MemorySample> samples;
        for (int i = 0; i < 5; ++i) {
            t += 10;
            samples.push_back(sampleAt(t, 1000 + burst));
        }
        chart.appendLiveSamples(7, samples);
        QTest::qWait(1);
    }
    const qint64 burstMs = elapsed.elapsed();
    QTRY_COMPARE(chart.usageGraph(7)->dataCount(), 1000);
    QCOMPARE((chart.usageGraph(7)->data()->constEnd() - 1)->key, double(t) / 1000.0);
    QTest::qWait(100);
    qInfo("%d appends in %lld ms: %d flushes, %d replots", 200, burstMs, chart.liveFlushCount(),
          int(replots.count()));
    // One flush (and one replot) per 40 ms at most, not one per append.
    const qint64 allowed = (burstMs + 100) / 40 + 3;
    QVERIFY2(replots.count() >= 1, "the appended samples were never drawn");
    QVERIFY2(replots.count() <= allowed && replots.count() < 50,
             qPrintable(u"%1 replots in %2 ms"_s.arg(replots.count()).arg(burstMs)));
    QVERIFY(chart.liveFlushCount() <= allowed);
}

// A live session of one cgroup at 10 Hz for an hour: each batch is stored, then handed to the
// chart (as the window does). Whichever way the chart looks — the whole session, the newest
// minute, the past — it holds a bounded number of points, and the whole session is there when
// it zooms out: from the store's level of detail, not from samples it kept.
void TestGrowthChart::liveChartStaysBoundedAndCoversTheSession()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"ws.sqlite"_s);
    Workspace workspace;
    QVERIFY(workspace.open(path));
    SampleStore store(workspace);
    const qint64 id = store.ensureSeries(u"node"_s, u"/live.slice"_s).value_or(0);
    QVERIFY(id > 0);
    const std::int64_t startMs = 1'700'000'000'000;
    std::int64_t nextMs = startMs;
    qint64 delivered = 0;
    // A sawtooth: 100 samples (10 s) per batch, as an attached node's batches come.
    auto storeBatch = [&] {
        std::vector<MemorySample> batch;
        for (int i = 0; i < 100; ++i, nextMs += kSampleIntervalMs)
            batch.push_back(sampleAt(nextMs, (std::int64_t(64) << 20) + (nextMs / 100 % 3000) * 8192));
        const bool ok = store.append(id, batch).ok;
        delivered += qint64(batch.size());
        return std::pair {ok, batch};
    };

    GrowthChart chart;
    chart.resize(900, 450);
    chart.setWorkspacePath(path);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const auto [firstOk, first] = storeBatch();
    QVERIFY(firstOk);
    QSignalSpy loaded(&chart, &GrowthChart::dataLoaded);
    chart.setSeries({ChartSeriesSpec {id, u"live"_s, Qt::blue, startMs, first.back().timestampMs}}, {});
    QVERIFY(loaded.wait(10000));
    const int widthPx = chart.plot()->axisRect()->width();
    QVERIFY(widthPx > 300);
    // Every graph of the series under 5 points per pixel; the session delivers far more.
    const qint64 bound = qint64(chart.plot()->graphCount()) * 5 * widthPx;
    qint64 mostHeld = 0;
    auto run = [&](int batches) {
        for (int b = 0; b < batches; ++b) {
            const auto [ok, batch] = storeBatch();
            if (!ok)
                return false;
            chart.appendLiveSamples(id, batch);
            QTest::qWait(2);
            mostHeld = std::max(mostHeld, chart.pointCount());
        }
        QTest::qWait(100); // the last flush
        return true;
    };
    auto settle = [&] {
        QTRY_VERIFY_WITH_TIMEOUT(!chart.isQueryPending(), 10000);
    };

    // The whole session (the view fitted the data): it grows with the session.
    QVERIFY(run(180)); // 30 min
    settle();
    const std::int64_t halfMs = nextMs - kSampleIntervalMs;
    QVERIFY2(mostHeld <= bound, qPrintable(u"%1 points held, bound %2"_s.arg(mostHeld).arg(bound)));
    QVERIFY(delivered * chart.plot()->graphCount() > 3 * bound); // kept all, it would fail
    QCPRange range = chart.plot()->xAxis->range();
    QVERIFY(range.lower <= double(startMs) / 1000.0);
    QVERIFY(range.upper >= double(halfMs) / 1000.0);

    // The newest minute: it slides along, what scrolls out is dropped.
    chart.plot()->xAxis->setRange(double(halfMs) / 1000.0 - 60.0, double(halfMs) / 1000.0 + 0.5);
    QVERIFY(loaded.wait(10000));
    QVERIFY(run(60)); // 10 min
    settle();
    QVERIFY2(mostHeld <= bound, qPrintable(u"%1 points held, bound %2"_s.arg(mostHeld).arg(bound)));
    range = chart.plot()->xAxis->range();
    QVERIFY(range.upper >= double(nextMs - kSampleIntervalMs) / 1000.0);
    QVERIFY(range.size() < 62.0);
    QCPGraph *usage = chart.usageGraph(id);
    QCOMPARE((usage->data()->constEnd() - 1)->key, double(nextMs - kSampleIntervalMs) / 1000.0);
    QVERIFY(usage->data()->constBegin()->key >= range.lower - range.size());
    QVERIFY(usage->dataCount() < 1000); // about the minute in view, raw

    // The past: nothing new to draw, nothing kept, no replot.
    chart.plot()->xAxis->setRange(double(startMs) / 1000.0, double(startMs) / 1000.0 + 60.0);
    QVERIFY(loaded.wait(10000));
    settle();
    QTest::qWait(50);
    const qint64 heldInThePast = chart.pointCount();
    QSignalSpy replots(chart.plot(), &QCustomPlot::afterReplot);
    QVERIFY(run(60)); // 10 min more
    QCOMPARE(chart.pointCount(), heldInThePast);
    QCOMPARE(replots.count(), 0);
    QCOMPARE(chart.plot()->xAxis->range().lower, double(startMs) / 1000.0);

    // Fit All: the whole 50 minutes from the store, at a level of detail.
    const std::int64_t lastMs = nextMs - kSampleIntervalMs;
    QCOMPARE(chart.dataRangeMs(), std::pair(startMs, lastMs));
    loaded.clear();
    chart.fitAll();
    QVERIFY(loaded.wait(10000));
    settle();
    QVERIFY(chart.levelShown(id) > 0);
    usage = chart.usageGraph(id);
    const std::int64_t bucketMs = SampleStore::levelWidthsMs()[std::size_t(chart.levelShown(id) - 1)];
    QVERIFY(usage->data()->constBegin()->key <= double(startMs + bucketMs) / 1000.0);
    QVERIFY((usage->data()->constEnd() - 1)->key >= double(lastMs - bucketMs) / 1000.0);
    QVERIFY(chart.pointCount() <= bound);
    qInfo("%lld samples delivered live; the chart held at most %lld points (bound %lld), %lld after Fit All "
          "at level %d",
          delivered, mostHeld, bound, chart.pointCount(), chart.levelShown(id));
}

void TestGrowthChart::recordingCommandLine()
{
    const CommandLineOptions options = parseCommandLine(
        {u"oomscope"_s, u"--db"_s, u"w.sqlite"_s, u"--samples"_s, u"s.csv"_s, u"--procs"_s, u"p.csv"_s,
         u"--host"_s, u"node-1"_s, u"kernel.log"_s, u"other.log"_s, u"--screenshot-view"_s, u"growth"_s});
    QVERIFY(options.recording);
    QCOMPARE(options.recording->samplesPath, u"s.csv"_s);
    QCOMPARE(options.recording->procsPath, u"p.csv"_s);
    QCOMPARE(options.recording->host, u"node-1"_s);
    QCOMPARE(options.recording->logPaths, QStringList({u"kernel.log"_s, u"other.log"_s}));
    QVERIFY(options.files.isEmpty());
    QCOMPARE(options.screenshotTab, int(MainWindow::TimelineTab));
    QVERIFY(!parseCommandLine({u"oomscope"_s, u"a.log"_s}).recording);
}

// The report fills a plain QCustomPlot through GrowthPlot: the same graphs as the widget, the

// 100 samples 100 ms apart climbing 1 MiB each, the limit hit (failcnt 1) from the 51st on.
static std::vector<MemorySample> climbingSamples()
{
    std::vector<MemorySample> samples;
    for (int i = 0; i < 100; ++i) {
        MemorySample s = sampleAt(1000 + i * 100, std::int64_t(i + 1) << 20);
        s.failcnt = i < 50 ? 0 : 1;
        samples.push_back(s);
    }
    return samples;
}

// data of the samples, failcnt rises, and the kill marker named by its victim.
void TestGrowthChart::plotFromPlainDataMatchesTheWidget()
{
    const std::vector<MemorySample> samples = climbingSamples();
    const ChartSeriesSpec spec {7, u"s"_s, Qt::blue, 1000, 10900};
    const ChartMarker marker {42, 7, 5000, u"app (99)"_s, {}};

    QCustomPlot plot;
    GrowthPlot growth(&plot, ChartStyle::report(false, QFont(), QFont()));
    growth.setSeries({spec}, {marker});
    growth.setCurves(curvesFromSamples(7, samples));
    growth.updateVisibility();
    growth.updateValueRange();
    const GrowthPlot::SeriesGraphs *graphs = growth.graphsOf(7);
    QVERIFY(graphs);
    QCOMPARE(graphs->usage->dataCount(), 100);
    QCOMPARE(graphs->failRises->dataCount(), 1);
    QCOMPARE(graphs->level, 0);
    QVERIFY(plot.yAxis->range().upper >= 100.0 * 1024 * 1024);
    QCOMPARE(growth.markerItems().size(), std::size_t(1));
    QCOMPARE(growth.markerItems().front().label->text(), u"✕ OOM kill: app (99)"_s);

    GrowthChart chart;
    chart.setSeries({spec}, {marker});
    QCOMPARE(chart.plot()->graphCount(), plot.graphCount());
    for (int i = 0; i < plot.graphCount(); ++i)
        QCOMPARE(chart.plot()->graph(i)->name(), plot.graph(i)->name());
    QCOMPARE(chart.markers().size(), std::size_t(1));
}

// Every legend entry is whole: the legend takes as many columns as its longest entry leaves
// room for (three on a wide chart, fewer beside the verdict panel), none cut at its right edge.
void TestGrowthChart::legendEntriesFitTheWidth()
{
    const std::vector<MemorySample> samples = climbingSamples();
    const ChartSeriesSpec spec {7, u"a-rather-long-workload-name"_s, Qt::blue, 1000, 10900};
    for (const int width : {1600, 700, 420}) {
        QCustomPlot plot;
        plot.setViewport(QRect(0, 0, width, 500)); // as a resize or the report's layout sets it
        GrowthPlot growth(&plot, ChartStyle::report(false, QFont(), QFont()));
        growth.setSeries({spec}, {});
        growth.setCurves(curvesFromSamples(7, samples));
        growth.updateVisibility();
        growth.updateValueRange();
        growth.fitToPlot();
        plot.replot();
        QCPLegend *legend = plot.legend;
        QVERIFY(legend->itemCount() >= 6);
        const QFontMetrics metrics(legend->font());
        for (int i = 0; i < legend->itemCount(); ++i) {
            auto *item = qobject_cast<QCPPlottableLegendItem *>(legend->item(i));
            QVERIFY(item);
            const int needed = metrics.horizontalAdvance(item->plottable()->name())
                + legend->iconSize().width() + legend->iconTextPadding();
            QVERIFY2(item->rect().width() >= needed,
                     qPrintable(u"%1 px wide: '%2' needs %3 px, has %4"_s.arg(width)
                                    .arg(item->plottable()->name())
                                    .arg(needed)
                                    .arg(item->rect().width())));
            QVERIFY(item->outerRect().right() <= plot.viewport().right());
        }
        if (width == 1600)
            QCOMPARE(legend->wrap(), 3);
        else
            QVERIFY(legend->wrap() < 3);
    }
}

void TestGrowthChart::trendLabelWords()
{
    TrendLine trend;
    trend.valid = true;
    trend.startMs = 0;
    trend.endMs = 60'000;
    trend.slopeBytesPerS = 1.84 * 1024 * 1024;
    QCOMPARE(trendLabelFor(trend, true, 60'000), u"trend +1.84 MiB/s → killed at the limit"_s);
    trend.limitCrossingMs = 660'000;
    QCOMPARE(trendLabelFor(trend, false, 60'000), u"trend +1.84 MiB/s → limit in ~10 min"_s);
    QCOMPARE(trendLabelFor(trend, false, 700'000), u"trend +1.84 MiB/s → at the limit"_s);
    trend.slopeBytesPerS = 10.0 * 1024 * 1024 / 3600.0;
    trend.onFloor = true;
    QCOMPARE(trendLabelFor(trend, false, std::nullopt), u"floor trend +10.0 MiB/h"_s);
}

// One store per thread and path, kept between calls; a failed open is an error, not a crash.
void TestGrowthChart::readConnectionsPerThread()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"w.sqlite"_s);
    const Result<SampleStore *> first = threadSampleStore(path);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    const Result<SampleStore *> again = threadSampleStore(path);
    QVERIFY(again);
    QCOMPARE(*again, *first);

    SampleStore *other = nullptr;
    std::unique_ptr<QThread> thread(QThread::create([&] {
        const Result<SampleStore *> store = threadSampleStore(path);
        other = store ? *store : nullptr;
    }));
    thread->start();
    QVERIFY(thread->wait(30000));
    QVERIFY(other);
    QVERIFY(other != *first);

    QFile blocker(dir.filePath(u"file"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const Result<SampleStore *> bad = threadSampleStore(dir.filePath(u"file/w.sqlite"_s));
    QVERIFY(!bad);
    QVERIFY(!bad.error().message.isEmpty());
}

QTEST_MAIN(TestGrowthChart)
#include "tst_growthchart.moc"
