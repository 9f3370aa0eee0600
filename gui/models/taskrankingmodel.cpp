// SPDX-License-Identifier: GPL-3.0-or-later
#include "taskrankingmodel.h"

#include "sizeformat.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

const QColor victimBackground(0xff, 0xdd, 0xd6);
const QColor selectedBackground(0xff, 0xf1, 0xc9);

QString pagesWithSize(std::int64_t pages, std::int64_t pageSizeBytes)
{
    return TaskRankingModel::tr("%1 pages = %2")
        .arg(QLocale(QLocale::English).toString(qint64(pages)), exactSizeKb(pages * pageSizeBytes / 1024));
}

} // namespace

TaskRankingModel::TaskRankingModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void TaskRankingModel::setDecision(const KillDecision &decision, std::int64_t pageSizeBytes)
{
    beginResetModel();
    m_ranking = decision.ranking;
    m_victimPid = decision.victimPid;
    m_kernelSelectedPid = decision.kernelSelectedPid;
    m_pageSizeBytes = pageSizeBytes > 0 ? pageSizeBytes : 4096;
    endResetModel();
}

void TaskRankingModel::clear()
{
    beginResetModel();
    m_ranking.clear();
    m_victimPid = 0;
    m_kernelSelectedPid = 0;
    endResetModel();
}

int TaskRankingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ranking.size());
}

int TaskRankingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TaskRankingModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RankedTask &r = m_ranking[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(r, column);
    case SortRole:
        return sortData(r, column);
    case IsVictimRole:
        return isVictim(r);
    case IsKernelSelectedRole:
        return isKernelSelected(r);
    case PidRole:
        return qint64(r.task.pid);
    case Qt::ToolTipRole: {
        const QString tip = toolTip(r, column);
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    default:
        return styleData(r, column, role);
    }
}

bool TaskRankingModel::isVictim(const RankedTask &r) const
{
    return m_victimPid != 0 && r.task.pid == m_victimPid;
}

bool TaskRankingModel::isKernelSelected(const RankedTask &r) const
{
    return m_kernelSelectedPid != 0 && r.task.pid == m_kernelSelectedPid;
}

QVariant TaskRankingModel::displayData(const RankedTask &r, int column) const
{
    const QLocale locale(QLocale::English);
    switch (column) {
    case RankColumn:
        if (!r.eligible)
            return u"—"_s;
        return isKernelSelected(r) ? QString::number(r.rank) + u" ◆"_s : QString::number(r.rank);
    case PidColumn:
        return qint64(r.task.pid);
    case NameColumn:
        return r.task.comm;
    case RssColumn:
        return humanSizePages(r.rssPages, m_pageSizeBytes);
    case SwapColumn:
        return humanSizePages(r.swapPages, m_pageSizeBytes);
    case PageTablesColumn:
        return humanSizePages(r.pageTablePages, m_pageSizeBytes);
    case AdjColumn:
        return r.task.oomScoreAdj;
    case AdjBonusColumn:
        return locale.toString(qint64(r.adjPoints));
    case PointsColumn:
        return r.eligible ? locale.toString(qint64(r.points)) : tr("never");
    case ShareColumn:
        return r.eligible ? QString::number(r.share * 100.0, 'f', 1) + u" %"_s : u"—"_s;
    }
    return {};
}

QVariant TaskRankingModel::sortData(const RankedTask &r, int column) const
{
    switch (column) {
    case RankColumn:
        return r.eligible ? r.rank : std::numeric_limits<int>::max();
    case PidColumn:
        return qint64(r.task.pid);
    case NameColumn:
        return r.task.comm;
    case RssColumn:
        return qint64(r.rssPages);
    case SwapColumn:
        return qint64(r.swapPages);
    case PageTablesColumn:
        return qint64(r.pageTablePages);
    case AdjColumn:
        return r.task.oomScoreAdj;
    case AdjBonusColumn:
        return qint64(r.adjPoints);
    case PointsColumn:
        return qint64(r.points);
    case ShareColumn:
        return r.share;
    }
    return {};
}

