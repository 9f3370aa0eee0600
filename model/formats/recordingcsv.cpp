// SPDX-License-Identifier: GPL-3.0-or-later
// Reading recordings: the samples and process files of recordingcsv.h, column by column through
// the sample field table. Lines, quoting and numbers are csvtext.h's; timestamps csvtimestamp.h's.
#include "recordingcsv.h"

#include "csvtext.h"
#include "csvtimestamp.h"
#include "samplefields.h"

#include <QFileInfo>
#include <QHash>
#include <QIODevice>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace oomscope {

using namespace csv;

namespace {

// ---- samples -----------------------------------------------------------------------------

// Column ids of the samples file: the timestamp, the cgroup, then one per sample field.
constexpr int kSampleCgroup = kTimestamp + 1;
constexpr int kFirstSampleField = kSampleCgroup + 1;

constexpr std::array<ColumnName, 1 + kSampleFields.size()> kSampleColumns = [] {
    std::array<ColumnName, 1 + kSampleFields.size()> columns {};
    columns[0] = ColumnName {"cgroup", kSampleCgroup};
    for (std::size_t i = 0; i < kSampleFields.size(); ++i)
        columns[i + 1] =
            ColumnName {kSampleFields[i].csvColumn, kFirstSampleField + int(kSampleFields[i].id)};
    return columns;
}();

const SampleFieldInfo *sampleFieldOfColumn(int id)
{
    const int index = id - kFirstSampleField;
    return index >= 0 && index < int(kSampleFields.size()) ? &kSampleFields[std::size_t(index)] : nullptr;
}

// Byte or count field; limits and memory.high know "max", and an empty limit is no limit.
bool readSampleInt(std::string_view s, const SampleFieldInfo &field, std::int64_t &out)
{
    const bool isLimit = field.isLimit;
    std::int64_t v = 0;
    switch (parseCount(s, v)) {
    case Num::Ok:
        out = isLimit && v >= kUnlimitedFrom ? MemorySample::kUnlimited : v;
        return true;
    case Num::Empty:
        out = field.id == SampleField::Limit ? MemorySample::kUnlimited : MemorySample::kUnknown;
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

bool readSampleField(std::string_view s, const SampleFieldInfo &field, MemorySample &sample)
{
    if (field.seconds)
        return parseSeconds(s, sample.*field.seconds);
    return readSampleInt(s, field, sample.*field.integer);
}

// How the fast path reads a column of the samples file.
enum class ColumnKind : std::uint8_t { Ignored, Timestamp, Cgroup, Count, Seconds, Other };

// Parses the rows of a samples file and hands each to the sink under its series' index.
class SampleRows
{
public:
    SampleRows(const CsvDriver &driver, QIODevice &in, const QString &defaultCgroup, SamplesCsvSink &sink,
               SamplesCsvResult &result)
        : m_driver(driver)
        , m_in(in)
        , m_defaultCgroup(defaultCgroup)
        , m_sink(sink)
        , m_result(result)
    { }

    // The general path: the fields as split by csvtext (quotes, blanks, every problem).
    RowProblem operator()(const std::vector<std::string_view> &fields)
    {
        const HeaderMap &header = m_driver.header;
        prepareColumns();
        MemorySample sample;
        std::string_view cgroup;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const int id = header.ids[i];
            const std::string_view f = fields[i];
            if (id == kTimestamp) {
                const std::optional<std::int64_t> ms = parseTimestamp(f, header.timestampIsMs);
                if (!ms)
                    return RowProblem {RowProblem::BadTimestamp, i, f, 0};
                sample.timestampMs = *ms;
            } else if (id == kSampleCgroup) {
                cgroup = f;
            } else if (m_columnFields[i] && !readSampleField(f, *m_columnFields[i], sample)) {
                return RowProblem {RowProblem::BadValue, i, f, 0};
            }
        }
        if (!deliver(cgroup, sample, m_driver.lineBytes))
            return RowProblem {RowProblem::Stop, 0, {}, 0};
        return {};
    }

    // The fast path for the rows samplers write: no quotes, no blanks around fields, the right
    // number of fields. Plain digits and plain decimals are read as the line is scanned, eight
    // bytes at a time (readableEnd bounds those reads); any other field goes through the same
    // functions as above. Anything the general path could treat differently (a quote, a
    // comment, a blank at the start, a bad field, a wrong field count) is left to it, so both
    // read the same.
    FastRow fast(std::string_view line, const char *readableEnd)
    {
        if (line.empty() || line.front() == '#' || isBlank(line.front()))
            return FastRow::General;
        prepareColumns();
        const char *p = line.data();
        const char *const end = p + line.size();
        const std::size_t columns = m_columns.size();
        MemorySample sample;
        std::string_view cgroup;
        for (std::size_t i = 0; i < columns; ++i) {
            const bool lastColumn = i + 1 == columns;
            // Where a field that ends at q must end: the line's end for the last column, a comma
            // before it for the others.
            auto endsField = [&](const char *q) {
                return q == end ? lastColumn : (*q == ',' && !lastColumn);
            };
            const Column &column = m_columns[i];
            const ColumnKind kind = column.kind;
            if (kind == ColumnKind::Count || kind == ColumnKind::Timestamp) {
                std::uint64_t v = 0;
                const char *q = scanDigits(p, end, readableEnd, v);
                if (q && q != p && endsField(q)) {
                    const auto value = std::int64_t(v);
                    if (kind == ColumnKind::Count)
                        sample.*column.integer = value;
                    else
                        sample.timestampMs =
                            m_driver.header.timestampIsMs || v > kEpochMsThreshold ? value : value * 1000;
                    p = q == end ? q : q + 1;
                    continue;
                }
            } else if (kind == ColumnKind::Seconds) {
                if (const char *q = plainDecimal(p, end, readableEnd, sample.*column.seconds);
                    q && endsField(q)) {
                    p = q == end ? q : q + 1;
                    continue;
                }
            }
            const char *q = findCommaOrQuote(p, end, readableEnd);
            if (q != end && *q == '"')
                return FastRow::General;
            if ((q == end) != lastColumn)
                return FastRow::General;
            const std::string_view f = trimmed(std::string_view(p, std::size_t(q - p)));
            switch (kind) {
            case ColumnKind::Ignored:
                break;
            case ColumnKind::Timestamp:
                if (const std::optional<std::int64_t> ms = parseTimestamp(f, m_driver.header.timestampIsMs))
                    sample.timestampMs = *ms;
                else
                    return FastRow::General;
                break;
            case ColumnKind::Cgroup:
                cgroup = f;
                break;
            case ColumnKind::Count:
            case ColumnKind::Seconds:
            case ColumnKind::Other:
                if (!readSampleField(f, *column.field, sample))
                    return FastRow::General;
                break;
            }
            p = q == end ? q : q + 1;
        }
        return deliver(cgroup, sample, qint64(line.size()) + 1) ? FastRow::Taken : FastRow::Stop;
    }

private:
    // Epoch seconds above this are milliseconds (csvtimestamp.h's rule for plain integers).
    static constexpr std::uint64_t kEpochMsThreshold = 100'000'000'000;

    // "123" or "123.456" with at most 15 digits in all: an integer below 2^53 divided by a power
    // of ten that is exact as a double, so one correctly rounded division gives the double
    // nearest the decimal, as from_chars does (Clinger's fast path). Returns the decimal's end,
    // or nullptr for any other form (from_chars then).
    static const char *plainDecimal(const char *p, const char *end, const char *readableEnd, double &value)
    {
        static constexpr std::array<double, 16> kPow10d = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                           1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
        std::uint64_t whole = 0;
        const char *q = scanDigits(p, end, readableEnd, whole);
        if (!q || q == p)
            return nullptr;
        if (q == end || *q != '.') {
            if (q - p > 15)
                return nullptr;
            value = double(whole);
            return q;
        }
        std::uint64_t fraction = 0;
        const char *f = q + 1;
        const char *r = scanDigits(f, end, readableEnd, fraction);
        const std::ptrdiff_t fractionDigits = r ? r - f : 0;
        if (fractionDigits == 0 || (q - p) + fractionDigits > 15)
            return nullptr;
        for (std::ptrdiff_t k = 0; k < fractionDigits; ++k)
            whole *= 10;
        value = double(whole + fraction) / kPow10d[std::size_t(fractionDigits)];
        return r;
    }

    void prepareColumns()
    {
        if (!m_columns.empty() || m_driver.header.ids.empty())
            return;
        for (int id : m_driver.header.ids) {
            const SampleFieldInfo *field = sampleFieldOfColumn(id);
            m_columnFields.push_back(field);
            Column column {ColumnKind::Other, field, nullptr, nullptr};
            if (id == kTimestamp)
                column.kind = ColumnKind::Timestamp;
            else if (id == kSampleCgroup)
                column.kind = ColumnKind::Cgroup;
            else if (!field)
                column.kind = ColumnKind::Ignored;
            // Plain digits are a plain count in every integer column (limits too: 17 digits
            // stay far below the "no limit" sentinels).
            else if (field->integer)
                column = Column {ColumnKind::Count, field, field->integer, nullptr};
            else if (field->seconds)
                column = Column {ColumnKind::Seconds, field, nullptr, field->seconds};
            m_columns.push_back(column);
        }
    }

    // a == b, eight bytes at a time inline: once per row, where a memcmp call was 2 % of an import.
    static bool sameBytes(std::string_view a, const std::string &b)
    {
        if (a.size() != b.size())
            return false;
        const char *x = a.data();
        const char *y = b.data();
        std::size_t n = a.size();
        for (; n >= 8; n -= 8, x += 8, y += 8) {
            if (load8(x) != load8(y))
                return false;
        }
        for (; n > 0; --n, ++x, ++y) {
            if (*x != *y)
                return false;
        }
        return true;
    }

    bool deliver(std::string_view cgroup, const MemorySample &sample, qint64 lineBytes)
    {
        if (m_result.rows == 0 && !m_in.isSequential() && m_in.size() > 0)
            m_sink.expectedRows(m_in.size() / std::max<qint64>(lineBytes, 8));
        const std::optional<std::size_t> index = seriesFor(cgroup);
        if (!index || !m_sink.sample(*index, sample))
            return false;
        ++m_result.rows;
        return true;
    }

    // The series of a cgroup field, looked up by the bytes as written (a QString per row was a
    // tenth of the import). A sampler writes its cgroups in the same order every tick, so the
    // series that followed this one last time is tried before the hash. Empty: the sink said
    // stop.
    std::optional<std::size_t> seriesFor(std::string_view cgroup)
    {
        if (m_last && sameBytes(cgroup, m_last->first))
            return m_last->second;
        const Key *next = m_last ? m_follower[m_last->second] : nullptr;
        if (next && sameBytes(cgroup, next->first)) {
            m_last = next;
            return next->second;
        }
        auto it = m_seriesIndex.find(cgroup);
        if (it == m_seriesIndex.end()) {
            const QString name =
                cgroup.empty() ? m_defaultCgroup : QString::fromUtf8(cgroup.data(), qsizetype(cgroup.size()));
            // Other bytes may name the same series (the default written out, invalid UTF-8).
            std::size_t index = m_result.series.size();
            if (const auto byName = m_seriesByName.constFind(name); byName != m_seriesByName.constEnd()) {
                index = *byName;
            } else {
                if (!m_sink.newSeries(name))
                    return std::nullopt;
                m_seriesByName.insert(name, index);
                m_result.series.push_back(RecordedSeries {name, {}});
                m_follower.push_back(nullptr);
            }
            it = m_seriesIndex.emplace(std::string(cgroup), index).first;
        }
        const Key *found = &*it;
        if (m_last)
            m_follower[m_last->second] = found;
        m_last = found;
        return found->second;
    }

    const CsvDriver &m_driver;
    QIODevice &m_in;
    const QString &m_defaultCgroup;
    SamplesCsvSink &m_sink;
    SamplesCsvResult &m_result;
    // Per column of the header: the general path's field, and the fast path's all in one.
    std::vector<const SampleFieldInfo *> m_columnFields;
    struct Column {
        ColumnKind kind;
        const SampleFieldInfo *field;
        std::int64_t MemorySample::*integer;
        double MemorySample::*seconds;
    };
    std::vector<Column> m_columns;
    // Keyed by the field's bytes (heterogeneous lookup: no string built to look one up).
    struct BytesHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view> {}(s); }
    };
    using SeriesIndex = std::unordered_map<std::string, std::size_t, BytesHash, std::equal_to<>>;
    using Key = SeriesIndex::value_type; // nodes stay put: pointers to them stay valid
    SeriesIndex m_seriesIndex;
    QHash<QString, std::size_t> m_seriesByName;
    const Key *m_last = nullptr;
    std::vector<const Key *> m_follower; // per series: the key that followed it last
};

