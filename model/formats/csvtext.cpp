// SPDX-License-Identifier: GPL-3.0-or-later
#include "csvtext.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope::csv {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimmed(std::string_view s)
{
    // Most fields have no blanks around them: one look at each end.
    if (s.empty() || (s.front() != ' ' && s.front() != '\t' && s.back() != ' ' && s.back() != '\t'))
        return s;
    while (!s.empty() && isBlank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isBlank(s.back()))
        s.remove_suffix(1);
    return s;
}

bool equalsLower(std::string_view s, std::string_view lower)
{
    if (s.size() != lower.size())
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

std::string toLower(std::string_view s)
{
    std::string out(s);
    for (char &c : out) {
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return out;
}

QString quoteForMessage(std::string_view s)
{
    constexpr std::size_t kMax = 40;
    QString text = QString::fromUtf8(s.data(), qsizetype(std::min(s.size(), kMax)));
    if (s.size() > kMax)
        text += u"…"_s;
    return u"\""_s + text + u"\""_s;
}

SplitError splitFields(std::string_view line, std::vector<std::string_view> &fields, std::string &scratch)
{
    fields.clear();
    if (line.find('"') == std::string_view::npos) {
        std::size_t start = 0;
        for (;;) {
            const std::size_t comma = line.find(',', start);
            if (comma == std::string_view::npos) {
                fields.push_back(trimmed(line.substr(start)));
                return SplitError::None;
            }
            fields.push_back(trimmed(line.substr(start, comma - start)));
            start = comma + 1;
        }
    }
    scratch.clear();
    scratch.reserve(line.size());
    std::size_t i = 0;
    const std::size_t n = line.size();
    for (;;) {
        std::size_t j = i;
        while (j < n && isBlank(line[j]))
            ++j;
        if (j < n && line[j] == '"') {
            const std::size_t begin = scratch.size();
            ++j;
            for (;;) {
                const std::size_t q = line.find('"', j);
                if (q == std::string_view::npos)
                    return SplitError::UnterminatedQuote;
                scratch.append(line.data() + j, q - j);
                if (q + 1 < n && line[q + 1] == '"') {
                    scratch.push_back('"');
                    j = q + 2;
                    continue;
                }
                j = q + 1;
                break;
            }
            fields.emplace_back(scratch.data() + begin, scratch.size() - begin);
            while (j < n && isBlank(line[j]))
                ++j;
            if (j == n)
                return SplitError::None;
            if (line[j] != ',')
                return SplitError::TextAfterQuote;
            i = j + 1;
            if (i == n) {
                fields.emplace_back();
                return SplitError::None;
            }
            continue;
        }
        // Unquoted: a stray quote inside is taken literally, as most CSV readers do.
        const std::size_t comma = line.find(',', i);
        if (comma == std::string_view::npos) {
            fields.push_back(trimmed(line.substr(i)));
            return SplitError::None;
        }
        fields.push_back(trimmed(line.substr(i, comma - i)));
        i = comma + 1;
        if (i == n) {
            fields.emplace_back();
            return SplitError::None;
        }
    }
}

bool skippableLine(std::string_view line)
{
    const std::string_view t = trimmed(line);
    return t.empty() || t.front() == '#';
}

Num parseCount(std::string_view s, std::int64_t &value)
{
    if (s.empty())
        return Num::Empty;
    if (s == "-")
        return Num::Missing;
    const char *b = s.data();
    const char *e = b + s.size();
    if (s.size() <= 18) {
        // The common case, plain digits that cannot overflow, without from_chars' generality.
        std::int64_t v = 0;
        const char *q = b;
        while (q != e && unsigned(*q - '0') < 10)
            v = v * 10 + (*q++ - '0');
        if (q == e) {
            value = v;
            return Num::Ok;
        }
    }
    std::uint64_t u = 0;
    auto [p, ec] = std::from_chars(b, e, u);
    if (ec == std::errc::invalid_argument)
        return Num::Bad;
    if (p != e) {
        if (*p != '.')
            return Num::Bad;
        ++p;
        while (p != e && *p == '0')
            ++p;
        if (p != e)
            return Num::Bad;
    }
    if (ec == std::errc::result_out_of_range || u > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        return Num::Huge;
    value = std::int64_t(u);
    return Num::Ok;
}

bool parseSeconds(std::string_view s, double &value)
{
    if (s.empty() || s == "-") {
        value = std::nan("");
        return true;
    }
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(d) || d < 0)
        return false;
    value = d;
    return true;
}

HeaderMap mapHeader(const std::vector<std::string_view> &fields, std::span<const ColumnName> table)
{
    static constexpr std::array<std::pair<std::string_view, bool>, 4> kTimestampAliases = {
        {{"timestamp", false}, {"timestamp_ms", true}, {"ts_epoch_ms", true}, {"time", false}}};
    HeaderMap map;
    map.ids.assign(fields.size(), kIgnored);
    std::vector<bool> used(64, false);
    int bestRank = int(kTimestampAliases.size());
    std::size_t bestColumn = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        map.names.append(QString::fromUtf8(fields[i].data(), qsizetype(fields[i].size())));
        const std::string name = toLower(fields[i]);
        for (int rank = 0; rank < int(kTimestampAliases.size()); ++rank) {
            if (name == kTimestampAliases[std::size_t(rank)].first && rank < bestRank) {
                bestRank = rank;
                bestColumn = i;
            }
        }
        for (const ColumnName &c : table) {
            if (name == c.name && !used[std::size_t(c.id)]) {
                used[std::size_t(c.id)] = true;
                map.ids[i] = c.id;
                break;
            }
        }
    }
    if (bestRank < int(kTimestampAliases.size())) {
        map.ids[bestColumn] = kTimestamp;
        map.hasTimestamp = true;
        map.timestampIsMs = kTimestampAliases[std::size_t(bestRank)].second;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (map.ids[i] == kIgnored && !fields[i].empty())
            map.ignored.append(map.names[qsizetype(i)]);
    }
    return map;
}

QString describe(const RowProblem &p, const HeaderMap &header)
{
    switch (p.kind) {
    case RowProblem::UnterminatedQuote:
        return u"unterminated quote"_s;
    case RowProblem::TextAfterQuote:
        return u"text after a closing quote"_s;
    case RowProblem::FieldCount:
        return u"expected %1 fields, found %2"_s.arg(header.ids.size()).arg(p.fieldCount);
    case RowProblem::BadValue:
        return u"bad value in column %1: %2"_s.arg(header.names.value(qsizetype(p.column)),
                                                   quoteForMessage(p.text));
    case RowProblem::BadTimestamp:
        return u"bad timestamp in column %1: %2"_s.arg(header.names.value(qsizetype(p.column)),
                                                       quoteForMessage(p.text));
    case RowProblem::LineTooLong:
        return u"line longer than %1 MiB"_s.arg(kMaxLineBytes >> 20);
    case RowProblem::None:
    case RowProblem::Stop:
        break;
    }
    return {};
}

bool CsvDriver::run(const RowHandler &onRow, const FastRowHandler &fastRow)
{
    const bool fast = fastRow && !m_options.generalRowsOnly;
    if (!m_in.isOpen() || !m_in.isReadable()) {
        error = u"the input is not open for reading"_s;
        return false;
    }
    std::string_view line;
    qint64 lineNo = 0;
    bool haveHeader = false;
    for (;;) {
        const LineReader::Status status = m_reader.next(line, lineNo);
        if (status == LineReader::Status::End)
            break;
        if (status != LineReader::Status::Line) {
            if (!onReaderProblem(status, lineNo, haveHeader))
                return false;
            continue;
        }
        if (haveHeader && fast) {
            const FastRow taken = fastRow(line, m_reader.heldEnd());
            if (taken == FastRow::Taken)
                continue;
            if (taken == FastRow::Stop) {
                stopped = true;
                return false;
            }
        }
        if (!haveHeader && lineNo == 1 && line.size() >= 3
            && std::memcmp(line.data(), "\xEF\xBB\xBF", 3) == 0)
            line.remove_prefix(3);
        if (skippableLine(line))
            continue;
        const SplitError split = splitFields(line, m_fields, m_scratch);
        if (!haveHeader) {
            if (!takeHeader(split, lineNo))
                return false;
            haveHeader = true;
            continue;
        }
        const RowProblem problem = checkRow(split, line, onRow);
        if (problem.kind == RowProblem::Stop) {
            stopped = true;
            return false;
        }
        if (problem.kind != RowProblem::None)
            report(lineNo, problem);
    }
    if (!haveHeader) {
        error = u"no header line: the input is empty"_s;
        return false;
    }
    return true;
}

// A read error, a cancel or an over-long line; false ends the run.
bool CsvDriver::onReaderProblem(LineReader::Status status, qint64 lineNo, bool haveHeader)
{
    switch (status) {
    case LineReader::Status::Error:
        error = u"read error: %1"_s.arg(m_reader.errorString());
        return false;
    case LineReader::Status::Canceled:
        canceled = true;
        return false;
    case LineReader::Status::TooLong:
        if (!haveHeader) {
            error = u"line %1: header line longer than %2 MiB"_s.arg(lineNo).arg(kMaxLineBytes >> 20);
            return false;
        }
        report(lineNo, RowProblem {RowProblem::LineTooLong, 0, {}, 0});
        return true;
    case LineReader::Status::Line:
    case LineReader::Status::End:
        break;
    }
    return true;
}

bool CsvDriver::takeHeader(SplitError split, qint64 lineNo)
{
    if (split != SplitError::None) {
        error = u"line %1: the header line has an unterminated quote"_s.arg(lineNo);
        return false;
    }
    header = mapHeader(m_fields, m_columns);
    if (!header.hasTimestamp) {
        error = u"line %1: no timestamp column (timestamp, timestamp_ms, ts_epoch_ms or time)"_s.arg(lineNo);
        return false;
    }
    return true;
}

RowProblem CsvDriver::checkRow(SplitError split, std::string_view line, const RowHandler &onRow)
{
    if (split == SplitError::UnterminatedQuote)
        return RowProblem {RowProblem::UnterminatedQuote, 0, {}, 0};
    if (split == SplitError::TextAfterQuote)
        return RowProblem {RowProblem::TextAfterQuote, 0, {}, 0};
    if (m_fields.size() != header.ids.size())
        return RowProblem {RowProblem::FieldCount, 0, {}, m_fields.size()};
    lineBytes = qint64(line.size()) + 1;
    return onRow(m_fields);
}

void CsvDriver::report(qint64 lineNo, const RowProblem &problem)
{
    ++skippedRows;
    if (qsizetype(skipped.size()) < m_options.maxIssues)
        skipped.push_back(CsvRowIssue {lineNo, describe(problem, header)});
}

} // namespace oomscope::csv
