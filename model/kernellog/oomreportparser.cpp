// SPDX-License-Identifier: GPL-3.0-or-later
#include "oomreportparser.h"

#include "anchorscan.h"
#include "oomreportbody.h"
#include "oomreportlines.h"
#include "prefixparser.h"

#include <QBuffer>
#include <QIODevice>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

namespace rl = reportlines;
using anchorscan::findByte;
using anchorscan::findLastByte;
using anchorscan::scanAnchor;
using reportbody::Phase;
using reportbody::Report;
using reportbody::ReportLineEffect;
using reportbody::Section;

// read() into one reused buffer beats mmap for a single sequential pass, and 4 MiB amortises the
// syscall while staying in L2/L3-friendly territory.
constexpr qint64 kBlockBytes = qint64(4) << 20;
// An open report that receives no line for this long was cut off (lost lines, a crash).
constexpr qint64 kOpenIdleLines = 2000;
// How long after its kill line a report still collects oom.group kills and oom_reaper lines.
constexpr qint64 kLingerLines = 2000;

// One pass over one device; all state of the streaming parse lives here.
class ParseRun
{
public:
    ParseRun(const ParseOptions &options, const ParseSinks &sinks, ParseResult &result)
        : m_options(options)
        , m_year(yearForUndated(options.assumedYear))
        , m_sinks(sinks)
        , m_result(result)
    { }

    qint64 lines() const { return m_lines; }

    // [p, end) holds whole lines; only the last one may lack its '\n' (end of input).
    void processRange(const char *p, const char *end)
    {
        while (p < end) {
            if (m_openReports == 0) {
                qint64 newlines = 0;
                const char *anchor = scanAnchor(p, end, newlines);
                m_lines += newlines;
                if (anchor == end) {
                    expire(m_lines);
                    return;
                }
                const char *before = findLastByte(p, anchor, '\n');
                const char *lineStart = before ? before + 1 : p;
                const char *nl = findByte(anchor, end, '\n');
                handleLine(lineStart, nl ? nl : end, m_lines + 1, true);
                if (nl)
                    ++m_lines;
                p = nl ? nl + 1 : end;
                continue;
            }
            const char *nl = findByte(p, end, '\n');
            handleLine(p, nl ? nl : end, m_lines + 1, false);
            if (nl)
                ++m_lines;
            p = nl ? nl + 1 : end;
        }
    }

    void warn(ParseWarning::Kind kind, qint64 line, QString detail)
    {
        if (qsizetype(m_result.warnings.size()) < qsizetype(std::max(0, m_options.maxWarnings)))
            m_result.warnings.push_back(ParseWarning {line, kind, std::move(detail)});
        else
            ++m_suppressedWarnings;
    }

    void finish(bool hadTail)
    {
        m_result.linesRead = m_lines + (hadTail ? 1 : 0);
        for (auto &report : m_reports) {
            if (report->phase != Phase::Done)
                close(*report, u"end of input"_s);
        }
        flush();
        if (m_suppressedWarnings > 0) {
            QString detail = u"%1 further warnings were not listed"_s.arg(m_suppressedWarnings);
            if (m_binaryLines > 0)
                detail += u" (%1 lines with binary data in total)"_s.arg(m_binaryLines);
            m_result.warnings.push_back(
                ParseWarning {m_result.linesRead, ParseWarning::Kind::Malformed, detail});
        }
    }

private:
    void handleLine(const char *b, const char *e, qint64 lineNo, bool fromAnchor)
    {
        qsizetype len = e - b;
        if (len > 0 && b[len - 1] == '\r')
            --len;
        if (len > m_options.maxLineBytes) {
            warn(ParseWarning::Kind::LongLine, lineNo,
                 u"line of %1 bytes shortened to %2 bytes"_s.arg(len).arg(m_options.maxLineBytes));
            len = m_options.maxLineBytes;
        }
        std::string_view line(b, size_t(len));
        if (hasControlBytes(line)) {
            ++m_binaryLines;
            warn(ParseWarning::Kind::Binary, lineNo, u"control or NUL bytes removed"_s);
            m_scratch.clear();
            for (const char ch : line) {
                if (!isControl(ch))
                    m_scratch.push_back(ch);
            }
            line = m_scratch;
        }
        if (!m_reports.empty())
            expire(lineNo);

        const LinePrefix prefix = parseLinePrefix(line);
        const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (prefix.style == PrefixStyle::None && indented && !fromAnchor && m_prevPrefixed) {
            // A continuation of a multi-line record (dmesg/journal indent it, no prefix), or a
            // /dev/kmsg dictionary line (" SUBSYSTEM=…"), which carries nothing for us.
            if (m_prevStyle == PrefixStyle::Kmsg)
                return;
            if (m_lastReport)
                feed(*m_lastReport, rl::trimLeft(line), lineNo);
            return;
        }
        // Whatever came before an anchor line was skipped, but the line after it is read next, so
        // this line is the right context for continuations either way.
        m_prevStyle = prefix.style;
        m_prevPrefixed = prefix.style != PrefixStyle::None;
        if (!prefix.kernel) {
            m_lastReport = nullptr;
            return;
        }
        std::string_view message = prefix.message;
        if (prefix.style == PrefixStyle::Kmsg && message.find('\\') != std::string_view::npos) {
            unescapeKmsg(message);
            dispatchPieces(m_unescaped, "\n", prefix, lineNo);
        } else if (message.find("#012") != std::string_view::npos) {
            dispatchPieces(message, "#012", prefix, lineNo);
        } else {
            dispatch(message, prefix, lineNo);
        }
    }

