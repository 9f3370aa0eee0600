// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventjson.h"

#include "eventjsonwriter.h"
#include "memoryanatomy.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <limits>
#include <type_traits>

namespace oomscope {

namespace {

template<typename Writer> void writeInt(Writer &w, std::int64_t value)
{
    w.Int64(value);
}

template<typename Writer, typename T> void writeOptional(Writer &w, const std::optional<T> &value)
{
    if (value)
        w.Int64(static_cast<std::int64_t>(*value));
    else
        w.Null();
}

template<typename Writer> void writeBoolOrNull(Writer &w, const std::optional<bool> &value)
{
    if (value)
        w.Bool(*value);
    else
        w.Null();
}

// QJsonDocument prints a NaN or an infinity as null; RapidJSON would refuse them.
template<typename Writer> void writeDouble(Writer &w, double value)
{
    if (std::isfinite(value))
        w.Double(value);
    else
        w.Null();
}

template<typename Writer> void writeStringOrNull(Writer &w, const QString &s)
{
    if (s.isEmpty())
        w.Null();
    else
        writeJsonString(w, s);
}

template<typename Writer> void writeStringList(Writer &w, const QStringList &list)
{
    w.StartArray();
    for (const QString &s : list)
        writeJsonString(w, s);
    w.EndArray();
}

template<typename Writer> void writeIntList(Writer &w, const std::vector<std::int64_t> &list)
{
    w.StartArray();
    for (const std::int64_t v : list)
        w.Int64(v);
    w.EndArray();
}

template<typename Writer> void writeCounter(Writer &w, const CounterLine &c)
{
    if (!c.present) {
        w.Null();
        return;
    }
    w.StartObject();
    writeJsonKey(w, "usage_kb");
    writeInt(w, c.usageKb);
    writeJsonKey(w, "limit_kb");
    if (c.unlimited())
        w.Null();
    else
        writeInt(w, c.limitKb);
    writeJsonKey(w, "failcnt");
    writeInt(w, c.failcnt);
    w.EndObject();
}

const OomTask *findTask(const OomEvent &event, std::int64_t pid)
{
    for (const OomTask &t : event.tasks) {
        if (t.pid == pid)
            return &t;
    }
    for (const OomTask &t : event.tasks) {
        if (t.tgid == pid)
            return &t;
    }
    return nullptr;
}

template<typename Writer> void writeVictim(Writer &w, const OomEvent &event)
{
    const KilledProcess &v = event.victim;
    if (!v.present) {
        w.Null();
        return;
    }
    const OomTask *row = findTask(event, v.pid);
    std::optional<int> adj = v.oomScoreAdj;
    if (!adj && row)
        adj = row->oomScoreAdj;
    std::optional<std::int64_t> uid = v.uid;
    if (!uid && event.summaryUid && event.summaryPid == v.pid)
        uid = *event.summaryUid;
    if (!uid && row)
        uid = row->uid;
    w.StartObject();
    writeJsonKey(w, "pid");
    writeInt(w, v.pid);
    writeJsonKey(w, "comm");
    writeJsonString(w, v.comm);
    writeJsonKey(w, "uid");
    writeOptional(w, uid);
    writeJsonKey(w, "oom_score_adj");
    writeOptional(w, adj);
    writeJsonKey(w, "total_vm_kb");
    writeInt(w, v.totalVmKb);
    writeJsonKey(w, "anon_rss_kb");
    writeInt(w, v.anonRssKb);
    writeJsonKey(w, "file_rss_kb");
    writeInt(w, v.fileRssKb);
    writeJsonKey(w, "shmem_rss_kb");
    writeOptional(w, v.shmemRssKb);
    writeJsonKey(w, "pgtables_kb");
    writeOptional(w, v.pgtablesKb);
    writeJsonKey(w, "line");
    writeInt(w, v.line);
    w.EndObject();
}

template<typename Writer> void writeTrigger(Writer &w, const OomEvent &event, const MemoryAnatomy &anatomy)
{
    const GfpDecode &gfp = anatomy.trigger.gfp;
    w.StartObject();
    writeJsonKey(w, "comm");
    writeJsonString(w, event.triggerComm);
    writeJsonKey(w, "pid");
    if (event.triggerPid)
        writeInt(w, event.triggerPid);
    else
        w.Null();
    writeJsonKey(w, "gfp_mask");
    writeStringOrNull(w, event.gfpMask);
    writeJsonKey(w, "order");
    writeInt(w, event.order);
    writeJsonKey(w, "oom_score_adj");
    writeOptional(w, event.triggerOomScoreAdj);
    writeJsonKey(w, "gfp_flags");
    if (gfp.parsed)
        writeStringList(w, gfp.flags);
    else
        w.Null();
    writeJsonKey(w, "gfp_unknown_bits");
    if (gfp.parsed)
        writeInt(w, std::int64_t(gfp.unknownBits));
    else
        w.Null();
    writeJsonKey(w, "zone");
    if (gfp.parsed)
        writeJsonString(w, gfp.zone);
    else
        w.Null();
    writeJsonKey(w, "node");
    writeOptional(w, anatomy.trigger.node);
    writeJsonKey(w, "manual");
    w.Bool(anatomy.trigger.manual);
    w.EndObject();
}

template<typename Writer> void writeRankedTask(Writer &w, const RankedTask &r)
{
    w.StartObject();
    writeJsonKey(w, "pid");
    writeInt(w, r.task.pid);
    writeJsonKey(w, "comm");
    writeJsonString(w, r.task.comm);
    writeJsonKey(w, "uid");
    writeInt(w, r.task.uid);
    writeJsonKey(w, "rss");
    writeInt(w, r.rssPages);
    writeJsonKey(w, "swapents");
    writeInt(w, r.swapPages);
    writeJsonKey(w, "pgtables_pages");
    writeInt(w, r.pageTablePages);
    writeJsonKey(w, "oom_score_adj");
    writeInt(w, r.task.oomScoreAdj);
    writeJsonKey(w, "root_bonus");
    writeInt(w, r.rootBonusPoints);
    writeJsonKey(w, "adj_points");
    writeInt(w, r.adjPoints);
    writeJsonKey(w, "points");
    writeInt(w, r.points);
    writeJsonKey(w, "eligible");
    w.Bool(r.eligible);
    w.EndObject();
}

// The ranking holds a row per task, hundreds per report: in the indented output each row is one
// line, as in the kernel's task table (eleven indented lines per row made up two thirds of the
// document, and as much of the time spent writing it).
template<typename Writer> void writeRanking(Writer &w, const KillDecision &decision)
{
    w.StartArray();
    if constexpr (std::is_same_v<Writer, PrettyJsonFileWriter>) {
        rapidjson::StringBuffer row;
        CompactJsonWriter rowWriter(row);
        for (const RankedTask &r : decision.ranking) {
            row.Clear();
            rowWriter.Reset(row);
            writeRankedTask(rowWriter, r);
            w.RawValue(row.GetString(), row.GetSize(), rapidjson::kObjectType);
        }
    } else {
        for (const RankedTask &r : decision.ranking)
            writeRankedTask(w, r);
    }
    w.EndArray();
}

template<typename Writer> void writeMargin(Writer &w, const KillDecision &decision)
{
    w.StartObject();
    writeJsonKey(w, "runner_up_pid");
    writeOptional(w, decision.runnerUpPid);
    writeJsonKey(w, "points");
    writeInt(w, decision.pointsMargin);
    writeJsonKey(w, "runner_up_adj_to_win");
    writeOptional(w, decision.runnerUpAdjToWin);
    writeJsonKey(w, "selected_adj_to_lose");
    writeOptional(w, decision.selectedAdjToLose);
    w.EndObject();
}

// The global counters in kB. A key printed twice (a report joined from two blocks) counts once,
// with its last value, as a JSON object keeps it.
template<typename Writer> void writeMeminfo(Writer &w, const MemInfoSnapshot &s)
{
    w.StartObject();
    const CounterList &pages = s.globalPages;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        bool repeated = false;
        for (std::size_t j = i + 1; j < pages.size() && !repeated; ++j)
            repeated = pages[j].first == pages[i].first;
        if (repeated)
            continue;
        const QByteArray key = pages[i].first.toUtf8();
        w.Key(key.constData(), rapidjson::SizeType(key.size()), true);
        writeInt(w, pages[i].second * s.pageKb);
    }
    w.EndObject();
}

template<typename Writer> void writeZones(Writer &w, const MemInfoSnapshot &s)
{
    w.StartArray();
    for (const MemInfoZone &z : s.zones) {
        w.StartObject();
        writeJsonKey(w, "node");
        writeOptional(w, z.node);
        writeJsonKey(w, "zone");
        writeJsonString(w, z.zone);
        writeJsonKey(w, "free_kb");
        writeInt(w, z.freeKb);
        writeJsonKey(w, "min_kb");
        writeInt(w, z.minKb);
        writeJsonKey(w, "low_kb");
        writeInt(w, z.lowKb);
        writeJsonKey(w, "high_kb");
        writeInt(w, z.highKb);
        writeJsonKey(w, "managed_kb");
        writeInt(w, z.managedKb);
        writeJsonKey(w, "lowmem_reserve_pages");
        writeIntList(w, z.lowmemReservePages);
        w.EndObject();
    }
    w.EndArray();
}

template<typename Writer> void writeSystem(Writer &w, const MemInfoSnapshot &s, const MemoryAccounting &acc)
{
    if (!s.present) {
        w.Null();
        return;
    }
    std::optional<std::int64_t> ram;
    if (s.ramPages)
        ram = *s.ramPages * s.pageKb;
    w.StartObject();
    writeJsonKey(w, "ram_kb");
    writeOptional(w, ram);
    writeJsonKey(w, "swap_total_kb");
    writeOptional(w, s.totalSwapKb);
    writeJsonKey(w, "swap_free_kb");
    writeOptional(w, s.freeSwapKb);
    writeJsonKey(w, "swap_cache_kb");
    writeOptional(w, acc.swap.cacheKb);
    writeJsonKey(w, "swap_used_kb");
    writeOptional(w, acc.swap.usedKb);
    writeJsonKey(w, "tasks_rss_kb");
    writeOptional(w, acc.tasksRssKb);
    writeJsonKey(w, "meminfo");
    writeMeminfo(w, s);
    writeJsonKey(w, "zones");
    writeZones(w, s);
    writeJsonKey(w, "buddy");
    w.StartArray();
    for (const MemInfoBuddy &b : s.buddy) {
        w.StartObject();
        writeJsonKey(w, "node");
        writeOptional(w, b.node);
        writeJsonKey(w, "zone");
        writeJsonString(w, b.zone);
        writeJsonKey(w, "free_chunks_by_order");
        writeIntList(w, b.freeChunksByOrder);
        w.EndObject();
    }
    w.EndArray();
    writeJsonKey(w, "hugepages");
    w.StartArray();
    for (const MemInfoHugepages &h : s.hugepages) {
        w.StartObject();
        writeJsonKey(w, "node");
        writeInt(w, h.node);
        writeJsonKey(w, "size_kb");
        writeInt(w, h.sizeKb);
        writeJsonKey(w, "total");
        writeInt(w, h.total);
        writeJsonKey(w, "free");
        writeInt(w, h.free);
        writeJsonKey(w, "surplus");
        writeInt(w, h.surplus);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}

template<typename Writer> void writeAllocation(Writer &w, const AllocationFacts &a)
{
    w.StartObject();
    writeJsonKey(w, "order");
    writeInt(w, a.order);
    writeJsonKey(w, "size_kb");
    writeOptional(w, a.sizeKb);
    writeJsonKey(w, "zone");
    writeStringOrNull(w, a.zone);
    writeJsonKey(w, "node");
    writeOptional(w, a.node);
    writeJsonKey(w, "failure");
    if (a.failure)
        writeJsonString(w, allocationFailureName(*a.failure));
    else
        w.Null();
    writeJsonKey(w, "fragmented");
    writeBoolOrNull(w, a.fragmented);
    w.EndObject();
}

template<typename Writer> void writeAccounting(Writer &w, const MemoryAnatomy &anatomy)
{
    const MemoryAccounting &acc = anatomy.accounting;
    if (!acc.present) {
        w.Null();
        return;
    }
    w.StartObject();
    writeJsonKey(w, "scope");
    writeJsonString(w, accountingScopeName(acc.scope));
    writeJsonKey(w, "total_kb");
    writeInt(w, acc.totalKb);
    writeJsonKey(w, "categories");
    w.StartArray();
    for (const AccountingCategory &c : acc.categories) {
        w.StartObject();
        writeJsonKey(w, "name");
        writeJsonString(w, c.name);
        writeJsonKey(w, "kb");
        writeInt(w, c.kb);
        writeJsonKey(w, "share");
        writeDouble(w, std::round(c.share * 10000.0) / 10000.0);
        writeJsonKey(w, "reclaimable");
        w.Bool(c.reclaimable);
        writeJsonKey(w, "part_of");
        writeStringOrNull(w, c.partOf);
        w.EndObject();
    }
    w.EndArray();
    writeJsonKey(w, "unaccounted_kb");
    writeInt(w, acc.unaccountedKb);
    writeJsonKey(w, "dominant");
    writeStringOrNull(w, acc.dominant);
    writeJsonKey(w, "statement");
    writeStringOrNull(w, anatomy.accountingStatement);
    w.EndObject();
}

// Reads a compact document written by CompactJsonWriter back as Qt's value.
QJsonObject readBack(const rapidjson::StringBuffer &buffer)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(buffer.GetString(), qsizetype(buffer.GetSize())), &error);
    Q_ASSERT_X(error.error == QJsonParseError::NoError, "eventjson", "the writer wrote invalid JSON");
    return doc.object();
}

} // namespace

