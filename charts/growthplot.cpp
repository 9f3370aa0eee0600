// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "growthplot.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QLocale>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

const std::array<QString, kStackCount> kStackNames = {u"anon"_s, u"shmem"_s, u"active file"_s,
                                                      u"inactive file"_s, u"kernel"_s};
// The cAdvisor/kubelet definition; the README says so (the legend has no room for it).
const QString kWorkingSetName = u"working set (usage − inactive_file)"_s;

double secondsOf(std::int64_t ms)
{
    return double(ms) / 1000.0;
}

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

// How a verdict region is shaded and named; no colour: not drawn.
std::pair<QColor, QString> regionLook(Region::Kind kind)
{
    switch (kind) {
    case Region::Kind::Plateau:
        return {QColor(0xff, 0xb3, 0x00, 48), u"plateau"_s};
    case Region::Kind::Spike:
        return {QColor(0xe5, 0x39, 0x35, 56), u"spike"_s};
    case Region::Kind::NearLimit:
        return {QColor(0xff, 0x70, 0x43, 40), u"≥ 90 % of limit"_s};
    case Region::Kind::Gap:
        return {QColor(0x78, 0x78, 0x78, 40), u"no samples"_s};
    case Region::Kind::Incarnation:
        break; // the kill markers already cut the range
    }
    return {QColor(), QString()};
}

// A line over the curves, in plot coordinates.
QCPItemLine *addLine(QCustomPlot *plot, const QString &layer, QPointF from, QPointF to, const QPen &pen)
{
    auto *line = new QCPItemLine(plot);
    line->setLayer(layer);
    line->start->setCoords(from);
    line->end->setCoords(to);
    line->setPen(pen);
    line->setSelectable(false);
    return line;
}

// The trend's fitted part ends with the deciding incarnation (the segment the line starts in);
// the classifier stretches a rising line's end to where it meets the limit.
std::pair<std::int64_t, bool> fittedEnd(const Verdict &verdict)
{
    const TrendLine &trend = verdict.trend;
    std::int64_t endMs = trend.endMs;
    bool killed = false;
    for (const Verdict::Segment &segment : verdict.segments) {
        if (segment.startMs <= trend.startMs && trend.startMs <= segment.endMs) {
            endMs = std::min<std::int64_t>(trend.endMs, segment.endMs);
            killed = segment.endedByKill;
        }
    }
    return {endMs, killed};
}

// What a marker's label says in full.
QString markerText(const ChartMarker &marker)
{
    if (!marker.warning.isEmpty())
        return u"⚠ "_s + marker.warning;
    return marker.victim.isEmpty() ? u"✕ OOM kill"_s : u"✕ OOM kill: "_s + marker.victim;
}

// The text broken at spaces into lines of at most widthPx (a longer word keeps its own line).
QString wrapped(const QString &text, const QFontMetrics &metrics, int widthPx)
{
    QStringList lines;
    QString line;
    for (const QString &word : text.split(u' ')) {
        const QString longer = line.isEmpty() ? word : line + u' ' + word;
        if (!line.isEmpty() && metrics.horizontalAdvance(longer) > widthPx) {
            lines << line;
            line = word;
        } else {
            line = longer;
        }
    }
    lines << line;
    return lines.join(u'\n');
}

} // namespace

QString trendLabelFor(const TrendLine &trend, bool killed, std::optional<std::int64_t> forecastFromMs)
{
    const double slopeMiBPerHour = trend.slopeBytesPerS * 3600.0 / (1024.0 * 1024.0);
    // A fast leak reads better per second, a slow one per hour.
    const bool perSecond = std::abs(slopeMiBPerHour) >= 360.0;
    QString text = (trend.onFloor ? u"floor trend "_s : u"trend "_s)
        + (slopeMiBPerHour >= 0 ? u"+"_s : QString())
        + (perSecond ? QLocale::c().toString(slopeMiBPerHour / 3600.0, 'f', 2) + u" MiB/s"_s
                     : QLocale::c().toString(slopeMiBPerHour, 'f', 1) + u" MiB/h"_s);
    if (killed)
        return text + u" → killed at the limit"_s;
    if (trend.slopeBytesPerS > 0 && trend.limitCrossingMs && forecastFromMs) {
        const std::int64_t crossingMs = *trend.limitCrossingMs;
        if (crossingMs > *forecastFromMs)
            return text + u" → limit in "_s + roughDuration(double(crossingMs - *forecastFromMs) / 1000.0);
        return text + u" → at the limit"_s;
    }
    return text;
}

