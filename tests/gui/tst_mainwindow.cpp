// SPDX-License-Identifier: GPL-3.0-or-later
// The main window driven as a person would: import a real kernel log through the command-line
// path, click an event, read the decision through the models; cancel a long import.
#include "badnesschart.h"
#include "decisionview.h"
#include "eventlistmodel.h"
#include "growthchart.h"
#include "mainwindow.h"
#include "rawreportview.h"
#include "samplesview.h"
#include "taskrankingmodel.h"
#include "wayin.h"

#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString fixtureLog =
    QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
const QString fixtureExpected =
    QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.expected.json"_s;

QJsonArray expectedEvents()
{
    QFile file(fixtureExpected);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(u"events"_s).toArray();
}

struct App {
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<QSignalSpy> finished; // importFinished, watched before any import starts
};

// Builds the window exactly as main() does from a command line.
App startApp(const QStringList &arguments)
{
    const CommandLineOptions options = parseCommandLine(QStringList {u"oomscope"_s} + arguments);
    App app;
    app.window = std::make_unique<MainWindow>(options.workspacePath);
    app.finished = std::make_unique<QSignalSpy>(app.window.get(), &MainWindow::importFinished);
    app.window->show();
    if (!options.files.isEmpty())
        app.window->importFiles(options.files);
    return app;
}

void clickRow(QTableView *view, int row)
{
    const QModelIndex index = view->model()->index(row, EventListModel::VictimColumn);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void importFromCommandLineAndExplainSecondKill();
    void cancelLeavesEventListUnchanged();
    void dropTruncatedLogShowsWarnings();
    void commandLineOptions();
    void emptyWorkspaceOffersWaysIn();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // recent files go to a test QSettings
    QVERIFY2(QFile::exists(fixtureLog), qPrintable(fixtureLog));
    QCOMPARE(expectedEvents().size(), 3);
}

void TestMainWindow::importFromCommandLineAndExplainSecondKill()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString workspacePath = dir.filePath(u"ws.sqlite"_s);
    App app = startApp({u"--db"_s, workspacePath, fixtureLog});
    MainWindow *window = app.window.get();
    QSignalSpy &finished = *app.finished;
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(1).toBool(), false); // not canceled

    const QJsonArray expected = expectedEvents();
    QCOMPARE(finished.at(0).at(0).toInt(), int(expected.size()));
    QTableView *view = window->eventView();
    QCOMPARE(view->model()->rowCount(), int(expected.size()));
    QVERIFY(window->recentFiles().contains(QFileInfo(fixtureLog).absoluteFilePath()));

    // The first new event is selected after the import.
    QCOMPARE(window->currentEventId(),
             view->model()->index(0, 0).data(EventListModel::EventIdRole).toLongLong());

    // Click the second event, as a person would.
    const qint64 secondId = view->model()->index(1, 0).data(EventListModel::EventIdRole).toLongLong();
    QVERIFY(secondId != window->currentEventId());
    clickRow(view, 1);
    QTRY_COMPARE(window->currentEventId(), secondId);

    const QJsonObject second = expected.at(1).toObject();
    const qint64 victimPid = second.value(u"victim_pid"_s).toInteger();
    QCOMPARE(victimPid, 2378);
    QCOMPARE(view->model()->index(1, EventListModel::VictimColumn).data().toString(),
             second.value(u"victim_comm"_s).toString() + u" ("_s + QString::number(victimPid) + u')');
    QCOMPARE(view->model()->index(1, EventListModel::CgroupColumn).data().toString(),
             second.value(u"memcg"_s).toString());

    // The ranking shown (sorted by rank) matches the kernel-era recomputation of the fixture.
    DecisionView *decision = window->decisionView();
    QAbstractItemModel *tasks = decision->taskView()->model();
    const QJsonArray ranking = second.value(u"ranking"_s).toArray();
    QCOMPARE(tasks->rowCount(), int(ranking.size()));
    for (int row = 0; row < ranking.size(); ++row) {
        const QJsonObject entry = ranking.at(row).toObject();
        QCOMPARE(tasks->index(row, TaskRankingModel::PidColumn).data().toLongLong(),
                 entry.value(u"pid"_s).toInteger());
        QCOMPARE(
            tasks->index(row, TaskRankingModel::PointsColumn).data(TaskRankingModel::SortRole).toLongLong(),
            entry.value(u"points"_s).toInteger());
    }

    // The victim is ranked first and highlighted; the others are not.
    const QModelIndex victimName = tasks->index(0, TaskRankingModel::NameColumn);
    QCOMPARE(tasks->index(0, TaskRankingModel::PidColumn).data().toLongLong(), victimPid);
    QVERIFY(victimName.data(TaskRankingModel::IsVictimRole).toBool());
    QVERIFY(victimName.data(TaskRankingModel::IsKernelSelectedRole).toBool());
    QVERIFY(victimName.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(victimName.data(Qt::BackgroundRole).isValid());
    for (int row = 1; row < tasks->rowCount(); ++row) {
        const QModelIndex other = tasks->index(row, TaskRankingModel::NameColumn);
        QVERIFY(!other.data(TaskRankingModel::IsVictimRole).toBool());
        QVERIFY(!other.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(other.data(Qt::BackgroundRole) != victimName.data(Qt::BackgroundRole));
    }

    // The chart shows every candidate, victim at the top; the raw pane shows the kill line.
    QCOMPARE(decision->chart()->shownPids().value(0), victimPid);
    QCOMPARE(decision->chart()->taskCount(), int(ranking.size()));
    QVERIFY(window->rawReportView()->toPlainText().contains(u"Killed process 2378 (python3)"_s));

    // Filtering by the victim's pid leaves only its event.
    QTest::keyClicks(window->filterEdit(), u"2378"_s);
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, 0).data(EventListModel::EventIdRole).toLongLong(), secondId);
    window->filterEdit()->clear();
    QCOMPARE(view->model()->rowCount(), int(expected.size()));

    // Importing the same bytes again adds nothing.
    finished.clear();
    window->importFiles({fixtureLog});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toInt(), 0);
    QCOMPARE(view->model()->rowCount(), int(expected.size()));
}

