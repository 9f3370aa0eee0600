// SPDX-License-Identifier: GPL-3.0-or-later
// The task table of an OOM report (dump_tasks): its header, its rows, and the column layout of a
// table whose header was lost. The rest of the line grammar is in oomreportlines.cpp.
#include "oomreportlines.h"

namespace oomscope::reportlines {

namespace {

constexpr size_t npos = std::string_view::npos;

} // namespace

bool parseTaskHeader(std::string_view msg, TaskColumns &columns)
{
    msg = trim(msg);
    if (!startsWith(msg, "["))
        return false;
    const size_t close = msg.find(']');
    if (close == npos || trim(msg.substr(1, close - 1)) != "pid")
        return false;
    TaskColumns result;
    size_t pos = close + 1;
    bool sawName = false;
    bool sawAnon = false, sawPtes = false, sawPmds = false, sawPgtables = false;
    while (pos < msg.size()) {
        const std::string_view name = nextToken(msg, pos);
        if (name.empty())
            break;
        if (name == "name") {
            sawName = true;
            break;
        }
        TaskColumn col = TaskColumn::Unknown;
        if (name == "uid")
            col = TaskColumn::Uid;
        else if (name == "tgid")
            col = TaskColumn::Tgid;
        else if (name == "total_vm")
            col = TaskColumn::TotalVm;
        else if (name == "rss")
            col = TaskColumn::Rss;
        else if (name == "rss_anon") {
            col = TaskColumn::RssAnon;
            sawAnon = true;
        } else if (name == "rss_file")
            col = TaskColumn::RssFile;
        else if (name == "rss_shmem")
            col = TaskColumn::RssShmem;
        else if (name == "nr_ptes") {
            col = TaskColumn::NrPtes;
            sawPtes = true;
        } else if (name == "nr_pmds") {
            col = TaskColumn::NrPmds;
            sawPmds = true;
        } else if (name == "pgtables_bytes") {
            col = TaskColumn::PgtablesBytes;
            sawPgtables = true;
        } else if (name == "swapents")
            col = TaskColumn::SwapEnts;
        else if (name == "oom_score_adj")
            col = TaskColumn::OomScoreAdj;
        result.numeric.push_back(col);
    }
    if (!sawName || result.numeric.empty())
        return false;
    if (sawAnon)
        result.layout = TaskTableLayout::RssSplit;
    else if (sawPgtables)
        result.layout = TaskTableLayout::PgtablesBytes;
    else if (sawPmds)
        result.layout = TaskTableLayout::NrPtesNrPmds;
    else if (sawPtes)
        result.layout = TaskTableLayout::NrPtes;
    columns = std::move(result);
    return true;
}

bool looksLikeTaskRow(std::string_view msg)
{
    msg = trimLeft(msg);
    if (msg.size() < 3 || msg[0] != '[')
        return false;
    size_t i = 1;
    while (i < msg.size() && msg[i] == ' ')
        ++i;
    const size_t digitsFrom = i;
    while (i < msg.size() && isDigit(msg[i]))
        ++i;
    return i > digitsFrom && i < msg.size() && msg[i] == ']';
}

bool parseTaskRow(std::string_view msg, const TaskColumns &columns, OomTask &task)
{
    if (!looksLikeTaskRow(msg))
        return false;
    msg = trim(msg);
    const size_t close = msg.find(']');
    const auto pid = parseInt(trimLeft(msg.substr(1, close - 1)));
    if (!pid)
        return false;
    task.pid = *pid;
    size_t pos = close + 1;
    for (const TaskColumn col : columns.numeric) {
        const auto v = parseInt(nextToken(msg, pos));
        if (!v)
            return false;
        switch (col) {
        case TaskColumn::Uid:
            task.uid = *v;
            break;
        case TaskColumn::Tgid:
            task.tgid = *v;
            break;
        case TaskColumn::TotalVm:
            task.totalVmPages = *v;
            break;
        case TaskColumn::Rss:
            task.rssPages = *v;
            break;
        case TaskColumn::RssAnon:
            task.rssAnonPages = *v;
            break;
        case TaskColumn::RssFile:
            task.rssFilePages = *v;
            break;
        case TaskColumn::RssShmem:
            task.rssShmemPages = *v;
            break;
        case TaskColumn::NrPtes:
            task.nrPtes = *v;
            break;
        case TaskColumn::NrPmds:
            task.nrPmds = *v;
            break;
        case TaskColumn::PgtablesBytes:
            task.pgtablesBytes = *v;
            break;
        case TaskColumn::SwapEnts:
            task.swapEntsPages = *v;
            break;
        case TaskColumn::OomScoreAdj:
            task.oomScoreAdj = int(*v);
            break;
        case TaskColumn::Unknown:
            break;
        }
    }
    // "%5hd %s": the name is everything after the adj column and may contain spaces.
    while (pos < msg.size() && isSpace(msg[pos]))
        ++pos;
    task.comm = toQString(msg.substr(pos));
    return true;
}

TaskColumns guessTaskColumns(std::string_view msg, bool hasTasksStateLine)
{
    using C = TaskColumn;
    TaskColumns columns;
    msg = trim(msg);
    const size_t close = msg.find(']');
    size_t pos = close == npos ? msg.size() : close + 1;
    int numbers = 0;
    while (pos < msg.size()) {
        const std::string_view token = nextToken(msg, pos);
        if (token.empty() || !parseInt(token))
            break;
        ++numbers;
    }
    // A numeric comm would be counted too; the layouts differ enough that the largest fit wins.
    if (numbers >= 11) {
        columns.numeric = {C::Uid,     C::Tgid,     C::TotalVm,       C::Rss,      C::RssAnon,
                           C::RssFile, C::RssShmem, C::PgtablesBytes, C::SwapEnts, C::OomScoreAdj};
        columns.layout = TaskTableLayout::RssSplit;
    } else if (numbers == 8 || (numbers == 9 && !hasTasksStateLine)) {
        if (numbers == 8 && hasTasksStateLine) {
            columns.numeric = {C::Uid,           C::Tgid,     C::TotalVm,    C::Rss,
                               C::PgtablesBytes, C::SwapEnts, C::OomScoreAdj};
            columns.layout = TaskTableLayout::PgtablesBytes;
        } else {
            columns.numeric = {C::Uid,    C::Tgid,   C::TotalVm,  C::Rss,
                               C::NrPtes, C::NrPmds, C::SwapEnts, C::OomScoreAdj};
            columns.layout = TaskTableLayout::NrPtesNrPmds;
        }
    } else if (numbers >= 7) {
        columns.numeric = {C::Uid, C::Tgid, C::TotalVm, C::Rss, C::NrPtes, C::SwapEnts, C::OomScoreAdj};
        columns.layout = hasTasksStateLine ? TaskTableLayout::PgtablesBytes : TaskTableLayout::NrPtes;
        if (hasTasksStateLine)
            columns.numeric[4] = C::PgtablesBytes;
    }
    return columns;
}

} // namespace oomscope::reportlines