GrowthPlot::GrowthPlot(QCustomPlot *plot, const ChartStyle &style)
    : m_plot(plot)
    , m_style(style)
{
    applyFrameStyle(*m_plot, m_style);
    setUpTimeAxis(m_plot->xAxis, m_style.time, 7);
    m_plot->yAxis->setTicker(makeByteTicker());
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
    updateTimeRange();
}

void GrowthPlot::removeAll()
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

void GrowthPlot::createGraphs(const ChartSeriesSpec &spec, bool first, bool several)
{
    SeriesGraphs g;
    g.spec = spec;
    // Several series: the usage line is named by its series, every other line once for all
    // (updateVisibility), in its series' colour.
    const QString usageName = several ? spec.label : u"usage"_s;
    auto add = [this](const QString &name, const QPen &pen, QCPAxis *valueAxis = nullptr) {
        QCPGraph *graph = m_plot->addGraph(m_plot->xAxis, valueAxis ? valueAxis : m_plot->yAxis);
        graph->setName(name);
        graph->setPen(pen);
        graph->setAdaptiveSampling(true);
        return graph;
    };
    // Added bottom to top: the stack under the band under the lines.
    for (std::size_t p = 0; p < kStackCount; ++p) {
        const QColor color = m_style.palette.stack[p];
        QCPGraph *graph = add(kStackNames[p], QPen(color.darker(115), 1));
        graph->setBrush(withAlpha(color, first ? 170 : 90));
        if (p > 0)
            graph->setChannelFillGraph(g.stack[p - 1]);
        g.stack[p] = graph;
    }
    g.usageMin = add(QString(), Qt::NoPen);
    g.usageMax = add(u"usage min–max per bucket"_s, Qt::NoPen);
    g.usageMax->setBrush(withAlpha(spec.color, 70));
    g.usageMax->setChannelFillGraph(g.usageMin);
    // Solid, not dashed: a dashed pen over a zig-zagging wide view costs ~10x more to stroke.
    g.workingSet = add(kWorkingSetName, QPen(spec.color.lighter(160), 1.4));
    g.usage = add(usageName, QPen(spec.color, 2));
    // Above the usage line: how high usage went between two samples (peak_bytes).
    g.peak = add(u"peak between samples"_s, QPen(spec.color.lighter(130), 0.8));
    g.peak->setBrush(withAlpha(spec.color.lighter(130), 60));
    g.peak->setChannelFillGraph(g.usage);
    g.limit = add(u"limit"_s, QPen(spec.color.darker(140), 2.2, Qt::DashDotLine));
    g.limit->setLineStyle(QCPGraph::lsStepLeft);
    g.high = add(u"memory.high"_s, QPen(spec.color.darker(110), 1.6, Qt::DotLine));
    g.high->setLineStyle(QCPGraph::lsStepLeft);
    g.failRises = add(u"failcnt rises (limit hit)"_s, QPen(spec.color.darker(150), 1.2), m_failAxis);
    g.failRises->setLineStyle(QCPGraph::lsNone);
    QPainterPath tick;
    tick.moveTo(0, -4);
    tick.lineTo(0, 4);
    g.failRises->setScatterStyle(QCPScatterStyle(tick, QPen(spec.color.darker(150), 1.2), Qt::NoBrush, 8));
    m_graphs.push_back(g);
}

void GrowthPlot::addMarker(const ChartMarker &marker)
{
    const QColor kill = m_style.palette.kill;
    MarkerItems items;
    items.marker = marker;
    const double key = secondsOf(marker.timeMs);
    items.line = new QCPItemStraightLine(m_plot);
    items.line->setLayer(u"markers"_s);
    items.line->point1->setCoords(key, 0);
    items.line->point2->setCoords(key, 1);
    const bool warning = !marker.warning.isEmpty();
    const QColor color = warning ? QColor(0xc7, 0x7c, 0x02) : kill; // amber: not a kill (yet)
    items.line->setPen(QPen(color, 1.6, warning ? Qt::DashLine : Qt::SolidLine));
    items.line->setSelectable(false);
    items.label = new QCPItemText(m_plot);
    items.label->setLayer(u"markers"_s);
    items.label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    items.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // Kills close together would share one spot; stagger their labels downwards.
    items.label->position->setCoords(key, 0.015 + 0.075 * double(m_markerItems.size() % 4));
    items.label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    items.label->setText(markerText(marker));
    items.label->setTextAlignment(Qt::AlignLeft); // wrapped lines (fitToPlot) read left to right
    items.label->setColor(color);
    items.label->setBrush(m_style.palette.labelBackground);
    items.label->setPen(QPen(color, 1));
    items.label->setPadding(QMargins(5, 2, 5, 2));
    items.label->setSelectable(false);
    m_markerItems.push_back(items);
}