void TestMainWindow::cancelLeavesEventListUnchanged()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString workspacePath = dir.filePath(u"ws.sqlite"_s);

    // A big log: the real fixture many times over (~70 MiB), so the import takes long enough
    // to be canceled midway.
    QFile fixture(fixtureLog);
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    const QByteArray chunk = fixture.readAll();
    const QString bigPath = dir.filePath(u"big.dmesg.log"_s);
    {
        QFile big(bigPath);
        QVERIFY(big.open(QIODevice::WriteOnly));
        for (int i = 0; i < 2000; ++i)
            QVERIFY(big.write(chunk) == chunk.size());
    }

    App app = startApp({u"--db"_s, workspacePath, fixtureLog});
    MainWindow *window = app.window.get();
    QSignalSpy &finished = *app.finished;
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QTableView *view = window->eventView();
    const int rowsBefore = view->model()->rowCount();
    QCOMPARE(rowsBefore, 3);
    const qint64 selectedBefore = window->currentEventId();

    finished.clear();
    window->importFiles({bigPath});
    QVERIFY(window->isImporting());
    QVERIFY(window->cancelImportButton()->isVisible());
    // Wait until the job has really started reading, then cancel as a person would.
    QTRY_VERIFY_WITH_TIMEOUT(window->importProgressBar()->value() > 0, 60000);
    QVERIFY2(finished.isEmpty(), "import finished before it could be canceled; make the file bigger");
    QTest::mouseClick(window->cancelImportButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QCOMPARE(finished.at(0).at(0).toInt(), 0);
    QVERIFY(!window->isImporting());
    QVERIFY(!window->importProgressBar()->isVisible());

    QCOMPARE(view->model()->rowCount(), rowsBefore);
    QCOMPARE(window->currentEventId(), selectedBefore);
    // And the file itself: a fresh connection sees the same events.
    Workspace check;
    QVERIFY(check.open(workspacePath));
    QCOMPARE(int(check.events().size()), rowsBefore);
}

