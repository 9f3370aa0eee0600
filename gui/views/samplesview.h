// SPDX-License-Identifier: GPL-3.0-or-later
// The "Timeline" tab: the tree of recorded series on the left, the growth chart of the checked
// ones in the middle, and a reserved side panel on the right for the verdict.
#pragma once

#include "growthplot.h"
#include "newestonly.h"
#include "rangeevaluation.h"
#include "storedsamples.h"
#include "wayin.h"
#include "workspace.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QSplitter;
class QStackedWidget;
class QTreeView;
class QVBoxLayout;

namespace oomscope {

struct EarlyWarning;
class GrowthChart;
class LiveSession;
class PredictionPanel;
class SeriesTreeModel;
class VerdictPanel;

class SamplesView : public QWidget
{
    Q_OBJECT
public:
    explicit SamplesView(QWidget *parent = nullptr);

    // Rereads series, placements and kill victims through the window's (GUI-thread) connection;
    // the chart's data is queried off the GUI thread through connections to workspacePath. Keeps
    // the checked series; when none is checked, checks the series that have kills placed on
    // them (else the first series), so that a fresh recording opens charted.
    void reload(Workspace *workspace, const std::vector<EventSummary> &events);
    void setSelectedEvent(qint64 eventId);
    // Checks the series the event is placed on; false when it is placed on none.
    bool revealEvent(qint64 eventId);
    bool hasSeries() const;
    // Hands the session's stored samples to addStoredSamples as they come, and its early
    // warnings to addWarning. Until the session is deleted.
    void followLiveSession(LiveSession *session);
    // Samples a live session or an attached node stored: drawn when their series is charted
    // (GrowthChart::appendLiveSamples), counted in the tree and the caption once a second.
    // False when one of them is a series the tree does not hold yet (reload to show it).
    bool addStoredSamples(const StoredSamplesPtr &stored);
    // An early warning (a live session's or an attached node's) as a dashed marker on the chart
    // of its series, kept across refreshes. seriesId 0: the series of (host, warning.cgroup),
    // found now or at a later reload; the series is checked so the warning is seen.
    void addWarning(const EarlyWarning &warning, qint64 seriesId, const QString &host);
    // The warnings' markers so far (seriesId 0 while their series is not in the workspace yet).
    std::vector<ChartMarker> warningMarkers() const;

    SeriesTreeModel *treeModel() const { return m_treeModel; }
    QTreeView *treeView() const { return m_treeView; }
    GrowthChart *chart() const { return m_chart; }
    // The verdict panel's place, right of the chart: an empty, hidden container with a vertical
    // layout. The verdict widget is added to verdictLayout() and the area shown by its owner.
    QWidget *verdictArea() const { return m_verdictArea; }
    QVBoxLayout *verdictLayout() const { return m_verdictLayout; }
    // The verdict and predicted next victim of the visible range of the first checked series
    // (the one drawn with its breakdown), re-evaluated off the GUI thread ~200 ms after the
    // range or the checked series change.
    VerdictPanel *verdictPanel() const { return m_verdictPanel; }
    PredictionPanel *predictionPanel() const { return m_predictionPanel; }
    QCheckBox *trendBox() const { return m_trendBox; }
    qint64 evaluatedSeries() const { return m_evaluatedSeries; }
    bool isEvaluating() const { return m_evaluation.isRunning() || m_evalDebounce.isActive(); }

Q_SIGNALS:
    // A kill marker was clicked: the window selects the event and opens its decision.
    void eventActivated(qint64 eventId);
    void checkedSeriesChanged(const std::vector<qint64> &seriesIds);
    // The panels and the chart's trend show a new evaluation.
    void rangeEvaluated();
    // A way in of the empty Timeline was clicked: the window runs that File menu action.
    void wayInRequested(oomscope::WayIn way);

private:
    void refreshChart();
    void scheduleEvaluation();
    std::optional<QFuture<RangeEvaluation>> evaluationTask();
    void applyEvaluation(const RangeEvaluation &evaluation);
    void updateCaption();
    void countStoredSamples();
    bool resolveWarnings(); // true when a warning found its series

    Workspace *m_workspace = nullptr;
    std::vector<EventSummary> m_events;
    struct LiveWarning {
        ChartMarker marker;
        QString host;
        QString cgroup;
    };
    std::vector<LiveWarning> m_liveWarnings; // early warnings, kept across refreshes
    SeriesTreeModel *m_treeModel = nullptr;
    QTreeView *m_treeView = nullptr;
    GrowthChart *m_chart = nullptr;
    QLabel *m_caption = nullptr;
    QStackedWidget *m_chartStack = nullptr; // the chart, or what to do while there is nothing to chart
    QLabel *m_nothingToChart = nullptr;
    QWidget *m_chartTools = nullptr; // the check boxes and Fit All: only with a chart
    int m_captionKills = 0; // kill markers on the chart
    std::vector<StoredSamplesPtr> m_uncounted; // stored samples the tree counts with its next update
    QTimer m_countTimer;
    QCheckBox *m_breakdownBox = nullptr;
    QCheckBox *m_workingSetBox = nullptr;
    QSplitter *m_splitter = nullptr;
    QWidget *m_verdictArea = nullptr;
    QVBoxLayout *m_verdictLayout = nullptr;
    bool m_reloading = false;

    VerdictPanel *m_verdictPanel = nullptr;
    PredictionPanel *m_predictionPanel = nullptr;
    QCheckBox *m_trendBox = nullptr;
    QThreadPool m_evalPool; // one thread with its own connection: evaluations run in order
    QTimer m_evalDebounce;
    QElapsedTimer m_evalPendingSince; // a live view moves all the time: re-evaluate at least every second
    qint64 m_evaluatedSeries = 0;
    NewestOnly<RangeEvaluation> m_evaluation {this, [this] { return evaluationTask(); },
                                              [this](RangeEvaluation &&e) {
                                                  applyEvaluation(e);
                                              }};
};

} // namespace oomscope
