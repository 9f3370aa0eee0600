// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli analyze`: every OOM kill in saved kernel logs, explained (text or JSON); with
// --samples, a verdict per cgroup of a recording (analyzerecording.cpp).
#include "analyzerecording.h"
#include "clicommon.h"
#include "commands.h"
#include "deathinputs.h"
#include "deathjson.h"
#include "eventjson.h"
#include "killdecision.h"
#include "logsource.h"
#include "oomreportparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <numeric>

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
}

// What analyzing the logs found so far; JSON parts stay empty in text mode.
struct LogAnalysis {
    bool json = false;
    bool severalFiles = false;
    int index = 0;
    QJsonArray events;
    QJsonArray warnings;
    QJsonArray sources;
};

void reportParsedLog(LogAnalysis &a, const QString &name, const ParseResult &result)
{
    a.sources.append(QJsonObject {{u"name"_s, name},
                                  {u"bytes"_s, result.bytesRead},
                                  {u"lines"_s, result.linesRead},
                                  {u"events"_s, qint64(result.events.size())}});
    for (const OomEvent &e : result.events) {
        const KillDecision d = decideKill(e);
        ++a.index;
        if (a.json) {
            QJsonObject o = eventToJson(e, d);
            o[u"source"_s] = name;
            a.events.append(o);
        } else {
            if (a.severalFiles && &e == &result.events.front())
                out() << "== " << name << "\n";
            printEventText(e, d, a.index);
        }
    }
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

// The deaths table after the events: every death, whoever killed it (text mode: one line each).
void printDeathsText(const std::vector<Death> &deaths)
{
    if (deaths.empty())
        return;
    out() << "\nDeaths:\n";
    for (const Death &d : deaths) {
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
}

int analyzeLogs(const QStringList &files, bool json)
{
    LogAnalysis a;
    a.json = json;
    a.severalFiles = files.size() > 1;
    DeathCollector deaths;
    for (const QString &file : files) {
        OpenedLog log = openLog(file);
        if (!log.device)
            return errorExit(log.error);
        const Result<bool> kube = deaths.takeKubeRecord(log);
        if (!kube)
            return errorExit(kube.error().message);
        if (*kube)
            continue;
        const ParseResult result = OomReportParser().parse(*log.device, {}, deaths.sinks());
        if (!result.error.isEmpty())
            return errorExit(log.displayName + u": "_s + result.error);
        std::vector<qint64> ids(result.events.size());
        std::iota(ids.begin(), ids.end(), qint64(a.index + 1));
        deaths.finishLog(log.displayName, result, ids);
        reportParsedLog(a, log.displayName, result);
    }
    const std::vector<Death> table = deaths.deaths();
    if (json) {
        QJsonArray deathsJson;
        for (const Death &d : table)
            deathsJson.append(deathToJson(d));
        const QJsonObject root {{u"oomscope_json_version"_s, 2},
                                {u"sources"_s, a.sources},
                                {u"events"_s, a.events},
                                {u"warnings"_s, a.warnings},
                                {u"deaths"_s, deathsJson}};
        out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
    } else {
        if (a.index == 0)
            out() << "No OOM-killer report found.\n";
        printDeathsText(table);
    }
    out().flush();
    return 0;
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
