// SPDX-License-Identifier: GPL-3.0-or-later
// Recognises the log lines of killers other than the kernel's OOM killer and of the programs that
// report container deaths: systemd-oomd (memory-pressure and swap rules, every wording since 247),
// earlyoom (low-memory reports and its SIGTERM/SIGKILL lines, 1.2 – 1.8), the kubelet's eviction
// manager (klog text and structured forms), kubelet/containerd/CRI-O/dockerd OOM events and
// container exits. Pure: text in, facts out; the deaths table (model/analysis/deaths.h) joins them.
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace oomscope {

struct KillerLine {
    enum class Kind {
        OomdKill, // systemd-oomd killed (or marked for killing) a cgroup
        OomdUnitKilled, // systemd: "<unit>: systemd-oomd killed N process(es) in this unit."
        UnitOomKilled, // systemd: "<unit>: A process of this unit has been killed by the OOM killer."
        EarlyoomLowMemory, // earlyoom: "low memory! at or below SIGTERM limits: …"
        EarlyoomKill, // earlyoom: "sending SIGTERM to process 123 uid 0 "x": badness 5, VmRSS 9 MiB"
        KubeletReclaim, // kubelet: threshold crossed, "attempting to reclaim memory"
        KubeletRanked, // kubelet: "pods ranked for eviction"
        KubeletEvicted, // kubelet: "pod … is evicted successfully" / "Evicting pod"
        RuntimeOom, // containerd TaskOOM, dockerd "container oom", kubelet/CRI-O OOM events
        RuntimeExit, // containerd "received exit event", dockerd "container die" with an exit code
    };
    Kind kind = Kind::OomdKill;
    qint64 line = 0; // 1-based
    QString text; // the whole line, prefix kept
    QString host;
    std::optional<QDateTime> wallTime;
    std::optional<double> uptimeSeconds;

    QString cgroup; // oomd: the cgroup killed; others: a cgroup path when printed
    QString unit; // systemd unit for the OomdUnitKilled/UnitOomKilled lines
    QString rule; // oomd: "memory pressure" or "swap"; kubelet: the resource ("memory")
    QString detail; // the reason as printed ("… being 51.07% > 50.00% for > 20s …")
    std::optional<std::int64_t> pid;
    QString comm;
    std::optional<int> signal; // earlyoom: 15 or 9
    std::optional<std::int64_t> badness;
    std::optional<std::int64_t> vmRssMiB;
    QString namespaceName; // kubelet and dockerd name the pod
    QString pod;
    QString podUid;
    QString container;
    QString containerId; // 64 hex digits where the runtime printed one
    std::optional<int> exitCode;
    QStringList rankedPods; // KubeletRanked: "namespace/name" in the kubelet's order
};

QString killerLineKindName(KillerLine::Kind kind);

// Recognises one line; message is the text after the log prefix (the whole line when none).
// The caller fills line number, host and times from the prefix.
std::optional<KillerLine> recogniseKillerLine(std::string_view message);

struct KillerLineScan {
    std::vector<KillerLine> lines;
    qint64 linesRead = 0;
};

// Splits a byte stream into lines as it arrives (blocks of any size) and recognises each, with
// the same prefix handling as the kernel-log parser. Lines longer than maxLineBytes are cut.
class KillerLineScanner
{
public:
    explicit KillerLineScanner(int assumedYear = 0, qsizetype maxLineBytes = 64 * 1024);
    void feed(const char *data, qsizetype size);
    KillerLineScan finish(); // flushes a last line without newline

private:
    void takeLine(std::string_view line);

    int m_assumedYear = 0;
    qsizetype m_maxLineBytes = 0;
    std::string m_pending;
    bool m_pendingCut = false;
    KillerLineScan m_scan;
};

// Convenience for tests and small inputs.
KillerLineScan scanKillerLines(std::string_view text, int assumedYear = 0);

} // namespace oomscope
