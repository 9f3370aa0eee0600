// SPDX-License-Identifier: GPL-3.0-or-later
// The one list of the fields a memory sample carries, with every name each format gives them:
// the recording CSV column, the agent protocol's JSON key and the cAdvisor/Prometheus metric.
// Formats walk this table instead of spelling the fields out, so a field added here (and to
// MemorySample / ProcessSample) travels through CSV, the agent stream and the feeds at once.
#pragma once

#include "memorysample.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace oomscope {

// In the order the recording CSV writes its columns.
enum class SampleField {
    Usage,
    Limit,
    High,
    Anon,
    File,
    InactiveFile,
    ActiveFile,
    Shmem,
    Kernel,
    Swap,
    Failcnt,
    OomKill,
    Boottime,
    Peak,
};

enum class SampleUnit {
    Bytes,
    Count, // events counted since the cgroup was created
    Seconds, // CLOCK_BOOTTIME, fractional
};

struct SampleFieldInfo {
    SampleField id;
    std::string_view csvColumn; // recording CSV header (recordingcsv.h)
    std::string_view wireKey; // agent protocol JSON key (docs/agent-protocol.md)
    std::string_view metricName; // cAdvisor / Prometheus family; empty where there is none
    SampleUnit unit;
    // A limit: MemorySample::kUnlimited is a value ("max" in CSV, null on the wire).
    bool isLimit;
    // Exactly one of the two is set: integer fields are kUnknown when not measured, seconds NaN.
    std::int64_t MemorySample::*integer;
    double MemorySample::*seconds;
};

inline constexpr std::array<SampleFieldInfo, 14> kSampleFields = {{
    {SampleField::Usage, "usage_bytes", "usage_bytes", "container_memory_usage_bytes", SampleUnit::Bytes,
     false, &MemorySample::usageBytes, nullptr},
    {SampleField::Limit, "limit_bytes", "limit_bytes", "container_spec_memory_limit_bytes", SampleUnit::Bytes,
     true, &MemorySample::limitBytes, nullptr},
    {SampleField::High,
     "high_bytes",
     "high_bytes",
     {},
     SampleUnit::Bytes,
     true,
     &MemorySample::highBytes,
     nullptr},
    {SampleField::Anon, "anon_bytes", "anon_bytes", "container_memory_rss", SampleUnit::Bytes, false,
     &MemorySample::anonBytes, nullptr},
    {SampleField::File, "file_bytes", "file_bytes", "container_memory_cache", SampleUnit::Bytes, false,
     &MemorySample::fileBytes, nullptr},
    {SampleField::InactiveFile,
     "inactive_file_bytes",
     "inactive_file_bytes",
     {},
     SampleUnit::Bytes,
     false,
     &MemorySample::inactiveFileBytes,
     nullptr},
    {SampleField::ActiveFile,
     "active_file_bytes",
     "active_file_bytes",
     {},
     SampleUnit::Bytes,
     false,
     &MemorySample::activeFileBytes,
     nullptr},
    {SampleField::Shmem,
     "shmem_bytes",
     "shmem_bytes",
     {},
     SampleUnit::Bytes,
     false,
     &MemorySample::shmemBytes,
     nullptr},
    {SampleField::Kernel,
     "kernel_bytes",
     "kernel_bytes",
     {},
     SampleUnit::Bytes,
     false,
     &MemorySample::kernelBytes,
     nullptr},
    {SampleField::Swap, "swap_bytes", "swap_bytes", "container_memory_swap", SampleUnit::Bytes, false,
     &MemorySample::swapBytes, nullptr},
    {SampleField::Failcnt, "failcnt", "failcnt", "container_memory_failcnt", SampleUnit::Count, false,
     &MemorySample::failcnt, nullptr},
    {SampleField::OomKill, "oom_kill", "oom_kill", "container_oom_events_total", SampleUnit::Count, false,
     &MemorySample::oomKillCount, nullptr},
    {SampleField::Boottime,
     "boottime_s",
     "boottime_s",
     {},
     SampleUnit::Seconds,
     false,
     nullptr,
     &MemorySample::boottimeSeconds},
    // No metric: cAdvisor's container_memory_max_usage_bytes is the watermark since creation, not
    // the peak of one interval.
    {SampleField::Peak,
     "peak_bytes",
     "peak_bytes",
     {},
     SampleUnit::Bytes,
     false,
     &MemorySample::peakBytes,
     nullptr},
}};

constexpr const SampleFieldInfo &sampleField(SampleField id)
{
    return kSampleFields[std::size_t(id)];
}

// Every MemorySample member but the timestamp is in the table, in enum order: adding a member
// without a row (or a row out of order) does not compile.
static_assert(sizeof(MemorySample) == sizeof(std::int64_t) * (1 + kSampleFields.size()),
              "every MemorySample field needs a row in kSampleFields");
static_assert([] {
    for (std::size_t i = 0; i < kSampleFields.size(); ++i) {
        const SampleFieldInfo &f = kSampleFields[i];
        if (std::size_t(f.id) != i || (f.integer == nullptr) == (f.seconds == nullptr))
            return false;
    }
    return true;
}());

// Whether the sample holds a value for the field (an unlimited limit counts as a value).
inline bool sampleFieldKnown(const MemorySample &sample, const SampleFieldInfo &field)
{
    return field.integer ? MemorySample::known(sample.*field.integer) : !std::isnan(sample.*field.seconds);
}

// The per-process fields in KiB (ProcessSample), named alike in the recording CSV and on the
// wire; kUnknown when not measured.
struct ProcessFieldInfo {
    std::string_view csvColumn;
    std::string_view wireKey;
    std::int64_t ProcessSample::*kib;
};

inline constexpr std::array<ProcessFieldInfo, 6> kProcessKibFields = {{
    {"rss_kb", "rss_kb", &ProcessSample::rssKb},
    {"rss_anon_kb", "rss_anon_kb", &ProcessSample::rssAnonKb},
    {"rss_file_kb", "rss_file_kb", &ProcessSample::rssFileKb},
    {"rss_shmem_kb", "rss_shmem_kb", &ProcessSample::rssShmemKb},
    {"swap_kb", "swap_kb", &ProcessSample::swapKb},
    {"pgtables_kb", "pgtables_kb", &ProcessSample::pgtablesKb},
}};

} // namespace oomscope
