// SPDX-License-Identifier: GPL-3.0-or-later
// The growth chart: cgroup memory over time (usage, working set, a stacked breakdown, the limit
// and memory.high) with OOM kill markers, failcnt rises, zoom/pan and a crosshair; its data comes
// from the sample store's level-of-detail envelopes, queried off the GUI thread per visible range.
#pragma once

#include "memorysample.h"
#include "samplestore.h"
#include "verdict.h"

#include <QColor>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QSharedPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

class QCPAxis;
class QCPGraph;
class QCPItemLine;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCPItemTracer;
class QCPLayer;
class QCustomPlot;
class QMouseEvent;
template<class T> class QCPDataContainer;
class QCPGraphData;
using QCPGraphDataContainer = QCPDataContainer<QCPGraphData>;

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
};

// The curves of one series over one range, built off the GUI thread from an envelope. Values in
// bytes, keys in epoch seconds (QCustomPlot's date-time convention); unknown values are NaN so the
// lines break there.
struct SeriesCurves {
    qint64 seriesId = 0;
    int level = 0; // the envelope's level: > 0 draws min/max as a band
    QSharedPointer<QCPGraphDataContainer> usage, usageMin, usageMax, workingSet, limit, high, failRises;
    // anon, shmem, active file, inactive file, kernel, each the cumulative sum up to it.
    std::array<QSharedPointer<QCPGraphDataContainer>, 5> stack;
    std::array<bool, 5> stackKnown {}; // the component was measured somewhere in the range
    double maxBytes = 0; // highest usage or limit in the range, for the value axis
};

struct ChartQueryResult {
    std::vector<SeriesCurves> series;
    QString error;
};

// Reads the envelopes of the series over [fromMs, toMs] with at most maxPoints entries each, on
// the calling thread, through a connection of that thread (opened once per thread and path).
ChartQueryResult queryChartCurves(const QString &workspacePath, const std::vector<qint64> &seriesIds,
                                  std::int64_t fromMs, std::int64_t toMs, int maxPoints);
SeriesCurves curvesFromEnvelope(qint64 seriesId, const SampleEnvelope &envelope);
// The calling thread's own store on workspacePath (opened on first use, kept for the thread's
// life): a connection must stay in the thread that made it. nullptr with error set on failure.
SampleStore *threadSampleStore(const QString &workspacePath, QString *error = nullptr);

class GrowthChart : public QWidget
{
    Q_OBJECT
public:
    explicit GrowthChart(QWidget *parent = nullptr);
    ~GrowthChart() override;

    // Where the background queries read from (their own connection per pool thread).
    void setWorkspacePath(const QString &path);
    // Replaces the shown series and markers, fits the time axis to their data and queries it.
    void setSeries(const std::vector<ChartSeriesSpec> &series, const std::vector<ChartMarker> &markers);
    void clear();

    void setBreakdownVisible(bool visible);
    void setWorkingSetVisible(bool visible);
    bool isBreakdownVisible() const { return m_showBreakdown; }

    // The verdict drawn over a shown series: its fitted trend line (solid over the fitted part,
    // dashed on to where it meets the limit, with a "limit in ~N min" label) and its regions
    // shaded behind the curves. Replaces what was drawn before; cleared with the series.
    void setVerdictOverlay(qint64 seriesId, const Verdict &verdict);
    void clearVerdictOverlay();
    void setTrendVisible(bool visible);
    bool isTrendVisible() const { return m_showTrend; }
    QCPItemLine *trendLineItem() const { return m_trendLine; } // nullptr when none is drawn
    QCPItemLine *forecastItem() const { return m_forecastLine; }
    QString trendLabelText() const;
    int shadedRegionCount() const { return int(m_regionItems.size()); }
    // The visible time range in epoch ms.
    std::pair<std::int64_t, std::int64_t> visibleRangeMs() const;
    // The shown series' data range in epoch ms, grown by live samples.
    std::pair<std::int64_t, std::int64_t> dataRangeMs() const { return {m_dataFirstMs, m_dataLastMs}; }
    // Emphasises the marker of the event (the one selected in the events list); 0 for none.
    void setSelectedEvent(qint64 eventId);
    void fitAll();
    void replotNow(); // an immediate replot (screenshots, benchmarks)

