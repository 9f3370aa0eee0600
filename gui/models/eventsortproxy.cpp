// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventsortproxy.h"

#include "eventlistmodel.h"

namespace oomscope {

EventSortProxy::EventSortProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void EventSortProxy::setGroupedByIncident(bool grouped)
{
    if (grouped == m_grouped)
        return;
    m_grouped = grouped;
    if (auto *events = qobject_cast<EventListModel *>(sourceModel()))
        events->setGroupedByIncident(grouped);
    invalidate();
}

bool EventSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_grouped) {
        const qulonglong a = left.data(EventListModel::IncidentRole).toULongLong();
        const qulonglong b = right.data(EventListModel::IncidentRole).toULongLong();
        if (a != b)
            return a < b; // descending order puts the latest incident first
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace oomscope
