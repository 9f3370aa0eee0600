// SPDX-License-Identifier: GPL-3.0-or-later
// The Timeline tab's verdict and predicted-next-victim panels: the prediction model's contract,
// the bundled leak recording judged a leak with a trend drawn on the chart, re-evaluation when the
// view zooms, the ranking before the kill naming the process the kernel killed, and the empty
// state without per-process samples.
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "growthchart.h"
#include "guitestutil.h"
#include "importjob.h"
#include "predictionmodel.h"
#include "predictionpanel.h"
#include "rangeevaluation.h"
#include "samplestore.h"
#include "samplesview.h"
#include "seriestreemodel.h"
#include "verdictpanel.h"
#include "workspace.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString recordingDir = QStringLiteral(OOMSCOPE_TEST_DATA) + u"/recordings/checkout-leak"_s;

QJsonObject truth()
{
    QFile file(recordingDir + u"/truth.json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The same path as `oomscope --samples … --procs … kernel.log`: the import job.
bool importDemo(const QString &workspacePath)
{
    RecordingImportRequest r;
    r.samplesPath = recordingDir + u"/samples.csv"_s;
    r.procsPath = recordingDir + u"/procs.csv"_s;
    r.logPaths = {recordingDir + u"/kernel.log"_s};
    return guitest::importIntoWorkspace(workspacePath, r);
}

// view on screen at the size every case uses, showing workspace's series with events' markers.
bool showView(SamplesView &view, Workspace &workspace, const std::vector<EventSummary> &events)
{
    view.resize(1400, 800);
    view.reload(&workspace, events);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

// The bundled recording imported into a fresh workspace and shown, its one series checked.
struct DemoView {
    QTemporaryDir dir;
    Workspace workspace;
    SamplesView view;
    qint64 seriesId = 0;
    std::optional<SeriesInfo> info; // of seriesId

    // False unless the import, the window and exactly one checked series with a time range are there.
    bool open()
    {
        const QString path = dir.filePath(u"ws.sqlite"_s);
        if (!importDemo(path) || !workspace.open(path) || !showView(view, workspace, workspace.events()))
            return false;
        const std::vector<qint64> checked = view.treeModel()->checkedSeries();
        if (checked.size() != 1)
            return false;
        seriesId = checked.front();
        info = SampleStore(workspace).seriesInfo(seriesId);
        return info && info->firstMs && info->lastMs;
    }
};

ProcessSample process(std::int64_t pid, const QString &comm, std::int64_t rssKb, int adj)
{
    ProcessSample p;
    p.timestampMs = 1'700'000'000'000;
    p.pid = pid;
    p.comm = comm;
    p.rssAnonKb = rssKb;
    p.rssFileKb = 0;
    p.rssShmemKb = 0;
    p.oomScoreAdj = adj;
    return p;
}

// Waits until the view shows an evaluation of exactly [fromMs, toMs] (± the ms rounding of the
// chart's axis).
bool waitForEvaluatedRange(SamplesView &view, std::int64_t fromMs, std::int64_t toMs)
{
    auto matches = [&] {
        const auto range = view.verdictPanel()->evaluatedRangeMs();
        return !view.isEvaluating() && range && std::abs(range->first - fromMs) <= 1
            && std::abs(range->second - toMs) <= 1;
    };
    for (int i = 0; i < 200 && !matches(); ++i)
        QTest::qWait(50);
    return matches();
}

} // namespace

class TestVerdictPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void predictionModel();
    void demoRecordingIsALeakWithTrend();
    void predictionBeforeTheKillNamesTheKernelsVictim();
    void noProcessSamplesShowsEmptyState();
    void longRangeJudgedOnThinnedSamples();
};

void TestVerdictPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(QFile::exists(recordingDir + u"/samples.csv"_s));
    QVERIFY(!truth().isEmpty());
}

