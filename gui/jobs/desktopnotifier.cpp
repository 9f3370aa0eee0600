// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktopnotifier.h"

#include "earlywarning.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QVariantMap>

using namespace Qt::StringLiterals;

namespace oomscope {

DesktopNotifier::DesktopNotifier(QObject *parent)
    : QObject(parent)
{ }

void DesktopNotifier::notifyWarning(const EarlyWarning &warning)
{
    notify(earlyWarningTitle(warning), earlyWarningText(warning));
}

void DesktopNotifier::notify(const QString &title, const QString &body)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        m_lastError = tr("no D-Bus session bus: %1").arg(bus.lastError().message());
        Q_EMIT failed(m_lastError);
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(u"org.freedesktop.Notifications"_s,
                                                       u"/org/freedesktop/Notifications"_s,
                                                       u"org.freedesktop.Notifications"_s, u"Notify"_s);
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    const QVariantMap hints {{u"urgency"_s, QVariant::fromValue(uchar(2))},
                             {u"desktop-entry"_s, u"oomscope"_s}};
    call << u"oomscope"_s << quint32(0) << u"dialog-warning"_s << title << body << QStringList() << hints
         << qint32(-1);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        const QDBusPendingReply<quint32> reply = *w;
        w->deleteLater();
        if (reply.isError()) {
            m_lastError = reply.error().message();
            Q_EMIT failed(m_lastError);
            return;
        }
        Q_EMIT delivered(reply.value());
    });
}

} // namespace oomscope
