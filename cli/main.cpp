// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-cli: the workbench's analysis for scripts and CI, on the same libraries as the GUI.
#include "attach.h"
#include "eventjson.h"
#include "feedcommands.h"
#include "killdecision.h"
#include "logsource.h"
#include "oomreportparser.h"
#include "prediction.h"
#include "recordingcsv.h"
#include "recordingimport.h"
#include "reportforward.h"
#include "samplestore.h"
#include "timeline.h"
#include "verdict.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QTextStream>
#include <QTimeZone>

#include <cstdio>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

int fail(const QString &message, int code = 2)
{
    err() << "oomscope-cli: " << message << Qt::endl;
    return code;
}

QString humanKb(qint64 kb)
{
    return QLocale::c().formattedDataSize(kb * 1024, 1, QLocale::DataSizeTraditionalFormat);
}

const char *const usageText = R"(Usage: oomscope-cli <command> [options]

Commands:
  analyze [--json] FILE…        Find every OOM kill in saved kernel logs and explain it.
                                FILE may be gzip-compressed; "-" reads standard input.
  analyze [--json] --samples S.csv [--procs P.csv] [--log kernel.log] [--boot-time T]
                                Leak or undersized limit? A verdict per cgroup of a
                                recording, its kills on the timeline, the predicted victims.
  import [--db W.sqlite] FILE…  Import logs into a workspace (default: the GUI's workspace).
                                Importing the same content again adds nothing.
  import [--db W.sqlite] --samples S.csv [--procs P.csv] [--log kernel.log] [--host H]
         [--boot-time T]        Import a recording; its kernel log's events are placed on
                                the samples' timeline (by boottime_s or --boot-time).
  events [--db W.sqlite] [--json]
                                List the events stored in a workspace.
  export [--db W.sqlite] --output S.csv [--procs P.csv] [--cgroup PATH]… [--host H]
         [--from T] [--to T]      Write stored samples in the recording format (re-importable).
  report --db W.sqlite|FILE… [--event ID|--all|--cgroup X --from T --to T]
         --output report.{png,pdf,html} [--width W --height H --scale S --theme light|dark]
                                Render an incident report headlessly (runs oomscope-report).
  attach HOST:PORT|ssh://user@host[:port]|exec:/path/to/oomscope-agent [--db W.sqlite]
         [--duration S] [--token-file F] [--tls] [--ca-file F] [--pin-sha256 H]
         [--insecure-skip-verify] [--agent-arg A]…
                                Record an oomscope-agent feed (samples and OOM reports) into a
                                workspace; resumes where the workspace's data for that node ends.
  attach-metrics URL [--db W.sqlite] [--duration S] [--interval S] [--token-file F]
         [--ca-file F] [--insecure-skip-verify] [--host H]
                                Poll a Prometheus-format /metrics endpoint (kubelet
                                /metrics/cadvisor, cAdvisor, oomscope-agent) into a workspace.
  import-prometheus FILE.json [--db W.sqlite] [--host H] [--metric NAME]
                                Import a Prometheus query_range answer of container_memory_*.

Options:
  -h, --help       Show this help.
  -v, --version    Show the version.
)";

QCommandLineParser &makeParser(QCommandLineParser &parser, bool withDb, bool withJson)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addHelpOption();
    if (withDb)
        parser.addOption({u"db"_s, u"Workspace file."_s, u"W.sqlite"_s});
    if (withJson)
        parser.addOption({u"json"_s, u"Print JSON instead of text."_s});
    return parser;
}

