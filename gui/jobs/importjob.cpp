// SPDX-License-Identifier: GPL-3.0-or-later
#include "importjob.h"

#include "deathinputs.h"
#include "deathrows.h"
#include "podrows.h"

#include <QFileInfo>
#include <QFuture>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

void addCsvWarnings(ImportResult &result, const std::vector<CsvRowIssue> &issues)
{
    for (const CsvRowIssue &issue : issues)
        result.warnings.push_back(ParseWarning {issue.line, ParseWarning::Kind::Malformed, issue.detail});
}

// Byte progress over a list of files of known sizes.
class ByteProgress
{
public:
    ByteProgress(QPromise<FileImportOutcome> &promise, qint64 totalBytes)
        : m_promise(promise)
        , m_total(std::max<qint64>(1, totalBytes))
    { }
    // The callback for one file; call done() after it.
    ProgressFn forFile(const QString &path)
    {
        m_fileBytes = std::max<qint64>(1, QFileInfo(path).size());
        const QString name = QFileInfo(path).fileName();
        m_promise.setProgressValueAndText(int(m_before * ImportProgressMax / m_total), name);
        return [this, name](qint64 bytesDone) {
            // Byte counts of compressed files exceed their on-disk size; clamp per file.
            const qint64 done = m_before + std::min(bytesDone, m_fileBytes);
            // Progress again after a wait for the lock: the file's name replaces "waiting…".
            if (m_promise.future().progressText() != name)
                m_promise.setProgressValueAndText(int(done * ImportProgressMax / m_total), name);
            else
                m_promise.setProgressValue(int(done * ImportProgressMax / m_total));
            return !m_promise.isCanceled();
        };
    }
    void done() { m_before += m_fileBytes; }

private:
    QPromise<FileImportOutcome> &m_promise;
    qint64 m_total;
    qint64 m_before = 0;
    qint64 m_fileBytes = 1;
};

} // namespace

