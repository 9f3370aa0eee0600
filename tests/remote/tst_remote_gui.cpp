// SPDX-License-Identifier: GPL-3.0-or-later
// AttachDialog keeps a typed token out of the settings; NodeStatusWidget shows a live node and
// detaches it from its button; the window records attached nodes and charts their samples live.
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "agentclient.h"
#include "attachdialog.h"
#include "desktopnotifier.h"
#include "eventlistmodel.h"
#include "fixturetree.h"
#include "growthchart.h"
#include "mainwindow.h"
#include "nodestatuswidget.h"
#include "samplesview.h"
#include "seriestreemodel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace oomscope;
using namespace Qt::StringLiterals;

namespace {

// The agent run by the client itself (exec:) on the recorded OOM report as its kernel log, with an
// empty cgroup root (dir): it serves the kernel log only, which is enough here.
AgentConnectOptions agentReadingRecordedKmsg(const QTemporaryDir &dir)
{
    QFile::copy(QStringLiteral(OOMSCOPE_TEST_DATA "/e2e/kmsg-6.18-memcg-v1-oomkill.kmsg"),
                dir.path() + u"/kmsg"_s);
    AgentConnectOptions o;
    o.endpoint = *AgentEndpoint::parse(u"exec:"_s + QStringLiteral(OOMSCOPE_AGENT_BINARY));
    o.agentArguments = {u"--cgroup-root"_s,      dir.path(),      u"--proc-root"_s, dir.path(), u"--kmsg"_s,
                        dir.path() + u"/kmsg"_s, u"--interval"_s, u"100ms"_s};
    return o;
}

} // namespace

class TestRemoteGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dialogKeepsTheTokenInMemory()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/s.ini"_s, QSettings::IniFormat);
        AttachDialog dialog(nullptr, &settings);
        dialog.setAddress(u"node-7:9500"_s);
        const QList<QLineEdit *> edits = dialog.findChildren<QLineEdit *>();
        QLineEdit *token = nullptr;
        for (QLineEdit *e : edits)
            if (e->echoMode() == QLineEdit::Password)
                token = e;
        QVERIFY(token);
        QTest::keyClicks(token, u"typed-secret-42"_s);
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.options().token, QByteArray("typed-secret-42"));
        QCOMPARE(dialog.options().endpoint.port, quint16(9500));
        settings.sync();
        QFile f(dir.path() + u"/s.ini"_s);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray saved = f.readAll();
        QVERIFY(saved.contains("node-7:9500"));
        QVERIFY(!saved.contains("typed-secret"));

        AttachDialog again(nullptr, &settings); // the recent node is offered
        QCOMPARE(again.findChild<QComboBox *>()->itemText(0), u"node-7:9500"_s);

        AttachDialog bad(nullptr, &settings);
        bad.setAddress(u"node:99999"_s);
        bad.accept();
        QVERIFY(bad.result() != int(QDialog::Accepted));
    }

    void statusRowDetaches()
    {
        QTemporaryDir dir;
        AgentClient client(agentReadingRecordedKmsg(dir));
        NodeStatusWidget widget;
        widget.addClient(&client);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        client.start();
        QTableWidget *table = widget.table();
        QCOMPARE(widget.nodeCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(table->item(0, NodeStatusWidget::StateColumn)->text(), u"live"_s, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!table->item(0, NodeStatusWidget::HostColumn)->text().startsWith(u'('),
                                 5000);
        qRegisterMetaType<AgentClient *>();
        QSignalSpy detached(&widget, &NodeStatusWidget::detached);
        auto *button = qobject_cast<QPushButton *>(table->cellWidget(0, NodeStatusWidget::DetachColumn));
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(detached.count(), 1);
        QCOMPARE(client.state(), AgentClient::State::Detached);
        QCOMPARE(table->item(0, NodeStatusWidget::StateColumn)->text(), u"detached"_s);
        QVERIFY(!button->isEnabled());
    }

    // File > Attach to Node… end to end: the OOM report the agent reads from its kernel log
    // arrives in the window's events list, and the node shows in the status dock.
    void windowRecordsAttachedNode()
    {
        QTemporaryDir dir;
        const AgentConnectOptions o = agentReadingRecordedKmsg(dir);
        MainWindow window(dir.filePath(u"w.sqlite"_s));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.eventModel()->rowCount(), 0);
        AgentClient *client = window.attachNode(o);
        QVERIFY(client);
        QVERIFY(window.nodeStatus());
        QCOMPARE(window.nodeStatus()->nodeCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(window.eventModel()->rowCount(), 1, 15000);
        QCOMPARE(window.eventModel()->events().front().victimPid, 10100);
        window.close(); // detaches, stores what was received and joins the recorder
    }

    // An attached node's early warning reaches the window like a local one: a warning marker on
    // the chart of that node's cgroup, and a desktop notification (sent; this test has no
    // notification server to receive it, so delivered or failed both prove it was sent).
    void windowMarksAttachedNodeWarnings()
    {
        QTemporaryDir dir;
        const QString report = u"/batch.slice/report.service"_s;
        QVERIFY(testsupport::copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1"),
                                             dir.path() + u"/cg"_s));
        QVERIFY(testsupport::copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"),
                                             dir.path() + u"/proc"_s));
        QVERIFY(testsupport::writeFileAtomically(dir.path() + u"/kmsg"_s, QByteArray()));
        constexpr std::int64_t kMiB = 1024 * 1024;
        testsupport::FixtureLeak leak(dir.path() + u"/cg/memory"_s + report, 10 * kMiB, kMiB, 95 * kMiB);
        QVERIFY(leak.start());
        AgentConnectOptions o;
        o.endpoint = *AgentEndpoint::parse(u"exec:"_s + QStringLiteral(OOMSCOPE_AGENT_BINARY));
        o.agentArguments = {u"--cgroup-root"_s, dir.path() + u"/cg"_s,
                            u"--proc-root"_s,   dir.path() + u"/proc"_s,
                            u"--kmsg"_s,        dir.path() + u"/kmsg"_s,
                            u"--interval"_s,    u"100ms"_s,
                            u"--cgroup"_s,      report,
                            u"--processes"_s};
        o.batchIntervalMs = 100;

        MainWindow window(dir.filePath(u"w.sqlite"_s));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        AgentClient *client = window.attachNode(o);
        QVERIFY(client);
        auto *notifier = window.findChild<DesktopNotifier *>();
        QVERIFY(notifier);
        QSignalSpy delivered(notifier, &DesktopNotifier::delivered);
        QSignalSpy failed(notifier, &DesktopNotifier::failed);
        QSignalSpy warnings(client, &AgentClient::warningReceived);
        QTRY_VERIFY_WITH_TIMEOUT(!warnings.isEmpty(), 15000);
        const QString host = client->status().hostname;
        QTRY_VERIFY_WITH_TIMEOUT(delivered.count() + failed.count() >= 1, 5000);

        // The marker finds its series once the feed's samples are in the tree (a reload).
        SamplesView *view = window.samplesView();
        QTRY_VERIFY_WITH_TIMEOUT(view->treeModel()->seriesOf(host, report) != 0, 10000);
        const qint64 series = view->treeModel()->seriesOf(host, report);
        QTRY_VERIFY_WITH_TIMEOUT(
            !view->warningMarkers().empty() && view->warningMarkers().front().seriesId == series, 5000);
        const ChartMarker marker = view->warningMarkers().front();
        QVERIFY2(marker.warning.startsWith(report + u" on "_s + host + u": "_s), qPrintable(marker.warning));
        QVERIFY2(marker.warning.contains(u"report-gen (pid 3002)"_s), qPrintable(marker.warning));
        // Drawn: the series is checked and the chart holds the warning marker.
        const std::vector<qint64> checked = view->treeModel()->checkedSeries();
        QCOMPARE(std::count(checked.begin(), checked.end(), series), 1);
        const std::vector<ChartMarker> drawn = view->chart()->markers();
        QVERIFY(std::any_of(drawn.begin(), drawn.end(), [&](const ChartMarker &m) {
            return m.seriesId == series && m.warning == marker.warning;
        }));
        // Looking at it: OOMSCOPE_SCREENSHOT_DIR=dir saves the window as a user would see it.
        if (const QString shots = qEnvironmentVariable("OOMSCOPE_SCREENSHOT_DIR"); !shots.isEmpty()) {
            QTest::qWait(4500); // past the next reload of the attached feed (every 2 s)
            window.grab().save(shots + u"/attached-warning.png"_s);
        }
        leak.stop();
        window.close();
    }

    // An attached node's samples reach the chart as they are stored: the line follows the
    // newest sample in the narrow view a person zoomed to — which stays, where a reload of the
    // window every two seconds used to fit it to all the data — and the tree counts them.
    void windowChartFollowsAttachedNode()
    {
        QTemporaryDir dir;
        const QString report = u"/batch.slice/report.service"_s;
        QVERIFY(testsupport::copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1"),
                                             dir.path() + u"/cg"_s));
        QVERIFY(testsupport::copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"),
                                             dir.path() + u"/proc"_s));
        QVERIFY(testsupport::writeFileAtomically(dir.path() + u"/kmsg"_s, QByteArray()));
        AgentConnectOptions o;
        o.endpoint = *AgentEndpoint::parse(u"exec:"_s + QStringLiteral(OOMSCOPE_AGENT_BINARY));
        o.agentArguments = {u"--cgroup-root"_s, dir.path() + u"/cg"_s,
                            u"--proc-root"_s,   dir.path() + u"/proc"_s,
                            u"--kmsg"_s,        dir.path() + u"/kmsg"_s,
                            u"--interval"_s,    u"100ms"_s,
                            u"--cgroup"_s,      report};
        o.batchIntervalMs = 100;

        MainWindow window(dir.filePath(u"w.sqlite"_s));
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        AgentClient *client = window.attachNode(o);
        QVERIFY(client);
        SamplesView *view = window.samplesView();
        QTRY_VERIFY_WITH_TIMEOUT(!client->status().hostname.isEmpty(), 10000);
        const QString host = client->status().hostname;
        QTRY_VERIFY_WITH_TIMEOUT(view->treeModel()->seriesOf(host, report) != 0, 10000);
        const qint64 series = view->treeModel()->seriesOf(host, report);
        view->treeModel()->setSeriesChecked(series, true); // the only series: checked already
        GrowthChart *chart = view->chart();
        QTRY_VERIFY_WITH_TIMEOUT(chart->usageGraph(series) && chart->usageGraph(series)->dataCount() > 0,
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(chart->dataRangeMs().second - chart->dataRangeMs().first >= 3000, 10000);

        // The newest 2 s, then 3 s more of samples.
        const double lastSeconds = double(chart->dataRangeMs().second) / 1000.0;
        chart->plot()->xAxis->setRange(lastSeconds - 2.0, lastSeconds + 0.2);
        const qint64 countBefore = view->treeModel()->seriesInfo(series)->count;
        QTest::qWait(3000);
        const QCPRange range = chart->plot()->xAxis->range();
        QVERIFY2(std::abs(range.size() - 2.2) < 0.01, qPrintable(QString::number(range.size())));
        const double newest = double(chart->dataRangeMs().second) / 1000.0;
        QVERIFY(newest >= lastSeconds + 2.0);
        QVERIFY(range.upper >= newest);
        QTRY_COMPARE((chart->usageGraph(series)->data()->constEnd() - 1)->key,
                     double(chart->dataRangeMs().second) / 1000.0);
        QTRY_VERIFY(view->treeModel()->seriesInfo(series)->count >= countBefore + 20);
        window.close();
    }

    void rowGoesWithItsClient()
    {
        NodeStatusWidget widget;
        auto *client = new AgentClient(AgentConnectOptions {});
        widget.addClient(client);
        QCOMPARE(widget.nodeCount(), 1);
        QCOMPARE(NodeStatusWidget::stateText(*client), u"idle"_s);
        delete client;
        QCOMPARE(widget.nodeCount(), 0);
    }
};

QTEST_MAIN(TestRemoteGui)
#include "tst_remote_gui.moc"
