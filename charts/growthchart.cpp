// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "growthchart.h"

#include "workspace.h"

#include <QDateTime>
#include <QLocale>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Limits at or above this are "max" (v1 prints PAGE_COUNTER_MAX pages, v2 "max").
constexpr std::int64_t kUnlimitedFromBytes = std::int64_t(1) << 62;
constexpr int kStackCount = 5;
const std::array<QString, kStackCount> kStackNames = {u"anon"_s, u"shmem"_s, u"active file"_s,
                                                      u"inactive file"_s, u"kernel"_s};
const std::array<QColor, kStackCount> kStackColors = {QColor(0xf4, 0xa2, 0x61), QColor(0xb3, 0x9d, 0xdb),
                                                      QColor(0x81, 0xc7, 0x84), QColor(0xc5, 0xe1, 0xa5),
                                                      QColor(0xb0, 0xbe, 0xc5)};
const QColor kKillColor(0xc6, 0x28, 0x28);
const QString kWorkingSetName = u"working set (usage − inactive_file, cAdvisor/kubelet)"_s;

double secondsOf(std::int64_t ms)
{
    return double(ms) / 1000.0;
}

double bytesOrNaN(std::int64_t bytes)
{
    return MemorySample::known(bytes) ? double(bytes) : kNaN;
}

double limitOrNaN(std::int64_t bytes)
{
    return MemorySample::known(bytes) && bytes < kUnlimitedFromBytes ? double(bytes) : kNaN;
}

QString exactBytes(double bytes)
{
    return QLocale(QLocale::English).toString(qint64(std::llround(bytes))) + u" B"_s;
}

QString humanBytes(double bytes)
{
    static const std::array<const char16_t *, 5> units = {u"B", u"KiB", u"MiB", u"GiB", u"TiB"};
    double value = bytes;
    std::size_t unit = 0;
    while (std::abs(value) >= 1024.0 && unit + 1 < units.size()) {
        value /= 1024.0;
        ++unit;
    }
    const int decimals = unit == 0 ? 0 : (std::abs(value) < 10 ? 2 : 1);
    return QLocale::c().toString(value, 'f', decimals) + u' ' + QString::fromUtf16(units[unit]);
}

// Value-axis ticks at round multiples of KiB/MiB/GiB, labelled "96 MiB".
class ByteTicker : public QCPAxisTicker
{
protected:
    double getTickStep(const QCPRange &range) override
    {
        const double top = std::max(std::abs(range.lower), std::abs(range.upper));
        m_unit = 1.0;
        while (top / m_unit >= 1024.0 && m_unit < 1024.0 * 1024.0 * 1024.0 * 1024.0)
            m_unit *= 1024.0;
        const double step = cleanMantissa(range.size() / m_unit / std::max(1, tickCount())) * m_unit;
        m_decimals = step / m_unit >= 1.0 ? 0 : int(std::ceil(-std::log10(step / m_unit)));
        return step;
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        static const std::array<const char16_t *, 5> units = {u"B", u"KiB", u"MiB", u"GiB", u"TiB"};
        std::size_t unit = 0;
        for (double u = m_unit; u >= 1024.0; u /= 1024.0)
            ++unit;
        return QLocale::c().toString(tick / m_unit, 'f', std::clamp(m_decimals, 0, 3)) + u' '
            + QString::fromUtf16(units[std::min(unit, units.size() - 1)]);
    }

private:
    double m_unit = 1.0;
    int m_decimals = 0;
};

// Value of the graph at key: its last point at or before key (the value a step chart shows).
std::optional<double> valueAt(const QCPGraph *graph, double key)
{
    if (!graph || graph->data()->isEmpty())
        return std::nullopt;
    auto it = graph->data()->findEnd(key, false);
    if (it == graph->data()->constBegin())
        return std::nullopt;
    --it;
    if (std::isnan(it->value))
        return std::nullopt;
    return it->value;
}

// One connection per pool thread and workspace path: a connection must stay in its thread, and
// opening one per query would cost more than the query. Destroyed when the pool's thread exits.
struct ThreadConnection {
    QString path;
    std::unique_ptr<Workspace> workspace;
    std::unique_ptr<SampleStore> store;
    ~ThreadConnection()
    {
        store.reset();
        workspace.reset();
    }
};

SampleStore *threadStore(const QString &path, QString *error)
{
    thread_local ThreadConnection connection;
    if (connection.store && connection.path == path)
        return connection.store.get();
    connection.store.reset();
    connection.workspace = std::make_unique<Workspace>();
    if (const Result<void> opened = connection.workspace->open(path); !opened) {
        if (error)
            *error = opened.error().message;
        connection.workspace.reset();
        return nullptr;
    }
    connection.path = path;
    connection.store = std::make_unique<SampleStore>(*connection.workspace);
    return connection.store.get();
}