void JsonFileStream::Flush()
{
    if (m_pos != m_buffer.data())
        std::fwrite(m_buffer.data(), 1, std::size_t(m_pos - m_buffer.data()), m_file);
    m_pos = m_buffer.data();
    std::fflush(m_file);
}

void JsonFileStream::drain(std::size_t room)
{
    if (m_pos != m_buffer.data())
        std::fwrite(m_buffer.data(), 1, std::size_t(m_pos - m_buffer.data()), m_file);
    if (room > m_buffer.size())
        m_buffer.resize(room);
    m_pos = m_buffer.data();
    m_end = m_buffer.data() + m_buffer.size();
}

template<typename Writer> void writeJsonString(Writer &writer, QStringView text)
{
    // Most strings (comms, cgroup paths, the kernel's names) are ASCII: copied on the stack
    // instead of allocating a UTF-8 QByteArray for each of hundreds of task rows per event.
    char ascii[256];
    if (text.size() <= qsizetype(sizeof ascii)) {
        qsizetype i = 0;
        for (; i < text.size(); ++i) {
            const char16_t c = text[i].unicode();
            if (c >= 0x80)
                break;
            ascii[i] = char(c);
        }
        if (i == text.size()) {
            writer.String(ascii, rapidjson::SizeType(i), true);
            return;
        }
    }
    const QByteArray utf8 = text.toUtf8();
    writer.String(utf8.constData(), rapidjson::SizeType(utf8.size()), true);
}

