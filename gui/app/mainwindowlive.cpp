// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: live data into the workspace. A live session samples this machine's cgroups
// (File > Watch cgroups…); attached nodes stream their agent's feed (File > Attach to Node…).
// Both store from their own threads; the window only reloads what changed.
#include "agentclient.h"
#include "attachdialog.h"
#include "desktopnotifier.h"
#include "feedrecorder.h"
#include "livesession.h"
#include "mainwindow.h"
#include "nodestatuswidget.h"
#include "samplesview.h"
#include "seriestreemodel.h"
#include "watchdialog.h"

#include <QDockWidget>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace oomscope {

void MainWindow::openWatchDialog()
{
    if (m_liveSession && m_liveSession->isRunning()) {
        statusBar()->showMessage(tr("A live session is running: stop it before watching other cgroups"),
                                 5000);
        return;
    }
    WatchDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    startLiveSession(dialog.sessionConfig());
}

bool MainWindow::startLiveSession(const LiveSessionConfig &config)
{
    if (!m_workspace || config.paths.isEmpty())
        return false;
    stopLiveSession();
    m_liveSession = std::make_unique<LiveSession>(config, m_workspacePath);
    LiveSession *session = m_liveSession.get();
    m_samplesView->followLiveSession(session);
    // Structural changes only (a new series, a stored kill): rare, and what the tree and the
    // events list show. The samples themselves reach the chart without touching the workspace.
    connect(session, &LiveSession::seriesAdded, this, [this](const QStringList &, const QList<qint64> &ids) {
        reloadEvents();
        for (qint64 id : ids)
            m_samplesView->treeModel()->setSeriesChecked(id, true);
        showDetailTab(TimelineTab);
    });
    connect(session, &LiveSession::oomEventStored, this, [this](qint64, qint64, qint64) { reloadEvents(); });
    connect(session, &LiveSession::statusMessage, this,
            [this](const QString &message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); });
    connect(session, &LiveSession::stateChanged, this, &MainWindow::updateLiveControls);
    // Early warnings also go to the desktop: the window may be hidden when a kill nears.
    DesktopNotifier *notifier = desktopNotifier();
    connect(session, &LiveSession::earlyWarning, notifier,
            [notifier](const EarlyWarning &warning, qint64) { notifier->notifyWarning(warning); });
    createLiveControls();
    session->start();
    updateLiveControls();
    return true;
}

DesktopNotifier *MainWindow::desktopNotifier()
{
    auto *notifier = findChild<DesktopNotifier *>(QString(), Qt::FindDirectChildrenOnly);
    return notifier ? notifier : new DesktopNotifier(this);
}

// The status bar's live label, Pause/Resume and Stop, made with the first session.
void MainWindow::createLiveControls()
{
    if (m_liveLabel)
        return;
    m_liveLabel = new QLabel;
    m_liveLabel->setObjectName(u"liveLabel"_s);
    statusBar()->addPermanentWidget(m_liveLabel);
    m_livePauseButton = new QToolButton;
    m_livePauseButton->setObjectName(u"livePauseButton"_s);
    m_livePauseButton->setAutoRaise(true);
    connect(m_livePauseButton, &QToolButton::clicked, this, [this] {
        if (!m_liveSession)
            return;
        if (m_liveSession->isPaused())
            m_liveSession->resume();
        else
            m_liveSession->pause();
    });
    statusBar()->addPermanentWidget(m_livePauseButton);
    m_liveStopButton = new QToolButton;
    m_liveStopButton->setObjectName(u"liveStopButton"_s);
    m_liveStopButton->setAutoRaise(true);
    m_liveStopButton->setText(tr("Stop"));
    m_liveStopButton->setToolTip(tr("Stop sampling; what was sampled stays in the workspace"));
    connect(m_liveStopButton, &QToolButton::clicked, this, &MainWindow::stopLiveSession);
    statusBar()->addPermanentWidget(m_liveStopButton);
}

