// SPDX-License-Identifier: GPL-3.0-or-later
// Turns the reader's detailed, optional-laden readings into the compact MemorySample and
// ProcessSample values that samples travel in (store, charts, recordings).
#pragma once

#include "cgroupreader.h"
#include "memorysample.h"

namespace oomscope {

// The cgroup reading as one MemorySample. limitBytes is the effective limit (the smallest on
// the path to the root); a cgroup that was read but has no limit anywhere gets
// MemorySample::kUnlimited, one that could not be read at all (no usage) kUnknown. The same
// rule applies to v2 memory.high. failcnt is v1 memory.failcnt or v2 memory.events "max".
MemorySample toMemorySample(const CgroupSample &sample);

// One process reading, stamped with the time and cgroup of the tick that read it.
ProcessSample toProcessSample(const ProcessReading &reading, std::int64_t timestampMs, double boottimeSeconds,
                              const QString &cgroup);

// CLOCK_BOOTTIME microseconds as the seconds MemorySample carries (NaN when the clock was not
// read, i.e. 0).
double boottimeSecondsFromUs(qint64 boottimeUs);

} // namespace oomscope