// readSamplesCsv's sink: every sample kept, in one vector per series.
class CollectSamples final : public SamplesCsvSink
{
public:
    explicit CollectSamples(std::vector<RecordedSeries> &series)
        : m_series(series)
    { }

    void expectedRows(qint64 rows) override { m_expectedRows = rows; }

    bool newSeries(const QString &cgroup) override
    {
        m_collected.push_back(RecordedSeries {cgroup, {}});
        // Most files hold one cgroup: size its vector from the file size and the first row,
        // instead of growing it by doubling (copies and twice the peak memory).
        if (m_collected.size() == 1 && m_expectedRows > 0)
            m_collected.front().samples.reserve(std::size_t(std::min<qint64>(m_expectedRows, 100'000'000)));
        return true;
    }

    bool sample(std::size_t index, const MemorySample &sample) override
    {
        if (index != m_lastIndex) {
            // A cgroup seen again after others: one tick of a sampler's file has gone by and
            // every cgroup of the file is known (typically), so each gets its share of the
            // file's rows up front rather than growing by doubling.
            if (!m_reservedAll && m_collected.size() > 1 && !m_collected[index].samples.empty())
                reserveAll();
            m_lastIndex = index;
        }
        m_collected[index].samples.push_back(sample);
        return true;
    }

    // The collected series, each sorted by time (stable), into the result.
    void finish()
    {
        for (RecordedSeries &s : m_collected) {
            if (s.samples.capacity() > s.samples.size() + s.samples.size() / 4)
                s.samples.shrink_to_fit();
            sortByTime(s.samples);
        }
        m_series = std::move(m_collected);
    }

private:
    void reserveAll()
    {
        m_reservedAll = true;
        if (m_expectedRows <= 0)
            return;
        const qint64 share = m_expectedRows / qint64(m_collected.size());
        const auto each = std::size_t(std::min<qint64>(share + share / 16 + 16, 100'000'000));
        for (std::size_t i = 1; i < m_collected.size(); ++i)
            m_collected[i].samples.reserve(each);
    }

