// SPDX-License-Identifier: GPL-3.0-or-later
// Stores cgroup memory samples in the workspace as time series (one per cgroup path and host,
// stitched into workloads), keeps a stored min/max/last level of detail per series for wide
// charts, and places OOM events on series timelines.
#pragma once

#include "memorysample.h"
#include "progress.h"
#include "recordingcsv.h" // CsvRowIssue
#include "result.h"

#include <QString>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace oomscope {

class Workspace;

struct WorkloadInfo {
    qint64 id = 0;
    QString host;
    QString key; // "pod/<uid>", "docker/<id>", "unit/<name>", else the cgroup path
    QString kind; // cgroupKindName(): docker, kubernetes, systemd, other
    QString podUid;
    QString containerId;
    QString unit;
    int seriesCount = 0;
};

struct SeriesInfo {
    qint64 id = 0;
    qint64 workloadId = 0;
    QString host;
    QString cgroupPath;
    int incarnation = 0; // 1, 2, … within the workload
    std::optional<std::int64_t> firstMs; // empty while the series has no samples
    std::optional<std::int64_t> lastMs;
    qint64 count = 0;
};

struct EventPlacement {
    qint64 eventId = 0;
    qint64 seriesId = 0;
    std::int64_t timeMs = 0;
};

struct AppendResult {
    bool ok = false; // false: nothing of this batch is stored (error or canceled)
    bool canceled = false;
    QString error;
    qint64 appended = 0;
};

// A series over a time range at one level of detail, as typed arrays for the chart. At level 0
// (raw samples) min = max = last = the sample's value and sampleCount = 1. Memory in bytes,
// MemorySample::kUnknown where no sample of the bucket knew the value. "last" is the last known
// value in the bucket; min/max ignore unknowns.
struct SampleEnvelope {
    int level = 0; // 0 raw, n: SampleStore::levelWidthsMs()[n - 1]
    std::int64_t bucketMs = 0; // 0 for raw samples; a multiple of the level width when merged
    std::vector<std::int64_t> timeMs; // bucket start (raw: the sample's time)
    std::vector<std::int64_t> lastTimeMs; // time of the bucket's last sample
    std::vector<std::int64_t> sampleCount;
    std::vector<std::int64_t> minUsageBytes, maxUsageBytes, lastUsageBytes;
    std::vector<std::int64_t> minWorkingSetBytes, maxWorkingSetBytes, lastWorkingSetBytes;
    std::vector<std::int64_t> lastAnonBytes, lastFileBytes, lastShmemBytes, lastActiveFileBytes,
        lastInactiveFileBytes, lastKernelBytes, lastSwapBytes;
    std::vector<std::int64_t> lastLimitBytes, lastHighBytes;
    std::vector<std::int64_t> maxFailcnt, maxOomKillCount;
    // The highest usage the bucket saw, between samples included (peak_bytes, else usage).
    std::vector<std::int64_t> maxPeakBytes;

    std::size_t size() const { return timeMs.size(); }
    bool empty() const { return timeMs.empty(); }
};

struct SamplesImportResult {
    bool ok = false; // false: error set, workspace unchanged
    QString error;
    Error::Kind errorKind = Error::Kind::Invalid; // with error: disk full, busy, bad input…
    bool canceled = false;
    bool alreadyImported = false; // same content seen before: nothing added
    qint64 sourceId = 0;
    std::vector<qint64> seriesIds; // in the file's order of cgroups
    qint64 samplesAdded = 0;
    qint64 skippedRows = 0;
    std::vector<CsvRowIssue> warnings; // skipped rows with their line numbers
};

struct ProcsImportResult {
    bool ok = false;
    QString error;
    Error::Kind errorKind = Error::Kind::Invalid;
    bool canceled = false;
    bool alreadyImported = false;
    qint64 sourceId = 0;
    qint64 rowsAdded = 0;
    qint64 rowsUnplaced = 0; // rows for which the lookup found no series
    qint64 skippedRows = 0;
    std::vector<CsvRowIssue> warnings;
};

// Works on the connection of an open Workspace, on that workspace's (storage) thread. Keep one
// SampleStore per workspace connection: it keeps where the last chunks of each series it appends
// to stand (writeStateBytes()).
class SampleStore
{
public:
    explicit SampleStore(Workspace &workspace);
    ~SampleStore();
    SampleStore(const SampleStore &) = delete;
    SampleStore &operator=(const SampleStore &) = delete;

    // Bucket widths of the stored levels 1…N (level 0 is raw): 10 s, 1 min, 10 min, 1 h, 1 day.
    static std::span<const std::int64_t> levelWidthsMs();
    static constexpr int kRawChunkSamples = 1024;
    static constexpr int kLevelChunkBuckets = 256;

