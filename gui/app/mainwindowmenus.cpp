// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the menus and what their entries open (file dialogs, recent files, About).
#include "appsettings.h"
#include "mainwindow.h"
#include "recordingdialog.h"
#include "reportactions.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr int MaxRecentFiles = 10;

} // namespace

void MainWindow::createActions()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *openAction = fileMenu->addAction(tr("&Open Logs…"), this, &MainWindow::openFileDialog);
    openAction->setShortcut(QKeySequence::Open);
    openAction->setStatusTip(tr("Import saved kernel logs (dmesg, syslog, journal, kmsg; gzip ok)"));
    QAction *recordingAction =
        fileMenu->addAction(tr("Import &Recording…"), this, &MainWindow::openRecordingDialog);
    recordingAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    recordingAction->setStatusTip(tr("Import a memory recording (samples CSV, processes CSV, kernel log)"));
    QAction *watchAction = fileMenu->addAction(tr("&Watch cgroups…"), this, &MainWindow::openWatchDialog);
    watchAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    watchAction->setStatusTip(tr("Sample memory cgroups of this machine live into the workspace"));
    QAction *attachAction = fileMenu->addAction(tr("&Attach to Node…"), this, &MainWindow::openAttachDialog);
    attachAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    attachAction->setStatusTip(tr("Record a remote node's oomscope-agent feed into the workspace"));
    m_recentMenu = fileMenu->addMenu(tr("Open &Recent"));
    updateRecentMenu();
    fileMenu->addSeparator();
    fileMenu->addAction(tr("Open &Workspace…"), this, &MainWindow::openWorkspaceDialog);
    fileMenu->addSeparator();
    QAction *quitAction = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quitAction->setShortcut(QKeySequence::Quit);
    quitAction->setMenuRole(QAction::QuitRole);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *focusFilter = viewMenu->addAction(tr("&Filter Events"), this, [this] {
        m_filterEdit->setFocus();
        m_filterEdit->selectAll();
    });
    focusFilter->setShortcut(QKeySequence::Find);
    viewMenu->addAction(m_warningsDock->toggleViewAction());
    installReportActions(this, fileMenu); // chart Export… menus, File > Export Incident Report…

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About oomscope"), this, &MainWindow::showAbout);
    helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::runWayIn(WayIn way)
{
    switch (way) {
    case WayIn::OpenLogs:
        openFileDialog();
        break;
    case WayIn::ImportRecording:
        openRecordingDialog();
        break;
    case WayIn::WatchCgroups:
        openWatchDialog();
        break;
    case WayIn::AttachToNode:
        openAttachDialog();
        break;
    }
}

void MainWindow::openFileDialog()
{
    QSettings settings = appSettings();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open kernel logs"), settings.value(u"lastOpenDir"_s, QDir::homePath()).toString(),
        tr("Kernel logs (*.log *.txt *.dmesg *.gz messages* syslog* kern*);;All files (*)"));
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
        this, tr("Open or create workspace"), QFileInfo(m_workspacePath).absolutePath(),
        tr("oomscope workspaces (*.sqlite);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
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
        m_recentMenu->addAction(tr("Clear Menu"), this, [this] {
            appSettings().remove(u"recentFiles"_s);
            updateRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About oomscope"),
        tr("<h3>oomscope %1</h3><p>Why was my process killed? oomscope finds every OOM-killer report in "
           "saved kernel logs, stores them in a workspace and recomputes the kernel's "
           "badness ranking to explain each kill.</p>"
           "<p>License: GNU General Public License, version 3 or later "
           "(GPL-3.0-or-later).</p>"
           "<p>Charts use QCustomPlot by Emanuel Eichhammer, licensed under the GPL; "
           "built with Qt %2.</p>")
            .arg(QStringLiteral(OOMSCOPE_VERSION), QLatin1StringView(qVersion())));
}

} // namespace oomscope
