// SPDX-License-Identifier: GPL-3.0-or-later
// What the GUI suites (and the chart export suite) share: a recording imported the way the
// workbench imports it, into a workspace file or through a shown main window.
#pragma once

#include "importjob.h"
#include "mainwindow.h"

#include <QSignalSpy>
#include <QStringList>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <vector>

namespace guitest {

// The import job on a worker thread, as `oomscope --samples … --procs … kernel.log` runs it;
// true when every file of request was imported into the workspace at workspacePath.
inline bool importIntoWorkspace(const QString &workspacePath, const oomscope::RecordingImportRequest &request)
{
    using namespace oomscope;
    QFuture<FileImportOutcome> future = QtConcurrent::run(&runImportJob, workspacePath, QStringList {},
                                                          std::vector<RecordingImportRequest> {request});
    future.waitForFinished();
    const QList<FileImportOutcome> results = future.results();
    return !results.isEmpty() && std::all_of(results.begin(), results.end(), [](const FileImportOutcome &o) {
        return o.result.ok;
    });
}

// Shows window at the size the GUI suites use and imports request through it, as File ▸ Import
// does; false when the window is not exposed or the import has not finished within a minute.
inline bool showAndImport(oomscope::MainWindow &window, const oomscope::RecordingImportRequest &request)
{
    QSignalSpy finished(&window, &oomscope::MainWindow::importFinished);
    window.resize(1400, 900);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return false;
    window.importRecording(request);
    return QTest::qWaitFor([&] { return finished.count() == 1; }, 60000);
}

} // namespace guitest
