// SPDX-License-Identifier: GPL-3.0-or-later
#include "prefixparser.h"

#include <array>
#include <cstring>

namespace oomscope {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

// A tiny cursor over the line; every accessor is bounds-checked so garbage cannot read past it.
struct Cursor {
    std::string_view s;
    size_t i = 0;

    bool atEnd() const { return i >= s.size(); }
    char peek(size_t ahead = 0) const { return i + ahead < s.size() ? s[i + ahead] : '\0'; }
    bool eat(char c)
    {
        if (peek() != c)
            return false;
        ++i;
        return true;
    }
    bool eat(std::string_view lit)
    {
        if (s.substr(i).substr(0, lit.size()) != lit)
            return false;
        i += lit.size();
        return true;
    }
    size_t skipSpaces()
    {
        const size_t from = i;
        while (isSpace(peek()))
            ++i;
        return i - from;
    }
    // Reads up to maxDigits digits; returns false if there is none.
    bool number(long long &value, int maxDigits = 18, int *count = nullptr)
    {
        int n = 0;
        long long v = 0;
        while (n < maxDigits && isDigit(peek())) {
            v = v * 10 + (s[i] - '0');
            ++i;
            ++n;
        }
        if (count)
            *count = n;
        if (n == 0)
            return false;
        value = v;
        return true;
    }
    bool fixed(int &value, int digits)
    {
        long long v = 0;
        int n = 0;
        const size_t from = i;
        if (!number(v, digits, &n) || n != digits) {
            i = from;
            return false;
        }
        value = int(v);
        return true;
    }
    std::string_view token()
    {
        const size_t from = i;
        while (!atEnd() && !isSpace(s[i]))
            ++i;
        return s.substr(from, i - from);
    }
    std::string_view rest() const { return i < s.size() ? s.substr(i) : std::string_view(); }
};

int monthFromName(std::string_view name)
{
    static constexpr std::array<std::string_view, 12> english = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t m = 0; m < english.size(); ++m) {
        if (name == english[m])
            return int(m) + 1;
    }
    // Localised dmesg -T: a few common non-English abbreviations, and CJK forms like "1月".
    static constexpr std::array<std::pair<std::string_view, int>, 9> other = {{{"Mär", 3},
                                                                               {"Mai", 5},
                                                                               {"Okt", 10},
                                                                               {"Dez", 12},
                                                                               {"janv.", 1},
                                                                               {"févr.", 2},
                                                                               {"avr.", 4},
                                                                               {"juil.", 7},
                                                                               {"déc.", 12}}};
    for (const auto &[n, m] : other) {
        if (name == n)
            return m;
    }
    if (!name.empty() && isDigit(name[0])) {
        int m = name[0] - '0';
        if (name.size() > 1 && isDigit(name[1]))
            m = m * 10 + (name[1] - '0');
        if (m >= 1 && m <= 12)
            return m;
    }
    return 0;
}

// "[ 1234.567890]" → seconds; the cursor is after the ']' on success.
bool dmesgSeconds(Cursor &c, double &seconds)
{
    const size_t from = c.i;
    if (!c.eat('['))
        return false;
    c.skipSpaces();
    long long whole = 0;
    if (!c.number(whole, 12)) {
        c.i = from;
        return false;
    }
    // The kernel always prints "%5lu.%06lu"; without the fraction this is a task-table row.
    double frac = 0;
    if (!c.eat('.') || !isDigit(c.peek())) {
        c.i = from;
        return false;
    }
    double scale = 0.1;
    for (int n = 0; isDigit(c.peek()); ++n) {
        if (n < 9) {
            frac += (c.peek() - '0') * scale;
            scale /= 10;
        }
        ++c.i;
    }
    if (!c.eat(']')) {
        c.i = from;
        return false;
    }
    seconds = double(whole) + frac;
    return true;
}

bool hhmmss(Cursor &c, LinePrefix &p)
{
    const size_t from = c.i;
    if (c.fixed(p.hour, 2) && c.eat(':') && c.fixed(p.minute, 2) && c.eat(':') && c.fixed(p.second, 2))
        return true;
    c.i = from;
    return false;
}

// Optional ".123456" or ",123456" fraction; returns the separator seen or '\0'.
char fraction(Cursor &c, LinePrefix &p)
{
    const char sep = c.peek();
    if ((sep != '.' && sep != ',') || !isDigit(c.peek(1)))
        return '\0';
    ++c.i;
    int n = 0;
    long long v = 0;
    while (isDigit(c.peek())) {
        if (n < 6) {
            v = v * 10 + (c.peek() - '0');
            ++n;
        }
        ++c.i;
    }
    while (n < 6) {
        v *= 10;
        ++n;
    }
    p.microsecond = int(v);
    return sep;
}

