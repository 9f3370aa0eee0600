// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "agentclient.h"
#include "attachdialog.h"
#include "badnesschart.h"
#include "decisionview.h"
#include "eventlistmodel.h"
#include "feedrecorder.h"
#include "growthchart.h"
#include "importjob.h"
#include "killdecision.h"
#include "livesession.h"
#include "nodestatuswidget.h"
#include "rawreportview.h"
#include "recordingdialog.h"
#include "reportactions.h"
#include "samplesview.h"
#include "seriestreemodel.h"
#include "watchdialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr int MaxRecentFiles = 10;

QSettings appSettings()
{
    // Explicit names, so tests and the app agree even without QCoreApplication names set.
    return QSettings(u"oomscope"_s, u"oomscope"_s);
}

} // namespace

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
    m_eventProxy = new QSortFilterProxyModel(this);
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
    m_filterEdit->setPlaceholderText(u"Filter by host, cgroup, victim name or pid…"_s);
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_eventProxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_eventsCaption = new QLabel;
    QFont captionFont = m_eventsCaption->font();
    captionFont.setBold(true);
    m_eventsCaption->setFont(captionFont);

    auto *top = new QWidget;
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_eventsCaption);
    filterRow->addStretch(1);
    filterRow->addWidget(m_filterEdit, 2);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(6, 6, 6, 0);
    topLayout->addLayout(filterRow);
    topLayout->addWidget(m_eventView, 1);

    m_decisionView = new DecisionView;
    m_rawView = new RawReportView;
    m_samplesView = new SamplesView;
    m_samplesView->setObjectName(u"samplesView"_s);
    connect(m_samplesView, &SamplesView::eventActivated, this, &MainWindow::activateEvent);
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(u"detailTabs"_s);
    m_tabs->setDocumentMode(true);
    // The timeline comes first: with a recording, memory climbing to the limit is the story;
    // without one, the window opens on the Decision tab (see reloadEvents).
    m_tabs->addTab(m_samplesView, u"Timeline"_s);
    m_tabs->addTab(m_decisionView, u"Decision"_s);
    m_tabs->addTab(m_rawView, u"Raw report"_s);

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
    m_warningsTable->setHorizontalHeaderLabels({u"File"_s, u"Line"_s, u"Kind"_s, u"Detail"_s});
    m_warningsTable->horizontalHeader()->setStretchLastSection(true);
    m_warningsTable->verticalHeader()->hide();
    m_warningsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_warningsTable->setSelectionBehavior(QAbstractItemView::SelectRows);

    m_warningsDock = new QDockWidget(u"Import warnings"_s, this);
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
    m_warningsButton->setToolTip(u"Show the warnings of the last import"_s);
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
    m_cancelButton->setText(u"Cancel"_s);
    m_cancelButton->setToolTip(u"Stop the import; the workspace keeps what it had"_s);
    m_cancelButton->hide();
    connect(m_cancelButton, &QToolButton::clicked, this, &MainWindow::cancelImport);
    statusBar()->addPermanentWidget(m_cancelButton);

    connect(m_importWatcher, &QFutureWatcherBase::progressValueChanged, m_progressBar,
            &QProgressBar::setValue);
    connect(m_importWatcher, &QFutureWatcherBase::progressTextChanged, this,
            [this](const QString &text) { m_progressBar->setFormat(text + u"  %p%"_s); });
}

