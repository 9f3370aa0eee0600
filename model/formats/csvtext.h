// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to the recording CSV: the text machinery its readers and writer share: reading
// physical lines in large blocks, RFC 4180 field splitting, numbers, the header map, and the
// driver that feeds data rows to a reader and keeps the skipped-row issues.
#pragma once

#include "progress.h"
#include "recordingcsv.h"

#include <QByteArray>
#include <QIODevice>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oomscope::csv {

// The writer's buffer: big enough that write() calls vanish from a profile.
constexpr qsizetype kChunkBytes = qsizetype(1) << 20;
// A "line" longer than this is garbage (a binary file, a missing line end); it is skipped
// rather than buffered without bound.
constexpr qsizetype kMaxLineBytes = qsizetype(16) << 20;
constexpr qint64 kProgressEveryBytes = qint64(4) << 20;
// Anything this large is a "no limit" sentinel (v1 prints PAGE_COUNTER_MAX * page size).
constexpr std::int64_t kUnlimitedFrom = std::int64_t(1) << 62;

bool isBlank(char c);
std::string_view trimmed(std::string_view s);
bool equalsLower(std::string_view s, std::string_view lower);
std::string toLower(std::string_view s);
QString quoteForMessage(std::string_view s);

// Every block of a device's bytes as read (hashing a file in the same pass that parses it).
using BlockFn = std::function<void(const char *data, qsizetype size)>;

// Physical lines from a device, read in large blocks; views stay valid until the next call.
class LineReader
{
public:
    enum class Status { Line, TooLong, End, Canceled, Error };

