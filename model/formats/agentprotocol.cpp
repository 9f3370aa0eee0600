// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentprotocol.h"

#include "eventjson.h"
#include "killdecision.h"
#include "podjson.h"
#include "samplefields.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QLatin1StringView key(std::string_view name)
{
    return QLatin1StringView(name.data(), qsizetype(name.size()));
}

void putKnown(QJsonObject &o, QLatin1StringView name, std::int64_t value)
{
    if (MemorySample::known(value))
        o.insert(name, qint64(value));
}

// A limit: absent = not measured, null = no limit.
void putLimit(QJsonObject &o, QLatin1StringView name, std::int64_t value)
{
    if (value == MemorySample::kUnlimited)
        o.insert(name, QJsonValue(QJsonValue::Null));
    else
        putKnown(o, name, value);
}

std::int64_t integerField(const QJsonObject &o, QLatin1StringView name, bool nullMeansUnlimited = false)
{
    const QJsonValue v = o.value(name);
    if (v.isNull() && nullMeansUnlimited && o.contains(name))
        return MemorySample::kUnlimited;
    if (!v.isDouble())
        return MemorySample::kUnknown;
    return v.toInteger(MemorySample::kUnknown);
}

// The measured fields of one sample; boottime_s falls back to the tick's clock.
void putSampleFields(QJsonObject &o, const MemorySample &m, double tickBoottimeSeconds)
{
    for (const SampleFieldInfo &f : kSampleFields) {
        if (f.integer && f.isLimit)
            putLimit(o, key(f.wireKey), m.*f.integer);
        else if (f.integer)
            putKnown(o, key(f.wireKey), m.*f.integer);
        else if (sampleFieldKnown(m, f))
            o.insert(key(f.wireKey), m.*f.seconds);
    }
    if (!m.hasBoottime())
        o.insert(key(sampleField(SampleField::Boottime).wireKey), tickBoottimeSeconds);
}

void takeSampleFields(const QJsonObject &o, MemorySample &m)
{
    for (const SampleFieldInfo &f : kSampleFields) {
        if (f.integer) {
            m.*f.integer = integerField(o, key(f.wireKey), f.isLimit);
        } else {
            const QJsonValue v = o.value(key(f.wireKey));
            if (v.isDouble())
                m.*f.seconds = v.toDouble();
        }
    }
}

QJsonObject processJson(const ProcessSample &p, const QString &recordCgroup)
{
    QJsonObject po {{u"pid"_s, qint64(p.pid)}, {u"comm"_s, p.comm}, {u"oom_score_adj"_s, p.oomScoreAdj}};
    for (const ProcessFieldInfo &f : kProcessKibFields)
        putKnown(po, key(f.wireKey), p.*f.kib);
    if (!p.cgroup.isEmpty() && p.cgroup != recordCgroup)
        po.insert("cgroup"_L1, p.cgroup);
    return po;
}

// A process of a sample record, stamped with the record's time and cgroup.
ProcessSample processFromJson(const QJsonObject &p, const FeedSample &record)
{
    ProcessSample ps;
    ps.timestampMs = record.sample.timestampMs;
    ps.boottimeSeconds = record.sample.boottimeSeconds;
    ps.cgroup = record.cgroup;
    ps.pid = p.value("pid"_L1).toInteger();
    ps.comm = p.value("comm"_L1).toString();
    for (const ProcessFieldInfo &f : kProcessKibFields)
        ps.*f.kib = integerField(p, key(f.wireKey));
    ps.oomScoreAdj = p.value("oom_score_adj"_L1).toInt();
    return ps;
}

} // namespace

QByteArray jsonLine(const QJsonObject &object)
{
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line.append('\n');
    return line;
}

QJsonObject helloFrameJson(const AgentHello &h)
{
    QJsonObject o {
        {u"type"_s, u"hello"_s},
        {u"protocol"_s, h.protocol},
        {u"agent_version"_s, h.agentVersion},
        {u"instance"_s, h.instance},
        {u"hostname"_s, h.hostname},
        {u"kernel_release"_s, h.kernelRelease},
        {u"timestamp"_s, h.timestampMs},
        {u"boottime_s"_s, h.boottimeSeconds},
        {u"cgroup_version"_s, h.cgroupVersion},
        {u"cgroup_root"_s, h.cgroupRoot},
        {u"cgroups"_s, h.cgroups},
        {u"interval_ms"_s, h.intervalMs},
        {u"heartbeat_ms"_s, h.heartbeatMs},
        {u"kmsg"_s, h.kmsg},
        {u"oldest_seq"_s, h.oldestSeq},
        {u"newest_seq"_s, h.newestSeq},
        {u"buffer_capacity"_s, h.bufferCapacity},
    };
    if (h.bootTimeMs)
        o.insert("boot_time_ms"_L1, *h.bootTimeMs);
    return o;
}

