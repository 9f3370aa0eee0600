// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli events`: the events stored in a workspace, one line each or as JSON.
#include "clicommon.h"
#include "commands.h"
#include "workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

QJsonObject eventSummaryToJson(const EventSummary &e)
{
    return QJsonObject {
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
    };
}

void printEventLine(const EventSummary &e)
{
    out() << e.id << "\t"
          << (e.wallTime ? e.wallTime->toString(Qt::ISODate)
                         : (e.uptimeSeconds ? QString::number(*e.uptimeSeconds, 'f', 3) : QString()))
          << "\t" << (e.host.isEmpty() ? u"-"_s : e.host) << "\t"
          << (e.oomMemcg.isEmpty() ? e.constraint : e.oomMemcg) << "\t" << e.victimComm << "(" << e.victimPid
          << ")\n";
}

} // namespace

int runEvents(const QStringList &arguments)
{
    QCommandLineParser parser;
    setUpParser(parser, true, true);
    parser.process(arguments);
    Workspace ws;
    if (const int code = openWorkspace(ws, parser))
        return code;
    const std::vector<EventSummary> events = ws.events();
    if (parser.isSet(u"json"_s)) {
        QJsonArray arr;
        for (const EventSummary &e : events)
            arr.append(eventSummaryToJson(e));
        out() << QJsonDocument(QJsonObject {{u"events"_s, arr}}).toJson(QJsonDocument::Indented);
    } else {
        for (const EventSummary &e : events)
            printEventLine(e);
        out() << events.size() << " event(s) in " << ws.path() << "\n";
    }
    out().flush();
    return 0;
}

} // namespace oomscope::cli