// Raw samples as a level-0 envelope, so live samples go through the same curve builder.
SampleEnvelope envelopeOfSamples(const std::vector<MemorySample> &samples)
{
    SampleEnvelope env;
    const std::size_t n = samples.size();
    auto sized = [n](std::vector<std::int64_t> &v) {
        v.resize(n);
    };
    for (auto *v : {&env.timeMs,
                    &env.lastTimeMs,
                    &env.sampleCount,
                    &env.minUsageBytes,
                    &env.maxUsageBytes,
                    &env.lastUsageBytes,
                    &env.minWorkingSetBytes,
                    &env.maxWorkingSetBytes,
                    &env.lastWorkingSetBytes,
                    &env.lastAnonBytes,
                    &env.lastFileBytes,
                    &env.lastShmemBytes,
                    &env.lastActiveFileBytes,
                    &env.lastInactiveFileBytes,
                    &env.lastKernelBytes,
                    &env.lastSwapBytes,
                    &env.lastLimitBytes,
                    &env.lastHighBytes,
                    &env.maxFailcnt,
                    &env.maxOomKillCount})
        sized(*v);
    for (std::size_t i = 0; i < n; ++i) {
        const MemorySample &s = samples[i];
        env.timeMs[i] = env.lastTimeMs[i] = s.timestampMs;
        env.sampleCount[i] = 1;
        env.minUsageBytes[i] = env.maxUsageBytes[i] = env.lastUsageBytes[i] = s.usageBytes;
        const std::int64_t ws = s.workingSetBytes();
        env.minWorkingSetBytes[i] = env.maxWorkingSetBytes[i] = env.lastWorkingSetBytes[i] = ws;
        env.lastAnonBytes[i] = s.anonBytes;
        env.lastFileBytes[i] = s.fileBytes;
        env.lastShmemBytes[i] = s.shmemBytes;
        env.lastActiveFileBytes[i] = s.activeFileBytes;
        env.lastInactiveFileBytes[i] = s.inactiveFileBytes;
        env.lastKernelBytes[i] = s.kernelBytes;
        env.lastSwapBytes[i] = s.swapBytes;
        env.lastLimitBytes[i] = s.limitBytes;
        env.lastHighBytes[i] = s.highBytes;
        env.maxFailcnt[i] = s.failcnt;
        env.maxOomKillCount[i] = s.oomKillCount;
    }
    return env;
}

SeriesCurves curvesFrom(qint64 seriesId, const SampleEnvelope &env, std::int64_t previousFailcnt)
{
    SeriesCurves c;
    c.seriesId = seriesId;
    c.level = env.level;
    const int n = int(env.size());
    QVector<QCPGraphData> usage(n), usageMin, usageMax, workingSet(n), limit(n), high(n), failRises;
    std::array<QVector<QCPGraphData>, kStackCount> stack;
    for (auto &s : stack)
        s.resize(n);
    if (env.level > 0) {
        usageMin.resize(n);
        usageMax.resize(n);
    }
    const std::array<const std::vector<std::int64_t> *, kStackCount> parts = {
        &env.lastAnonBytes, &env.lastShmemBytes, &env.lastActiveFileBytes, &env.lastInactiveFileBytes,
        &env.lastKernelBytes};
    std::int64_t lastFailcnt = previousFailcnt;
    double maxBytes = 0;
    for (int i = 0; i < n; ++i) {
        const std::size_t k = std::size_t(i);
        // Buckets are drawn at their middle, so that a bucket's band sits over its time span.
        const double key =
            env.level > 0 ? secondsOf(env.timeMs[k]) + secondsOf(env.bucketMs) / 2 : secondsOf(env.timeMs[k]);
        usage[i] = QCPGraphData(key, bytesOrNaN(env.lastUsageBytes[k]));
        workingSet[i] = QCPGraphData(key, bytesOrNaN(env.lastWorkingSetBytes[k]));
        limit[i] = QCPGraphData(key, limitOrNaN(env.lastLimitBytes[k]));
        high[i] = QCPGraphData(key, limitOrNaN(env.lastHighBytes[k]));
        if (env.level > 0) {
            usageMin[i] = QCPGraphData(key, bytesOrNaN(env.minUsageBytes[k]));
            usageMax[i] = QCPGraphData(key, bytesOrNaN(env.maxUsageBytes[k]));
        }
        maxBytes = std::max({maxBytes, double(env.maxUsageBytes[k]), double(env.lastUsageBytes[k]),
                             std::isnan(limit[i].value) ? 0.0 : limit[i].value});
        // Stacked: each component is drawn at the sum of itself and the ones below it; an
        // unmeasured component adds nothing.
        std::int64_t sum = 0;
        bool any = false;
        for (int p = 0; p < kStackCount; ++p) {
            const std::int64_t v = (*parts[std::size_t(p)])[k];
            if (MemorySample::known(v)) {
                sum += v;
                any = true;
                c.stackKnown[std::size_t(p)] = true;
            }
            stack[std::size_t(p)][i] = QCPGraphData(key, any ? double(sum) : kNaN);
        }
        const std::int64_t failcnt = env.maxFailcnt[k];
        if (MemorySample::known(failcnt)) {
            if (MemorySample::known(lastFailcnt) && failcnt > lastFailcnt)
                failRises.append(QCPGraphData(key, 0.012));
            lastFailcnt = failcnt;
        }
    }
    auto container = [](const QVector<QCPGraphData> &points) {
        auto data = QSharedPointer<QCPGraphDataContainer>::create();
        data->add(points, true);
        return data;
    };
    c.usage = container(usage);
    c.usageMin = container(usageMin);
    c.usageMax = container(usageMax);
    c.workingSet = container(workingSet);
    c.limit = container(limit);
    c.high = container(high);
    c.failRises = container(failRises);
    for (int p = 0; p < kStackCount; ++p)
        c.stack[std::size_t(p)] = container(stack[std::size_t(p)]);
    c.maxBytes = maxBytes;
    return c;
}

QColor withAlpha(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

const QColor kTrendColor(0x4a, 0x14, 0x8c);

// "~40 s", "~12 min", "~5 h", "~3 days": a forecast is no more precise than that.
QString roughDuration(double seconds)
{
    if (seconds < 90)
        return u"~"_s + QString::number(std::max(1LL, std::llround(seconds))) + u" s"_s;
    if (seconds < 90 * 60)
        return u"~"_s + QString::number(std::llround(seconds / 60)) + u" min"_s;
    if (seconds < 48 * 3600)
        return u"~"_s + QString::number(std::llround(seconds / 3600)) + u" h"_s;
    return u"~"_s + QString::number(std::llround(seconds / 86400)) + u" days"_s;
}

} // namespace

SampleStore *threadSampleStore(const QString &workspacePath, QString *error)
{
    return threadStore(workspacePath, error);
}

