// SPDX-License-Identifier: GPL-3.0-or-later
// Puts kernel time (the seconds-since-boot of dmesg and OOM reports) and recorded samples on one
// wall-clock axis, and finds the kill's footprint in the samples.
#pragma once

#include "memorysample.h"
#include "oomevent.h"

#include <cstddef>
#include <optional>
#include <span>

namespace oomscope {

// Wall time of boot (epoch ms) estimated from samples that carry boottime_s: the median of
// timestampMs - boottimeSeconds * 1000, so that a few samples delayed between reading the clock
// and the counters (or a wall-clock step) do not move it. nullopt when no sample has boottime.
// Note: dmesg stamps equal CLOCK_BOOTTIME only on machines that have not suspended since boot
// (printk uses local_clock, which stops in suspend); a recording spans minutes, so this holds in
// practice, and the offset is then a few ms at most.
std::optional<qint64> bootTimeMsFromSamples(std::span<const MemorySample> samples);
std::optional<qint64> bootTimeMsFromProcesses(std::span<const ProcessSample> rows);

// Wall time (epoch ms) of an OOM event: its kernel uptime placed on the boot time when both are
// known (precise to the ms, immune to a syslog's clock or time zone), else the wall time of its
// log prefix (second precision at best), else nullopt.
std::optional<qint64> eventWallTimeMs(const OomEvent &event, std::optional<qint64> bootTimeMs);

// How far around an event time to look for its footprint in the samples. lookBehindMs covers
// clock error between the log and the sampler.
struct FootprintSearch {
    qint64 lookBehindMs = 1000;
    qint64 lookAheadMs = 10000;
    std::int64_t minDropBytes = 1; // usage drops smaller than this are noise
};

// Index of the sample that first shows a kill near eventWallMs: the sample after the largest
// fall of usageBytes (relative to the previous sample with a known usage) among samples within
// [eventWallMs - lookBehindMs, eventWallMs + lookAheadMs]; on equal falls the earliest. The
// samples must be of one cgroup and sorted by time. nullopt when usage did not fall there.
std::optional<std::size_t> usageDropIndex(std::span<const MemorySample> samples, qint64 eventWallMs,
                                          const FootprintSearch &search = {});

// Index of the first sample in that window whose oom_kill counter is higher than the previous
// known value: the kernel's own count of the kill, independent of how much memory it freed.
std::optional<std::size_t> oomKillStepIndex(std::span<const MemorySample> samples, qint64 eventWallMs,
                                            const FootprintSearch &search = {});

// Which of a recording's cgroups an OOM event belongs to: the path equal to its oom_memcg (then
// task_memcg), else the one whose last path component equals theirs (recordings often name a
// cgroup by its directory), else — when the recording has a single cgroup — that one.
std::optional<std::size_t> cgroupIndexForEvent(const OomEvent &event, std::span<const QString> cgroupPaths);

} // namespace oomscope