void utcOffset(Cursor &c, LinePrefix &p)
{
    if (c.eat('Z')) {
        p.hasUtcOffset = true;
        p.utcOffsetSeconds = 0;
        return;
    }
    const char sign = c.peek();
    if (sign != '+' && sign != '-')
        return;
    const size_t from = c.i;
    ++c.i;
    int hh = 0;
    int mm = 0;
    if (!c.fixed(hh, 2)) {
        c.i = from;
        return;
    }
    c.eat(':');
    if (!c.fixed(mm, 2)) {
        c.i = from;
        return;
    }
    p.hasUtcOffset = true;
    p.utcOffsetSeconds = (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
}

// "host tag: " after a syslog-style timestamp. The tag decides whether it is a kernel line.
bool hostAndTag(Cursor &c, LinePrefix &p)
{
    if (!c.eat(' '))
        return false;
    p.host = c.token();
    if (p.host.empty() || !c.eat(' '))
        return false;
    const std::string_view tag = c.token();
    if (tag.empty() || tag.back() != ':')
        return false;
    p.kernel = tag == "kernel:";
    c.eat(' ');
    return true;
}

// rsyslog imklog and syslog(2) readers keep the kernel's "[secs] " after "kernel: ".
void optionalKernelSeconds(Cursor &c, LinePrefix &p)
{
    if (!p.kernel || c.peek() != '[')
        return;
    double seconds = 0;
    const size_t from = c.i;
    if (dmesgSeconds(c, seconds)) {
        p.hasUptime = true;
        p.uptimeSeconds = seconds;
        c.eat(' ');
    } else {
        c.i = from;
    }
}

// dmesg "[secs]" with the optional CONFIG_PRINTK_CALLER "[ T123]" and journal short-monotonic.
bool parseBracketSeconds(Cursor &c, LinePrefix &p, PrefixStyle style)
{
    double seconds = 0;
    if (!dmesgSeconds(c, seconds))
        return false;
    p.style = style;
    p.hasUptime = true;
    p.uptimeSeconds = seconds;
    if (c.peek() == '[' && (c.peek(1) == ' ' || c.peek(1) == 'T' || c.peek(1) == 'C')) {
        Cursor probe = c;
        probe.eat('[');
        probe.skipSpaces();
        long long id = 0;
        if ((probe.eat('T') || probe.eat('C')) && probe.number(id, 10) && probe.eat(']')) {
            c = probe;
            if (style == PrefixStyle::Dmesg)
                p.style = PrefixStyle::DmesgCaller;
        }
    }
    c.eat(' ');
    if (p.style == PrefixStyle::Dmesg) {
        // journalctl -o short-monotonic: "[12345.678901] host kernel: msg".
        Cursor probe = c;
        const std::string_view host = probe.token();
        if (!host.empty() && host.front() != '[' && probe.eat(" kernel: ")) {
            p.style = PrefixStyle::JournalMonotonic;
            p.host = host;
            c = probe;
        }
    }
    return true;
}

bool parseHuman(Cursor &c, LinePrefix &p)
{
    // "[Fri Nov  6 14:22:31 2026] "; weekday and month may be localised.
    if (!c.eat('['))
        return false;
    const std::string_view weekday = c.token();
    if (weekday.empty() || weekday.find(']') != std::string_view::npos || c.skipSpaces() == 0)
        return false;
    const std::string_view month = c.token();
    if (month.empty() || c.skipSpaces() == 0)
        return false;
    long long day = 0;
    if (!c.number(day, 2) || !c.eat(' ') || !hhmmss(c, p) || !c.eat(' '))
        return false;
    long long year = 0;
    int digits = 0;
    if (!c.number(year, 4, &digits) || digits != 4 || !c.eat(']'))
        return false;
    c.eat(' ');
    p.style = PrefixStyle::DmesgHuman;
    p.month = monthFromName(month);
    p.day = int(day);
    p.year = int(year);
    p.hasWallTime = p.month != 0;
    return true;
}

// "2026-11-27T10:15:02[,.]ffffff(+01:00|+0100|Z)"; returns false if it is not one.
bool isoTimestamp(Cursor &c, LinePrefix &p, char &sep)
{
    if (!(c.fixed(p.year, 4) && c.eat('-') && c.fixed(p.month, 2) && c.eat('-') && c.fixed(p.day, 2)
          && c.eat('T') && hhmmss(c, p)))
        return false;
    sep = fraction(c, p);
    utcOffset(c, p);
    p.hasWallTime = true;
    return true;
}

bool parseIso(Cursor &c, LinePrefix &p)
{
    char sep = '\0';
    if (!isoTimestamp(c, p, sep))
        return false;
    if (sep == ',') {
        // util-linux dmesg --time-format iso uses a comma before the microseconds.
        p.style = PrefixStyle::DmesgIso;
        c.eat(' ');
        return true;
    }
    p.style = PrefixStyle::SyslogIso;
    if (!hostAndTag(c, p))
        return false;
    optionalKernelSeconds(c, p);
    return true;
}

bool parseSyslog(Cursor &c, LinePrefix &p)
{
    // "Nov 27 03:14:07[.482913] host kernel: [secs] "
    if (c.s.size() < 16)
        return false;
    p.month = monthFromName(c.s.substr(0, 3));
    if (p.month == 0 || c.s[3] != ' ')
        return false;
    c.i = 4;
    c.skipSpaces();
    long long day = 0;
    if (!c.number(day, 2) || !c.eat(' ') || !hhmmss(c, p))
        return false;
    p.day = int(day);
    const char sep = fraction(c, p);
    if (!hostAndTag(c, p))
        return false;
    p.style = sep ? PrefixStyle::SyslogPrecise : PrefixStyle::Syslog;
    p.hasWallTime = true;
    optionalKernelSeconds(c, p);
    return true;
}

bool parseKmsg(Cursor &c, LinePrefix &p)
{
    // "pri,seq,usec,flags[,caller=T1];msg"
    long long prio = 0;
    long long seq = 0;
    long long usec = 0;
    if (!(c.number(prio, 4) && c.eat(',') && c.number(seq) && c.eat(',') && c.number(usec) && c.eat(',')))
        return false;
    const std::string_view rest = c.rest().substr(0, 64);
    const size_t semi = rest.find(';');
    if (semi == std::string_view::npos)
        return false;
    c.i += semi + 1;
    p.style = PrefixStyle::Kmsg;
    p.hasUptime = true;
    p.uptimeSeconds = double(usec) / 1e6;
    return true;
}

bool parseAngle(Cursor &c, LinePrefix &p)
{
    // "<4>[ 1234.5] " (dmesg -r) or "<4>1 2026-... host kernel - - - " (RFC 5424).
    long long pri = 0;
    if (!c.eat('<') || !c.number(pri, 4) || !c.eat('>'))
        return false;
    if (c.peek() == '[') {
        if (!parseBracketSeconds(c, p, PrefixStyle::DmesgRaw))
            p.style = PrefixStyle::DmesgRaw;
        return true;
    }
    if (!c.eat("1 ")) {
        p.style = PrefixStyle::DmesgRaw; // "<4>text": syslog(2) without timestamps
        return true;
    }
    char sep = '\0';
    if (c.peek() == '-')
        ++c.i; // NILVALUE timestamp
    else if (!isoTimestamp(c, p, sep))
        return false;
    if (!c.eat(' '))
        return false;
    p.host = c.token();
    if (!c.eat(' '))
        return false;
    const std::string_view app = c.token();
    p.kernel = app == "kernel";
    // PROCID and MSGID, then structured data ("-" or "[...]" elements).
    for (int field = 0; field < 2; ++field) {
        if (!c.eat(' '))
            return false;
        c.token();
    }
    if (!c.eat(' '))
        return false;
    if (c.peek() == '-') {
        ++c.i;
    } else {
        while (c.peek() == '[') {
            bool escaped = false;
            while (!c.atEnd()) {
                const char ch = c.s[c.i++];
                if (escaped)
                    escaped = false;
                else if (ch == '\\')
                    escaped = true;
                else if (ch == ']')
                    break;
            }
        }
    }
    c.eat(' ');
    p.style = PrefixStyle::Rfc5424;
    return true;
}

} // namespace