    std::vector<RecordedSeries> &m_series;
    std::vector<RecordedSeries> m_collected;
    qint64 m_expectedRows = 0;
    std::size_t m_lastIndex = std::size_t(-1);
    bool m_reservedAll = false;
};

// ---- processes ---------------------------------------------------------------------------

enum ProcColumn {
    ProcTimestamp = kTimestamp,
    ProcPid,
    ProcComm,
    ProcCgroup,
    ProcOomScoreAdj,
    ProcBoottime,
    ProcFirstKib, // kProcessKibFields follow
};

constexpr std::array<ColumnName, 5 + kProcessKibFields.size()> kProcColumns = [] {
    std::array<ColumnName, 5 + kProcessKibFields.size()> columns {};
    std::size_t n = 0;
    columns[n++] = ColumnName {"pid", ProcPid};
    columns[n++] = ColumnName {"comm", ProcComm};
    columns[n++] = ColumnName {"cgroup", ProcCgroup};
    for (std::size_t i = 0; i < kProcessKibFields.size(); ++i)
        columns[n++] = ColumnName {kProcessKibFields[i].csvColumn, ProcFirstKib + int(i)};
    columns[n++] = ColumnName {"oom_score_adj", ProcOomScoreAdj};
    columns[n++] = ColumnName {"boottime_s", ProcBoottime};
    return columns;
}();

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

