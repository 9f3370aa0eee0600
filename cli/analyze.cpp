// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli analyze`: every OOM kill in saved kernel logs, explained (text or JSON); with
// --samples, a verdict per cgroup of a recording (analyzerecording.cpp).
#include "analyzerecording.h"
#include "clicommon.h"
#include "commands.h"
#include "deathinputs.h"
#include "deathjson.h"
#include "eventjson.h"
#include "eventjsonwriter.h"
#include "handoff.h"
#include "killdecision.h"
#include "logsource.h"
#include "meminfoparser.h"
#include "memoryanatomy.h"
#include "oomreportparser.h"

#include <QJsonArray>
#include <QJsonObject>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdio>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

QString eventTimeText(const OomEvent &e)
{
    if (e.wallTime)
        return e.wallTime->toString(Qt::ISODate);
    if (e.uptimeSeconds)
        return u"%1 s after boot"_s.arg(*e.uptimeSeconds, 0, 'f', 3);
    return u"time unknown"_s;
}

// The first five of the recomputed ranking, one line each.
void printRanking(const KillDecision &d)
{
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

void printEventText(const OomEvent &e, const KillDecision &d, int index)
{
    const QString scope = e.constraint == Constraint::Memcg && !e.oomMemcg.isEmpty()
        ? u"memcg "_s + e.oomMemcg
        : constraintName(e.constraint);
    out() << "#" << index << "  " << eventTimeText(e);
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
    printRanking(d);
    // What filled the memory (Mem-Info / memcg stats), as anatomyexplanation.cpp words it.
    for (const QString &statement : analyseMemory(e, parseMemInfo(e)).statements)
        out() << "    memory: " << statement << "\n";
}

// The JSON document of `analyze --json`, written as it is produced so memory does not grow with
// the number of events: one RapidJSON writer (4-space indent) over a buffered stdout for the
// whole document. Key order: `events` first, each event written by writeEventMembers() as soon
// as the parser hands it over and flushed, so a reader sees whole events; then what is only
// known at the end (`oomscope_json_version`, `sources`, `warnings`, then any trailing arrays).
class JsonEventStream
{
public:
    JsonEventStream()
        : m_stream(stdout)
        , m_writer(m_stream)
    { }

    void begin()
    {
        // Whatever the text stream holds goes out first; from here on only the writer writes.
        out().flush();
        m_writer.StartObject();
        writeJsonKey(m_writer, "events");
        m_writer.StartArray();
        flush();
    }

    void event(const QString &source, const OomEvent &e, const KillDecision &d)
    {
        m_writer.StartObject();
        writeJsonKey(m_writer, "source");
        writeJsonString(m_writer, source);
        writeEventMembers(m_writer, e, d, parseMemInfo(e));
        m_writer.EndObject();
        flush();
    }

    // Closes `events` and writes the top-level values known only now, each a (key, value) pair
    // in the order given, then opens `deaths`, written one death at a time (tens of thousands of
    // kills are not built into one array first).
    void beginDeaths(const std::vector<std::pair<QString, QJsonValue>> &trailing)
    {
        m_writer.EndArray();
        for (const auto &[key, value] : trailing) {
            writeJsonString(m_writer, key);
            writeJsonValue(m_writer, value);
        }
        writeJsonKey(m_writer, "deaths");
        m_writer.StartArray();
    }

    void death(const Death &d) { writeJsonValue(m_writer, deathToJson(d)); }

    void end()
    {
        m_writer.EndArray();
        m_writer.EndObject();
        m_stream.Put('\n');
        flush();
    }

private:
    void flush() { m_stream.Flush(); }

    JsonFileStream m_stream;
    PrettyJsonFileWriter m_writer;
};

// What analyzing the logs found so far; the JSON arrays stay empty in text mode. Events are not
// kept: each is printed as the parser hands it over.
struct LogAnalysis {
    bool json = false;
    bool severalFiles = false;
    int index = 0; // events handed over so far (the parser's thread)
    JsonEventStream stream; // the consumer's thread only, until it has finished
    QJsonArray warnings;
    QJsonArray sources;
};

// One event on its way from the parser to the printing thread.
struct PendingEvent {
    QString source;
    qint64 indexInFile = 0;
    int index = 0;
    OomEvent event;
};

// On the consumer's thread: the kill decision, then the event printed.
void reportEvent(LogAnalysis &a, const PendingEvent &p)
{
    const KillDecision d = decideKill(p.event);
    if (a.json) {
        a.stream.event(p.source, p.event, d);
        return;
    }
    if (a.severalFiles && p.indexInFile == 0)
        out() << "== " << p.source << "\n";
    printEventText(p.event, d, p.index);
    out().flush();
}

// The parser reads and splits the logs on the calling thread while the events it has handed
// over are decided and printed on another, in order: on a report-heavy log each side is about
// half the work. At most this many events wait, so memory does not grow with the log.
constexpr std::size_t kEventsInFlight = 16;
using EventPipeline = Handoff<PendingEvent>;

void reportParsedLog(LogAnalysis &a, const QString &name, const ParseResult &result, qint64 events)
{
    a.sources.append(QJsonObject {{u"name"_s, name},
                                  {u"bytes"_s, result.bytesRead},
                                  {u"lines"_s, result.linesRead},
                                  {u"events"_s, events}});
    for (const ParseWarning &w : result.warnings) {
        if (a.json) {
            QJsonObject o = warningToJson(w);
            o[u"source"_s] = name;
            a.warnings.append(o);
        } else {
            err() << name << ":" << w.line << ": warning: " << parseWarningKindName(w.kind) << ": "
                  << w.detail << Qt::endl;
        }
    }
}

// Parses one log, printing each event as soon as its report ends; the events are not kept, only
// what the deaths table joins (the kill's facts and the other killers' lines).
QString analyzeOneLog(LogAnalysis &a, OpenedLog &log, DeathCollector &deaths, EventPipeline &pipeline)
{
    qint64 events = 0;
    ParseSinks sinks = deaths.sinks();
    sinks.onEvent = [&](OomEvent &&event) {
        ++a.index;
        if (std::optional<KernelKill> kill = kernelKillOf(event, a.index, log.displayName))
            deaths.addKernelKill(std::move(*kill));
        pipeline.push({log.displayName, events++, a.index, std::move(event)});
    };
    // Raw lines are kept: the memory anatomy is read from them (parseMemInfo); each event's are
    // freed once it is printed.
    // The task rows' text is never read here (the rows are parsed into each event's tasks).
    ParseOptions options;
    options.keepTaskRowLines = false;
    const ParseResult result = OomReportParser(options).parse(*log.device, {}, sinks);
    deaths.finishLog(log.displayName, result, {});
    if (!result.error.isEmpty())
        return log.displayName + u": "_s + result.error;
    reportParsedLog(a, log.displayName, result, events);
    return {};
}

// One row of the deaths table after the events, whoever killed it (text mode: one line each).
void printDeathText(const Death &d)
{
    out() << "  " << (d.time ? d.time->toString(Qt::ISODate) : u"time unknown"_s) << "  "
          << killerKey(d.killer);
    const QString where = QStringList {d.namespaceName, d.pod, d.container}.join(u'/');
    if (where != u"//"_s)
        out() << "  " << where;
    if (d.pid)
        out() << "  " << d.comm << " (pid " << *d.pid << ")";
    out() << "  [" << confidenceKey(d.confidence) << "]\n";
    for (const QString &n : d.notes)
        out() << "    " << n << "\n";
}

int analyzeLogs(const QStringList &files, bool json)
{
    // Every input is opened before anything is printed: a missing file fails with empty stdout.
    std::vector<OpenedLog> logs;
    for (const QString &file : files) {
        logs.push_back(openLog(file));
        if (!logs.back().device)
            return errorExit(logs.back().error);
    }
    LogAnalysis a;
    a.json = json;
    a.severalFiles = files.size() > 1;
    if (json) {
#ifdef __GLIBC__
        // Each event's decision and memory anatomy are built and freed in turn: keep the freed
        // memory for the next one instead of returning it to the kernel and faulting it in again
        // (1 GiB report-heavy log: 4.5 k minor faults instead of 28 k, the same peak RSS).
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
        a.stream.begin();
    }
    QString error;
    DeathCollector deaths;
    EventPipeline pipeline(kEventsInFlight, [&a](PendingEvent &&p) { reportEvent(a, p); });
    for (OpenedLog &log : logs) {
        const Result<bool> kube = deaths.takeKubeRecord(log);
        if (!kube)
            error = kube.error().message;
        else if (!*kube)
            error = analyzeOneLog(a, log, deaths, pipeline);
        log.device.reset();
        if (!error.isEmpty())
            break;
    }
    pipeline.finish(); // every event printed: from here on this thread writes the output
    // The deaths table is written row by row as it is built (DeathCollector::forEachDeath).
    Result<void> table;
    if (json) {
        // Even after an error the document is closed, so what was printed stays valid JSON.
        a.stream.beginDeaths(
            {{u"oomscope_json_version"_s, 2}, {u"sources"_s, a.sources}, {u"warnings"_s, a.warnings}});
        table = deaths.forEachDeath([&a](Death &&d) { a.stream.death(d); });
        a.stream.end();
    } else {
        if (a.index == 0 && error.isEmpty())
            out() << "No OOM-killer report found.\n";
        bool first = true;
        table = deaths.forEachDeath([&first](Death &&d) {
            if (std::exchange(first, false))
                out() << "\nDeaths:\n";
            printDeathText(d);
        });
    }
    out().flush();
    if (!error.isEmpty())
        return errorExit(error);
    // The temporary file of a big deaths table could not be written or read back ($TMPDIR).
    return table ? 0 : errorExit(table.error().message, ExitStorage);
}

} // namespace