void GrowthPlot::setSeries(const std::vector<ChartSeriesSpec> &series,
                           const std::vector<ChartMarker> &markers)
{
    removeAll();
    const bool several = series.size() > 1;
    for (const ChartSeriesSpec &spec : series)
        createGraphs(spec, m_graphs.empty(), several);
    setMarkers(markers);
    updateVisibility();
}

void GrowthPlot::setMarkers(const std::vector<ChartMarker> &markers)
{
    for (MarkerItems &m : m_markerItems) {
        m_plot->removeItem(m.line);
        m_plot->removeItem(m.label);
    }
    m_markerItems.clear();
    std::vector<qint64> shownEvents;
    for (const ChartMarker &marker : markers) {
        // An event placed on several shown series is one kill: one marker.
        if (!graphsOf(marker.seriesId)
            || (marker.warning.isEmpty()
                && std::find(shownEvents.begin(), shownEvents.end(), marker.eventId) != shownEvents.end()))
            continue;
        shownEvents.push_back(marker.eventId);
        addMarker(marker);
    }
    setSelectedEvent(m_selectedEvent);
}

std::vector<ChartMarker> GrowthPlot::markers() const
{
    std::vector<ChartMarker> out;
    for (const MarkerItems &m : m_markerItems)
        out.push_back(m.marker);
    return out;
}

GrowthPlot::SeriesGraphs *GrowthPlot::graphsOf(qint64 seriesId)
{
    auto it = std::find_if(m_graphs.begin(), m_graphs.end(),
                           [&](const SeriesGraphs &g) { return g.spec.seriesId == seriesId; });
    return it == m_graphs.end() ? nullptr : &*it;
}

const GrowthPlot::SeriesGraphs *GrowthPlot::graphsOf(qint64 seriesId) const
{
    return const_cast<GrowthPlot *>(this)->graphsOf(seriesId);
}

void GrowthPlot::setCurves(const SeriesCurves &c)
{
    SeriesGraphs *g = graphsOf(c.seriesId);
    if (!g)
        return;
    g->usage->setData(c.usage);
    g->usageMin->setData(c.usageMin);
    g->usageMax->setData(c.usageMax);
    g->peak->setData(c.peak);
    g->peakAbove = c.peakAbove;
    // The band closes on the usage line at raw level, on the bucket maxima when merged.
    g->peak->setChannelFillGraph(c.level > 0 ? g->usageMax : g->usage);
    g->workingSet->setData(c.workingSet);
    g->limit->setData(c.limit);
    g->high->setData(c.high);
    g->failRises->setData(c.failRises);
    for (std::size_t p = 0; p < kStackCount; ++p)
        g->stack[p]->setData(c.stack[p]);
    g->level = c.level;
    g->maxBytes = c.maxBytes;
    g->stackKnown = c.stackKnown;
}

void GrowthPlot::appendCurves(const SeriesCurves &c)
{
    SeriesGraphs *g = graphsOf(c.seriesId);
    if (!g)
        return;
    auto append = [](QCPGraph *graph, const QSharedPointer<QCPGraphDataContainer> &points) {
        graph->data()->add(*points); // after what is there: appended, not merged
    };
    append(g->usage, c.usage);
    append(g->peak, c.peak);
    g->peakAbove = g->peakAbove || c.peakAbove;
    append(g->workingSet, c.workingSet);
    appendStepPoints(*g->limit->data(), *c.limit);
    appendStepPoints(*g->high->data(), *c.high);
    append(g->failRises, c.failRises);
    for (std::size_t p = 0; p < kStackCount; ++p) {
        append(g->stack[p], c.stack[p]);
        g->stackKnown[p] = g->stackKnown[p] || c.stackKnown[p];
    }
    g->maxBytes = std::max(g->maxBytes, c.maxBytes);
    if (g->level < 0)
        g->level = 0;
}