void MainWindow::createActions()
{
    QMenu *fileMenu = menuBar()->addMenu(u"&File"_s);
    QAction *openAction = fileMenu->addAction(u"&Open Logs…"_s, this, &MainWindow::openFileDialog);
    openAction->setShortcut(QKeySequence::Open);
    openAction->setStatusTip(u"Import saved kernel logs (dmesg, syslog, journal, kmsg; gzip ok)"_s);
    QAction *recordingAction =
        fileMenu->addAction(u"Import &Recording…"_s, this, &MainWindow::openRecordingDialog);
    recordingAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    recordingAction->setStatusTip(u"Import a memory recording (samples CSV, processes CSV, kernel log)"_s);
    QAction *watchAction = fileMenu->addAction(u"&Watch cgroups…"_s, this, &MainWindow::openWatchDialog);
    watchAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    watchAction->setStatusTip(u"Sample memory cgroups of this machine live into the workspace"_s);
    QAction *attachAction = fileMenu->addAction(u"&Attach to Node…"_s, this, &MainWindow::openAttachDialog);
    attachAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    attachAction->setStatusTip(u"Record a remote node's oomscope-agent feed into the workspace"_s);
    m_recentMenu = fileMenu->addMenu(u"Open &Recent"_s);
    updateRecentMenu();
    fileMenu->addSeparator();
    fileMenu->addAction(u"Open &Workspace…"_s, this, &MainWindow::openWorkspaceDialog);
    fileMenu->addSeparator();
    QAction *quitAction = fileMenu->addAction(u"&Quit"_s, this, &QWidget::close);
    quitAction->setShortcut(QKeySequence::Quit);
    quitAction->setMenuRole(QAction::QuitRole);

    QMenu *viewMenu = menuBar()->addMenu(u"&View"_s);
    QAction *focusFilter = viewMenu->addAction(u"&Filter Events"_s, this, [this] {
        m_filterEdit->setFocus();
        m_filterEdit->selectAll();
    });
    focusFilter->setShortcut(QKeySequence::Find);
    viewMenu->addAction(m_warningsDock->toggleViewAction());
    installReportActions(this, fileMenu); // chart Export… menus, File > Export Incident Report…

    QMenu *helpMenu = menuBar()->addMenu(u"&Help"_s);
    helpMenu->addAction(u"&About oomscope"_s, this, &MainWindow::showAbout);
    helpMenu->addAction(u"About &Qt"_s, qApp, &QApplication::aboutQt);
}

bool MainWindow::openWorkspace(const QString &path)
{
    if (isImporting()) {
        statusBar()->showMessage(u"Wait for the import to finish before switching workspaces"_s, 5000);
        return false;
    }
    stopLiveSession(); // its samples belong to the workspace it was started in
    const QString dir = QFileInfo(path).absolutePath();
    QDir().mkpath(dir);
    auto workspace = std::make_unique<Workspace>();
    QString error;
    if (!workspace->open(path, &error)) {
        const QString message = u"Cannot open workspace "_s + path + u": "_s + error;
        statusBar()->showMessage(message);
        if (isVisible())
            QMessageBox::warning(this, u"oomscope"_s, message);
        return false;
    }
    m_workspace = std::move(workspace);
    m_workspacePath = QFileInfo(path).absoluteFilePath();
    m_workspaceLabel->setText(u"Workspace: "_s + QDir::toNativeSeparators(m_workspacePath));
    setWindowTitle(QFileInfo(m_workspacePath).fileName() + u" — oomscope"_s);
    reloadEvents();
    return true;
}

void MainWindow::reloadEvents(qint64 selectEventId)
{
    const qint64 previous = selectEventId != 0 ? selectEventId : m_currentEventId;
    const bool hadSeries = m_samplesView->hasSeries();
    m_eventModel->setEvents(m_workspace ? m_workspace->events() : std::vector<EventSummary> {});
    m_samplesView->reload(m_workspace.get(), m_eventModel->events());
    // A workspace that gains its first recording opens on its timeline; one without samples
    // has nothing to show there.
    if (m_samplesView->hasSeries() && !hadSeries)
        showDetailTab(TimelineTab);
    else if (!m_samplesView->hasSeries() && currentDetailTab() == TimelineTab)
        showDetailTab(DecisionTab);
    const int count = m_eventModel->rowCount();
    m_eventsCaption->setText(count == 1 ? u"1 OOM event"_s : QString::number(count) + u" OOM events"_s);
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
        m_decisionView->clear(eventId != 0 ? u"Event could not be loaded"_s : QString());
        m_rawView->clearEvent();
    } else {
        const KillDecision decision = decideKill(*event);
        m_decisionView->setDecision(*event, decision);
        m_rawView->setEvent(*event);
    }
    m_samplesView->setSelectedEvent(eventId);
    emit currentEventChanged(eventId);
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
    }
}

