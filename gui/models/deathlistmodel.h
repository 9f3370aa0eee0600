// SPDX-License-Identifier: GPL-3.0-or-later
// Table model of the workspace's deaths (one row per stored death, storage/deathrows.h) for the
// Deaths tab, and the one place its words for users are composed: the killers' names and colours,
// the workload label, the evidence and notes text.
#pragma once

#include "deathrows.h"

#include <QAbstractTableModel>
#include <QColor>

#include <vector>

namespace oomscope {

class DeathListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        KillerColumn,
        NodeColumn,
        WorkloadColumn,
        VictimColumn,
        ExitColumn,
        ConfidenceColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        DeathIdRole,
    };

    explicit DeathListModel(QObject *parent = nullptr);

    void setDeaths(std::vector<StoredDeath> deaths);
    const std::vector<StoredDeath> &deaths() const { return m_deaths; }
    const Death *deathAt(int row) const;

    // "Kernel (cgroup limit)", "systemd-oomd", "kubelet eviction", … and a colour per killer,
    // the same in the table, the timeline and its legend.
    static QString killerTitle(Killer killer);
    static QColor killerColor(Killer killer);
    // "namespace/pod/container", else the cgroup, else the victim's name: a timeline row.
    static QString workloadLabel(const Death &death);
    // What the details pane shows: a heading, the notes, then every line of evidence with its source.
    static QString heading(const Death &death);
    static QString detailsText(const Death &death);
    static QString emptyText(); // a workspace without deaths

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<StoredDeath> m_deaths;
};

} // namespace oomscope
