// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli import`: kernel logs (and kubectl pod/event JSON or `describe pod` text, recognised
// by content) into a workspace, or a recording (samples, process samples,
// its kernel logs placed on the samples' timeline). Importing the same content again adds nothing.
#include "clicommon.h"
#include "commands.h"
#include "deathinputs.h"
#include "deathrows.h"
#include "podrows.h"
#include "recordingimport.h"
#include "samplestore.h"
#include "workspace.h"

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

void addImportOptions(QCommandLineParser &parser)
{
    setUpParser(parser, true, false);
    parser.addOption({u"samples"_s, u"Samples CSV of a recording."_s, u"FILE.csv"_s});
    parser.addOption({u"procs"_s, u"Per-process CSV of the same recording."_s, u"FILE.csv"_s});
    parser.addOption({u"log"_s, u"Kernel log of the same node (repeatable)."_s, u"kernel.log"_s});
    parser.addOption({u"host"_s, u"Host the samples were recorded on."_s, u"NAME"_s});
    parser.addOption({u"boot-time"_s,
                      u"Boot time of the node (ISO-8601 or epoch), to place dmesg "
                      u"events when the samples carry no boottime_s."_s,
                      u"TIME"_s});
    parser.addPositionalArgument(
        u"FILE"_s, u"Kernel log(s) to import; kubectl pod/event JSON or describe text names their pods."_s,
        u"[FILE…]"_s);
}

void printAlreadyImported(const QString &file)
{
    out() << file << ": already in the workspace, nothing added\n";
}

void printSkippedRows(const QString &file, const std::vector<CsvRowIssue> &issues)
{
    for (const CsvRowIssue &issue : issues)
        err() << file << ":" << issue.line << ": skipped: " << issue.detail << Qt::endl;
}

void printRecordingResult(const RecordingImportRequest &request, const RecordingImportResult &r)
{
    if (r.samples) {
        if (r.samples->alreadyImported)
            printAlreadyImported(request.samplesPath);
        else
            out() << request.samplesPath << ": " << r.samples->samplesAdded << " sample(s) in "
                  << r.samples->seriesIds.size() << " series, " << r.samples->skippedRows
                  << " bad row(s) skipped\n";
        printSkippedRows(request.samplesPath, r.samples->warnings);
    }
    if (r.procs) {
        if (r.procs->alreadyImported)
            printAlreadyImported(request.procsPath);
        else
            out() << request.procsPath << ": " << r.procs->rowsAdded << " process row(s), "
                  << r.procs->skippedRows << " bad row(s) skipped\n";
        printSkippedRows(request.procsPath, r.procs->warnings);
    }
    for (const auto &[log, lr] : r.logs) {
        if (lr.alreadyImported)
            printAlreadyImported(log);
        else
            out() << log << ": " << lr.eventsAdded << " OOM event(s) added, " << lr.warnings.size()
                  << " warning(s)\n";
    }
    if (!r.logs.empty())
        out() << r.eventsPlaced << " event(s) placed on the samples' timeline"
              << (r.bootTimeMs ? u" (boot time from "_s + r.bootTimeSource + u")"_s : QString()) << "\n";
    for (const QString &m : r.messages)
        out() << "note: " << m << "\n";
}

int importRecordingFiles(Workspace &ws, const QCommandLineParser &parser, std::optional<qint64> bootTimeMs)
{
    SampleStore store(ws);
    RecordingImportRequest request;
    request.samplesPath = parser.value(u"samples"_s);
    request.procsPath = parser.value(u"procs"_s);
    request.logPaths = parser.values(u"log"_s) + parser.positionalArguments();
    request.host = parser.value(u"host"_s);
    request.bootTimeMs = bootTimeMs;
    const RecordingImportResult r = importRecording(ws, store, request);
    printRecordingResult(request, r);
    out() << "workspace: " << ws.path() << "\n";
    out().flush();
    if (!r.ok)
        return errorExit(r.error, exitCodeFor(r.errorKind));
    return ExitOk;
}

