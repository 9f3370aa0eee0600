// SPDX-License-Identifier: GPL-3.0-or-later
// What one sampling tick read: the value a sampler hands to storage, the agent and the GUI.
#pragma once

#include "memorysample.h"

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace oomscope {

// One cgroup in one tick.
struct SampledCgroup {
    QString path; // as configured (normalised)
    bool present = false; // the cgroup directory existed when read
    QString error; // the reader's first problem, empty when everything read cleanly
    MemorySample memory;
    std::vector<ProcessSample> processes; // empty unless processes are sampled
    std::int64_t oomKillDelta = 0; // kills counted since the previous tick (>= 0)
};

// Everything one tick read. Shared read-only between threads (STYLE.md 4).
struct SampleBatch {
    std::int64_t tick = 0; // schedule slot since start(); a jump means ticks were missed
    std::int64_t timestampMs = 0; // wall clock at the start of the tick
    double boottimeSeconds = 0; // CLOCK_BOOTTIME at the start of the tick
    std::int64_t readCostUs = 0; // time spent reading this tick (all cgroups and processes)
    std::vector<SampledCgroup> cgroups; // in configured order

    const SampledCgroup *find(const QString &path) const;
};

using SampleBatchPtr = std::shared_ptr<const SampleBatch>;

} // namespace oomscope

Q_DECLARE_METATYPE(oomscope::SampleBatchPtr)
