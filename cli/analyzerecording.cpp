// SPDX-License-Identifier: GPL-3.0-or-later
#include "analyzerecording.h"

#include "clicommon.h"
#include "eventjson.h"
#include "killdecision.h"
#include "logsource.h"
#include "meminfoparser.h"
#include "oomreportparser.h"
#include "prediction.h"
#include "recordingcsv.h"
#include "result.h"
#include "timeline.h"
#include "verdict.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

// Kills this far outside a cgroup's samples still belong to it.
constexpr qint64 kKillSlackMs = 60'000;

struct RecordingInput {
    QString samplesPath;
    SamplesCsvResult samples;
    QString procsPath;
    ProcsCsvResult procs;
};

struct BootTime {
    std::optional<qint64> ms;
    QString source;
};

// One OOM report of the logs, and which cgroup of the recording it belongs to.
struct PlacedEvent {
    OomEvent event;
    KillDecision decision;
    QString source;
    std::optional<qint64> wallMs;
    std::optional<std::size_t> cgroup;
};

struct PlacedLogs {
    std::vector<PlacedEvent> events;
    QJsonArray warnings;
};

// What the recording says about one cgroup.
struct CgroupAnalysis {
    const RecordedSeries *series = nullptr;
    std::vector<const PlacedEvent *> kills; // in time order
    std::vector<qint64> killTimes;
    std::vector<std::int64_t> knownVictims; // 0: the report named none
    Verdict verdict;
    std::int64_t limitBytes = 0;
    std::vector<ProcessSample> rows; // its process samples
    std::vector<std::optional<std::int64_t>> predicted; // per kill
    PredictionOptions prediction; // era and page size of the node
};

bool openInput(const QString &path, QFile &file)
{
    if (path == u"-"_s)
        return file.open(stdin, QIODevice::ReadOnly);
    file.setFileName(path);
    return file.open(QIODevice::ReadOnly);
}

Result<RecordingInput> readRecording(const QCommandLineParser &parser)
{
    RecordingInput in;
    in.samplesPath = parser.value(u"samples"_s);
    QFile samplesFile;
    if (!openInput(in.samplesPath, samplesFile))
        return fail(Error::Kind::Io, u"%1: cannot open: %2"_s.arg(in.samplesPath, samplesFile.errorString()));
    in.samples = readSamplesCsv(samplesFile, defaultCgroupForFile(in.samplesPath));
    if (!in.samples.error.isEmpty())
        return fail(Error::Kind::Invalid, in.samplesPath + u": "_s + in.samples.error);
    if (!parser.isSet(u"procs"_s))
        return in;
    in.procsPath = parser.value(u"procs"_s);
    QFile procsFile;
    if (!openInput(in.procsPath, procsFile))
        return fail(Error::Kind::Io, u"%1: cannot open: %2"_s.arg(in.procsPath, procsFile.errorString()));
    in.procs = readProcsCsv(procsFile);
    if (!in.procs.error.isEmpty())
        return fail(Error::Kind::Invalid, in.procsPath + u": "_s + in.procs.error);
    return in;
}

// --boot-time, else the boottime_s column of the first series that has one.
Result<BootTime> findBootTime(const QCommandLineParser &parser, const SamplesCsvResult &samples)
{
    BootTime boot;
    if (parser.isSet(u"boot-time"_s)) {
        boot.ms = parseTimeOption(parser.value(u"boot-time"_s));
        if (!boot.ms)
            return fail(Error::Kind::Invalid,
                        badTimeMessage(u"analyze"_s, u"boot-time"_s, parser.value(u"boot-time"_s)));
        boot.source = u"--boot-time"_s;
        return boot;
    }
    for (const RecordedSeries &series : samples.series) {
        if ((boot.ms = bootTimeMsFromSamples(series.samples))) {
            boot.source = u"boottime_s of the samples"_s;
            break;
        }
    }
    return boot;
}

Result<PlacedLogs> placeLogEvents(const QStringList &logPaths, std::optional<qint64> bootTimeMs,
                                  const std::vector<QString> &cgroupPaths)
{
    PlacedLogs placedLogs;
    for (const QString &logPath : logPaths) {
        OpenedLog log = openLog(logPath);
        if (!log.device)
            return fail(Error::Kind::Io, log.error);
        ParseResult parsed = OomReportParser().parse(*log.device);
        if (!parsed.error.isEmpty())
            return fail(Error::Kind::Invalid, log.displayName + u": "_s + parsed.error);
        for (OomEvent &e : parsed.events) {
            PlacedEvent placed;
            placed.decision = decideKill(e);
            placed.wallMs = eventWallTimeMs(e, bootTimeMs);
            placed.cgroup = cgroupIndexForEvent(e, cgroupPaths);
            placed.event = std::move(e);
            placed.source = log.displayName;
            placedLogs.events.push_back(std::move(placed));
        }
        for (const ParseWarning &w : parsed.warnings) {
            QJsonObject o = warningToJson(w);
            o[u"source"_s] = log.displayName;
            placedLogs.warnings.append(o);
        }
    }
    return placedLogs;
}

