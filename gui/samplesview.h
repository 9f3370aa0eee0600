// SPDX-License-Identifier: GPL-3.0-or-later
// The "Timeline" tab: the tree of recorded series on the left, the growth chart of the checked
// ones in the middle, and a reserved side panel on the right for the verdict.
#pragma once

#include "workspace.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QLabel;
class QSplitter;
class QTreeView;
class QVBoxLayout;

namespace oomscope {

class GrowthChart;
class SeriesTreeModel;

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

    SeriesTreeModel *treeModel() const { return m_treeModel; }
    QTreeView *treeView() const { return m_treeView; }
    GrowthChart *chart() const { return m_chart; }
    // The verdict panel's place, right of the chart: an empty, hidden container with a vertical
    // layout. The verdict widget is added to verdictLayout() and the area shown by its owner.
    QWidget *verdictArea() const { return m_verdictArea; }
    QVBoxLayout *verdictLayout() const { return m_verdictLayout; }

signals:
    // A kill marker was clicked: the window selects the event and opens its decision.
    void eventActivated(qint64 eventId);
    void checkedSeriesChanged(const std::vector<qint64> &seriesIds);

private:
    void refreshChart();

    Workspace *m_workspace = nullptr;
    std::vector<EventSummary> m_events;
    SeriesTreeModel *m_treeModel = nullptr;
    QTreeView *m_treeView = nullptr;
    GrowthChart *m_chart = nullptr;
    QLabel *m_caption = nullptr;
    QCheckBox *m_breakdownBox = nullptr;
    QCheckBox *m_workingSetBox = nullptr;
    QSplitter *m_splitter = nullptr;
    QWidget *m_verdictArea = nullptr;
    QVBoxLayout *m_verdictLayout = nullptr;
    bool m_reloading = false;
};

} // namespace oomscope