void printEventText(const oomscope::OomEvent &e, const oomscope::KillDecision &d, int index)
{
    using namespace oomscope;
    QString when;
    if (e.wallTime)
        when = e.wallTime->toString(Qt::ISODate);
    else if (e.uptimeSeconds)
        when = u"%1 s after boot"_s.arg(*e.uptimeSeconds, 0, 'f', 3);
    else
        when = u"time unknown"_s;
    const QString scope = e.constraint == Constraint::Memcg && !e.oomMemcg.isEmpty()
        ? u"memcg "_s + e.oomMemcg
        : constraintName(e.constraint);
    out() << "#" << index << "  " << when;
    if (!e.host.isEmpty())
        out() << "  host " << e.host;
    out() << "  " << scope;
    if (e.memory.present) {
        out() << "  usage " << humanKb(e.memory.usageKb);
        if (!e.memory.unlimited())
            out() << " of limit " << humanKb(e.memory.limitKb);
    }
    out() << "\n";
    if (e.victim.present)
        out() << "    killed " << e.victim.comm << " (pid " << e.victim.pid << ")";
    else
        out() << "    no kill line";
    out() << "  [" << e.kernelFormat() << ", "
          << (d.agrees ? "recomputation agrees" : "recomputation DIFFERS")
          << (e.complete ? "" : ", incomplete report") << "]\n";
    if (!d.explanation.isEmpty())
        out() << "    " << d.explanation << "\n";
    int shown = 0;
    for (const RankedTask &r : d.ranking) {
        if (shown++ == 5) {
            out() << "      … " << (d.ranking.size() - 5) << " more\n";
            break;
        }
        out() << "      " << qSetFieldWidth(2) << r.rank << qSetFieldWidth(0) << ". " << r.task.comm
              << " (pid " << r.task.pid << ")  points " << r.points << "  adj " << r.task.oomScoreAdj
              << (r.eligible ? "" : "  (never killed)") << "\n";
    }
}

QJsonObject predictionToJson(const oomscope::PredictedRanking &p)
{
    QJsonArray ranking;
    for (const oomscope::PredictedProcess &r : p.ranking) {
        ranking.append(QJsonObject {
            {u"pid"_s, qint64(r.pid)},
            {u"comm"_s, r.comm},
            {u"oom_score_adj"_s, r.oomScoreAdj},
            {u"eligible"_s, r.eligible},
            {u"rss"_s, qint64(r.rssPages)},
            {u"swapents"_s, qint64(r.swapPages)},
            {u"pgtables_pages"_s, qint64(r.pageTablePages)},
            {u"points"_s, qint64(r.points)},
            {u"share"_s, r.share},
            {u"points_gap_to_top"_s, qint64(r.pointsGapToTop)},
            {u"adj_to_be_victim"_s, r.adjToBeVictim ? QJsonValue(*r.adjToBeVictim) : QJsonValue()},
        });
    }
    return QJsonObject {
        {u"time_ms"_s, p.instantMs},
        {u"limit_bytes"_s, qint64(p.limitBytes)},
        {u"totalpages"_s, qint64(p.totalPages)},
        {u"predicted_victim_pid"_s,
         p.predictedVictimPid ? QJsonValue(qint64(*p.predictedVictimPid)) : QJsonValue()},
        {u"ranking"_s, ranking},
        {u"notes"_s, QJsonArray::fromStringList(p.notes)},
    };
}