void appendRowWarnings(QJsonArray &warnings, const QString &source, const std::vector<CsvRowIssue> &issues)
{
    for (const CsvRowIssue &issue : issues)
        warnings.append(QJsonObject {{u"source"_s, source},
                                     {u"line"_s, issue.line},
                                     {u"kind"_s, u"bad_row"_s},
                                     {u"detail"_s, issue.detail}});
}

// The kills of cgroup `index` within its samples' time range (with slack), in time order.
std::vector<const PlacedEvent *> killsOf(const std::vector<PlacedEvent> &events, std::size_t index,
                                         const RecordedSeries &series)
{
    std::vector<const PlacedEvent *> kills;
    for (const PlacedEvent &e : events) {
        if (e.cgroup == index && e.wallMs && !series.samples.empty()
            && *e.wallMs >= series.samples.front().timestampMs - kKillSlackMs
            && *e.wallMs <= series.samples.back().timestampMs + kKillSlackMs)
            kills.push_back(&e);
    }
    std::sort(kills.begin(), kills.end(), [](auto *a, auto *b) { return *a->wallMs < *b->wallMs; });
    return kills;
}

std::int64_t lastKnownLimit(const RecordedSeries &series)
{
    for (auto it = series.samples.rbegin(); it != series.samples.rend(); ++it) {
        if (MemorySample::known(it->limitBytes))
            return it->limitBytes;
    }
    return 0;
}

CgroupAnalysis analyzeCgroup(const RecordingInput &in, std::size_t index,
                             const std::vector<PlacedEvent> &events)
{
    CgroupAnalysis a;
    a.series = &in.samples.series[index];
    a.kills = killsOf(events, index, *a.series);
    for (const PlacedEvent *e : a.kills) {
        a.killTimes.push_back(*e->wallMs);
        a.knownVictims.push_back(e->event.victim.present ? e->event.victim.pid : 0);
    }
    a.limitBytes = lastKnownLimit(*a.series);
    // Process rows of this cgroup (rows without a cgroup belong to a single-cgroup recording).
    for (const ProcessSample &p : in.procs.rows) {
        if (p.cgroup == a.series->cgroup || (p.cgroup.isEmpty() && in.samples.series.size() == 1))
            a.rows.push_back(p);
    }
    a.verdict = classify(a.series->samples, {}, a.killTimes, a.rows);
    // The node's kernel era and page size: from this cgroup's reports, else from any report of the
    // logs (one node), else the default (said in the notes).
    std::vector<OomEvent> reports;
    for (const PlacedEvent *e : a.kills)
        reports.push_back(e->event);
    if (reports.empty())
        for (const PlacedEvent &e : events)
            reports.push_back(e.event);
    a.prediction = predictionOptionsFromEvents(reports);
    if (!a.rows.empty())
        a.predicted = predictVictimsForKills(a.rows, a.killTimes, a.limitBytes, a.knownVictims, a.prediction);
    return a;
}

QString utcText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs);
}

QJsonObject predictionToJson(const PredictedRanking &p)
{
    QJsonArray ranking;
    for (const PredictedProcess &r : p.ranking) {
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
        {u"era"_s, badnessEraName(p.era)},
        {u"predicted_victim_pid"_s,
         p.predictedVictimPid ? QJsonValue(qint64(*p.predictedVictimPid)) : QJsonValue()},
        {u"ranking"_s, ranking},
        {u"notes"_s, QJsonArray::fromStringList(p.notes)},
    };
}

QJsonArray killsToJson(const CgroupAnalysis &a)
{
    QJsonArray killArray;
    for (std::size_t k = 0; k < a.kills.size(); ++k) {
        QJsonObject e = eventToJson(a.kills[k]->event, a.kills[k]->decision, parseMemInfo(a.kills[k]->event));
        e[u"source"_s] = a.kills[k]->source;
        e[u"time_ms"_s] = *a.kills[k]->wallMs;
        e[u"time"_s] = utcText(*a.kills[k]->wallMs);
        const bool havePrediction = k < a.predicted.size() && a.predicted[k];
        e[u"predicted_selected_pid"_s] = havePrediction ? QJsonValue(qint64(*a.predicted[k])) : QJsonValue();
        e[u"prediction_agrees"_s] =
            havePrediction ? QJsonValue(*a.predicted[k] == a.knownVictims[k]) : QJsonValue();
        killArray.append(e);
    }
    return killArray;
}

// Who would be killed if the limit were hit at the end of the recording (the known victims gone).
QJsonValue finalPredictionToJson(const CgroupAnalysis &a)
{
    if (a.rows.empty())
        return QJsonValue();
    const qint64 endMs = a.rows.back().timestampMs;
    const std::vector<ProcessSample> last = readingAtOrBefore(a.rows, endMs, a.knownVictims);
    return predictionToJson(predictVictim(last, a.limitBytes, a.prediction));
}

