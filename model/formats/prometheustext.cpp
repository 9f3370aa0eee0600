// SPDX-License-Identifier: GPL-3.0-or-later
#include "prometheustext.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

QString PromSample::label(QLatin1StringView labelName) const
{
    for (const PromLabel &l : labels) {
        if (l.name == labelName)
            return l.value;
    }
    return {};
}

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

bool isLabelStart(char c)
{
    return isNameStart(c) && c != ':';
}

bool isLabelChar(char c)
{
    return isNameChar(c) && c != ':';
}

// A cursor over one line; every read checks the end, so no input can run past it.
struct Cursor {
    const char *p;
    const char *end;

    bool atEnd() const { return p >= end; }
    char peek() const { return p < end ? *p : '\0'; }
    void skipBlanks()
    {
        while (p < end && isBlank(*p))
            ++p;
    }
    QByteArrayView token() // up to the next blank
    {
        const char *start = p;
        while (p < end && !isBlank(*p))
            ++p;
        return QByteArrayView(start, p - start);
    }
};

bool equalsNoCase(QByteArrayView a, QLatin1StringView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i].toLatin1();
        if (x >= 'A' && x <= 'Z')
            x = char(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = char(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

// Go's strconv.ParseFloat as the exposition format uses it: decimal or exponent notation,
// NaN, Inf, +Inf, -Inf (any case).
std::optional<double> parseValue(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    QByteArrayView body = text;
    bool negative = false;
    if (body.front() == '+' || body.front() == '-') {
        negative = body.front() == '-';
        body = body.sliced(1);
    }
    if (equalsNoCase(body, "inf"_L1) || equalsNoCase(body, "infinity"_L1))
        return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    if (equalsNoCase(body, "nan"_L1))
        return std::numeric_limits<double>::quiet_NaN();
    if (body.isEmpty() || body.front() == '+' || body.front() == '-')
        return std::nullopt;
    double value = 0;
    const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
    if (ptr != body.data() + body.size())
        return std::nullopt;
    if (ec == std::errc::result_out_of_range) {
        // Go returns ±Inf (or 0 for underflow) with an error; a huge counter is still a number.
        const bool tiny = body.contains('e') || body.contains('E');
        value = tiny && body.contains('-') ? 0.0 : std::numeric_limits<double>::infinity();
    } else if (ec != std::errc()) {
        return std::nullopt;
    }
    return negative ? -value : value;
}

std::optional<std::int64_t> parseTimestamp(QByteArrayView text)
{
    std::int64_t value = 0;
    const char *begin = text.data();
    if (!text.isEmpty() && text.front() == '+')
        ++begin;
    const char *end = text.data() + text.size();
    if (begin == end)
        return std::nullopt;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end)
        return std::nullopt;
    return value;
}

// HELP text escapes: \\ and \n; anything else stays as written.
QString unescapeHelp(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            const char n = text[i + 1];
            if (n == '\\' || n == 'n') {
                out += n == 'n' ? '\n' : '\\';
                ++i;
                continue;
            }
        }
        out += c;
    }
    return QString::fromUtf8(out);
}

class Parser
{
public:
    Parser(const PromParseOptions &options, PromParseResult &result)
        : m_options(options)
        , m_result(result)
    { }

    void line(QByteArrayView text, int lineNo)
    {
        if (text.endsWith('\r'))
            text.chop(1);
        if (text.size() > m_options.maxLineBytes) {
            ++m_result.skippedLines;
            warn(lineNo, u"line longer than %1 bytes skipped"_s.arg(m_options.maxLineBytes));
            return;
        }
        Cursor c {text.data(), text.data() + text.size()};
        c.skipBlanks();
        if (c.atEnd())
            return;
        if (c.peek() == '#') {
            comment(c);
            return;
        }
        sample(c, lineNo);
    }

    void finish()
    {
        if (m_droppedWarnings > 0)
            m_result.warnings.push_back({0, u"%1 more warnings not shown"_s.arg(m_droppedWarnings)});
    }

private:
    void warn(int lineNo, const QString &detail)
    {
        if (int(m_result.warnings.size()) < m_options.maxWarnings)
            m_result.warnings.push_back({lineNo, detail});
        else
            ++m_droppedWarnings;
    }

    void comment(Cursor &c)
    {
        ++c.p; // '#'
        c.skipBlanks();
        const QByteArrayView keyword = c.token();
        const bool isHelp = keyword == "HELP";
        if (!isHelp && keyword != "TYPE")
            return; // a plain comment
        c.skipBlanks();
        const QByteArrayView name = c.token();
        if (name.isEmpty())
            return;
        c.skipBlanks();
        const QByteArrayView rest(c.p, c.end - c.p);
        if (isHelp) {
            m_result.help.insert(name.toByteArray(), unescapeHelp(rest));
        } else {
            QByteArray type = rest.trimmed().toByteArray();
            m_result.types.insert(name.toByteArray(), type.toLower());
        }
    }