void GrowthPlot::trimBefore(double key)
{
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraphDataContainer &data = *m_plot->graph(i)->data();
        auto cut = data.findBegin(key, false);
        if (cut != data.constBegin())
            data.removeBefore((cut - 1)->key);
    }
}

qint64 GrowthPlot::pointCount() const
{
    qint64 points = 0;
    for (int i = 0; i < m_plot->graphCount(); ++i)
        points += m_plot->graph(i)->data()->size();
    return points;
}

void GrowthPlot::setSelectedEvent(qint64 eventId)
{
    m_selectedEvent = eventId;
    for (MarkerItems &m : m_markerItems) {
        // An early warning is no event: never selected, it keeps its amber dashes (addMarker).
        const bool warning = !m.marker.warning.isEmpty();
        const bool selected = !warning && m.marker.eventId == eventId;
        QFont font = m_style.font;
        font.setBold(selected);
        m.label->setFont(font);
        if (warning)
            continue;
        m.line->setPen(QPen(m_style.palette.kill, selected ? 2.6 : 1.6));
    }
}

void GrowthPlot::setBreakdownVisible(bool visible)
{
    m_showBreakdown = visible;
    updateVisibility();
}

void GrowthPlot::setWorkingSetVisible(bool visible)
{
    m_showWorkingSet = visible;
    updateVisibility();
}

void GrowthPlot::updateVisibility()
{
    auto hasValues = [](const QCPGraph *graph) {
        return std::any_of(graph->data()->constBegin(), graph->data()->constEnd(),
                           [](const QCPGraphData &d) { return !std::isnan(d.value); });
    };
    // The legend: each series by its usage line, then each other kind of line once, for the
    // first series that draws it (the colours tell the series apart, the line styles the
    // kinds), then the breakdown and the verdict's processes.
    std::vector<QCPAbstractPlottable *> series, kinds, breakdown;
    auto show = [&](QCPGraph *graph, bool visible, std::vector<QCPAbstractPlottable *> *legend) {
        graph->setVisible(visible);
        if (!visible || !legend)
            return;
        const auto sameName = [graph](const QCPAbstractPlottable *p) {
            return p->name() == graph->name();
        };
        if (legend != &kinds || std::none_of(kinds.begin(), kinds.end(), sameName))
            legend->push_back(graph);
    };
    for (std::size_t i = 0; i < m_graphs.size(); ++i) {
        SeriesGraphs &g = m_graphs[i];
        const bool haveData = g.level >= 0;
        // The breakdown of the first series only: stacked areas of several series over each
        // other hide one another (and cost most of a replot).
        for (std::size_t p = 0; p < kStackCount; ++p)
            show(g.stack[p], i == 0 && m_showBreakdown && haveData && g.stackKnown[p], &breakdown);
        show(g.usage, true, &series);
        show(g.workingSet, m_showWorkingSet, &kinds);
        show(g.usageMin, g.level > 0, nullptr);
        show(g.usageMax, g.level > 0, &kinds);
        show(g.peak, haveData && g.peakAbove, &kinds);
        show(g.limit, !haveData || hasValues(g.limit), &kinds);
        show(g.high, haveData && hasValues(g.high), &kinds);
        show(g.failRises, true, !haveData || !g.failRises->data()->isEmpty() ? &kinds : nullptr);
    }
    std::vector<QCPAbstractPlottable *> wanted = series;
    wanted.insert(wanted.end(), kinds.begin(), kinds.end());
    wanted.insert(wanted.end(), breakdown.begin(), breakdown.end());
    wanted.insert(wanted.end(), m_processGraphs.begin(), m_processGraphs.end());
    std::vector<QCPAbstractPlottable *> listed;
    for (int i = 0; i < m_plot->legend->itemCount(); ++i) {
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(m_plot->legend->item(i)))
            listed.push_back(item->plottable());
    }
    if (listed == wanted)
        return; // a live flush changes nothing here: the legend is not laid out again
    for (QCPAbstractPlottable *p : listed)
        p->removeFromLegend();
    for (QCPAbstractPlottable *p : wanted)
        p->addToLegend();
}

