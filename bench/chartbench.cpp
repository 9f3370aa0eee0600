// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-chart-bench [--count N]: stores N synthetic samples in a scratch workspace and times
// opening and drawing them in the growth chart, a zoomed redraw, and the process's resident
// memory, against a replot of 1M in-memory points in the same run. Runs offscreen unless
// QT_QPA_PLATFORM says otherwise.
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "growthchart.h"
#include "samplestore.h"
#include "workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

using namespace oomscope;

namespace {

QString residentMemory()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return u"unknown"_s;
    QStringList out;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:"))
            out << QString::fromLatin1(line.simplified());
    }
    return out.join(u", "_s);
}

bool waitFor(GrowthChart &chart, int timeoutMs)
{
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&loop] { loop.exit(1); });
    QObject::connect(&chart, &GrowthChart::dataLoaded, &loop, [&loop] { loop.exit(0); });
    timeout.start(timeoutMs);
    return loop.exec() == 0;
}

// A leak that is killed at the limit and restarts, with some noise, one sample per 100 ms.
MemorySample syntheticSample(qint64 i)
{
    constexpr std::int64_t kStartMs = 1'795'825'075'000;
    constexpr std::int64_t kStepMs = 100;
    constexpr std::int64_t kLimit = std::int64_t(512) << 20;
    MemorySample s;
    s.timestampMs = kStartMs + i * kStepMs;
    const std::int64_t cycle = i % 40'000;
    s.anonBytes = (std::int64_t(64) << 20) + cycle * 11'000 + (i * 7919 % 4096) * 64;
    s.inactiveFileBytes = std::int64_t(20) << 20;
    s.activeFileBytes = std::int64_t(8) << 20;
    s.shmemBytes = std::int64_t(2) << 20;
    s.kernelBytes = std::int64_t(3) << 20;
    s.usageBytes = std::min(
        kLimit, s.anonBytes + s.inactiveFileBytes + s.activeFileBytes + s.shmemBytes + s.kernelBytes);
    s.limitBytes = kLimit;
    s.failcnt = cycle > 38'000 ? cycle - 38'000 : 0;
    return s;
}

// Appends sampleCount synthetic samples to a new series in batches; its id, or 0 after printing why not.
qint64 storeSamples(SampleStore &store, qint64 sampleCount, QTextStream &out)
{
    const Result<qint64> series = store.ensureSeries(u"bench"_s, u"/bench/leaky.service"_s);
    if (!series) {
        out << "cannot create the series: " << series.error().message << Qt::endl;
        return 0;
    }
    const qint64 seriesId = *series;
    std::vector<MemorySample> batch;
    constexpr qint64 kBatch = 200'000;
    for (qint64 first = 0; first < sampleCount; first += kBatch) {
        batch.clear();
        for (qint64 i = first; i < std::min(sampleCount, first + kBatch); ++i)
            batch.push_back(syntheticSample(i));
        const AppendResult appended = store.append(seriesId, batch);
        if (!appended.ok) {
            out << "append failed: " << appended.error << Qt::endl;
            return 0;
        }
    }
    return seriesId;
}

int runChartBench(qint64 sampleCount, QTextStream &out)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bench.sqlite"_s);
    Workspace workspace;
    if (const Result<void> opened = workspace.open(path); !opened) {
        out << "cannot open workspace: " << opened.error().message << Qt::endl;
        return 1;
    }
    SampleStore store(workspace);
    QElapsedTimer timer;
    timer.start();
    const qint64 seriesId = storeSamples(store, sampleCount, out);
    if (seriesId == 0)
        return 1;
    out << "stored " << sampleCount << " samples in " << timer.elapsed() << " ms" << Qt::endl;
    out << "resident after storing: " << residentMemory() << Qt::endl;

    GrowthChart chart;
    chart.resize(1400, 700);
    chart.setWorkspacePath(path);
    chart.show();
    const std::optional<SeriesInfo> info = store.seriesInfo(seriesId);
    ChartSeriesSpec spec;
    spec.seriesId = seriesId;
    spec.label = u"leaky.service"_s;
    spec.color = QColor(0x1f, 0x4e, 0x9c);
    spec.firstMs = info ? info->firstMs.value_or(0) : 0;
    spec.lastMs = info ? info->lastMs.value_or(0) : 0;

    timer.restart();
    chart.setSeries({spec}, {});
    if (!waitFor(chart, 60'000)) {
        out << "chart data did not arrive" << Qt::endl;
        return 1;
    }
    QElapsedTimer replotTimer;
    replotTimer.start();
    chart.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const qint64 replotMs = replotTimer.elapsed();
    out << "open + draw (query " << chart.lastQueryMs() << " ms, replot " << replotMs
        << " ms): " << timer.elapsed() << " ms; level " << chart.levelShown(seriesId) << ", "
        << chart.usageGraph(seriesId)->dataCount() << " points" << Qt::endl;
    replotTimer.restart();
    chart.replotNow();
    out << "second replot (fonts and layout warm): " << replotTimer.elapsed() << " ms" << Qt::endl;

    // Zoom to 1/1000 of the range: a fresh envelope at a finer level.
    const QCPRange full = chart.plot()->xAxis->range();
    timer.restart();
    chart.plot()->xAxis->setRange(full.center(), full.size() / 1000.0, Qt::AlignCenter);
    if (!waitFor(chart, 60'000)) {
        out << "zoomed data did not arrive" << Qt::endl;
        return 1;
    }
    replotTimer.restart();
    chart.plot()->replot(QCustomPlot::rpImmediateRefresh);
    out << "zoom x1000 (50 ms debounce, query " << chart.lastQueryMs() << " ms, replot "
        << replotTimer.elapsed() << " ms): " << timer.elapsed() << " ms; level " << chart.levelShown(seriesId)
        << ", " << chart.usageGraph(seriesId)->dataCount() << " points" << Qt::endl;
    out << "resident after drawing: " << residentMemory() << Qt::endl;

    // Reference in the same run: one graph holding 1M raw points in memory (adaptive sampling).
    QCustomPlot reference;
    reference.resize(1400, 700);
    QVector<QCPGraphData> points(1'000'000);
    for (int i = 0; i < points.size(); ++i)
        points[i] = QCPGraphData(double(i), double(i % 40'000));
    reference.addGraph()->data()->set(points, true);
    reference.rescaleAxes();
    replotTimer.restart();
    reference.replot(QCustomPlot::rpImmediateRefresh);
    out << "reference: replot of 1M in-memory points: " << replotTimer.elapsed() << " ms" << Qt::endl;
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Times the growth chart on N stored samples."_s);
    parser.addHelpOption();
    parser.addOption({u"count"_s, u"Samples to store and draw (default 10000000)."_s, u"N"_s, u"10000000"_s});
    parser.process(app);
    bool ok = false;
    const qint64 count = parser.value(u"count"_s).toLongLong(&ok);
    if (!ok || count <= 0) {
        QTextStream(stderr) << "oomscope-chart-bench: --count takes a positive number" << Qt::endl;
        return 2;
    }
    QTextStream out(stdout);
    return runChartBench(count, out);
}