template<typename Writer>
void writeEventMembers(Writer &w, const OomEvent &event, const KillDecision &decision,
                       const MemInfoSnapshot &snapshot)
{
    const MemoryAnatomy anatomy = analyseMemory(event, snapshot);
    writeJsonKey(w, "host");
    writeStringOrNull(w, event.host);
    writeJsonKey(w, "time");
    if (event.wallTime)
        writeJsonString(w, event.wallTime->toString(Qt::ISODateWithMs));
    else
        w.Null();
    writeJsonKey(w, "uptime_s");
    if (event.uptimeSeconds)
        writeDouble(w, *event.uptimeSeconds);
    else
        w.Null();
    writeJsonKey(w, "first_line");
    writeInt(w, event.firstLine);
    writeJsonKey(w, "last_line");
    writeInt(w, event.lastLine);
    writeJsonKey(w, "prefix");
    writeJsonString(w, prefixStyleName(event.prefixStyle));
    writeJsonKey(w, "constraint");
    writeJsonString(w, constraintName(event.constraint));
    writeJsonKey(w, "oom_memcg");
    writeStringOrNull(w, event.oomMemcg);
    writeJsonKey(w, "task_memcg");
    writeStringOrNull(w, event.taskMemcg);
    const bool limited = event.memory.present && !event.memory.unlimited();
    writeJsonKey(w, "limit_kb");
    if (limited)
        writeInt(w, event.memory.limitKb);
    else
        w.Null();
    writeJsonKey(w, "usage_kb");
    if (event.memory.present)
        writeInt(w, event.memory.usageKb);
    else
        w.Null();
    writeJsonKey(w, "failcnt");
    if (event.memory.present)
        writeInt(w, event.memory.failcnt);
    else
        w.Null();
    writeJsonKey(w, "memsw");
    writeCounter(w, event.memsw);
    writeJsonKey(w, "swap");
    writeCounter(w, event.swap);
    writeJsonKey(w, "kmem");
    writeCounter(w, event.kmem);
    writeJsonKey(w, "totalpages");
    if (decision.totalPages > 0)
        writeInt(w, decision.totalPages);
    else
        w.Null();
    writeJsonKey(w, "totalpages_exact");
    w.Bool(decision.totalPagesExact);
    writeJsonKey(w, "kernel_format");
    writeJsonString(w, event.kernelFormat());
    writeJsonKey(w, "kernel_release");
    writeStringOrNull(w, event.kernelRelease);
    writeJsonKey(w, "badness_era");
    writeJsonString(w, badnessEraName(decision.era));
    writeJsonKey(w, "complete");
    w.Bool(event.complete);
    writeJsonKey(w, "missing");
    writeStringList(w, event.missing);
    writeJsonKey(w, "trigger");
    writeTrigger(w, event, anatomy);
    writeJsonKey(w, "victim");
    writeVictim(w, event);
    writeJsonKey(w, "victim_qos");
    writeJsonString(w, qosTierName(decision.victimQos));
    writeJsonKey(w, "selected_pid");
    if (decision.kernelSelectedPid)
        writeInt(w, decision.kernelSelectedPid);
    else
        w.Null();
    writeJsonKey(w, "recomputed_selected_pid");
    writeOptional(w, decision.recomputedSelectedPid);
    writeJsonKey(w, "agrees");
    w.Bool(decision.agrees);
    writeJsonKey(w, "ranking");
    writeRanking(w, decision);
    writeJsonKey(w, "margin");
    writeMargin(w, decision);
    writeJsonKey(w, "oom_group");
    w.Bool(event.oomGroup);
    writeJsonKey(w, "group_killed_pids");
    w.StartArray();
    for (const KilledProcess &k : event.groupKilled)
        writeInt(w, k.pid);
    w.EndArray();
    writeJsonKey(w, "reaped_pid");
    writeOptional(w, event.reapedPid);
    writeJsonKey(w, "explanation");
    writeJsonString(w, decision.explanation);
    writeJsonKey(w, "notes");
    writeStringList(w, decision.notes);
    writeJsonKey(w, "system");
    writeSystem(w, snapshot, anatomy.accounting);
    writeJsonKey(w, "allocation");
    writeAllocation(w, anatomy.allocation);
    writeJsonKey(w, "memcg_swap_enabled");
    writeBoolOrNull(w, anatomy.accounting.memcgSwapEnabled);
    writeJsonKey(w, "accounting");
    writeAccounting(w, anatomy);
}

