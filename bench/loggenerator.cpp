// SPDX-License-Identifier: GPL-3.0-or-later
#include "loggenerator.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <random>
#include <vector>

using namespace Qt::StringLiterals;

namespace oomscope::bench {

namespace {

// Kernel lines of the fixtures lose their prefix (dmesg, dmesg -T, syslog/journal with or
// without a dmesg stamp, /dev/kmsg) and get a fresh dmesg one; lines of other programs in the
// syslog fixtures are dropped, since dmesg would not have them.
const QRegularExpression &kernelPrefix()
{
    static const QRegularExpression re(
        uR"(^(?:\d+,\d+,\d+,[^;]*;)"
        uR"(|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ kernel: (?:\[\s*\d+\.\d+\] )?)"
        uR"(|\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] )"
        uR"(|\[\s*\d+\.\d+\] ))"_s);
    return re;
}

bool endsReport(const QByteArray &line)
{
    return line.contains("Killed process") || line.contains("oom_reaper: reaped")
        || line.startsWith("oom-kill:");
}

// Lines that keep noise from looking like the start of another report.
bool looksLikeReport(const QByteArray &line)
{
    return line.contains("oom") || line.contains("Killed process");
}

// Extra noise beyond the fixtures, in the shapes a busy server's dmesg is made of.
const char *const kExtraNoise[] = {
    "audit: type=1400 audit(1732702801.412:1201): apparmor=\"DENIED\" operation=\"open\" "
    "profile=\"snap.lxd.daemon\" name=\"/proc/1234/mounts\" pid=2231 comm=\"lxd\" requested_mask=\"r\" "
    "denied_mask=\"r\" fsuid=0 ouid=0",
    "IPv4: martian source 10.244.3.17 from 10.244.1.9, on dev cni0",
    "ll header: 00000000: 0a 58 0a f4 03 11 0a 58 0a f4 01 09 08 00",
    "docker0: port 2(veth9f3e2d1) entered forwarding state",
    "docker0: port 2(veth9f3e2d1) entered disabled state",
    "device veth9f3e2d1 left promiscuous mode",
    "eth0: renamed from veth4c2a1b7",
    "IPv6: ADDRCONF(NETDEV_CHANGE): veth4c2a1b7: link becomes ready",
    "TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.  Check SNMP counters.",
    "nf_conntrack: nf_conntrack: table full, dropping packet",
    "EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none.",
    "EXT4-fs (dm-3): recovery complete",
    "xfs filesystem being mounted at /var/lib/kubelet/pods/6c1d9e2a-3b4f-4c5d-8e6f-7a8b9c0d1e2f/volumes "
    "supports timestamps until 2038 (0x7fffffff)",
    "blk_update_request: I/O error, dev loop7, sector 1835008 op 0x0:(READ) flags 0x80700 phys_seg 1 prio "
    "class 0",
    "usb 1-1: new high-speed USB device number 3 using xhci_hcd",
    "cgroup: fork rejected by pids controller in /kubepods.slice/kubepods-besteffort.slice",
    "systemd-journald[412]: /dev/kmsg buffer overrun, some messages lost.",
    "perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
    "hrtimer: interrupt took 11563 ns",
    "ena 0000:00:05.0 eth0: Found a Tx that wasn't completed on time, qid 3, index 517.",
    "kauditd_printk_skb: 12 callbacks suppressed",
    "sched: RT throttling activated",
    "NFS: server 10.0.4.12 not responding, still trying",
    "NFS: server 10.0.4.12 OK",
    "print_req_error: 14 callbacks suppressed",
    "watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:2210]",
};

// One report of a fixture and what its task table looks like, so rows can be added to it.
struct ReportTemplate {
    std::vector<QByteArray> lines;
    qsizetype headerIndex = -1; // the "[  pid  ]   uid  tgid …" line, -1 if the report has none
    std::vector<QByteArray> columns; // header names after "]", without the final "name"
    bool widePid = false; // "[%7d]" (4.19+) rather than "[%5d]"
    int rows = 0;
    // Per column, the smallest value of the template's rows; generated rows stay below (rss) or at
    // it, so they never outrank a template row and the kernel's choice is still the top one.
    std::map<QByteArray, qint64> minValue;
    qint64 maxPid = 0;
};

struct Templates {
    std::vector<QByteArray> noise;
    std::vector<ReportTemplate> reports;
};

bool isTaskRow(const QByteArray &line)
{
    qsizetype i = line.startsWith('[') ? 1 : -1;
    if (i < 0)
        return false;
    while (i < line.size() && line[i] == ' ')
        ++i;
    const qsizetype digits = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9')
        ++i;
    return i > digits && i < line.size() && line[i] == ']';
}

// Reads the task table of a report template: its header's columns and its rows' smallest values.
void describeTaskTable(ReportTemplate &t)
{
    for (qsizetype i = 0; i < qsizetype(t.lines.size()); ++i) {
        const QByteArray &line = t.lines[size_t(i)];
        if (t.headerIndex < 0) {
            if (!line.startsWith("[ pid ]") && !line.startsWith("[  pid  ]"))
                continue;
            t.headerIndex = i;
            t.widePid = line.startsWith("[  pid  ]");
            const QList<QByteArray> names = line.mid(line.indexOf(']') + 1).simplified().split(' ');
            for (const QByteArray &name : names) {
                if (name != "name")
                    t.columns.push_back(name);
            }
            continue;
        }
        if (!isTaskRow(line))
            continue;
        QByteArray fields = line;
        fields.replace('[', ' ').replace(']', ' ');
        const QList<QByteArray> values = fields.simplified().split(' ');
        if (values.size() < qsizetype(t.columns.size()) + 2)
            continue;
        ++t.rows;
        t.maxPid = std::max(t.maxPid, values[0].toLongLong());
        for (size_t c = 0; c < t.columns.size(); ++c) {
            const qint64 v = values[qsizetype(c) + 1].toLongLong();
            auto [it, inserted] = t.minValue.emplace(t.columns[c], v);
            if (!inserted)
                it->second = std::min(it->second, v);
        }
    }
}

const char *const kComms[] = {
    "nginx",         "php-fpm",    "java",    "python3", "node", "postgres", "sidekiq",
    "gunicorn",      "celery",     "envoy",   "pause",   "bash", "sh",       "sleep",
    "redis-server",  "ruby",       "dotnet",  "uwsgi",   "sshd", "cron",     "containerd-shim",
    "runc:[2:INIT]", "fluent-bit", "kworker",
};

// printf width of a task-table column, from the kernel's format strings per era
// (../shared/kernel-oom-formats.md, "task table").
int columnWidth(const QByteArray &column)
{
    if (column == "uid" || column == "tgid")
        return 5;
    if (column == "nr_ptes" || column == "nr_pmds")
        return 7;
    if (column == "rss_shmem")
        return 9;
    if (column == "oom_score_adj")
        return 13; // "         %5hd" after the separating space
    return 8;
}

// One generated row of t's layout for pid, below every template row in badness.
void appendTaskRow(QByteArray &out, const ReportTemplate &t, qint64 pid, std::mt19937_64 &rng)
{
    auto below = [&](const char *column) {
        const auto it = t.minValue.find(column);
        return it == t.minValue.end() ? qint64(0) : it->second;
    };
    const qint64 rssCap = below("rss");
    const qint64 rss = rssCap > 1 ? qint64(rng() % quint64(rssCap - 1)) + 1 : 0;
    const qint64 anon = rss * 3 / 4;
    char cell[48];
    int n = std::snprintf(cell, sizeof cell, t.widePid ? "[%7lld]" : "[%5lld]", static_cast<long long>(pid));
    out.append(cell, n);
    for (const QByteArray &column : t.columns) {
        qint64 v = 0;
        if (column == "uid")
            v = 0; // root: an older era's root bonus can only lower its points
        else if (column == "tgid")
            v = pid;
        else if (column == "total_vm")
            v = rss + qint64(rng() % 60000);
        else if (column == "rss")
            v = rss;
        else if (column == "rss_anon")
            v = anon;
        else if (column == "rss_file")
            v = rss - anon;
        else if (column == "pgtables_bytes")
            v = qint64(rng() % quint64(below("pgtables_bytes") / 4096 + 1)) * 4096;
        else if (column == "oom_score_adj")
            v = below("oom_score_adj");
        else if (column != "rss_shmem" && column != "swapents")
            v = qint64(rng() % quint64(below(column.constData()) + 1));
        n = std::snprintf(cell, sizeof cell, " %*lld", columnWidth(column), static_cast<long long>(v));
        out.append(cell, n);
    }
    out += ' ';
    out += kComms[rng() % std::size(kComms)];
    out += '\n';
}

bool loadTemplates(const QString &dataDir, Templates &out, QString *error)
{
    QStringList files;
    for (const QString &sub : {u"eras"_s, u"real"_s}) {
        const QDir dir(dataDir + u'/' + sub);
        for (const QString &name : dir.entryList({u"*.log"_s}, QDir::Files, QDir::Name))
            files.append(dir.filePath(name));
    }
    if (files.isEmpty()) {
        *error = u"no fixture logs under %1 (use --data DIR)"_s.arg(dataDir);
        return false;
    }
    for (const QString &path : std::as_const(files)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = u"cannot read %1: %2"_s.arg(path, file.errorString());
            return false;
        }
        std::vector<QByteArray> lines;
        while (!file.atEnd()) {
            QByteArray raw = file.readLine();
            while (raw.endsWith('\n') || raw.endsWith('\r'))
                raw.chop(1);
            const QString text = QString::fromUtf8(raw);
            const QRegularExpressionMatch m = kernelPrefix().match(text);
            if (!m.hasMatch())
                continue;
            lines.push_back(text.mid(m.capturedLength()).toUtf8());
        }
        std::vector<std::size_t> starts;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (lines[i].contains("invoked oom-killer"))
                starts.push_back(i);
        }
        std::vector<bool> inReport(lines.size(), false);
        for (std::size_t k = 0; k < starts.size(); ++k) {
            const std::size_t limit = k + 1 < starts.size() ? starts[k + 1] : lines.size();
            std::size_t end = starts[k];
            for (std::size_t i = starts[k]; i < limit; ++i) {
                if (endsReport(lines[i]))
                    end = i;
            }
            ReportTemplate t;
            t.lines.assign(lines.begin() + std::ptrdiff_t(starts[k]),
                           lines.begin() + std::ptrdiff_t(end + 1));
            describeTaskTable(t);
            out.reports.push_back(std::move(t));
            for (std::size_t i = starts[k]; i <= end; ++i)
                inReport[i] = true;
        }
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (!inReport[i] && !lines[i].isEmpty() && !looksLikeReport(lines[i]))
                out.noise.push_back(lines[i]);
        }
    }
    for (const char *line : kExtraNoise)
        out.noise.emplace_back(line);
    if (out.reports.empty()) {
        *error = u"no OOM reports found in the fixtures under %1"_s.arg(dataDir);
        return false;
    }
    return true;
}

