// SPDX-License-Identifier: GPL-3.0-or-later
// The growth chart's drawing, for the screen (GrowthChart) and the reports alike: fills a given
// QCustomPlot with cgroup memory over time (usage, its min-max band, working set, the stacked
// breakdown, the limit and memory.high, failcnt rises), the OOM kill markers and the verdict
// overlay (trend line, forecast, shaded regions, the top growing processes), from plain data.
#pragma once

#include "chartstyle.h"
#include "growthcurves.h"
#include "memorysample.h"
#include "verdict.h"

#include <QColor>
#include <QString>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

class QCPAxis;
class QCPGraph;
class QCPItemLine;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;

namespace oomscope {

// One series to draw.
struct ChartSeriesSpec {
    qint64 seriesId = 0;
    QString label; // legend and crosshair name
    QColor color;
    std::int64_t firstMs = 0; // the data range; zoom and pan stay within it
    std::int64_t lastMs = 0;
};

// An OOM event placed on a series.
struct ChartMarker {
    qint64 eventId = 0;
    qint64 seriesId = 0;
    std::int64_t timeMs = 0;
    QString victim; // "checkout_svc.py (23026)"
    // Not a kill but an early warning (eventId 0): its words (earlyWarningText), drawn dashed.
    QString warning;
};

// "trend +1.84 MiB/s → killed at the limit": the words of the trend line's label.
QString trendLabelFor(const TrendLine &trend, bool killed, std::optional<std::int64_t> forecastFromMs);

class GrowthPlot
{
public:
    struct SeriesGraphs {
        ChartSeriesSpec spec;
        QCPGraph *usage = nullptr;
        QCPGraph *usageMin = nullptr;
        QCPGraph *usageMax = nullptr;
        QCPGraph *peak = nullptr; // band from the usage (or usage max) up to the interval's peak
        bool peakAbove = false;
        QCPGraph *workingSet = nullptr;
        QCPGraph *limit = nullptr;
        QCPGraph *high = nullptr;
        QCPGraph *failRises = nullptr;
        std::array<QCPGraph *, kStackCount> stack {};
        int level = -1; // -1 before the first data arrived
        double maxBytes = 0;
        std::int64_t lastLiveFailcnt = MemorySample::kUnknown;
        std::array<bool, kStackCount> stackKnown {};
    };
    struct MarkerItems {
        ChartMarker marker;
        QCPItemStraightLine *line = nullptr;
        QCPItemText *label = nullptr;
    };

    // Sets up the plot's axes (time, bytes), legend (below the curves) and layers.
    GrowthPlot(QCustomPlot *plot, const ChartStyle &style);

    // Replaces the graphs and markers (no data yet: setCurves).
    void setSeries(const std::vector<ChartSeriesSpec> &series, const std::vector<ChartMarker> &markers);
    // Replaces the markers only (kept: the graphs and their data).
    void setMarkers(const std::vector<ChartMarker> &markers);
    void removeAll();
    // Swaps the curves of a shown series in (the containers are shared, not copied).
    void setCurves(const SeriesCurves &curves);
    // Appends live (raw) curves of a shown series after what it holds.
    void appendCurves(const SeriesCurves &curves);
    // Drops every graph's points before key but the last one, which draws the lines up to it.
    void trimBefore(double key);
    // Points held by all graphs (what a live chart keeps bounded).
    qint64 pointCount() const;

    void setSelectedEvent(qint64 eventId);
    void setBreakdownVisible(bool visible);
    void setWorkingSetVisible(bool visible);
    bool isBreakdownVisible() const { return m_showBreakdown; }
    bool isWorkingSetVisible() const { return m_showWorkingSet; }
    // Shows graphs that have something to show, with legend entries for them. With several
    // series only the first draws its breakdown, and the legend names each series once (its
    // usage line) and each other kind of line once (the first series that has it).
    void updateVisibility();
    // 0 … the highest usage or limit, with headroom for the kill labels.
    void updateValueRange();
    // After the time range changed: tick format, axis label, marker labels' sides.
    void updateTimeRange();
    // Before the plot is laid out (a replot, a resize): marker labels stay inside the plot,
    // opening to the side with room or wrapping onto more lines, and the legend takes as many
    // columns (at most three) as its longest entry leaves room for.
    void fitToPlot();

    // The verdict over a shown series, for the current time range and axis rect width.
    void setVerdictOverlay(qint64 seriesId, const Verdict &verdict);
    void clearVerdictOverlay();
    void setTrendVisible(bool visible);
    bool isTrendVisible() const { return m_showTrend; }
    QCPItemLine *trendLineItem() const { return m_trendLine; }
    QCPItemLine *forecastItem() const { return m_forecastLine; }
    QString trendLabelText() const;
    int shadedRegionCount() const { return int(m_regionItems.size()); }
    // The top growing processes of the verdict (growthByProcess), drawn as lines, largest first.
    const std::vector<QCPGraph *> &processGraphs() const { return m_processGraphs; }

    const std::vector<SeriesGraphs> &graphs() const { return m_graphs; }
    SeriesGraphs *graphsOf(qint64 seriesId);
    const SeriesGraphs *graphsOf(qint64 seriesId) const;
    const std::vector<MarkerItems> &markerItems() const { return m_markerItems; }
    // A live early warning on a shown series (ChartMarker::warning set); ignored otherwise.
    void addWarningMarker(const ChartMarker &marker)
    {
        if (graphsOf(marker.seriesId) && !marker.warning.isEmpty())
            addMarker(marker);
    }
    std::vector<ChartMarker> markers() const;

private:
    void fitLegend();
    void fitMarkerLabels();
    void createGraphs(const ChartSeriesSpec &spec, bool first, bool several);
    void addMarker(const ChartMarker &marker);
    void addRegion(const Region &region, double pxPerSecond);
    void addTrend(const Verdict &verdict);
    void addProcessLines(const Verdict &verdict);

    QCustomPlot *m_plot;
    ChartStyle m_style;
    QCPAxis *m_failAxis = nullptr;
    std::vector<SeriesGraphs> m_graphs;
    std::vector<MarkerItems> m_markerItems;
    qint64 m_selectedEvent = 0;
    bool m_showBreakdown = true;
    bool m_showWorkingSet = true;
    bool m_showTrend = true;

    QCPItemLine *m_trendLine = nullptr;
    QCPItemLine *m_forecastLine = nullptr;
    QCPItemText *m_trendLabel = nullptr;
    std::vector<QCPItemRect *> m_regionItems;
    std::vector<QCPItemText *> m_regionLabels;
    std::vector<QCPGraph *> m_processGraphs;
};

} // namespace oomscope
