// SPDX-License-Identifier: GPL-3.0-or-later
#include "predictionmodel.h"

#include "sizeformat.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <array>

using namespace Qt::StringLiterals;

namespace oomscope {

PredictionModel::PredictionModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void PredictionModel::setRanking(const PredictedRanking &ranking, std::int64_t pageSizeBytes)
{
    beginResetModel();
    m_processes = ranking.ranking;
    m_victimPid = ranking.predictedVictimPid;
    m_pageSizeBytes = pageSizeBytes;
    endResetModel();
}

void PredictionModel::clear()
{
    beginResetModel();
    m_processes.clear();
    m_victimPid.reset();
    endResetModel();
}

int PredictionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_processes.size());
}

int PredictionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PredictionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PredictedProcess &p = m_processes[std::size_t(index.row())];
    const bool victim = m_victimPid && *m_victimPid == p.pid;
    switch (role) {
    case IsPredictedVictimRole:
        return victim;
    case PidRole:
        return qint64(p.pid);
    case Qt::FontRole:
        if (victim) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::BackgroundRole:
        return victim ? QVariant(QBrush(QColor(0xff, 0xe0, 0xb2))) : QVariant();
    case Qt::ForegroundRole:
        return p.eligible ? QVariant() : QVariant(QBrush(QColor(0x80, 0x80, 0x80)));
    case Qt::TextAlignmentRole:
        return index.column() == NameColumn ? QVariant(int(Qt::AlignLeft | Qt::AlignVCenter))
                                            : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    case Qt::ToolTipRole:
        switch (index.column()) {
        case RssColumn:
            return QString(
                exactSizeKb(p.rssPages * m_pageSizeBytes / 1024, m_pageSizeBytes)
                + (p.rssEstimated ? tr(" — no rss figure in the reading, counted as 0") : QString()));
        case PointsColumn:
            return tr(
                "badness points: rss + swap + page tables in pages, plus oom_score_adj × totalpages / 1000");
        case GapToTopColumn:
            return tr("points this process lacks to be the victim");
        case AdjToBeVictimColumn:
            return tr("smallest oom_score_adj with which this process would be picked, all else unchanged");
        default:
            return p.eligible ? QVariant() : QVariant(tr("oom_score_adj -1000: never killed"));
        }
    case SortRole:
        switch (index.column()) {
        case PidColumn:
            return qint64(p.pid);
        case NameColumn:
            return p.comm;
        case RssColumn:
            return qint64(p.rssPages);
        case AdjColumn:
            return p.oomScoreAdj;
        case PointsColumn:
            // The ranking's order, which breaks ties between equal points as the kernel would.
            return -p.rank;
        case ShareColumn:
            return p.share;
        case GapToTopColumn:
            return qint64(p.pointsGapToTop);
        case AdjToBeVictimColumn:
            return p.adjToBeVictim ? *p.adjToBeVictim : 1001;
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case PidColumn:
            return QString::number(p.pid);
        case NameColumn:
            return p.comm;
        case RssColumn:
            return humanSizePages(p.rssPages, m_pageSizeBytes);
        case AdjColumn:
            return QString::number(p.oomScoreAdj);
        case PointsColumn:
            return p.eligible ? QLocale().toString(qint64(p.points)) : tr("never");
        case ShareColumn:
            return p.eligible ? QString(QLocale::c().toString(p.share * 100.0, 'f', 1) + u" %"_s) : QString();
        case GapToTopColumn:
            return p.eligible ? QLocale().toString(qint64(p.pointsGapToTop)) : QString();
        case AdjToBeVictimColumn:
            if (!p.eligible)
                return QString();
            if (victim)
                return u"—"_s;
            return p.adjToBeVictim ? QString::number(*p.adjToBeVictim) : tr("not even 1000");
        }
        return {};
    default:
        return {};
    }
}

QVariant PredictionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        // Short: the table sits in a side panel; the tooltips say it in full.
        static const std::array<QString, ColumnCount> names = {tr("PID"), tr("Name"),      tr("RSS"),
                                                               tr("Adj"), tr("Points"),    tr("Share"),
                                                               tr("Gap"), tr("Adj→victim")};
        return names[std::size_t(section)];
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case AdjColumn:
            return u"oom_score_adj"_s;
        case ShareColumn:
            return tr("share of all eligible points");
        case GapToTopColumn:
            return tr("gap to top: points this process lacks to be the victim");
        case AdjToBeVictimColumn:
            return tr("adj to be victim: the smallest oom_score_adj with which it would be picked");
        default:
            return {};
        }
    }
    return {};
}

} // namespace oomscope
