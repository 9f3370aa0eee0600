// SPDX-License-Identifier: GPL-3.0-or-later
// The "Decision" tab: why the kernel killed what it killed, as text, a ranking table and a chart.
#pragma once

#include "killdecision.h"
#include "wayin.h"
#include "whatif.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QVBoxLayout;
class QSplitter;
class QTableView;
class QSortFilterProxyModel;

namespace oomscope {

class BadnessChart;
class TaskRankingModel;

class DecisionView : public QWidget
{
    Q_OBJECT
public:
    explicit DecisionView(QWidget *parent = nullptr);

    void setDecision(const OomEvent &event, const KillDecision &decision);
    // No decision: the message (default: "No event selected") over a hint to pick one; the
    // ranking table and the chart are hidden until there is a decision to show.
    void clear(const QString &message = {});
    // A workspace without events: the ways in (open logs, import a recording, watch live), as
    // links that emit wayInRequested.
    void showEmptyWorkspace();

    TaskRankingModel *taskModel() const { return m_taskModel; }
    QSortFilterProxyModel *taskProxy() const { return m_taskProxy; }
    QTableView *taskView() const { return m_taskView; }
    BadnessChart *chart() const { return m_chart; }

    // What-if (whatif.h): a task's oom_score_adj, its removal, or the memcg limit changed; the
    // ranking, the chart and the what-if line show the report re-decided by the same badness code.
    // Changes add up until reset.
    void applyWhatIf(std::int64_t pid, std::optional<int> adj, bool remove,
                     std::optional<std::int64_t> limitBytes);
    void resetWhatIf();
    QString whatIfText() const;
    std::optional<std::int64_t> whatIfSelectedPid() const;

Q_SIGNALS:
    // A way in of the empty workspace was clicked: the window runs that File menu action.
    void wayInRequested(oomscope::WayIn way);

private:
    QLabel *m_title = nullptr;
    QLabel *m_explanation = nullptr;
    QLabel *m_facts = nullptr;
    QLabel *m_notes = nullptr;
    TaskRankingModel *m_taskModel = nullptr;
    QSortFilterProxyModel *m_taskProxy = nullptr;
    QTableView *m_taskView = nullptr;
    BadnessChart *m_chart = nullptr;
    QSplitter *m_details = nullptr; // the ranking table and the chart

    void buildWhatIfBar(QWidget *parent, QVBoxLayout *layout);
    void showWhatIf();
    QWidget *m_whatIfBar = nullptr;
    QComboBox *m_whatIfTask = nullptr;
    QSpinBox *m_whatIfAdj = nullptr;
    QCheckBox *m_whatIfRemove = nullptr;
    QSpinBox *m_whatIfLimitMiB = nullptr; // 0: as printed
    QLabel *m_whatIfResult = nullptr;
    std::optional<OomEvent> m_event;
    KillDecision m_decision;
    WhatIfChange m_change;
    std::optional<KillDecision> m_whatIf;
};

} // namespace oomscope