MainWindow::DetailTab MainWindow::currentDetailTab() const
{
    if (m_tabs->currentWidget() == m_samplesView)
        return TimelineTab;
    if (m_tabs->currentWidget() == m_rawView)
        return RawReportTab;
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

bool MainWindow::isImporting() const
{
    return m_importWatcher->isRunning() || !m_runningFiles.isEmpty() || !m_runningRecordings.empty();
}

void MainWindow::importFiles(const QStringList &paths)
{
    QStringList files;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        files << info.absoluteFilePath();
        if (info.isFile())
            addRecentFile(info.absoluteFilePath());
    }
    if (files.isEmpty())
        return;
    m_pendingFiles += files;
    if (!isImporting())
        startNextImport();
}

void MainWindow::importRecording(const RecordingImportRequest &request)
{
    RecordingImportRequest r = request;
    r.samplesPath = QFileInfo(r.samplesPath).absoluteFilePath();
    if (!r.procsPath.isEmpty())
        r.procsPath = QFileInfo(r.procsPath).absoluteFilePath();
    for (QString &log : r.logPaths)
        log = QFileInfo(log).absoluteFilePath();
    m_pendingRecordings.push_back(std::move(r));
    if (!isImporting())
        startNextImport();
}

void MainWindow::startNextImport()
{
    if ((m_pendingFiles.isEmpty() && m_pendingRecordings.empty()) || !m_workspace)
        return;
    const QStringList logFiles = m_pendingFiles;
    m_runningFiles = m_pendingFiles;
    m_pendingFiles.clear();
    m_runningRecordings = std::move(m_pendingRecordings);
    m_pendingRecordings.clear();
    // All files of the job, for the messages: logs, then each recording's files.
    for (const RecordingImportRequest &r : m_runningRecordings) {
        m_runningFiles << r.samplesPath;
        if (!r.procsPath.isEmpty())
            m_runningFiles << r.procsPath;
        m_runningFiles += r.logPaths;
    }
    m_eventIdsBeforeImport.clear();
    for (const EventSummary &e : m_eventModel->events())
        m_eventIdsBeforeImport.push_back(e.id);

    m_progressBar->setValue(0);
    m_progressBar->setFormat(QFileInfo(m_runningFiles.first()).fileName() + u"  %p%"_s);
    m_progressBar->show();
    m_cancelButton->setEnabled(true);
    m_cancelButton->show();
    statusBar()->showMessage(
        m_runningFiles.size() == 1
            ? QString(u"Importing "_s + QFileInfo(m_runningFiles.first()).fileName())
            : QString(u"Importing "_s + QString::number(m_runningFiles.size()) + u" files"_s));
    emit importStarted();
    // Copies by value: the job must not touch the window's state.
    m_importWatcher->setFuture(QtConcurrent::run(&runImportJob, m_workspacePath, logFiles,
                                                 std::vector<RecordingImportRequest>(m_runningRecordings)));
}

void MainWindow::cancelImport()
{
    if (!m_importWatcher->isRunning())
        return;
    m_cancelButton->setEnabled(false);
    statusBar()->showMessage(u"Canceling import…"_s);
    m_importWatcher->cancel();
}