    static bool isControl(char ch)
    {
        const auto u = static_cast<unsigned char>(ch);
        return (u < 0x20 && u != '\t') || u == 0x7f;
    }

    static bool hasControlBytes(std::string_view s)
    {
        // Branch-light: OR together "is control" over the whole line, then test once.
        unsigned bad = 0;
        for (const char ch : s) {
            const auto u = static_cast<unsigned char>(ch);
            bad |= unsigned(u < 0x20 && u != '\t') | unsigned(u == 0x7f);
        }
        return bad != 0;
    }

    void unescapeKmsg(std::string_view s)
    {
        m_unescaped.clear();
        auto hex = [](char c) {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            return -1;
        };
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex(s[i + 2]) >= 0
                && hex(s[i + 3]) >= 0) {
                const char ch = char(hex(s[i + 2]) * 16 + hex(s[i + 3]));
                if (ch == '\n' || !isControl(ch))
                    m_unescaped.push_back(ch);
                i += 3;
            } else {
                m_unescaped.push_back(s[i]);
            }
        }
    }

    // One record holding several lines (kmsg "\x0a", rsyslog "#012"): the first piece is routed
    // like any line, the rest continue the record.
    void dispatchPieces(std::string_view text, std::string_view separator, const LinePrefix &prefix,
                        qint64 lineNo)
    {
        const std::string copy(text); // text may alias m_unescaped, which dispatch may not touch
        std::string_view rest = copy;
        bool first = true;
        while (true) {
            const size_t sep = rest.find(separator);
            const std::string_view piece = rest.substr(0, sep);
            if (first)
                dispatch(piece, prefix, lineNo);
            else if (m_lastReport && !rl::trim(piece).empty())
                feed(*m_lastReport, rl::trimLeft(piece), lineNo);
            first = false;
            if (sep == std::string_view::npos)
                break;
            rest = rest.substr(sep + separator.size());
        }
    }

    Report *latest(std::string_view host, Phase phase)
    {
        for (auto it = m_reports.rbegin(); it != m_reports.rend(); ++it) {
            if ((*it)->phase == phase && (*it)->host == host)
                return it->get();
        }
        return nullptr;
    }

    Report *latestActive(std::string_view host)
    {
        for (auto it = m_reports.rbegin(); it != m_reports.rend(); ++it) {
            if ((*it)->phase != Phase::Done && (*it)->host == host)
                return it->get();
        }
        return nullptr;
    }

    void dispatch(std::string_view message, const LinePrefix &prefix, qint64 lineNo)
    {
        const std::string_view text = rl::trim(message);
        if (text.empty())
            return;
        const std::string_view host = prefix.host;
        // A task row ("[  pid]  uid …", most of a report's lines) is none of the lines below.
        if (text.front() == '[' && rl::looksLikeTaskRow(text)) {
            Report *open = latest(host, Phase::Open);
            m_lastReport = open && feed(*open, message, lineNo) ? open : nullptr;
            return;
        }
        if (rl::isTriggerLine(text)) {
            startReport(text, prefix, lineNo);
            return;
        }
        if (rl::contains(text, "Killed process ")) {
            handleKilled(text, prefix, lineNo);
            return;
        }
        if (rl::contains(text, "Kill process ") && rl::contains(text, ") score ")) {
            handleKillProcess(text, prefix, lineNo);
            return;
        }
        if (rl::contains(text, "oom_reaper: reaped process ")) {
            std::int64_t pid = 0;
            if (!rl::parseReaped(text, pid))
                return;
            for (auto it = m_reports.rbegin(); it != m_reports.rend(); ++it) {
                Report &r = **it;
                if (r.phase == Phase::Done || r.host != host)
                    continue;
                const bool groupMember = std::any_of(r.event.groupKilled.begin(), r.event.groupKilled.end(),
                                                     [pid](const KilledProcess &k) { return k.pid == pid; });
                if ((r.event.victim.present && r.event.victim.pid == pid) || groupMember) {
                    if (!r.event.reapedPid)
                        r.event.reapedPid = pid;
                    addRaw(r, text, lineNo);
                    break;
                }
            }
            return;
        }
        QString groupMemcg;
        if (rl::parseOomGroup(text, groupMemcg)) {
            if (Report *r = latestActive(host)) {
                r->event.oomGroup = true;
                r->event.oomGroupMemcg = groupMemcg;
                addRaw(*r, text, lineNo);
            }
            return;
        }
        Report *open = latest(host, Phase::Open);
        if (!open) {
            m_lastReport = nullptr;
            return;
        }
        m_lastReport = feed(*open, message, lineNo) ? open : nullptr;
    }

    Report &newReport(const LinePrefix &prefix, qint64 lineNo)
    {
        auto report = std::make_unique<Report>();
        report->host = std::string(prefix.host);
        OomEvent &ev = report->event;
        ev.host = rl::toQString(prefix.host);
        ev.prefixStyle = prefix.style;
        if (prefix.hasUptime)
            ev.uptimeSeconds = prefix.uptimeSeconds;
        ev.wallTime = wallTimeOf(prefix, m_year);
        ev.firstLine = lineNo;
        ev.lastLine = lineNo;
        report->lastActivity = lineNo;
        m_reports.push_back(std::move(report));
        ++m_openReports;
        return *m_reports.back();
    }

    // One report at a time per host: a new one ends whatever was still open or lingering there,
    // which also keeps the number of live reports bounded in an OOM storm.
    void closeHost(std::string_view host, qint64 lineNo)
    {
        for (auto &report : m_reports) {
            if (report->phase != Phase::Done && report->host == host)
                close(*report, u"a new report starts at line %1"_s.arg(lineNo));
        }
        flush();
    }

    void startReport(std::string_view text, const LinePrefix &prefix, qint64 lineNo)
    {
        closeHost(prefix.host, lineNo);
        Report &r = newReport(prefix, lineNo);
        rl::parseTrigger(text, r.event);
        r.headerSeen = true;
        addRaw(r, text, lineNo);
        m_lastReport = &r;
    }

    void handleKilled(std::string_view text, const LinePrefix &prefix, qint64 lineNo)
    {
        KilledProcess killed;
        killed.line = lineNo;
        if (!rl::parseKilled(text, killed)) {
            warn(ParseWarning::Kind::Malformed, lineNo, u"unreadable kill line"_s);
            return;
        }
        const std::string_view host = prefix.host;
        if (Report *open = latest(host, Phase::Open)) {
            open->event.victim = std::move(killed);
            setPhase(*open, Phase::Killed);
            open->section = Section::After;
            addRaw(*open, text, lineNo);
            m_lastReport = open;
            return;
        }
        if (Report *recent = latest(host, Phase::Killed)) {
            if (recent->event.oomGroup) {
                recent->event.groupKilled.push_back(std::move(killed));
                addRaw(*recent, text, lineNo);
                return;
            }
            if (recent->event.victim.present && recent->event.victim.pid == killed.pid) {
                addRaw(*recent, text, lineNo);
                return;
            }
        }
        // dump_header() is ratelimited, the kill line is not: in an OOM storm it comes alone.
        warn(ParseWarning::Kind::Orphan, lineNo, u"kill line without a report header"_s);
        closeHost(host, lineNo);
        Report &r = newReport(prefix, lineNo);
        r.event.victim = std::move(killed);
        setPhase(r, Phase::Killed);
        r.section = Section::After;
        addRaw(r, text, lineNo);
        m_lastReport = &r;
    }

    void handleKillProcess(std::string_view text, const LinePrefix &prefix, qint64 lineNo)
    {
        std::int64_t pid = 0;
        std::int64_t score = 0;
        QString comm;
        if (!rl::parseKillProcess(text, pid, comm, score))
            return;
        Report *r = latest(prefix.host, Phase::Open);
        if (!r || r->event.selectedPid) {
            warn(ParseWarning::Kind::Orphan, lineNo, u"\"Kill process\" line without a report header"_s);
            closeHost(prefix.host, lineNo);
            r = &newReport(prefix, lineNo);
        }
        if (rl::startsWith(text, "Memory cgroup out of memory"))
            r->killProcessHint = Constraint::Memcg;
        else if (rl::startsWith(text, "Out of memory"))
            r->killProcessHint = Constraint::None;
        r->event.selectedPid = pid;
        r->event.selectedComm = comm;
        r->event.selectedScore = score;
        r->section = Section::After;
        addRaw(*r, text, lineNo);
        m_lastReport = r;
    }

    // Applies one line to an open report; false if the line is not part of any report grammar
    // (noise from other subsystems or CPUs), which is then dropped.
    bool feed(Report &r, std::string_view message, qint64 lineNo)
    {
        const ReportLineEffect effect = applyReportLine(r, message, lineNo);
        if (effect.taskRowMismatch)
            warn(ParseWarning::Kind::Malformed, lineNo, u"task table row does not fit its header"_s);
        if (effect.noKill)
            setPhase(r, Phase::Killed);
        if (effect.accepted) {
            if (effect.taskRow && !m_options.keepTaskRowLines)
                touch(r, lineNo);
            else
                addRaw(r, rl::trim(message), lineNo);
        }
        return effect.accepted;
    }

    void addRaw(Report &r, std::string_view text, qint64 lineNo)
    {
        if (m_options.keepRawLines)
            r.event.rawLines.push_back(RawLine {lineNo, rl::toQString(text)});
        touch(r, lineNo);
    }

    // The line belongs to the report, whether or not its text is kept.
    static void touch(Report &r, qint64 lineNo)
    {
        r.event.lastLine = std::max(r.event.lastLine, lineNo);
        r.lastActivity = lineNo;
    }

    void setPhase(Report &r, Phase phase)
    {
        if (r.phase == Phase::Open && phase != Phase::Open)
            --m_openReports;
        r.phase = phase;
    }

    void close(Report &r, const QString &why)
    {
        if (r.phase == Phase::Done)
            return;
        if (r.phase == Phase::Open && !r.event.victim.present) {
            warn(ParseWarning::Kind::Truncated, r.event.lastLine,
                 u"report from line %1 ends without a kill line (%2)"_s.arg(r.event.firstLine).arg(why));
        }
        finalizeReport(r);
        setPhase(r, Phase::Done);
    }

    void expire(qint64 lineNo)
    {
        bool any = false;
        for (auto &report : m_reports) {
            Report &r = *report;
            if (r.phase == Phase::Open && lineNo - r.lastActivity > kOpenIdleLines) {
                close(r, u"no report line for %1 lines"_s.arg(kOpenIdleLines));
                any = true;
            } else if (r.phase == Phase::Killed && lineNo - r.lastActivity > kLingerLines) {
                close(r, QString());
                any = true;
            }
        }
        if (any)
            flush();
    }

    // Hands over finished reports in order of their first line.
    void flush()
    {
        while (!m_reports.empty() && m_reports.front()->phase == Phase::Done) {
            if (m_lastReport == m_reports.front().get())
                m_lastReport = nullptr;
            OomEvent event = std::move(m_reports.front()->event);
            m_reports.pop_front();
            if (m_sinks.onEvent)
                m_sinks.onEvent(std::move(event));
            else
                m_result.events.push_back(std::move(event));
        }
    }

    const ParseOptions &m_options;
    const int m_year; // of a time printed without one (yearForUndated, asked once)
    const ParseSinks &m_sinks;
    ParseResult &m_result;
    std::deque<std::unique_ptr<Report>> m_reports; // not yet handed over, in order of first line
    int m_openReports = 0;
    Report *m_lastReport = nullptr; // receives continuation lines
    PrefixStyle m_prevStyle = PrefixStyle::Unknown;
    bool m_prevPrefixed = false;
    qint64 m_lines = 0;
    qint64 m_binaryLines = 0;
    qint64 m_suppressedWarnings = 0;
    std::string m_scratch;
    std::string m_unescaped;
};

} // namespace