void GrowthPlot::updateValueRange()
{
    double top = 0;
    for (const SeriesGraphs &g : m_graphs)
        top = std::max(top, g.maxBytes);
    if (top <= 0)
        top = 1024.0 * 1024.0;
    // Headroom above the limit line for the kill labels.
    m_plot->yAxis->setRange(0, top * 1.12);
}

void GrowthPlot::updateTimeRange()
{
    fitMarkerLabels();
    updateTimeAxis(m_plot->xAxis, m_style.time);
}

void GrowthPlot::fitLegend()
{
    QCPLegend *legend = m_plot->legend;
    const QFontMetrics metrics(legend->font());
    int widest = 0;
    for (int i = 0; i < legend->itemCount(); ++i) {
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(legend->item(i)))
            widest = std::max(widest, metrics.horizontalAdvance(item->plottable()->name()));
    }
    const QMargins itemMargins = legend->itemCount() > 0 ? legend->item(0)->margins() : QMargins();
    const int column = widest + legend->iconSize().width() + legend->iconTextPadding() + itemMargins.left()
        + itemMargins.right() + legend->columnSpacing();
    const int room = m_plot->viewport().width() - legend->margins().left() - legend->margins().right();
    const int columns = widest == 0 || room <= 0 ? 3 : std::clamp(room / column, 1, 3);
    if (columns != legend->wrap()) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // lay the entries out again
    }
}

void GrowthPlot::fitToPlot()
{
    fitLegend();
    fitMarkerLabels();
}

void GrowthPlot::fitMarkerLabels()
{
    const QCPRange range = m_plot->xAxis->range();
    const QRect plotRect = m_plot->axisRect()->rect();
    for (MarkerItems &m : m_markerItems) {
        // Labels of kills near the right edge open to the left, so they stay readable…
        bool openRight = secondsOf(m.marker.timeMs) <= range.lower + range.size() * 0.7;
        const QString text = markerText(m.marker);
        if (plotRect.width() > 100) {
            // …unless only the other side has room for the whole text; with room on neither
            // side it wraps, so a long early warning does not run past the plot's edge.
            const int x = int(m_plot->xAxis->coordToPixel(secondsOf(m.marker.timeMs)));
            const int frame = 14; // padding and border
            const int right = plotRect.right() - x - frame;
            const int left = x - plotRect.left() - frame;
            const QFontMetrics metrics(m.label->font());
            const int textWidth = metrics.horizontalAdvance(text);
            if (textWidth > (openRight ? right : left) && textWidth <= (openRight ? left : right))
                openRight = !openRight;
            const int room = std::max(openRight ? right : left, 120);
            m.label->setText(textWidth <= room ? text : wrapped(text, metrics, room));
        } else {
            m.label->setText(text);
        }
        m.label->setPositionAlignment((openRight ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignTop);
        m.label->setPadding(QMargins(5, 2, 5, 2));
    }
}

void GrowthPlot::clearVerdictOverlay()
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
    for (QCPGraph *graph : m_processGraphs)
        m_plot->removeGraph(graph);
    m_processGraphs.clear();
}

void GrowthPlot::addRegion(const Region &region, double pxPerSecond)
{
    const auto [color, name] = regionLook(region.kind);
    if (!color.isValid())
        return;
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
    if ((end - start) * pxPerSecond < 70)
        return;
    const QCPRange visible = m_plot->xAxis->range();
    auto *label = new QCPItemText(m_plot);
    label->setLayer(u"verdictRegions"_s);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords((std::max(start, visible.lower) + std::min(end, visible.upper)) / 2, 0.995);
    label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    label->setText(name);
    label->setColor(color.darker(220));
    label->setFont(scaledFont(m_style.font, 0.85));
    label->setSelectable(false);
    label->setVisible(m_showTrend);
    m_regionLabels.push_back(label);
}