void MainWindow::onImportFinished()
{
    const QFuture<FileImportOutcome> future = m_importWatcher->future();
    const bool canceled = future.isCanceled();
    std::vector<FileImportOutcome> outcomes;
    if (!canceled) {
        const QList<FileImportOutcome> results = future.results();
        outcomes.assign(results.begin(), results.end());
    }
    const QStringList files = m_runningFiles;
    m_runningFiles.clear();
    m_runningRecordings.clear();
    m_progressBar->hide();
    m_cancelButton->hide();

    // The workspace is the truth; what the job reported only explains what happened.
    std::vector<qint64> before = m_eventIdsBeforeImport;
    std::sort(before.begin(), before.end());
    const std::vector<EventSummary> events =
        m_workspace ? m_workspace->events() : std::vector<EventSummary> {};
    qint64 firstNewId = 0;
    int added = 0;
    for (const EventSummary &e : events) {
        if (!std::binary_search(before.begin(), before.end(), e.id)) {
            if (firstNewId == 0)
                firstNewId = e.id;
            ++added;
        }
    }
    reloadEvents(firstNewId);

    QStringList errors;
    std::vector<std::pair<QString, ParseWarning>> warnings;
    int alreadyImported = 0;
    qint64 samplesAdded = 0;
    int eventsPlaced = 0;
    for (const FileImportOutcome &outcome : outcomes) {
        if (outcome.kind == FileImportOutcome::Kind::Samples) {
            samplesAdded += outcome.samplesAdded;
            eventsPlaced += outcome.eventsPlaced;
        }
        const QString name = QFileInfo(outcome.filePath).fileName();
        const ImportResult &result = outcome.result;
        if (!result.ok && !result.canceled) {
            errors << name + u": "_s + (result.error.isEmpty() ? u"import failed"_s : result.error);
            continue;
        }
        if (result.alreadyImported)
            ++alreadyImported;
        std::vector<ParseWarning> fileWarnings = result.warnings;
        if (result.alreadyImported && fileWarnings.empty() && m_workspace && result.sourceId != 0)
            fileWarnings = m_workspace->warnings(result.sourceId);
        for (ParseWarning &w : fileWarnings)
            warnings.emplace_back(name, std::move(w));
    }
    showWarnings(warnings);

    QString summary;
    if (canceled) {
        summary = u"Import canceled; the workspace is unchanged"_s;
    } else {
        summary = u"Imported "_s + QString::number(files.size())
            + (files.size() == 1 ? u" file: "_s : u" files: "_s) + QString::number(added)
            + (added == 1 ? u" new event"_s : u" new events"_s);
        if (samplesAdded > 0)
            summary += u", "_s + QLocale().toString(samplesAdded) + u" samples"_s;
        if (eventsPlaced > 0)
            summary += u", "_s + QString::number(eventsPlaced)
                + (eventsPlaced == 1 ? u" kill placed on the timeline"_s
                                     : u" kills placed on the timeline"_s);
        if (alreadyImported > 0)
            summary += u", "_s + QString::number(alreadyImported) + u" already in the workspace"_s;
        if (!warnings.empty())
            summary += u", "_s + QString::number(warnings.size()) + u" warnings"_s;
        if (!errors.isEmpty())
            summary += u", "_s + QString::number(errors.size()) + u" failed"_s;
    }
    statusBar()->showMessage(errors.size() == 1 ? errors.first() : summary, 15000);
    if (!errors.isEmpty()) {
        auto *box = new QMessageBox(QMessageBox::Warning, u"Import failed"_s, errors.join(u'\n'),
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open(); // not exec(): the window keeps running while the message is up
    }

    emit importFinished(added, canceled);

    if (!m_pendingFiles.isEmpty() || !m_pendingRecordings.empty())
        startNextImport();
    else if (!m_screenshotPath.isEmpty())
        QTimer::singleShot(0, this, &MainWindow::takeScreenshot);
}

void MainWindow::showWarnings(const std::vector<std::pair<QString, ParseWarning>> &warnings)
{
    m_warningsTable->setRowCount(int(warnings.size()));
    for (int row = 0; row < int(warnings.size()); ++row) {
        const auto &[file, w] = warnings[size_t(row)];
        auto *lineItem = new QTableWidgetItem;
        lineItem->setData(Qt::DisplayRole, w.line);
        m_warningsTable->setItem(row, 0, new QTableWidgetItem(file));
        m_warningsTable->setItem(row, 1, lineItem);
        m_warningsTable->setItem(row, 2, new QTableWidgetItem(parseWarningKindName(w.kind)));
        m_warningsTable->setItem(row, 3, new QTableWidgetItem(w.detail));
    }
    m_warningsTable->resizeColumnsToContents();
    if (warnings.empty()) {
        m_warningsButton->hide();
    } else {
        m_warningsButton->setText(u"⚠ "_s + QString::number(warnings.size())
                                  + (warnings.size() == 1 ? u" warning"_s : u" warnings"_s));
        m_warningsButton->show();
    }
}

void MainWindow::openFileDialog()
{
    QSettings settings = appSettings();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, u"Open kernel logs"_s, settings.value(u"lastOpenDir"_s, QDir::homePath()).toString(),
        u"Kernel logs (*.log *.txt *.dmesg *.gz messages* syslog* kern*);;All files (*)"_s);
    if (files.isEmpty())
        return;
    settings.setValue(u"lastOpenDir"_s, QFileInfo(files.first()).absolutePath());
    importFiles(files);
}