template<typename Writer> void writeWarningMembers(Writer &w, const ParseWarning &warning)
{
    writeJsonKey(w, "line");
    writeInt(w, warning.line);
    writeJsonKey(w, "kind");
    writeJsonString(w, parseWarningKindName(warning.kind));
    writeJsonKey(w, "detail");
    writeJsonString(w, warning.detail);
}

template<typename Writer> void writeJsonValue(Writer &w, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        w.Null();
        return;
    case QJsonValue::Bool:
        w.Bool(value.toBool());
        return;
    case QJsonValue::Double: {
        // Qt keeps whole numbers as integers (exact beyond 2^53); toInteger() gives them back.
        constexpr qint64 notWhole = std::numeric_limits<qint64>::min();
        const qint64 whole = value.toInteger(notWhole);
        if (whole != notWhole)
            w.Int64(whole);
        else
            writeDouble(w, value.toDouble());
        return;
    }
    case QJsonValue::String:
        writeJsonString(w, value.toString());
        return;
    case QJsonValue::Array:
        w.StartArray();
        for (const QJsonValue &v : value.toArray())
            writeJsonValue(w, v);
        w.EndArray();
        return;
    case QJsonValue::Object: {
        w.StartObject();
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            writeJsonString(w, it.key());
            writeJsonValue(w, it.value());
        }
        w.EndObject();
        return;
    }
    }
}