SeriesCurves curvesFromEnvelope(qint64 seriesId, const SampleEnvelope &envelope)
{
    return curvesFrom(seriesId, envelope, MemorySample::kUnknown);
}

ChartQueryResult queryChartCurves(const QString &workspacePath, const std::vector<qint64> &seriesIds,
                                  std::int64_t fromMs, std::int64_t toMs, int maxPoints)
{
    ChartQueryResult result;
    SampleStore *store = threadStore(workspacePath, &result.error);
    if (!store)
        return result;
    for (qint64 id : seriesIds)
        result.series.push_back(curvesFromEnvelope(id, store->envelope(id, fromMs, toMs, maxPoints)));
    return result;
}

GrowthChart::GrowthChart(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    setMinimumSize(400, 260);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setObjectName(u"growthPlot"_s);
    m_plot->setNoAntialiasingOnDrag(true);
    // Wide views of a sawtooth workload zig-zag over the full height: antialiased fills and
    // stroked polylines of that shape cost about a second per replot; these two make it fast.
    m_plot->setNotAntialiasedElements(QCP::aeFills);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);

    auto timeTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    timeTicker->setDateTimeSpec(Qt::LocalTime);
    timeTicker->setTickCount(7);
    m_plot->xAxis->setTicker(timeTicker);
    m_plot->yAxis->setTicker(QSharedPointer<ByteTicker>::create());
    m_plot->yAxis->setLabel(u"memory"_s);
    m_plot->yAxis->setRange(0, 128.0 * 1024 * 1024);
    // failcnt rises are ticks along the bottom, on the hidden right axis (0 … 1).
    m_failAxis = m_plot->yAxis2;
    m_failAxis->setRange(0, 1);
    m_failAxis->setVisible(false);

    // The legend goes under the plot, where it cannot cover the limit line or a kill.
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(3); // the verdict panel beside the chart leaves it ~700 px
    m_plot->legend->setMargins(QMargins(6, 0, 6, 4));

    m_plot->addLayer(u"markers"_s, m_plot->layer(u"main"_s), QCustomPlot::limAbove);
    // The verdict's shaded regions lie behind the curves, its trend line over them but under
    // the kill labels.
    m_plot->addLayer(u"verdictRegions"_s, m_plot->layer(u"main"_s), QCustomPlot::limBelow);
    m_plot->addLayer(u"trend"_s, m_plot->layer(u"main"_s), QCustomPlot::limAbove);
    m_plot->addLayer(u"crosshair"_s, nullptr, QCustomPlot::limAbove);
    m_crosshairLayer = m_plot->layer(u"crosshair"_s);
    // Moving the mouse redraws only this layer, not the curves.
    m_crosshairLayer->setMode(QCPLayer::lmBuffered);

    m_crosshairLine = new QCPItemStraightLine(m_plot);
    m_crosshairLine->setLayer(m_crosshairLayer);
    m_crosshairLine->setPen(QPen(QColor(0x55, 0x55, 0x55), 1, Qt::DotLine));
    m_crosshairLine->setSelectable(false);
    m_tracer = new QCPItemTracer(m_plot);
    m_tracer->setLayer(m_crosshairLayer);
    m_tracer->setStyle(QCPItemTracer::tsCircle);
    m_tracer->setSize(7);
    m_tracer->setInterpolating(false);
    m_tracer->setSelectable(false);
    m_crosshairLabel = new QCPItemText(m_plot);
    m_crosshairLabel->setLayer(m_crosshairLayer);
    m_crosshairLabel->position->setType(QCPItemPosition::ptAbsolute);
    m_crosshairLabel->setTextAlignment(Qt::AlignLeft);
    m_crosshairLabel->setPadding(QMargins(6, 4, 6, 4));
    m_crosshairLabel->setBrush(QColor(255, 255, 255, 235));
    m_crosshairLabel->setPen(QPen(QColor(0x90, 0x90, 0x90)));
    m_crosshairLabel->setSelectable(false);
    hideCrosshair();

    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            [this] { onRangeChanged(); });
    connect(m_plot, &QCustomPlot::mouseMove, this, &GrowthChart::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &GrowthChart::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &GrowthChart::onMouseRelease);

    m_pool.setMaxThreadCount(1);
    m_queryDebounce.setSingleShot(true);
    m_queryDebounce.setInterval(50);
    connect(&m_queryDebounce, &QTimer::timeout, this, &GrowthChart::startQuery);
    m_liveTimer.setSingleShot(true);
    m_liveTimer.setInterval(40);
    connect(&m_liveTimer, &QTimer::timeout, this, &GrowthChart::flushLive);
    updateTimeFormat();
}

GrowthChart::~GrowthChart()
{
    ++m_generation;
    m_pool.waitForDone();
}

void GrowthChart::setWorkspacePath(const QString &path)
{
    m_workspacePath = path;
}

void GrowthChart::clear()
{
    setSeries({}, {});
}

void GrowthChart::removeAll()
{
    clearVerdictOverlay();
    for (MarkerItems &m : m_markerItems) {
        m_plot->removeItem(m.line);
        m_plot->removeItem(m.label);
    }
    m_markerItems.clear();
    m_plot->clearGraphs();
    m_graphs.clear();
}

