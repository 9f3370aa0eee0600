// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "badnesschart.h"

#include <QVBoxLayout>

namespace oomscope {

BadnessChart::BadnessChart(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    setMinimumSize(320, 220);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::Interactions());
    m_badness = std::make_unique<BadnessPlot>(m_plot, ChartStyle::screen(font()));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

BadnessChart::~BadnessChart() = default;

void BadnessChart::clearDecision()
{
    m_badness->clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void BadnessChart::setDecision(const KillDecision &decision, int maxTasks)
{
    m_badness->setDecision(decision, maxTasks);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void BadnessChart::replot()
{
    m_plot->replot();
}

} // namespace oomscope
