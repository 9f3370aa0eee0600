// SPDX-License-Identifier: GPL-3.0-or-later
// The oomscope main window: the events of a workspace on top; below, the memory timeline of the
// recorded series (growth chart), the selected event's kill decision and its raw report; imports
// run in the background with progress and cancel.
#pragma once

#include "importjob.h"
#include "wayin.h"
#include "workspace.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSortFilterProxyModel;
class QCheckBox;
class QTableView;
class QTableWidget;
class QTabWidget;
class QToolButton;
class QDockWidget;

namespace oomscope {

class AgentClient;
class DesktopNotifier;
struct AgentConnectOptions;
class FeedRecorderThread;
class NodeStatusWidget;

class DecisionView;
class EventListModel;
class EventSortProxy;
class MemoryView;
class LiveSession;
struct LiveSessionConfig;
class DeathsView;
class RawReportView;
class SamplesView;

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
    // Imports a recording (samples, procs, its kernel logs) and places the logs' events on it.
    void importRecording(const RecordingImportRequest &request);
    void cancelImport();
    bool isImporting() const;

    // Saves a grab of the window once imports are done and the eventRow-th (1-based) event of
    // the list is shown, then quits the application (for docs and CI).
    // tab: a DetailTab, or -1: the Timeline when the workspace has samples, else the Decision.
    // With the Timeline and no explicit eventRow (0), the first event placed on the chart is shown.
    enum DetailTab { DecisionTab = 0, RawReportTab = 1, TimelineTab = 2, MemoryTab = 3, DeathsTab = 4 };
    void requestScreenshot(const QString &path, int eventRow = 2, int tab = 0);
    void showDetailTab(DetailTab tab);
    DetailTab currentDetailTab() const;
    // Selects the event in the events list (clearing a filter that hides it) and shows its decision.
    void activateEvent(qint64 eventId);

    qint64 currentEventId() const { return m_currentEventId; }
    QTableView *eventView() const { return m_eventView; }
    EventListModel *eventModel() const { return m_eventModel; }
    QSortFilterProxyModel *eventProxy() const;
    QCheckBox *groupByIncidentBox() const { return m_groupByIncident; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    DecisionView *decisionView() const { return m_decisionView; }
    RawReportView *rawReportView() const { return m_rawView; }
    MemoryView *memoryView() const { return m_memoryView; }
    DeathsView *deathsView() const { return m_deathsView; }
    QTableWidget *warningsTable() const { return m_warningsTable; }
    SamplesView *samplesView() const { return m_samplesView; }
    QProgressBar *importProgressBar() const { return m_progressBar; }
    QToolButton *cancelImportButton() const { return m_cancelButton; }
    QStringList recentFiles() const;

    // Live sampling (File > Watch cgroups…): one session at a time, stored in this workspace.
    bool startLiveSession(const LiveSessionConfig &config);
    void stopLiveSession(); // joins the session's threads after storing its last batch
    LiveSession *liveSession() const { return m_liveSession.get(); }
    // Attaches to a node's agent feed, recording into this workspace (File > Attach to Node…).
    AgentClient *attachNode(const AgentConnectOptions &options);
    NodeStatusWidget *nodeStatus() const { return m_nodes; }

Q_SIGNALS:
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
    static std::pair<int, qint64> eventsAddedByImport(const std::vector<FileImportOutcome> &outcomes);
    void onImportFinished();
    void reloadEvents(qint64 selectEventId = 0);
    void loadEvent(qint64 eventId);
    void onCurrentRowChanged();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void showWarnings(const std::vector<std::pair<QString, ParseWarning>> &warnings);
    void showAbout();
    void openFileDialog();
    void openRecordingDialog();
    void openWorkspaceDialog();
    void takeScreenshot();
    void saveScreenshot();
    void openWatchDialog();
    void openAttachDialog(); // attach to a remote node's oomscope-agent feed
    void runWayIn(WayIn way); // a link of an empty view: the File menu action it names
    void createLiveControls();
    // The window's one DesktopNotifier (early warnings of the live session and attached nodes).
    DesktopNotifier *desktopNotifier();
    void updateLiveControls();
    bool startFeedRecorder();

    QString m_workspacePath;
    std::unique_ptr<Workspace> m_workspace; // GUI-thread read connection
    EventListModel *m_eventModel = nullptr;
    EventSortProxy *m_eventProxy = nullptr;
    QCheckBox *m_groupByIncident = nullptr;
    QTableView *m_eventView = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QLabel *m_eventsCaption = nullptr;
    QTabWidget *m_tabs = nullptr;
    DecisionView *m_decisionView = nullptr;
    RawReportView *m_rawView = nullptr;
    MemoryView *m_memoryView = nullptr;
    DeathsView *m_deathsView = nullptr;
    SamplesView *m_samplesView = nullptr;
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
    std::vector<RecordingImportRequest> m_runningRecordings;
    std::vector<RecordingImportRequest> m_pendingRecordings;
    qint64 m_currentEventId = 0;

    QString m_screenshotPath;
    int m_screenshotEventRow = 2;
    int m_screenshotTab = 0;
    int m_screenshotWaits = 0;

    std::unique_ptr<LiveSession> m_liveSession;
    // Remote nodes: one recorder thread (its own workspace connection) for every attached client.
    std::unique_ptr<FeedRecorderThread> m_feedRecorder;
    NodeStatusWidget *m_nodes = nullptr;
    QDockWidget *m_nodesDock = nullptr;
    QTimer *m_feedReloadTimer = nullptr; // coalesces view reloads when feeds bring new series or pods
    QLabel *m_liveLabel = nullptr;
    QToolButton *m_livePauseButton = nullptr;
    QToolButton *m_liveStopButton = nullptr;
};

// What the command line asked for: `oomscope [--db W.sqlite] [--screenshot F.png]
// [--samples S.csv [--procs P.csv] [--host NAME]] [FILE…]`. With --samples the FILEs are the
// recording's kernel logs: imported as usual, and their events placed on the samples' timeline.
struct CommandLineOptions {
    QString workspacePath;
    QStringList files; // kernel logs without a recording
    std::optional<RecordingImportRequest> recording;
    QString screenshotPath;
    int screenshotEventRow = 2;
    bool screenshotEventGiven = false;
    int screenshotTab = -1; // MainWindow::DetailTab, -1: Timeline when there are samples
};
// Parses arguments (argv[0] first) with QCommandLineParser; exits on --help/--version.
CommandLineOptions parseCommandLine(const QStringList &arguments);

} // namespace oomscope
