// SPDX-License-Identifier: GPL-3.0-or-later
// The words of an import, composed in one place from what the job reported: the status line while
// it runs, the summary when it is done, its errors and the warnings button.
#pragma once

#include "importjob.h"
#include "oomevent.h"

#include <QCoreApplication>
#include <QStringList>

#include <utility>
#include <vector>

namespace oomscope {

class Workspace;

// What an import job did, counted over its outcomes.
struct ImportTally {
    qsizetype fileCount = 0; // every file of the job: logs, then each recording's files
    int eventsAdded = 0; // committed events the workspace did not have before
    bool canceled = false;
    qint64 samplesAdded = 0;
    int eventsPlaced = 0;
    int podsAdded = 0; // from kubectl files: names for the kernel's cgroups
    int alreadyImported = 0;
    QStringList errors; // one line per failed file
    std::vector<std::pair<QString, ParseWarning>> warnings; // (file name, warning)
};

// Counts the outcomes; a file imported before gets its stored warnings from the workspace.
ImportTally tallyImport(const std::vector<FileImportOutcome> &outcomes, const Workspace *workspace);

class ImportText
{
    Q_DECLARE_TR_FUNCTIONS(ImportText)
public:
    static QString started(const QStringList &files); // "Importing kern.log", "Importing 3 files"
    static QString canceling();
    static QString summary(const ImportTally &tally); // the status line when the job is done
    static QString failedTitle();
    static QString warningCount(qsizetype count); // "⚠ 2 warnings"
    static QString eventCount(qsizetype count); // "1 OOM event", "12 OOM events"
    // "12 OOM events in 9 incidents"; as eventCount when every incident has one kill.
    static QString eventCount(qsizetype count, qsizetype incidents);
};

} // namespace oomscope
