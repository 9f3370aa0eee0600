// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplemapping.h"

#include "samplefields.h"

#include <array>
#include <cmath>

namespace oomscope {

namespace {

std::int64_t orUnknown(const std::optional<qint64> &value)
{
    return value ? std::int64_t(*value) : MemorySample::kUnknown;
}

// The readings that are a sample field as they stand. The others (limit, high, kernel, failcnt,
// boottime) need a rule each, in toMemorySample().
struct DirectField {
    SampleField field;
    std::optional<qint64> CgroupSample::*reading;
};

constexpr std::array<DirectField, 8> kDirectFields = {{
    {SampleField::Usage, &CgroupSample::usageBytes},
    {SampleField::Anon, &CgroupSample::anonBytes},
    {SampleField::File, &CgroupSample::fileBytes},
    {SampleField::ActiveFile, &CgroupSample::activeFileBytes},
    {SampleField::InactiveFile, &CgroupSample::inactiveFileBytes},
    {SampleField::Shmem, &CgroupSample::shmemBytes},
    {SampleField::Swap, &CgroupSample::swapBytes},
    {SampleField::OomKill, &CgroupSample::oomKillCount},
}};

} // namespace

double boottimeSecondsFromUs(qint64 boottimeUs)
{
    return boottimeUs > 0 ? double(boottimeUs) / 1e6 : std::nan("");
}

MemorySample toMemorySample(const CgroupSample &s)
{
    MemorySample m;
    m.timestampMs = s.timestampMs;
    m.boottimeSeconds = boottimeSecondsFromUs(s.boottimeUs);
    for (const DirectField &d : kDirectFields)
        m.*sampleField(d.field).integer = orUnknown(s.*d.reading);
    // The reader leaves "max" and v1's PAGE_COUNTER_MAX empty, exactly like a missing file; a
    // cgroup whose usage could be read has its limit files too (they are created together), so
    // empty means "no limit" there and "unknown" only when the cgroup itself was unreadable.
    const bool readable = s.usageBytes.has_value();
    if (s.effectiveLimitBytes)
        m.limitBytes = *s.effectiveLimitBytes;
    else if (readable)
        m.limitBytes = MemorySample::kUnlimited;
    if (s.highBytes)
        m.highBytes = *s.highBytes;
    else if (readable && s.version == int(CgroupVersion::V2))
        m.highBytes = MemorySample::kUnlimited;

    if (s.kernelBytes) {
        m.kernelBytes = *s.kernelBytes;
    } else if (s.slabBytes || s.kernelStackBytes || s.pageTablesBytes) {
        // v2 before 5.18 has no "kernel" line; its main parts are listed separately.
        m.kernelBytes =
            s.slabBytes.value_or(0) + s.kernelStackBytes.value_or(0) + s.pageTablesBytes.value_or(0);
    }

    if (s.version == int(CgroupVersion::V1))
        m.failcnt = orUnknown(s.failcnt);
    else if (s.events)
        m.failcnt = s.events->max;
    return m;
}

ProcessSample toProcessSample(const ProcessReading &r, std::int64_t timestampMs, double boottimeSeconds,
                              const QString &cgroup)
{
    ProcessSample p;
    p.timestampMs = timestampMs;
    p.boottimeSeconds = boottimeSeconds;
    p.pid = r.pid;
    p.comm = r.comm;
    p.cgroup = cgroup;
    p.rssKb = orUnknown(r.vmRssKb);
    p.rssAnonKb = orUnknown(r.rssAnonKb);
    p.rssFileKb = orUnknown(r.rssFileKb);
    p.rssShmemKb = orUnknown(r.rssShmemKb);
    p.swapKb = orUnknown(r.swapKb);
    p.oomScoreAdj = r.oomScoreAdj.value_or(0);
    return p;
}

} // namespace oomscope
