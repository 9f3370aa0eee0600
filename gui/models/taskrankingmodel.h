// SPDX-License-Identifier: GPL-3.0-or-later
// Table model of one kill decision's recomputed badness ranking, victim row highlighted.
#pragma once

#include "killdecision.h"

#include <QAbstractTableModel>

#include <vector>

namespace oomscope {

class TaskRankingModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        RankColumn,
        PidColumn,
        NameColumn,
        RssColumn,
        SwapColumn,
        PageTablesColumn,
        AdjColumn,
        AdjBonusColumn,
        PointsColumn,
        ShareColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        IsVictimRole, // bool: the process the kernel killed
        IsKernelSelectedRole, // bool: the process the kernel's badness scan selected
        PidRole,
    };

    explicit TaskRankingModel(QObject *parent = nullptr);

    void setDecision(const KillDecision &decision, std::int64_t pageSizeBytes = 4096);
    void clear();
    const std::vector<RankedTask> &ranking() const { return m_ranking; }
    std::int64_t victimPid() const { return m_victimPid; }
    std::int64_t kernelSelectedPid() const { return m_kernelSelectedPid; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    bool isVictim(const RankedTask &r) const;
    bool isKernelSelected(const RankedTask &r) const;
    QVariant displayData(const RankedTask &r, int column) const;
    QVariant sortData(const RankedTask &r, int column) const;
    QVariant styleData(const RankedTask &r, int column, int role) const;
    QString toolTip(const RankedTask &r, int column) const;

    std::vector<RankedTask> m_ranking;
    std::int64_t m_victimPid = 0;
    std::int64_t m_kernelSelectedPid = 0;
    std::int64_t m_pageSizeBytes = 4096;
};

} // namespace oomscope
