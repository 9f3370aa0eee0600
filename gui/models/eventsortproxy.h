// SPDX-License-Identifier: GPL-3.0-or-later
// The events list's sort and filter proxy: grouped by incident, the kills of one incident stay
// together (incidents in log order) and sort among themselves by the chosen column.
#pragma once

#include <QSortFilterProxyModel>

namespace oomscope {

class EventSortProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit EventSortProxy(QObject *parent = nullptr);

    void setGroupedByIncident(bool grouped);
    bool groupedByIncident() const { return m_grouped; }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool m_grouped = false;
};

} // namespace oomscope