void GrowthPlot::addTrend(const Verdict &verdict)
{
    const TrendLine &trend = verdict.trend;
    const auto [fittedEndMs, killed] = fittedEnd(verdict);
    if (!trend.valid || fittedEndMs <= trend.startMs)
        return;
    const QColor color = m_style.palette.trend;
    auto point = [&trend](std::int64_t ms) {
        return QPointF(secondsOf(ms), trend.valueAt(ms));
    };
    m_trendLine = addLine(m_plot, u"trend"_s, point(trend.startMs), point(fittedEndMs), QPen(color, 2.6));
    m_trendLine->setVisible(m_showTrend);
    if (!killed && trend.slopeBytesPerS > 0 && trend.limitCrossingMs
        && *trend.limitCrossingMs > fittedEndMs) {
        m_forecastLine = addLine(m_plot, u"trend"_s, point(fittedEndMs), point(*trend.limitCrossingMs),
                                 QPen(color, 1.8, Qt::DashLine));
        m_forecastLine->setVisible(m_showTrend);
    }
    m_trendLabel = new QCPItemText(m_plot);
    m_trendLabel->setLayer(u"trend"_s);
    // Just below the line, a fifth along its visible fitted part: under a rising line that is
    // inside the area it climbs over, away from the kill labels at the top.
    const QCPRange visible = m_plot->xAxis->range();
    const double a = std::max(secondsOf(trend.startMs), visible.lower);
    const double b = std::min(secondsOf(fittedEndMs), visible.upper);
    const double at = a < b ? a + (b - a) * 0.2 : secondsOf(fittedEndMs);
    m_trendLabel->position->setCoords(at, trend.valueAt(std::int64_t(at * 1000.0)));
    m_trendLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_trendLabel->setText(trendLabelFor(trend, killed, fittedEndMs));
    m_trendLabel->setFont(m_style.font);
    m_trendLabel->setColor(color);
    m_trendLabel->setBrush(withAlpha(m_style.palette.labelBackground, 215));
    m_trendLabel->setPen(QPen(withAlpha(color, 140)));
    m_trendLabel->setPadding(QMargins(4, 1, 4, 1));
    m_trendLabel->setSelectable(false);
    m_trendLabel->setVisible(m_showTrend);
}

// Up to three processes with a share of the growth, each its unreclaimable memory over time,
// named "comm (pid) share-of-growth %" in the legend.
void GrowthPlot::addProcessLines(const Verdict &verdict)
{
    std::size_t drawn = 0;
    for (const ProcessGrowth &g : verdict.growthByProcess.processes) {
        if (drawn == m_style.palette.processes.size() || g.shareOfGrowth < 0.05 || g.curve.size() < 2)
            break;
        QCPGraph *graph = m_plot->addGraph();
        graph->setLayer(u"trend"_s);
        const QColor color = m_style.palette.processes[drawn];
        graph->setPen(QPen(color, 1.6, drawn == 0 ? Qt::SolidLine : Qt::DashDotLine));
        graph->setName(QCoreApplication::translate("GrowthPlot", "%1 (%2) %3 % of growth")
                           .arg(g.comm)
                           .arg(g.pid)
                           .arg(QString::number(g.shareOfGrowth * 100.0, 'f', 0)));
        QVector<double> keys;
        QVector<double> values;
        for (std::size_t i = 0; i < g.curve.size(); ++i) {
            // A restart (the next pid of the chain) breaks the line.
            if (i > 0 && g.curve[i].second < 0.5 * g.curve[i - 1].second) {
                keys << (secondsOf(g.curve[i - 1].first) + secondsOf(g.curve[i].first)) / 2;
                values << std::nan("");
            }
            keys << secondsOf(g.curve[i].first);
            values << g.curve[i].second;
        }
        graph->setData(keys, values, true);
        graph->setSelectable(QCP::stNone);
        graph->setVisible(m_showTrend);
        m_processGraphs.push_back(graph);
        ++drawn;
    }
}

void GrowthPlot::setVerdictOverlay(qint64 seriesId, const Verdict &verdict)
{
    clearVerdictOverlay();
    if (!graphsOf(seriesId))
        return;
    const QCPRange visible = m_plot->xAxis->range();
    const double pxPerSecond = m_plot->axisRect()->width() / std::max(visible.size(), 1e-3);
    for (const Region &region : verdict.regions)
        addRegion(region, pxPerSecond);
    addTrend(verdict);
    addProcessLines(verdict);
}

QString GrowthPlot::trendLabelText() const
{
    return m_trendLabel ? m_trendLabel->text() : QString();
}

void GrowthPlot::setTrendVisible(bool visible)
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
    for (QCPGraph *graph : m_processGraphs)
        graph->setVisible(visible);
}

} // namespace oomscope
