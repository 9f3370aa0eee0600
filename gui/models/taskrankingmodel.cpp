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
    return QLocale(QLocale::English).toString(qint64(pages)) + u" pages = "_s
        + exactSizeKb(pages * pageSizeBytes / 1024);
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
    const bool isVictim = m_victimPid != 0 && r.task.pid == m_victimPid;
    const bool isSelected = m_kernelSelectedPid != 0 && r.task.pid == m_kernelSelectedPid;
    const QLocale locale(QLocale::English);

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case RankColumn:
            if (!r.eligible)
                return u"—"_s;
            return isSelected ? QString::number(r.rank) + u" ◆"_s : QString::number(r.rank);
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
            return r.eligible ? locale.toString(qint64(r.points)) : u"never"_s;
        case ShareColumn:
            return r.eligible ? QString::number(r.share * 100.0, 'f', 1) + u" %"_s : u"—"_s;
        }
        break;
    case SortRole:
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
        break;
    case IsVictimRole:
        return isVictim;
    case IsKernelSelectedRole:
        return isSelected;
    case PidRole:
        return qint64(r.task.pid);
    case Qt::FontRole:
        if (isVictim) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::BackgroundRole:
        if (isVictim)
            return QBrush(victimBackground);
        if (isSelected)
            return QBrush(selectedBackground);
        break;
    case Qt::ForegroundRole:
        if (!r.eligible)
            return QBrush(QColor(0x80, 0x80, 0x80));
        if (isVictim || isSelected)
            return QBrush(QColor(0x20, 0x20, 0x20)); // readable on the highlight in dark themes
        break;
    case Qt::TextAlignmentRole:
        if (column != NameColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole: {
        QString tip;
        switch (column) {
        case RssColumn:
            tip = pagesWithSize(r.rssPages, m_pageSizeBytes);
            if (r.task.rssAnonPages)
                tip += u"\nanon "_s + pagesWithSize(*r.task.rssAnonPages, m_pageSizeBytes);
            if (r.task.rssFilePages)
                tip += u"\nfile "_s + pagesWithSize(*r.task.rssFilePages, m_pageSizeBytes);
            if (r.task.rssShmemPages)
                tip += u"\nshmem "_s + pagesWithSize(*r.task.rssShmemPages, m_pageSizeBytes);
            break;
        case SwapColumn:
            tip = pagesWithSize(r.swapPages, m_pageSizeBytes);
            break;
        case PageTablesColumn:
            tip = pagesWithSize(r.pageTablePages, m_pageSizeBytes);
            break;
        case AdjBonusColumn:
            tip = u"oom_score_adj × totalpages / 1000 = "_s + locale.toString(qint64(r.adjPoints))
                + u" points"_s;
            break;
        case PointsColumn:
            tip = u"base "_s + locale.toString(qint64(r.basePoints)) + u" (rss + swap + page tables)"_s;
            if (r.rootBonusPoints != 0)
                tip += u"\nroot bonus "_s + locale.toString(qint64(r.rootBonusPoints));
            tip += u"\nadj "_s + locale.toString(qint64(r.adjPoints)) + u"\n= "_s
                + locale.toString(qint64(r.points));
            break;
        default:
            break;
        }
        if (!r.eligible)
            tip += (tip.isEmpty() ? u""_s : u"\n"_s) + u"oom_score_adj -1000: never killed"_s;
        if (isVictim)
            tip += (tip.isEmpty() ? u""_s : u"\n"_s) + u"Killed by the kernel"_s;
        if (isSelected)
            tip += (tip.isEmpty() ? u""_s : u"\n"_s) + u"◆ Selected by the kernel's badness scan"_s;
        if (!tip.isEmpty())
            return tip;
        break;
    }
    }
    return {};
}

QVariant TaskRankingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case RankColumn:
            return u"Rank"_s;
        case PidColumn:
            return u"PID"_s;
        case NameColumn:
            return u"Name"_s;
        case RssColumn:
            return u"RSS"_s;
        case SwapColumn:
            return u"Swap"_s;
        case PageTablesColumn:
            return u"Page tables"_s;
        case AdjColumn:
            return u"Adj"_s;
        case AdjBonusColumn:
            return u"Adj bonus"_s;
        case PointsColumn:
            return u"Points"_s;
        case ShareColumn:
            return u"Share"_s;
        case ColumnCount:
            break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case RankColumn:
            return u"Rank by recomputed badness; ◆ marks the kernel's selection"_s;
        case AdjColumn:
            return u"oom_score_adj"_s;
        case AdjBonusColumn:
            return u"Points added (or removed) by oom_score_adj"_s;
        case PointsColumn:
            return u"oom_badness() as the kernel of this era computes it"_s;
        case ShareColumn:
            return u"Share of all positive points"_s;
        default:
            break;
        }
    }
    return {};
}

} // namespace oomscope
