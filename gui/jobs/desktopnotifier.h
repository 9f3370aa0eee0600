// SPDX-License-Identifier: GPL-3.0-or-later
// Desktop notifications over D-Bus (org.freedesktop.Notifications on the session bus), for the
// early warnings of live sessions and attached nodes. Asynchronous: the GUI thread never waits
// for the notification server; without a session bus or a server, notify() does nothing but
// say so once through lastError().
#pragma once

#include <QObject>
#include <QString>

namespace oomscope {

struct EarlyWarning;

class DesktopNotifier : public QObject
{
    Q_OBJECT

public:
    explicit DesktopNotifier(QObject *parent = nullptr);

    // Sends title and body (critical urgency); the reply comes back through delivered/failed.
    void notify(const QString &title, const QString &body);
    void notifyWarning(const EarlyWarning &warning);
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void delivered(quint32 notificationId);
    void failed(const QString &error);

private:
    QString m_lastError;
};

} // namespace oomscope