LinePrefix parseLinePrefix(std::string_view line)
{
    LinePrefix p;
    Cursor c {line, 0};
    const char first = c.peek();
    bool ok = false;
    if (first == '[') {
        ok = parseBracketSeconds(c, p, PrefixStyle::Dmesg);
        if (!ok) {
            c.i = 0;
            p = LinePrefix();
            ok = parseHuman(c, p);
        }
    } else if (first == '<') {
        ok = parseAngle(c, p);
    } else if (isDigit(first)) {
        if (line.size() > 4 && line[4] == '-') {
            ok = parseIso(c, p);
        } else {
            ok = parseKmsg(c, p);
        }
    } else if (first >= 'A' && first <= 'Z') {
        ok = parseSyslog(c, p);
    }
    if (!ok) {
        p = LinePrefix();
        // Unknown syslog dialects (localised months, other time formats) still say "host kernel: ".
        const std::string_view head = line.substr(0, 96);
        const size_t k = head.find(" kernel: ");
        if (k != std::string_view::npos && k > 0 && first != ' ' && first != '\t') {
            const size_t hostStart = head.rfind(' ', k - 1);
            p.style = PrefixStyle::Syslog;
            p.host = hostStart == std::string_view::npos ? head.substr(0, k)
                                                         : head.substr(hostStart + 1, k - hostStart - 1);
            c.i = k + 9;
            optionalKernelSeconds(c, p);
            p.message = c.rest();
            return p;
        }
        p.style = PrefixStyle::None;
        p.message = line;
        return p;
    }
    p.message = c.rest();
    return p;
}

int yearForUndated(int assumedYear)
{
    return assumedYear > 0 ? assumedYear : QDate::currentDate().year();
}

std::optional<QDateTime> wallTimeOf(const LinePrefix &p, int assumedYear)
{
    if (!p.hasWallTime)
        return std::nullopt;
    const int year = p.year != 0 ? p.year : yearForUndated(assumedYear);
    const QDate date(year, p.month, p.day);
    const QTime time(p.hour, p.minute, p.second, p.microsecond / 1000);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    if (p.hasUtcOffset)
        return QDateTime(date, time, Qt::OffsetFromUTC, p.utcOffsetSeconds);
    return QDateTime(date, time, Qt::LocalTime);
}

} // namespace oomscope