// Every free-standing number gets new random digits of the same length, so no two noise lines
// repeat exactly (a parser cannot profit from repetition) while keeping their shape; digits glued
// to letters ("EXT4", "0x", "eth0") are names and stay.
void appendVaried(QByteArray &out, const QByteArray &line, std::mt19937_64 &rng)
{
    auto isDigit = [](char c) {
        return c >= '0' && c <= '9';
    };
    auto isWordChar = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    const qsizetype start = out.size();
    out += line;
    char *p = out.data() + start;
    const qsizetype n = line.size();
    qsizetype i = 0;
    while (i < n) {
        if (!isDigit(p[i])) {
            ++i;
            continue;
        }
        qsizetype j = i;
        while (j < n && isDigit(p[j]))
            ++j;
        const bool glued = (i > 0 && isWordChar(p[i - 1])) || (j < n && isWordChar(p[j]));
        if (!glued) {
            for (qsizetype k = i; k < j; ++k)
                p[k] = char('0' + rng() % 10);
        }
        i = j;
    }
}

void appendStamp(QByteArray &out, std::int64_t uptimeMicros)
{
    char stamp[32];
    const int n =
        std::snprintf(stamp, sizeof stamp, "[%5lld.%06lld] ", static_cast<long long>(uptimeMicros / 1000000),
                      static_cast<long long>(uptimeMicros % 1000000));
    out.append(stamp, n);
}

