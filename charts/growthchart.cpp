// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "growthchart.h"

#include "readconnections.h"

#include <QDateTime>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

double secondsOf(std::int64_t ms)
{
    return double(ms) / 1000.0;
}

// Live samples kept per series to put back what a query that ran while they were stored lacks.
constexpr std::int64_t kRecentMs = 10'000;
constexpr std::size_t kRecentMax = 4096;
// A following view asks the store again this often, or sooner when a series got more raw points
// than the plot is wide: the store's level of detail draws them with fewer.
constexpr qint64 kLiveRequeryMs = 10'000;
constexpr int kFrameMs = 16;

std::int64_t lastKnownFailcnt(const std::vector<MemorySample> &samples, std::int64_t previous)
{
    for (auto s = samples.rbegin(); s != samples.rend(); ++s) {
        if (MemorySample::known(s->failcnt))
            return s->failcnt;
    }
    return previous;
}

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

} // namespace

Result<std::vector<SeriesCurves>> queryChartCurves(const QString &workspacePath,
                                                   const std::vector<qint64> &seriesIds, std::int64_t fromMs,
                                                   std::int64_t toMs, int maxPoints)
{
    const Result<SampleStore *> store = threadSampleStore(workspacePath);
    if (!store)
        return tl::unexpected(store.error());
    std::vector<SeriesCurves> curves;
    for (qint64 id : seriesIds)
        curves.push_back(curvesFromEnvelope(id, (*store)->envelope(id, fromMs, toMs, maxPoints)));
    return curves;
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
    m_growth = std::make_unique<GrowthPlot>(m_plot, ChartStyle::screen(font()));
    setUpCrosshair();

    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            [this] { onRangeChanged(); });
    connect(m_plot, &QCustomPlot::mouseMove, this, &GrowthChart::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &GrowthChart::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &GrowthChart::onMouseRelease);

    m_pool.setMaxThreadCount(1);
    m_queryDebounce.setSingleShot(true);
    m_queryDebounce.setInterval(50);
    connect(&m_queryDebounce, &QTimer::timeout, this, [this] { m_query.ask(); });
    m_liveTimer.setSingleShot(true);
    m_liveTimer.setInterval(40);
    connect(&m_liveTimer, &QTimer::timeout, this, &GrowthChart::flushLive);
    m_replotTimer.setSingleShot(true);
    connect(&m_replotTimer, &QTimer::timeout, this, [this] { m_plot->replot(QCustomPlot::rpRefreshHint); });
    connect(m_plot, &QCustomPlot::afterReplot, this, [this] { m_sinceReplot.start(); });
    // Labels fitted to the plot as it is laid out (a resize, a legend that took more rows).
    connect(m_plot, &QCustomPlot::beforeReplot, this, [this] { m_growth->fitToPlot(); });
}

void GrowthChart::requestReplot()
{
    if (m_replotTimer.isActive())
        return;
    const qint64 since = m_sinceReplot.isValid() ? m_sinceReplot.elapsed() : kFrameMs;
    m_replotTimer.start(int(std::max<qint64>(0, kFrameMs - since)));
}

void GrowthChart::setUpCrosshair()
{
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
}

