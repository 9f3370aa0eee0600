// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingcsv.h"

#include <QFileInfo>
#include <QHash>
#include <QIODevice>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace oomscope {
namespace {

// Big enough that read() calls and buffer compaction vanish from a profile, small enough that a
// pipe or a cancel is noticed promptly.
constexpr qsizetype kChunkBytes = qsizetype(1) << 20;
// A "line" longer than this is garbage (a binary file, a missing line end); it is skipped
// rather than buffered without bound.
constexpr qsizetype kMaxLineBytes = qsizetype(16) << 20;
constexpr qint64 kProgressEveryBytes = qint64(4) << 20;
// Anything this large is a "no limit" sentinel (v1 prints PAGE_COUNTER_MAX * page size).
constexpr std::int64_t kUnlimitedFrom = std::int64_t(1) << 62;
constexpr std::int64_t kEpochMsThreshold = 100'000'000'000; // 1e11

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimmed(std::string_view s)
{
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

// Physical lines from a device, read in large blocks; views stay valid until the next call.
class LineReader
{
public:
    enum class Status { Line, TooLong, End, Canceled, Error };

    LineReader(QIODevice &device, const ProgressFn &progress)
        : m_device(device)
        , m_progress(progress)
    { }

    Status next(std::string_view &line, qint64 &lineNo)
    {
        for (;;) {
            const char *base = m_buf.constData();
            const qsizetype avail = m_buf.size() - m_pos;
            const void *nl = avail > 0 ? std::memchr(base + m_pos, '\n', std::size_t(avail)) : nullptr;
            if (nl || (m_eof && avail > 0)) {
                const qsizetype end = nl ? static_cast<const char *>(nl) - base : m_buf.size();
                line = std::string_view(base + m_pos, std::size_t(end - m_pos));
                m_pos = nl ? end + 1 : end;
                lineNo = ++m_line;
                if (m_skipping) { // the tail of an over-long line, reported already
                    m_skipping = false;
                    continue;
                }
                if (!line.empty() && line.back() == '\r')
                    line.remove_suffix(1);
                return Status::Line;
            }
            if (m_eof)
                return Status::End;
            if (avail > kMaxLineBytes) {
                m_pos = m_buf.size();
                if (!m_skipping) {
                    m_skipping = true;
                    lineNo = m_line + 1;
                    return Status::TooLong;
                }
            }
            const Status s = fill();
            if (s != Status::Line)
                return s;
        }
    }

    qint64 bytesRead() const { return m_bytesRead; }
    QString errorString() const { return m_device.errorString(); }

private:
    Status fill()
    {
        if (m_pos > 0) {
            m_buf.remove(0, m_pos);
            m_pos = 0;
        }
        const qsizetype old = m_buf.size();
        m_buf.resize(old + kChunkBytes);
        qint64 got = m_device.read(m_buf.data() + old, kChunkBytes);
        if (got == 0 && m_device.isSequential() && !m_device.atEnd() && m_device.waitForReadyRead(-1))
            got = m_device.read(m_buf.data() + old, kChunkBytes);
        if (got < 0) {
            m_buf.resize(old);
            return Status::Error;
        }
        m_buf.resize(old + qsizetype(got));
        if (got == 0)
            m_eof = true;
        m_bytesRead += got;
        if (m_progress && (m_bytesRead >= m_nextProgress || m_eof)) {
            m_nextProgress = m_bytesRead + kProgressEveryBytes;
            if (!m_progress(m_bytesRead))
                return Status::Canceled;
        }
        return Status::Line;
    }

    QIODevice &m_device;
    const ProgressFn &m_progress;
    QByteArray m_buf;
    qsizetype m_pos = 0;
    qint64 m_line = 0;
    qint64 m_bytesRead = 0;
    qint64 m_nextProgress = kProgressEveryBytes;
    bool m_eof = false;
    bool m_skipping = false;
};

// Splits one line into fields (RFC 4180 quoting). Unescaped quoted fields are built in scratch,
// which is reserved up front so the views into it stay valid.
enum class SplitError { None, UnterminatedQuote, TextAfterQuote };

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

enum class Num { Ok, Empty, Missing, Bad, Huge };

// A non-negative integer; "123.000" is accepted for tools that write integers as floats.
Num parseCount(std::string_view s, std::int64_t &value)
{
    if (s.empty())
        return Num::Empty;
    if (s == "-")
        return Num::Missing;
    const char *b = s.data();
    const char *e = b + s.size();
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

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

unsigned daysInMonth(int y, unsigned m)
{
    static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

std::optional<std::int64_t> parseIsoMs(std::string_view s)
{
    std::size_t i = 0;
    auto digits = [&](std::size_t count, int &out) {
        if (i + count > s.size())
            return false;
        int v = 0;
        for (std::size_t k = 0; k < count; ++k) {
            const char c = s[i + k];
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        out = v;
        i += count;
        return true;
    };
    auto take = [&](char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(4, year) || !take('-') || !digits(2, month) || !take('-') || !digits(2, day))
        return std::nullopt;
    if (!(take('T') || take('t') || take(' ')))
        return std::nullopt;
    if (!digits(2, hour) || !take(':') || !digits(2, minute))
        return std::nullopt;
    if (take(':') && !digits(2, second))
        return std::nullopt;
    std::int64_t fracMs = 0;
    if (take('.') || take(',')) {
        const std::size_t start = i;
        std::array<int, 4> frac = {0, 0, 0, 0};
        for (std::size_t k = 0; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++k) {
            if (k < frac.size())
                frac[k] = s[i] - '0';
        }
        if (i == start)
            return std::nullopt;
        fracMs = frac[0] * 100 + frac[1] * 10 + frac[2] + (frac[3] >= 5 ? 1 : 0);
    }
    take(' ');
    int offsetMinutes = 0;
    if (take('Z') || take('z')) {
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        const int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int oh = 0, om = 0;
        if (!digits(2, oh))
            return std::nullopt;
        if (take(':')) {
            if (!digits(2, om))
                return std::nullopt;
        } else if (i < s.size() && !digits(2, om)) {
            return std::nullopt;
        }
        if (oh > 23 || om > 59)
            return std::nullopt;
        offsetMinutes = sign * (oh * 60 + om);
    }
    if (i != s.size())
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || unsigned(day) > daysInMonth(year, unsigned(month)) || hour > 23
        || minute > 59 || second > 60)
        return std::nullopt;
    const std::int64_t days = daysFromCivil(year, unsigned(month), unsigned(day));
    return days * 86'400'000 + std::int64_t(hour) * 3'600'000 + std::int64_t(minute) * 60'000
        + std::int64_t(second) * 1000 + fracMs - std::int64_t(offsetMinutes) * 60'000;
}

std::optional<std::int64_t> parseTimestamp(std::string_view s, bool unitIsMs)
{
    if (s.size() >= 10 && s[4] == '-')
        return parseIsoMs(s);
    const char *p = s.data();
    const char *e = p + s.size();
    bool negative = false;
    if (p != e && *p == '-') {
        negative = true;
        ++p;
    }
    if (p == e || *p < '0' || *p > '9')
        return std::nullopt;
    std::uint64_t whole = 0;
    auto [q, ec] = std::from_chars(p, e, whole);
    if (ec != std::errc() || whole > 100'000'000'000'000'000ULL) // 1e17: beyond any clock
        return std::nullopt;
    int frac[4] = {0, 0, 0, 0};
    if (q != e) {
        if (*q != '.')
            return std::nullopt;
        ++q;
        for (int k = 0; q != e; ++q, ++k) {
            if (*q < '0' || *q > '9')
                return std::nullopt;
            if (k < 4)
                frac[k] = *q - '0';
        }
    }
    const bool ms = unitIsMs || whole > std::uint64_t(kEpochMsThreshold);
    std::int64_t value = 0;
    if (ms) {
        value = std::int64_t(whole) + (frac[0] >= 5 ? 1 : 0);
    } else {
        value = std::int64_t(whole) * 1000 + frac[0] * 100 + frac[1] * 10 + frac[2] + (frac[3] >= 5 ? 1 : 0);
    }
    return negative ? -value : value;
}

// ---- header ------------------------------------------------------------------------------

constexpr int kIgnored = -1;
constexpr int kTimestamp = 0; // every column table uses 0 for the timestamp

struct ColumnName {
    std::string_view name;
    int id;
};

struct HeaderMap {
    std::vector<int> ids; // per column: field id or kIgnored
    QStringList names; // per column, as written (trimmed)
    QStringList ignored;
    bool timestampIsMs = false;
    bool hasTimestamp = false;
};

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

// Why a row was skipped; turned into text only when the issue is kept.
struct RowProblem {
    enum Kind { None, UnterminatedQuote, TextAfterQuote, FieldCount, BadValue, BadTimestamp, LineTooLong };
    Kind kind = None;
    std::size_t column = 0;
    std::string_view text;
    std::size_t fieldCount = 0;
};

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
        break;
    }
    return {};
}

// The parts both readers share: lines, header, field splitting and issue bookkeeping.
class CsvDriver
{
public:
    CsvDriver(QIODevice &in, const ProgressFn &progress, const CsvReadOptions &options,
              std::span<const ColumnName> columns)
        : m_in(in)
        , m_reader(in, progress)
        , m_options(options)
        , m_columns(columns)
    { }

    // Calls onRow(lineNo, fields) for every data row; onRow returns a RowProblem.
    // Returns false on a fatal error or cancel.
    template<typename OnRow> bool run(OnRow &&onRow)
    {
        if (!m_in.isOpen() || !m_in.isReadable()) {
            error = u"the input is not open for reading"_s;
            return false;
        }
        std::string_view line;
        qint64 lineNo = 0;
        bool haveHeader = false;
        std::vector<std::string_view> fields;
        std::string scratch;
        for (;;) {
            const LineReader::Status status = m_reader.next(line, lineNo);
            if (status == LineReader::Status::End)
                break;
            if (status == LineReader::Status::Error) {
                error = u"read error: %1"_s.arg(m_reader.errorString());
                return false;
            }
            if (status == LineReader::Status::Canceled) {
                canceled = true;
                return false;
            }
            if (status == LineReader::Status::TooLong) {
                if (!haveHeader) {
                    error = u"line %1: header line longer than %2 MiB"_s.arg(lineNo).arg(kMaxLineBytes >> 20);
                    return false;
                }
                report(lineNo, RowProblem {RowProblem::LineTooLong, 0, {}, 0});
                continue;
            }
            if (!haveHeader && lineNo == 1 && line.size() >= 3
                && std::memcmp(line.data(), "\xEF\xBB\xBF", 3) == 0)
                line.remove_prefix(3);
            if (skippableLine(line))
                continue;
            const SplitError split = splitFields(line, fields, scratch);
            if (!haveHeader) {
                if (split != SplitError::None) {
                    error = u"line %1: the header line has an unterminated quote"_s.arg(lineNo);
                    return false;
                }
                header = mapHeader(fields, m_columns);
                if (!header.hasTimestamp) {
                    error =
                        u"line %1: no timestamp column (timestamp, timestamp_ms, ts_epoch_ms or time)"_s.arg(
                            lineNo);
                    return false;
                }
                haveHeader = true;
                continue;
            }
            RowProblem problem;
            if (split == SplitError::UnterminatedQuote)
                problem.kind = RowProblem::UnterminatedQuote;
            else if (split == SplitError::TextAfterQuote)
                problem.kind = RowProblem::TextAfterQuote;
            else if (fields.size() != header.ids.size())
                problem = RowProblem {RowProblem::FieldCount, 0, {}, fields.size()};
            else {
                lineBytes = qint64(line.size()) + 1;
                problem = onRow(fields);
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

    qint64 bytesRead() const { return m_reader.bytesRead(); }

    HeaderMap header;
    qint64 lineBytes = 0; // of the row being handed to onRow, with its line end
    std::vector<CsvRowIssue> skipped;
    qint64 skippedRows = 0;
    QString error;
    bool canceled = false;

private:
    void report(qint64 lineNo, const RowProblem &problem)
    {
        ++skippedRows;
        if (qsizetype(skipped.size()) < m_options.maxIssues)
            skipped.push_back(CsvRowIssue {lineNo, describe(problem, header)});
    }

    QIODevice &m_in;
    LineReader m_reader;
    const CsvReadOptions &m_options;
    std::span<const ColumnName> m_columns;
};

// ---- samples -----------------------------------------------------------------------------

enum SampleColumn {
    SampleTimestamp = kTimestamp,
    SampleCgroup,
    SampleUsage,
    SampleLimit,
    SampleHigh,
    SampleAnon,
    SampleFile,
    SampleInactiveFile,
    SampleActiveFile,
    SampleShmem,
    SampleKernel,
    SampleSwap,
    SampleFailcnt,
    SampleOomKill,
    SampleBoottime,
};

constexpr std::array<ColumnName, 14> kSampleColumns = {{
    {"cgroup", SampleCgroup},
    {"usage_bytes", SampleUsage},
    {"limit_bytes", SampleLimit},
    {"high_bytes", SampleHigh},
    {"anon_bytes", SampleAnon},
    {"file_bytes", SampleFile},
    {"inactive_file_bytes", SampleInactiveFile},
    {"active_file_bytes", SampleActiveFile},
    {"shmem_bytes", SampleShmem},
    {"kernel_bytes", SampleKernel},
    {"swap_bytes", SampleSwap},
    {"failcnt", SampleFailcnt},
    {"oom_kill", SampleOomKill},
    {"boottime_s", SampleBoottime},
}};

// The integer columns, in the order the writer emits them, with their MemorySample member.
struct SampleIntColumn {
    SampleColumn id;
    const char *name;
    std::int64_t MemorySample::*member;
};

constexpr std::array<SampleIntColumn, 12> kSampleIntColumns = {{
    {SampleUsage, "usage_bytes", &MemorySample::usageBytes},
    {SampleLimit, "limit_bytes", &MemorySample::limitBytes},
    {SampleHigh, "high_bytes", &MemorySample::highBytes},
    {SampleAnon, "anon_bytes", &MemorySample::anonBytes},
    {SampleFile, "file_bytes", &MemorySample::fileBytes},
    {SampleInactiveFile, "inactive_file_bytes", &MemorySample::inactiveFileBytes},
    {SampleActiveFile, "active_file_bytes", &MemorySample::activeFileBytes},
    {SampleShmem, "shmem_bytes", &MemorySample::shmemBytes},
    {SampleKernel, "kernel_bytes", &MemorySample::kernelBytes},
    {SampleSwap, "swap_bytes", &MemorySample::swapBytes},
    {SampleFailcnt, "failcnt", &MemorySample::failcnt},
    {SampleOomKill, "oom_kill", &MemorySample::oomKillCount},
}};

std::int64_t MemorySample::*sampleMember(int id)
{
    for (const SampleIntColumn &c : kSampleIntColumns) {
        if (c.id == id)
            return c.member;
    }
    return nullptr;
}

// Byte or count field; limits and memory.high know "max".
bool readSampleInt(std::string_view s, int id, std::int64_t &out)
{
    const bool isLimit = id == SampleLimit || id == SampleHigh;
    std::int64_t v = 0;
    switch (parseCount(s, v)) {
    case Num::Ok:
        out = isLimit && v >= kUnlimitedFrom ? MemorySample::kUnlimited : v;
        return true;
    case Num::Empty:
        out = id == SampleLimit ? MemorySample::kUnlimited : MemorySample::kUnknown;
        return true;
    case Num::Missing:
        out = MemorySample::kUnknown;
        return true;
    case Num::Huge:
        out = MemorySample::kUnlimited;
        return isLimit;
    case Num::Bad:
        if (isLimit && equalsLower(s, "max")) {
            out = MemorySample::kUnlimited;
            return true;
        }
        return false;
    }
    return false;
}

template<typename T> void sortByTime(std::vector<T> &rows)
{
    auto earlier = [](const T &a, const T &b) {
        return a.timestampMs < b.timestampMs;
    };
    if (!std::is_sorted(rows.begin(), rows.end(), earlier))
        std::stable_sort(rows.begin(), rows.end(), earlier);
}

// ---- processes ---------------------------------------------------------------------------

enum ProcColumn {
    ProcTimestamp = kTimestamp,
    ProcPid,
    ProcComm,
    ProcCgroup,
    ProcRss,
    ProcRssAnon,
    ProcRssFile,
    ProcRssShmem,
    ProcSwap,
    ProcPgtables,
    ProcOomScoreAdj,
    ProcBoottime,
};

constexpr std::array<ColumnName, 11> kProcColumns = {{
    {"pid", ProcPid},
    {"comm", ProcComm},
    {"cgroup", ProcCgroup},
    {"rss_kb", ProcRss},
    {"rss_anon_kb", ProcRssAnon},
    {"rss_file_kb", ProcRssFile},
    {"rss_shmem_kb", ProcRssShmem},
    {"swap_kb", ProcSwap},
    {"pgtables_kb", ProcPgtables},
    {"oom_score_adj", ProcOomScoreAdj},
    {"boottime_s", ProcBoottime},
}};

struct ProcIntColumn {
    ProcColumn id;
    const char *name;
    std::int64_t ProcessSample::*member;
};

constexpr std::array<ProcIntColumn, 6> kProcKbColumns = {{
    {ProcRss, "rss_kb", &ProcessSample::rssKb},
    {ProcRssAnon, "rss_anon_kb", &ProcessSample::rssAnonKb},
    {ProcRssFile, "rss_file_kb", &ProcessSample::rssFileKb},
    {ProcRssShmem, "rss_shmem_kb", &ProcessSample::rssShmemKb},
    {ProcSwap, "swap_kb", &ProcessSample::swapKb},
    {ProcPgtables, "pgtables_kb", &ProcessSample::pgtablesKb},
}};

std::int64_t ProcessSample::*procMember(int id)
{
    for (const ProcIntColumn &c : kProcKbColumns) {
        if (c.id == id)
            return c.member;
    }
    return nullptr;
}

// Reuses the QString of recently seen names, so that millions of rows share a few strings.
class StringInterner
{
public:
    const QString &get(std::string_view bytes)
    {
        if (m_map.size() > 65536)
            m_map.clear();
        auto [it, inserted] = m_map.try_emplace(std::string(bytes));
        if (inserted)
            it->second = QString::fromUtf8(bytes.data(), qsizetype(bytes.size()));
        return it->second;
    }

private:
    std::unordered_map<std::string, QString> m_map;
};

// ---- writing -----------------------------------------------------------------------------

class CsvWriter
{
public:
    explicit CsvWriter(QIODevice &out)
        : m_out(out)
    {
        m_buf.reserve(kChunkBytes + 4096);
    }

    void text(QByteArrayView bytes)
    {
        comma();
        bool quote =
            !bytes.isEmpty() && (isBlank(bytes.front()) || isBlank(bytes.back()) || bytes.front() == '#');
        for (char c : bytes) {
            if (c == ',' || c == '"' || c == '\n' || c == '\r')
                quote = true;
        }
        if (!quote) {
            m_buf.append(bytes);
            return;
        }
        m_buf.append('"');
        for (char c : bytes) {
            if (c == '"')
                m_buf.append("\"\"");
            else if (c == '\n' || c == '\r')
                m_buf.append(' ');
            else
                m_buf.append(c);
        }
        m_buf.append('"');
    }
    void text(const QString &s) { text(QByteArrayView(s.toUtf8())); }
    void number(std::int64_t v)
    {
        comma();
        char tmp[24];
        auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
        Q_UNUSED(ec);
        m_buf.append(tmp, p - tmp);
    }
    void seconds(double v)
    {
        comma();
        if (std::isnan(v))
            return;
        char tmp[40];
        auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v); // shortest form that reads back exactly
        Q_UNUSED(ec);
        m_buf.append(tmp, p - tmp);
    }
    void raw(const char *s)
    {
        comma();
        m_buf.append(s);
    }
    void empty() { comma(); }
    bool endRow()
    {
        m_buf.append('\n');
        m_first = true;
        return m_buf.size() < kChunkBytes || flush();
    }
    bool flush()
    {
        if (m_buf.isEmpty())
            return true;
        if (m_out.write(m_buf) != m_buf.size()) {
            m_error = u"write error: %1"_s.arg(m_out.errorString());
            return false;
        }
        m_buf.clear();
        return true;
    }
    bool checkOpen()
    {
        if (m_out.isOpen() && m_out.isWritable())
            return true;
        m_error = u"the output is not open for writing"_s;
        return false;
    }
    QString error() const { return m_error; }

private:
    void comma()
    {
        if (!m_first)
            m_buf.append(',');
        m_first = false;
    }

    QIODevice &m_out;
    QByteArray m_buf;
    QString m_error;
    bool m_first = true;
};

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

std::optional<std::int64_t> parseCsvTimestampMs(QByteArrayView text, bool unitIsMs)
{
    return parseTimestamp(trimmed(std::string_view(text.data(), std::size_t(text.size()))), unitIsMs);
}

QString defaultCgroupForFile(const QString &path)
{
    return QFileInfo(path).completeBaseName();
}

SamplesCsvResult readSamplesCsv(QIODevice &in, const QString &defaultCgroup, const ProgressFn &progress,
                                const CsvReadOptions &options)
{
    SamplesCsvResult result;
    CsvDriver driver(in, progress, options, kSampleColumns);
    QHash<QString, std::size_t> seriesIndex;
    std::string lastCgroup;
    std::size_t lastSeries = std::size_t(-1);

    std::vector<std::int64_t MemorySample::*> members;
    auto onRow = [&](const std::vector<std::string_view> &fields) -> RowProblem {
        if (members.empty()) {
            for (int id : driver.header.ids)
                members.push_back(sampleMember(id));
        }
        MemorySample sample;
        std::string_view cgroup;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const int id = driver.header.ids[i];
            const std::string_view f = fields[i];
            if (id == kIgnored)
                continue;
            if (id == SampleTimestamp) {
                const std::optional<std::int64_t> ms = parseTimestamp(f, driver.header.timestampIsMs);
                if (!ms)
                    return RowProblem {RowProblem::BadTimestamp, i, f, 0};
                sample.timestampMs = *ms;
            } else if (id == SampleCgroup) {
                cgroup = f;
            } else if (id == SampleBoottime) {
                if (!parseSeconds(f, sample.boottimeSeconds))
                    return RowProblem {RowProblem::BadValue, i, f, 0};
            } else if (!readSampleInt(f, id, sample.*members[i])) {
                return RowProblem {RowProblem::BadValue, i, f, 0};
            }
        }
        if (lastSeries == std::size_t(-1) || cgroup != lastCgroup) {
            const QString name =
                cgroup.empty() ? defaultCgroup : QString::fromUtf8(cgroup.data(), qsizetype(cgroup.size()));
            auto it = seriesIndex.constFind(name);
            if (it == seriesIndex.constEnd()) {
                it = seriesIndex.insert(name, result.series.size());
                result.series.push_back(RecordedSeries {name, {}});
                // Most files hold one cgroup: size its vector from the file size and the first
                // row, instead of growing it by doubling (copies and twice the peak memory).
                if (result.series.size() == 1 && !in.isSequential() && in.size() > 0)
                    result.series[0].samples.reserve(std::size_t(
                        std::min<qint64>(in.size() / std::max<qint64>(driver.lineBytes, 8), 100'000'000)));
            }
            lastSeries = it.value();
            lastCgroup.assign(cgroup);
        }
        result.series[lastSeries].samples.push_back(sample);
        ++result.rows;
        return {};
    };
    const bool ok = driver.run(onRow);
    result.bytesRead = driver.bytesRead();
    result.error = driver.error;
    result.canceled = driver.canceled;
    if (!ok) {
        result.series.clear();
        result.rows = 0;
        return result;
    }
    result.skipped = std::move(driver.skipped);
    result.skippedRows = driver.skippedRows;
    result.ignoredColumns = driver.header.ignored;
    for (RecordedSeries &s : result.series) {
        if (s.samples.capacity() > s.samples.size() + s.samples.size() / 4)
            s.samples.shrink_to_fit();
        sortByTime(s.samples);
    }
    return result;
}

ProcsCsvResult readProcsCsv(QIODevice &in, const ProgressFn &progress, const CsvReadOptions &options)
{
    ProcsCsvResult result;
    CsvDriver driver(in, progress, options, kProcColumns);
    StringInterner comms;
    StringInterner cgroups;
    std::vector<std::int64_t ProcessSample::*> members;
    bool checkedPid = false;
    bool missingPid = false;

    auto onRow = [&](const std::vector<std::string_view> &fields) -> RowProblem {
        if (members.empty()) {
            for (int id : driver.header.ids)
                members.push_back(procMember(id));
        }
        ProcessSample row;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const int id = driver.header.ids[i];
            const std::string_view f = fields[i];
            switch (id) {
            case kIgnored:
                break;
            case ProcTimestamp: {
                const std::optional<std::int64_t> ms = parseTimestamp(f, driver.header.timestampIsMs);
                if (!ms)
                    return RowProblem {RowProblem::BadTimestamp, i, f, 0};
                row.timestampMs = *ms;
                break;
            }
            case ProcPid:
                if (parseCount(f, row.pid) != Num::Ok)
                    return RowProblem {RowProblem::BadValue, i, f, 0};
                break;
            case ProcComm:
                row.comm = comms.get(f);
                break;
            case ProcCgroup:
                row.cgroup = cgroups.get(f);
                break;
            case ProcOomScoreAdj: {
                if (f.empty() || f == "-")
                    break;
                int adj = 0;
                auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), adj);
                if (ec != std::errc() || p != f.data() + f.size() || adj < -1000 || adj > 1000)
                    return RowProblem {RowProblem::BadValue, i, f, 0};
                row.oomScoreAdj = adj;
                break;
            }
            case ProcBoottime:
                if (!parseSeconds(f, row.boottimeSeconds))
                    return RowProblem {RowProblem::BadValue, i, f, 0};
                break;
            default: {
                std::int64_t v = 0;
                const Num n = parseCount(f, v);
                if (n == Num::Ok)
                    row.*members[i] = v;
                else if (n == Num::Empty || n == Num::Missing)
                    row.*members[i] = MemorySample::kUnknown;
                else
                    return RowProblem {RowProblem::BadValue, i, f, 0};
                break;
            }
            }
        }
        result.rows.push_back(std::move(row));
        return {};
    };
    // A process table without pids cannot be used at all; check the header before any row.
    auto checked = [&](const std::vector<std::string_view> &fields) -> RowProblem {
        if (!checkedPid) {
            checkedPid = true;
            missingPid = std::find(driver.header.ids.begin(), driver.header.ids.end(), int(ProcPid))
                == driver.header.ids.end();
        }
        if (missingPid)
            return {};
        return onRow(fields);
    };
    bool ok = driver.run(checked);
    if (ok && !checkedPid) // header only: check it now
        missingPid = std::find(driver.header.ids.begin(), driver.header.ids.end(), int(ProcPid))
            == driver.header.ids.end();
    if (ok && missingPid) {
        ok = false;
        driver.error = u"no pid column"_s;
    }
    result.bytesRead = driver.bytesRead();
    result.error = driver.error;
    result.canceled = driver.canceled;
    if (!ok) {
        result.rows.clear();
        return result;
    }
    result.skipped = std::move(driver.skipped);
    result.skippedRows = driver.skippedRows;
    result.ignoredColumns = driver.header.ignored;
    sortByTime(result.rows);
    return result;
}

bool writeSamplesCsv(QIODevice &out, std::span<const RecordedSeries> series, QString *error)
{
    CsvWriter w(out);
    if (!w.checkOpen())
        return fail(error, w.error());
    bool withCgroup = false;
    bool withBoottime = false;
    std::array<bool, kSampleIntColumns.size()> withColumn {};
    for (const RecordedSeries &s : series) {
        withCgroup = withCgroup || !s.cgroup.isEmpty();
        for (const MemorySample &m : s.samples) {
            withBoottime = withBoottime || m.hasBoottime();
            for (std::size_t c = 0; c < kSampleIntColumns.size(); ++c)
                withColumn[c] = withColumn[c] || MemorySample::known(m.*kSampleIntColumns[c].member);
        }
    }
    // timestamp_ms rather than timestamp: epoch milliseconds below 1e11 (before 1973, or test
    // data) must not be read back as seconds.
    w.raw("timestamp_ms");
    if (withCgroup)
        w.raw("cgroup");
    for (std::size_t c = 0; c < kSampleIntColumns.size(); ++c) {
        if (withColumn[c])
            w.raw(kSampleIntColumns[c].name);
    }
    if (withBoottime)
        w.raw("boottime_s");
    if (!w.endRow())
        return fail(error, w.error());
    for (const RecordedSeries &s : series) {
        const QByteArray cgroup = s.cgroup.toUtf8();
        for (const MemorySample &m : s.samples) {
            w.number(m.timestampMs);
            if (withCgroup)
                w.text(QByteArrayView(cgroup));
            for (std::size_t c = 0; c < kSampleIntColumns.size(); ++c) {
                if (!withColumn[c])
                    continue;
                const std::int64_t v = m.*kSampleIntColumns[c].member;
                const bool isLimit =
                    kSampleIntColumns[c].id == SampleLimit || kSampleIntColumns[c].id == SampleHigh;
                if (v == MemorySample::kUnlimited && isLimit)
                    w.raw("max");
                else if (!MemorySample::known(v))
                    w.raw(kSampleIntColumns[c].id == SampleLimit ? "-" : "");
                else
                    w.number(v);
            }
            if (withBoottime)
                w.seconds(m.boottimeSeconds);
            if (!w.endRow())
                return fail(error, w.error());
        }
    }
    if (!w.flush())
        return fail(error, w.error());
    return true;
}

bool writeSamplesCsv(QIODevice &out, const QString &cgroup, std::span<const MemorySample> samples,
                     QString *error)
{
    // A one-element view onto the caller's samples would need a copy into RecordedSeries; the
    // copy is cheap next to formatting, and keeps one writer.
    const RecordedSeries one {cgroup, std::vector<MemorySample>(samples.begin(), samples.end())};
    return writeSamplesCsv(out, std::span<const RecordedSeries>(&one, 1), error);
}

bool writeProcsCsv(QIODevice &out, std::span<const ProcessSample> rows, QString *error)
{
    CsvWriter w(out);
    if (!w.checkOpen())
        return fail(error, w.error());
    bool withCgroup = false;
    bool withBoottime = false;
    std::array<bool, kProcKbColumns.size()> withColumn {};
    for (const ProcessSample &p : rows) {
        withCgroup = withCgroup || !p.cgroup.isEmpty();
        withBoottime = withBoottime || !std::isnan(p.boottimeSeconds);
        for (std::size_t c = 0; c < kProcKbColumns.size(); ++c)
            withColumn[c] = withColumn[c] || MemorySample::known(p.*kProcKbColumns[c].member);
    }
    w.raw("timestamp_ms");
    w.raw("pid");
    w.raw("comm");
    if (withCgroup)
        w.raw("cgroup");
    for (std::size_t c = 0; c < kProcKbColumns.size(); ++c) {
        if (withColumn[c])
            w.raw(kProcKbColumns[c].name);
    }
    w.raw("oom_score_adj");
    if (withBoottime)
        w.raw("boottime_s");
    if (!w.endRow())
        return fail(error, w.error());
    for (const ProcessSample &p : rows) {
        w.number(p.timestampMs);
        w.number(p.pid);
        w.text(p.comm);
        if (withCgroup)
            w.text(p.cgroup);
        for (std::size_t c = 0; c < kProcKbColumns.size(); ++c) {
            if (!withColumn[c])
                continue;
            const std::int64_t v = p.*kProcKbColumns[c].member;
            if (MemorySample::known(v))
                w.number(v);
            else
                w.empty();
        }
        w.number(p.oomScoreAdj);
        if (withBoottime)
            w.seconds(p.boottimeSeconds);
        if (!w.endRow())
            return fail(error, w.error());
    }
    if (!w.flush())
        return fail(error, w.error());
    return true;
}

} // namespace oomscope
