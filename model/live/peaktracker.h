// SPDX-License-Identifier: GPL-3.0-or-later
// The peak of each sampling interval (MemorySample::peakBytes) from the kernel's high-water marks,
// so a spike between two samples is not lost:
// - cgroup v2 memory.peak on kernels >= 6.12: each open file has its own peak, reset by writing
//   to that file. One descriptor per cgroup, read and reset every tick: the exact interval peak,
//   and nobody else's reading is disturbed.
// - cgroup v1 memory.max_usage_in_bytes with resetV1 (opt-in: the mark is shared by every
//   tool on the node): read, then reset by writing 0: the exact interval peak.
// - otherwise (v1 by default, v2 before 6.12, fixture trees): the mark since creation. When it
//   rose during the interval, the new mark is the interval's peak; when it did not, the interval
//   peaked somewhere between its two samples' usage and the mark, and the larger usage is
//   reported (a lower bound, no invention).
#pragma once

#include "cgroupreader.h"

#include <cstdint>
#include <map>

namespace oomscope {

class PeakTracker
{
public:
    PeakTracker(QString memoryRoot, CgroupVersion version, bool resetV1);
    ~PeakTracker();
    PeakTracker(const PeakTracker &) = delete;
    PeakTracker &operator=(const PeakTracker &) = delete;

    // The peak of the interval that ends with this reading of path; kUnknown when the reading
    // has no usage.
    std::int64_t intervalPeak(const QString &path, const CgroupSample &reading);
    // The cgroup is gone: its descriptor and marks are dropped.
    void forget(const QString &path);
    // How the peaks of path are measured (tests, logs): true when exact (own reset).
    bool exact(const QString &path) const;

private:
    struct State {
        std::int64_t lastMark = -1;
        std::int64_t lastUsage = -1;
        int fd = -1; // v2: our own memory.peak descriptor (reset per tick)
        bool fdTried = false;
    };
    std::int64_t ownPeak(const QString &path, State &st);

    QString m_memoryRoot;
    CgroupVersion m_version;
    bool m_resetV1;
    std::map<QString, State> m_state;
};

} // namespace oomscope