GrowthChart::~GrowthChart()
{
    m_query.forget();
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

void GrowthChart::addWarningMarker(const ChartMarker &marker)
{
    m_growth->addWarningMarker(marker);
    requestReplot();
}

void GrowthChart::setSeries(const std::vector<ChartSeriesSpec> &series,
                            const std::vector<ChartMarker> &markers)
{
    const std::vector<GrowthPlot::SeriesGraphs> &shown = m_growth->graphs();
    const bool same = !series.empty() && series.size() == shown.size()
        && std::equal(series.begin(), series.end(), shown.begin(),
                      [](const ChartSeriesSpec &a, const GrowthPlot::SeriesGraphs &b) {
                          return a.seriesId == b.spec.seriesId && a.label == b.spec.label
                              && a.color == b.spec.color;
                      });
    if (same) {
        refreshSeries(series, markers);
        return;
    }
    m_query.forget(); // results of queries for the old set are dropped
    hideCrosshair();
    m_liveBuffer.clear();
    m_recent.clear();
    m_rawSinceQuery.clear();
    m_drawnUpToMs.clear();
    m_growth->setSeries(series, markers);
    // Laid out now (the legend takes its rows): the query asks for points by the plot's width.
    m_plot->plotLayout()->update(QCPLayoutElement::upPreparation);
    m_plot->plotLayout()->update(QCPLayoutElement::upMargins);
    m_plot->plotLayout()->update(QCPLayoutElement::upLayout);
    requestReplot();
    m_dataFirstMs = 0;
    m_dataLastMs = 0;
    extendDataRange(series);
    if (series.empty())
        return;
    fitAll();
    m_queryDebounce.stop();
    m_query.ask();
}

void GrowthChart::extendDataRange(const std::vector<ChartSeriesSpec> &series)
{
    bool haveRange = m_dataFirstMs != 0 || m_dataLastMs != 0;
    for (const ChartSeriesSpec &spec : series) {
        if (spec.lastMs >= spec.firstMs && (spec.firstMs != 0 || spec.lastMs != 0)) {
            m_dataFirstMs = haveRange ? std::min(m_dataFirstMs, spec.firstMs) : spec.firstMs;
            m_dataLastMs = haveRange ? std::max(m_dataLastMs, spec.lastMs) : spec.lastMs;
            haveRange = true;
        }
    }
}

// The same series again (a reload of the window while samples or events come in): the view,
// its data and the live samples stay; the markers are replaced, and a view that showed all of
// the data grows to what the workspace now holds.
void GrowthChart::refreshSeries(const std::vector<ChartSeriesSpec> &series,
                                const std::vector<ChartMarker> &markers)
{
    const QCPRange range = m_plot->xAxis->range();
    const bool whole = range.lower <= secondsOf(m_dataFirstMs) && range.upper >= secondsOf(m_dataLastMs);
    const std::pair<std::int64_t, std::int64_t> before {m_dataFirstMs, m_dataLastMs};
    m_growth->setMarkers(markers);
    m_growth->updateTimeRange();
    extendDataRange(series);
    if (whole && before != std::pair {m_dataFirstMs, m_dataLastMs})
        fitAll(); // asks the store for the new range
    requestReplot();
}

void GrowthChart::fitAll()
{
    if (m_growth->graphs().empty())
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
    m_growth->setSelectedEvent(eventId);
    requestReplot();
}

void GrowthChart::setBreakdownVisible(bool visible)
{
    m_growth->setBreakdownVisible(visible);
    requestReplot();
}

void GrowthChart::setWorkingSetVisible(bool visible)
{
    m_growth->setWorkingSetVisible(visible);
    requestReplot();
}

void GrowthChart::setVerdictOverlay(qint64 seriesId, const Verdict &verdict)
{
    m_growth->setVerdictOverlay(seriesId, verdict);
    requestReplot();
}

void GrowthChart::clearVerdictOverlay()
{
    m_growth->clearVerdictOverlay();
}

void GrowthChart::setTrendVisible(bool visible)
{
    m_growth->setTrendVisible(visible);
    requestReplot();
}

QCPGraph *GrowthChart::usageGraph(qint64 seriesId) const
{
    const GrowthPlot::SeriesGraphs *g = m_growth->graphsOf(seriesId);
    return g ? g->usage : nullptr;
}

QCPGraph *GrowthChart::limitGraph(qint64 seriesId) const
{
    const GrowthPlot::SeriesGraphs *g = m_growth->graphsOf(seriesId);
    return g ? g->limit : nullptr;
}

QCPGraph *GrowthChart::workingSetGraph(qint64 seriesId) const
{
    const GrowthPlot::SeriesGraphs *g = m_growth->graphsOf(seriesId);
    return g ? g->workingSet : nullptr;
}

int GrowthChart::levelShown(qint64 seriesId) const
{
    const GrowthPlot::SeriesGraphs *g = m_growth->graphsOf(seriesId);
    return g ? g->level : -1;
}

std::optional<QPoint> GrowthChart::markerLabelPosition(qint64 eventId) const
{
    for (const GrowthPlot::MarkerItems &m : m_growth->markerItems()) {
        if (m.marker.eventId != eventId)
            continue;
        const QRectF rect(m.label->topLeft->pixelPosition(), m.label->bottomRight->pixelPosition());
        if (!m_plot->axisRect()->rect().contains(rect.center().toPoint()))
            return std::nullopt;
        return rect.center().toPoint();
    }
    return std::nullopt;
}

// Zoom and pan stay within the data (plus a little air), and never below half a second.
void GrowthChart::clampRange()
{
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

void GrowthChart::onRangeChanged()
{
    if (m_clamping)
        return;
    if (!m_growth->graphs().empty())
        clampRange();
    m_growth->updateTimeRange();
    if (!m_liveMove) // following live samples: they are drawn already (flushLive)
        scheduleQuery();
    Q_EMIT visibleRangeChanged();
}

std::pair<std::int64_t, std::int64_t> GrowthChart::visibleRangeMs() const
{
    const QCPRange range = m_plot->xAxis->range();
    return {std::int64_t(std::floor(range.lower * 1000.0)), std::int64_t(std::ceil(range.upper * 1000.0))};
}

void GrowthChart::scheduleQuery()
{
    if (!m_growth->graphs().empty())
        m_queryDebounce.start();
}

std::optional<QFuture<Result<std::vector<SeriesCurves>>>> GrowthChart::queryTask()
{
    if (m_growth->graphs().empty() || m_workspacePath.isEmpty())
        return std::nullopt;
    const QCPRange range = m_plot->xAxis->range();
    // A little beyond the visible range, so a short pan shows lines up to the edges at once.
    const double extra = range.size() * 0.1;
    const auto fromMs = std::int64_t(std::floor((range.lower - extra) * 1000.0));
    const auto toMs = std::int64_t(std::ceil((range.upper + extra) * 1000.0));
    const int widthPx = std::max(200, m_plot->axisRect()->width());
    const int maxPoints = int(double(widthPx) * 2.0 * 1.2); // 2 per pixel over the visible part
    std::vector<qint64> ids;
    for (const GrowthPlot::SeriesGraphs &g : m_growth->graphs())
        ids.push_back(g.spec.seriesId);
    m_queryTimer.start();
    return QtConcurrent::run(&m_pool, &queryChartCurves, m_workspacePath, ids, fromMs, toMs, maxPoints);
}

void GrowthChart::queryAnswered(Result<std::vector<SeriesCurves>> &&result)
{
    m_lastQueryMs = m_queryTimer.elapsed();
    applyResult(result);
}

void GrowthChart::applyResult(const Result<std::vector<SeriesCurves>> &result)
{
    if (!result) {
        qWarning("oomscope: chart query failed: %s", qPrintable(result.error().message));
    } else {
        for (const SeriesCurves &c : *result) {
            m_growth->setCurves(c); // shared, not copied: built off the GUI thread
            m_drawnUpToMs[c.seriesId] = c.lastSampleMs.value_or(std::numeric_limits<std::int64_t>::min());
            m_rawSinceQuery[c.seriesId] = 0;
            refillRecent(c);
        }
    }
    m_sinceQueryApplied.start();
    m_growth->updateVisibility();
    m_growth->updateValueRange();
    requestReplot();
    Q_EMIT dataLoaded();
}

// The query read the workspace as it was when it started: put back the live samples stored
// since, when the view shows the newest.
void GrowthChart::refillRecent(const SeriesCurves &curves)
{
    const auto recent = m_recent.find(curves.seriesId);
    if (recent == m_recent.end() || m_plot->xAxis->range().upper < secondsOf(m_dataLastMs))
        return;
    appendSamples(curves.seriesId, recent->second);
}

void GrowthChart::appendLiveSamples(qint64 seriesId, const std::vector<MemorySample> &samples)
{
    if (samples.empty() || !m_growth->graphsOf(seriesId))
        return; // not shown: stored, and read from there when it is
    std::vector<MemorySample> &buffer = m_liveBuffer[seriesId];
    buffer.insert(buffer.end(), samples.begin(), samples.end());
    if (!m_liveTimer.isActive())
        m_liveTimer.start();
}

void GrowthChart::keepRecent(qint64 seriesId, const std::vector<MemorySample> &samples)
{
    std::vector<MemorySample> &recent = m_recent[seriesId];
    recent.insert(recent.end(), samples.begin(), samples.end());
    const std::int64_t keepFromMs = recent.back().timestampMs - kRecentMs;
    auto keepFrom = std::find_if(recent.begin(), recent.end(),
                                 [keepFromMs](const MemorySample &s) { return s.timestampMs >= keepFromMs; });
    if (std::distance(keepFrom, recent.end()) > std::ptrdiff_t(kRecentMax))
        keepFrom = recent.end() - std::ptrdiff_t(kRecentMax);
    recent.erase(recent.begin(), keepFrom);
}

// Appends the samples after what the series' graphs hold (a query may have brought some).
void GrowthChart::appendSamples(qint64 seriesId, const std::vector<MemorySample> &samples)
{
    GrowthPlot::SeriesGraphs *g = m_growth->graphsOf(seriesId);
    if (!g)
        return;
    auto drawn = m_drawnUpToMs.try_emplace(seriesId, std::numeric_limits<std::int64_t>::min()).first;
    const auto fresh = std::find_if(samples.begin(), samples.end(),
                                    [&](const MemorySample &s) { return s.timestampMs > drawn->second; });
    if (fresh == samples.end())
        return;
    const std::vector<MemorySample> news(fresh, samples.end());
    // A rise between the last append and this one counts too.
    m_growth->appendCurves(curvesFromSamples(seriesId, news, g->lastLiveFailcnt));
    g->lastLiveFailcnt = lastKnownFailcnt(news, g->lastLiveFailcnt);
    drawn->second = news.back().timestampMs;
    m_rawSinceQuery[seriesId] += qint64(news.size());
}

void GrowthChart::flushLive()
{
    if (m_liveBuffer.empty())
        return;
    const QCPRange range = m_plot->xAxis->range();
    const bool hadData = m_dataFirstMs != 0 || m_dataLastMs != 0;
    // The newest samples in view: the view follows them; the oldest too: it keeps showing all.
    const bool following = !hadData || range.upper >= secondsOf(m_dataLastMs);
    const bool whole = following && (!hadData || range.lower <= secondsOf(m_dataFirstMs));
    const std::int64_t oldLastMs = m_dataLastMs;
    bool appended = false;
    for (auto &[seriesId, samples] : m_liveBuffer) {
        GrowthPlot::SeriesGraphs *g = m_growth->graphsOf(seriesId);
        if (!g || samples.empty())
            continue;
        keepRecent(seriesId, samples);
        const bool empty = m_dataFirstMs == 0 && m_dataLastMs == 0;
        m_dataFirstMs =
            empty ? samples.front().timestampMs : std::min(m_dataFirstMs, samples.front().timestampMs);
        m_dataLastMs = std::max(m_dataLastMs, samples.back().timestampMs);
        if (following) {
            appendSamples(seriesId, samples);
            appended = true;
        } else {
            g->lastLiveFailcnt = lastKnownFailcnt(samples, g->lastLiveFailcnt);
        }
    }
    m_liveBuffer.clear();
    ++m_liveFlushes;
    if (!appended)
        return; // stored, out of view: nothing visible changed
    m_liveMove = true;
    if (whole) {
        fitAll();
    } else if (m_dataLastMs > oldLastMs) {
        const double shift = secondsOf(m_dataLastMs) - secondsOf(oldLastMs);
        m_plot->xAxis->setRange(range.lower + shift, range.upper + shift);
    }
    m_liveMove = false;
    if (!whole) {
        // What scrolled out of view is in the workspace: not kept here.
        const QCPRange now = m_plot->xAxis->range();
        m_growth->trimBefore(now.lower - now.size() * 0.1);
    }
    m_growth->updateVisibility();
    m_growth->updateValueRange();
    const qint64 rawLimit = std::max(256, m_plot->axisRect()->width());
    const bool manyRaw = std::any_of(m_rawSinceQuery.begin(), m_rawSinceQuery.end(),
                                     [rawLimit](const auto &entry) { return entry.second > rawLimit; });
    if ((manyRaw || !m_sinceQueryApplied.isValid() || m_sinceQueryApplied.elapsed() > kLiveRequeryMs)
        && !isQueryPending())
        m_query.ask();
    requestReplot();
}

void GrowthChart::activateMarker(qint64 eventId)
{
    setSelectedEvent(eventId);
    Q_EMIT eventActivated(eventId);
}

qint64 GrowthChart::markerAt(const QPoint &pos) const
{
    for (const GrowthPlot::MarkerItems &m : m_growth->markerItems()) {
        const QRectF rect(m.label->topLeft->pixelPosition(), m.label->bottomRight->pixelPosition());
        if (rect.adjusted(-2, -2, 2, 2).contains(pos))
            return m.marker.eventId;
    }
    if (!m_plot->axisRect()->rect().contains(pos))
        return 0;
    for (const GrowthPlot::MarkerItems &m : m_growth->markerItems()) {
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
    for (const GrowthPlot::SeriesGraphs &g : m_growth->graphs()) {
        lines << g.spec.label
                + (g.level > 0 ? u"  (min–max of "_s + QString::number(g.level) + u". level)"_s : QString());
        line(u"usage"_s, valueAt(g.usage, keySeconds));
        if (g.level > 0) {
            line(u"usage min"_s, valueAt(g.usageMin, keySeconds));
            line(u"usage max"_s, valueAt(g.usageMax, keySeconds));
        }
        if (m_growth->isWorkingSetVisible())
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
    if (m_growth->graphs().empty() || !plotRect.contains(pos)) {
        if (m_crosshairLabel->visible()) {
            hideCrosshair();
            m_crosshairLayer->replot();
        }
        return;
    }
    const double key = m_plot->xAxis->pixelToCoord(pos.x());
    m_crosshairLine->point1->setCoords(key, 0);
    m_crosshairLine->point2->setCoords(key, 1);
    QCPGraph *traced = m_growth->graphs().front().usage;
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
