// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedbatch.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

std::int64_t bytesField(const QJsonObject &o, QLatin1StringView key, bool nullMeansUnlimited = false)
{
    const QJsonValue v = o.value(key);
    if (v.isNull() && nullMeansUnlimited && o.contains(key))
        return MemorySample::kUnlimited;
    if (!v.isDouble())
        return MemorySample::kUnknown;
    return v.toInteger(MemorySample::kUnknown);
}

} // namespace

std::optional<FeedSample> feedSampleFromJson(const QJsonObject &record)
{
    if (!record.value("present"_L1).toBool(true) || !record.value("timestamp"_L1).isDouble())
        return std::nullopt;
    FeedSample out;
    out.seq = record.value("seq"_L1).toInteger();
    out.cgroup = record.value("cgroup"_L1).toString();
    MemorySample &s = out.sample;
    s.timestampMs = record.value("timestamp"_L1).toInteger();
    s.usageBytes = bytesField(record, "usage_bytes"_L1);
    // The protocol sends null for "no limit" / "max"; an absent field is "not measured".
    s.limitBytes = bytesField(record, "limit_bytes"_L1, true);
    s.highBytes = bytesField(record, "high_bytes"_L1, true);
    s.anonBytes = bytesField(record, "anon_bytes"_L1);
    s.fileBytes = bytesField(record, "file_bytes"_L1);
    s.activeFileBytes = bytesField(record, "active_file_bytes"_L1);
    s.inactiveFileBytes = bytesField(record, "inactive_file_bytes"_L1);
    s.shmemBytes = bytesField(record, "shmem_bytes"_L1);
    s.kernelBytes = bytesField(record, "kernel_bytes"_L1);
    s.swapBytes = bytesField(record, "swap_bytes"_L1);
    s.failcnt = bytesField(record, "failcnt"_L1);
    s.oomKillCount = bytesField(record, "oom_kill"_L1);
    if (record.value("boottime_s"_L1).isDouble())
        s.boottimeSeconds = record.value("boottime_s"_L1).toDouble();

    const QJsonArray procs = record.value("processes"_L1).toArray();
    out.processes.reserve(procs.size());
    for (const QJsonValue &pv : procs) {
        const QJsonObject p = pv.toObject();
        ProcessSample ps;
        ps.timestampMs = s.timestampMs;
        ps.boottimeSeconds = s.boottimeSeconds;
        ps.cgroup = out.cgroup;
        ps.pid = p.value("pid"_L1).toInteger();
        ps.comm = p.value("comm"_L1).toString();
        ps.rssKb = bytesField(p, "rss_kb"_L1);
        ps.rssAnonKb = bytesField(p, "rss_anon_kb"_L1);
        ps.rssFileKb = bytesField(p, "rss_file_kb"_L1);
        ps.rssShmemKb = bytesField(p, "rss_shmem_kb"_L1);
        ps.swapKb = bytesField(p, "swap_kb"_L1);
        ps.pgtablesKb = bytesField(p, "pgtables_kb"_L1);
        ps.oomScoreAdj = p.value("oom_score_adj"_L1).toInt();
        if (ps.pid > 0)
            out.processes.push_back(std::move(ps));
    }
    return out;
}

} // namespace oomscope
