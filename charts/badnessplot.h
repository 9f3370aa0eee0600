// SPDX-License-Identifier: GPL-3.0-or-later
// The badness chart's drawing, for the screen (BadnessChart) and the reports alike: fills a given
// QCustomPlot with horizontal stacked bars of the top candidates' badness points split by
// component, so one sees at a glance whether size or oom_score_adj decided the kill.
#pragma once

#include "chartstyle.h"
#include "killdecision.h"

#include <QList>

#include <vector>

class QCustomPlot;
class QCPBars;
class QCPGraph;
class QCPItemRect;
class QCPItemText;

namespace oomscope {

// The eligible candidates from the top, at most maxTasks; the victim always among them (in the
// last place when the kernel picked one below the cut).
std::vector<const RankedTask *> shownCandidates(const KillDecision &decision, int maxTasks);

class BadnessPlot
{
public:
    BadnessPlot(QCustomPlot *plot, const ChartStyle &style);

    void setDecision(const KillDecision &decision, int maxTasks);
    void clear();
    int taskCount() const { return m_taskCount; }
    QList<qint64> shownPids() const { return m_shownPids; } // top to bottom

private:
    QCPBars *addComponent(const QString &name, const QColor &color);
    QCPItemText *addLabel(const QString &text, const QColor &color);
    void addCandidate(int row, const RankedTask &task, const KillDecision &decision);
    void showLegendOfUsedComponents();
    void placeLabels(double minValue, double maxValue);

    QCustomPlot *m_plot;
    ChartStyle m_style;
    std::vector<QCPBars *> m_components; // RSS, swap, page tables, oom_score_adj, root bonus
    QCPGraph *m_pointsGraph = nullptr;
    QCPItemRect *m_victimFrame = nullptr;
    QCPItemText *m_victimLabel = nullptr;
    QCPItemText *m_selectedLabel = nullptr; // when the kernel killed a child of its selection
    int m_taskCount = 0;
    QList<qint64> m_shownPids;
    double m_maxValue = 0;
    double m_minValue = 0;
};

} // namespace oomscope