void MainWindow::stopLiveSession()
{
    if (!m_liveSession)
        return;
    m_liveSession->stop();
    updateLiveControls();
}

void MainWindow::updateLiveControls()
{
    if (!m_liveLabel)
        return;
    const bool running = m_liveSession && m_liveSession->isRunning();
    m_liveLabel->setVisible(m_liveSession != nullptr);
    m_liveLabel->setText(m_liveSession ? m_liveSession->summary() : QString());
    m_liveLabel->setToolTip(m_liveSession ? m_liveSession->notes().join(u'\n') : QString());
    m_livePauseButton->setVisible(running);
    m_livePauseButton->setText(running && m_liveSession->isPaused() ? tr("Resume") : tr("Pause"));
    m_liveStopButton->setVisible(running);
}

void MainWindow::openAttachDialog()
{
    AttachDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        attachNode(dialog.options());
}

// The recorder thread all attached nodes store through, started with the first node.
bool MainWindow::startFeedRecorder()
{
    if (m_feedRecorder)
        return true;
    auto recorder = std::make_unique<FeedRecorderThread>();
    if (const Result<void> started = recorder->start(m_workspacePath); !started) {
        QMessageBox::warning(this, tr("Attach to node"),
                             tr("Cannot record into the workspace: %1").arg(started.error().message));
        return false;
    }
    m_feedRecorder = std::move(recorder);
    m_feedReloadTimer = new QTimer(this);
    m_feedReloadTimer->setSingleShot(true);
    m_feedReloadTimer->setInterval(2000);
    connect(m_feedReloadTimer, &QTimer::timeout, this, [this] { reloadEvents(m_currentEventId); });
    connect(m_feedRecorder->recorder(), &FeedRecorder::batchStored, this,
            [this](const FeedStoreReport &report) {
                if (!report.ok)
                    statusBar()->showMessage(tr("%1: %2").arg(report.node, report.error), 10000);
                // The samples go to the chart and the tree's counts as they are; only what
                // changes the window's structure reloads it (on the GUI thread, from SQL).
                const bool knownSeries = !report.samples || m_samplesView->addStoredSamples(report.samples);
                if (report.eventsStored > 0)
                    reloadEvents(); // a kill: show it now
                // A new series, or the node's pods (podsStored is -1 when the batch had none).
                else if ((!knownSeries || report.podsStored >= 0) && !m_feedReloadTimer->isActive())
                    m_feedReloadTimer->start();
            });
    return true;
}

AgentClient *MainWindow::attachNode(const AgentConnectOptions &options)
{
    if (!startFeedRecorder())
        return nullptr;
    if (!m_nodes) {
        m_nodes = new NodeStatusWidget(this);
        m_nodesDock = new QDockWidget(tr("Attached nodes"), this);
        m_nodesDock->setObjectName(u"nodesDock"_s);
        m_nodesDock->setWidget(m_nodes);
        addDockWidget(Qt::BottomDockWidgetArea, m_nodesDock);
        connect(m_nodes, &NodeStatusWidget::detached, this,
                [](AgentClient *client) { client->deleteLater(); });
    }
    auto *client = new AgentClient(options, this);
    client->setRecorder(m_feedRecorder->recorder());
    // The node's early warnings, like a live session's: a marker on its cgroup's chart (the
    // series of the node's hostname), the status bar and the desktop, each naming the node.
    DesktopNotifier *notifier = desktopNotifier();
    connect(client, &AgentClient::warningReceived, this, [this, notifier](const EarlyWarning &warning) {
        m_samplesView->addWarning(warning, 0, warning.node);
        statusBar()->showMessage(earlyWarningText(warning), 30000);
        notifier->notifyWarning(warning);
    });
    m_nodes->addClient(client);
    m_nodesDock->show();
    client->start();
    return client;
}

} // namespace oomscope
