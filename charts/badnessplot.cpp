// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "badnessplot.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

std::vector<const RankedTask *> shownCandidates(const KillDecision &d, int maxTasks)
{
    // Only eligible candidates compete; -1000 tasks would be a wall of zero bars.
    std::vector<const RankedTask *> shown;
    for (const RankedTask &r : d.ranking) {
        if (r.eligible && int(shown.size()) < maxTasks)
            shown.push_back(&r);
    }
    // The victim always appears, even when ranked below the cut (the kernel disagreed).
    const bool victimShown = std::any_of(shown.begin(), shown.end(),
                                         [&](const RankedTask *r) { return r->task.pid == d.victimPid; });
    if (!victimShown) {
        for (const RankedTask &r : d.ranking) {
            if (r.task.pid == d.victimPid) {
                if (int(shown.size()) >= maxTasks && !shown.empty())
                    shown.pop_back();
                shown.push_back(&r);
                break;
            }
        }
    }
    return shown;
}

BadnessPlot::BadnessPlot(QCustomPlot *plot, const ChartStyle &style)
    : m_plot(plot)
    , m_style(style)
{
    const ChartPalette &p = m_style.palette;
    QFont bold = m_style.font;
    bold.setBold(true);
    applyFrameStyle(*m_plot, m_style);
    m_plot->plotLayout()->insertRow(0);
    auto *title = new QCPTextElement(m_plot, u"Badness points by component (top candidates)"_s, bold);
    if (m_style.themedFrame)
        title->setTextColor(p.foreground);
    m_plot->plotLayout()->addElement(0, 0, title);

    // Candidates are the keys, on the vertical axis; rank 1 at the top.
    m_plot->yAxis->setRangeReversed(true);
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->yAxis->setTickLength(0, 0);
    m_plot->yAxis->setSubTicks(false);
    m_plot->xAxis->setLabel(u"points (1 point = 1 page)"_s);
    m_plot->xAxis->setNumberFormat(u"f"_s); // 1500000, not 1.5·10^6
    m_plot->xAxis->setNumberPrecision(0);
    m_plot->xAxis->grid()->setZeroLinePen(QPen(m_style.themedFrame ? p.muted : QColor(0x60, 0x60, 0x60), 1));

    const std::array<QString, 5> names = {u"RSS"_s, u"Swap"_s, u"Page tables"_s, u"oom_score_adj"_s,
                                          u"Root bonus"_s};
    for (std::size_t i = 0; i < names.size(); ++i) {
        m_components.push_back(addComponent(names[i], p.badness[i]));
        if (i > 0)
            m_components[i]->moveAbove(m_components[i - 1]);
    }

    m_pointsGraph = m_plot->addGraph(m_plot->yAxis, m_plot->xAxis);
    m_pointsGraph->setName(u"Total points"_s);
    m_pointsGraph->setLineStyle(QCPGraph::lsNone);
    m_pointsGraph->setScatterStyle(QCPScatterStyle(
        QCPScatterStyle::ssDiamond, QPen(m_style.themedFrame ? p.foreground : QColor(Qt::black), 1.2),
        QBrush(p.background), 9));

    m_victimFrame = new QCPItemRect(m_plot);
    m_victimFrame->setPen(QPen(p.kill, 2.5));
    m_victimFrame->setBrush(Qt::NoBrush);
    m_victimFrame->setClipToAxisRect(true);
    // QCustomPlot's coordinates for the rect are (key, value) per axis pair: x = value axis.
    m_victimFrame->topLeft->setAxes(m_plot->xAxis, m_plot->yAxis);
    m_victimFrame->bottomRight->setAxes(m_plot->xAxis, m_plot->yAxis);
    m_victimLabel = addLabel(u"killed"_s, p.kill);
    m_selectedLabel = addLabel(u"◆ selected by the kernel"_s, p.selected);

    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(m_style.legendFont);
    m_plot->legend->setBrush(QBrush(withAlpha(p.background, 220)));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    clear();
}

QCPBars *BadnessPlot::addComponent(const QString &name, const QColor &color)
{
    auto *bars = new QCPBars(m_plot->yAxis, m_plot->xAxis);
    bars->setName(name);
    bars->setWidth(0.62);
    bars->setPen(QPen(color.darker(125), 0.8));
    bars->setBrush(color);
    bars->setStackingGap(0);
    return bars;
}

