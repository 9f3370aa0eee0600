// SPDX-License-Identifier: GPL-3.0-or-later
#include "oomreportlines.h"

#include <array>
#include <charconv>
#include <cstring>

namespace oomscope::reportlines {

namespace {

constexpr size_t npos = std::string_view::npos;

// Text after key up to the first of the terminators (or the end).
std::string_view valueAfter(std::string_view s, std::string_view key, std::string_view terminator)
{
    const size_t k = s.find(key);
    if (k == npos)
        return {};
    const std::string_view rest = s.substr(k + key.size());
    return rest.substr(0, rest.find(terminator));
}

} // namespace

bool contains(std::string_view s, std::string_view what)
{
    // glibc's memmem skips ahead on pairs of bytes; string_view::find stops at every occurrence of
    // the first byte, which for " invoked oom-killer:" is every space of every report line.
    if (what.empty())
        return true;
    if (s.size() < what.size())
        return false;
    return memmem(s.data(), s.size(), what.data(), what.size()) != nullptr;
}

QString toQString(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

std::optional<std::int64_t> parseInt(std::string_view s)
{
    std::int64_t v = 0;
    const char *b = s.data();
    const char *e = s.data() + s.size();
    if (b != e && *b == '+')
        ++b;
    const auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr == b)
        return std::nullopt;
    return v;
}

std::optional<std::int64_t> fieldAfter(std::string_view s, std::string_view key)
{
    const size_t k = s.find(key);
    if (k == npos)
        return std::nullopt;
    return parseInt(trimLeft(s.substr(k + key.size())));
}

bool isTriggerLine(std::string_view msg)
{
    return contains(msg, " invoked oom-killer:");
}

bool parseTrigger(std::string_view msg, OomEvent &event)
{
    const size_t k = msg.find(" invoked oom-killer:");
    if (k == npos)
        return false;
    event.triggerComm = toQString(trim(msg.substr(0, k)));
    const std::string_view args = msg.substr(k);
    const std::string_view gfp = valueAfter(args, "gfp_mask=", ",");
    event.gfpMask = toQString(trim(gfp));
    if (const auto order = fieldAfter(args, "order="))
        event.order = int(*order);
    if (const auto adj = fieldAfter(args, "oom_score_adj=")) {
        event.triggerOomScoreAdj = int(*adj);
    } else if (const auto oldAdj = fieldAfter(args, "oom_adj=")) {
        event.triggerOomScoreAdj = int(*oldAdj);
        event.triggerUsesOldOomAdj = true;
    }
    return true;
}

bool parseCpuLine(std::string_view msg, OomEvent &event)
{
    msg = trimLeft(msg);
    if (!startsWith(msg, "CPU: "))
        return false;
    const size_t pidAt = msg.find(" PID: ");
    if (pidAt == npos)
        return false;
    if (const auto pid = parseInt(msg.substr(pidAt + 6)))
        event.triggerPid = *pid;
    // The release is the token before the "#1 …" version string; Tainted: flags contain spaces.
    const size_t commAt = msg.find(" Comm: ", pidAt);
    const size_t from = commAt == npos ? pidAt : commAt;
    size_t hash = msg.find(" #", from);
    std::string_view release;
    if (hash != npos) {
        const std::string_view before = trim(msg.substr(0, hash));
        const size_t sp = before.rfind(' ');
        release = sp == npos ? before : before.substr(sp + 1);
    } else {
        size_t t = msg.find("tainted ", from);
        if (t != npos) {
            size_t pos = t + 8;
            release = nextToken(msg, pos);
        }
    }
    if (!release.empty() && release.find('.') != npos)
        event.kernelRelease = toQString(release);
    return true;
}

bool parseCpusetLine(std::string_view msg, OomEvent &event)
{
    const size_t c = msg.find(" cpuset=");
    const size_t m = msg.find(" mems_allowed=");
    if (c == npos || m == npos || m < c)
        return false;
    event.cpuset = toQString(msg.substr(c + 8, m - c - 8));
    event.memsAllowed = toQString(trim(msg.substr(m + 14)));
    return true;
}

bool parseCounterLine(std::string_view msg, OomEvent &event)
{
    msg = trimLeft(msg);
    CounterLine *target = nullptr;
    std::string_view rest;
    static constexpr std::array<std::string_view, 4> names = {
        "memory: ", "memory+swap: ", "kmem: ", "swap: "};
    CounterLine *const targets[4] = {&event.memory, &event.memsw, &event.kmem, &event.swap};
    for (size_t i = 0; i < names.size(); ++i) {
        if (startsWith(msg, names[i])) {
            target = targets[i];
            rest = msg.substr(names[i].size());
            break;
        }
    }
    if (!target || !startsWith(rest, "usage "))
        return false;
    const auto usage = fieldAfter(rest, "usage ");
    const auto limit = fieldAfter(rest, "limit ");
    if (!usage || !limit)
        return false;
    target->present = true;
    target->usageKb = *usage;
    target->limitKb = *limit;
    target->failcnt = fieldAfter(rest, "failcnt ").value_or(0);
    return true;
}

bool parseTaskInLine(std::string_view msg, OomEvent &event)
{
    msg = trim(msg);
    if (startsWith(msg, "Task in ")) {
        const size_t k = msg.find(" killed as a result of limit of ");
        if (k == npos) {
            // 3.10 prints the second half with pr_cont; it may have been split off.
            const size_t killed = msg.rfind(" killed");
            event.taskMemcg = toQString(msg.substr(8, killed == npos ? npos : killed - 8));
        } else {
            event.taskMemcg = toQString(msg.substr(8, k - 8));
            event.oomMemcg = toQString(msg.substr(k + 32));
        }
        event.constraint = Constraint::Memcg;
        return true;
    }
    if (startsWith(msg, "Memory limit reached of cgroup ")) {
        event.oomMemcg = toQString(msg.substr(31));
        event.constraint = Constraint::Memcg;
        return true;
    }
    if (startsWith(msg, "as a result of limit of ")) {
        event.oomMemcg = toQString(msg.substr(24));
        return true;
    }
    return false;
}

bool parseStatsHeader(std::string_view msg, OomEvent &event, bool &multiLine)
{
    msg = trim(msg);
    if (!startsWith(msg, "Memory cgroup stats for "))
        return false;
    const std::string_view rest = msg.substr(24);
    // The path is followed by ':' and, in the single-line form, " key:NKB …". Paths can contain
    // ':' in theory, so take the first ": " or the trailing ':'.
    size_t colon = rest.find(": ");
    if (colon == npos)
        colon = (!rest.empty() && rest.back() == ':') ? rest.size() - 1 : npos;
    if (colon == npos)
        return false;
    const bool first = event.memcgStatsPath.isEmpty();
    const std::string_view items = trim(rest.substr(colon + 1));
    multiLine = items.empty();
    if (!first)
        return true;
    event.memcgStatsPath = toQString(rest.substr(0, colon));
    size_t pos = 0;
    while (pos < items.size()) {
        const std::string_view item = nextToken(items, pos);
        const size_t c = item.find(':');
        if (item.empty() || c == npos)
            continue;
        std::string_view value = item.substr(c + 1);
        bool kb = false;
        if (value.size() > 2
            && (value.substr(value.size() - 2) == "KB" || value.substr(value.size() - 2) == "kB")) {
            value.remove_suffix(2);
            kb = true;
        }
        if (const auto v = parseInt(value))
            event.memcgStats.emplace_back(toQString(item.substr(0, c)), kb ? *v * 1024 : *v);
    }
    return true;
}

bool parseStatLine(std::string_view msg, std::string_view &key, std::int64_t &value)
{
    msg = trim(msg);
    const size_t sp = msg.find(' ');
    if (sp == npos || sp == 0)
        return false;
    key = msg.substr(0, sp);
    for (const char ch : key) {
        if (!((ch >= 'a' && ch <= 'z') || isDigit(ch) || ch == '_'))
            return false;
    }
    const std::string_view v = trimLeft(msg.substr(sp));
    if (v.empty())
        return false;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!isDigit(v[i]) && !(i == 0 && v[i] == '-'))
            return false;
    }
    const auto parsed = parseInt(v);
    // memory.stat limits can be near 2^63 and still fit; anything larger is not a stat value.
    if (!parsed)
        return false;
    value = *parsed;
    return true;
}

