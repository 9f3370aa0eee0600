// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "badnesschart.h"

#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {
const QColor victimColor(0xc6, 0x28, 0x28);
const QColor selectedColor(0xa0, 0x6a, 0x00);
} // namespace

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

    m_plot->plotLayout()->insertRow(0);
    auto *title = new QCPTextElement(m_plot, u"Badness points by component (top candidates)"_s,
                                     QFont(font().family(), font().pointSize(), QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, title);

    // Candidates are the keys, on the vertical axis; rank 1 at the top.
    m_plot->yAxis->setRangeReversed(true);
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->yAxis->setTickLength(0, 0);
    m_plot->yAxis->setSubTicks(false);
    m_plot->xAxis->setLabel(u"points (1 point = 1 page)"_s);
    m_plot->xAxis->setNumberFormat(u"f"_s); // 1500000, not 1.5·10^6
    m_plot->xAxis->setNumberPrecision(0);
    m_plot->xAxis->grid()->setZeroLinePen(QPen(QColor(0x60, 0x60, 0x60), 1));

    m_rssBars = addComponent(u"RSS"_s, QColor(0x42, 0x7a, 0xc9));
    m_swapBars = addComponent(u"Swap"_s, QColor(0x8e, 0x5e, 0xc2));
    m_pageTableBars = addComponent(u"Page tables"_s, QColor(0x2a, 0x9d, 0x8f));
    m_adjBars = addComponent(u"oom_score_adj"_s, QColor(0xf0, 0x8c, 0x2e));
    m_rootBonusBars = addComponent(u"Root bonus"_s, QColor(0x9e, 0x9e, 0x9e));
    m_swapBars->moveAbove(m_rssBars);
    m_pageTableBars->moveAbove(m_swapBars);
    m_adjBars->moveAbove(m_pageTableBars);
    m_rootBonusBars->moveAbove(m_adjBars);

    m_pointsGraph = m_plot->addGraph(m_plot->yAxis, m_plot->xAxis);
    m_pointsGraph->setName(u"Total points"_s);
    m_pointsGraph->setLineStyle(QCPGraph::lsNone);
    m_pointsGraph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::black, 1.2), QBrush(Qt::white), 9));

    m_victimFrame = new QCPItemRect(m_plot);
    m_victimFrame->setPen(QPen(victimColor, 2.5));
    m_victimFrame->setBrush(Qt::NoBrush);
    m_victimFrame->setClipToAxisRect(true);
    m_victimLabel = new QCPItemText(m_plot);
    m_victimLabel->setColor(victimColor);
    m_victimLabel->setFont(QFont(font().family(), font().pointSize(), QFont::Bold));
    m_victimLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_victimLabel->setText(u"killed"_s);
    m_victimLabel->setPadding(QMargins(10, 0, 0, 0)); // clear of the total-points diamond

    m_selectedLabel = new QCPItemText(m_plot);
    m_selectedLabel->setColor(selectedColor);
    m_selectedLabel->setFont(QFont(font().family(), font().pointSize(), QFont::Bold));
    m_selectedLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_selectedLabel->setPadding(QMargins(10, 0, 0, 0));
    m_selectedLabel->setText(u"◆ selected by the kernel"_s);

    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    m_plot->legend->setBrush(QBrush(QColor(255, 255, 255, 220)));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);

    clearDecision();
}

QCPBars *BadnessChart::addComponent(const QString &name, const QColor &color)
{
    auto *bars = new QCPBars(m_plot->yAxis, m_plot->xAxis);
    bars->setName(name);
    bars->setWidth(0.62);
    bars->setPen(QPen(color.darker(125), 0.8));
    bars->setBrush(color);
    bars->setStackingGap(0);
    return bars;
}

