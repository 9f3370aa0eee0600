// SPDX-License-Identifier: GPL-3.0-or-later
// Horizontal stacked bar chart of the top candidates' badness points split by component, so one
// sees at a glance whether size or oom_score_adj decided the kill.
#pragma once

#include "killdecision.h"

#include <QWidget>

class QCustomPlot;
class QCPBars;
class QCPGraph;
class QCPItemRect;
class QCPItemText;

namespace oomscope {

class BadnessChart : public QWidget
{
    Q_OBJECT
public:
    explicit BadnessChart(QWidget *parent = nullptr);

    void setDecision(const KillDecision &decision, int maxTasks = 10);
    void clearDecision();
    int taskCount() const { return m_taskCount; }
    // Pids of the bars, top to bottom.
    QList<qint64> shownPids() const { return m_shownPids; }
    QCustomPlot *plot() const { return m_plot; }
    void replot();

private:
    QCPBars *addComponent(const QString &name, const QColor &color);

    QCustomPlot *m_plot = nullptr;
    QCPBars *m_rssBars = nullptr;
    QCPBars *m_swapBars = nullptr;
    QCPBars *m_pageTableBars = nullptr;
    QCPBars *m_adjBars = nullptr;
    QCPBars *m_rootBonusBars = nullptr;
    QCPGraph *m_pointsGraph = nullptr;
    QCPItemRect *m_victimFrame = nullptr;
    QCPItemText *m_victimLabel = nullptr;
    QCPItemText *m_selectedLabel = nullptr; // when the kernel killed a child of its selection
    int m_taskCount = 0;
    QList<qint64> m_shownPids;
};

} // namespace oomscope