void runImportJob(QPromise<FileImportOutcome> &promise, const QString &workspacePath,
                  const QStringList &files, const std::vector<RecordingImportRequest> &recordings)
{
    promise.setProgressRange(0, ImportProgressMax);
    promise.setProgressValue(0);

    Workspace workspace;
    // Another writer (a CLI import, an attach recording) may hold the lock: wait, say so in the
    // progress text, and stop waiting when the job is canceled.
    LockWait wait;
    wait.onWaiting = [&promise] {
        promise.setProgressValueAndText(promise.future().progressValue(), Workspace::lockWaitingMessage());
    };
    wait.isCanceled = [&promise] {
        return promise.isCanceled();
    };
    workspace.setLockWait(std::move(wait));
    if (const Result<void> opened = workspace.open(workspacePath); !opened) {
        FileImportOutcome outcome;
        outcome.filePath = !files.isEmpty()
            ? files.first()
            : (!recordings.empty() ? recordings.front().samplesPath : QString());
        outcome.result.error = u"Cannot open workspace "_s + workspacePath + u": "_s + opened.error().message;
        promise.addResult(std::move(outcome));
        return;
    }
    SampleStore store(workspace);

    qint64 totalBytes = 0;
    auto sizeOf = [](const QString &path) {
        return path.isEmpty() ? 0 : std::max<qint64>(1, QFileInfo(path).size());
    };
    for (const QString &file : files)
        totalBytes += sizeOf(file);
    for (const RecordingImportRequest &r : recordings) {
        totalBytes += sizeOf(r.samplesPath) + sizeOf(r.procsPath);
        for (const QString &log : r.logPaths)
            totalBytes += sizeOf(log);
    }
    ByteProgress progress(promise, totalBytes);

    DeathCollector deaths;
    // Returns the source id of the log (0 on error), or nullopt when canceled.
    auto importLog = [&](const QString &file) -> std::optional<qint64> {
        FileImportOutcome outcome;
        outcome.filePath = file;
        if (isKubeRecordFile(file)) {
            // Pod/event JSON or `describe` text, recognised by content: names, not kills.
            (void)progress.forFile(file);
            outcome.kind = FileImportOutcome::Kind::Kubernetes;
            const Result<KubeImportResult> k = importKubeRecordFile(workspace, file);
            outcome.result.ok = k.has_value();
            outcome.result.error = k ? QString() : k.error().message;
            outcome.result.alreadyImported = k && k->alreadyImported;
            outcome.result.sourceId = k ? k->sourceId : 0;
            outcome.podsAdded = k ? k->podsAdded : 0;
            if (outcome.result.ok)
                if (OpenedLog log = openLog(file); log.device)
                    (void)deaths.takeKubeRecord(log); // joined into the deaths; parse errors said above
        } else if (OpenedLog log = openLog(file); log.device) {
            // Its deaths (kernel kills as stored, other killers' lines) are gathered in the same
            // read, the way `oomscope-cli import` gathers them.
            outcome.result = deaths.importLog(workspace, log, progress.forFile(file));
        } else {
            outcome.result = workspace.importLogFile(file, progress.forFile(file));
        }
        progress.done();
        if (promise.isCanceled())
            return std::nullopt; // the workspace rolled the file back; nothing to report
        const qint64 sourceId = outcome.result.ok ? outcome.result.sourceId : 0;
        promise.addResult(std::move(outcome));
        return sourceId;
    };

    for (const QString &file : files) {
        if (promise.isCanceled() || !importLog(file))
            return;
    }
    // The Deaths tab's rows: every death of these files, joined with the pods given with them.
    {
        const Result<DeathStoreResult> stored =
            storeDeaths(workspace, [&deaths](const DeathSink &sink) { return deaths.forEachDeath(sink); });
        if (!stored) {
            FileImportOutcome outcome;
            outcome.filePath = files.constLast();
            outcome.result.error = u"cannot store the deaths: "_s + stored.error().message;
            promise.addResult(std::move(outcome));
        }
    }

    // Recordings go through the same import as the CLI's (storage/recordingimport.h); the
    // outcomes are reported file by file like logs.
    RecordingImportHooks hooks;
    hooks.progressFor = [&progress](const QString &path) {
        return progress.forFile(path);
    };
    hooks.fileDone = [&progress](const QString &) {
        progress.done();
    };
    for (const RecordingImportRequest &request : recordings) {
        if (promise.isCanceled())
            return;
        const RecordingImportResult r = importRecording(workspace, store, request, hooks);
        if (r.canceled || promise.isCanceled())
            return; // each file rolled back what it had begun; nothing to report
        if (r.samples) {
            FileImportOutcome outcome;
            outcome.filePath = request.samplesPath;
            outcome.kind = FileImportOutcome::Kind::Samples;
            outcome.result.ok = r.samples->ok;
            outcome.result.alreadyImported = r.samples->alreadyImported;
            outcome.result.sourceId = r.samples->sourceId;
            addCsvWarnings(outcome.result, r.samples->warnings);
            outcome.samplesAdded = r.samples->samplesAdded;
            outcome.eventsPlaced = r.eventsPlaced;
            promise.addResult(std::move(outcome));
        }
        if (r.procs) {
            FileImportOutcome outcome;
            outcome.filePath = request.procsPath;
            outcome.kind = FileImportOutcome::Kind::Procs;
            outcome.result.ok = r.procs->ok;
            outcome.result.alreadyImported = r.procs->alreadyImported;
            outcome.result.sourceId = r.procs->sourceId;
            addCsvWarnings(outcome.result, r.procs->warnings);
            outcome.samplesAdded = r.procs->rowsAdded;
            promise.addResult(std::move(outcome));
        }
        for (const auto &[log, logResult] : r.logs) {
            FileImportOutcome outcome;
            outcome.filePath = log;
            outcome.result = logResult;
            promise.addResult(std::move(outcome));
        }
        if (!r.ok) {
            // The failing file: the one after the last reported.
            FileImportOutcome outcome;
            outcome.filePath = !r.samples ? request.samplesPath
                : (!request.procsPath.isEmpty() && !r.procs)
                ? request.procsPath
                : request.logPaths.value(qsizetype(r.logs.size()));
            outcome.result.error = r.error;
            promise.addResult(std::move(outcome));
        }
    }
    promise.setProgressValue(ImportProgressMax);
}

} // namespace oomscope
