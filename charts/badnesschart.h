// SPDX-License-Identifier: GPL-3.0-or-later
// Horizontal stacked bar chart of the top candidates' badness points split by component, so one
// sees at a glance whether size or oom_score_adj decided the kill. The drawing is BadnessPlot's
// (badnessplot.h), shared with the reports.
#pragma once

#include "badnessplot.h"
#include "killdecision.h"

#include <QWidget>

#include <memory>

class QCustomPlot;

namespace oomscope {

class BadnessChart : public QWidget
{
    Q_OBJECT
public:
    explicit BadnessChart(QWidget *parent = nullptr);
    ~BadnessChart() override;

    void setDecision(const KillDecision &decision, int maxTasks = 10);
    void clearDecision();
    int taskCount() const { return m_badness->taskCount(); }
    // Pids of the bars, top to bottom.
    QList<qint64> shownPids() const { return m_badness->shownPids(); }
    QCustomPlot *plot() const { return m_plot; }
    void replot();

private:
    QCustomPlot *m_plot = nullptr;
    std::unique_ptr<BadnessPlot> m_badness;
};

} // namespace oomscope