bool parseMemInfoLine(std::string_view msg, OomEvent &event, bool &pageSizeKnown)
{
    msg = trim(msg);
    if (msg.empty())
        return false;
    if (startsWith(msg, "Total swap = ")) {
        event.totalSwapKb = fieldAfter(msg, "= ");
        return true;
    }
    if (startsWith(msg, "Free swap")) {
        event.freeSwapKb = fieldAfter(msg, "= ");
        return true;
    }
    if (isDigit(msg[0])) {
        size_t pos = 0;
        const std::string_view number = nextToken(msg, pos);
        const std::string_view what = trimLeft(msg.substr(pos));
        const auto n = parseInt(number);
        if (!n)
            return false;
        if (what == "pages RAM")
            event.ramPages = n;
        else if (what == "pages reserved")
            event.reservedPages = n;
        return startsWith(what, "pages") || startsWith(what, "total pagecache");
    }
    if (startsWith(msg, "Node ") || startsWith(msg, "DMA") || startsWith(msg, "Normal")
        || startsWith(msg, "HighMem") || startsWith(msg, "Movable") || startsWith(msg, "Device")) {
        // Zone line "… present:NkB managed:NkB …": Σ managed = totalram_pages.
        if (contains(msg, " free:")) {
            if (const auto managed = fieldAfter(msg, " managed:"))
                event.managedKbSum = event.managedKbSum.value_or(0) + *managed;
        } else if (!pageSizeKnown) {
            // Buddy lists "DMA: 1*4kB (U) 0*8kB …": the first bucket is one page.
            const size_t star = msg.find('*');
            if (star != npos && contains(msg.substr(0, star), ": ")) {
                if (const auto kb = parseInt(msg.substr(star + 1)); kb && *kb > 0 && *kb <= 1024) {
                    event.pageSizeBytes = *kb * 1024;
                    pageSizeKnown = true;
                }
            }
        }
        return true;
    }
    if (startsWith(msg, "lowmem_reserve[]") || startsWith(msg, "Swap cache stats") || startsWith(msg, "CPU ")
        || contains(msg, " per-cpu:") || startsWith(msg, "hugepages"))
        return true;
    // "active_anon:1515779 inactive_anon:348334 …"
    size_t pos = 0;
    const std::string_view first = nextToken(msg, pos);
    const size_t c = first.find(':');
    return c != npos && c > 0 && c + 1 < first.size() && isDigit(first[c + 1]);
}