// Writes one report, its task table filled up in report-heavy mode; returns the lines written.
qint64 appendReport(QByteArray &buffer, const ReportTemplate &report, const GeneratorOptions &options,
                    std::int64_t &uptimeMicros, std::mt19937_64 &rng, GeneratorResult &result)
{
    qint64 lines = 0;
    int extra = 0;
    if (options.tasksMax > 0 && report.headerIndex >= 0) {
        const int lo = std::max(1, std::min(options.tasksMin, options.tasksMax));
        const int target = lo + int(rng() % quint64(options.tasksMax - lo + 1));
        extra = std::max(0, target - report.rows);
    }
    result.taskRowsWritten += report.rows + extra;
    for (qsizetype i = 0; i < qsizetype(report.lines.size()); ++i) {
        uptimeMicros += std::int64_t(rng() % 40) + 1;
        appendStamp(buffer, uptimeMicros);
        buffer += report.lines[size_t(i)];
        buffer += '\n';
        ++lines;
        if (i != report.headerIndex)
            continue;
        qint64 pid = report.maxPid + 1 + qint64(rng() % 100);
        for (int r = 0; r < extra; ++r) {
            uptimeMicros += std::int64_t(rng() % 8) + 1;
            appendStamp(buffer, uptimeMicros);
            appendTaskRow(buffer, report, pid, rng);
            pid += 1 + qint64(rng() % 7);
            ++lines;
        }
    }
    return lines;
}

} // namespace

