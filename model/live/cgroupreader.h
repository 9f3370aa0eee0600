// SPDX-License-Identifier: GPL-3.0-or-later
// Reads one memory cgroup's counters (v1 or v2) and the processes in it from a cgroup filesystem
// root and a /proc root given as parameters, so the same code runs on the live system and on
// fixture trees.
#pragma once

#include "result.h"

#include <QString>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace oomscope {

enum class CgroupVersion { None = 0, V1 = 1, V2 = 2 };

// v2 memory.events / memory.events.local: counters since the cgroup was created.
struct CgroupMemoryEvents {
    qint64 low = 0;
    qint64 high = 0;
    qint64 max = 0; // times usage hit memory.max
    qint64 oom = 0; // times the OOM killer was invoked (or would have been)
    qint64 oomKill = 0; // processes killed
    qint64 oomGroupKill = 0; // memory.oom.group kills (5.18+)
};

// The counters of a memory.events (or memory.events.local) file's text; nullopt when it is not
// "key value" lines. Unknown keys are skipped (newer kernels add some).
std::optional<CgroupMemoryEvents> parseMemoryEvents(std::string_view text);

// One reading of a memory cgroup. Every counter is optional: absent means the file was missing
// (older kernel, controller option off) or malformed, never zero. Limits that are "max" (v2) or
// the page-rounded LONG_MAX (v1) are treated as no limit and left empty as well.
struct CgroupSample {
    qint64 timestampMs = 0; // wall clock, epoch ms, taken before the first read
    qint64 boottimeUs = 0; // CLOCK_BOOTTIME, the clock dmesg timestamps use
    QString path; // normalised, relative to the hierarchy root, starts with '/'
    int version = 0; // 1 or 2

    std::optional<qint64> usageBytes; // v1 memory.usage_in_bytes, v2 memory.current
    std::optional<qint64> limitBytes; // v1 memory.limit_in_bytes, v2 memory.max
    std::optional<qint64> highBytes; // v2 memory.high
    std::optional<qint64> peakBytes; // v1 memory.max_usage_in_bytes, v2 memory.peak (5.19+)
    std::optional<qint64> swapBytes; // v2 memory.swap.current; v1 total_swap of memory.stat
    std::optional<qint64> swapLimitBytes; // v2 memory.swap.max

    // The limit that actually binds: the smallest memory limit on the path to the root, and
    // the cgroup it belongs to (a parent's limit caps all its children).
    std::optional<qint64> effectiveLimitBytes;
    QString effectiveLimitPath;

    // v1 only: memory+swap counters and the failure counter.
    std::optional<qint64> memswUsageBytes;
    std::optional<qint64> memswLimitBytes;
    std::optional<qint64> memswPeakBytes;
    std::optional<qint64> memswFailcnt;
    std::optional<qint64> failcnt;

    // OOM state. v1: memory.oom_control (oom_kill counts kills in this cgroup only); v2:
    // memory.events (hierarchical) with memory.events.local beside it.
    std::optional<qint64> oomKillCount;
    std::optional<qint64> oomEvents; // v2 only: memory.events "oom"
    std::optional<CgroupMemoryEvents> events;
    std::optional<CgroupMemoryEvents> eventsLocal;
    bool oomKillDisable = false; // v1
    bool underOom = false; // v1
    bool oomGroup = false; // v2 memory.oom.group

    // memory.stat breakdown. v1 uses the hierarchical total_* fields (falling back to the local
    // ones): anon = total_rss, file = total_cache (which includes shmem), kernel =
    // memory.kmem.usage_in_bytes. v2 uses the fields of the same names.
    std::optional<qint64> anonBytes;
    std::optional<qint64> fileBytes;
    std::optional<qint64> shmemBytes;
    std::optional<qint64> activeAnonBytes;
    std::optional<qint64> inactiveAnonBytes;
    std::optional<qint64> activeFileBytes;
    std::optional<qint64> inactiveFileBytes;
    std::optional<qint64> unevictableBytes;
    std::optional<qint64> mappedFileBytes; // v1 total_mapped_file, v2 file_mapped
    std::optional<qint64> kernelBytes;
    std::optional<qint64> kernelStackBytes; // v2
    std::optional<qint64> pageTablesBytes; // v2
    std::optional<qint64> slabBytes; // v2
    std::optional<qint64> sockBytes; // v2