OomReportParser::OomReportParser(ParseOptions options)
    : m_options(options)
{
    // Bounds that keep memory use independent of the input whatever the caller asks for.
    m_options.maxLineBytes = std::clamp<qsizetype>(m_options.maxLineBytes, 256, qsizetype(64) << 20);
}

ParseResult OomReportParser::parse(QIODevice &device, const ProgressFn &progress,
                                   const ParseSinks &sinks) const
{
    ParseResult result;
    if (!device.isOpen() || !device.isReadable()) {
        result.error = u"the log is not open for reading"_s;
        return result;
    }
    ParseRun run(m_options, sinks, result);
    const qsizetype maxLine = m_options.maxLineBytes;
    // Small inputs (tests, the fuzzer, one-report pastes) should not pay for a 4 MiB buffer.
    qint64 blockBytes = kBlockBytes;
    if (!device.isSequential())
        blockBytes = std::clamp<qint64>(device.size() - device.pos() + 1, 4096, kBlockBytes);
    const auto buffer = std::make_unique_for_overwrite<char[]>(size_t(blockBytes + maxLine + 1));
    char *const begin = buffer.get();
    qsizetype carry = 0; // bytes of an unfinished line kept at the front of the buffer
    bool dropping = false; // skipping the rest of an overlong line until its newline
    for (;;) {
        const qint64 n = device.read(begin + carry, blockBytes);
        if (n < 0) {
            const QString why = device.errorString();
            if (result.bytesRead == 0)
                result.error = why.isEmpty() ? u"read error"_s : why;
            else
                run.warn(ParseWarning::Kind::Truncated, run.lines() + 1, u"read error: %1"_s.arg(why));
            break;
        }
        if (n == 0) {
            if (device.atEnd() || !device.waitForReadyRead(-1))
                break;
            continue;
        }
        if (sinks.onBlock)
            sinks.onBlock(begin + carry, qsizetype(n));
        result.bytesRead += n;
        qsizetype len = carry + qsizetype(n);
        if (dropping) {
            const char *nl = findByte(begin + carry, begin + len, '\n');
            if (!nl) {
                len = carry;
            } else {
                const qsizetype keep = (begin + len) - nl;
                std::memmove(begin + carry, nl, size_t(keep));
                len = carry + keep;
                dropping = false;
            }
        }
        const char *lastNl = findLastByte(begin + carry, begin + len, '\n');
        qsizetype done = 0;
        if (lastNl) {
            run.processRange(begin, lastNl + 1);
            done = (lastNl + 1) - begin;
        }
        carry = len - done;
        if (carry > 0 && done > 0)
            std::memmove(begin, begin + done, size_t(carry));
        if (carry > maxLine && !dropping) {
            run.warn(ParseWarning::Kind::LongLine, run.lines() + 1,
                     u"line longer than %1 bytes shortened"_s.arg(maxLine));
            carry = maxLine;
            dropping = true;
        }
        if (progress && !progress(result.bytesRead)) {
            result.canceled = true;
            break;
        }
    }
    const bool tail = carry > 0 && !result.canceled;
    if (tail)
        run.processRange(begin, begin + carry);
    run.finish(tail);
    return result;
}

ParseResult OomReportParser::parse(const QByteArray &bytes) const
{
    QByteArray copy = bytes; // QBuffer wants a non-const array; this shares, it does not copy
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    return parse(buffer);
}

} // namespace oomscope
