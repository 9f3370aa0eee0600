// SPDX-License-Identifier: GPL-3.0-or-later
// Table model of the imported OOM events (one row per EventSummary) for the events list, with
// the incident each kill belongs to (kills of one cgroup or the node seconds apart).
#pragma once

#include "incident.h"
#include "kubernetes.h"
#include "workspace.h"

#include <QAbstractTableModel>

#include <vector>

namespace oomscope {

class EventListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        IncidentColumn,
        HostColumn,
        PodColumn, // namespace/pod/container, when the workspace knows the cgroup's pod
        CgroupColumn,
        LimitColumn,
        UsageColumn,
        VictimColumn,
        AdjColumn,
        FormatColumn,
        AgreesColumn,
        CompleteColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers for numeric columns, so 2 GiB sorts after 512 MiB
        EventIdRole,
        FilterRole, // host, cgroups, victim comm and pid in one string
        IncidentRole, // 0-based index of the row's incident (incidents in log order)
    };

    explicit EventListModel(QObject *parent = nullptr);

    // pods names the events' cgroups (task memcg first, else the OOM memcg).
    void setEvents(std::vector<EventSummary> events, const PodDirectory &pods = {});
    QString podLabelAt(int row) const; // "" when unknown
    const std::vector<EventSummary> &events() const { return m_events; }
    const EventSummary *eventAt(int row) const;
    int rowOfEvent(qint64 eventId) const; // -1 when absent

    const std::vector<Incident> &incidents() const { return m_incidents; }
    std::size_t incidentOfRow(int row) const; // index into incidents()
    // Grouped: rows are tinted by incident (alternating), for a view that keeps them together.
    void setGroupedByIncident(bool grouped);
    bool groupedByIncident() const { return m_grouped; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString incidentText(int row) const;
    QString incidentToolTip(int row) const;

    std::vector<EventSummary> m_events;
    std::vector<Incident> m_incidents;
    std::vector<std::size_t> m_incidentOfRow;
    bool m_grouped = false;
    std::vector<QString> m_podLabels; // per event
};

} // namespace oomscope