AgentHello helloFromJson(const QJsonObject &frame)
{
    AgentHello h;
    h.protocol = frame.value("protocol"_L1).toInt();
    h.agentVersion = frame.value("agent_version"_L1).toString();
    h.instance = frame.value("instance"_L1).toString();
    h.hostname = frame.value("hostname"_L1).toString();
    h.kernelRelease = frame.value("kernel_release"_L1).toString();
    if (frame.value("boot_time_ms"_L1).isDouble())
        h.bootTimeMs = frame.value("boot_time_ms"_L1).toInteger();
    h.timestampMs = frame.value("timestamp"_L1).toInteger();
    h.boottimeSeconds = frame.value("boottime_s"_L1).toDouble();
    h.cgroupVersion = frame.value("cgroup_version"_L1).toInt();
    h.cgroupRoot = frame.value("cgroup_root"_L1).toString();
    h.cgroups = frame.value("cgroups"_L1).toInteger();
    h.intervalMs = frame.value("interval_ms"_L1).toInt();
    h.heartbeatMs = frame.value("heartbeat_ms"_L1).toInt(AgentHello().heartbeatMs);
    h.kmsg = frame.value("kmsg"_L1).toBool();
    h.oldestSeq = frame.value("oldest_seq"_L1).toInteger();
    h.newestSeq = frame.value("newest_seq"_L1).toInteger();
    h.bufferCapacity = frame.value("buffer_capacity"_L1).toInteger();
    return h;
}

QJsonObject sampleRecordJson(const SampleBatch &batch, const SampledCgroup &cgroup)
{
    const MemorySample &m = cgroup.memory;
    QJsonObject o {
        {u"type"_s, u"sample"_s},
        {u"tick"_s, qint64(batch.tick)},
        {u"timestamp"_s, qint64(m.timestampMs ? m.timestampMs : batch.timestampMs)},
        {u"cgroup"_s, cgroup.path},
        {u"present"_s, cgroup.present},
    };
    if (!cgroup.error.isEmpty())
        o.insert("error"_L1, cgroup.error);
    putSampleFields(o, m, batch.boottimeSeconds);
    if (cgroup.oomKillDelta > 0)
        o.insert("oom_kill_delta"_L1, qint64(cgroup.oomKillDelta));
    if (!cgroup.processes.empty()) {
        QJsonArray procs;
        for (const ProcessSample &p : cgroup.processes)
            procs.append(processJson(p, cgroup.path));
        o.insert("processes"_L1, procs);
    }
    return o;
}

std::optional<FeedSample> feedSampleFromJson(const QJsonObject &record)
{
    if (!record.value("present"_L1).toBool(true) || !record.value("timestamp"_L1).isDouble())
        return std::nullopt;
    FeedSample out;
    out.seq = record.value("seq"_L1).toInteger();
    out.cgroup = record.value("cgroup"_L1).toString();
    out.sample.timestampMs = record.value("timestamp"_L1).toInteger();
    takeSampleFields(record, out.sample);

    const QJsonArray procs = record.value("processes"_L1).toArray();
    out.processes.reserve(procs.size());
    for (const QJsonValue &pv : procs) {
        ProcessSample ps = processFromJson(pv.toObject(), out);
        if (ps.pid > 0)
            out.processes.push_back(std::move(ps));
    }
    return out;
}

QJsonObject kmsgRecordJson(const KmsgFrame &record)
{
    return QJsonObject {
        {u"type"_s, u"kmsg"_s},
        {u"kmsg_seq"_s, qint64(record.kmsgSeq)},
        {u"usec"_s, qint64(record.usec)},
        {u"level"_s, record.level},
        {u"facility"_s, record.facility},
        // The kernel escapes non-printable bytes (\x0a), so the text is ASCII in practice;
        // anything else becomes U+FFFD rather than invalid JSON.
        {u"line"_s, QString::fromUtf8(record.line)},
    };
}

KmsgFrame kmsgFromJson(const QJsonObject &record)
{
    KmsgFrame k;
    k.kmsgSeq = record.value("kmsg_seq"_L1).toInteger();
    k.usec = record.value("usec"_L1).toInteger(-1);
    k.level = record.value("level"_L1).toInt();
    k.facility = record.value("facility"_L1).toInt();
    k.line = record.value("line"_L1).toString().toUtf8();
    return k;
}

QJsonObject oomEventRecordJson(const OomEvent &event, qint64 firstKmsgSeq)
{
    return QJsonObject {
        {u"type"_s, u"oom_event"_s},
        {u"kmsg_seq"_s, firstKmsgSeq},
        {u"event"_s, eventToJson(event, decideKill(event))},
    };
}

OomEventFrame oomEventFromJson(const QJsonObject &record)
{
    const QJsonObject event = record.value("event"_L1).toObject();
    OomEventFrame e;
    e.kmsgSeq = record.value("kmsg_seq"_L1).toInteger();
    e.victimPid = event.value("victim"_L1).toObject().value("pid"_L1).toInteger();
    e.lastLine = event.value("last_line"_L1).toInt(0);
    return e;
}

