// SPDX-License-Identifier: GPL-3.0-or-later
// The growth chart: cgroup memory over time (usage, working set, a stacked breakdown, the limit
// and memory.high) with OOM kill markers, failcnt rises, zoom/pan and a crosshair; its data comes
// from the sample store's level-of-detail envelopes, queried off the GUI thread per visible range.
// Live samples (already stored) are appended raw after the last query's data while the newest
// are in view, and only what is visible is kept: memory stays bounded however long the session,
// and a wider view asks the store again. The drawing itself is GrowthPlot's (growthplot.h),
// shared with the reports.
#pragma once

#include "growthplot.h"
#include "memorysample.h"
#include "newestonly.h"
#include "result.h"
#include "verdict.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

class QCPGraph;
class QCPItemLine;
class QCPItemStraightLine;
class QCPItemText;
class QCPItemTracer;
class QCPLayer;
class QCustomPlot;
class QMouseEvent;

namespace oomscope {

// Reads the envelopes of the series over [fromMs, toMs] with at most maxPoints entries each, on
// the calling thread, through that thread's read connection (readconnections.h).
Result<std::vector<SeriesCurves>> queryChartCurves(const QString &workspacePath,
                                                   const std::vector<qint64> &seriesIds, std::int64_t fromMs,
                                                   std::int64_t toMs, int maxPoints);

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
    // A live early warning, drawn until the next setSeries (which gets it again from the view).
    void addWarningMarker(const ChartMarker &marker);

    void setBreakdownVisible(bool visible);
    void setWorkingSetVisible(bool visible);
    bool isBreakdownVisible() const { return m_growth->isBreakdownVisible(); }

    // The verdict drawn over a shown series: its fitted trend line (solid over the fitted part,
    // dashed on to where it meets the limit, with a "limit in ~N min" label) and its regions
    // shaded behind the curves. Replaces what was drawn before; cleared with the series.
    void setVerdictOverlay(qint64 seriesId, const Verdict &verdict);
    void clearVerdictOverlay();
    void setTrendVisible(bool visible);
    bool isTrendVisible() const { return m_growth->isTrendVisible(); }
    QCPItemLine *trendLineItem() const { return m_growth->trendLineItem(); } // nullptr when none is drawn
    // The top growing processes' lines (with per-process samples), largest first.
    const std::vector<QCPGraph *> &processGraphs() const { return m_growth->processGraphs(); }
    QCPItemLine *forecastItem() const { return m_growth->forecastItem(); }
    QString trendLabelText() const { return m_growth->trendLabelText(); }
    int shadedRegionCount() const { return m_growth->shadedRegionCount(); }
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
    bool isQueryPending() const { return m_query.isRunning() || m_queryDebounce.isActive(); }
    std::vector<ChartMarker> markers() const { return m_growth->markers(); }
    // Centre of the marker's label in plot widget pixels; nullopt when it is not drawn.
    std::optional<QPoint> markerLabelPosition(qint64 eventId) const;
    int liveFlushCount() const { return m_liveFlushes; }
    // Points held by all graphs (stays bounded while live samples keep coming).
    qint64 pointCount() const { return m_growth->pointCount(); }
    // Time of the last completed query (ms, off-thread) and of the replot that followed it.
    qint64 lastQueryMs() const { return m_lastQueryMs; }

    // The crosshair text for a time (what the label shows), for tests and accessibility.
    QString crosshairText(double keySeconds) const;

public Q_SLOTS:
    // Live mode: samples of a shown series, already stored in the workspace, arrive here (in
    // time order, after what is drawn); they are buffered and moved into the graphs by one
    // coalescing ~40 ms timer. While the view shows the newest samples it follows them — the
    // whole session when it showed the whole session (Fit All), else a window of the same
    // width; a view of the past stays put and draws nothing new (a query brings the samples
    // when the view gets there).
    void appendLiveSamples(qint64 seriesId, const std::vector<oomscope::MemorySample> &samples);
    // Invoked by a click on a marker (line or label): emits eventActivated.
    void activateMarker(qint64 eventId);

Q_SIGNALS:
    void eventActivated(qint64 eventId);
    // After the data of a query was swapped into the graphs.
    void dataLoaded();
    // The visible time range changed (zoom, pan, fit, new series).
    void visibleRangeChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onRangeChanged();
    void clampRange();
    void scheduleQuery();
    std::optional<QFuture<Result<std::vector<SeriesCurves>>>> queryTask();
    void queryAnswered(Result<std::vector<SeriesCurves>> &&result);
    void applyResult(const Result<std::vector<SeriesCurves>> &result);
    void flushLive();
    void refreshSeries(const std::vector<ChartSeriesSpec> &series, const std::vector<ChartMarker> &markers);
    void extendDataRange(const std::vector<ChartSeriesSpec> &series);
    void keepRecent(qint64 seriesId, const std::vector<MemorySample> &samples);
    void appendSamples(qint64 seriesId, const std::vector<MemorySample> &samples);
    void refillRecent(const SeriesCurves &curves);
    void requestReplot();
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    void setUpCrosshair();
    void hideCrosshair();
    qint64 markerAt(const QPoint &pos) const;

    QCustomPlot *m_plot = nullptr;
    std::unique_ptr<GrowthPlot> m_growth;
    QCPLayer *m_crosshairLayer = nullptr;
    QCPItemStraightLine *m_crosshairLine = nullptr;
    QCPItemTracer *m_tracer = nullptr;
    QCPItemText *m_crosshairLabel = nullptr;

    QString m_workspacePath;
    std::int64_t m_dataFirstMs = 0;
    std::int64_t m_dataLastMs = 0;
    bool m_clamping = false;

    QThreadPool m_pool; // one thread: queries run in order, each on that thread's connection
    QElapsedTimer m_queryTimer;
    QTimer m_queryDebounce;
    qint64 m_lastQueryMs = 0;
    NewestOnly<Result<std::vector<SeriesCurves>>> m_query {
        this, [this] { return queryTask(); },
        [this](Result<std::vector<SeriesCurves>> &&result) {
            queryAnswered(std::move(result));
        }};

    QTimer m_liveTimer;
    std::map<qint64, std::vector<MemorySample>> m_liveBuffer;
    int m_liveFlushes = 0;
    // Per shown series, the live samples of the last seconds: a query reads the workspace as it
    // was when it started, so its result lacks what was stored while it ran; put back from here.
    std::map<qint64, std::vector<MemorySample>> m_recent;
    // Raw points appended per series since the last query's data: a following view asks the
    // store again once they are many (or old), so a long session is drawn from the level of
    // detail, not from every sample it delivered.
    std::map<qint64, qint64> m_rawSinceQuery;
    std::map<qint64, std::int64_t> m_drawnUpToMs; // per series: the newest sample its graphs hold
    QElapsedTimer m_sinceQueryApplied;
    bool m_liveMove = false; // the range moves with the newest samples: no query for that
    // Replots are coalesced: at most one per frame, none when nothing visible changed.
    QTimer m_replotTimer;
    QElapsedTimer m_sinceReplot;

    QPoint m_pressPos;
};

} // namespace oomscope