void MainWindow::openRecordingDialog()
{
    QSettings settings = appSettings();
    auto *dialog =
        new RecordingDialog(settings.value(u"lastRecordingDir"_s, QDir::homePath()).toString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const RecordingImportRequest request = dialog->request();
        appSettings().setValue(u"lastRecordingDir"_s, QFileInfo(request.samplesPath).absolutePath());
        importRecording(request);
    });
    dialog->open();
}

void MainWindow::openWorkspaceDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, u"Open or create workspace"_s, QFileInfo(m_workspacePath).absolutePath(),
        u"oomscope workspaces (*.sqlite);;All files (*)"_s, nullptr, QFileDialog::DontConfirmOverwrite);
    if (!path.isEmpty())
        openWorkspace(path);
}

QStringList MainWindow::recentFiles() const
{
    return appSettings().value(u"recentFiles"_s).toStringList();
}

void MainWindow::addRecentFile(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecentFiles)
        recent.removeLast();
    appSettings().setValue(u"recentFiles"_s, recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentFiles();
    for (const QString &path : recent) {
        QAction *action =
            m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { importFiles({path}); });
        action->setToolTip(path);
        action->setStatusTip(path);
    }
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(u"Clear Menu"_s, this, [this] {
            appSettings().remove(u"recentFiles"_s);
            updateRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, u"About oomscope"_s,
                       u"<h3>oomscope "_s + QStringLiteral(OOMSCOPE_VERSION)
                           + u"</h3><p>Why was my process killed? oomscope finds every OOM-killer report in "
                             u"saved kernel logs, stores them in a workspace and recomputes the kernel's "
                             u"badness ranking to explain each kill.</p>"
                             u"<p>License: GNU General Public License, version 3 or later "
                             u"(GPL-3.0-or-later).</p>"
                             u"<p>Charts use QCustomPlot by Emanuel Eichhammer, licensed under the GPL; "
                             u"built with Qt "_s
                           + QLatin1StringView(qVersion()) + u".</p>"_s);
}

void MainWindow::requestScreenshot(const QString &path, int eventRow, int tab)
{
    m_screenshotPath = path;
    m_screenshotEventRow = std::max(0, eventRow);
    m_screenshotTab = std::clamp(tab, -1, int(TimelineTab));
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
        emit screenshotSaved(path, ok);
        if (!ok)
            qWarning("oomscope: cannot save screenshot to %s", qPrintable(path));
        QCoreApplication::exit(ok ? 0 : 1);
    }
}

void MainWindow::openAttachDialog()
{
    AttachDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        attachNode(dialog.options());
}