    bool keep(QByteArrayView name) const
    {
        if (m_options.keepNames.empty())
            return true;
        return std::any_of(m_options.keepNames.begin(), m_options.keepNames.end(),
                           [&](const QByteArray &n) { return n == name; });
    }

    void sample(Cursor &c, int lineNo)
    {
        auto bad = [&](const QString &why) {
            ++m_result.skippedLines;
            warn(lineNo, why);
        };
        const char *nameStart = c.p;
        if (!isNameStart(c.peek()))
            return bad(u"not a metric name"_s);
        while (!c.atEnd() && isNameChar(*c.p))
            ++c.p;
        const QByteArrayView name(nameStart, c.p - nameStart);
        if (!keep(name))
            return;
        PromSample s;
        s.name = name.toByteArray();
        s.line = lineNo;
        const char *afterName = c.p;
        c.skipBlanks();
        if (c.peek() == '{') {
            ++c.p;
            if (!labels(c, s.labels, lineNo))
                return;
            c.skipBlanks();
        } else if (c.p == afterName && !c.atEnd()) {
            return bad(u"%1: unexpected character after the name"_s.arg(QString::fromLatin1(name)));
        }
        if (c.atEnd())
            return bad(u"%1: no value"_s.arg(QString::fromLatin1(name)));
        const QByteArrayView valueText = c.token();
        const std::optional<double> value = parseValue(valueText);
        if (!value)
            return bad(u"%1: not a number: \"%2\""_s.arg(
                QString::fromLatin1(name),
                QString::fromUtf8(valueText.first(std::min<qsizetype>(valueText.size(), 40)))));
        s.value = *value;
        c.skipBlanks();
        if (!c.atEnd()) {
            const QByteArrayView tsText = c.token();
            const std::optional<std::int64_t> ts = parseTimestamp(tsText);
            if (!ts)
                return bad(u"%1: not a timestamp: \"%2\""_s.arg(
                    QString::fromLatin1(name),
                    QString::fromUtf8(tsText.first(std::min<qsizetype>(tsText.size(), 40)))));
            s.timestampMs = ts;
            c.skipBlanks();
            if (!c.atEnd())
                return bad(u"%1: unexpected text after the timestamp"_s.arg(QString::fromLatin1(name)));
        }
        m_result.samples.push_back(std::move(s));
    }

    // After '{': name="value" pairs separated by commas, an optional trailing comma, '}'.
    bool labels(Cursor &c, std::vector<PromLabel> &out, int lineNo)
    {
        auto bad = [&](const QString &why) {
            ++m_result.skippedLines;
            warn(lineNo, why);
            return false;
        };
        for (;;) {
            c.skipBlanks();
            if (c.peek() == '}') {
                ++c.p;
                return true;
            }
            const char *start = c.p;
            if (!isLabelStart(c.peek()))
                return bad(u"malformed label name"_s);
            while (!c.atEnd() && isLabelChar(*c.p))
                ++c.p;
            PromLabel label;
            label.name = QString::fromLatin1(QByteArrayView(start, c.p - start));
            c.skipBlanks();
            if (c.peek() != '=')
                return bad(u"label %1: '=' expected"_s.arg(label.name));
            ++c.p;
            c.skipBlanks();
            if (c.peek() != '"')
                return bad(u"label %1: '\"' expected"_s.arg(label.name));
            ++c.p;
            QByteArray value;
            bool closed = false;
            while (!c.atEnd()) {
                const char ch = *c.p++;
                if (ch == '"') {
                    closed = true;
                    break;
                }
                if (ch == '\\' && !c.atEnd()) {
                    const char n = *c.p++;
                    if (n == 'n')
                        value += '\n';
                    else if (n == '\\' || n == '"')
                        value += n;
                    else { // not a defined escape: keep it as written
                        value += '\\';
                        value += n;
                    }
                    continue;
                }
                value += ch;
            }
            if (!closed)
                return bad(u"label %1: unterminated value"_s.arg(label.name));
            label.value = QString::fromUtf8(value);
            out.push_back(std::move(label));
            c.skipBlanks();
            if (c.peek() == ',') {
                ++c.p;
                continue;
            }
            if (c.peek() == '}') {
                ++c.p;
                return true;
            }
            return bad(u"',' or '}' expected after label %1"_s.arg(out.back().name));
        }
    }

    const PromParseOptions &m_options;
    PromParseResult &m_result;
    int m_droppedWarnings = 0;
};

} // namespace

PromParseResult parsePrometheusText(QByteArrayView text, const PromParseOptions &options)
{
    PromParseResult result;
    Parser parser(options, result);
    qsizetype pos = 0;
    int lineNo = 0;
    while (pos < text.size()) {
        qsizetype nl = text.indexOf('\n', pos);
        if (nl < 0)
            nl = text.size();
        ++lineNo;
        parser.line(text.sliced(pos, nl - pos), lineNo);
        pos = nl + 1;
    }
    result.lines = lineNo;
    parser.finish();
    return result;
}

} // namespace oomscope