int runAnalyze(const QStringList &arguments)
{
    QCommandLineParser parser;
    setUpParser(parser, false, true);
    parser.addOption(
        {u"samples"_s, u"Samples CSV of a recording: print a verdict per cgroup."_s, u"FILE.csv"_s});
    parser.addOption({u"procs"_s, u"Per-process CSV of the recording: predicted victims."_s, u"FILE.csv"_s});
    parser.addOption({u"log"_s, u"Kernel log of the recorded node (repeatable)."_s, u"kernel.log"_s});
    parser.addOption({u"boot-time"_s, u"Boot time of the node (ISO-8601 or epoch)."_s, u"TIME"_s});
    parser.addPositionalArgument(
        u"FILE"_s,
        u"Kernel logs, journals (json, export, files, directory), kubectl pod/event JSON or describe text; "
        u"- for standard input."_s,
        u"FILE…"_s);
    parser.process(arguments);
    const QStringList files = parser.positionalArguments();
    const bool json = parser.isSet(u"json"_s);
    if (parser.isSet(u"samples"_s))
        return analyzeRecording(parser, json);
    if (parser.isSet(u"procs"_s))
        return errorExit(u"analyze: --procs needs the --samples of the same recording"_s);
    if (files.isEmpty())
        return errorExit(u"analyze: no input file (use - for standard input)"_s);
    return analyzeLogs(files, json);
}

} // namespace oomscope::cli