AgentClient *MainWindow::attachNode(const AgentConnectOptions &options)
{
    if (!m_feedRecorder) {
        auto recorder = std::make_unique<FeedRecorderThread>();
        QString error;
        if (!recorder->start(m_workspacePath, &error)) {
            QMessageBox::warning(this, u"Attach to node"_s, u"Cannot record into the workspace: "_s + error);
            return nullptr;
        }
        m_feedRecorder = std::move(recorder);
        m_feedReloadTimer = new QTimer(this);
        m_feedReloadTimer->setSingleShot(true);
        m_feedReloadTimer->setInterval(2000);
        connect(m_feedReloadTimer, &QTimer::timeout, this, [this] { reloadEvents(m_currentEventId); });
        connect(m_feedRecorder->recorder(), &FeedRecorder::batchStored, this,
                [this](const FeedStoreReport &report) {
                    if (!report.ok)
                        statusBar()->showMessage(report.node + u": "_s + report.error, 10000);
                    if (report.eventsStored > 0)
                        reloadEvents(); // a kill: show it now
                    else if (report.samplesStored > 0 && !m_feedReloadTimer->isActive())
                        m_feedReloadTimer->start();
                });
    }
    if (!m_nodes) {
        m_nodes = new NodeStatusWidget(this);
        m_nodesDock = new QDockWidget(u"Attached nodes"_s, this);
        m_nodesDock->setObjectName(u"nodesDock"_s);
        m_nodesDock->setWidget(m_nodes);
        addDockWidget(Qt::BottomDockWidgetArea, m_nodesDock);
        connect(m_nodes, &NodeStatusWidget::detached, this,
                [](AgentClient *client) { client->deleteLater(); });
    }
    auto *client = new AgentClient(options, this);
    client->setRecorder(m_feedRecorder->recorder());
    m_nodes->addClient(client);
    m_nodesDock->show();
    client->start();
    return client;
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
    const QCommandLineOption screenshotTabOption(
        {u"screenshot-tab"_s, u"screenshot-view"_s},
        u"Detail tab shown in the screenshot: growth (the timeline), decision or raw (default: growth "
        u"when the workspace has samples, else decision)."_s,
        u"TAB"_s);
    const QCommandLineOption samplesOption(
        u"samples"_s, u"A memory recording (samples CSV) to import; FILEs are then its kernel logs."_s,
        u"FILE.csv"_s);
    const QCommandLineOption procsOption(u"procs"_s, u"The recording's per-process CSV (with --samples)."_s,
                                         u"FILE.csv"_s);
    const QCommandLineOption hostOption(u"host"_s, u"Host the recording's samples are stored under."_s,
                                        u"NAME"_s);
    const QCommandLineOption benchOption(
        u"bench-chart"_s, u"Store N synthetic samples in a scratch workspace, time the growth chart, quit."_s,
        u"N"_s);
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
    parser.addOption(benchOption);
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
    else if (tab == u"growth"_s || tab == u"timeline"_s)
        options.screenshotTab = MainWindow::TimelineTab;
    if (parser.isSet(samplesOption)) {
        RecordingImportRequest recording;
        recording.samplesPath = parser.value(samplesOption);
        recording.procsPath = parser.value(procsOption);
        recording.host = parser.value(hostOption);
        recording.logPaths = options.files;
        options.files.clear();
        options.recording = recording;
    }
    options.benchChartSamples = parser.value(benchOption).toLongLong();
    return options;
}

void MainWindow::openWatchDialog()
{
    if (m_liveSession && m_liveSession->isRunning()) {
        statusBar()->showMessage(u"A live session is running: stop it before watching other cgroups"_s, 5000);
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

    if (!m_liveLabel) {
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
        m_liveStopButton->setText(u"Stop"_s);
        m_liveStopButton->setToolTip(u"Stop sampling; what was sampled stays in the workspace"_s);
        connect(m_liveStopButton, &QToolButton::clicked, this, &MainWindow::stopLiveSession);
        statusBar()->addPermanentWidget(m_liveStopButton);
    }
    session->start();
    updateLiveControls();
    return true;
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
    m_livePauseButton->setText(running && m_liveSession->isPaused() ? u"Resume"_s : u"Pause"_s);
    m_liveStopButton->setVisible(running);
}

} // namespace oomscope