QCPItemText *BadnessPlot::addLabel(const QString &text, const QColor &color)
{
    QFont bold = m_style.font;
    bold.setBold(true);
    auto *label = new QCPItemText(m_plot);
    label->setColor(color);
    label->setFont(bold);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    label->setPadding(QMargins(10, 0, 0, 0)); // clear of the total-points diamond
    label->setText(text);
    label->position->setAxes(m_plot->xAxis, m_plot->yAxis);
    return label;
}

void BadnessPlot::clear()
{
    for (QCPBars *bars : m_components)
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
}

void BadnessPlot::addCandidate(int row, const RankedTask &r, const KillDecision &decision)
{
    const double key = row + 1;
    const std::array<std::int64_t, 5> parts = {r.rssPages, r.swapPages, r.pageTablePages, r.adjPoints,
                                               r.rootBonusPoints};
    for (std::size_t i = 0; i < parts.size(); ++i)
        m_components[i]->addData(key, double(parts[i]));
    m_pointsGraph->addData(key, double(r.points));

    const double positive =
        double(r.rssPages + r.swapPages + r.pageTablePages) + double(std::max<std::int64_t>(0, r.adjPoints));
    const double negative =
        double(std::min<std::int64_t>(0, r.adjPoints)) + double(std::min<std::int64_t>(0, r.rootBonusPoints));
    m_maxValue = std::max({m_maxValue, positive, double(r.points)});
    m_minValue = std::min({m_minValue, negative, double(r.points)});

    const bool isVictim = r.task.pid == decision.victimPid;
    m_shownPids.append(r.task.pid);
    const QString label =
        (isVictim ? u"▶ "_s : QString()) + r.task.comm + u" ("_s + QString::number(r.task.pid) + u')';
    m_plot->yAxis->ticker().staticCast<QCPAxisTickerText>()->addTick(key, label);
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

// A component no candidate has (swap on a swapless host, root bonus after 4.16) is noise.
void BadnessPlot::showLegendOfUsedComponents()
{
    m_plot->legend->clearItems();
    for (QCPBars *bars : m_components) {
        const bool any = std::any_of(bars->data()->constBegin(), bars->data()->constEnd(),
                                     [](const QCPBarsData &d) { return d.value != 0; });
        if (any)
            bars->addToLegend();
    }
    m_pointsGraph->addToLegend();
}

void BadnessPlot::placeLabels(double minValue, double maxValue)
{
    // A label at the end of a long bar would be clipped by the axis rect: put it inside the bar,
    // right-aligned in white, instead.
    const double span = std::max(1.0, maxValue - minValue);
    const double insideFrom = maxValue - span * 0.3;
    auto place = [insideFrom](QCPItemText *label, const QColor &outsideColor) {
        const bool inside = label->position->coords().x() > insideFrom;
        label->setPositionAlignment((inside ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
        label->setPadding(inside ? QMargins(0, 0, 12, 0) : QMargins(10, 0, 0, 0));
        label->setColor(inside ? QColor(Qt::white) : outsideColor);
    };
    place(m_victimLabel, m_style.palette.kill);
    place(m_selectedLabel, m_style.palette.selected);
}

void BadnessPlot::setDecision(const KillDecision &decision, int maxTasks)
{
    clear();
    const std::vector<const RankedTask *> shown = shownCandidates(decision, maxTasks);
    m_taskCount = int(shown.size());
    if (shown.empty())
        return;
    m_maxValue = 0;
    m_minValue = 0;
    for (int i = 0; i < int(shown.size()); ++i)
        addCandidate(i, *shown[std::size_t(i)], decision);
    showLegendOfUsedComponents();
    m_plot->yAxis->setRange(0.4, double(shown.size()) + 0.6);
    const double span = std::max(1.0, m_maxValue - m_minValue);
    m_plot->xAxis->setRange(m_minValue - (m_minValue < 0 ? span * 0.04 : 0), m_maxValue + span * 0.14);
    placeLabels(m_minValue, m_maxValue);
}

} // namespace oomscope