QString humanBytes(std::int64_t bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

// analyze --samples: a verdict per cgroup of a recording, with its kills on the timeline and,
// given per-process samples, the victim the OOM killer's formula predicted before each kill.
int analyzeRecording(const QCommandLineParser &parser, bool json)
{
    using namespace oomscope;
    const auto openDevice = [](const QString &path, QFile &file) {
        if (path == u"-"_s)
            return file.open(stdin, QIODevice::ReadOnly);
        file.setFileName(path);
        return file.open(QIODevice::ReadOnly);
    };
    const QString samplesPath = parser.value(u"samples"_s);
    QFile samplesFile;
    if (!openDevice(samplesPath, samplesFile))
        return fail(u"%1: cannot open: %2"_s.arg(samplesPath, samplesFile.errorString()));
    const SamplesCsvResult samples = readSamplesCsv(samplesFile, defaultCgroupForFile(samplesPath));
    if (!samples.error.isEmpty())
        return fail(samplesPath + u": "_s + samples.error);

    ProcsCsvResult procs;
    if (parser.isSet(u"procs"_s)) {
        QFile procsFile;
        const QString procsPath = parser.value(u"procs"_s);
        if (!openDevice(procsPath, procsFile))
            return fail(u"%1: cannot open: %2"_s.arg(procsPath, procsFile.errorString()));
        procs = readProcsCsv(procsFile);
        if (!procs.error.isEmpty())
            return fail(procsPath + u": "_s + procs.error);
    }

    std::optional<qint64> bootTimeMs;
    QString bootSource;
    if (parser.isSet(u"boot-time"_s)) {
        bootTimeMs = parseCsvTimestampMs(parser.value(u"boot-time"_s).toUtf8());
        if (!bootTimeMs)
            return fail(u"analyze: --boot-time '%1' is not ISO-8601 or epoch seconds/milliseconds"_s.arg(
                parser.value(u"boot-time"_s)));
        bootSource = u"--boot-time"_s;
    }
    for (const RecordedSeries &series : samples.series) {
        if (bootTimeMs)
            break;
        if ((bootTimeMs = bootTimeMsFromSamples(series.samples)))
            bootSource = u"boottime_s of the samples"_s;
    }

    // Kernel logs: every event, and which cgroup of the recording it belongs to.
    struct PlacedEvent {
        OomEvent event;
        KillDecision decision;
        QString source;
        std::optional<qint64> wallMs;
        std::optional<std::size_t> cgroup;
    };
    std::vector<PlacedEvent> events;
    QJsonArray warnings;
    std::vector<QString> cgroupPaths;
    for (const RecordedSeries &series : samples.series)
        cgroupPaths.push_back(series.cgroup);
    for (const QString &logPath : parser.values(u"log"_s) + parser.positionalArguments()) {
        OpenedLog log = openLog(logPath);
        if (!log.device)
            return fail(log.error);
        ParseResult parsed = OomReportParser().parse(*log.device);
        if (!parsed.error.isEmpty())
            return fail(log.displayName + u": "_s + parsed.error);
        for (OomEvent &e : parsed.events) {
            PlacedEvent placed;
            placed.decision = decideKill(e);
            placed.wallMs = eventWallTimeMs(e, bootTimeMs);
            placed.cgroup = cgroupIndexForEvent(e, cgroupPaths);
            placed.event = std::move(e);
            placed.source = log.displayName;
            events.push_back(std::move(placed));
        }
        for (const ParseWarning &w : parsed.warnings) {
            QJsonObject o = warningToJson(w);
            o[u"source"_s] = log.displayName;
            warnings.append(o);
        }
    }
    for (const CsvRowIssue &issue : samples.skipped)
        warnings.append(QJsonObject {{u"source"_s, samplesPath},
                                     {u"line"_s, issue.line},
                                     {u"kind"_s, u"bad_row"_s},
                                     {u"detail"_s, issue.detail}});
    for (const CsvRowIssue &issue : procs.skipped)
        warnings.append(QJsonObject {{u"source"_s, parser.value(u"procs"_s)},
                                     {u"line"_s, issue.line},
                                     {u"kind"_s, u"bad_row"_s},
                                     {u"detail"_s, issue.detail}});

    QJsonArray cgroups;
    for (std::size_t i = 0; i < samples.series.size(); ++i) {
        const RecordedSeries &series = samples.series[i];
        std::vector<const PlacedEvent *> kills;
        for (const PlacedEvent &e : events) {
            if (e.cgroup == i && e.wallMs && !series.samples.empty()
                && *e.wallMs >= series.samples.front().timestampMs - 60'000
                && *e.wallMs <= series.samples.back().timestampMs + 60'000)
                kills.push_back(&e);
        }
        std::sort(kills.begin(), kills.end(), [](auto *a, auto *b) { return *a->wallMs < *b->wallMs; });
        std::vector<qint64> killTimes;
        std::vector<std::int64_t> knownVictims;
        for (const PlacedEvent *e : kills) {
            killTimes.push_back(*e->wallMs);
            knownVictims.push_back(e->event.victim.present ? e->event.victim.pid : 0);
        }
        const Verdict verdict = classify(series.samples, {}, killTimes);
        std::int64_t limitBytes = 0;
        for (auto it = series.samples.rbegin(); it != series.samples.rend(); ++it) {
            if (MemorySample::known(it->limitBytes)) {
                limitBytes = it->limitBytes;
                break;
            }
        }
        // Process rows of this cgroup (rows without a cgroup belong to a single-cgroup recording).
        std::vector<ProcessSample> rows;
        for (const ProcessSample &p : procs.rows) {
            if (p.cgroup == series.cgroup || (p.cgroup.isEmpty() && samples.series.size() == 1))
                rows.push_back(p);
        }
        std::vector<std::optional<std::int64_t>> predicted;
        if (!rows.empty())
            predicted = predictVictimsForKills(rows, killTimes, limitBytes, knownVictims);

        QJsonObject o = verdictToJson(verdict);
        o[u"cgroup"_s] = series.cgroup;
        o[u"samples"_s] = qint64(series.samples.size());
        o[u"from_ms"_s] =
            series.samples.empty() ? QJsonValue() : QJsonValue(qint64(series.samples.front().timestampMs));
        o[u"to_ms"_s] =
            series.samples.empty() ? QJsonValue() : QJsonValue(qint64(series.samples.back().timestampMs));
        QJsonArray killArray;
        for (std::size_t k = 0; k < kills.size(); ++k) {
            QJsonObject e = eventToJson(kills[k]->event, kills[k]->decision);
            e[u"source"_s] = kills[k]->source;
            e[u"time_ms"_s] = *kills[k]->wallMs;
            e[u"time"_s] = QDateTime::fromMSecsSinceEpoch(*kills[k]->wallMs, QTimeZone::utc())
                               .toString(Qt::ISODateWithMs);
            const bool havePrediction = k < predicted.size() && predicted[k];
            e[u"predicted_selected_pid"_s] =
                havePrediction ? QJsonValue(qint64(*predicted[k])) : QJsonValue();
            e[u"prediction_agrees"_s] =
                havePrediction ? QJsonValue(*predicted[k] == knownVictims[k]) : QJsonValue();
            killArray.append(e);
        }
        o[u"kill_events"_s] = killArray;
        if (!rows.empty()) {
            const qint64 endMs = rows.back().timestampMs;
            std::vector<std::int64_t> killed;
            for (std::int64_t pid : knownVictims)
                killed.push_back(pid);
            const std::vector<ProcessSample> last = readingAtOrBefore(rows, endMs, killed);
            o[u"predicted_ranking"_s] = predictionToJson(predictVictim(last, limitBytes));
        } else {
            o[u"predicted_ranking"_s] = QJsonValue();
        }
        cgroups.append(o);

        if (!json) {
            out() << series.cgroup << ": " << verdictKindName(verdict.kind) << " (confidence "
                  << QString::number(verdict.confidence, 'f', 2) << ")\n    " << verdict.summary << "\n";
            if (verdict.timeToLimitS)
                out() << "    time to limit at the current slope: " << *verdict.timeToLimitS << " s\n";
            if (verdict.recommendedLimitBytes)
                out() << "    recommended limit: " << humanBytes(*verdict.recommendedLimitBytes) << "\n";
            for (const QString &w : verdict.warnings)
                out() << "    warning: " << w << "\n";
            for (std::size_t k = 0; k < kills.size(); ++k) {
                const OomEvent &e = kills[k]->event;
                out() << "    kill at "
                      << QDateTime::fromMSecsSinceEpoch(*kills[k]->wallMs, QTimeZone::utc())
                             .toString(Qt::ISODateWithMs)
                      << ": " << e.victim.comm << " (pid " << e.victim.pid << ")";
                if (k < predicted.size() && predicted[k])
                    out() << ", predicted pid " << *predicted[k];
                out() << "\n";
            }
        }
    }

    QJsonArray allEvents;
    for (const PlacedEvent &e : events) {
        QJsonObject o = eventToJson(e.event, e.decision);
        o[u"source"_s] = e.source;
        o[u"time_ms"_s] = e.wallMs ? QJsonValue(*e.wallMs) : QJsonValue();
        o[u"cgroup"_s] = e.cgroup ? QJsonValue(cgroupPaths[*e.cgroup]) : QJsonValue();
        allEvents.append(o);
    }
    if (json) {
        const QJsonObject root {
            {u"oomscope_json_version"_s, 1},
            {u"boot_time_ms"_s, bootTimeMs ? QJsonValue(*bootTimeMs) : QJsonValue()},
            {u"boot_time_source"_s, bootSource.isEmpty() ? QJsonValue() : QJsonValue(bootSource)},
            {u"cgroups"_s, cgroups},
            {u"events"_s, allEvents},
            {u"warnings"_s, warnings}};
        out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
    }
    out().flush();
    return 0;
}

int analyze(const QStringList &args)
{
    using namespace oomscope;
    QCommandLineParser parser;
    makeParser(parser, false, true);
    parser.addOption(
        {u"samples"_s, u"Samples CSV of a recording: print a verdict per cgroup."_s, u"FILE.csv"_s});
    parser.addOption({u"procs"_s, u"Per-process CSV of the recording: predicted victims."_s, u"FILE.csv"_s});
    parser.addOption({u"log"_s, u"Kernel log of the recorded node (repeatable)."_s, u"kernel.log"_s});
    parser.addOption({u"boot-time"_s, u"Boot time of the node (ISO-8601 or epoch)."_s, u"TIME"_s});
    parser.addPositionalArgument(u"FILE"_s, u"Kernel log(s); - for standard input."_s, u"FILE…"_s);
    parser.process(args);
    const QStringList files = parser.positionalArguments();
    const bool json = parser.isSet(u"json"_s);
    if (parser.isSet(u"samples"_s))
        return analyzeRecording(parser, json);
    if (parser.isSet(u"procs"_s))
        return fail(u"analyze: --procs needs the --samples of the same recording"_s);
    if (files.isEmpty())
        return fail(u"analyze: no input file (use - for standard input)"_s);

    QJsonArray events;
    QJsonArray warnings;
    QJsonArray sources;
    int index = 0;
    for (const QString &file : files) {
        OpenedLog log = openLog(file);
        if (!log.device)
            return fail(log.error);
        const ParseResult result = OomReportParser().parse(*log.device);
        if (!result.error.isEmpty())
            return fail(log.displayName + u": "_s + result.error);
        sources.append(QJsonObject {{u"name"_s, log.displayName},
                                    {u"bytes"_s, result.bytesRead},
                                    {u"lines"_s, result.linesRead},
                                    {u"events"_s, qint64(result.events.size())}});
        for (const OomEvent &e : result.events) {
            const KillDecision d = decideKill(e);
            ++index;
            if (json) {
                QJsonObject o = eventToJson(e, d);
                o[u"source"_s] = log.displayName;
                events.append(o);
            } else {
                if (files.size() > 1 && &e == &result.events.front())
                    out() << "== " << log.displayName << "\n";
                printEventText(e, d, index);
            }
        }
        for (const ParseWarning &w : result.warnings) {
            if (json) {
                QJsonObject o = warningToJson(w);
                o[u"source"_s] = log.displayName;
                warnings.append(o);
            } else {
                err() << log.displayName << ":" << w.line << ": warning: " << parseWarningKindName(w.kind)
                      << ": " << w.detail << Qt::endl;
            }
        }
    }
    if (json) {
        const QJsonObject root {{u"oomscope_json_version"_s, 1},
                                {u"sources"_s, sources},
                                {u"events"_s, events},
                                {u"warnings"_s, warnings}};
        out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
    } else if (index == 0) {
        out() << "No OOM-killer report found.\n";
    }
    out().flush();
    return 0;
}

bool openWorkspace(oomscope::Workspace &ws, const QCommandLineParser &parser)
{
    const QString path = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : oomscope::Workspace::defaultPath();
    if (const oomscope::Result<void> opened = ws.open(path); !opened) {
        fail(u"cannot open workspace %1: %2"_s.arg(path, opened.error().message));
        return false;
    }
    return true;
}

// --boot-time accepts ISO-8601 or epoch seconds/milliseconds, like the CSV timestamp column.
std::optional<qint64> parseBootTime(const QString &text)
{
    return oomscope::parseCsvTimestampMs(text.toUtf8());
}

int import(const QStringList &args)
{
    using namespace oomscope;
    QCommandLineParser parser;
    makeParser(parser, true, false);
    parser.addOption({u"samples"_s, u"Samples CSV of a recording."_s, u"FILE.csv"_s});
    parser.addOption({u"procs"_s, u"Per-process CSV of the same recording."_s, u"FILE.csv"_s});
    parser.addOption({u"log"_s, u"Kernel log of the same node (repeatable)."_s, u"kernel.log"_s});
    parser.addOption({u"host"_s, u"Host the samples were recorded on."_s, u"NAME"_s});
    parser.addOption({u"boot-time"_s,
                      u"Boot time of the node (ISO-8601 or epoch), to place dmesg "
                      u"events when the samples carry no boottime_s."_s,
                      u"TIME"_s});
    parser.addPositionalArgument(u"FILE"_s, u"Kernel log(s) to import."_s, u"[FILE…]"_s);
    parser.process(args);
    const QStringList files = parser.positionalArguments();
    const bool recording = parser.isSet(u"samples"_s) || parser.isSet(u"procs"_s);
    if (files.isEmpty() && !recording && !parser.isSet(u"log"_s))
        return fail(u"import: nothing to import (give kernel logs, or --samples FILE.csv)"_s);
    if (parser.isSet(u"procs"_s) && !parser.isSet(u"samples"_s))
        return fail(u"import: --procs needs the --samples of the same recording"_s);
    std::optional<qint64> bootTimeMs;
    if (parser.isSet(u"boot-time"_s)) {
        bootTimeMs = parseBootTime(parser.value(u"boot-time"_s));
        if (!bootTimeMs)
            return fail(u"import: --boot-time '%1' is not ISO-8601 or epoch seconds/milliseconds"_s.arg(
                parser.value(u"boot-time"_s)));
    }
    Workspace ws;
    if (!openWorkspace(ws, parser))
        return 2;

    if (recording || bootTimeMs) {
        SampleStore store(ws);
        RecordingImportRequest request;
        request.samplesPath = parser.value(u"samples"_s);
        request.procsPath = parser.value(u"procs"_s);
        request.logPaths = parser.values(u"log"_s) + files;
        request.host = parser.value(u"host"_s);
        request.bootTimeMs = bootTimeMs;
        const RecordingImportResult r = importRecording(ws, store, request);
        if (r.samples) {
            if (r.samples->alreadyImported)
                out() << request.samplesPath << ": already in the workspace, nothing added\n";
            else
                out() << request.samplesPath << ": " << r.samples->samplesAdded << " sample(s) in "
                      << r.samples->seriesIds.size() << " series, " << r.samples->skippedRows
                      << " bad row(s) skipped\n";
            for (const CsvRowIssue &issue : r.samples->warnings)
                err() << request.samplesPath << ":" << issue.line << ": skipped: " << issue.detail
                      << Qt::endl;
        }
        if (r.procs) {
            if (r.procs->alreadyImported)
                out() << request.procsPath << ": already in the workspace, nothing added\n";
            else
                out() << request.procsPath << ": " << r.procs->rowsAdded << " process row(s), "
                      << r.procs->skippedRows << " bad row(s) skipped\n";
            for (const CsvRowIssue &issue : r.procs->warnings)
                err() << request.procsPath << ":" << issue.line << ": skipped: " << issue.detail << Qt::endl;
        }
        for (const auto &[log, lr] : r.logs) {
            if (lr.alreadyImported)
                out() << log << ": already in the workspace, nothing added\n";
            else
                out() << log << ": " << lr.eventsAdded << " OOM event(s) added, " << lr.warnings.size()
                      << " warning(s)\n";
        }
        if (!r.logs.empty())
            out() << r.eventsPlaced << " event(s) placed on the samples' timeline"
                  << (r.bootTimeMs ? u" (boot time from "_s + r.bootTimeSource + u")"_s : QString()) << "\n";
        for (const QString &m : r.messages)
            out() << "note: " << m << "\n";
        out() << "workspace: " << ws.path() << "\n";
        out().flush();
        if (!r.ok)
            return fail(r.error, 1);
        return 0;
    }

    int failures = 0;
    for (const QString &file : files + parser.values(u"log"_s)) {
        const ImportResult r = ws.importLogFile(file);
        if (!r.ok) {
            err() << "oomscope-cli: " << file << ": " << r.error << Qt::endl;
            ++failures;
            continue;
        }
        if (r.alreadyImported)
            out() << file << ": already in the workspace, nothing added\n";
        else
            out() << file << ": " << r.eventsAdded << " OOM event(s) added, " << r.warnings.size()
                  << " warning(s)\n";
    }
    out() << "workspace: " << ws.path() << "\n";
    out().flush();
    return failures ? 1 : 0;
}

// Writes stored samples back out in the recording format, so what was sampled live or attached
// from a node can be shared, archived or re-imported elsewhere.
int exportSamples(const QStringList &args)
{
    using namespace oomscope;
    QCommandLineParser parser;
    makeParser(parser, true, false);
    parser.addOption({u"output"_s, u"Samples CSV to write (- for standard output)."_s, u"FILE.csv"_s});
    parser.addOption({u"procs"_s, u"Also write the per-process samples to this CSV."_s, u"FILE.csv"_s});
    parser.addOption({u"cgroup"_s, u"Only this cgroup path (repeatable; default: all)."_s, u"PATH"_s});
    parser.addOption({u"host"_s, u"Only series of this host."_s, u"NAME"_s});
    parser.addOption({u"from"_s, u"Start time (ISO-8601 or epoch)."_s, u"T"_s});
    parser.addOption({u"to"_s, u"End time (ISO-8601 or epoch)."_s, u"T"_s});
    parser.process(args);
    if (!parser.isSet(u"output"_s))
        return fail(u"export: --output FILE.csv is required"_s);
    std::int64_t fromMs = std::numeric_limits<std::int64_t>::min();
    std::int64_t toMs = std::numeric_limits<std::int64_t>::max();
    for (const auto &[option, target] : {std::pair {u"from"_s, &fromMs}, std::pair {u"to"_s, &toMs}}) {
        if (!parser.isSet(option))
            continue;
        const std::optional<qint64> ms = parseCsvTimestampMs(parser.value(option).toUtf8());
        if (!ms)
            return fail(u"export: --%1 '%2' is not ISO-8601 or epoch seconds/milliseconds"_s.arg(
                option, parser.value(option)));
        *target = *ms;
    }
    Workspace ws;
    if (!openWorkspace(ws, parser))
        return 2;
    SampleStore store(ws);
    const QStringList cgroups = parser.values(u"cgroup"_s);
    std::vector<RecordedSeries> series;
    std::vector<ProcessSample> processes;
    for (const SeriesInfo &info : store.series()) {
        if ((!cgroups.isEmpty() && !cgroups.contains(info.cgroupPath))
            || (parser.isSet(u"host"_s) && info.host != parser.value(u"host"_s)))
            continue;
        RecordedSeries out;
        out.cgroup = info.cgroupPath;
        out.samples = store.samples(info.id, fromMs, toMs);
        if (out.samples.empty())
            continue;
        if (parser.isSet(u"procs"_s)) {
            for (ProcessSample p : store.processSamples(info.id, fromMs, toMs)) {
                p.cgroup = info.cgroupPath;
                processes.push_back(std::move(p));
            }
        }
        series.push_back(std::move(out));
    }
    if (series.empty())
        return fail(u"export: no samples match (see oomscope-cli events, or check --cgroup/--from/--to)"_s,
                    1);

    const auto write = [](const QString &path, const auto &writer) -> QString {
        QFile file;
        const bool opened = path == u"-"_s
            ? file.open(stdout, QIODevice::WriteOnly)
            : (file.setFileName(path), file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        if (!opened)
            return u"cannot write %1: %2"_s.arg(path, file.errorString());
        QString error;
        if (!writer(file, &error))
            return path + u": "_s + error;
        return QString();
    };
    QString error = write(parser.value(u"output"_s), [&](QIODevice &out, QString *e) {
        return writeSamplesCsv(out, std::span<const RecordedSeries>(series), e);
    });
    if (error.isEmpty() && parser.isSet(u"procs"_s)) {
        std::stable_sort(
            processes.begin(), processes.end(),
            [](const ProcessSample &a, const ProcessSample &b) { return a.timestampMs < b.timestampMs; });
        error = write(parser.value(u"procs"_s), [&](QIODevice &out, QString *e) {
            return writeProcsCsv(out, std::span<const ProcessSample>(processes), e);
        });
    }
    if (!error.isEmpty())
        return fail(u"export: "_s + error, 1);
    if (parser.value(u"output"_s) != u"-"_s) {
        qint64 count = 0;
        for (const RecordedSeries &s : series)
            count += qint64(s.samples.size());
        out() << count << " sample(s) of " << series.size() << " cgroup(s) written to "
              << parser.value(u"output"_s) << "\n";
        out().flush();
    }
    return 0;
}

int listEvents(const QStringList &args)
{
    using namespace oomscope;
    QCommandLineParser parser;
    makeParser(parser, true, true);
    parser.process(args);
    Workspace ws;
    if (!openWorkspace(ws, parser))
        return 2;
    const std::vector<EventSummary> events = ws.events();
    if (parser.isSet(u"json"_s)) {
        QJsonArray arr;
        for (const EventSummary &e : events) {
            arr.append(QJsonObject {
                {u"id"_s, e.id},
                {u"source_id"_s, e.sourceId},
                {u"host"_s, e.host},
                {u"time"_s, e.wallTime ? QJsonValue(e.wallTime->toString(Qt::ISODateWithMs)) : QJsonValue()},
                {u"uptime_s"_s, e.uptimeSeconds ? QJsonValue(*e.uptimeSeconds) : QJsonValue()},
                {u"constraint"_s, e.constraint},
                {u"oom_memcg"_s, e.oomMemcg},
                {u"limit_kb"_s, e.limitKb},
                {u"usage_kb"_s, e.usageKb},
                {u"victim_pid"_s, e.victimPid},
                {u"victim_comm"_s, e.victimComm},
                {u"agrees"_s, e.agrees},
                {u"complete"_s, e.complete},
            });
        }
        out() << QJsonDocument(QJsonObject {{u"events"_s, arr}}).toJson(QJsonDocument::Indented);
    } else {
        for (const EventSummary &e : events) {
            out() << e.id << "\t"
                  << (e.wallTime ? e.wallTime->toString(Qt::ISODate)
                                 : (e.uptimeSeconds ? QString::number(*e.uptimeSeconds, 'f', 3) : QString()))
                  << "\t" << (e.host.isEmpty() ? u"-"_s : e.host) << "\t"
                  << (e.oomMemcg.isEmpty() ? e.constraint : e.oomMemcg) << "\t" << e.victimComm << "("
                  << e.victimPid << ")\n";
        }
        out() << events.size() << " event(s) in " << ws.path() << "\n";
    }
    out().flush();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"oomscope"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(OOMSCOPE_VERSION));

    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args.at(1) == u"-h"_s || args.at(1) == u"--help"_s || args.at(1) == u"help"_s) {
        std::fputs(usageText, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args.at(1) == u"-v"_s || args.at(1) == u"--version"_s) {
        out() << "oomscope-cli " << QCoreApplication::applicationVersion() << Qt::endl;
        return 0;
    }
    const QString command = args.takeAt(1);
    if (command == u"analyze"_s)
        return analyze(args);
    if (command == u"import"_s)
        return import(args);
    if (command == u"events"_s)
        return listEvents(args);
    if (command == u"export"_s)
        return exportSamples(args);
    if (command == u"report"_s)
        return oomscope::forwardToReport(args.mid(1)); // the renderer links widgets; the CLI does not
    if (command == u"attach"_s)
        return oomscope::runAttachCommand(args);
    if (command == u"attach-metrics"_s)
        return oomscope::runAttachMetricsCommand(args);
    if (command == u"import-prometheus"_s)
        return oomscope::runImportPrometheusCommand(args);
    return fail(u"unknown command '%1' (see oomscope-cli --help)"_s.arg(command));
}
