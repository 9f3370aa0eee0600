// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "agentclient.h"
#include "appsettings.h"
#include "badnesschart.h"
#include "deathsview.h"
#include "decisionview.h"
#include "eventlistmodel.h"
#include "eventsortproxy.h"
#include "feedrecorder.h"
#include "growthchart.h"
#include "importsummary.h"
#include "killdecision.h"
#include "livesession.h"
#include "memoryview.h"
#include "podrows.h"
#include "rawreportview.h"
#include "samplesview.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

MainWindow::MainWindow(const QString &workspacePath, QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(u"oomscope"_s);
    setAcceptDrops(true);

    m_importWatcher = new QFutureWatcher<FileImportOutcome>(this);
    connect(m_importWatcher, &QFutureWatcherBase::finished, this, &MainWindow::onImportFinished);

    createCentralWidget();
    createWarningsDock();
    createStatusBar();
    createActions();

    QSettings settings = appSettings();
    if (!restoreGeometry(settings.value(u"window/geometry"_s).toByteArray()))
        resize(1400, 900);

    openWorkspace(workspacePath.isEmpty() ? Workspace::defaultPath() : workspacePath);
    m_eventView->setFocus(); // arrow keys walk the events; Ctrl+F reaches the filter
}

QSortFilterProxyModel *MainWindow::eventProxy() const
{
    return m_eventProxy;
}

MainWindow::~MainWindow()
{
    if (m_importWatcher->isRunning()) {
        m_importWatcher->cancel();
        m_importWatcher->waitForFinished();
    }
}

void MainWindow::createCentralWidget()
{
    m_eventModel = new EventListModel(this);
    m_eventProxy = new EventSortProxy(this);
    m_eventProxy->setSourceModel(m_eventModel);
    m_eventProxy->setSortRole(EventListModel::SortRole);
    m_eventProxy->setFilterRole(EventListModel::FilterRole);
    m_eventProxy->setFilterKeyColumn(0);
    m_eventProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_eventView = new QTableView;
    m_eventView->setObjectName(u"eventView"_s);
    m_eventView->setModel(m_eventProxy);
    m_eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_eventView->setAlternatingRowColors(true);
    m_eventView->setSortingEnabled(true);
    m_eventView->sortByColumn(EventListModel::TimeColumn, Qt::AscendingOrder);
    m_eventView->setWordWrap(false);
    m_eventView->setTextElideMode(Qt::ElideMiddle); // container ids differ at the end
    m_eventView->verticalHeader()->hide();
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 8);
    m_eventView->horizontalHeader()->setStretchLastSection(false);
    m_eventView->horizontalHeader()->setHighlightSections(false);
    // Cgroup paths (kubepods…) are the long, interesting column; it takes the spare width.
    m_eventView->horizontalHeader()->setSectionResizeMode(EventListModel::CgroupColumn, QHeaderView::Stretch);
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);

    m_filterEdit = new QLineEdit;
    m_filterEdit->setObjectName(u"filterEdit"_s);
    m_filterEdit->setPlaceholderText(tr("Filter by host, cgroup, victim name or pid…"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_eventProxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_eventsCaption = new QLabel;
    QFont captionFont = m_eventsCaption->font();
    captionFont.setBold(true);
    m_eventsCaption->setFont(captionFont);

    m_groupByIncident = new QCheckBox(tr("Group by incident"));
    m_groupByIncident->setObjectName(u"groupByIncident"_s);
    m_groupByIncident->setToolTip(tr("Keep the kills of one cgroup (or of the node) seconds apart together"));
    connect(m_groupByIncident, &QCheckBox::toggled, m_eventProxy, &EventSortProxy::setGroupedByIncident);

    auto *top = new QWidget;
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_eventsCaption);
    filterRow->addStretch(1);
    filterRow->addWidget(m_groupByIncident);
    filterRow->addWidget(m_filterEdit, 2);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(6, 6, 6, 0);
    topLayout->addLayout(filterRow);
    topLayout->addWidget(m_eventView, 1);

    m_decisionView = new DecisionView;
    m_rawView = new RawReportView;
    m_memoryView = new MemoryView;
    m_memoryView->setObjectName(u"memoryView"_s);
    m_samplesView = new SamplesView;
    m_samplesView->setObjectName(u"samplesView"_s);
    connect(m_samplesView, &SamplesView::eventActivated, this, &MainWindow::activateEvent);
    connect(m_samplesView, &SamplesView::wayInRequested, this, &MainWindow::runWayIn);
    connect(m_decisionView, &DecisionView::wayInRequested, this, &MainWindow::runWayIn);
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(u"detailTabs"_s);
    m_tabs->setDocumentMode(true);
    // The timeline comes first: with a recording, memory climbing to the limit is the story;
    // without one, the window opens on the Decision tab (see reloadEvents).
    m_tabs->addTab(m_samplesView, tr("Timeline"));
    m_tabs->addTab(m_decisionView, tr("Decision"));
    m_tabs->addTab(m_memoryView, tr("Memory"));
    m_tabs->addTab(m_rawView, tr("Raw report"));
    m_deathsView = new DeathsView;
    m_deathsView->setObjectName(u"deathsView"_s);
    m_tabs->addTab(m_deathsView, tr("Deaths"));

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 7);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({220, 680});
    setCentralWidget(splitter);
}