void GrowthChart::createGraphs(const ChartSeriesSpec &spec, bool first, bool several)
{
    SeriesGraphs g;
    g.spec = spec;
    const QString prefix = several ? spec.label + u": "_s : QString();
    auto add = [this](const QString &name, const QPen &pen, QCPAxis *valueAxis = nullptr) {
        QCPGraph *graph = m_plot->addGraph(m_plot->xAxis, valueAxis ? valueAxis : m_plot->yAxis);
        graph->setName(name);
        graph->setPen(pen);
        graph->setAdaptiveSampling(true);
        return graph;
    };
    // Added bottom to top: the stack under the band under the lines.
    for (int p = 0; p < kStackCount; ++p) {
        QCPGraph *graph = add(kStackNames[std::size_t(p)], QPen(kStackColors[std::size_t(p)].darker(115), 1));
        graph->setBrush(withAlpha(kStackColors[std::size_t(p)], first ? 170 : 90));
        if (p > 0)
            graph->setChannelFillGraph(g.stack[std::size_t(p - 1)]);
        g.stack[std::size_t(p)] = graph;
    }
    g.usageMin = add(QString(), Qt::NoPen);
    g.usageMax = add(prefix + u"usage min–max per bucket"_s, Qt::NoPen);
    g.usageMax->setBrush(withAlpha(spec.color, 70));
    g.usageMax->setChannelFillGraph(g.usageMin);
    // Solid, not dashed: a dashed pen over a zig-zagging wide view costs ~10x more to stroke.
    g.workingSet = add(prefix + kWorkingSetName, QPen(spec.color.lighter(160), 1.4));
    g.usage = add(prefix + u"usage"_s, QPen(spec.color, 2));
    g.limit = add(prefix + u"limit"_s, QPen(spec.color.darker(140), 2.2, Qt::DashDotLine));
    g.limit->setLineStyle(QCPGraph::lsStepLeft);
    g.high = add(prefix + u"memory.high"_s, QPen(spec.color.darker(110), 1.6, Qt::DotLine));
    g.high->setLineStyle(QCPGraph::lsStepLeft);
    g.failRises = add(prefix + u"failcnt rises (limit hit)"_s, QPen(spec.color.darker(150), 1.2), m_failAxis);
    g.failRises->setLineStyle(QCPGraph::lsNone);
    QPainterPath tick;
    tick.moveTo(0, -4);
    tick.lineTo(0, 4);
    g.failRises->setScatterStyle(QCPScatterStyle(tick, QPen(spec.color.darker(150), 1.2), Qt::NoBrush, 8));
    m_graphs.push_back(g);
}