void TestMainWindow::dropTruncatedLogShowsWarnings()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // The log cut in the middle of the second report's task table (line 480 of 584).
    QFile fixture(fixtureLog);
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = fixture.readAll().split('\n');
    const QString cutPath = dir.filePath(u"cut.dmesg.log"_s);
    {
        QFile cut(cutPath);
        QVERIFY(cut.open(QIODevice::WriteOnly));
        for (int i = 0; i < 480; ++i)
            cut.write(lines.at(i) + '\n');
    }

    App app = startApp({u"--db"_s, dir.filePath(u"ws.sqlite"_s)});
    MainWindow *window = app.window.get();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QCOMPARE(window->eventView()->model()->rowCount(), 0);

    // Drop the file on the window, as a file manager would.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(cutPath)});
    const QPoint center = window->rect().center();
    QDragEnterEvent enter(center, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(center), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window, &drop);
    QTRY_COMPARE_WITH_TIMEOUT(app.finished->count(), 1, 60000);

    // The complete first report is there; the cut one is either kept as partial or dropped,
    // and either way the import says why in the warnings.
    QAbstractItemModel *events = window->eventView()->model();
    QVERIFY(events->rowCount() >= 1);
    QCOMPARE(events->index(0, EventListModel::VictimColumn).data().toString(), u"python3 (2298)"_s);
    QCOMPARE(events->index(0, EventListModel::CompleteColumn).data().toString(), u"✓"_s);
    if (events->rowCount() == 2)
        QCOMPARE(events->index(1, EventListModel::CompleteColumn).data().toString(), u"partial"_s);
    QVERIFY(window->warningsTable()->rowCount() >= 1);
    QCOMPARE(window->warningsTable()->item(0, 0)->text(), u"cut.dmesg.log"_s);
}

void TestMainWindow::commandLineOptions()
{
    const CommandLineOptions options =
        parseCommandLine({u"oomscope"_s, u"--db"_s, u"/tmp/x.sqlite"_s, u"--screenshot"_s, u"s.png"_s,
                          u"a.log"_s, u"b.log.gz"_s});
    QCOMPARE(options.workspacePath, u"/tmp/x.sqlite"_s);
    QCOMPARE(options.screenshotPath, u"s.png"_s);
    QCOMPARE(options.screenshotEventRow, 2);
    QCOMPARE(options.files, QStringList({u"a.log"_s, u"b.log.gz"_s}));
    QVERIFY(parseCommandLine({u"oomscope"_s}).workspacePath.isEmpty());
}

namespace {

// Emits the label's link as a click would and returns the title of the modal dialog that opens
// (closed again at once), or an empty string when none opened within two seconds.
QString dialogOpenedBy(QLabel *label, WayIn way)
{
    QString title;
    QTimer closer;
    closer.setInterval(20);
    QObject::connect(&closer, &QTimer::timeout, [&title] {
        if (auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget())) {
            title = dialog->windowTitle();
            dialog->reject();
        }
    });
    closer.start();
    Q_EMIT label->linkActivated(wayInLink(way));
    // A dialog run with exec() was closed inside that call; one opened with open() is closed here.
    for (int i = 0; i < 100 && title.isEmpty(); ++i)
        QTest::qWait(20);
    return title;
}

} // namespace

// A first start on an empty workspace: no empty axes (they spanned 1970) but the ways in, each a
// link that opens what its File menu item opens.
void TestMainWindow::emptyWorkspaceOffersWaysIn()
{
    QTemporaryDir dir;
    App app = startApp({u"--db"_s, dir.filePath(u"ws.sqlite"_s)});
    QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
    auto *samples = app.window->findChild<SamplesView *>(u"samplesView"_s);
    QVERIFY(samples);
    auto *nothing = samples->findChild<QLabel *>(u"nothingToChart"_s);
    QVERIFY(nothing);
    QVERIFY(nothing->isVisibleTo(samples));
    QVERIFY(!samples->chart()->isVisibleTo(samples));
    for (const WayIn way :
         {WayIn::ImportRecording, WayIn::WatchCgroups, WayIn::AttachToNode, WayIn::OpenLogs})
        QVERIFY2(nothing->text().contains(u"href=\""_s + wayInLink(way) + u'"'), qPrintable(nothing->text()));
    QCOMPARE(dialogOpenedBy(nothing, WayIn::WatchCgroups), u"Watch cgroups"_s);
    QCOMPARE(dialogOpenedBy(nothing, WayIn::AttachToNode), u"Attach to a node"_s);
    QCOMPARE(dialogOpenedBy(nothing, WayIn::ImportRecording), u"Import Recording"_s);

    // The Decision tab's list of ways in is linked the same way.
    auto *decision = app.window->findChild<DecisionView *>();
    QVERIFY(decision);
    QLabel *ways = nullptr;
    for (QLabel *label : decision->findChildren<QLabel *>()) {
        if (label->text().contains(wayInLink(WayIn::OpenLogs)))
            ways = label;
    }
    QVERIFY(ways);
    QCOMPARE(dialogOpenedBy(ways, WayIn::WatchCgroups), u"Watch cgroups"_s);
    QVERIFY(!dialogOpenedBy(ways, WayIn::OpenLogs).isEmpty()); // the file dialog
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
