// SPDX-License-Identifier: GPL-3.0-or-later
#include "importsummary.h"

#include "workspace.h"

#include <QFileInfo>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace oomscope {

ImportTally tallyImport(const std::vector<FileImportOutcome> &outcomes, const Workspace *workspace)
{
    ImportTally tally;
    for (const FileImportOutcome &outcome : outcomes) {
        if (outcome.kind == FileImportOutcome::Kind::Samples) {
            tally.samplesAdded += outcome.samplesAdded;
            tally.eventsPlaced += outcome.eventsPlaced;
        }
        tally.podsAdded += outcome.podsAdded;
        const QString name = QFileInfo(outcome.filePath).fileName();
        const ImportResult &result = outcome.result;
        if (!result.ok && !result.canceled) {
            tally.errors << ImportText::tr("%1: %2").arg(
                name, result.error.isEmpty() ? ImportText::tr("import failed") : result.error);
            continue;
        }
        if (result.alreadyImported)
            ++tally.alreadyImported;
        std::vector<ParseWarning> fileWarnings = result.warnings;
        if (result.alreadyImported && fileWarnings.empty() && workspace && result.sourceId != 0)
            fileWarnings = workspace->warnings(result.sourceId);
        for (ParseWarning &w : fileWarnings)
            tally.warnings.emplace_back(name, std::move(w));
    }
    return tally;
}

QString ImportText::started(const QStringList &files)
{
    return files.size() == 1 ? tr("Importing %1").arg(QFileInfo(files.first()).fileName())
                             : tr("Importing %1 files").arg(files.size());
}

QString ImportText::canceling()
{
    return tr("Canceling import…");
}

QString ImportText::summary(const ImportTally &t)
{
    if (t.canceled)
        return tr("Import canceled; the workspace is unchanged");
    const QString head = t.fileCount == 1 ? tr("Imported 1 file") : tr("Imported %1 files").arg(t.fileCount);
    QStringList parts;
    parts << (t.eventsAdded == 1 ? tr("1 new event") : tr("%1 new events").arg(t.eventsAdded));
    if (t.samplesAdded > 0)
        parts << tr("%1 samples").arg(QLocale().toString(t.samplesAdded));
    if (t.eventsPlaced > 0)
        parts << (t.eventsPlaced == 1 ? tr("1 kill placed on the timeline")
                                      : tr("%1 kills placed on the timeline").arg(t.eventsPlaced));
    if (t.podsAdded > 0)
        parts << (t.podsAdded == 1 ? tr("1 Kubernetes pod") : tr("%1 Kubernetes pods").arg(t.podsAdded));
    if (t.alreadyImported > 0)
        parts << tr("%1 already in the workspace").arg(t.alreadyImported);
    if (!t.warnings.empty())
        parts << tr("%1 warnings").arg(t.warnings.size());
    if (!t.errors.isEmpty())
        parts << tr("%1 failed").arg(t.errors.size());
    return tr("%1: %2").arg(head, parts.join(u", "_s));
}

QString ImportText::failedTitle()
{
    return tr("Import failed");
}

QString ImportText::warningCount(qsizetype count)
{
    return count == 1 ? tr("⚠ 1 warning") : tr("⚠ %1 warnings").arg(count);
}

QString ImportText::eventCount(qsizetype count)
{
    return count == 1 ? tr("1 OOM event") : tr("%1 OOM events").arg(count);
}

QString ImportText::eventCount(qsizetype count, qsizetype incidents)
{
    if (incidents >= count)
        return eventCount(count);
    return incidents == 1 ? tr("%1 OOM events in 1 incident").arg(count)
                          : tr("%1 OOM events in %2 incidents").arg(count).arg(incidents);
}

} // namespace oomscope
