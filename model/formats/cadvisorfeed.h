// SPDX-License-Identifier: GPL-3.0-or-later
// Maps cAdvisor-style memory metrics (kubelet /metrics/cadvisor, cAdvisor /metrics,
// oomscope-agent /metrics, or Prometheus holding any of them) to cgroup series of MemorySamples.
#pragma once

#include "memorysample.h"
#include "prometheustext.h"
#include "samplefields.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace oomscope {

// The metric families a memory feed reads (and oomscope-agent's /metrics writes, in this order);
// everything else in a scrape is ignored.
enum class CadvisorMetric {
    UsageBytes, // container_memory_usage_bytes → usageBytes
    WorkingSetBytes, // container_memory_working_set_bytes → inactiveFileBytes = usage − working set
    Rss, // container_memory_rss → anonBytes
    Cache, // container_memory_cache → fileBytes
    Swap, // container_memory_swap → swapBytes
    LimitBytes, // container_spec_memory_limit_bytes → limitBytes (0 means unlimited)
    Failcnt, // container_memory_failcnt → failcnt
    OomEvents, // container_oom_events_total → oomKillCount
};
inline constexpr int kCadvisorMetricCount = 8;

struct CadvisorMetricInfo {
    CadvisorMetric id;
    std::string_view name;
    const char *type; // Prometheus TYPE
    const char *help; // Prometheus HELP, as the agent exports it
    // The sample field the family carries (its name comes from the field table); nullopt for
    // the working set, which is derived from usage and inactive_file.
    std::optional<SampleField> field;
};

inline constexpr std::array<CadvisorMetricInfo, kCadvisorMetricCount> kCadvisorMetrics = {{
    {CadvisorMetric::UsageBytes, sampleField(SampleField::Usage).metricName, "gauge",
     "Current memory usage in bytes, including all memory regardless of when it was accessed.",
     SampleField::Usage},
    {CadvisorMetric::WorkingSetBytes, "container_memory_working_set_bytes", "gauge",
     "Current working set in bytes (usage minus inactive file).", std::nullopt},
    {CadvisorMetric::Rss, sampleField(SampleField::Anon).metricName, "gauge",
     "Size of RSS (anonymous memory) in bytes.", SampleField::Anon},
    {CadvisorMetric::Cache, sampleField(SampleField::File).metricName, "gauge",
     "Number of bytes of page cache memory.", SampleField::File},
    {CadvisorMetric::Swap, sampleField(SampleField::Swap).metricName, "gauge",
     "Container swap usage in bytes.", SampleField::Swap},
    {CadvisorMetric::LimitBytes, sampleField(SampleField::Limit).metricName, "gauge",
     "Memory limit for the container in bytes (effective: the smallest on the path to the root); 0 = no "
     "limit.",
     SampleField::Limit},
    {CadvisorMetric::Failcnt, sampleField(SampleField::Failcnt).metricName, "counter",
     "Number of memory usage hits limits.", SampleField::Failcnt},
    {CadvisorMetric::OomEvents, sampleField(SampleField::OomKill).metricName, "counter",
     "Count of out of memory events (oom_kill counter of the cgroup).", SampleField::OomKill},
}};

// Every field that names a metric has its family in kCadvisorMetrics.
static_assert([] {
    for (const SampleFieldInfo &f : kSampleFields) {
        bool found = f.metricName.empty();
        for (const CadvisorMetricInfo &m : kCadvisorMetrics)
            found = found || (m.field == f.id && m.name == f.metricName);
        if (!found)
            return false;
    }
    for (std::size_t i = 0; i < kCadvisorMetrics.size(); ++i) {
        if (std::size_t(kCadvisorMetrics[i].id) != i)
            return false;
    }
    return true;
}());

QByteArray cadvisorMetricName(CadvisorMetric metric);
std::optional<CadvisorMetric> cadvisorMetricFor(QByteArrayView name);
std::vector<QByteArray> cadvisorMetricNames();

// One value per family, absent where the source did not report it.
using CadvisorValues = std::array<std::optional<double>, kCadvisorMetricCount>;

// Builds the sample of one cgroup at one time. A NaN, infinite or negative value is unknown.
// With a working set but no usage, usage stands for the working set (so the working-set line is
// right and usage is a lower bound) and inactive_file stays unknown.
MemorySample sampleFromCadvisorValues(const CadvisorValues &values, std::int64_t timestampMs);

// The other way round, as an exporter writes a sample: kUnknown to leave the series out; a limit
// that is not set is 0.
std::int64_t cadvisorMetricValue(CadvisorMetric metric, const MemorySample &sample);

// What a series is, from its labels.
struct MetricSeriesIdentity {
    enum class Role { Container, Pod, Pause, Cgroup };
    Role role = Role::Cgroup;
    QString cgroupPath; // the cAdvisor "id" label
    // "pod/<namespace>/<pod>/<container>" for a Kubernetes container, "pod/<namespace>/<pod>" for
    // a pod's own cgroup; empty otherwise (the store then derives it from the path).
    QString workloadKey;
    QString host; // "node" label, else the host part of "instance"; empty when neither is set
};

struct CadvisorMapOptions {
    // Kubernetes labels: a series with namespace and pod but no container is the pod's cgroup
    // (kept, its own workload) or the sandbox ("pause") container, recognised by container="POD"
    // (dockershim) or a non-empty image label (containerd, CRI-O). Pause containers hold a few
    // hundred KiB and never explain an OOM kill, so they are dropped unless asked for.
    bool keepPodCgroups = true;
    bool keepPauseContainers = false;
};

// labelValue(name) returns a label's value or an empty string. Empty optional: the series has
// no "id" label or is a dropped pause/pod series (*skipReason says which).
std::optional<MetricSeriesIdentity>
identifyCadvisorSeries(const std::function<QString(QLatin1StringView)> &labelValue,
                       const CadvisorMapOptions &options, QString *skipReason = nullptr);

// Samples of one cgroup from a feed, in strictly increasing time.
struct MetricSeries {
    QString host; // from labels (query_range); empty: the importer's host
    QString cgroupPath;
    QString workloadKey; // empty: SampleStore::workloadKeyFor(cgroupPath)
    std::vector<MemorySample> samples;
};

struct ScrapeBatch {
    std::int64_t scrapeTimeMs = 0;
    std::vector<MetricSeries> series;
    int skippedSeries = 0; // no id label, or a dropped pause/pod series
    std::vector<PromParseWarning> warnings;
    int parsedSamples = 0; // memory samples seen in the exposition
};

// One sample per cgroup: its time is the newest explicit timestamp of its lines (cAdvisor
// stamps its values with the time it read them), else scrapeTimeMs.
ScrapeBatch mapCadvisorScrape(const PromParseResult &scrape, std::int64_t scrapeTimeMs,
                              const CadvisorMapOptions &options = {});

// Parses with a filter on the memory families, then maps.
ScrapeBatch parseCadvisorScrape(QByteArrayView text, std::int64_t scrapeTimeMs,
                                const CadvisorMapOptions &options = {});

} // namespace oomscope