void GrowthChart::setSeries(const std::vector<ChartSeriesSpec> &series,
                            const std::vector<ChartMarker> &markers)
{
    ++m_generation; // results of queries for the old set are dropped
    hideCrosshair();
    removeAll();
    m_liveBuffer.clear();
    m_markers.clear();
    const bool several = series.size() > 1;
    bool haveRange = false;
    for (const ChartSeriesSpec &spec : series) {
        createGraphs(spec, m_graphs.empty(), several);
        if (spec.lastMs >= spec.firstMs && (spec.firstMs != 0 || spec.lastMs != 0)) {
            m_dataFirstMs = haveRange ? std::min(m_dataFirstMs, spec.firstMs) : spec.firstMs;
            m_dataLastMs = haveRange ? std::max(m_dataLastMs, spec.lastMs) : spec.lastMs;
            haveRange = true;
        }
    }

    std::vector<qint64> shownEvents;
    for (const ChartMarker &marker : markers) {
        const bool shown = std::any_of(m_graphs.begin(), m_graphs.end(), [&](const SeriesGraphs &g) {
            return g.spec.seriesId == marker.seriesId;
        });
        // An event placed on several shown series is one kill: one marker.
        if (!shown || std::find(shownEvents.begin(), shownEvents.end(), marker.eventId) != shownEvents.end())
            continue;
        shownEvents.push_back(marker.eventId);
        m_markers.push_back(marker);
        MarkerItems items;
        items.marker = marker;
        const double key = secondsOf(marker.timeMs);
        items.line = new QCPItemStraightLine(m_plot);
        items.line->setLayer(u"markers"_s);
        items.line->point1->setCoords(key, 0);
        items.line->point2->setCoords(key, 1);
        items.line->setPen(QPen(kKillColor, 1.6, Qt::SolidLine));
        items.line->setSelectable(false);
        items.label = new QCPItemText(m_plot);
        items.label->setLayer(u"markers"_s);
        items.label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        items.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        // Kills close together would share one spot; stagger their labels downwards.
        items.label->position->setCoords(key, 0.015 + 0.075 * double(m_markerItems.size() % 4));
        items.label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        items.label->setText(u"✕ OOM kill: "_s + marker.victim);
        items.label->setColor(kKillColor);
        items.label->setBrush(QColor(255, 255, 255, 225));
        items.label->setPen(QPen(kKillColor, 1));
        items.label->setPadding(QMargins(5, 2, 5, 2));
        items.label->setSelectable(false);
        m_markerItems.push_back(items);
    }
    setSelectedEvent(m_selectedEvent);
    updateVisibility();

    if (m_graphs.empty()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    fitAll();
    m_queryDebounce.stop();
    startQuery();
}

void GrowthChart::fitAll()
{
    if (m_graphs.empty())
        return;
    const double lo = secondsOf(m_dataFirstMs);
    const double hi = secondsOf(m_dataLastMs);
    const double pad = std::max((hi - lo) * 0.02, 0.5);
    m_plot->xAxis->setRange(lo - pad, hi + pad);
}

void GrowthChart::replotNow()
{
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

void GrowthChart::setSelectedEvent(qint64 eventId)
{
    m_selectedEvent = eventId;
    for (MarkerItems &m : m_markerItems) {
        const bool selected = m.marker.eventId == eventId;
        QFont font = this->font();
        font.setBold(selected);
        m.label->setFont(font);
        m.line->setPen(QPen(kKillColor, selected ? 2.6 : 1.6));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GrowthChart::setBreakdownVisible(bool visible)
{
    m_showBreakdown = visible;
    updateVisibility();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GrowthChart::setWorkingSetVisible(bool visible)
{
    m_showWorkingSet = visible;
    updateVisibility();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GrowthChart::updateVisibility()
{
    auto show = [](QCPGraph *graph, bool visible, bool inLegend) {
        graph->setVisible(visible);
        if (inLegend && visible)
            graph->addToLegend();
        else
            graph->removeFromLegend();
    };
    for (std::size_t i = 0; i < m_graphs.size(); ++i) {
        SeriesGraphs &g = m_graphs[i];
        const bool first = i == 0;
        const bool haveData = g.level >= 0;
        for (int p = 0; p < kStackCount; ++p) {
            QCPGraph *graph = g.stack[std::size_t(p)];
            const bool measured = haveData && g.stackKnown[std::size_t(p)];
            // Only the first series' components get legend entries: the colours mean the same
            // components for every series.
            show(graph, m_showBreakdown && measured, first);
        }
        show(g.usageMin, g.level > 0, false);
        show(g.usageMax, g.level > 0, true);
        show(g.workingSet, m_showWorkingSet, true);
        show(g.usage, true, true);
        auto hasValues = [](const QCPGraph *graph) {
            return std::any_of(graph->data()->constBegin(), graph->data()->constEnd(),
                               [](const QCPGraphData &d) { return !std::isnan(d.value); });
        };
        show(g.limit, !haveData || hasValues(g.limit), true);
        show(g.high, haveData && hasValues(g.high), true);
        show(g.failRises, true, !haveData || !g.failRises->data()->isEmpty());
    }
}

QCPGraph *GrowthChart::usageGraph(qint64 seriesId) const
{
    for (const SeriesGraphs &g : m_graphs) {
        if (g.spec.seriesId == seriesId)
            return g.usage;
    }
    return nullptr;
}

QCPGraph *GrowthChart::limitGraph(qint64 seriesId) const
{
    for (const SeriesGraphs &g : m_graphs) {
        if (g.spec.seriesId == seriesId)
            return g.limit;
    }
    return nullptr;
}

QCPGraph *GrowthChart::workingSetGraph(qint64 seriesId) const
{
    for (const SeriesGraphs &g : m_graphs) {
        if (g.spec.seriesId == seriesId)
            return g.workingSet;
    }
    return nullptr;
}

int GrowthChart::levelShown(qint64 seriesId) const
{
    for (const SeriesGraphs &g : m_graphs) {
        if (g.spec.seriesId == seriesId)
            return g.level;
    }
    return -1;
}

std::optional<QPoint> GrowthChart::markerLabelPosition(qint64 eventId) const
{
    for (const MarkerItems &m : m_markerItems) {
        if (m.marker.eventId != eventId)
            continue;
        const QRectF rect(m.label->topLeft->pixelPosition(), m.label->bottomRight->pixelPosition());
        if (!m_plot->axisRect()->rect().contains(rect.center().toPoint()))
            return std::nullopt;
        return rect.center().toPoint();
    }
    return std::nullopt;
}

void GrowthChart::onRangeChanged()
{
    if (m_clamping)
        return;
    if (!m_graphs.empty()) {
        // Zoom and pan stay within the data (plus a little air), and never below half a second.
        const double lo = secondsOf(m_dataFirstMs);
        const double hi = secondsOf(m_dataLastMs);
        const double pad = std::max((hi - lo) * 0.02, 0.5);
        const double min = lo - pad;
        const double max = hi + pad;
        QCPRange range = m_plot->xAxis->range();
        constexpr double minSpan = 0.5;
        if (range.size() >= max - min) {
            range = QCPRange(min, max);
        } else {
            if (range.size() < minSpan)
                range = QCPRange(range.center() - minSpan / 2, range.center() + minSpan / 2);
            if (range.lower < min)
                range += min - range.lower;
            if (range.upper > max)
                range -= range.upper - max;
        }
        if (range.lower != m_plot->xAxis->range().lower || range.upper != m_plot->xAxis->range().upper) {
            m_clamping = true;
            m_plot->xAxis->setRange(range);
            m_clamping = false;
        }
    }
    // Labels of kills near the right edge open to the left, so they stay readable.
    const QCPRange range = m_plot->xAxis->range();
    for (MarkerItems &m : m_markerItems) {
        const bool rightHalf = secondsOf(m.marker.timeMs) > range.lower + range.size() * 0.7;
        m.label->setPositionAlignment((rightHalf ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        m.label->setPadding(QMargins(5, 2, 5, 2));
    }
    updateTimeFormat();
    scheduleQuery();
    emit visibleRangeChanged();
}

std::pair<std::int64_t, std::int64_t> GrowthChart::visibleRangeMs() const
{
    const QCPRange range = m_plot->xAxis->range();
    return {std::int64_t(std::floor(range.lower * 1000.0)), std::int64_t(std::ceil(range.upper * 1000.0))};
}

void GrowthChart::clearVerdictOverlay()
{
    for (QCPAbstractItem *item :
         std::initializer_list<QCPAbstractItem *> {m_trendLine, m_forecastLine, m_trendLabel}) {
        if (item)
            m_plot->removeItem(item);
    }
    m_trendLine = nullptr;
    m_forecastLine = nullptr;
    m_trendLabel = nullptr;
    for (QCPItemRect *rect : m_regionItems)
        m_plot->removeItem(rect);
    for (QCPItemText *label : m_regionLabels)
        m_plot->removeItem(label);
    m_regionItems.clear();
    m_regionLabels.clear();
}

void GrowthChart::setVerdictOverlay(qint64 seriesId, const Verdict &verdict)
{
    clearVerdictOverlay();
    if (!usageGraph(seriesId))
        return;
    const QCPRange visible = m_plot->xAxis->range();
    const double pxPerSecond = m_plot->axisRect()->width() / std::max(visible.size(), 1e-3);
    for (const Region &region : verdict.regions) {
        QColor color;
        QString name;
        switch (region.kind) {
        case Region::Kind::Plateau:
            color = QColor(0xff, 0xb3, 0x00, 48);
            name = u"plateau"_s;
            break;
        case Region::Kind::Spike:
            color = QColor(0xe5, 0x39, 0x35, 56);
            name = u"spike"_s;
            break;
        case Region::Kind::NearLimit:
            color = QColor(0xff, 0x70, 0x43, 40);
            name = u"≥ 90 % of limit"_s;
            break;
        case Region::Kind::Gap:
            color = QColor(0x78, 0x78, 0x78, 40);
            name = u"no samples"_s;
            break;
        case Region::Kind::Incarnation:
            continue; // the kill markers already cut the range
        }
        auto *rect = new QCPItemRect(m_plot);
        rect->setLayer(u"verdictRegions"_s);
        rect->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
        rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
        rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        const double start = secondsOf(region.startMs);
        // A spike between two samples still gets a visible band.
        const double end = std::max(secondsOf(region.endMs), start + 3.0 / std::max(pxPerSecond, 1e-9));
        rect->topLeft->setCoords(start, 0);
        rect->bottomRight->setCoords(end, 1);
        rect->setPen(Qt::NoPen);
        rect->setBrush(color);
        rect->setSelectable(false);
        rect->setVisible(m_showTrend);
        m_regionItems.push_back(rect);
        // Named along the bottom where there is room for the name.
        if ((end - start) * pxPerSecond >= 70) {
            auto *label = new QCPItemText(m_plot);
            label->setLayer(u"verdictRegions"_s);
            label->position->setTypeX(QCPItemPosition::ptPlotCoords);
            label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            label->position->setCoords((std::max(start, visible.lower) + std::min(end, visible.upper)) / 2,
                                       0.995);
            label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            label->setText(name);
            label->setColor(color.darker(220));
            QFont font = this->font();
            font.setPointSizeF(font.pointSizeF() * 0.85);
            label->setFont(font);
            label->setSelectable(false);
            label->setVisible(m_showTrend);
            m_regionLabels.push_back(label);
        }
    }

    const TrendLine &trend = verdict.trend;
    // The classifier stretches a rising line's end to where it meets the limit; the fitted part
    // ends with the deciding incarnation (the segment the line starts in).
    std::int64_t fittedEndMs = trend.endMs;
    bool killed = false;
    for (const Verdict::Segment &segment : verdict.segments) {
        if (segment.startMs <= trend.startMs && trend.startMs <= segment.endMs) {
            fittedEndMs = std::min<std::int64_t>(trend.endMs, segment.endMs);
            killed = segment.endedByKill;
        }
    }
    if (trend.valid && fittedEndMs > trend.startMs) {
        m_trendLine = new QCPItemLine(m_plot);
        m_trendLine->setLayer(u"trend"_s);
        m_trendLine->start->setCoords(secondsOf(trend.startMs), trend.valueAt(trend.startMs));
        m_trendLine->end->setCoords(secondsOf(fittedEndMs), trend.valueAt(fittedEndMs));
        m_trendLine->setPen(QPen(kTrendColor, 2.6));
        m_trendLine->setSelectable(false);
        m_trendLine->setVisible(m_showTrend);

        const double slopeMiBPerHour = trend.slopeBytesPerS * 3600.0 / (1024.0 * 1024.0);
        // A fast leak reads better per second, a slow one per hour.
        const bool perSecond = std::abs(slopeMiBPerHour) >= 360.0;
        QString text = (trend.onFloor ? u"floor trend "_s : u"trend "_s)
            + (slopeMiBPerHour >= 0 ? u"+"_s : QString())
            + (perSecond ? QLocale::c().toString(slopeMiBPerHour / 3600.0, 'f', 2) + u" MiB/s"_s
                         : QLocale::c().toString(slopeMiBPerHour, 'f', 1) + u" MiB/h"_s);
        if (killed) {
            text += u" → killed at the limit"_s;
        } else if (trend.slopeBytesPerS > 0 && trend.limitCrossingMs) {
            const std::int64_t crossingMs = *trend.limitCrossingMs;
            if (crossingMs > fittedEndMs) {
                m_forecastLine = new QCPItemLine(m_plot);
                m_forecastLine->setLayer(u"trend"_s);
                m_forecastLine->start->setCoords(secondsOf(fittedEndMs), trend.valueAt(fittedEndMs));
                m_forecastLine->end->setCoords(secondsOf(crossingMs), trend.valueAt(crossingMs));
                m_forecastLine->setPen(QPen(kTrendColor, 1.8, Qt::DashLine));
                m_forecastLine->setSelectable(false);
                m_forecastLine->setVisible(m_showTrend);
                text += u" → limit in "_s + roughDuration(double(crossingMs - fittedEndMs) / 1000.0);
            } else {
                text += u" → at the limit"_s;
            }
        }
        m_trendLabel = new QCPItemText(m_plot);
        m_trendLabel->setLayer(u"trend"_s);
        // Just below the line, a fifth along its visible fitted part: under a rising line that is
        // inside the area it climbs over, away from the kill labels at the top.
        const double a = std::max(secondsOf(trend.startMs), visible.lower);
        const double b = std::min(secondsOf(fittedEndMs), visible.upper);
        const double at = a < b ? a + (b - a) * 0.2 : secondsOf(fittedEndMs);
        m_trendLabel->position->setCoords(at, trend.valueAt(std::int64_t(at * 1000.0)));
        m_trendLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        m_trendLabel->setText(text);
        m_trendLabel->setColor(kTrendColor);
        m_trendLabel->setBrush(QColor(255, 255, 255, 215));
        m_trendLabel->setPen(QPen(withAlpha(kTrendColor, 140)));
        m_trendLabel->setPadding(QMargins(4, 1, 4, 1));
        m_trendLabel->setSelectable(false);
        m_trendLabel->setVisible(m_showTrend);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString GrowthChart::trendLabelText() const
{
    return m_trendLabel ? m_trendLabel->text() : QString();
}

void GrowthChart::setTrendVisible(bool visible)
{
    m_showTrend = visible;
    for (QCPAbstractItem *item :
         std::initializer_list<QCPAbstractItem *> {m_trendLine, m_forecastLine, m_trendLabel}) {
        if (item)
            item->setVisible(visible);
    }
    for (QCPItemRect *rect : m_regionItems)
        rect->setVisible(visible);
    for (QCPItemText *label : m_regionLabels)
        label->setVisible(visible);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GrowthChart::updateTimeFormat()
{
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>();
    if (!ticker)
        return;
    const QCPRange range = m_plot->xAxis->range();
    const double span = range.size();
    QString format;
    if (span <= 30)
        format = u"hh:mm:ss.zzz"_s;
    else if (span <= 3 * 3600)
        format = u"hh:mm:ss"_s;
    else if (span <= 3 * 86400)
        format = u"ddd hh:mm"_s;
    else
        format = u"yyyy-MM-dd"_s;
    ticker->setDateTimeFormat(format);
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(qint64(range.lower * 1000.0));
    m_plot->xAxis->setLabel(u"local time ("_s + start.timeZoneAbbreviation() + u"), from "_s
                            + start.toString(u"ddd yyyy-MM-dd hh:mm:ss"_s));
}

void GrowthChart::scheduleQuery()
{
    if (!m_graphs.empty())
        m_queryDebounce.start();
}

void GrowthChart::startQuery()
{
    if (m_graphs.empty() || m_workspacePath.isEmpty())
        return;
    if (m_queryRunning) {
        m_queryDirty = true; // re-issued when the running query returns
        return;
    }
    const QCPRange range = m_plot->xAxis->range();
    // A little beyond the visible range, so a short pan shows lines up to the edges at once.
    const double extra = range.size() * 0.1;
    const auto fromMs = std::int64_t(std::floor((range.lower - extra) * 1000.0));
    const auto toMs = std::int64_t(std::ceil((range.upper + extra) * 1000.0));
    const int widthPx = std::max(200, m_plot->axisRect()->width());
    const int maxPoints = int(double(widthPx) * 2.0 * 1.2); // 2 per pixel over the visible part
    std::vector<qint64> ids;
    for (const SeriesGraphs &g : m_graphs)
        ids.push_back(g.spec.seriesId);
    const quint64 generation = m_generation;
    m_queryRunning = true;
    QElapsedTimer timer;
    timer.start();
    QtConcurrent::run(&m_pool, &queryChartCurves, m_workspacePath, ids, fromMs, toMs, maxPoints)
        .then(this, [this, generation, timer](const ChartQueryResult &result) {
            m_queryRunning = false;
            m_lastQueryMs = timer.elapsed();
            if (generation == m_generation) {
                if (!result.error.isEmpty())
                    qWarning("oomscope: chart query failed: %s", qPrintable(result.error));
                applyResult(result);
            }
            if (m_queryDirty || generation != m_generation) {
                m_queryDirty = false;
                startQuery();
            }
        });
}

void GrowthChart::applyResult(const ChartQueryResult &result)
{
    for (const SeriesCurves &c : result.series) {
        auto it = std::find_if(m_graphs.begin(), m_graphs.end(),
                               [&](const SeriesGraphs &g) { return g.spec.seriesId == c.seriesId; });
        if (it == m_graphs.end())
            continue;
        // The containers are shared, not copied: they were built off the GUI thread.
        it->usage->setData(c.usage);
        it->usageMin->setData(c.usageMin);
        it->usageMax->setData(c.usageMax);
        it->workingSet->setData(c.workingSet);
        it->limit->setData(c.limit);
        it->high->setData(c.high);
        it->failRises->setData(c.failRises);
        for (int p = 0; p < kStackCount; ++p)
            it->stack[std::size_t(p)]->setData(c.stack[std::size_t(p)]);
        it->level = c.level;
        it->maxBytes = c.maxBytes;
        it->stackKnown = c.stackKnown;
    }
    updateVisibility();
    updateValueRange();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit dataLoaded();
}

void GrowthChart::updateValueRange()
{
    double top = 0;
    for (const SeriesGraphs &g : m_graphs)
        top = std::max(top, g.maxBytes);
    if (top <= 0)
        top = 1024.0 * 1024.0;
    // Headroom above the limit line for the kill labels.
    m_plot->yAxis->setRange(0, top * 1.12);
}

void GrowthChart::appendLiveSamples(qint64 seriesId, const std::vector<MemorySample> &samples)
{
    if (samples.empty())
        return;
    std::vector<MemorySample> &buffer = m_liveBuffer[seriesId];
    buffer.insert(buffer.end(), samples.begin(), samples.end());
    if (!m_liveTimer.isActive())
        m_liveTimer.start();
}

void GrowthChart::flushLive()
{
    if (m_liveBuffer.empty())
        return;
    const QCPRange range = m_plot->xAxis->range();
    const bool following = range.upper >= secondsOf(m_dataLastMs);
    std::int64_t newLastMs = m_dataLastMs;
    for (auto &[seriesId, samples] : m_liveBuffer) {
        auto it = std::find_if(m_graphs.begin(), m_graphs.end(),
                               [id = seriesId](const SeriesGraphs &g) { return g.spec.seriesId == id; });
        if (it == m_graphs.end() || samples.empty())
            continue;
        // A rise between the last flush and this one counts too.
        const SeriesCurves c = curvesFrom(seriesId, envelopeOfSamples(samples), it->lastLiveFailcnt);
        for (auto s = samples.rbegin(); s != samples.rend(); ++s) {
            if (MemorySample::known(s->failcnt)) {
                it->lastLiveFailcnt = s->failcnt;
                break;
            }
        }
        const double trimBefore = secondsOf(samples.back().timestampMs - m_liveWindowMs);
        auto append = [trimBefore](QCPGraph *graph, const QSharedPointer<QCPGraphDataContainer> &points) {
            graph->data()->add(*points);
            graph->data()->removeBefore(trimBefore);
        };
        append(it->usage, c.usage);
        append(it->workingSet, c.workingSet);
        append(it->limit, c.limit);
        append(it->high, c.high);
        append(it->failRises, c.failRises);
        for (int p = 0; p < kStackCount; ++p)
            append(it->stack[std::size_t(p)], c.stack[std::size_t(p)]);
        it->maxBytes = std::max(it->maxBytes, c.maxBytes);
        for (int p = 0; p < kStackCount; ++p)
            it->stackKnown[std::size_t(p)] = it->stackKnown[std::size_t(p)] || c.stackKnown[std::size_t(p)];
        if (it->level < 0)
            it->level = 0;
        if (m_dataFirstMs == 0 && m_dataLastMs == 0)
            m_dataFirstMs = samples.front().timestampMs;
        newLastMs = std::max(newLastMs, samples.back().timestampMs);
    }
    m_liveBuffer.clear();
    const double shift = secondsOf(newLastMs) - secondsOf(m_dataLastMs);
    m_dataLastMs = newLastMs;
    if (following && shift > 0)
        m_plot->xAxis->setRange(range.lower + shift, range.upper + shift); // keep the newest in view
    updateVisibility();
    updateValueRange();
    ++m_liveFlushes;
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void GrowthChart::activateMarker(qint64 eventId)
{
    setSelectedEvent(eventId);
    emit eventActivated(eventId);
}

qint64 GrowthChart::markerAt(const QPoint &pos) const
{
    for (const MarkerItems &m : m_markerItems) {
        const QRectF rect(m.label->topLeft->pixelPosition(), m.label->bottomRight->pixelPosition());
        if (rect.adjusted(-2, -2, 2, 2).contains(pos))
            return m.marker.eventId;
    }
    if (!m_plot->axisRect()->rect().contains(pos))
        return 0;
    for (const MarkerItems &m : m_markerItems) {
        if (std::abs(m_plot->xAxis->coordToPixel(secondsOf(m.marker.timeMs)) - pos.x()) <= 4.0)
            return m.marker.eventId;
    }
    return 0;
}

void GrowthChart::onMousePress(QMouseEvent *event)
{
    m_pressPos = event->pos();
}

void GrowthChart::onMouseRelease(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || (event->pos() - m_pressPos).manhattanLength() > 4)
        return;
    if (const qint64 eventId = markerAt(event->pos()))
        activateMarker(eventId);
}

void GrowthChart::hideCrosshair()
{
    m_tracer->setGraph(nullptr); // a tracer on a graph recomputes (and warns) even when hidden
    m_crosshairLine->setVisible(false);
    m_tracer->setVisible(false);
    m_crosshairLabel->setVisible(false);
}

QString GrowthChart::crosshairText(double keySeconds) const
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(std::llround(keySeconds * 1000.0));
    QStringList lines {time.toString(u"yyyy-MM-dd hh:mm:ss.zzz"_s)};
    auto line = [&](const QString &name, std::optional<double> value) {
        if (value)
            lines << u"  "_s + name + u"  "_s + humanBytes(*value) + u"  ("_s + exactBytes(*value) + u')';
    };
    for (const SeriesGraphs &g : m_graphs) {
        lines << g.spec.label
                + (g.level > 0 ? u"  (min–max of "_s + QString::number(g.level) + u". level)"_s : QString());
        line(u"usage"_s, valueAt(g.usage, keySeconds));
        if (g.level > 0) {
            line(u"usage min"_s, valueAt(g.usageMin, keySeconds));
            line(u"usage max"_s, valueAt(g.usageMax, keySeconds));
        }
        if (m_showWorkingSet)
            line(u"working set"_s, valueAt(g.workingSet, keySeconds));
        line(u"limit"_s, valueAt(g.limit, keySeconds));
        line(u"memory.high"_s, valueAt(g.high, keySeconds));
    }
    return lines.join(u'\n');
}

void GrowthChart::onMouseMove(QMouseEvent *event)
{
    const QPoint pos = event->pos();
    const QRect plotRect = m_plot->axisRect()->rect();
    setCursor(markerAt(pos) != 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (m_graphs.empty() || !plotRect.contains(pos)) {
        if (m_crosshairLabel->visible()) {
            hideCrosshair();
            m_crosshairLayer->replot();
        }
        return;
    }
    const double key = m_plot->xAxis->pixelToCoord(pos.x());
    m_crosshairLine->point1->setCoords(key, 0);
    m_crosshairLine->point2->setCoords(key, 1);
    QCPGraph *traced = m_graphs.front().usage;
    m_tracer->setGraph(traced->data()->isEmpty() ? nullptr : traced);
    m_tracer->setGraphKey(key);
    m_crosshairLabel->setText(crosshairText(key));
    const bool leftSide = pos.x() > plotRect.center().x();
    m_crosshairLabel->setPositionAlignment((leftSide ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
    // Below the kill labels at the top, above where the curves of a leak start at the bottom.
    m_crosshairLabel->position->setCoords(pos.x() + (leftSide ? -14 : 14),
                                          plotRect.top() + plotRect.height() * 0.3);
    m_crosshairLine->setVisible(true);
    m_tracer->setVisible(m_tracer->graph() != nullptr);
    m_crosshairLabel->setVisible(true);
    m_crosshairLayer->replot();
}

bool GrowthChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Leave && m_crosshairLabel->visible()) {
        hideCrosshair();
        m_crosshairLayer->replot();
    }
    // The number of points asked for follows the width: a wider chart gets a finer level.
    if (watched == m_plot && event->type() == QEvent::Resize)
        scheduleQuery();
    return QWidget::eventFilter(watched, event);
}

} // namespace oomscope
