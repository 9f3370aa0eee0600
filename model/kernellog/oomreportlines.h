// SPDX-License-Identifier: GPL-3.0-or-later
// The grammar of the individual lines of an OOM report (kernel-oom-formats.md §2), as pure
// functions over the message text with the log prefix already stripped.
#pragma once

#include "oomevent.h"

#include <optional>
#include <string_view>
#include <vector>

namespace oomscope::reportlines {

// The character helpers are inline: every byte of every task row goes through them from the
// other files of the parser, where a call each cost more than the test (perf: ~6 % of analyze).
inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
inline bool isSpace(char c) // ' ' or '\t'
{
    return c == ' ' || c == '\t';
}
// Next whitespace-separated token from pos; pos ends after it.
inline std::string_view nextToken(std::string_view s, size_t &pos)
{
    while (pos < s.size() && isSpace(s[pos]))
        ++pos;
    const size_t from = pos;
    while (pos < s.size() && !isSpace(s[pos]))
        ++pos;
    return s.substr(from, pos - from);
}
inline std::string_view trimLeft(std::string_view s)
{
    size_t i = 0;
    while (i < s.size() && isSpace(s[i]))
        ++i;
    return s.substr(i);
}
inline std::string_view trim(std::string_view s)
{
    s = trimLeft(s);
    while (!s.empty() && (isSpace(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}
bool contains(std::string_view s, std::string_view what);
inline bool startsWith(std::string_view s, std::string_view what)
{
    return s.substr(0, what.size()) == what;
}
QString toQString(std::string_view s);
// Leading optional '-' and digits; nullopt if there are none or the value overflows.
std::optional<std::int64_t> parseInt(std::string_view s);
// The integer right after the first occurrence of key, e.g. fieldAfter(s, "order=").
std::optional<std::int64_t> fieldAfter(std::string_view s, std::string_view key);

bool isTriggerLine(std::string_view msg);
// "<comm> invoked oom-killer: gfp_mask=…, order=N, oom_score_adj=N" (or old "oom_adj=").
bool parseTrigger(std::string_view msg, OomEvent &event);
// "CPU: N [UID: U ]PID: P Comm: <comm> … <release> #…"
bool parseCpuLine(std::string_view msg, OomEvent &event);
// "<comm> cpuset=<name> mems_allowed=<nodes>" (<= 4.19).
bool parseCpusetLine(std::string_view msg, OomEvent &event);
// "memory: usage N kB, limit N kB, failcnt N" and the memory+swap:, kmem:, swap: variants.
bool parseCounterLine(std::string_view msg, OomEvent &event);
// "Task in X killed as a result of limit of Y" / "Memory limit reached of cgroup Y".
bool parseTaskInLine(std::string_view msg, OomEvent &event);

// "Memory cgroup stats for X:[ k:vKB …]". Sets multiLine when the values follow on later lines.
// Only the first block (the OOM memcg itself) is stored.
bool parseStatsHeader(std::string_view msg, OomEvent &event, bool &multiLine);
// "key value" of a multi-line memory.stat dump.
bool parseStatLine(std::string_view msg, std::string_view &key, std::int64_t &value);

// Mem-Info content (show_mem). Returns true if the line looks like part of that block, filling
// the counters it carries.
bool parseMemInfoLine(std::string_view msg, OomEvent &event, bool &pageSizeKnown);

// The task table (oomreporttaskrows.cpp).
enum class TaskColumn {
    Unknown,
    Uid,
    Tgid,
    TotalVm,
    Rss,
    RssAnon,
    RssFile,
    RssShmem,
    NrPtes,
    NrPmds,
    PgtablesBytes,
    SwapEnts,
    OomScoreAdj,
};
struct TaskColumns {
    std::vector<TaskColumn> numeric; // columns between the pid and the name
    TaskTableLayout layout = TaskTableLayout::Unknown;
};
// "[ pid ]   uid  tgid total_vm      rss … oom_score_adj name"
bool parseTaskHeader(std::string_view msg, TaskColumns &columns);
// Is this "[%5d] …" / "[%7d] …"?
bool looksLikeTaskRow(std::string_view msg);
bool parseTaskRow(std::string_view msg, const TaskColumns &columns, OomTask &task);
// Column layout for a table whose header was lost, from the number of numeric fields.
TaskColumns guessTaskColumns(std::string_view msg, bool hasTasksStateLine);

// "oom-kill:constraint=…,task=…,pid=…,uid=…"
bool parseSummary(std::string_view msg, OomEvent &event);
// "<msg>: Kill process P (comm) score S or sacrifice child"
bool parseKillProcess(std::string_view msg, std::int64_t &pid, QString &comm, std::int64_t &score);
// "[<msg>: ]Killed process P (comm)[, UID N,] total-vm:…"
bool parseKilled(std::string_view msg, KilledProcess &killed);
// "oom_reaper: reaped process N (comm), now …"
bool parseReaped(std::string_view msg, std::int64_t &pid);
// "Tasks in X are going to be killed due to memory.oom.group set"
bool parseOomGroup(std::string_view msg, QString &memcg);
// Lines from dump_stack(): CPU/Hardware/Call Trace/frames/registers.
bool isStackLine(std::string_view msg);
// Other lines of oom_kill.c that belong to a report but carry nothing we store.
bool isOtherReportLine(std::string_view msg);
// The report ended without a kill ("no killable processes", "already exiting").
bool isNoKillLine(std::string_view msg);

} // namespace oomscope::reportlines
