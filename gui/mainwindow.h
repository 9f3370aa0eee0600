// SPDX-License-Identifier: GPL-3.0-or-later
// The oomscope main window: the events of a workspace on top, the selected event's kill decision
// and raw report below; imports run in the background with progress and cancel.
#pragma once

#include "importjob.h"
#include "workspace.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QStringList>

#include <memory>

class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;
class QTabWidget;
class QToolButton;
class QDockWidget;

namespace oomscope {

class DecisionView;
class EventListModel;
class RawReportView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // An empty workspacePath opens Workspace::defaultPath().
    explicit MainWindow(const QString &workspacePath = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    bool openWorkspace(const QString &path);
    QString workspacePath() const { return m_workspacePath; }

    // The one import path used by the command line, File > Open, Open Recent and drops. Files
    // given while an import runs are queued behind it.
    void importFiles(const QStringList &paths);
    void cancelImport();
    bool isImporting() const;

    // Saves a grab of the window once imports are done and the eventRow-th (1-based) event of
    // the list is shown, then quits the application (for docs and CI).
    // tab: 0 Decision, 1 Raw report.
    void requestScreenshot(const QString &path, int eventRow = 2, int tab = 0);

    qint64 currentEventId() const { return m_currentEventId; }
    QTableView *eventView() const { return m_eventView; }
    EventListModel *eventModel() const { return m_eventModel; }
    QSortFilterProxyModel *eventProxy() const { return m_eventProxy; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    DecisionView *decisionView() const { return m_decisionView; }
    RawReportView *rawReportView() const { return m_rawView; }
    QTableWidget *warningsTable() const { return m_warningsTable; }
    QProgressBar *importProgressBar() const { return m_progressBar; }
    QToolButton *cancelImportButton() const { return m_cancelButton; }
    QStringList recentFiles() const;

signals:
    void importStarted();
    // After the events list was reloaded; eventsAdded counts committed events of this job.
    void importFinished(int eventsAdded, bool canceled);
    void currentEventChanged(qint64 eventId);
    void screenshotSaved(const QString &path, bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createCentralWidget();
    void createWarningsDock();
    void createStatusBar();
    void startNextImport();
    void onImportFinished();
    void reloadEvents(qint64 selectEventId = 0);
    void loadEvent(qint64 eventId);
    void onCurrentRowChanged();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void showWarnings(const std::vector<std::pair<QString, ParseWarning>> &warnings);
    void showAbout();
    void openFileDialog();
    void openWorkspaceDialog();
    void takeScreenshot();

    QString m_workspacePath;
    std::unique_ptr<Workspace> m_workspace; // GUI-thread read connection
    EventListModel *m_eventModel = nullptr;
    QSortFilterProxyModel *m_eventProxy = nullptr;
    QTableView *m_eventView = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QLabel *m_eventsCaption = nullptr;
    QTabWidget *m_tabs = nullptr;
    DecisionView *m_decisionView = nullptr;
    RawReportView *m_rawView = nullptr;
    QDockWidget *m_warningsDock = nullptr;
    QTableWidget *m_warningsTable = nullptr;
    QMenu *m_recentMenu = nullptr;
    QProgressBar *m_progressBar = nullptr;
    QToolButton *m_cancelButton = nullptr;
    QToolButton *m_warningsButton = nullptr;
    QLabel *m_workspaceLabel = nullptr;

    QFutureWatcher<FileImportOutcome> *m_importWatcher = nullptr;
    QStringList m_runningFiles;
    QStringList m_pendingFiles;
    std::vector<qint64> m_eventIdsBeforeImport;
    qint64 m_currentEventId = 0;

    QString m_screenshotPath;
    int m_screenshotEventRow = 2;
    int m_screenshotTab = 0;
};

// What the command line asked for: `oomscope [--db W.sqlite] [--screenshot F.png] [FILE…]`.
struct CommandLineOptions {
    QString workspacePath;
    QStringList files;
    QString screenshotPath;
    int screenshotEventRow = 2;
    int screenshotTab = 0; // 0 Decision, 1 Raw report
};
// Parses arguments (argv[0] first) with QCommandLineParser; exits on --help/--version.
CommandLineOptions parseCommandLine(const QStringList &arguments);

} // namespace oomscope