void MainWindow::createWarningsDock()
{
    m_warningsTable = new QTableWidget(0, 4);
    m_warningsTable->setObjectName(u"warningsTable"_s);
    m_warningsTable->setHorizontalHeaderLabels({tr("File"), tr("Line"), tr("Kind"), tr("Detail")});
    m_warningsTable->horizontalHeader()->setStretchLastSection(true);
    m_warningsTable->verticalHeader()->hide();
    m_warningsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_warningsTable->setSelectionBehavior(QAbstractItemView::SelectRows);

    m_warningsDock = new QDockWidget(tr("Import warnings"), this);
    m_warningsDock->setObjectName(u"warningsDock"_s);
    m_warningsDock->setWidget(m_warningsTable);
    addDockWidget(Qt::BottomDockWidgetArea, m_warningsDock);
    m_warningsDock->hide();
}

void MainWindow::createStatusBar()
{
    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_workspaceLabel, 1);

    m_warningsButton = new QToolButton;
    m_warningsButton->setAutoRaise(true);
    m_warningsButton->setToolTip(tr("Show the warnings of the last import"));
    m_warningsButton->hide();
    connect(m_warningsButton, &QToolButton::clicked, this, [this] { m_warningsDock->show(); });
    statusBar()->addPermanentWidget(m_warningsButton);

    m_progressBar = new QProgressBar;
    m_progressBar->setRange(0, ImportProgressMax);
    m_progressBar->setMaximumWidth(260);
    m_progressBar->setTextVisible(true);
    m_progressBar->hide();
    statusBar()->addPermanentWidget(m_progressBar);

    m_cancelButton = new QToolButton;
    m_cancelButton->setObjectName(u"cancelImportButton"_s);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop the import; the workspace keeps what it had"));
    m_cancelButton->hide();
    connect(m_cancelButton, &QToolButton::clicked, this, &MainWindow::cancelImport);
    statusBar()->addPermanentWidget(m_cancelButton);

    connect(m_importWatcher, &QFutureWatcherBase::progressValueChanged, m_progressBar,
            &QProgressBar::setValue);
    connect(m_importWatcher, &QFutureWatcherBase::progressTextChanged, this,
            [this](const QString &text) { m_progressBar->setFormat(text + u"  %p%"_s); });
}

bool MainWindow::openWorkspace(const QString &path)
{
    if (isImporting()) {
        statusBar()->showMessage(tr("Wait for the import to finish before switching workspaces"), 5000);
        return false;
    }
    stopLiveSession(); // its samples belong to the workspace it was started in
    const QString dir = QFileInfo(path).absolutePath();
    QDir().mkpath(dir);
    auto workspace = std::make_unique<Workspace>();
    if (const Result<void> opened = workspace->open(path); !opened) {
        const QString message = tr("Cannot open workspace %1: %2").arg(path, opened.error().message);
        statusBar()->showMessage(message);
        if (isVisible())
            QMessageBox::warning(this, u"oomscope"_s, message);
        return false;
    }
    m_workspace = std::move(workspace);
    m_workspacePath = QFileInfo(path).absoluteFilePath();
    m_workspaceLabel->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(m_workspacePath)));
    setWindowTitle(tr("%1 — oomscope").arg(QFileInfo(m_workspacePath).fileName()));
    reloadEvents();
    return true;
}

