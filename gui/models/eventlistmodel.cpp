// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlistmodel.h"

#include "eventincidents.h"
#include "sizeformat.h"

#include <QColor>
#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString timeText(const EventSummary &e)
{
    if (e.wallTime && e.wallTime->isValid())
        return e.wallTime->toString(u"yyyy-MM-dd HH:mm:ss"_s);
    if (e.uptimeSeconds)
        return u"+"_s + QString::number(*e.uptimeSeconds, 'f', 6) + u" s"_s;
    return u"—"_s;
}

// Seconds either since the epoch or since boot: bare uptimes (dmesg without -T) sort before any
// wall-clock time, and each kind sorts by time within itself.
double timeSortKey(const EventSummary &e)
{
    if (e.wallTime && e.wallTime->isValid())
        return double(e.wallTime->toMSecsSinceEpoch()) / 1000.0;
    if (e.uptimeSeconds)
        return *e.uptimeSeconds;
    return -1.0;
}

QString cgroupText(const EventSummary &e)
{
    if (!e.oomMemcg.isEmpty())
        return e.oomMemcg;
    if (e.constraint == u"memcg"_s)
        return e.taskMemcg.isEmpty() ? u"memcg"_s : e.taskMemcg;
    return EventListModel::tr("global");
}

QString limitText(const EventSummary &e)
{
    if (e.limitKb <= 0)
        return e.totalPages > 0 ? humanSizePages(e.totalPages) : u"—"_s;
    if (isUnlimitedKb(e.limitKb))
        return EventListModel::tr("unlimited");
    return humanSizeKb(e.limitKb);
}

} // namespace

EventListModel::EventListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void EventListModel::setEvents(std::vector<EventSummary> events, const PodDirectory &pods)
{
    std::vector<QString> labels;
    labels.reserve(events.size());
    for (const EventSummary &e : events) {
        std::optional<PodRef> ref;
        for (const QString &memcg : {e.taskMemcg, e.oomMemcg}) {
            if (!ref && !memcg.isEmpty())
                ref = pods.byCgroupPath(memcg);
        }
        labels.push_back(ref ? ref->label() : QString());
    }
    beginResetModel();
    m_events = std::move(events);
    m_podLabels = std::move(labels);
    m_incidents = incidentsOf(m_events);
    m_incidentOfRow = incidentIndexOfKills(m_incidents, m_events.size());
    endResetModel();
}

std::size_t EventListModel::incidentOfRow(int row) const
{
    return row >= 0 && row < int(m_incidentOfRow.size()) ? m_incidentOfRow[size_t(row)] : 0;
}

void EventListModel::setGroupedByIncident(bool grouped)
{
    if (grouped == m_grouped)
        return;
    m_grouped = grouped;
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::BackgroundRole});
}

QString EventListModel::incidentText(int row) const
{
    const Incident &incident = m_incidents[incidentOfRow(row)];
    const QString number = QString::number(incidentOfRow(row) + 1);
    if (incident.kills.size() < 2)
        return number;
    const auto position = std::find(incident.kills.begin(), incident.kills.end(), std::size_t(row));
    //: incident number, then "kill 2/3" of that incident
    return tr("%1 · kill %2/%3")
        .arg(number)
        .arg(position - incident.kills.begin() + 1)
        .arg(incident.kills.size());
}

QString EventListModel::incidentToolTip(int row) const
{
    const Incident &incident = m_incidents[incidentOfRow(row)];
    const QString where = incident.nodeWide() ? tr("the node") : incident.scope;
    if (incident.kills.size() < 2)
        return tr("The only kill of %1 in this episode of memory pressure").arg(where);
    const QString span = incident.spanSeconds < 1.0
        ? tr("%1 ms").arg(incident.spanSeconds * 1000.0, 0, 'f', 1)
        : tr("%1 s").arg(incident.spanSeconds, 0, 'f', 1);
    return tr("%n kills of %1 within %2, each at most %3 s after the previous one", nullptr,
              int(incident.kills.size()))
        .arg(where, span)
        .arg(IncidentOptions {}.maxGapSeconds, 0, 'f', 0);
}

QString EventListModel::podLabelAt(int row) const
{
    return row >= 0 && std::size_t(row) < m_podLabels.size() ? m_podLabels[std::size_t(row)] : QString();
}

const EventSummary *EventListModel::eventAt(int row) const
{
    if (row < 0 || row >= int(m_events.size()))
        return nullptr;
    return &m_events[size_t(row)];
}

int EventListModel::rowOfEvent(qint64 eventId) const
{
    for (size_t i = 0; i < m_events.size(); ++i) {
        if (m_events[i].id == eventId)
            return int(i);
    }
    return -1;
}

int EventListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EventSummary &e = m_events[size_t(index.row())];
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn:
            return timeText(e);
        case IncidentColumn:
            return incidentText(index.row());
        case HostColumn:
            return e.host.isEmpty() ? u"—"_s : e.host;
        case PodColumn: {
            const QString label = podLabelAt(index.row());
            return label.isEmpty() ? u"—"_s : label;
        }
        case CgroupColumn:
            return cgroupText(e);
        case LimitColumn:
            return limitText(e);
        case UsageColumn:
            return e.usageKb > 0 ? humanSizeKb(e.usageKb) : u"—"_s;
        case VictimColumn:
            if (e.victimPid == 0)
                return u"?"_s;
            return QString(e.victimComm + u" ("_s + QString::number(e.victimPid) + u')');
        case AdjColumn:
            return e.victimAdj ? QVariant(*e.victimAdj) : QVariant(u"—"_s);
        case FormatColumn:
            return e.kernelFormat;
        case AgreesColumn:
            return e.agrees ? u"✓"_s : u"✗"_s;
        case CompleteColumn:
            return e.complete ? u"✓"_s : tr("partial");
        }
        break;
    case SortRole:
        switch (column) {
        case TimeColumn:
            return timeSortKey(e);
        case IncidentColumn:
            return qulonglong(incidentOfRow(index.row()));
        case LimitColumn:
            return e.limitKb > 0 ? e.limitKb : e.totalPages * 4;
        case UsageColumn:
            return e.usageKb;
        case AdjColumn:
            return e.victimAdj.value_or(0);
        case VictimColumn:
            return QString(e.victimComm + u' ' + QString::number(e.victimPid));
        case AgreesColumn:
            return e.agrees ? 1 : 0;
        case CompleteColumn:
            return e.complete ? 1 : 0;
        default:
            return data(index, Qt::DisplayRole);
        }
    case EventIdRole:
        return e.id;
    case IncidentRole:
        return qulonglong(incidentOfRow(index.row()));
    case Qt::BackgroundRole:
        // Grouped: one tint per incident, alternating, so a group of kills reads as one block.
        if (m_grouped && incidentOfRow(index.row()) % 2 == 1)
            return QColor(0x1f, 0x4e, 0x9c, 24);
        break;
    case FilterRole:
        return QString(e.host + u' ' + podLabelAt(index.row()) + u' ' + cgroupText(e) + u' ' + e.taskMemcg
                       + u' ' + e.victimComm + u' ' + QString::number(e.victimPid));
    case Qt::ToolTipRole:
        switch (column) {
        case TimeColumn:
            if (e.uptimeSeconds)
                return tr("Kernel uptime %1 s").arg(QString::number(*e.uptimeSeconds, 'f', 6));
            break;
        case IncidentColumn:
            return incidentToolTip(index.row());
        case CgroupColumn:
            return tr("Limit hit in: %1\nVictim's cgroup: %2\nConstraint: %3")
                .arg(cgroupText(e), e.taskMemcg.isEmpty() ? u"—"_s : e.taskMemcg, e.constraint);
        case LimitColumn:
            if (e.limitKb > 0 && !isUnlimitedKb(e.limitKb))
                return exactSizeKb(e.limitKb, 4096);
            if (e.totalPages > 0)
                return tr("totalpages %1").arg(QLocale(QLocale::English).toString(e.totalPages));
            break;
        case UsageColumn:
            if (e.usageKb > 0)
                return exactSizeKb(e.usageKb, 4096);
            break;
        case AgreesColumn:
            return e.agrees
                ? tr("The recomputed badness ranking selects the same task as the kernel")
                : tr("The recomputed ranking disagrees with the kernel's choice; see the Decision tab");
        case CompleteColumn:
            return e.complete ? tr("Header, counters, task table and kill line were all seen")
                              : tr("Parts of the report are missing (truncated or interleaved log)");
        }
        break;
    case Qt::TextAlignmentRole:
        switch (column) {
        case LimitColumn:
        case UsageColumn:
        case AdjColumn:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        case AgreesColumn:
        case CompleteColumn:
            return QVariant(Qt::AlignCenter);
        }
        break;
    case Qt::ForegroundRole:
        if (column == AgreesColumn)
            return e.agrees ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28);
        if (column == CompleteColumn && !e.complete)
            return QColor(0xb2, 0x6a, 0x00);
        break;
    }
    return {};
}

QVariant EventListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case TimeColumn:
            return tr("Time");
        case IncidentColumn:
            return tr("Incident");
        case HostColumn:
            return tr("Host");
        case PodColumn:
            return tr("Pod");
        case CgroupColumn:
            return tr("Cgroup");
        case LimitColumn:
            return tr("Limit");
        case UsageColumn:
            return tr("Usage");
        case VictimColumn:
            return tr("Victim");
        case AdjColumn:
            return tr("Adj");
        case FormatColumn:
            return tr("Kernel format");
        case AgreesColumn:
            return tr("Agrees");
        case CompleteColumn:
            return tr("Complete");
        case ColumnCount:
            break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case TimeColumn:
            return tr("Wall-clock time when the log has it, else kernel uptime");
        case IncidentColumn:
            return tr("Kills of one cgroup (or of the node) seconds apart form one incident");
        case PodColumn:
            return tr("Kubernetes namespace/pod/container of the victim's cgroup, from pod JSON in the "
                      "workspace");
        case CgroupColumn:
            return tr("Memory cgroup whose limit was hit, or \"global\"");
        case LimitColumn:
            return tr("Memory limit (global OOM: usable RAM + swap)");
        case AdjColumn:
            return tr("The victim's oom_score_adj");
        case AgreesColumn:
            return tr("Does oomscope's badness recomputation pick the same task?");
        default:
            break;
        }
    }
    return {};
}

} // namespace oomscope
