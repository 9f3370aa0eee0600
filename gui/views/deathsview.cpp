// SPDX-License-Identifier: GPL-3.0-or-later
#include "qcustomplotinclude.h"

#include "deathsview.h"

#include "chartstyle.h"
#include "deathlistmodel.h"
#include "decisionview.h"
#include "killdecision.h"
#include "workspace.h"

#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <map>

using namespace Qt::StringLiterals;

namespace oomscope {

DeathsView::DeathsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new DeathListModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DeathListModel::SortRole);

    m_empty = new QLabel(DeathListModel::emptyText());
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setMargin(24);

    m_plot = new QCustomPlot;
    m_plot->setObjectName(u"deathsTimeline"_s);
    m_plot->setMinimumHeight(140);
    setUpTimeAxis(m_plot->xAxis, TimeBasis::Local, 6);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->grid()->setVisible(false);
    // The legend in a row of its own under the plot, where it hides no death.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plotNote = new QLabel;
    m_plotNote->setWordWrap(true);
    m_plotNote->setVisible(false);

    m_table = new QTableView;
    m_table->setObjectName(u"deathsTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DeathListModel::TimeColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(DeathListModel::WorkloadColumn, QHeaderView::Stretch);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                showDeath(current.isValid() ? m_proxy->mapToSource(current).row() : -1);
            });

    m_heading = new QLabel;
    m_heading->setWordWrap(true);
    QFont bold = m_heading->font();
    bold.setBold(true);
    m_heading->setFont(bold);
    m_details = new QPlainTextEdit;
    m_details->setReadOnly(true);
    m_details->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_decision = new DecisionView;
    m_decision->setVisible(false);

    auto *detailPane = new QWidget;
    auto *detailLayout = new QVBoxLayout(detailPane);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_heading);
    detailLayout->addWidget(m_details, 1);
    auto *lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(m_table);
    lower->addWidget(detailPane);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);

    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_plot, 1);
    topLayout->addWidget(m_plotNote);
    auto *content = new QSplitter(Qt::Vertical);
    content->addWidget(top);
    content->addWidget(lower);
    content->addWidget(m_decision);
    content->setStretchFactor(0, 2);
    content->setStretchFactor(1, 3);
    content->setStretchFactor(2, 3);

    m_stack = new QStackedWidget;
    m_stack->addWidget(m_empty);
    m_stack->addWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(m_plot, &QCustomPlot::plottableClick, this, [this](QCPAbstractPlottable *p, int index) {
        for (int g = 0; g < m_plot->graphCount(); ++g) {
            if (m_plot->graph(g) == p && index >= 0
                && std::size_t(index) < m_pointRows[std::size_t(g)].size())
                m_table->selectRow(
                    m_proxy->mapFromSource(m_model->index(m_pointRows[std::size_t(g)][std::size_t(index)], 0))
                        .row());
        }
    });
}

void DeathsView::reload(Workspace *workspace)
{
    m_workspace = workspace;
    std::vector<StoredDeath> deaths;
    if (workspace && workspace->isOpen()) {
        if (Result<std::vector<StoredDeath>> read = readDeaths(*workspace))
            deaths = std::move(*read);
        else
            m_empty->setText(tr("The deaths could not be read: %1").arg(read.error().message));
    }
    m_model->setDeaths(std::move(deaths));
    m_stack->setCurrentIndex(m_model->rowCount() > 0 ? 1 : 0);
    m_table->resizeColumnsToContents();
    rebuildTimeline();
    if (m_model->rowCount() > 0)
        selectRow(0);
    else
        showDeath(-1);
}

int DeathsView::deathCount() const
{
    return m_model->rowCount();
}

void DeathsView::selectRow(int row)
{
    if (row >= 0 && row < m_proxy->rowCount())
        m_table->selectionModel()->setCurrentIndex(
            m_proxy->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void DeathsView::rebuildTimeline()
{
    m_plot->clearGraphs();
    m_pointRows.clear();
    // One row per workload, in order of first death; one graph per killer (its legend entry).
    std::map<QString, int> rowOfWorkload;
    QVector<double> ticks;
    QVector<QString> labels;
    std::map<Killer, QCPGraph *> graphs;
    std::map<Killer, std::size_t> graphIndex;
    double minMs = 0;
    double maxMs = 0;
    int timed = 0;
    const auto &deaths = m_model->deaths();
    for (std::size_t i = 0; i < deaths.size(); ++i) {
        const Death &d = deaths[i].death;
        if (!d.time)
            continue;
        const QString label = DeathListModel::workloadLabel(d);
        auto [it, added] = rowOfWorkload.emplace(label, int(rowOfWorkload.size()));
        if (added) {
            ticks << it->second;
            labels << label;
        }
        if (!graphs.count(d.killer)) {
            QCPGraph *g = m_plot->addGraph();
            g->setName(DeathListModel::killerTitle(d.killer));
            g->setLineStyle(QCPGraph::lsNone);
            const QColor c = DeathListModel::killerColor(d.killer);
            g->setPen(QPen(c));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 11));
            graphs[d.killer] = g;
            graphIndex[d.killer] = m_pointRows.size();
            m_pointRows.emplace_back();
        }
        const double t = double(d.time->toMSecsSinceEpoch()) / 1000.0;
        graphs[d.killer]->addData(t, it->second);
        m_pointRows[graphIndex[d.killer]].push_back(int(i));
        minMs = timed == 0 ? t : std::min(minMs, t);
        maxMs = timed == 0 ? t : std::max(maxMs, t);
        ++timed;
    }
    const int untimed = int(deaths.size()) - timed;
    m_plot->setVisible(timed > 0);
    m_plotNote->setVisible(untimed > 0);
    m_plotNote->setText(untimed == 0 ? QString()
                                     : tr("%n death(s) without a wall-clock time (a kernel log with uptime "
                                          "only) are in the table but not on the timeline.",
                                          nullptr, untimed));
    if (timed == 0)
        return;
    auto ticker = m_plot->yAxis->ticker().staticCast<QCPAxisTickerText>();
    ticker->setTicks(ticks, labels);
    m_plot->yAxis->setRange(-0.7, double(rowOfWorkload.size()) - 0.3);
    m_plot->yAxis->setRangeReversed(true);
    const double pad = std::max(30.0, (maxMs - minMs) * 0.05);
    m_plot->xAxis->setRange(minMs - pad, maxMs + pad);
    updateTimeAxis(m_plot->xAxis, TimeBasis::Local);
    m_plot->setMinimumHeight(std::clamp(60 + 28 * int(rowOfWorkload.size()), 140, 320));
    m_plot->replot();
}

void DeathsView::showDeath(int sourceRow)
{
    const Death *d = m_model->deathAt(sourceRow);
    if (!d) {
        m_heading->clear();
        m_details->clear();
        m_decision->setVisible(false);
        return;
    }
    m_heading->setText(DeathListModel::heading(*d));
    m_details->setPlainText(DeathListModel::detailsText(*d));
    // A kernel kill: why the kernel picked this victim, from its stored report.
    std::optional<OomEvent> event;
    if (d->eventId && m_workspace && (d->killer == Killer::KernelMemcg || d->killer == Killer::KernelGlobal))
        event = m_workspace->event(*d->eventId);
    m_decision->setVisible(event.has_value());
    if (event)
        m_decision->setDecision(*event, decideKill(*event));
}

} // namespace oomscope
