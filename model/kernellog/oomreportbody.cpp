// SPDX-License-Identifier: GPL-3.0-or-later
#include "oomreportbody.h"

using namespace Qt::StringLiterals;

namespace oomscope::reportbody {

namespace rl = reportlines;

ReportLineEffect applyReportLine(Report &r, std::string_view message, qint64 lineNo)
{
    ReportLineEffect effect;
    const std::string_view text = rl::trim(message);
    if (text.empty())
        return effect;
    OomEvent &ev = r.event;
    // Most lines of a report are task rows ("[  pid]  uid …"): none of the other grammars starts
    // with '[' and digits, so a row goes to its parser before they are tried.
    if (text.front() == '[' && rl::looksLikeTaskRow(text)) {
        if (!r.haveColumns) {
            r.columns = rl::guessTaskColumns(text, ev.hasTasksStateLine);
            r.haveColumns = !r.columns.numeric.empty();
            ev.layout = r.columns.layout;
        }
        OomTask task;
        task.line = lineNo;
        if (r.haveColumns && rl::parseTaskRow(text, r.columns, task))
            ev.tasks.push_back(std::move(task));
        else
            effect.taskRowMismatch = true;
        r.section = Section::Table;
        effect.accepted = true;
        effect.taskRow = true;
        return effect;
    }
    bool ok = false;
    const bool inStats = r.section == Section::Stats;
    if (inStats) {
        std::string_view key;
        std::int64_t value = 0;
        // A line that is no stat either ends the dump (when another report grammar takes it)
        // or is noise from another CPU, which must not end it.
        if (rl::parseStatLine(text, key, value)) {
            if (r.statsFirstBlock)
                ev.memcgStats.emplace_back(rl::toQString(key), value);
            ok = true;
        }
    }
    const bool statLine = ok;
    bool multiLine = false;
    rl::TaskColumns columns;
    if (ok) {
        // a memory.stat value, handled above
    } else if (rl::parseCounterLine(text, ev)) {
        ok = true;
    } else if (rl::startsWith(text, "Mem-Info:")) {
        r.memInfoSeen = true;
        r.section = Section::MemInfo;
        ok = true;
    } else if (const bool first = ev.memcgStatsPath.isEmpty(); rl::parseStatsHeader(text, ev, multiLine)) {
        if (multiLine) {
            r.section = Section::Stats;
            r.statsFirstBlock = first;
        }
        ok = true;
    } else if (rl::parseTaskInLine(text, ev)) {
        ok = true;
    } else if (rl::startsWith(text, "Tasks state (memory values in pages)")) {
        ev.hasTasksStateLine = true;
        r.section = Section::Table;
        ok = true;
    } else if (rl::parseTaskHeader(text, columns)) {
        r.columns = std::move(columns);
        r.haveColumns = true;
        ev.layout = r.columns.layout;
        r.section = Section::Table;
        ok = true;
    } else if (rl::parseSummary(text, ev)) {
        r.section = Section::After;
        ok = true;
    } else if (r.section == Section::MemInfo && rl::parseMemInfoLine(text, ev, r.pageSizeKnown)) {
        ok = true;
    } else if (rl::startsWith(text, "CPU: ")) {
        if (ev.triggerPid == 0)
            rl::parseCpuLine(text, ev);
        ok = true;
    } else if (r.section == Section::Header && rl::parseCpusetLine(text, ev)) {
        ok = true;
    } else if (rl::isStackLine(message) || rl::isOtherReportLine(text)) {
        ok = true;
    } else if (rl::isNoKillLine(text)) {
        effect.noKill = true;
        ok = true;
    }
    if (ok && !statLine && inStats && r.section == Section::Stats)
        r.section = Section::After;
    effect.accepted = ok;
    return effect;
}

void finalizeReport(Report &r)
{
    OomEvent &ev = r.event;
    if (ev.constraint == Constraint::Unknown) {
        if (!ev.oomMemcg.isEmpty() || ev.memory.present)
            ev.constraint = Constraint::Memcg;
        else if (r.memInfoSeen)
            ev.constraint = Constraint::None;
        else if (ev.victim.message.startsWith(u"Memory cgroup"_s))
            ev.constraint = Constraint::Memcg;
        else if (ev.victim.message.startsWith(u"Out of memory"_s))
            ev.constraint = Constraint::None;
        else
            ev.constraint = r.killProcessHint;
    }
    ev.missing.clear();
    if (!r.headerSeen)
        ev.missing << u"header"_s;
    if (!ev.memory.present && !r.memInfoSeen)
        ev.missing << u"memory counters or Mem-Info"_s;
    if (ev.tasks.empty())
        ev.missing << u"task table"_s;
    if (!ev.victim.present)
        ev.missing << u"kill line"_s;
    ev.complete = ev.missing.isEmpty();
}

} // namespace oomscope::reportbody