void MainWindow::reloadEvents(qint64 selectEventId)
{
    const qint64 previous = selectEventId != 0 ? selectEventId : m_currentEventId;
    const bool hadSeries = m_samplesView->hasSeries();
    m_eventModel->setEvents(m_workspace ? m_workspace->events() : std::vector<EventSummary> {},
                            m_workspace ? readPodDirectory(*m_workspace) : PodDirectory {});
    m_samplesView->reload(m_workspace.get(), m_eventModel->events());
    m_deathsView->reload(m_workspace.get());
    // A workspace that gains its first recording opens on its timeline; one without samples
    // has nothing to show there.
    if (m_samplesView->hasSeries() && !hadSeries)
        showDetailTab(TimelineTab);
    else if (!m_samplesView->hasSeries() && currentDetailTab() == TimelineTab)
        showDetailTab(DecisionTab);
    const int count = m_eventModel->rowCount();
    m_eventsCaption->setText(ImportText::eventCount(count, qsizetype(m_eventModel->incidents().size())));
    m_eventView->resizeColumnsToContents();
    for (int column = 0; column < EventListModel::ColumnCount; ++column) {
        m_eventView->setColumnWidth(column, std::min(m_eventView->columnWidth(column) + 12, 360));
    }

    const int sourceRow = m_eventModel->rowOfEvent(previous);
    QModelIndex proxyIndex;
    if (sourceRow >= 0)
        proxyIndex = m_eventProxy->mapFromSource(m_eventModel->index(sourceRow, 0));
    if (!proxyIndex.isValid() && m_eventProxy->rowCount() > 0)
        proxyIndex = m_eventProxy->index(0, 0);
    if (proxyIndex.isValid()) {
        m_eventView->selectionModel()->setCurrentIndex(
            proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_eventView->scrollTo(proxyIndex);
    } else {
        loadEvent(0);
    }
    // The reset may leave the same current row, which emits nothing; load explicitly.
    const QModelIndex current = m_eventView->currentIndex();
    const qint64 currentId = current.isValid() ? current.data(EventListModel::EventIdRole).toLongLong() : 0;
    if (currentId != m_currentEventId)
        loadEvent(currentId);
}

void MainWindow::onCurrentRowChanged()
{
    const QModelIndex current = m_eventView->currentIndex();
    loadEvent(current.isValid() ? current.data(EventListModel::EventIdRole).toLongLong() : 0);
}

void MainWindow::loadEvent(qint64 eventId)
{
    if (eventId == m_currentEventId && eventId != 0)
        return;
    m_currentEventId = eventId;
    std::optional<OomEvent> event;
    if (eventId != 0 && m_workspace)
        event = m_workspace->event(eventId);
    if (!event) {
        if (eventId == 0 && m_eventModel->rowCount() == 0)
            m_decisionView->showEmptyWorkspace();
        else
            m_decisionView->clear(eventId != 0 ? tr("Event could not be loaded") : QString());
        m_rawView->clearEvent();
        m_memoryView->clear(eventId != 0 ? tr("Event could not be loaded") : QString());
    } else {
        const KillDecision decision = decideKill(*event);
        m_decisionView->setDecision(*event, decision);
        m_rawView->setEvent(*event);
        m_memoryView->setEvent(*event);
    }
    m_samplesView->setSelectedEvent(eventId);
    Q_EMIT currentEventChanged(eventId);
}

void MainWindow::showDetailTab(DetailTab tab)
{
    switch (tab) {
    case DecisionTab:
        m_tabs->setCurrentWidget(m_decisionView);
        break;
    case RawReportTab:
        m_tabs->setCurrentWidget(m_rawView);
        break;
    case TimelineTab:
        m_tabs->setCurrentWidget(m_samplesView);
        break;
    case MemoryTab:
        m_tabs->setCurrentWidget(m_memoryView);
        break;
    case DeathsTab:
        m_tabs->setCurrentWidget(m_deathsView);
        break;
    }
}

MainWindow::DetailTab MainWindow::currentDetailTab() const
{
    if (m_tabs->currentWidget() == m_samplesView)
        return TimelineTab;
    if (m_tabs->currentWidget() == m_rawView)
        return RawReportTab;
    if (m_tabs->currentWidget() == m_memoryView)
        return MemoryTab;
    if (m_tabs->currentWidget() == m_deathsView)
        return DeathsTab;
    return DecisionTab;
}

void MainWindow::activateEvent(qint64 eventId)
{
    const int sourceRow = m_eventModel->rowOfEvent(eventId);
    if (sourceRow < 0)
        return;
    QModelIndex proxyIndex = m_eventProxy->mapFromSource(m_eventModel->index(sourceRow, 0));
    if (!proxyIndex.isValid()) {
        m_filterEdit->clear(); // the filter hid the event that was clicked
        proxyIndex = m_eventProxy->mapFromSource(m_eventModel->index(sourceRow, 0));
    }
    if (!proxyIndex.isValid())
        return;
    m_eventView->selectionModel()->setCurrentIndex(
        proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_eventView->scrollTo(proxyIndex);
    showDetailTab(DecisionTab);
}

void MainWindow::requestScreenshot(const QString &path, int eventRow, int tab)
{
    m_screenshotPath = path;
    m_screenshotEventRow = std::max(0, eventRow);
    m_screenshotTab = std::clamp(tab, -1, int(DeathsTab));
    if (!isImporting())
        QTimer::singleShot(0, this, &MainWindow::takeScreenshot);
}

void MainWindow::takeScreenshot()
{
    if (m_screenshotPath.isEmpty())
        return;
    const DetailTab tab = m_screenshotTab >= 0 ? DetailTab(m_screenshotTab)
                                               : (m_samplesView->hasSeries() ? TimelineTab : DecisionTab);
    const int rows = m_eventProxy->rowCount();
    const std::vector<ChartMarker> markers = m_samplesView->chart()->markers();
    if (tab == TimelineTab && m_screenshotEventRow == 0 && !markers.empty()) {
        activateEvent(markers.front().eventId); // the kill on the chart, selected in the list
    } else if (rows > 0) {
        const int row = std::min(m_screenshotEventRow == 0 ? 2 : m_screenshotEventRow, rows) - 1;
        m_eventView->selectionModel()->setCurrentIndex(
            m_eventProxy->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    if (tab == DeathsTab && m_screenshotEventRow > 0)
        m_deathsView->selectRow(m_screenshotEventRow - 1); // --screenshot-event: the death's row
    showDetailTab(tab);
    // Let layouts, the chart's background query and the queued replots settle before grabbing.
    m_screenshotWaits = 0;
    QTimer::singleShot(600, this, &MainWindow::saveScreenshot);
}

void MainWindow::saveScreenshot()
{
    // The growth chart's data arrives from a background query; give a slow machine time for it.
    if ((m_samplesView->chart()->isQueryPending() || m_samplesView->isEvaluating())
        && m_screenshotWaits++ < 50) {
        QTimer::singleShot(100, this, &MainWindow::saveScreenshot);
        return;
    }
    {
        m_decisionView->chart()->replot();
        m_samplesView->chart()->replotNow();
        const QString path = m_screenshotPath;
        m_screenshotPath.clear();
        const bool ok = grab().save(path);
        Q_EMIT screenshotSaved(path, ok);
        if (!ok)
            qWarning("oomscope: cannot save screenshot to %s", qPrintable(path));
        QCoreApplication::exit(ok ? 0 : 1);
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Detach every node (what was received goes to the recorder), then store and join.
    const QList<AgentClient *> clients = findChildren<AgentClient *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(clients);
    if (m_feedRecorder)
        m_feedRecorder->stop();
    stopLiveSession();
    if (m_importWatcher->isRunning()) {
        m_importWatcher->cancel();
        m_importWatcher->waitForFinished();
    }
    appSettings().setValue(u"window/geometry"_s, saveGeometry());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (std::any_of(urls.begin(), urls.end(), [](const QUrl &url) { return url.isLocalFile(); }))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList files;
    const QList<QUrl> urls = event->mimeData()->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            files << url.toLocalFile();
    }
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    importFiles(files);
}

CommandLineOptions parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Explains Linux OOM kills: imports saved kernel logs and shows why each victim was chosen."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption({u"db"_s, u"workspace"_s},
                                      u"Workspace file (default: "_s + Workspace::defaultPath() + u")."_s,
                                      u"W.sqlite"_s);
    const QCommandLineOption screenshotOption(
        u"screenshot"_s,
        u"After importing FILEs, show the N-th event (--screenshot-event), save a PNG of the "
        u"window and quit."_s,
        u"FILE.png"_s);
    const QCommandLineOption screenshotTabOption({u"screenshot-tab"_s, u"screenshot-view"_s},
                                                 u"Detail tab shown in the screenshot: growth (the "
                                                 u"timeline), decision, memory, raw or deaths (default: "
                                                 u"growth "
                                                 u"when the workspace has samples, else decision)."_s,
                                                 u"TAB"_s);
    const QCommandLineOption samplesOption(
        u"samples"_s, u"A memory recording (samples CSV) to import; FILEs are then its kernel logs."_s,
        u"FILE.csv"_s);
    const QCommandLineOption procsOption(u"procs"_s, u"The recording's per-process CSV (with --samples)."_s,
                                         u"FILE.csv"_s);
    const QCommandLineOption hostOption(u"host"_s, u"Host the recording's samples are stored under."_s,
                                        u"NAME"_s);
    const QCommandLineOption screenshotEventOption(
        u"screenshot-event"_s, u"1-based row of the event shown in the screenshot (default 2)."_s, u"N"_s,
        u"2"_s);
    parser.addOption(dbOption);
    parser.addOption(screenshotOption);
    parser.addOption(screenshotEventOption);
    parser.addOption(screenshotTabOption);
    parser.addOption(samplesOption);
    parser.addOption(procsOption);
    parser.addOption(hostOption);
    parser.addPositionalArgument(u"files"_s, u"Kernel logs to import on start."_s, u"[FILE…]"_s);
    parser.process(arguments);

    CommandLineOptions options;
    options.workspacePath = parser.value(dbOption);
    // A workspace among the files (a file manager's "open with") is opened, not parsed as a log.
    for (const QString &file : parser.positionalArguments()) {
        if (options.workspacePath.isEmpty() && Workspace::isWorkspaceFile(file))
            options.workspacePath = file;
        else
            options.files << file;
    }
    options.screenshotPath = parser.value(screenshotOption);
    options.screenshotEventRow = std::max(1, parser.value(screenshotEventOption).toInt());
    options.screenshotEventGiven = parser.isSet(screenshotEventOption);
    const QString tab = parser.value(screenshotTabOption);
    if (tab == u"raw"_s)
        options.screenshotTab = MainWindow::RawReportTab;
    else if (tab == u"decision"_s)
        options.screenshotTab = MainWindow::DecisionTab;
    else if (tab == u"memory"_s)
        options.screenshotTab = MainWindow::MemoryTab;
    else if (tab == u"growth"_s || tab == u"timeline"_s)
        options.screenshotTab = MainWindow::TimelineTab;
    else if (tab == u"deaths"_s)
        options.screenshotTab = MainWindow::DeathsTab;
    if (parser.isSet(samplesOption)) {
        RecordingImportRequest recording;
        recording.samplesPath = parser.value(samplesOption);
        recording.procsPath = parser.value(procsOption);
        recording.host = parser.value(hostOption);
        recording.logPaths = options.files;
        options.files.clear();
        options.recording = recording;
    }
    return options;
}

} // namespace oomscope