void BadnessChart::clearDecision()
{
    for (QCPBars *bars : {m_rssBars, m_swapBars, m_pageTableBars, m_adjBars, m_rootBonusBars})
        bars->data()->clear();
    m_pointsGraph->data()->clear();
    m_victimFrame->setVisible(false);
    m_victimLabel->setVisible(false);
    m_selectedLabel->setVisible(false);
    m_taskCount = 0;
    m_shownPids.clear();
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->setRange(0, 1);
    m_plot->xAxis->setRange(0, 1);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void BadnessChart::setDecision(const KillDecision &decision, int maxTasks)
{
    clearDecision();

    // Only eligible candidates compete; -1000 tasks would be a wall of zero bars.
    std::vector<const RankedTask *> shown;
    for (const RankedTask &r : decision.ranking) {
        if (r.eligible && int(shown.size()) < maxTasks)
            shown.push_back(&r);
    }
    // The victim always appears, even when ranked below the cut (the kernel disagreed).
    const bool victimShown = std::any_of(
        shown.begin(), shown.end(), [&](const RankedTask *r) { return r->task.pid == decision.victimPid; });
    if (!victimShown) {
        for (const RankedTask &r : decision.ranking) {
            if (r.task.pid == decision.victimPid) {
                if (int(shown.size()) >= maxTasks && !shown.empty())
                    shown.pop_back();
                shown.push_back(&r);
                break;
            }
        }
    }
    m_taskCount = int(shown.size());
    if (shown.empty()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double maxValue = 0;
    double minValue = 0;
    for (int i = 0; i < int(shown.size()); ++i) {
        const RankedTask &r = *shown[size_t(i)];
        const double key = i + 1;
        m_rssBars->addData(key, double(r.rssPages));
        m_swapBars->addData(key, double(r.swapPages));
        m_pageTableBars->addData(key, double(r.pageTablePages));
        m_adjBars->addData(key, double(r.adjPoints));
        m_rootBonusBars->addData(key, double(r.rootBonusPoints));
        m_pointsGraph->addData(key, double(r.points));

        const double positive = double(r.rssPages + r.swapPages + r.pageTablePages)
            + double(std::max<std::int64_t>(0, r.adjPoints));
        const double negative = double(std::min<std::int64_t>(0, r.adjPoints))
            + double(std::min<std::int64_t>(0, r.rootBonusPoints));
        maxValue = std::max({maxValue, positive, double(r.points)});
        minValue = std::min({minValue, negative, double(r.points)});

        const bool isVictim = r.task.pid == decision.victimPid;
        m_shownPids.append(r.task.pid);
        QString label = r.task.comm + u" ("_s + QString::number(r.task.pid) + u')';
        if (isVictim)
            label = u"▶ "_s + label;
        ticker->addTick(key, label);
        if (r.task.pid == decision.kernelSelectedPid && !isVictim) {
            m_selectedLabel->position->setCoords(std::max(positive, double(r.points)), key);
            m_selectedLabel->setVisible(true);
        }
        if (isVictim) {
            m_victimFrame->topLeft->setCoords(negative, key - 0.42);
            m_victimFrame->bottomRight->setCoords(positive, key + 0.42);
            m_victimFrame->setVisible(true);
            m_victimLabel->position->setCoords(std::max(positive, double(r.points)), key);
            m_victimLabel->setVisible(true);
        }
    }
    // QCustomPlot's coordinates for the rect are (key, value) per axis pair: x = value axis.
    m_victimFrame->topLeft->setAxes(m_plot->xAxis, m_plot->yAxis);
    m_victimFrame->bottomRight->setAxes(m_plot->xAxis, m_plot->yAxis);
    m_victimLabel->position->setAxes(m_plot->xAxis, m_plot->yAxis);

    // A component no candidate has (swap on a swapless host, root bonus after 4.16) is noise.
    m_plot->legend->clearItems();
    for (QCPBars *bars : {m_rssBars, m_swapBars, m_pageTableBars, m_adjBars, m_rootBonusBars}) {
        bool any = false;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            any = any || it->value != 0;
        if (any)
            bars->addToLegend();
    }
    m_pointsGraph->addToLegend();
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(0.4, shown.size() + 0.6);
    const double span = std::max(1.0, maxValue - minValue);
    m_plot->xAxis->setRange(minValue - (minValue < 0 ? span * 0.04 : 0), maxValue + span * 0.14);
    // A label at the end of a long bar would be clipped by the axis rect: put it inside the bar,
    // right-aligned in white, instead.
    const double insideFrom = maxValue - span * 0.3;
    auto placeLabel = [insideFrom](QCPItemText *label, const QColor &outsideColor) {
        const bool inside = label->position->coords().x() > insideFrom;
        label->setPositionAlignment((inside ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
        label->setPadding(inside ? QMargins(0, 0, 12, 0) : QMargins(10, 0, 0, 0));
        label->setColor(inside ? QColor(Qt::white) : outsideColor);
    };
    placeLabel(m_victimLabel, victimColor);
    placeLabel(m_selectedLabel, selectedColor);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace oomscope

namespace oomscope {

void BadnessChart::replot()
{
    m_plot->replot();
}

} // namespace oomscope
