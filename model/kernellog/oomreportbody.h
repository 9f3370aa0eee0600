// SPDX-License-Identifier: GPL-3.0-or-later
// The body of one OOM report while the streaming parser (oomreportparser.cpp) collects it: which
// section a line belongs to (header, memory.stat dump, Mem-Info, task table, after the kill) and
// what it adds to the event; and what a finished report is missing. Internal to
// oomscope_kernellog: the parser owns the reports' life cycle, warnings and raw lines.
#pragma once

#include "oomevent.h"
#include "oomreportlines.h"

#include <string>
#include <string_view>

namespace oomscope::reportbody {

enum class Phase { Open, Killed, Done };
enum class Section { Header, Stats, MemInfo, Table, After };

struct Report {
    OomEvent event;
    std::string host;
    Phase phase = Phase::Open;
    Section section = Section::Header;
    reportlines::TaskColumns columns;
    bool haveColumns = false;
    bool headerSeen = false;
    bool memInfoSeen = false;
    bool pageSizeKnown = false;
    bool statsFirstBlock = false;
    Constraint killProcessHint = Constraint::Unknown; // from the "<msg>: Kill process" prefix
    qint64 lastActivity = 0;
};

// What one line did to an open report, for the parser to act on.
struct ReportLineEffect {
    bool accepted = false; // part of a report grammar: keep it as a raw line
    bool noKill = false; // "… but no kill": the report is over without a victim
    bool taskRowMismatch = false; // a task row that does not fit the table's header
    bool taskRow = false; // a row of the task table
};

// Applies one line (prefix stripped, not trimmed) to an open report. Not accepted: noise from
// other subsystems or CPUs, which the parser drops.
ReportLineEffect applyReportLine(Report &r, std::string_view message, qint64 lineNo);

// Infers the constraint when no line said it, and lists what the report lacks (OomEvent::missing).
void finalizeReport(Report &r);

} // namespace oomscope::reportbody
