// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventjson.h"

#include "memoryanatomy.h"

#include <QJsonArray>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

template<typename T> QJsonValue optionalValue(const std::optional<T> &value)
{
    if (!value)
        return QJsonValue(QJsonValue::Null);
    return QJsonValue(static_cast<qint64>(*value));
}

QJsonValue stringOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonValue counterJson(const CounterLine &c)
{
    if (!c.present)
        return QJsonValue(QJsonValue::Null);
    return QJsonObject {
        {u"usage_kb"_s, qint64(c.usageKb)},
        {u"limit_kb"_s, c.unlimited() ? QJsonValue(QJsonValue::Null) : QJsonValue(qint64(c.limitKb))},
        {u"failcnt"_s, qint64(c.failcnt)},
    };
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

QJsonObject victimJson(const OomEvent &event)
{
    const KilledProcess &v = event.victim;
    if (!v.present)
        return {};
    const OomTask *row = findTask(event, v.pid);
    QJsonValue adj = QJsonValue(QJsonValue::Null);
    if (v.oomScoreAdj)
        adj = *v.oomScoreAdj;
    else if (row)
        adj = row->oomScoreAdj;
    QJsonValue uid = optionalValue(v.uid);
    if (uid.isNull() && event.summaryUid && event.summaryPid == v.pid)
        uid = qint64(*event.summaryUid);
    if (uid.isNull() && row)
        uid = qint64(row->uid);
    return QJsonObject {
        {u"pid"_s, qint64(v.pid)},
        {u"comm"_s, v.comm},
        {u"uid"_s, uid},
        {u"oom_score_adj"_s, adj},
        {u"total_vm_kb"_s, qint64(v.totalVmKb)},
        {u"anon_rss_kb"_s, qint64(v.anonRssKb)},
        {u"file_rss_kb"_s, qint64(v.fileRssKb)},
        {u"shmem_rss_kb"_s, optionalValue(v.shmemRssKb)},
        {u"pgtables_kb"_s, optionalValue(v.pgtablesKb)},
        {u"line"_s, v.line},
    };
}

QJsonValue boolOrNull(const std::optional<bool> &b)
{
    return b ? QJsonValue(*b) : QJsonValue(QJsonValue::Null);
}

QJsonValue nodeJson(const std::optional<int> &node)
{
    return node ? QJsonValue(*node) : QJsonValue(QJsonValue::Null);
}

QJsonArray zonesJson(const MemInfoSnapshot &s)
{
    QJsonArray zones;
    for (const MemInfoZone &z : s.zones) {
        QJsonArray reserve;
        for (const std::int64_t r : z.lowmemReservePages)
            reserve.append(qint64(r));
        zones.append(QJsonObject {
            {u"node"_s, nodeJson(z.node)},
            {u"zone"_s, z.zone},
            {u"free_kb"_s, qint64(z.freeKb)},
            {u"min_kb"_s, qint64(z.minKb)},
            {u"low_kb"_s, qint64(z.lowKb)},
            {u"high_kb"_s, qint64(z.highKb)},
            {u"managed_kb"_s, qint64(z.managedKb)},
            {u"lowmem_reserve_pages"_s, reserve},
        });
    }
    return zones;
}

QJsonValue systemJson(const MemInfoSnapshot &s, const MemoryAccounting &acc)
{
    if (!s.present)
        return QJsonValue(QJsonValue::Null);
    QJsonObject meminfo;
    for (const auto &[key, pages] : s.globalPages)
        meminfo[key] = qint64(pages * s.pageKb);
    QJsonArray buddy;
    for (const MemInfoBuddy &b : s.buddy) {
        QJsonArray chunks;
        for (const std::int64_t c : b.freeChunksByOrder)
            chunks.append(qint64(c));
        buddy.append(QJsonObject {
            {u"node"_s, nodeJson(b.node)}, {u"zone"_s, b.zone}, {u"free_chunks_by_order"_s, chunks}});
    }
    QJsonArray huge;
    for (const MemInfoHugepages &h : s.hugepages) {
        huge.append(QJsonObject {{u"node"_s, h.node},
                                 {u"size_kb"_s, qint64(h.sizeKb)},
                                 {u"total"_s, qint64(h.total)},
                                 {u"free"_s, qint64(h.free)},
                                 {u"surplus"_s, qint64(h.surplus)}});
    }
    std::optional<std::int64_t> ram;
    if (s.ramPages)
        ram = *s.ramPages * s.pageKb;
    return QJsonObject {
        {u"ram_kb"_s, optionalValue(ram)},
        {u"swap_total_kb"_s, optionalValue(s.totalSwapKb)},
        {u"swap_free_kb"_s, optionalValue(s.freeSwapKb)},
        {u"swap_cache_kb"_s, optionalValue(acc.swap.cacheKb)},
        {u"swap_used_kb"_s, optionalValue(acc.swap.usedKb)},
        {u"tasks_rss_kb"_s, optionalValue(acc.tasksRssKb)},
        {u"meminfo"_s, meminfo},
        {u"zones"_s, zonesJson(s)},
        {u"buddy"_s, buddy},
        {u"hugepages"_s, huge},
    };
}

QJsonObject allocationJson(const AllocationFacts &a)
{
    return QJsonObject {
        {u"order"_s, a.order},
        {u"size_kb"_s, optionalValue(a.sizeKb)},
        {u"zone"_s, stringOrNull(a.zone)},
        {u"node"_s, nodeJson(a.node)},
        {u"failure"_s,
         a.failure ? QJsonValue(allocationFailureName(*a.failure)) : QJsonValue(QJsonValue::Null)},
        {u"fragmented"_s, boolOrNull(a.fragmented)},
    };
}

QJsonValue accountingJson(const MemoryAnatomy &anatomy)
{
    const MemoryAccounting &acc = anatomy.accounting;
    if (!acc.present)
        return QJsonValue(QJsonValue::Null);
    QJsonArray categories;
    for (const AccountingCategory &c : acc.categories) {
        categories.append(QJsonObject {
            {u"name"_s, c.name},
            {u"kb"_s, qint64(c.kb)},
            {u"share"_s, std::round(c.share * 10000.0) / 10000.0},
            {u"reclaimable"_s, c.reclaimable},
            {u"part_of"_s, stringOrNull(c.partOf)},
        });
    }
    return QJsonObject {
        {u"scope"_s, accountingScopeName(acc.scope)},
        {u"total_kb"_s, qint64(acc.totalKb)},
        {u"categories"_s, categories},
        {u"unaccounted_kb"_s, qint64(acc.unaccountedKb)},
        {u"dominant"_s, stringOrNull(acc.dominant)},
        {u"statement"_s, stringOrNull(anatomy.accountingStatement)},
    };
}

void addAnatomy(QJsonObject &o, const OomEvent &event, const MemInfoSnapshot &snapshot)
{
    const MemoryAnatomy anatomy = analyseMemory(event, snapshot);
    QJsonObject trigger = o[u"trigger"_s].toObject();
    const GfpDecode &gfp = anatomy.trigger.gfp;
    trigger[u"gfp_flags"_s] =
        gfp.parsed ? QJsonValue(QJsonArray::fromStringList(gfp.flags)) : QJsonValue(QJsonValue::Null);
    trigger[u"gfp_unknown_bits"_s] =
        gfp.parsed ? QJsonValue(qint64(gfp.unknownBits)) : QJsonValue(QJsonValue::Null);
    trigger[u"zone"_s] = gfp.parsed ? QJsonValue(gfp.zone) : QJsonValue(QJsonValue::Null);
    trigger[u"node"_s] = nodeJson(anatomy.trigger.node);
    trigger[u"manual"_s] = anatomy.trigger.manual;
    o[u"trigger"_s] = trigger;
    o[u"system"_s] = systemJson(snapshot, anatomy.accounting);
    o[u"allocation"_s] = allocationJson(anatomy.allocation);
    o[u"memcg_swap_enabled"_s] = boolOrNull(anatomy.accounting.memcgSwapEnabled);
    o[u"accounting"_s] = accountingJson(anatomy);
}

} // namespace

QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision)
{
    return eventToJson(event, decision, MemInfoSnapshot {});
}

QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision, const MemInfoSnapshot &snapshot)
{
    QJsonObject o;
    o[u"host"_s] = stringOrNull(event.host);
    o[u"time"_s] = event.wallTime ? QJsonValue(event.wallTime->toString(Qt::ISODateWithMs))
                                  : QJsonValue(QJsonValue::Null);
    o[u"uptime_s"_s] = event.uptimeSeconds ? QJsonValue(*event.uptimeSeconds) : QJsonValue(QJsonValue::Null);
    o[u"first_line"_s] = event.firstLine;
    o[u"last_line"_s] = event.lastLine;
    o[u"prefix"_s] = prefixStyleName(event.prefixStyle);
    o[u"constraint"_s] = constraintName(event.constraint);
    o[u"oom_memcg"_s] = stringOrNull(event.oomMemcg);
    o[u"task_memcg"_s] = stringOrNull(event.taskMemcg);
    const bool limited = event.memory.present && !event.memory.unlimited();
    o[u"limit_kb"_s] = limited ? QJsonValue(qint64(event.memory.limitKb)) : QJsonValue(QJsonValue::Null);
    o[u"usage_kb"_s] =
        event.memory.present ? QJsonValue(qint64(event.memory.usageKb)) : QJsonValue(QJsonValue::Null);
    o[u"failcnt"_s] =
        event.memory.present ? QJsonValue(qint64(event.memory.failcnt)) : QJsonValue(QJsonValue::Null);
    o[u"memsw"_s] = counterJson(event.memsw);
    o[u"swap"_s] = counterJson(event.swap);
    o[u"kmem"_s] = counterJson(event.kmem);
    o[u"totalpages"_s] =
        decision.totalPages > 0 ? QJsonValue(qint64(decision.totalPages)) : QJsonValue(QJsonValue::Null);
    o[u"totalpages_exact"_s] = decision.totalPagesExact;
    o[u"kernel_format"_s] = event.kernelFormat();
    o[u"kernel_release"_s] = stringOrNull(event.kernelRelease);
    o[u"badness_era"_s] = badnessEraName(decision.era);
    o[u"complete"_s] = event.complete;
    o[u"missing"_s] = QJsonArray::fromStringList(event.missing);
    o[u"trigger"_s] = QJsonObject {
        {u"comm"_s, event.triggerComm},
        {u"pid"_s, event.triggerPid ? QJsonValue(qint64(event.triggerPid)) : QJsonValue(QJsonValue::Null)},
        {u"gfp_mask"_s, stringOrNull(event.gfpMask)},
        {u"order"_s, event.order},
        {u"oom_score_adj"_s,
         event.triggerOomScoreAdj ? QJsonValue(*event.triggerOomScoreAdj) : QJsonValue(QJsonValue::Null)},
    };
    const QJsonObject victim = victimJson(event);
    o[u"victim"_s] = victim.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(victim);
    o[u"victim_qos"_s] = qosTierName(decision.victimQos);
    o[u"selected_pid"_s] = decision.kernelSelectedPid ? QJsonValue(qint64(decision.kernelSelectedPid))
                                                      : QJsonValue(QJsonValue::Null);
    o[u"recomputed_selected_pid"_s] = optionalValue(decision.recomputedSelectedPid);
    o[u"agrees"_s] = decision.agrees;

    QJsonArray ranking;
    for (const RankedTask &r : decision.ranking) {
        ranking.append(QJsonObject {
            {u"pid"_s, qint64(r.task.pid)},
            {u"comm"_s, r.task.comm},
            {u"uid"_s, qint64(r.task.uid)},
            {u"rss"_s, qint64(r.rssPages)},
            {u"swapents"_s, qint64(r.swapPages)},
            {u"pgtables_pages"_s, qint64(r.pageTablePages)},
            {u"oom_score_adj"_s, r.task.oomScoreAdj},
            {u"root_bonus"_s, qint64(r.rootBonusPoints)},
            {u"adj_points"_s, qint64(r.adjPoints)},
            {u"points"_s, qint64(r.points)},
            {u"eligible"_s, r.eligible},
        });
    }
    o[u"ranking"_s] = ranking;
    o[u"margin"_s] = QJsonObject {
        {u"runner_up_pid"_s, optionalValue(decision.runnerUpPid)},
        {u"points"_s, qint64(decision.pointsMargin)},
        {u"runner_up_adj_to_win"_s,
         decision.runnerUpAdjToWin ? QJsonValue(*decision.runnerUpAdjToWin) : QJsonValue(QJsonValue::Null)},
        {u"selected_adj_to_lose"_s,
         decision.selectedAdjToLose ? QJsonValue(*decision.selectedAdjToLose) : QJsonValue(QJsonValue::Null)},
    };

    QJsonArray groupKilled;
    for (const KilledProcess &k : event.groupKilled)
        groupKilled.append(qint64(k.pid));
    o[u"oom_group"_s] = event.oomGroup;
    o[u"group_killed_pids"_s] = groupKilled;
    o[u"reaped_pid"_s] = optionalValue(event.reapedPid);
    o[u"explanation"_s] = decision.explanation;
    o[u"notes"_s] = QJsonArray::fromStringList(decision.notes);
    addAnatomy(o, event, snapshot);
    return o;
}

QJsonObject warningToJson(const ParseWarning &warning)
{
    return QJsonObject {
        {u"line"_s, warning.line},
        {u"kind"_s, parseWarningKindName(warning.kind)},
        {u"detail"_s, warning.detail},
    };
}

} // namespace oomscope