bool parseSummary(std::string_view msg, OomEvent &event)
{
    msg = trim(msg);
    if (!startsWith(msg, "oom-kill:constraint="))
        return false;
    event.hasSummaryLine = true;
    std::string_view left = msg.substr(20);
    // Split from the right on the known anchors: comm, nodemask, mems_allowed may hold commas.
    const size_t uidAt = left.rfind(",uid=");
    if (uidAt != npos) {
        event.summaryUid = parseInt(left.substr(uidAt + 5));
        left = left.substr(0, uidAt);
    }
    const size_t pidAt = left.rfind(",pid=");
    if (pidAt != npos) {
        event.summaryPid = parseInt(left.substr(pidAt + 5));
        left = left.substr(0, pidAt);
    }
    const size_t taskAt = left.rfind(",task=");
    if (taskAt != npos) {
        event.summaryComm = toQString(left.substr(taskAt + 6));
        left = left.substr(0, taskAt);
    }
    const size_t taskMemcgAt = left.rfind(",task_memcg=");
    if (taskMemcgAt != npos) {
        event.taskMemcg = toQString(left.substr(taskMemcgAt + 12));
        left = left.substr(0, taskMemcgAt);
    }
    const size_t oomMemcgAt = left.rfind(",oom_memcg=");
    if (oomMemcgAt != npos) {
        event.oomMemcg = toQString(left.substr(oomMemcgAt + 11));
        left = left.substr(0, oomMemcgAt);
    } else if (left.size() >= 11 && left.substr(left.size() - 11) == ",global_oom") {
        left.remove_suffix(11);
    }
    const size_t memsAt = left.rfind(",mems_allowed=");
    if (memsAt != npos) {
        event.memsAllowed = toQString(left.substr(memsAt + 14));
        left = left.substr(0, memsAt);
    }
    const size_t cpusetAt = left.rfind(",cpuset=");
    if (cpusetAt != npos) {
        event.cpuset = toQString(left.substr(cpusetAt + 8));
        left = left.substr(0, cpusetAt);
    }
    const std::string_view constraint = left.substr(0, left.find(','));
    if (constraint == "CONSTRAINT_NONE")
        event.constraint = Constraint::None;
    else if (constraint == "CONSTRAINT_CPUSET")
        event.constraint = Constraint::Cpuset;
    else if (constraint == "CONSTRAINT_MEMORY_POLICY")
        event.constraint = Constraint::MemoryPolicy;
    else if (constraint == "CONSTRAINT_MEMCG")
        event.constraint = Constraint::Memcg;
    return true;
}

bool parseKillProcess(std::string_view msg, std::int64_t &pid, QString &comm, std::int64_t &score)
{
    const size_t k = msg.find("Kill process ");
    if (k == npos)
        return false;
    const std::string_view rest = msg.substr(k + 13);
    const size_t scoreAt = rest.rfind(") score ");
    const size_t open = rest.find(" (");
    if (scoreAt == npos || open == npos || open > scoreAt)
        return false;
    const auto p = parseInt(rest.substr(0, open));
    const auto s = parseInt(rest.substr(scoreAt + 8));
    if (!p || !s)
        return false;
    pid = *p;
    score = *s;
    comm = toQString(rest.substr(open + 2, scoreAt - open - 2));
    return true;
}