GeneratorResult generateLog(const QString &outPath, const GeneratorOptions &options)
{
    GeneratorResult result;
    Templates templates;
    if (!loadTemplates(options.dataDir, templates, &result.error))
        return result;
    result.noiseTemplates = int(templates.noise.size());
    result.reportTemplates = int(templates.reports.size());

    QFile file(outPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        result.error = u"cannot write %1: %2"_s.arg(outPath, file.errorString());
        return result;
    }

    std::mt19937_64 rng(options.seed);
    const int reports = std::max(0, options.reports);
    const qint64 gap = options.sizeBytes / (reports + 1);
    qint64 nextReportAt = gap;
    std::int64_t uptimeMicros = 4 * 1000000;
    QByteArray buffer;
    constexpr qsizetype kFlushBytes = 4 * 1024 * 1024;
    buffer.reserve(kFlushBytes + 64 * 1024);

    auto flush = [&]() {
        if (file.write(buffer) != buffer.size())
            return false;
        result.bytesWritten += buffer.size();
        buffer.clear();
        return true;
    };

    while (result.bytesWritten + buffer.size() < options.sizeBytes || result.reportsWritten < reports) {
        const qint64 written = result.bytesWritten + buffer.size();
        if (result.reportsWritten < reports && written >= nextReportAt) {
            // Fixture order, then again: every era appears, interleaved with the others.
            const ReportTemplate &report =
                templates.reports[std::size_t(result.reportsWritten) % templates.reports.size()];
            result.linesWritten += appendReport(buffer, report, options, uptimeMicros, rng, result);
            ++result.reportsWritten;
            nextReportAt += gap;
        } else {
            uptimeMicros += std::int64_t(rng() % 4000);
            appendStamp(buffer, uptimeMicros);
            appendVaried(buffer, templates.noise[rng() % templates.noise.size()], rng);
            buffer += '\n';
            ++result.linesWritten;
        }
        if (buffer.size() >= kFlushBytes && !flush()) {
            result.error = u"cannot write %1: %2"_s.arg(outPath, file.errorString());
            return result;
        }
    }
    if (!flush() || !file.flush()) {
        result.error = u"cannot write %1: %2"_s.arg(outPath, file.errorString());
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace oomscope::bench
