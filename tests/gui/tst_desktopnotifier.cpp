// SPDX-License-Identifier: GPL-3.0-or-later
// DesktopNotifier against a fake org.freedesktop.Notifications service on a private session bus
// (ctest runs this under dbus-run-session): the early warning arrives as Notify with its title,
// its words naming the predicted victim, and critical urgency.

#include "desktopnotifier.h"
#include "earlywarning.h"

#include <QDBusConnection>
#include <QDBusVariant>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    QString appName, summary, body;
    QVariantMap hints;
    int calls = 0;

public Q_SLOTS:
    uint Notify(const QString &app, uint, const QString &, const QString &title, const QString &text,
                const QStringList &, const QVariantMap &h, int)
    {
        appName = app;
        summary = title;
        body = text;
        hints = h;
        return uint(++calls);
    }
};

class TestDesktopNotifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void warningReachesTheNotificationService()
    {
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY2(bus.isConnected(), "no session bus: run under dbus-run-session (ctest does)");
        FakeNotifications fake;
        QVERIFY(
            bus.registerObject(u"/org/freedesktop/Notifications"_s, &fake, QDBusConnection::ExportAllSlots));
        QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));

        EarlyWarning w;
        w.source = WarningSource::Trend;
        w.cgroup = u"/kubepods/pod1/c1"_s;
        w.secondsToLimit = 42;
        w.slopeBytesPerSecond = 5.0 * 1024 * 1024;
        w.limitBytes = 256LL * 1024 * 1024;
        w.victimPid = 4242;
        w.victimComm = u"java"_s;
        DesktopNotifier notifier;
        QSignalSpy delivered(&notifier, &DesktopNotifier::delivered);
        notifier.notifyWarning(w);
        QTRY_COMPARE(fake.calls, 1);
        QTRY_COMPARE(delivered.size(), 1);
        QCOMPARE(delivered.at(0).at(0).toUInt(), 1u);
        QCOMPARE(fake.appName, u"oomscope"_s);
        QCOMPARE(fake.summary, earlyWarningTitle(w));
        QCOMPARE(fake.body, earlyWarningText(w));
        QVERIFY(fake.body.contains(u"java (pid 4242)"_s));
        QCOMPARE(fake.hints.value(u"urgency"_s).toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestDesktopNotifier)
#include "tst_desktopnotifier.moc"
