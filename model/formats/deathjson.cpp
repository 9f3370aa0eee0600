// SPDX-License-Identifier: GPL-3.0-or-later
#include "deathjson.h"

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QJsonValue textOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

} // namespace

QJsonArray evidenceToJson(const std::vector<DeathEvidence> &evidence)
{
    QJsonArray a;
    for (const DeathEvidence &e : evidence)
        a.append(QJsonObject {{u"source"_s, e.source},
                              {u"line"_s, e.line > 0 ? QJsonValue(e.line) : QJsonValue(QJsonValue::Null)},
                              {u"text"_s, e.text}});
    return a;
}

std::vector<DeathEvidence> evidenceFromJson(const QJsonArray &array)
{
    std::vector<DeathEvidence> evidence;
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        evidence.push_back({o.value(u"source"_s).toString(), qint64(o.value(u"line"_s).toDouble()),
                            o.value(u"text"_s).toString()});
    }
    return evidence;
}

QJsonObject deathToJson(const Death &d)
{
    const QJsonValue null(QJsonValue::Null);
    QJsonObject o;
    o[u"time"_s] = d.time ? QJsonValue(d.time->toString(Qt::ISODateWithMs)) : null;
    o[u"uptime_s"_s] = d.uptimeSeconds ? QJsonValue(*d.uptimeSeconds) : null;
    o[u"killer"_s] = killerKey(d.killer);
    o[u"node"_s] = textOrNull(d.node);
    o[u"namespace"_s] = textOrNull(d.namespaceName);
    o[u"pod"_s] = textOrNull(d.pod);
    o[u"container"_s] = textOrNull(d.container);
    o[u"pod_uid"_s] = textOrNull(d.podUid);
    o[u"container_id"_s] = textOrNull(d.containerId);
    o[u"cgroup"_s] = textOrNull(d.cgroup);
    o[u"pid"_s] = d.pid ? QJsonValue(qint64(*d.pid)) : null;
    o[u"comm"_s] = textOrNull(d.comm);
    o[u"exit_code"_s] = d.exitCode ? QJsonValue(*d.exitCode) : null;
    o[u"restart_count"_s] = d.restartCount ? QJsonValue(*d.restartCount) : null;
    o[u"confidence"_s] = confidenceKey(d.confidence);
    o[u"evidence"_s] = evidenceToJson(d.evidence);
    o[u"event_id"_s] = d.eventId ? QJsonValue(*d.eventId) : null;
    o[u"notes"_s] = QJsonArray::fromStringList(d.notes);
    return o;
}

Result<Death> deathFromJson(const QJsonObject &o)
{
    Death d;
    const std::optional<Killer> killer = killerFromKey(o.value(u"killer"_s).toString());
    if (!killer)
        return fail(Error::Kind::Invalid,
                    u"death: unknown killer \"%1\""_s.arg(o.value(u"killer"_s).toString()));
    d.killer = *killer;
    d.confidence = confidenceFromKey(o.value(u"confidence"_s).toString()).value_or(DeathConfidence::Low);
    if (o.value(u"time"_s).isString()) {
        const QDateTime t = QDateTime::fromString(o.value(u"time"_s).toString(), Qt::ISODateWithMs);
        if (t.isValid())
            d.time = t;
    }
    if (o.value(u"uptime_s"_s).isDouble())
        d.uptimeSeconds = o.value(u"uptime_s"_s).toDouble();
    d.node = o.value(u"node"_s).toString();
    d.namespaceName = o.value(u"namespace"_s).toString();
    d.pod = o.value(u"pod"_s).toString();
    d.container = o.value(u"container"_s).toString();
    d.podUid = o.value(u"pod_uid"_s).toString();
    d.containerId = o.value(u"container_id"_s).toString();
    d.cgroup = o.value(u"cgroup"_s).toString();
    d.comm = o.value(u"comm"_s).toString();
    if (o.value(u"pid"_s).isDouble())
        d.pid = std::int64_t(o.value(u"pid"_s).toDouble());
    if (o.value(u"exit_code"_s).isDouble())
        d.exitCode = o.value(u"exit_code"_s).toInt();
    if (o.value(u"restart_count"_s).isDouble())
        d.restartCount = o.value(u"restart_count"_s).toInt();
    if (o.value(u"event_id"_s).isDouble())
        d.eventId = qint64(o.value(u"event_id"_s).toDouble());
    d.evidence = evidenceFromJson(o.value(u"evidence"_s).toArray());
    for (const QJsonValue &n : o.value(u"notes"_s).toArray())
        d.notes.append(n.toString());
    return d;
}

} // namespace oomscope