void TestVerdictPanel::predictionModel()
{
    PredictionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    // 64 MiB at adj 0, 100 MiB at adj -1000 (never eligible), 16 MiB at adj 500: with a 256 MiB
    // limit (65536 pages) adj 500 adds 500 x (65536 / 1000) = 32500 points (the kernel divides
    // first), so 4096 + 32500 = 36596 beats 16384.
    const std::vector<ProcessSample> reading = {process(10, u"big"_s, 64 * 1024, 0),
                                                process(11, u"protected"_s, 100 * 1024, -1000),
                                                process(12, u"adjusted"_s, 16 * 1024, 500)};
    const PredictedRanking ranking = predictVictim(reading, std::int64_t(256) << 20);
    model.setRanking(ranking);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(PredictionModel::ColumnCount));
    QCOMPARE(model.predictedVictimPid(), std::optional<std::int64_t>(12));
    QCOMPARE(model.index(0, PredictionModel::PidColumn).data(PredictionModel::PidRole).toLongLong(), 12);
    QVERIFY(model.index(0, 0).data(PredictionModel::IsPredictedVictimRole).toBool());
    QVERIFY(!model.index(1, 0).data(PredictionModel::IsPredictedVictimRole).toBool());
    QCOMPARE(model.index(0, PredictionModel::PointsColumn).data().toString(), QLocale().toString(36596));
    QCOMPARE(model.index(0, PredictionModel::ShareColumn).data().toString(),
             u"69.1 %"_s); // 36596 / (36596 + 16384)
    QCOMPARE(model.index(1, PredictionModel::GapToTopColumn).data().toString(), QLocale().toString(20212));
    // -1000 is never killed: no points, no gap, no adj that would do it.
    QCOMPARE(model.index(2, PredictionModel::PidColumn).data().toString(), u"11"_s);
    QCOMPARE(model.index(2, PredictionModel::PointsColumn).data().toString(), u"never"_s);
    QVERIFY(model.headerData(PredictionModel::AdjToBeVictimColumn, Qt::Horizontal)
                .toString()
                .contains(u"victim"_s));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.predictedVictimPid());
}

