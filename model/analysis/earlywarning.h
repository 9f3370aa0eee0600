// SPDX-License-Identifier: GPL-3.0-or-later
// Warns before an OOM kill, from two kinds of evidence: the trend of the memory reclaim cannot
// free (anon + shmem + kernel: page cache is left out, so a cache-heavy workload at its limit
// does not warn) reaching the limit within a chosen horizon, and the kernel's own signals (v1
// memory.pressure_level and usage thresholds, v2 memory.events high/max and PSI), which the live
// readers hand in as KernelSignal facts. Pure: samples in, facts out; earlyWarningText() words
// them (the one place). The EarlyWarningMonitor keeps the recent samples per cgroup and says each
// warning once until the condition has cleared, for the agent and the local live session alike.
#pragma once

#include "kernelsignal.h"
#include "memorysample.h"

#include <QString>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace oomscope {

struct EarlyWarningOptions {
    double horizonSeconds = 120; // warn when the limit is this close at the current trend
    double windowSeconds = 30; // the recent samples the trend is fitted on
    int minSamples = 4;
    double minSpanSeconds = 2.5; // the window must cover at least this much time
    double minR2 = 0.8; // a straight enough climb (noise and sawtooth do not warn)
    // Clears (and may warn again) when the prediction moves past 2 x horizon or usage falls.
    double rearmFactor = 2;
};

struct EarlyWarning {
    WarningSource source = WarningSource::Trend;
    QString cgroup;
    // The node the warning comes from (an attached agent's hostname); empty for this machine.
    QString node;
    std::int64_t timestampMs = 0;
    // Trend: the fit. Kernel signals: the last sample's figures where known.
    double secondsToLimit = -1; // < 0: not predicted
    double slopeBytesPerSecond = 0;
    std::int64_t unreclaimableBytes = MemorySample::kUnknown;
    std::int64_t usageBytes = MemorySample::kUnknown;
    std::int64_t limitBytes = MemorySample::kUnknown;
    KernelSignal signal; // the kernel's own signal (not Trend)
    // The predicted victim (prediction.h on the processes of the last reading), when known.
    std::int64_t victimPid = 0;
    QString victimComm;
};

// The trend warning from recent samples of one cgroup (time order), nullopt when the memory
// reclaim cannot free is not climbing toward a known limit within options.horizonSeconds.
std::optional<EarlyWarning> trendWarning(std::span<const MemorySample> recent,
                                         const EarlyWarningOptions &options);

// "Memory of /x will reach its 256 MiB limit in about 40 s at +5.0 MiB/s — predicted victim:
// java (pid 42)". One line, for the notification body, the chart marker and the agent record.
QString earlyWarningText(const EarlyWarning &warning);
// A short title ("OOM kill ahead in /x", "OOM kill ahead in /x on node-7").
QString earlyWarningTitle(const EarlyWarning &warning);
// The wire / JSON name of a source ("trend", "pressure_level", ...).
QString warningSourceName(WarningSource source);

class EarlyWarningMonitor
{
public:
    explicit EarlyWarningMonitor(EarlyWarningOptions options = {});

    // A new sample of cgroup (and its processes at that instant, may be empty): the trend
    // warning when it newly holds.
    std::optional<EarlyWarning> addSample(const QString &cgroup, const MemorySample &sample,
                                          std::span<const ProcessSample> processes);
    // A kernel signal: a warning unless the same source warned for the cgroup within
    // kSignalQuietMs (pressure events come in bursts).
    std::optional<EarlyWarning> addSignal(const KernelSignal &signal);
    void forget(const QString &cgroup);
    const EarlyWarningOptions &options() const { return m_options; }

    static constexpr std::int64_t kSignalQuietMs = 30'000;
    // Usage thresholds, medium pressure and memory.events high/max warn only when memory
    // reclaim cannot free is at least this share of the limit (else it is page cache at work).
    static constexpr double kSignalDemandShare = 0.5;

private:
    struct CgroupState {
        std::deque<MemorySample> recent;
        std::vector<ProcessSample> lastProcesses;
        bool trendArmed = true;
        std::map<int, std::int64_t> lastSignalMs; // by WarningSource
    };
    void nameVictim(EarlyWarning &warning, const CgroupState &state) const;

    EarlyWarningOptions m_options;
    std::map<QString, CgroupState> m_state;
};

} // namespace oomscope
