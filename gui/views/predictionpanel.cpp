// SPDX-License-Identifier: GPL-3.0-or-later
#include "predictionpanel.h"

#include "predictionmodel.h"
#include "sizeformat.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString processText(std::int64_t pid, const QString &comm)
{
    return (comm.isEmpty() ? u"pid"_s : comm) + u" ("_s + QString::number(pid) + u')';
}

QString timeText(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(u"hh:mm:ss.zzz"_s);
}

} // namespace

PredictionPanel::PredictionPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"predictionPanel"_s);
    m_title = new QLabel(tr("Predicted next victim"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    auto wrapping = [] {
        auto *label = new QLabel;
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return label;
    };
    m_basis = wrapping();
    m_empty = wrapping();
    m_empty->setObjectName(u"predictionEmpty"_s);
    m_empty->setStyleSheet(u"color:#616161"_s);
    m_killLabel = wrapping();
    m_killLabel->setObjectName(u"killComparison"_s);
    m_notes = wrapping();
    QFont small = m_notes->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_notes->setFont(small);
    m_notes->setStyleSheet(u"color:#6d4c41"_s);

    m_model = new PredictionModel(this);
    m_view = new QTableView;
    m_view->setObjectName(u"predictionView"_s);
    // In the kernel's order (its tie-breaking included), not sortable: the order is the point.
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QFont tableFont = m_view->font();
    tableFont.setPointSizeF(tableFont.pointSizeF() * 0.92);
    m_view->setFont(tableFont);
    m_view->horizontalHeader()->setFont(tableFont);
    m_view->setStyleSheet(
        u"QTableView::item { padding: 0px 2px; } QHeaderView::section { padding: 1px 3px; }"_s);
    m_view->horizontalHeader()->setMinimumSectionSize(24);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // The name gives way (elided) so that the numbers fit the side panel.
    m_view->horizontalHeader()->setSectionResizeMode(PredictionModel::NameColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setWordWrap(false);
    m_view->setMinimumHeight(m_view->verticalHeader()->defaultSectionSize() * 4);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_basis);
    layout->addWidget(m_empty);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_killLabel);
    layout->addWidget(m_notes);
    showMessage(tr("No series charted."));
}

void PredictionPanel::showMessage(const QString &text)
{
    m_model->clear();
    m_kill.reset();
    m_basis->hide();
    m_view->hide();
    m_killLabel->hide();
    m_notes->hide();
    m_empty->setText(text);
    m_empty->show();
}

void PredictionPanel::setEvaluation(const RangeEvaluation &e)
{
    if (!e.error.isEmpty()) {
        showMessage(tr("Cannot read the samples: ") + e.error);
        return;
    }
    m_kill = e.latestKill;
    if (m_kill) {
        const KillComparison &k = *m_kill;
        QString text = tr("Before the kill at ") + timeText(k.killMs) + u": "_s;
        if (!k.predictedPid) {
            text += tr("no process reading precedes it, no prediction.");
        } else {
            text += tr("predicted ") + processText(*k.predictedPid, k.predictedComm);
            if (k.kernelPid != 0)
                text += tr(" — the kernel killed ") + processText(k.kernelPid, k.kernelComm)
                    + (k.matches() ? u"  ✓"_s : u"  ✗"_s);
            else
                text += tr(" — the kernel's victim is not known");
        }
        m_killLabel->setText(text);
        m_killLabel->setStyleSheet(k.matches()
                                       ? u"color:#1b5e20"_s
                                       : (k.predictedPid && k.kernelPid ? u"color:#b71c1c"_s : QString()));
        m_killLabel->show();
    } else {
        m_killLabel->hide();
    }

    if (!e.haveProcessSamples) {
        m_model->clear();
        m_basis->hide();
        m_view->hide();
        m_notes->hide();
        m_empty->setText(tr("No per-process samples: import a procs CSV or sample live with processes."));
        m_empty->show();
        return;
    }
    if (!e.ranking || e.ranking->ranking.empty()) {
        m_model->clear();
        m_basis->hide();
        m_view->hide();
        m_notes->hide();
        m_empty->setText(tr("No process reading in the 5 minutes before the end of the visible range."));
        m_empty->show();
        return;
    }
    const PredictedRanking &r = *e.ranking;
    m_empty->hide();
    m_model->setRanking(r);
    QString basis = tr("If the cgroup hit ")
        + (r.limitBytes > 0 ? tr("its ") + humanSizeKb(r.limitBytes / 1024) + tr(" limit") : tr("a limit"))
        + tr(" at the end of the view — reading of ") + timeText(r.instantMs) + u", "_s
        + QString::number(r.ranking.size()) + (r.ranking.size() == 1 ? tr(" process") : tr(" processes"));
    if (!e.excludedPids.empty())
        basis += u", "_s + QString::number(e.excludedPids.size()) + tr(" already killed left out");
    basis += u':';
    m_basis->setText(basis);
    m_basis->show();
    m_view->show();
    m_notes->setText(r.notes.join(u'\n'));
    m_notes->setVisible(!r.notes.isEmpty());
}

QString PredictionPanel::killComparisonText() const
{
    return m_killLabel->isHidden() ? QString() : m_killLabel->text();
}

QString PredictionPanel::notesText() const
{
    return m_notes->isHidden() ? QString() : m_notes->text();
}

QString PredictionPanel::emptyText() const
{
    return m_empty->isHidden() ? QString() : m_empty->text();
}

} // namespace oomscope