int storeDeathsOf(Workspace &ws, DeathCollector &deaths)
{
    const Result<DeathStoreResult> stored =
        storeDeaths(ws, [&deaths](const DeathSink &sink) { return deaths.forEachDeath(sink); });
    if (stored && stored->added + stored->updated == 0)
        return 0;
    if (!stored) {
        err() << "oomscope-cli: cannot store the deaths: " << stored.error().message << Qt::endl;
        return 1;
    }
    out() << stored->added << " death(s) added, " << stored->updated << " updated\n";
    return 0;
}

int importLogFiles(Workspace &ws, const QStringList &files)
{
    int exitCode = ExitOk; // the first failure's
    const auto failWith = [&exitCode](int code) {
        if (exitCode == ExitOk)
            exitCode = code;
    };
    DeathCollector deaths;
    for (const QString &file : files) {
        OpenedLog log = openLog(file);
        if (log.device) {
            const Result<bool> kube = deaths.takeKubeRecord(log);
            if (!kube) {
                err() << "oomscope-cli: " << kube.error().message << Qt::endl;
                failWith(ExitInput);
                continue;
            }
            if (*kube) {
                // Joined into the deaths, and stored so events, series and reports show names.
                const Result<KubeImportResult> stored = importKubeRecordFile(ws, file);
                if (!stored) {
                    err() << "oomscope-cli: " << stored.error().message << Qt::endl;
                    failWith(ExitInput);
                    continue;
                }
                out() << file << ": " << deaths.inputs().kube.back().pods.size() << " pod(s), "
                      << deaths.inputs().kube.back().events.size() << " event(s) joined into the deaths"
                      << (stored->alreadyImported ? ", already in the workspace" : ", stored") << "\n";
                continue;
            }
        }
        // The deaths of the log (its kernel kills as stored, other killers' lines) are gathered in
        // the import's own read of it.
        const ImportResult r = log.device ? deaths.importLog(ws, log) : ws.importLogFile(file);
        if (!r.ok) {
            err() << "oomscope-cli: " << file << ": " << r.error << Qt::endl;
            failWith(exitCodeFor(r.errorKind));
            continue;
        }
        if (r.alreadyImported)
            printAlreadyImported(file);
        else
            out() << file << ": " << r.eventsAdded << " OOM event(s) added, " << r.warnings.size()
                  << " warning(s)\n";
    }
    if (storeDeathsOf(ws, deaths) != 0)
        failWith(ExitStorage);
    out() << "workspace: " << ws.path() << "\n";
    out().flush();
    return exitCode;
}

} // namespace

int runImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    addImportOptions(parser);
    parser.process(arguments);
    const QStringList files = parser.positionalArguments();
    const bool recording = parser.isSet(u"samples"_s) || parser.isSet(u"procs"_s);
    if (files.isEmpty() && !recording && !parser.isSet(u"log"_s))
        return errorExit(u"import: nothing to import (give kernel logs, or --samples FILE.csv)"_s);
    if (parser.isSet(u"procs"_s) && !parser.isSet(u"samples"_s))
        return errorExit(u"import: --procs needs the --samples of the same recording"_s);
    std::optional<qint64> bootTimeMs;
    if (parser.isSet(u"boot-time"_s)) {
        bootTimeMs = parseTimeOption(parser.value(u"boot-time"_s));
        if (!bootTimeMs)
            return errorExit(badTimeMessage(u"import"_s, u"boot-time"_s, parser.value(u"boot-time"_s)));
    }
    Workspace ws;
    if (const int code = openWorkspace(ws, parser))
        return code;
    if (recording || bootTimeMs)
        return importRecordingFiles(ws, parser, bootTimeMs);
    return importLogFiles(ws, files + parser.values(u"log"_s));
}

} // namespace oomscope::cli