    LineReader(QIODevice &device, const ProgressFn &progress, qsizetype blockBytes, BlockFn onBlock)
        : m_device(device)
        , m_progress(progress)
        , m_blockBytes(std::max<qsizetype>(blockBytes, 1))
        , m_onBlock(std::move(onBlock))
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
    // The end of the bytes held: a line's view may be read past its end up to here (its line
    // end, the lines after it), e.g. eight bytes at a time.
    const char *heldEnd() const { return m_buf.constData() + m_buf.size(); }

private:
    Status fill()
    {
        if (m_pos > 0) {
            m_buf.remove(0, m_pos);
            m_pos = 0;
        }
        const qsizetype old = m_buf.size();
        m_buf.resize(old + m_blockBytes);
        qint64 got = m_device.read(m_buf.data() + old, m_blockBytes);
        if (got == 0 && m_device.isSequential() && !m_device.atEnd() && m_device.waitForReadyRead(-1))
            got = m_device.read(m_buf.data() + old, m_blockBytes);
        if (got < 0) {
            m_buf.resize(old);
            return Status::Error;
        }
        m_buf.resize(old + qsizetype(got));
        if (got == 0)
            m_eof = true;
        else if (m_onBlock)
            m_onBlock(m_buf.constData() + old, qsizetype(got));
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
    const qsizetype m_blockBytes;
    const BlockFn m_onBlock;
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
SplitError splitFields(std::string_view line, std::vector<std::string_view> &fields, std::string &scratch);

// Empty, blank or a comment.
bool skippableLine(std::string_view line);

enum class Num { Ok, Empty, Missing, Bad, Huge };

// A non-negative integer; "123.000" is accepted for tools that write integers as floats.
Num parseCount(std::string_view s, std::int64_t &value);
// Non-negative seconds; empty or "-" is NaN (not measured).
bool parseSeconds(std::string_view s, double &value);

// ---- the fast path's scanning, eight bytes at a time -------------------------------------

static_assert(std::endian::native == std::endian::little, "the eight-byte scans read the first byte lowest");

inline std::uint64_t load8(const char *p)
{
    std::uint64_t x = 0;
    std::memcpy(&x, p, sizeof x);
    return x;
}

// A high bit in every byte of x that is zero; exact up to the first zero byte (borrows can flag
// bytes after it, which the callers never look at).
inline std::uint64_t zeroBytes(std::uint64_t x)
{
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

// How many of the eight bytes of x, from the first, are ASCII digits.
inline int leadingDigits(std::uint64_t x)
{
    // A byte below '0' sets its high bit in x - '0'…, one above '9' in x + 0x46…; a borrow or a
    // carry only runs to later bytes, past the first non-digit.
    const std::uint64_t nonDigit =
        ((x - 0x3030303030303030ULL) | (x + 0x4646464646464646ULL)) & 0x8080808080808080ULL;
    return nonDigit ? std::countr_zero(nonDigit) / 8 : 8;
}

// The value of the first n (0…8) bytes of x, all digits.
[[gnu::always_inline]] inline std::uint64_t digitsValue(std::uint64_t x, int n)
{
    // The other bytes shifted out, zeros ahead; in two steps, as n = 0 shifts by 64.
    const int half = 4 * (8 - n);
    x = ((x - 0x3030303030303030ULL) << half) << half;
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
    return (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
}

inline constexpr std::array<std::uint64_t, 9> kPow10 = {1,      10,      100,      1000,     10000,
                                                        100000, 1000000, 10000000, 100000000};

// Plain digits at p, up to end (a line's end; readableEnd, at or after it, bounds the eight-byte
// reads). Returns their end with their value, or nullptr for more than 17 digits.
// Inlined: called for every number of every row, and a call's register saves were a fifth of it.
[[gnu::always_inline]] inline const char *scanDigits(const char *p, const char *end, const char *readableEnd,
                                                     std::uint64_t &value)
{
    constexpr std::ptrdiff_t kMaxDigits = 17; // no overflow, and within every caller's range
    // Up to 15 digits from two loads without a branch on their exact count: how many digits a
    // field has changes from row to row (9 or 10 for a byte count), and mispredicting that
    // was most of the parsing. Whether it has fewer than 8 mostly does not change per column.
    if (readableEnd - p >= 16) {
        const std::uint64_t x1 = load8(p);
        const int n1 = leadingDigits(x1);
        if (n1 < 8) {
            if (n1 <= end - p) {
                value = digitsValue(x1, n1);
                return p + n1;
            }
        } else {
            const std::uint64_t x2 = load8(p + 8);
            const int n2 = leadingDigits(x2);
            if (n2 < 8 && 8 + n2 <= end - p) {
                value = digitsValue(x1, 8) * kPow10[std::size_t(n2)] + digitsValue(x2, n2);
                return p + 8 + n2;
            }
        }
    }
    std::uint64_t v = 0;
    const char *q = p;
    while (readableEnd - q >= 8) {
        const std::uint64_t x = load8(q);
        const int n = int(std::min<std::ptrdiff_t>(leadingDigits(x), end - q));
        if (n == 0)
            break;
        if (q - p + n > kMaxDigits)
            return nullptr;
        v = v * kPow10[std::size_t(n)] + digitsValue(x, n);
        q += n;
        if (n < 8) {
            value = v;
            return q;
        }
    }
    for (; q != end && unsigned(*q - '0') < 10; ++q) {
        if (q - p == kMaxDigits)
            return nullptr;
        v = v * 10 + unsigned(*q - '0');
    }
    value = v;
    return q;
}

// The first ',' or '"' in [p, end), else end.
inline const char *findCommaOrQuote(const char *p, const char *end, const char *readableEnd)
{
    while (p < end && readableEnd - p >= 8) {
        const std::uint64_t x = load8(p);
        const std::uint64_t hit = zeroBytes(x ^ 0x2C2C2C2C2C2C2C2CULL) | zeroBytes(x ^ 0x2222222222222222ULL);
        if (hit)
            return std::min(p + std::countr_zero(hit) / 8, end);
        p += 8;
    }
    while (p < end && *p != ',' && *p != '"')
        ++p;
    return std::min(p, end);
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

// Maps header names (case-insensitive) to the table's ids; the timestamp aliases to kTimestamp.
HeaderMap mapHeader(const std::vector<std::string_view> &fields, std::span<const ColumnName> table);

// Why a row was skipped; turned into text only when the issue is kept. Stop is no problem of the
// row: the reader's consumer wants no more rows.
struct RowProblem {
    enum Kind {
        None,
        UnterminatedQuote,
        TextAfterQuote,
        FieldCount,
        BadValue,
        BadTimestamp,
        LineTooLong,
        Stop
    };
    Kind kind = None;
    std::size_t column = 0;
    std::string_view text;
    std::size_t fieldCount = 0;
};

QString describe(const RowProblem &p, const HeaderMap &header);

// What a fast row handler did with a data line: took it, left it to the general path (anything
// unusual, including every bad row: that path describes the problem), or asks to stop.
enum class FastRow { Taken, General, Stop };

// The parts both readers share: lines, header, field splitting and issue bookkeeping.
class CsvDriver
{
public:
    using RowHandler = std::function<RowProblem(const std::vector<std::string_view> &fields)>;
    // line, and where the bytes readable from line.data() on end (at or after the line's end).
    using FastRowHandler = std::function<FastRow(std::string_view line, const char *readableEnd)>;

    CsvDriver(QIODevice &in, const ProgressFn &progress, const CsvReadOptions &options,
              std::span<const ColumnName> columns, BlockFn onBlock = {})
        : m_in(in)
        , m_reader(in, progress, options.blockBytes, std::move(onBlock))
        , m_options(options)
        , m_columns(columns)
    { }

    // Calls onRow(fields) for every data row; onRow returns a RowProblem. fastRow, when given
    // (and not switched off by the options), sees each data line first and may take it whole,
    // without the field vector; it must take only lines that onRow would accept, with the same
    // result. Returns false on a fatal error, a cancel or a stop.
    bool run(const RowHandler &onRow, const FastRowHandler &fastRow = {});

    qint64 bytesRead() const { return m_reader.bytesRead(); }

    HeaderMap header;
    qint64 lineBytes = 0; // of the row being handed to onRow, with its line end
    std::vector<CsvRowIssue> skipped;
    qint64 skippedRows = 0;
    QString error;
    bool canceled = false;
    bool stopped = false; // a row handler asked to stop

private:
    bool onReaderProblem(LineReader::Status status, qint64 lineNo, bool haveHeader);
    bool takeHeader(SplitError split, qint64 lineNo);
    RowProblem checkRow(SplitError split, std::string_view line, const RowHandler &onRow);
    void report(qint64 lineNo, const RowProblem &problem);

    QIODevice &m_in;
    LineReader m_reader;
    const CsvReadOptions &m_options;
    std::span<const ColumnName> m_columns;
    std::vector<std::string_view> m_fields;
    std::string m_scratch;
};

template<typename T> void sortByTime(std::vector<T> &rows)
{
    auto earlier = [](const T &a, const T &b) {
        return a.timestampMs < b.timestampMs;
    };
    if (!std::is_sorted(rows.begin(), rows.end(), earlier))
        std::stable_sort(rows.begin(), rows.end(), earlier);
}

} // namespace oomscope::csv
