// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentprotocol.h"

#include "eventjson.h"
#include "killdecision.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

void putKnown(QJsonObject &o, QLatin1StringView key, std::int64_t value)
{
    if (MemorySample::known(value))
        o.insert(key, qint64(value));
}

// A limit: absent = not measured, null = no limit.
void putLimit(QJsonObject &o, QLatin1StringView key, std::int64_t value)
{
    if (value == MemorySample::kUnlimited)
        o.insert(key, QJsonValue(QJsonValue::Null));
    else
        putKnown(o, key, value);
}

} // namespace

QByteArray jsonLine(const QJsonObject &object)
{
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line.append('\n');
    return line;
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
    putKnown(o, "usage_bytes"_L1, m.usageBytes);
    putLimit(o, "limit_bytes"_L1, m.limitBytes);
    putLimit(o, "high_bytes"_L1, m.highBytes);
    putKnown(o, "anon_bytes"_L1, m.anonBytes);
    putKnown(o, "file_bytes"_L1, m.fileBytes);
    putKnown(o, "active_file_bytes"_L1, m.activeFileBytes);
    putKnown(o, "inactive_file_bytes"_L1, m.inactiveFileBytes);
    putKnown(o, "shmem_bytes"_L1, m.shmemBytes);
    putKnown(o, "kernel_bytes"_L1, m.kernelBytes);
    putKnown(o, "swap_bytes"_L1, m.swapBytes);
    putKnown(o, "failcnt"_L1, m.failcnt);
    putKnown(o, "oom_kill"_L1, m.oomKillCount);
    if (cgroup.oomKillDelta > 0)
        o.insert("oom_kill_delta"_L1, qint64(cgroup.oomKillDelta));
    o.insert("boottime_s"_L1, m.hasBoottime() ? m.boottimeSeconds : batch.boottimeSeconds);
    if (!cgroup.processes.empty()) {
        QJsonArray procs;
        for (const ProcessSample &p : cgroup.processes) {
            QJsonObject po {
                {u"pid"_s, qint64(p.pid)}, {u"comm"_s, p.comm}, {u"oom_score_adj"_s, p.oomScoreAdj}};
            putKnown(po, "rss_kb"_L1, p.rssKb);
            putKnown(po, "rss_anon_kb"_L1, p.rssAnonKb);
            putKnown(po, "rss_file_kb"_L1, p.rssFileKb);
            putKnown(po, "rss_shmem_kb"_L1, p.rssShmemKb);
            putKnown(po, "swap_kb"_L1, p.swapKb);
            putKnown(po, "pgtables_kb"_L1, p.pgtablesKb);
            if (!p.cgroup.isEmpty() && p.cgroup != cgroup.path)
                po.insert("cgroup"_L1, p.cgroup);
            procs.append(po);
        }
        o.insert("processes"_L1, procs);
    }
    return o;
}

QJsonObject kmsgRecordJson(const KmsgRecord &record)
{
    return QJsonObject {
        {u"type"_s, u"kmsg"_s},
        {u"kmsg_seq"_s, qint64(record.seq)},
        {u"usec"_s, qint64(record.usec)},
        {u"level"_s, record.level},
        {u"facility"_s, record.facility},
        // The kernel escapes non-printable bytes (\x0a), so the text is ASCII in practice;
        // anything else becomes U+FFFD rather than invalid JSON.
        {u"line"_s, QString::fromUtf8(record.line)},
    };
}

QJsonObject oomEventRecordJson(const OomEvent &event, qint64 firstKmsgSeq)
{
    return QJsonObject {
        {u"type"_s, u"oom_event"_s},
        {u"kmsg_seq"_s, firstKmsgSeq},
        {u"event"_s, eventToJson(event, decideKill(event))},
    };
}

} // namespace oomscope