QJsonObject cgroupToJson(const CgroupAnalysis &a)
{
    const std::vector<MemorySample> &samples = a.series->samples;
    QJsonObject o = verdictToJson(a.verdict);
    o[u"cgroup"_s] = a.series->cgroup;
    o[u"samples"_s] = qint64(samples.size());
    o[u"from_ms"_s] = samples.empty() ? QJsonValue() : QJsonValue(qint64(samples.front().timestampMs));
    o[u"to_ms"_s] = samples.empty() ? QJsonValue() : QJsonValue(qint64(samples.back().timestampMs));
    o[u"kill_events"_s] = killsToJson(a);
    o[u"predicted_ranking"_s] = finalPredictionToJson(a);
    return o;
}

void printCgroupText(const CgroupAnalysis &a)
{
    const Verdict &verdict = a.verdict;
    out() << a.series->cgroup << ": " << verdictKindName(verdict.kind) << " (confidence "
          << QString::number(verdict.confidence, 'f', 2) << ")\n    " << verdict.summary << "\n";
    if (verdict.timeToLimitS)
        out() << "    time to limit at the current slope: " << *verdict.timeToLimitS << " s\n";
    if (verdict.recommendedLimitBytes)
        out() << "    recommended limit: " << humanBytes(*verdict.recommendedLimitBytes) << "\n";
    for (const QString &w : verdict.warnings)
        out() << "    warning: " << w << "\n";
    const std::vector<ProcessGrowth> &growth = verdict.growthByProcess.processes;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, growth.size()); ++i)
        out() << "    growth: " << growth[i].comm << " (pid " << growth[i].pid << ") "
              << QString::number(growth[i].slopeBytesPerS * 3600.0 / (1024.0 * 1024.0), 'f', 0) << " MiB/h, "
              << QString::number(growth[i].shareOfGrowth * 100.0, 'f', 0) << " % of the growth\n";
    for (std::size_t k = 0; k < a.kills.size(); ++k) {
        const OomEvent &e = a.kills[k]->event;
        out() << "    kill at " << utcText(*a.kills[k]->wallMs) << ": " << e.victim.comm << " (pid "
              << e.victim.pid << ")";
        if (k < a.predicted.size() && a.predicted[k])
            out() << ", predicted pid " << *a.predicted[k];
        out() << "\n";
    }
}

QJsonArray placedEventsToJson(const std::vector<PlacedEvent> &events, const std::vector<QString> &cgroupPaths)
{
    QJsonArray allEvents;
    for (const PlacedEvent &e : events) {
        QJsonObject o = eventToJson(e.event, e.decision, parseMemInfo(e.event));
        o[u"source"_s] = e.source;
        o[u"time_ms"_s] = e.wallMs ? QJsonValue(*e.wallMs) : QJsonValue();
        o[u"cgroup"_s] = e.cgroup ? QJsonValue(cgroupPaths[*e.cgroup]) : QJsonValue();
        allEvents.append(o);
    }
    return allEvents;
}

} // namespace

int analyzeRecording(const QCommandLineParser &parser, bool json)
{
    const Result<RecordingInput> in = readRecording(parser);
    if (!in)
        return errorExit(in.error().message);
    const Result<BootTime> boot = findBootTime(parser, in->samples);
    if (!boot)
        return errorExit(boot.error().message);
    std::vector<QString> cgroupPaths;
    for (const RecordedSeries &series : in->samples.series)
        cgroupPaths.push_back(series.cgroup);
    Result<PlacedLogs> logs =
        placeLogEvents(parser.values(u"log"_s) + parser.positionalArguments(), boot->ms, cgroupPaths);
    if (!logs)
        return errorExit(logs.error().message);
    appendRowWarnings(logs->warnings, in->samplesPath, in->samples.skipped);
    appendRowWarnings(logs->warnings, parser.value(u"procs"_s), in->procs.skipped);

    QJsonArray cgroups;
    for (std::size_t i = 0; i < in->samples.series.size(); ++i) {
        const CgroupAnalysis a = analyzeCgroup(*in, i, logs->events);
        cgroups.append(cgroupToJson(a));
        if (!json)
            printCgroupText(a);
    }
    if (json) {
        const QJsonObject root {
            {u"oomscope_json_version"_s, 2},
            {u"boot_time_ms"_s, boot->ms ? QJsonValue(*boot->ms) : QJsonValue()},
            {u"boot_time_source"_s, boot->source.isEmpty() ? QJsonValue() : QJsonValue(boot->source)},
            {u"cgroups"_s, cgroups},
            {u"events"_s, placedEventsToJson(logs->events, cgroupPaths)},
            {u"warnings"_s, logs->warnings}};
        out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
    }
    out().flush();
    return 0;
}

} // namespace oomscope::cli