    // Every memory.stat line in file order; filled only with CgroupReader::setKeepRawStat(true)
    // because it costs one string per line.
    std::vector<std::pair<QString, qint64>> stat;

    // The first file of the cgroup that could not be read or was not in the expected format, as
    // one line; empty when every file was read. Its fields stay unset, the others are filled.
    QString problem;
};

// One process of a cgroup, from /proc/PID/status, oom_score_adj and oom_score.
struct ProcessReading {
    qint64 pid = 0;
    QString comm; // status "Name:" (the kernel's comm, with \n and \\ escaped)
    char state = 0; // status "State:" letter, 0 if unknown
    std::optional<qint64> vmRssKb;
    std::optional<qint64> rssAnonKb;
    std::optional<qint64> rssFileKb;
    std::optional<qint64> rssShmemKb;
    std::optional<qint64> swapKb; // VmSwap
    std::optional<int> oomScoreAdj;
    std::optional<int> oomScore;
};

class CgroupReader
{
public:
    explicit CgroupReader(const QString &cgroupRoot = QStringLiteral("/sys/fs/cgroup"),
                          const QString &procRoot = QStringLiteral("/proc"));

    // Looks at the root again (the constructor already did once): `<root>/cgroup.controllers`
    // means the unified v2 hierarchy at the root; `<root>/memory/memory.usage_in_bytes` a v1
    // memory controller mounted at `<root>/memory`; `<root>/memory.usage_in_bytes` a root that
    // is itself the v1 memory mount.
    CgroupVersion detectVersion();
    CgroupVersion version() const { return m_version; }

    QString cgroupRoot() const { return m_cgroupRoot; }
    QString procRoot() const { return m_procRoot; }
    // The directory cgroup paths are relative to: `<root>/memory` for v1, `<root>` for v2.
    QString memoryRoot() const { return m_memoryRoot; }

    void setKeepRawStat(bool keep) { m_keepRawStat = keep; }
    bool keepRawStat() const { return m_keepRawStat; }

    // Reads the cgroup at relPath ("/docker/abc", "system.slice/x.service"; "" or "/" is the
    // root). An error when nothing can be read: the path leaves the root (Invalid), no memory
    // controller or no such cgroup (NotFound), its directory cannot be opened (Io). A file that
    // cannot be read or parsed is the sample's `problem`, not an error: the rest is still read.
    Result<CgroupSample> read(const QString &relPath) const;

    // The processes listed in cgroup.procs (and in every descendant's, when recursive). Pids
    // that exit while being read are skipped. Sorted by pid. An error as for read(), or Invalid
    // when a cgroup.procs is malformed.
    Result<std::vector<ProcessReading>> processes(const QString &relPath, bool recursive = false) const;

    // One process read on its own; empty if it does not exist (any more).
    std::optional<ProcessReading> process(qint64 pid) const;

    // The memory cgroup of a process from /proc/PID/cgroup (v2 "0::" line, or the v1 line whose
    // controllers include "memory"), relative to the hierarchy root as seen by that namespace.
    std::optional<QString> cgroupOfProcess(qint64 pid) const;

    // "/a/b" from "a//b/./", empty optional if the path has a ".." component (it could escape
    // the root). Exposed for discovery and tests.
    static std::optional<QString> normalizePath(const QString &relPath);

private:
    QString m_cgroupRoot;
    QString m_procRoot;
    QString m_memoryRoot;
    CgroupVersion m_version = CgroupVersion::None;
    bool m_keepRawStat = false;
};

} // namespace oomscope
