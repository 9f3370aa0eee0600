// SPDX-License-Identifier: GPL-3.0-or-later
// One row per attached node: hostname, link state in colour (live, reconnecting in N s, gap
// detected, error), samples received and stored, last seq, and a Detach button.
#pragma once

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <vector>

class QTableWidget;
class QTimer;

namespace oomscope {

class AgentClient;

class NodeStatusWidget : public QWidget
{
    Q_OBJECT

public:
    enum Column {
        HostColumn,
        NodeColumn,
        StateColumn,
        SamplesColumn,
        LastSeqColumn,
        DetachColumn,
        ColumnCount
    };

    explicit NodeStatusWidget(QWidget *parent = nullptr);

    // Shows the client (not owned; its row goes when it is destroyed).
    void addClient(AgentClient *client);
    int nodeCount() const;
    QTableWidget *table() const { return m_table; } // for tests
    // Room for the header and three nodes: the dock does not take the chart's height for one.
    QSize sizeHint() const override;

    // "live", "reconnecting in 3 s", "live, gap 6–40", "error: …", "detached".
    static QString stateText(const AgentClient &client);

Q_SIGNALS:
    // The Detach button: the client is already detached (its records are stored); the owner
    // may delete it.
    void detached(oomscope::AgentClient *client);

private:
    void refresh();

    QTableWidget *m_table;
    QTimer *m_refresh;
    std::vector<QPointer<AgentClient>> m_clients;
    QHash<const AgentClient *, std::pair<int, qint64>> m_gapSeenMs; // gap count, when it changed
};

} // namespace oomscope