    // The workload key a cgroup path belongs to, from CgroupDiscovery::classify(): a Kubernetes
    // pod ("pod/<uid>"), a Docker container ("docker/<id>"), a systemd unit ("unit/<name>"),
    // else the path itself.
    static QString workloadKeyFor(const QString &cgroupPath);

    // Finds or creates the series of (host, cgroupPath). A new path of a known workload becomes
    // its next incarnation. workloadKey overrides workloadKeyFor() (e.g. a container name the
    // sampler learnt from the runtime). Returns the series' id.
    Result<qint64> ensureSeries(const QString &host, const QString &cgroupPath,
                                const QString &workloadKey = {});
    std::optional<qint64> findSeries(const QString &host, const QString &cgroupPath) const;
    std::vector<SeriesInfo> series() const; // by workload, then incarnation
    std::optional<SeriesInfo> seriesInfo(qint64 seriesId) const;
    std::vector<WorkloadInfo> workloads() const;
    // [first, last] sample time; empty when the series has no samples.
    std::optional<std::pair<std::int64_t, std::int64_t>> timeRange(qint64 seriesId) const;
    // Deletes the series with its samples, levels, process samples and placements, and its
    // workload when that was the last series.
    Result<void> deleteSeries(qint64 seriesId);

    // Appends samples in time order, all at or after the series' last sample (checked: a batch
    // that breaks the order is rejected whole). One transaction per call, or a savepoint when
    // the caller already holds a transaction. progress(samplesDone) returning false cancels.
    AppendResult append(qint64 seriesId, std::span<const MemorySample> samples,
                        const ProgressFn &progress = {});
    Result<void> appendProcesses(qint64 seriesId, std::span<const ProcessSample> rows);
    // Bytes this store holds for the series it appends to: per series the raw chunk being built
    // (fixed) and where each level's last chunk stands (a few hundred bytes), however long the
    // series is appended to.
    std::size_t writeStateBytes() const;

    // Raw samples with fromMs <= timestampMs <= toMs, in time order.
    std::vector<MemorySample> samples(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs) const;
    // At most maxSamples of those: all when they fit, else what SampleThinner keeps of them (the
    // extremes of equal time buckets), read chunk by chunk: the memory it takes is bounded by
    // maxSamples however long the range.
    struct Thinned {
        std::vector<MemorySample> samples;
        qint64 rawCount = 0; // raw samples in the range
        std::int64_t bucketMs = 0; // 0: every raw sample
    };
    Thinned thinnedSamples(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs, qint64 maxSamples) const;
    // Process rows with fromMs <= time <= toMs, by time. With maxReadings, when the range holds
    // more readings (distinct times), the first reading of each of maxReadings equal time buckets.
    std::vector<ProcessSample> processSamples(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs,
                                              std::optional<qint64> maxReadings = std::nullopt) const;

    // The finest level whose buckets overlapping [fromMs, toMs] number at most maxPoints (raw
    // samples when few enough); when even the coarsest level has more, its buckets are merged
    // in groups. Never more than maxPoints entries.
    SampleEnvelope envelope(qint64 seriesId, std::int64_t fromMs, std::int64_t toMs, int maxPoints) const;
    // The stored buckets of one level overlapping [fromMs, toMs] (level 0: raw samples).
    SampleEnvelope levelData(qint64 seriesId, int level, std::int64_t fromMs, std::int64_t toMs) const;
    // Number of level entries (samples, buckets) overlapping [fromMs, toMs], exact.
    qint64 levelCount(qint64 seriesId, int level, std::int64_t fromMs, std::int64_t toMs) const;

    // OOM events on series timelines. setPlacement replaces an existing placement of the pair.
    Result<void> setPlacement(qint64 eventId, qint64 seriesId, std::int64_t timeMs);
    bool removePlacement(qint64 eventId, qint64 seriesId);
    std::vector<EventPlacement> placements(qint64 seriesId) const; // by time
    std::vector<EventPlacement> placementsOfEvent(qint64 eventId) const;
    // Places every event with a wall time whose OOM or task memcg is a series' cgroup path (same
    // host, or an event without host) and whose time lies in the series' range ± slackMs.
    // Returns the number of placements made.
    int placeEventsByMemcg(std::int64_t slackMs = 60'000);

    // Recording import: one transaction per file, content-hash dedup through the sources table
    // (kind 'samples' / 'procs'); skipped rows are returned and stored as warnings.
    SamplesImportResult importSamplesCsv(const QString &path, const QString &host,
                                         const ProgressFn &progress = {});
    // seriesLookup maps a row to its series id (0: not stored, counted in rowsUnplaced).
    ProcsImportResult importProcsCsv(const QString &path,
                                     const std::function<qint64(const ProcessSample &)> &seriesLookup,
                                     const ProgressFn &progress = {});

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace oomscope
