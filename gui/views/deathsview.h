// SPDX-License-Identifier: GPL-3.0-or-later
// The "Deaths" tab: every death by memory in the workspace, whoever killed it — a timeline with
// one row per pod/container (or cgroup) and a dot per death coloured by its killer, the table of
// deaths, and for the selected one its notes and evidence and, for a kernel kill, the decision.
#pragma once

#include <QWidget>

class QCustomPlot;
class QLabel;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace oomscope {

class DeathListModel;
class DecisionView;
class Workspace;

class DeathsView : public QWidget
{
    Q_OBJECT
public:
    explicit DeathsView(QWidget *parent = nullptr);

    // Reads the workspace's deaths (nullptr or closed: none).
    void reload(Workspace *workspace);
    int deathCount() const;
    void selectRow(int row); // in the table's (time) order

    DeathListModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QCustomPlot *timeline() const { return m_plot; }
    QPlainTextEdit *details() const { return m_details; }
    DecisionView *decisionView() const { return m_decision; }

private:
    void rebuildTimeline();
    void showDeath(int sourceRow);

    Workspace *m_workspace = nullptr;
    DeathListModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    QCustomPlot *m_plot = nullptr;
    QLabel *m_plotNote = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_heading = nullptr;
    QPlainTextEdit *m_details = nullptr;
    DecisionView *m_decision = nullptr;
    std::vector<std::vector<int>> m_pointRows; // per timeline graph: the model row of each point
};

} // namespace oomscope