    QCustomPlot *plot() const { return m_plot; }
    QCPGraph *usageGraph(qint64 seriesId) const;
    QCPGraph *limitGraph(qint64 seriesId) const;
    QCPGraph *workingSetGraph(qint64 seriesId) const;
    int levelShown(qint64 seriesId) const; // -1 before the first data arrived
    bool isQueryPending() const { return m_queryRunning || m_queryDebounce.isActive(); }
    std::vector<ChartMarker> markers() const { return m_markers; }
    // Centre of the marker's label in plot widget pixels; nullopt when it is not drawn.
    std::optional<QPoint> markerLabelPosition(qint64 eventId) const;
    int liveFlushCount() const { return m_liveFlushes; }
    // Time of the last completed query (ms, off-thread) and of the replot that followed it.
    qint64 lastQueryMs() const { return m_lastQueryMs; }

    // The crosshair text for a time (what the label shows), for tests and accessibility.
    QString crosshairText(double keySeconds) const;

public slots:
    // Live mode: samples of a shown series arrive here (in time order, after what is drawn);
    // they are buffered and moved into the graphs by one coalescing ~40 ms timer.
    void appendLiveSamples(qint64 seriesId, const std::vector<oomscope::MemorySample> &samples);
    // Invoked by a click on a marker (line or label): emits eventActivated.
    void activateMarker(qint64 eventId);

signals:
    void eventActivated(qint64 eventId);
    // After the data of a query was swapped into the graphs.
    void dataLoaded();
    // The visible time range changed (zoom, pan, fit, new series).
    void visibleRangeChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct SeriesGraphs {
        ChartSeriesSpec spec;
        QCPGraph *usage = nullptr;
        QCPGraph *usageMin = nullptr;
        QCPGraph *usageMax = nullptr;
        QCPGraph *workingSet = nullptr;
        QCPGraph *limit = nullptr;
        QCPGraph *high = nullptr;
        QCPGraph *failRises = nullptr;
        std::array<QCPGraph *, 5> stack {};
        int level = -1;
        double maxBytes = 0;
        std::int64_t lastLiveFailcnt = MemorySample::kUnknown;
        std::array<bool, 5> stackKnown {};
    };
    struct MarkerItems {
        ChartMarker marker;
        QCPItemStraightLine *line = nullptr;
        QCPItemText *label = nullptr;
    };

    void createGraphs(const ChartSeriesSpec &spec, bool first, bool several);
    void removeAll();
    void onRangeChanged();
    void updateTimeFormat();
    void scheduleQuery();
    void startQuery();
    void applyResult(const ChartQueryResult &result);
    void updateValueRange();
    void updateVisibility();
    void flushLive();
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    void hideCrosshair();
    qint64 markerAt(const QPoint &pos) const;

    QCustomPlot *m_plot = nullptr;
    QCPAxis *m_failAxis = nullptr;
    QCPLayer *m_crosshairLayer = nullptr;
    QCPItemStraightLine *m_crosshairLine = nullptr;
    QCPItemTracer *m_tracer = nullptr;
    QCPItemText *m_crosshairLabel = nullptr;

    QCPItemLine *m_trendLine = nullptr;
    QCPItemLine *m_forecastLine = nullptr;
    QCPItemText *m_trendLabel = nullptr;
    std::vector<QCPItemRect *> m_regionItems;
    std::vector<QCPItemText *> m_regionLabels;
    bool m_showTrend = true;

    QString m_workspacePath;
    std::vector<SeriesGraphs> m_graphs;
    std::vector<MarkerItems> m_markerItems;
    std::vector<ChartMarker> m_markers;
    qint64 m_selectedEvent = 0;
    std::int64_t m_dataFirstMs = 0;
    std::int64_t m_dataLastMs = 0;
    bool m_showBreakdown = true;
    bool m_showWorkingSet = true;
    bool m_clamping = false;

    QThreadPool m_pool; // one thread: queries run in order, each on that thread's connection
    QTimer m_queryDebounce;
    quint64 m_generation = 0;
    bool m_queryRunning = false;
    bool m_queryDirty = false;
    qint64 m_lastQueryMs = 0;

    QTimer m_liveTimer;
    std::map<qint64, std::vector<MemorySample>> m_liveBuffer;
    int m_liveFlushes = 0;
    std::int64_t m_liveWindowMs = 30 * 60 * 1000; // live graphs keep the last 30 minutes

    QPoint m_pressPos;
};

} // namespace oomscope
