// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the import queue. One job at a time runs on a pool thread with progress and cancel;
// files and recordings given meanwhile wait behind it.
#include "eventlistmodel.h"
#include "importsummary.h"
#include "mainwindow.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

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
    // The job opens the path anew: a deleted workspace would silently become a new, empty one.
    if (m_workspace->fileIsGone()) {
        m_pendingFiles.clear();
        m_pendingRecordings.clear();
        QMessageBox::warning(this, ImportText::failedTitle(),
                             tr("The workspace file %1 was deleted or moved while it was open, so nothing "
                                "was imported. What the window shows is still here; open or create a "
                                "workspace (File menu) to import again.")
                                 .arg(m_workspacePath));
        return;
    }
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

    m_progressBar->setValue(0);
    m_progressBar->setFormat(QFileInfo(m_runningFiles.first()).fileName() + u"  %p%"_s);
    m_progressBar->show();
    m_cancelButton->setEnabled(true);
    m_cancelButton->show();
    statusBar()->showMessage(ImportText::started(m_runningFiles));
    Q_EMIT importStarted();
    // Copies by value: the job must not touch the window's state.
    m_importWatcher->setFuture(QtConcurrent::run(&runImportJob, m_workspacePath, logFiles,
                                                 std::vector<RecordingImportRequest>(m_runningRecordings)));
}

void MainWindow::cancelImport()
{
    if (!m_importWatcher->isRunning())
        return;
    m_cancelButton->setEnabled(false);
    statusBar()->showMessage(ImportText::canceling());
    m_importWatcher->cancel();
}

// Each import names the events it stored (ImportResult::newEventIds): how many, and the first.
std::pair<int, qint64> MainWindow::eventsAddedByImport(const std::vector<FileImportOutcome> &outcomes)
{
    qint64 firstNewId = 0;
    int added = 0;
    for (const FileImportOutcome &outcome : outcomes) {
        for (const qint64 id : outcome.result.newEventIds) {
            if (firstNewId == 0 || id < firstNewId)
                firstNewId = id;
            ++added;
        }
    }
    return {added, firstNewId};
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
    const qsizetype fileCount = m_runningFiles.size();
    m_runningFiles.clear();
    m_runningRecordings.clear();
    m_progressBar->hide();
    m_cancelButton->hide();

    const auto [added, firstNewId] = eventsAddedByImport(outcomes);
    reloadEvents(firstNewId);

    ImportTally tally = tallyImport(outcomes, m_workspace.get());
    tally.fileCount = fileCount;
    tally.eventsAdded = added;
    tally.canceled = canceled;
    showWarnings(tally.warnings);
    statusBar()->showMessage(tally.errors.size() == 1 ? tally.errors.first() : ImportText::summary(tally),
                             15000);
    if (!tally.errors.isEmpty()) {
        auto *box = new QMessageBox(QMessageBox::Warning, ImportText::failedTitle(), tally.errors.join(u'\n'),
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open(); // not exec(): the window keeps running while the message is up
    }

    Q_EMIT importFinished(added, canceled);

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
        m_warningsButton->setText(ImportText::warningCount(qsizetype(warnings.size())));
        m_warningsButton->show();
    }
}

} // namespace oomscope