// Fonts, colours and alignment: the victim bold on red, the kernel's selection on yellow.
QVariant TaskRankingModel::styleData(const RankedTask &r, int column, int role) const
{
    const bool victim = isVictim(r);
    const bool selected = isKernelSelected(r);
    switch (role) {
    case Qt::FontRole:
        if (victim) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::BackgroundRole:
        if (victim)
            return QBrush(victimBackground);
        if (selected)
            return QBrush(selectedBackground);
        break;
    case Qt::ForegroundRole:
        if (!r.eligible)
            return QBrush(QColor(0x80, 0x80, 0x80));
        if (victim || selected)
            return QBrush(QColor(0x20, 0x20, 0x20)); // readable on the highlight in dark themes
        break;
    case Qt::TextAlignmentRole:
        if (column != NameColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

// How the cell's number was computed, then what is special about the task.
QString TaskRankingModel::toolTip(const RankedTask &r, int column) const
{
    const QLocale locale(QLocale::English);
    QStringList lines;
    switch (column) {
    case RssColumn:
        lines << pagesWithSize(r.rssPages, m_pageSizeBytes);
        if (r.task.rssAnonPages)
            lines << tr("anon %1").arg(pagesWithSize(*r.task.rssAnonPages, m_pageSizeBytes));
        if (r.task.rssFilePages)
            lines << tr("file %1").arg(pagesWithSize(*r.task.rssFilePages, m_pageSizeBytes));
        if (r.task.rssShmemPages)
            lines << tr("shmem %1").arg(pagesWithSize(*r.task.rssShmemPages, m_pageSizeBytes));
        break;
    case SwapColumn:
        lines << pagesWithSize(r.swapPages, m_pageSizeBytes);
        break;
    case PageTablesColumn:
        lines << pagesWithSize(r.pageTablePages, m_pageSizeBytes);
        break;
    case AdjBonusColumn:
        lines
            << tr("oom_score_adj × totalpages / 1000 = %1 points").arg(locale.toString(qint64(r.adjPoints)));
        break;
    case PointsColumn:
        lines << tr("base %1 (rss + swap + page tables)").arg(locale.toString(qint64(r.basePoints)));
        if (r.rootBonusPoints != 0)
            lines << tr("root bonus %1").arg(locale.toString(qint64(r.rootBonusPoints)));
        lines << tr("adj %1").arg(locale.toString(qint64(r.adjPoints)))
              << tr("= %1").arg(locale.toString(qint64(r.points)));
        break;
    default:
        break;
    }
    if (!r.eligible)
        lines << tr("oom_score_adj -1000: never killed");
    if (isVictim(r))
        lines << tr("Killed by the kernel");
    if (isKernelSelected(r))
        lines << tr("◆ Selected by the kernel's badness scan");
    return lines.join(u'\n');
}

QVariant TaskRankingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case RankColumn:
            return tr("Rank");
        case PidColumn:
            return tr("PID");
        case NameColumn:
            return tr("Name");
        case RssColumn:
            return tr("RSS");
        case SwapColumn:
            return tr("Swap");
        case PageTablesColumn:
            return tr("Page tables");
        case AdjColumn:
            return tr("Adj");
        case AdjBonusColumn:
            return tr("Adj bonus");
        case PointsColumn:
            return tr("Points");
        case ShareColumn:
            return tr("Share");
        case ColumnCount:
            break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case RankColumn:
            return tr("Rank by recomputed badness; ◆ marks the kernel's selection");
        case AdjColumn:
            return tr("oom_score_adj");
        case AdjBonusColumn:
            return tr("Points added (or removed) by oom_score_adj");
        case PointsColumn:
            return tr("oom_badness() as the kernel of this era computes it");
        case ShareColumn:
            return tr("Share of all positive points");
        default:
            break;
        }
    }
    return {};
}

} // namespace oomscope