template void writeEventMembers(CompactJsonWriter &, const OomEvent &, const KillDecision &,
                                const MemInfoSnapshot &);
template void writeEventMembers(PrettyJsonFileWriter &, const OomEvent &, const KillDecision &,
                                const MemInfoSnapshot &);
template void writeWarningMembers(CompactJsonWriter &, const ParseWarning &);
template void writeWarningMembers(PrettyJsonFileWriter &, const ParseWarning &);
template void writeJsonString(CompactJsonWriter &, QStringView);
template void writeJsonString(PrettyJsonFileWriter &, QStringView);
template void writeJsonValue(CompactJsonWriter &, const QJsonValue &);
template void writeJsonValue(PrettyJsonFileWriter &, const QJsonValue &);

QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision)
{
    return eventToJson(event, decision, MemInfoSnapshot {});
}

QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision, const MemInfoSnapshot &snapshot)
{
    rapidjson::StringBuffer buffer;
    CompactJsonWriter writer(buffer);
    writer.StartObject();
    writeEventMembers(writer, event, decision, snapshot);
    writer.EndObject();
    return readBack(buffer);
}

QJsonObject warningToJson(const ParseWarning &warning)
{
    rapidjson::StringBuffer buffer;
    CompactJsonWriter writer(buffer);
    writer.StartObject();
    writeWarningMembers(writer, warning);
    writer.EndObject();
    return readBack(buffer);
}

} // namespace oomscope
