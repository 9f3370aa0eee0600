// SPDX-License-Identifier: GPL-3.0-or-later
#include "nodestatuswidget.h"

#include "agentclient.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A gap is shown for this long after it was detected, then the row turns green again.
constexpr int kGapShownMs = 60000;

QColor stateColor(const AgentClient &c, bool recentGap)
{
    switch (c.state()) {
    case AgentClient::State::Live:
        return recentGap ? QColor(0xc7, 0x7c, 0x02) : QColor(0x1b, 0x80, 0x3a);
    case AgentClient::State::Connecting:
    case AgentClient::State::Reconnecting:
        return QColor(0xc7, 0x7c, 0x02);
    case AgentClient::State::Error:
        return QColor(0xb0, 0x00, 0x20);
    case AgentClient::State::Idle:
    case AgentClient::State::Detached:
        break;
    }
    return QColor(0x70, 0x70, 0x70);
}

} // namespace

NodeStatusWidget::NodeStatusWidget(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_refresh(new QTimer(this))
{
    m_table->setHorizontalHeaderLabels(
        {tr("Host"), tr("Agent"), tr("State"), tr("Samples"), tr("Last seq"), QString()});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    // The counts and names take the width they need (one row per node: cheap to measure); the
    // state, which can be a long message, the rest.
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(StateColumn, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    // One coalesced refresh instead of a repaint per batch; it also counts the retry down.
    m_refresh->setInterval(500);
    connect(m_refresh, &QTimer::timeout, this, &NodeStatusWidget::refresh);
    m_refresh->start();
}

QSize NodeStatusWidget::sizeHint() const
{
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    const int frame = 2 * m_table->frameWidth();
    return {QWidget::sizeHint().width(),
            m_table->horizontalHeader()->sizeHint().height() + 3 * rowHeight + frame};
}

int NodeStatusWidget::nodeCount() const
{
    return m_table->rowCount();
}

QString NodeStatusWidget::stateText(const AgentClient &c)
{
    const AgentClient::Status &s = c.status();
    switch (s.state) {
    case AgentClient::State::Reconnecting: {
        const qint64 inMs = std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(s.nextRetry));
        return tr("reconnecting in %1 s").arg((inMs + 999) / 1000)
            + (s.message.isEmpty() ? QString() : u" ("_s + s.message + u')');
    }
    case AgentClient::State::Live:
        if (s.lastGap)
            return tr("live, gap detected (%1–%2)").arg(s.lastGap->fromSeq).arg(s.lastGap->toSeq);
        return tr("live");
    case AgentClient::State::Error:
        return tr("error: %1").arg(s.message);
    case AgentClient::State::Connecting:
        return tr("connecting");
    case AgentClient::State::Detached:
        return tr("detached");
    case AgentClient::State::Idle:
        break;
    }
    return tr("idle");
}

void NodeStatusWidget::addClient(AgentClient *client)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    for (int c = 0; c < DetachColumn; ++c)
        m_table->setItem(row, c, new QTableWidgetItem);
    auto *button = new QPushButton(tr("Detach"), m_table);
    m_table->setCellWidget(row, DetachColumn, button);
    m_clients.emplace_back(client);
    QPointer<AgentClient> guard(client);
    connect(button, &QPushButton::clicked, this, [this, guard, button] {
        if (!guard)
            return;
        guard->detach();
        button->setEnabled(false);
        Q_EMIT detached(guard.data());
        refresh();
    });
    connect(client, &QObject::destroyed, this, [this] {
        // Rows of destroyed clients go; the QPointer is null by now.
        for (int i = int(m_clients.size()) - 1; i >= 0; --i) {
            if (!m_clients[std::size_t(i)]) {
                m_clients.erase(m_clients.begin() + i);
                m_table->removeRow(i);
            }
        }
    });
    connect(client, &AgentClient::stateChanged, this, &NodeStatusWidget::refresh);
    refresh();
}

void NodeStatusWidget::refresh()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int row = 0; row < int(m_clients.size()); ++row) {
        AgentClient *c = m_clients[std::size_t(row)];
        if (!c)
            continue;
        const AgentClient::Status &s = c->status();
        // The gap stays visible for a while after it happened (its time: when it was noticed).
        auto &seen = m_gapSeenMs[c];
        if (s.gapCount != seen.first) {
            seen = {s.gapCount, now};
        }
        const bool recentGap = s.gapCount > 0 && now - seen.second < kGapShownMs;
        m_table->item(row, HostColumn)
            ->setText(s.hostname.isEmpty() ? tr("(waiting for hello)") : s.hostname);
        m_table->item(row, NodeColumn)->setText(s.node);
        QTableWidgetItem *state = m_table->item(row, StateColumn);
        QString text = stateText(*c);
        if (s.state == AgentClient::State::Live && !recentGap)
            text = tr("live");
        state->setText(text);
        state->setForeground(stateColor(*c, recentGap));
        state->setToolTip(s.message);
        m_table->item(row, SamplesColumn)
            ->setText(tr("%1 (%2 stored)")
                          .arg(QLocale().toString(s.samplesReceived), QLocale().toString(s.samplesStored)));
        m_table->item(row, LastSeqColumn)->setText(QString::number(s.lastSeq));
        if (auto *button = qobject_cast<QPushButton *>(m_table->cellWidget(row, DetachColumn)))
            button->setEnabled(s.state != AgentClient::State::Detached);
    }
}

} // namespace oomscope
