// SPDX-License-Identifier: GPL-3.0-or-later
// Tree model of the stored sample series (host → workload → incarnation) with check boxes that
// pick the series the growth chart shows.
#pragma once

#include "kubernetes.h"
#include "samplestore.h"
#include "storedsamples.h"

#include <QAbstractItemModel>
#include <QHash>

#include <vector>

namespace oomscope {

class SeriesTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, SamplesColumn, ColumnCount };
    enum Role {
        SeriesIdRole = Qt::UserRole + 1, // qint64 on series rows, 0 elsewhere
        NodeKindRole, // NodeKind
    };
    enum NodeKind { HostNode, WorkloadNode, SeriesNode };

    explicit SeriesTreeModel(QObject *parent = nullptr);

    // Replaces the tree; series still present keep their check state.
    // pods names Kubernetes workloads namespace/pod/container instead of their container IDs.
    void setSeries(const std::vector<WorkloadInfo> &workloads, const std::vector<SeriesInfo> &series,
                   const PodDirectory &pods = {});
    // Counts samples stored since the tree was read (a live session's, an attached node's):
    // each series' samples after its newest known one, up to its workload and host rows.
    // Returns false when some series is not in the tree (it needs setSeries again).
    bool addStoredSamples(const StoredSamples &stored);
    std::vector<qint64> checkedSeries() const; // in tree order
    void setSeriesChecked(qint64 seriesId, bool checked);
    QModelIndex indexOfSeries(qint64 seriesId) const;
    const SeriesInfo *seriesInfo(qint64 seriesId) const;
    // The newest series (last incarnation) of cgroupPath on host; 0 when there is none.
    qint64 seriesOf(const QString &host, const QString &cgroupPath) const;
    // "checkout-leak #2" style label for legends: the workload's short name (a Kubernetes
    // container's namespace/pod/container) and incarnation.
    QString seriesLabel(qint64 seriesId) const;
    int seriesCount() const { return int(m_series.size()); }
    QString podLabel(qint64 seriesId) const { return m_podLabels.value(seriesId); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void checkedSeriesChanged();

private:
    // Nodes live in one vector; an index's internalId is its node's position + 1 (0: the root).
    struct Node {
        NodeKind kind = HostNode;
        int parent = -1; // node position, -1 for hosts
        int row = 0; // within the parent
        std::vector<int> children;
        QString name;
        QString toolTip;
        qint64 seriesId = 0;
        qint64 samples = 0;
        bool checked = false; // series only
    };

    const Node *nodeOf(const QModelIndex &index) const;
    Qt::CheckState checkStateOf(const Node &node) const;
    void emitCheckChanged(int nodePos);

    std::vector<Node> m_nodes;
    std::vector<int> m_hosts;
    std::vector<SeriesInfo> m_series;
    QHash<qint64, QString> m_podLabels; // series id -> namespace/pod/container
    std::vector<WorkloadInfo> m_workloads;
};

} // namespace oomscope
