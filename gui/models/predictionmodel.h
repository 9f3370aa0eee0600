// SPDX-License-Identifier: GPL-3.0-or-later
// Table model of a predicted next-victim ranking (whom the OOM killer would pick if the cgroup hit
// its limit now), the predicted victim's row highlighted.
#pragma once

#include "prediction.h"

#include <QAbstractTableModel>

#include <vector>

namespace oomscope {

class PredictionModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        PidColumn,
        NameColumn,
        RssColumn,
        AdjColumn,
        PointsColumn,
        ShareColumn,
        GapToTopColumn,
        AdjToBeVictimColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        IsPredictedVictimRole, // bool
        PidRole,
    };

    explicit PredictionModel(QObject *parent = nullptr);

    void setRanking(const PredictedRanking &ranking, std::int64_t pageSizeBytes = 4096);
    void clear();
    const std::vector<PredictedProcess> &processes() const { return m_processes; }
    std::optional<std::int64_t> predictedVictimPid() const { return m_victimPid; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<PredictedProcess> m_processes;
    std::optional<std::int64_t> m_victimPid;
    std::int64_t m_pageSizeBytes = 4096;
};

} // namespace oomscope