bool readOomScoreAdj(std::string_view f, int &out)
{
    if (f.empty() || f == "-")
        return true;
    int adj = 0;
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), adj);
    if (ec != std::errc() || p != f.data() + f.size() || adj < -1000 || adj > 1000)
        return false;
    out = adj;
    return true;
}

bool readKib(std::string_view f, std::int64_t &out)
{
    std::int64_t v = 0;
    const Num n = parseCount(f, v);
    if (n == Num::Ok)
        out = v;
    else if (n == Num::Empty || n == Num::Missing)
        out = MemorySample::kUnknown;
    else
        return false;
    return true;
}

// Parses the rows of a process file.
class ProcRows
{
public:
    ProcRows(const CsvDriver &driver, ProcsCsvResult &result)
        : m_driver(driver)
        , m_result(result)
    { }

    RowProblem operator()(const std::vector<std::string_view> &fields)
    {
        // A process table without pids cannot be used at all; check the header before any row.
        if (!m_checkedPid) {
            m_checkedPid = true;
            m_missingPid = !hasPidColumn(m_driver.header);
        }
        if (m_missingPid)
            return {};
        ProcessSample row;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (!readField(m_driver.header.ids[i], fields[i], row))
                return RowProblem {m_driver.header.ids[i] == ProcTimestamp ? RowProblem::BadTimestamp
                                                                           : RowProblem::BadValue,
                                   i, fields[i], 0};
        }
        m_result.rows.push_back(std::move(row));
        return {};
    }

    static bool hasPidColumn(const HeaderMap &header)
    {
        return std::find(header.ids.begin(), header.ids.end(), int(ProcPid)) != header.ids.end();
    }

