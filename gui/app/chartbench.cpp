// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "chartbench.h"

#include "growthchart.h"
#include "samplestore.h"
#include "workspace.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

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

} // namespace

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
    const qint64 seriesId = store.ensureSeries(u"bench"_s, u"/bench/leaky.service"_s).value_or(0);
    const std::int64_t startMs = 1'795'825'075'000;
    constexpr std::int64_t kStepMs = 100;
    constexpr std::int64_t kLimit = std::int64_t(512) << 20;
    QElapsedTimer timer;
    timer.start();
    std::vector<MemorySample> batch;
    constexpr qint64 kBatch = 200'000;
    for (qint64 first = 0; first < sampleCount; first += kBatch) {
        batch.clear();
        for (qint64 i = first; i < std::min(sampleCount, first + kBatch); ++i) {
            MemorySample s;
            s.timestampMs = startMs + i * kStepMs;
            // A leak that is killed at the limit and restarts, with some noise.
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
            batch.push_back(s);
        }
        const AppendResult appended = store.append(seriesId, batch);
        if (!appended.ok) {
            out << "append failed: " << appended.error << Qt::endl;
            return 1;
        }
    }
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

} // namespace oomscope
