// SPDX-License-Identifier: GPL-3.0-or-later
#include "qcustomplotinclude.h" // must come first, see there

#include "limitreplayplot.h"

#include <QCoreApplication>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

QString tr(const char *text)
{
    return QCoreApplication::translate("LimitReplayPlot", text);
}

void addVerticalLine(QCustomPlot *plot, double x, const QPen &pen, const QString &label,
                     const ChartStyle &style)
{
    auto *line = new QCPItemStraightLine(plot);
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    line->setPen(pen);
    line->setSelectable(false);
    auto *text = new QCPItemText(plot);
    text->position->setTypeX(QCPItemPosition::ptPlotCoords);
    text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(x, 0.02);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    text->setPadding(QMargins(3, 0, 3, 0));
    text->setText(label);
    text->setFont(style.font);
    text->setColor(pen.color());
    text->setSelectable(false);
}

} // namespace

bool drawLimitReplay(QCustomPlot *plot, const LimitReplay &replay, const ChartStyle &style)
{
    plot->clearGraphs();
    plot->clearItems();
    if (replay.limits.empty())
        return false;
    const ChartPalette &p = style.palette;
    QCPGraph *seen = plot->addGraph();
    QCPGraph *censored = plot->addGraph();
    seen->setPen(QPen(p.kill, 1.8));
    seen->setLineStyle(QCPGraph::lsStepLeft);
    seen->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 3));
    censored->setPen(QPen(p.muted, 1.4, Qt::DashLine));
    censored->setLineStyle(QCPGraph::lsStepLeft);
    int maxKills = 0;
    for (const ReplayedLimit &l : replay.limits) {
        (l.censored ? censored : seen)->addData(double(l.limitBytes) / kMiB, double(l.kills));
        maxKills = std::max(maxKills, l.kills);
    }
    plot->xAxis->setLabel(tr("limit (MiB)"));
    plot->yAxis->setLabel(tr("kills"));
    plot->xAxis->setRange(double(replay.limits.front().limitBytes) / kMiB,
                          double(replay.limits.back().limitBytes) / kMiB);
    plot->yAxis->setRange(0, std::max(1, maxKills) * 1.15);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(std::max(1.0, std::ceil(maxKills / 4.0)));
    plot->yAxis->setTicker(ticker);
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        axis->setLabelFont(style.font);
        axis->setTickLabelFont(style.font);
    }
    if (replay.recordedLimitBytes)
        addVerticalLine(plot, double(*replay.recordedLimitBytes) / kMiB, QPen(p.foreground, 1, Qt::DotLine),
                        tr("limit"), style);
    if (replay.recommendedLimitBytes)
        addVerticalLine(plot, double(*replay.recommendedLimitBytes) / kMiB, QPen(p.good, 1.6),
                        tr("replay: %1 MiB").arg(double(*replay.recommendedLimitBytes) / kMiB, 0, 'f', 0),
                        style);
    return true;
}

} // namespace oomscope
