// SPDX-License-Identifier: GPL-3.0-or-later
// Streaming parser that turns a saved kernel log (any prefix style, any kernel 3.10 – 6.x) into
// OOM events; a function over a QIODevice, never a dialog (STYLE.md 2).
#pragma once

#include "oomevent.h"
#include "progress.h"

#include <functional>

class QIODevice;

namespace oomscope {

struct ParseOptions {
    // Lines longer than this are truncated for analysis and reported once as a LongLine warning.
    qsizetype maxLineBytes = 64 * 1024;
    // Warnings beyond this count are summarised in one last warning, so garbage cannot exhaust memory.
    int maxWarnings = 1000;
    // Year for prefixes that lack one (syslog "Nov 27 10:00:00"); 0 = the current year.
    int assumedYear = 0;
    // Keep each report's lines in OomEvent::rawLines (storage and the report views show them);
    // a consumer that never reads them saves a string per report line.
    bool keepRawLines = true;
    // With keepRawLines, also the task table's rows (most of a report's lines). The analysis reads
    // only the other lines (the trigger, Mem-Info, the kill line), so `oomscope-cli analyze` leaves
    // the rows out: hundreds of strings per report it would never read.
    bool keepTaskRowLines = true;
};

struct ParseResult {
    std::vector<OomEvent> events; // in order of their first line
    std::vector<ParseWarning> warnings;
    qint64 linesRead = 0;
    qint64 bytesRead = 0;
    bool canceled = false;
    QString error; // set when the device could not be read at all
};

// Optional hooks for streaming consumers (storage): with onEvent set, events are handed over as
// each report ends (in order of their first line) instead of being kept in ParseResult::events,
// so memory does not grow with the file; onBlock sees every raw block read (for content hashing).
struct ParseSinks {
    std::function<void(OomEvent &&event)> onEvent;
    std::function<void(const char *data, qsizetype size)> onBlock;
};

class OomReportParser
{
public:
    explicit OomReportParser(ParseOptions options = {});

    // Reads the device to its end (or until progress returns false). The device must be open.
    ParseResult parse(QIODevice &device, const ProgressFn &progress = {}, const ParseSinks &sinks = {}) const;

    // Convenience for tests and small inputs.
    ParseResult parse(const QByteArray &bytes) const;

private:
    ParseOptions m_options;
};

} // namespace oomscope
