// SPDX-License-Identifier: GPL-3.0-or-later
// Value types for one OOM-killer report as the kernel printed it, before any interpretation.
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace oomscope {

// How each log line was prefixed; detected per line, since one file can mix them (rare, but
// concatenated logs exist).
enum class PrefixStyle {
    Unknown,
    None, // bare kernel text
    Dmesg, // "[ 1234.567890] "
    DmesgCaller, // "[ 1234.567890][ T4321] "
    DmesgHuman, // dmesg -T "[Fri Nov 27 10:00:00 2026] "
    DmesgIso, // dmesg --time-format iso
    DmesgRaw, // dmesg -r "<4>[ 1234.567890] "
    Syslog, // "Nov 27 10:00:00 host kernel: " (rsyslog traditional / journalctl short)
    SyslogPrecise, // journalctl short-precise "Nov 24 16:02:11.482913 host kernel: "
    SyslogIso, // journalctl short-iso / rsyslog RFC3339 "2026-11-27T10:15:02+01:00 host kernel: "
    JournalMonotonic, // journalctl short-monotonic "[12345.678901] host kernel: "
    Kmsg, // /dev/kmsg "pri,seq,usec,flags;msg"
    Rfc5424, // "<4>1 2026-11-27T10:15:02.005000+01:00 host kernel - - - "
};

QString prefixStyleName(PrefixStyle style);

// The task-table column layout, which identifies the kernel era (kernel-oom-formats.md §2.6).
enum class TaskTableLayout {
    Unknown,
    NrPtes, // 3.10 / RHEL 7: ... rss nr_ptes swapents oom_score_adj name
    NrPtesNrPmds, // ~4.1 – 4.14: ... rss nr_ptes nr_pmds swapents ...
    PgtablesBytes, // 4.15 – 6.7: ... rss pgtables_bytes swapents ...
    RssSplit, // >= 6.8: ... rss rss_anon rss_file rss_shmem pgtables_bytes swapents ...
};

QString taskTableLayoutName(TaskTableLayout layout);

enum class Constraint { Unknown, None, Cpuset, MemoryPolicy, Memcg };

QString constraintName(Constraint c); // "global" for None, "memcg", "cpuset", "mempolicy", "unknown"

// One "usage N kB, limit N kB, failcnt N" line (memory:, memory+swap:, kmem:, swap:).
struct CounterLine {
    bool present = false;
    std::int64_t usageKb = 0;
    std::int64_t limitKb = 0;
    std::int64_t failcnt = 0;
    // The kernel prints PAGE_COUNTER_MAX (9007199254740988kB) or similar for "no limit".
    bool unlimited() const { return present && limitKb >= (std::int64_t(1) << 52); }
};

// One row of the task table. Memory columns are in pages except pgtablesBytes.
struct OomTask {
    std::int64_t pid = 0;
    std::int64_t uid = 0;
    std::int64_t tgid = 0;
    std::int64_t totalVmPages = 0;
    std::int64_t rssPages = 0;
    std::optional<std::int64_t> rssAnonPages; // >= 6.8 only
    std::optional<std::int64_t> rssFilePages;
    std::optional<std::int64_t> rssShmemPages;
    std::optional<std::int64_t> nrPtes; // <= 4.14
    std::optional<std::int64_t> nrPmds; // ~4.1 – 4.14
    std::optional<std::int64_t> pgtablesBytes; // >= 4.15
    std::int64_t swapEntsPages = 0;
    int oomScoreAdj = 0;
    QString comm;
    qint64 line = 0; // 1-based line number in the source

    // Page-table pages as the kernel's badness of that era counts them.
    std::int64_t pageTablePages(std::int64_t pageSizeBytes = 4096) const;
};

// "Killed process N (comm) total-vm:..kB, anon-rss:..kB, ..." in any of its forms.
struct KilledProcess {
    bool present = false;
    std::int64_t pid = 0;
    QString comm;
    std::optional<std::int64_t> uid;
    std::int64_t totalVmKb = 0;
    std::int64_t anonRssKb = 0;
    std::int64_t fileRssKb = 0;
    std::optional<std::int64_t> shmemRssKb;
    std::optional<std::int64_t> pgtablesKb;
    std::optional<int> oomScoreAdj;
    QString message; // "Memory cgroup out of memory", "Out of memory", or empty (<= 4.x bare line)
    qint64 line = 0;
};

// One raw line of the report as it appeared in the file, prefix stripped.
struct RawLine {
    qint64 line = 0;
    QString text;
};

// Everything one OOM report said. Fields the kernel of that era did not print stay empty.
struct OomEvent {
    // Where and when.
    QString host; // from syslog/journal prefixes; empty for dmesg
    std::optional<double> uptimeSeconds; // kernel (CLOCK_BOOTTIME-ish) timestamp, when printed
    std::optional<QDateTime> wallTime; // when the prefix carries wall-clock time
    PrefixStyle prefixStyle = PrefixStyle::Unknown;
    qint64 firstLine = 0;
    qint64 lastLine = 0;

    // "<comm> invoked oom-killer: gfp_mask=..., order=N, oom_score_adj=N"
    QString triggerComm;
    std::int64_t triggerPid = 0; // from the "CPU: .. PID: .." stack header
    QString gfpMask; // as printed, e.g. "0xcc0(GFP_KERNEL)"
    int order = 0;
    std::optional<int> triggerOomScoreAdj; // oom_score_adj=, or the old oom_adj=
    bool triggerUsesOldOomAdj = false;
    QString kernelRelease; // from the "CPU: .. Not tainted 5.15.0-91-generic #.." line
    QString cpuset;
    QString memsAllowed;

    // Which limit fired.
    Constraint constraint = Constraint::Unknown;
    QString oomMemcg; // cgroup whose limit was hit (oom_memcg= or "limit of X"); empty if global
    QString taskMemcg; // cgroup of the victim (task_memcg= or "Task in X")

    CounterLine memory; // "memory: usage .. limit .. failcnt .."
    CounterLine memsw; // "memory+swap:"
    CounterLine kmem; // "kmem:"
    CounterLine swap; // "swap:" (cgroup v2, >= 5.3)

    // "Memory cgroup stats for X": key -> value, for the OOM memcg (first block). Single-line
    // forms are in KiB ("cache:123KB" → 123*1024 stored in bytes); multi-line v2 forms are in
    // bytes or counts, stored as printed.
    std::vector<std::pair<QString, std::int64_t>> memcgStats;
    QString memcgStatsPath;

    // Global OOM (Mem-Info): page counts for totalpages.
    std::optional<std::int64_t> ramPages; // "N pages RAM"
    std::optional<std::int64_t> reservedPages; // "N pages reserved"
    std::optional<std::int64_t> managedKbSum; // sum of zone "managed:" kB
    std::optional<std::int64_t> totalSwapKb; // "Total swap = N kB"
    std::optional<std::int64_t> freeSwapKb;
    std::int64_t pageSizeBytes = 4096;

    // Task table.
    TaskTableLayout layout = TaskTableLayout::Unknown;
    bool hasTasksStateLine = false; // "Tasks state (memory values in pages):" (>= 4.19)
    std::vector<OomTask> tasks;

    // Selection and kill.
    std::optional<std::int64_t> selectedPid; // "Kill process P (comm) score S or sacrifice child"
    QString selectedComm;
    std::optional<std::int64_t> selectedScore;
    bool hasSummaryLine = false; // "oom-kill:constraint=..." (>= 5.0, RHEL 8)
    std::optional<std::int64_t> summaryPid; // pid= of the summary line
    std::optional<std::int64_t> summaryUid;
    QString summaryComm;
    KilledProcess victim;
    bool oomGroup = false; // "Tasks in X are going to be killed due to memory.oom.group set"
    QString oomGroupMemcg; // the X of that line
    std::vector<KilledProcess> groupKilled; // further kills of the same report (oom.group)
    std::optional<std::int64_t> reapedPid; // "oom_reaper: reaped process N"

    // Bookkeeping.
    bool complete = false; // header, counters/Mem-Info, table and kill line all seen
    QStringList missing; // which parts were not seen, for an incomplete report
    std::vector<RawLine> rawLines;

    // The pid the kernel selected by badness: "Kill process P" on old kernels, else the victim.
    std::int64_t kernelSelectedPid() const;
    // A short label of the format era, e.g. "6.8+ (rss_anon columns)"; used as kernel_format.
    QString kernelFormat() const;
};

struct ParseWarning {
    enum class Kind { Truncated, Binary, LongLine, Malformed, Orphan, Interleaved, Encoding };
    qint64 line = 0;
    Kind kind = Kind::Malformed;
    QString detail;
};

QString parseWarningKindName(ParseWarning::Kind kind);

} // namespace oomscope
