// SPDX-License-Identifier: GPL-3.0-or-later
// Maps cAdvisor-style memory metrics (kubelet /metrics/cadvisor, cAdvisor /metrics,
// oomscope-agent /metrics, or Prometheus holding any of them) to cgroup series of MemorySamples.
#pragma once

#include "memorysample.h"
#include "prometheustext.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace oomscope {

// The metric families a memory feed reads; everything else in a scrape is ignored.
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

QByteArray cadvisorMetricName(CadvisorMetric metric);
std::optional<CadvisorMetric> cadvisorMetricFor(QByteArrayView name);
std::vector<QByteArray> cadvisorMetricNames();

// One value per family, absent where the source did not report it.
using CadvisorValues = std::array<std::optional<double>, kCadvisorMetricCount>;

// Builds the sample of one cgroup at one time. A NaN, infinite or negative value is unknown.
// With a working set but no usage, usage stands for the working set (so the working-set line is
// right and usage is a lower bound) and inactive_file stays unknown.
MemorySample sampleFromCadvisorValues(const CadvisorValues &values, std::int64_t timestampMs);

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
