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
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oomscope::csv {

// Big enough that read() calls and buffer compaction vanish from a profile, small enough that a
// pipe or a cancel is noticed promptly.
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
SplitError splitFields(std::string_view line, std::vector<std::string_view> &fields, std::string &scratch);

// Empty, blank or a comment.
bool skippableLine(std::string_view line);

enum class Num { Ok, Empty, Missing, Bad, Huge };

// A non-negative integer; "123.000" is accepted for tools that write integers as floats.
Num parseCount(std::string_view s, std::int64_t &value);
// Non-negative seconds; empty or "-" is NaN (not measured).
bool parseSeconds(std::string_view s, double &value);

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

// Why a row was skipped; turned into text only when the issue is kept.
struct RowProblem {
    enum Kind { None, UnterminatedQuote, TextAfterQuote, FieldCount, BadValue, BadTimestamp, LineTooLong };
    Kind kind = None;
    std::size_t column = 0;
    std::string_view text;
    std::size_t fieldCount = 0;
};

QString describe(const RowProblem &p, const HeaderMap &header);

// The parts both readers share: lines, header, field splitting and issue bookkeeping.
class CsvDriver
{
public:
    using RowHandler = std::function<RowProblem(const std::vector<std::string_view> &fields)>;

    CsvDriver(QIODevice &in, const ProgressFn &progress, const CsvReadOptions &options,
              std::span<const ColumnName> columns)
        : m_in(in)
        , m_reader(in, progress)
        , m_options(options)
        , m_columns(columns)
    { }

    // Calls onRow(fields) for every data row; onRow returns a RowProblem.
    // Returns false on a fatal error or cancel.
    bool run(const RowHandler &onRow);

    qint64 bytesRead() const { return m_reader.bytesRead(); }

    HeaderMap header;
    qint64 lineBytes = 0; // of the row being handed to onRow, with its line end
    std::vector<CsvRowIssue> skipped;
    qint64 skippedRows = 0;
    QString error;
    bool canceled = false;

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