QJsonObject gapFrameJson(const FeedGap &gap)
{
    return QJsonObject {{u"type"_s, u"gap"_s}, {u"from"_s, gap.fromSeq}, {u"to"_s, gap.toSeq}};
}

FeedGap gapFromJson(const QJsonObject &frame)
{
    return FeedGap {frame.value("from"_L1).toInteger(), frame.value("to"_L1).toInteger()};
}

// ---- warning ---------------------------------------------------------------------------------

QJsonObject warningRecordJson(const EarlyWarning &w)
{
    QJsonObject o {{u"type"_s, u"warning"_s},
                   {u"cgroup"_s, w.cgroup},
                   {u"timestamp"_s, qint64(w.timestampMs)},
                   {u"source"_s, warningSourceName(w.source)},
                   {u"text"_s, earlyWarningText(w)}};
    if (w.secondsToLimit >= 0) {
        o.insert(u"seconds_to_limit"_s, w.secondsToLimit);
        o.insert(u"slope_bytes_per_s"_s, w.slopeBytesPerSecond);
    }
    const auto known = [&o](const char *key, std::int64_t v) {
        if (MemorySample::known(v) && v != MemorySample::kUnlimited)
            o.insert(QLatin1String(key), qint64(v));
    };
    known("usage_bytes", w.usageBytes);
    known("limit_bytes", w.limitBytes);
    known("unreclaimable_bytes", w.unreclaimableBytes);
    if (!w.signal.level.isEmpty())
        o.insert(u"level"_s, w.signal.level);
    known("threshold_bytes", w.signal.thresholdBytes);
    if (w.signal.count > 0)
        o.insert(u"count"_s, qint64(w.signal.count));
    if (w.source == WarningSource::Pressure)
        o.insert(u"avg10"_s, w.signal.avg10);
    if (w.victimPid > 0)
        o.insert(u"predicted_victim"_s,
                 QJsonObject {{u"pid"_s, qint64(w.victimPid)}, {u"comm"_s, w.victimComm}});
    return o;
}

std::optional<EarlyWarning> warningFromJson(const QJsonObject &o)
{
    const QString source = o.value(u"source"_s).toString();
    EarlyWarning w;
    bool found = false;
    for (WarningSource s : {WarningSource::Trend, WarningSource::PressureLevel, WarningSource::UsageThreshold,
                            WarningSource::EventsHigh, WarningSource::EventsMax, WarningSource::Pressure}) {
        if (warningSourceName(s) == source) {
            w.source = s;
            found = true;
        }
    }
    if (!found || o.value(u"type"_s).toString() != u"warning"_s)
        return std::nullopt;
    w.signal.source = w.source;
    w.cgroup = w.signal.cgroup = o.value(u"cgroup"_s).toString();
    w.timestampMs = w.signal.timestampMs = o.value(u"timestamp"_s).toInteger();
    w.secondsToLimit = o.value(u"seconds_to_limit"_s).toDouble(-1);
    w.slopeBytesPerSecond = o.value(u"slope_bytes_per_s"_s).toDouble(0);
    w.usageBytes = o.value(u"usage_bytes"_s).toInteger(MemorySample::kUnknown);
    w.limitBytes = o.value(u"limit_bytes"_s).toInteger(MemorySample::kUnknown);
    w.unreclaimableBytes = o.value(u"unreclaimable_bytes"_s).toInteger(MemorySample::kUnknown);
    w.signal.level = o.value(u"level"_s).toString();
    w.signal.thresholdBytes = o.value(u"threshold_bytes"_s).toInteger(MemorySample::kUnknown);
    w.signal.count = o.value(u"count"_s).toInteger(0);
    w.signal.avg10 = o.value(u"avg10"_s).toDouble(0);
    const QJsonObject victim = o.value(u"predicted_victim"_s).toObject();
    w.victimPid = victim.value(u"pid"_s).toInteger(0);
    w.victimComm = victim.value(u"comm"_s).toString();
    return w;
}

QJsonObject podsRecordJson(const std::vector<KubePod> &pods, qint64 timestampMs)
{
    QJsonArray items;
    for (const KubePod &pod : pods)
        items.append(podToJson(pod));
    return {{u"type"_s, u"pods"_s}, {u"timestamp"_s, timestampMs}, {u"pods"_s, items}};
}

std::vector<KubePod> podsFromJson(const QJsonObject &record, std::size_t maxPods)
{
    std::vector<KubePod> pods;
    const QJsonArray items = record.value("pods"_L1).toArray();
    for (const QJsonValue &item : items) {
        if (pods.size() >= maxPods)
            break;
        if (Result<KubePod> pod = podFromJson(item.toObject()))
            pods.push_back(std::move(*pod));
    }
    return pods;
}

} // namespace oomscope