private:
    bool readField(int id, std::string_view f, ProcessSample &row)
    {
        switch (id) {
        case kIgnored:
            return true;
        case ProcTimestamp: {
            const std::optional<std::int64_t> ms = parseTimestamp(f, m_driver.header.timestampIsMs);
            if (ms)
                row.timestampMs = *ms;
            return ms.has_value();
        }
        case ProcPid:
            return parseCount(f, row.pid) == Num::Ok;
        case ProcComm:
            row.comm = m_comms.get(f);
            return true;
        case ProcCgroup:
            row.cgroup = m_cgroups.get(f);
            return true;
        case ProcOomScoreAdj:
            return readOomScoreAdj(f, row.oomScoreAdj);
        case ProcBoottime:
            return parseSeconds(f, row.boottimeSeconds);
        default:
            return readKib(f, row.*kProcessKibFields[std::size_t(id - ProcFirstKib)].kib);
        }
    }

    const CsvDriver &m_driver;
    ProcsCsvResult &m_result;
    StringInterner m_comms;
    StringInterner m_cgroups;
    bool m_checkedPid = false;
    bool m_missingPid = false;
};

} // namespace

std::optional<std::int64_t> parseCsvTimestampMs(QByteArrayView text, bool unitIsMs)
{
    return parseTimestamp(trimmed(std::string_view(text.data(), std::size_t(text.size()))), unitIsMs);
}

QString defaultCgroupForFile(const QString &path)
{
    return QFileInfo(path).completeBaseName();
}

SamplesCsvResult streamSamplesCsv(QIODevice &in, const QString &defaultCgroup, SamplesCsvSink &sink,
                                  const ProgressFn &progress, const CsvReadOptions &options)
{
    SamplesCsvResult result;
    CsvDriver driver(in, progress, options, kSampleColumns,
                     [&sink](const char *data, qsizetype size) { sink.bytesRead(data, size); });
    SampleRows rows(driver, in, defaultCgroup, sink, result);
    const bool ok = driver.run(std::ref(rows), [&rows](std::string_view line, const char *readableEnd) {
        return rows.fast(line, readableEnd);
    });
    result.bytesRead = driver.bytesRead();
    result.error = driver.error;
    result.canceled = driver.canceled;
    result.stopped = driver.stopped;
    if (!ok)
        return result;
    result.skipped = std::move(driver.skipped);
    result.skippedRows = driver.skippedRows;
    result.ignoredColumns = driver.header.ignored;
    return result;
}

SamplesCsvResult readSamplesCsv(QIODevice &in, const QString &defaultCgroup, const ProgressFn &progress,
                                const CsvReadOptions &options)
{
    std::vector<RecordedSeries> series;
    CollectSamples collect(series);
    SamplesCsvResult result = streamSamplesCsv(in, defaultCgroup, collect, progress, options);
    if (!result.error.isEmpty() || result.canceled) {
        result.series.clear();
        result.rows = 0;
        return result;
    }
    collect.finish();
    result.series = std::move(series);
    return result;
}

ProcsCsvResult readProcsCsv(QIODevice &in, const ProgressFn &progress, const CsvReadOptions &options)
{
    ProcsCsvResult result;
    CsvDriver driver(in, progress, options, kProcColumns);
    bool ok = driver.run(ProcRows(driver, result));
    if (ok && !ProcRows::hasPidColumn(driver.header)) {
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

} // namespace oomscope