bool parseKilled(std::string_view msg, KilledProcess &killed)
{
    msg = trim(msg);
    const size_t k = msg.find("Killed process ");
    if (k == npos)
        return false;
    std::string_view message = trim(msg.substr(0, k));
    if (!message.empty() && message.back() == ':')
        message.remove_suffix(1);
    const std::string_view rest = msg.substr(k + 15);
    const size_t open = rest.find(" (");
    if (open == npos)
        return false;
    const auto pid = parseInt(rest.substr(0, open));
    if (!pid)
        return false;
    const size_t vm = rest.find("total-vm:", open);
    size_t close = vm == npos ? rest.rfind(')') : rest.rfind(')', vm);
    if (close == npos || close < open + 2)
        return false;
    KilledProcess k2;
    k2.present = true;
    k2.pid = *pid;
    k2.comm = toQString(rest.substr(open + 2, close - open - 2));
    k2.message = toQString(message);
    const std::string_view fields = rest.substr(close + 1);
    if (const auto uid = fieldAfter(fields, "UID:"))
        k2.uid = uid;
    else if (const auto uid2 = fieldAfter(fields, "UID "))
        k2.uid = uid2;
    k2.totalVmKb = fieldAfter(fields, "total-vm:").value_or(0);
    k2.anonRssKb = fieldAfter(fields, "anon-rss:").value_or(0);
    k2.fileRssKb = fieldAfter(fields, "file-rss:").value_or(0);
    k2.shmemRssKb = fieldAfter(fields, "shmem-rss:");
    k2.pgtablesKb = fieldAfter(fields, "pgtables:");
    if (const auto adj = fieldAfter(fields, "oom_score_adj:"))
        k2.oomScoreAdj = int(*adj);
    k2.line = killed.line;
    killed = std::move(k2);
    return true;
}

bool parseReaped(std::string_view msg, std::int64_t &pid)
{
    const size_t k = msg.find("oom_reaper: reaped process ");
    if (k == npos)
        return false;
    const auto p = parseInt(msg.substr(k + 27));
    if (!p)
        return false;
    pid = *p;
    return true;
}

bool parseOomGroup(std::string_view msg, QString &memcg)
{
    msg = trim(msg);
    if (!startsWith(msg, "Tasks in ")) // first: this runs on every line of an open report
        return false;
    const size_t k = msg.find(" are going to be killed due to memory.oom.group set");
    if (k == npos)
        return false;
    memcg = toQString(msg.substr(9, k - 9));
    return true;
}

bool isStackLine(std::string_view raw)
{
    if (!raw.empty() && isSpace(raw[0]))
        return true; // frames, hex stack words, "<TASK>"
    const std::string_view msg = trim(raw);
    static constexpr std::array<std::string_view, 32> heads = {"CPU: ",       "Hardware name:",
                                                               "Call Trace:", "Call trace:",
                                                               "<TASK>",      "</TASK>",
                                                               "<IRQ>",       "</IRQ>",
                                                               "RIP:",        "Code:",
                                                               "RSP:",        "RAX:",
                                                               "RDX:",        "RBP:",
                                                               "R10:",        "R13:",
                                                               "FS:",         "CS:",
                                                               "CR2:",        "DR0:",
                                                               "DR3:",        "DR6:",
                                                               "PKRU:",       "Modules linked in:",
                                                               "Workqueue:",  "[<",
                                                               "? ",          "Kdump:",
                                                               "Stack:",      "Backtrace:",
                                                               "pc :",        "lr :"};
    for (const std::string_view h : heads) {
        if (startsWith(msg, h))
            return true;
    }
    // A frame whose leading space was collapsed: "dump_stack+0x66/0x82".
    const size_t plus = msg.find("+0x");
    return plus != npos && plus > 0 && contains(msg.substr(plus), "/0x") && msg.find(' ') > plus;
}

bool isOtherReportLine(std::string_view msg)
{
    msg = trim(msg);
    return startsWith(msg, "COMPACTION is disabled") || contains(msg, " sharing same memory")
        || startsWith(msg, "oom_reaper: unable to reap") || contains(msg, "has mm pinned by")
        || startsWith(msg, "Mem-Info:") || startsWith(msg, "Tasks state (memory values in pages)");
}

bool isNoKillLine(std::string_view msg)
{
    return contains(msg, "Out of memory and no killable processes")
        || contains(msg, "is already exiting. Skip killing the task");
}

} // namespace oomscope::reportlines
