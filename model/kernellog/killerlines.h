// SPDX-License-Identifier: GPL-3.0-or-later
// Recognises the log lines of killers other than the kernel's OOM killer and of the programs that
// report container deaths: systemd-oomd (memory-pressure and swap rules, every wording since 247),
// earlyoom (low-memory reports and its SIGTERM/SIGKILL lines, 1.2 – 1.8), the kubelet's eviction
// manager (klog text and structured forms), kubelet/containerd/CRI-O/dockerd OOM events and
// container exits. Pure: text in, facts out; the deaths table (model/analysis/deaths.h) joins them.
#pragma once

#include "killerline.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oomscope {

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