void TestVerdictPanel::demoRecordingIsALeakWithTrend()
{
    DemoView demo;
    QVERIFY(demo.open());
    SamplesView &view = demo.view;
    const qint64 seriesId = demo.seriesId;
    const std::optional<SeriesInfo> &info = demo.info;

    // The whole recording: the recording's known cause.
    QVERIFY(waitForEvaluatedRange(view, *info->firstMs, *info->lastMs));
    QVERIFY(view.verdictArea()->isVisible());
    QCOMPARE(view.evaluatedSeries(), seriesId);
    QCOMPARE(view.verdictPanel()->kindName(), truth().value(u"cause"_s).toString());
    QVERIFY(view.verdictPanel()->headlineText().startsWith(u"Leak"_s));
    QVERIFY2(view.verdictPanel()->evidenceText().contains(u"MiB/h"_s),
             qPrintable(view.verdictPanel()->evidenceText()));
    QVERIFY(view.verdictPanel()->evidenceText().contains(u"Kills in range: 1"_s));
    // With the recording's process samples: the leak is named, its process drawn as a line, and
    // the limit replay shown beside VPA's and KRR's.
    QVERIFY2(view.verdictPanel()->headlineText().contains(u"checkout_svc.py (pid 23026)"_s),
             qPrintable(view.verdictPanel()->headlineText()));
    QVERIFY2(view.verdictPanel()->evidenceText().contains(u"Top grower: checkout_svc.py (23026)"_s),
             qPrintable(view.verdictPanel()->evidenceText()));
    QVERIFY(!view.chart()->processGraphs().empty());
    QVERIFY(view.chart()->processGraphs().front()->name().startsWith(u"checkout_svc.py (23026)"_s));
    QVERIFY(view.chart()->processGraphs().front()->dataCount() > 10);
    QVERIFY2(view.verdictPanel()->limitsText().contains(u"Replay-based"_s),
             qPrintable(view.verdictPanel()->limitsText()));
    QVERIFY(!view.verdictPanel()->replayPlot()->isHidden());
    QVERIFY(view.verdictPanel()->replayPlot()->graphCount() == 2);
    // The fitted line on the chart rises (checkout_svc.py retains ~1.8 MiB/s), within the data.
    GrowthChart *chart = view.chart();
    QCPItemLine *trend = chart->trendLineItem();
    QVERIFY(trend);
    QVERIFY(trend->visible());
    QVERIFY(trend->end->coords().y() > trend->start->coords().y());
    QVERIFY(trend->start->coords().x() >= double(*info->firstMs) / 1000.0 - 1e-3);
    QVERIFY(trend->end->coords().x() <= double(*info->lastMs) / 1000.0 + 1e-3);
    // The leak ran into the limit and was killed (truth.json's kill): no forecast beyond it.
    QVERIFY2(chart->trendLabelText().contains(u"killed at the limit"_s), qPrintable(chart->trendLabelText()));
    QVERIFY(!chart->forecastItem());

    // The Trend box hides and shows it.
    view.trendBox()->click();
    QVERIFY(!chart->trendLineItem()->visible());
    view.trendBox()->click();
    QVERIFY(chart->trendLineItem()->visible());

    // Zoom to the first 20 s: the panel re-evaluates that range alone, and the trend is redrawn
    // within it, rising on to the limit (the kill is ~59 s in).
    const double lo = double(*info->firstMs) / 1000.0;
    chart->plot()->xAxis->setRange(lo, lo + 20.0);
    QVERIFY(waitForEvaluatedRange(view, *info->firstMs, *info->firstMs + 20'000));
    trend = chart->trendLineItem();
    QVERIFY(trend);
    QVERIFY2(trend->end->coords().x() <= lo + 20.0 + 1e-3,
             qPrintable(u"trend %1 .. %2, view %3 .. %4"_s.arg(trend->start->coords().x() - lo)
                            .arg(trend->end->coords().x() - lo)
                            .arg(chart->plot()->xAxis->range().lower - lo)
                            .arg(chart->plot()->xAxis->range().upper - lo)));
    QVERIFY(chart->forecastItem());
    QVERIFY2(chart->trendLabelText().contains(u"limit in"_s), qPrintable(chart->trendLabelText()));
    QVERIFY2(view.verdictPanel()->evidenceText().contains(u"Kills in range: 0"_s),
             qPrintable(view.verdictPanel()->evidenceText()));
    if (const QByteArray grabs = qgetenv("OOMSCOPE_TEST_GRABS"); !grabs.isEmpty())
        view.grab().save(QString::fromLocal8Bit(grabs) + u"/verdict-zoomed.png"_s);
}

void TestVerdictPanel::predictionBeforeTheKillNamesTheKernelsVictim()
{
    DemoView demo;
    QVERIFY(demo.open());
    SamplesView &view = demo.view;
    const std::optional<SeriesInfo> &info = demo.info;
    const std::vector<EventPlacement> placements = SampleStore(demo.workspace).placements(demo.seriesId);
    QCOMPARE(placements.size(), std::size_t(1));
    const std::int64_t killMs = placements.front().timeMs;
    const QJsonObject kill = truth().value(u"kills"_s).toArray().at(0).toObject();
    const qint64 truthPid = kill.value(u"pid"_s).toInteger();
    const QString truthComm = kill.value(u"comm"_s).toString();

    // The whole range holds the kill: the prediction just before it named the kernel's victim.
    QVERIFY(waitForEvaluatedRange(view, *info->firstMs, *info->lastMs));
    PredictionPanel *panel = view.predictionPanel();
    const std::optional<KillComparison> comparison = panel->killComparison();
    QVERIFY(comparison);
    QCOMPARE(comparison->killMs, killMs);
    QCOMPARE(comparison->kernelPid, truthPid);
    QVERIFY(comparison->predictedPid);
    QCOMPARE(*comparison->predictedPid, truthPid);
    QVERIFY(comparison->matches());
    QVERIFY2(panel->killComparisonText().contains(u"✓"_s), qPrintable(panel->killComparisonText()));
    QVERIFY(panel->killComparisonText().contains(truthComm));
    // Scored in the node's kernel era and page size, from its kernel report (not the default).
    QVERIFY2(panel->notesText().contains(u"as this node's kernel reports show"_s),
             qPrintable(panel->notesText()));

    // A view ending a second before the kill: its top row is the process about to be killed.
    const double lo = double(*info->firstMs) / 1000.0;
    const double hi = double(killMs - 1000) / 1000.0;
    view.chart()->plot()->xAxis->setRange(lo, hi);
    QVERIFY(waitForEvaluatedRange(view, *info->firstMs, killMs - 1000));
    QVERIFY(!panel->killComparison()); // no kill in view
    QVERIFY(panel->view()->isVisible());
    const QAbstractItemModel *shown = panel->view()->model();
    QCOMPARE(shown->rowCount(), int(truth().value(u"processes"_s).toArray().size()));
    QCOMPARE(shown->index(0, PredictionModel::PidColumn).data(PredictionModel::PidRole).toLongLong(),
             truthPid);
    QVERIFY(shown->index(0, PredictionModel::NameColumn).data().toString().contains(truthComm));
    QVERIFY(shown->index(0, 0).data(PredictionModel::IsPredictedVictimRole).toBool());
    QCOMPARE(panel->model()->predictedVictimPid(), std::optional<std::int64_t>(truthPid));
    QVERIFY2(panel->notesText().contains(u"as this node's kernel reports show"_s),
             qPrintable(panel->notesText()));
}

void TestVerdictPanel::noProcessSamplesShowsEmptyState()
{
    QTemporaryDir dir;
    Workspace workspace;
    QVERIFY(workspace.open(dir.filePath(u"ws.sqlite"_s)));
    SampleStore store(workspace);
    const qint64 id = store.ensureSeries(u"node"_s, u"/steady.slice"_s).value_or(0);
    std::vector<MemorySample> samples;
    const std::int64_t startMs = 1'700'000'000'000;
    for (int i = 0; i < 600; ++i) {
        MemorySample s;
        s.timestampMs = startMs + i * 1000;
        s.usageBytes = (std::int64_t(40) << 20) + (i % 7) * 4096;
        s.anonBytes = std::int64_t(30) << 20;
        s.inactiveFileBytes = std::int64_t(5) << 20;
        s.limitBytes = std::int64_t(256) << 20;
        samples.push_back(s);
    }
    QVERIFY(store.append(id, samples).ok);

    SamplesView view;
    QVERIFY(showView(view, workspace, {}));
    QVERIFY(waitForEvaluatedRange(view, startMs, startMs + 599'000));
    // 30 MiB of anon flat under a 256 MiB limit.
    QCOMPARE(view.verdictPanel()->kindName(), u"fits"_s);
    QVERIFY2(view.predictionPanel()->emptyText().contains(u"No per-process samples"_s),
             qPrintable(view.predictionPanel()->emptyText()));
    QVERIFY(!view.predictionPanel()->view()->isVisible());
    QVERIFY(!view.predictionPanel()->killComparison());
}

// A range longer than the evaluation's budget (here the bundled recording against a budget of
// 150): judged on the thinned samples and a few process readings, still the recording's cause
// with its process named, and the panel says what it was judged on; past the raw read limit, the
// stored level's last values, with the warning that short jumps may look smaller.
void TestVerdictPanel::longRangeJudgedOnThinnedSamples()
{
    DemoView demo;
    QVERIFY(demo.open());
    RangeEvaluationRequest request;
    request.workspacePath = demo.workspace.path();
    request.seriesId = demo.seriesId;
    request.fromMs = *demo.info->firstMs;
    request.toMs = *demo.info->lastMs;
    request.maxSamples = 150;
    request.maxProcessReadings = 20;
    const RangeEvaluation thinned = evaluateRange(request);
    QVERIFY2(thinned.error.isEmpty(), qPrintable(thinned.error));
    QCOMPARE(thinned.reading, RangeEvaluation::Reading::Thinned);
    QCOMPARE(thinned.samplesInRange, demo.info->count);
    QVERIFY(thinned.samplesClassified <= 150 && thinned.samplesClassified > 50);
    QVERIFY(thinned.bucketMs > 0);
    QCOMPARE(verdictKindName(thinned.verdict.kind), truth().value(u"cause"_s).toString());
    QVERIFY(thinned.verdict.leakingProcess);
    QCOMPARE(thinned.verdict.growthByProcess.processes[*thinned.verdict.leakingProcess].comm,
             u"checkout_svc.py"_s);
    QCOMPARE(thinned.verdict.evidence.gapCount, 0);

    VerdictPanel panel;
    panel.setEvaluation(thinned, u"checkout"_s);
    const QLabel *range = panel.findChild<QLabel *>(u"verdictRange"_s);
    QVERIFY(range);
    const QString ofAll = QLocale().toString(demo.info->count);
    QVERIFY2(range->text().contains(u" samples of "_s + ofAll + u" (lowest and highest of each "_s),
             qPrintable(range->text()));

    request.maxRawSamplesRead = 100;
    const RangeEvaluation bucketed = evaluateRange(request);
    QCOMPARE(bucketed.reading, RangeEvaluation::Reading::LevelLast);
    QVERIFY(bucketed.samplesClassified <= 150);
    panel.setEvaluation(bucketed, u"checkout"_s);
    QVERIFY2(range->text().contains(u" bucket of "_s + ofAll + u')'), qPrintable(range->text()));
}

QTEST_MAIN(TestVerdictPanel)
#include "tst_verdictpanel.moc"
