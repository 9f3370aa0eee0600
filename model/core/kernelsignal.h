// SPDX-License-Identifier: GPL-3.0-or-later
// A warning signal the kernel gives before an OOM kill, as the live readers (model/live
// memorysignals) report it and the early warning (model/analysis earlywarning) takes it.
#pragma once

#include "memorysample.h"

#include <QMetaType>
#include <QString>

#include <cstdint>

namespace oomscope {

enum class WarningSource {
    Trend, // the unreclaimable memory climbs toward the limit
    PressureLevel, // v1 memory.pressure_level (medium / critical)
    UsageThreshold, // v1 usage crossed a threshold set through cgroup.event_control
    EventsHigh, // v2 memory.events "high" grew: throttled above memory.high
    EventsMax, // v2 memory.events "max" grew: usage hit memory.max, reclaim had to run
    Pressure, // v2 PSI memory.pressure some avg10 above the threshold
};

// A kernel signal as the live readers report it.
struct KernelSignal {
    WarningSource source = WarningSource::PressureLevel;
    QString cgroup;
    std::int64_t timestampMs = 0;
    QString level; // PressureLevel: "medium" / "critical"
    std::int64_t thresholdBytes = MemorySample::kUnknown; // UsageThreshold
    std::int64_t count = 0; // EventsHigh / EventsMax: the rise since the previous tick
    double avg10 = 0; // Pressure: some avg10 (%)
};

} // namespace oomscope

Q_DECLARE_METATYPE(oomscope::KernelSignal)
