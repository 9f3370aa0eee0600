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

// Collects the rows of a samples file into one series per cgroup.
class SampleRows
{
public:
    SampleRows(const CsvDriver &driver, QIODevice &in, const QString &defaultCgroup, SamplesCsvResult &result)
        : m_driver(driver)
        , m_in(in)
        , m_defaultCgroup(defaultCgroup)
        , m_result(result)
    { }

    RowProblem operator()(const std::vector<std::string_view> &fields)
    {
        const HeaderMap &header = m_driver.header;
        if (m_columnFields.empty()) {
            for (int id : header.ids)
                m_columnFields.push_back(sampleFieldOfColumn(id));
        }
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
        seriesFor(cgroup).samples.push_back(sample);
        ++m_result.rows;
        return {};
    }

private:
    RecordedSeries &seriesFor(std::string_view cgroup)
    {
        if (m_lastSeries != std::size_t(-1) && cgroup == m_lastCgroup)
            return m_result.series[m_lastSeries];
        // Looked up by the bytes as written: a file of interleaved cgroups changes series on
        // every row, and a QString per row was a tenth of the import.
        auto it = m_seriesIndex.find(cgroup);
        if (it != m_seriesIndex.end() && !m_reservedAll && m_result.series.size() > 1)
            reserveAll();
        if (it == m_seriesIndex.end()) {
            const QString name =
                cgroup.empty() ? m_defaultCgroup : QString::fromUtf8(cgroup.data(), qsizetype(cgroup.size()));
            // Other bytes may name the same series (the default written out, invalid UTF-8).
            const auto byName = m_seriesByName.constFind(name);
            const bool known = byName != m_seriesByName.constEnd();
            it = m_seriesIndex.emplace(std::string(cgroup), known ? *byName : m_result.series.size()).first;
            if (known) {
                m_lastSeries = it->second;
                m_lastCgroup.assign(cgroup);
                return m_result.series[m_lastSeries];
            }
            m_seriesByName.insert(name, m_result.series.size());
            m_result.series.push_back(RecordedSeries {name, {}});
            // Most files hold one cgroup: size its vector from the file size and the first
            // row, instead of growing it by doubling (copies and twice the peak memory).
            if (m_result.series.size() == 1 && !m_in.isSequential() && m_in.size() > 0)
                m_result.series[0].samples.reserve(std::size_t(
                    std::min<qint64>(m_in.size() / std::max<qint64>(m_driver.lineBytes, 8), 100'000'000)));
        }
        m_lastSeries = it->second;
        m_lastCgroup.assign(cgroup);
        return m_result.series[m_lastSeries];
    }

    // A cgroup seen again after others: one tick of a sampler's file has gone by and every
    // cgroup of the file is known (typically), so each gets its share of the file's rows up
    // front rather than growing by doubling (a tenth of the import went into those copies).
    void reserveAll()
    {
        m_reservedAll = true;
        if (m_in.isSequential() || m_in.size() <= 0)
            return;
        const qint64 rows = m_in.size() / std::max<qint64>(m_driver.lineBytes, 8);
        const qint64 share = rows / qint64(m_result.series.size());
        const auto each = std::size_t(std::min<qint64>(share + share / 16 + 16, 100'000'000));
        for (std::size_t i = 1; i < m_result.series.size(); ++i)
            m_result.series[i].samples.reserve(each);
    }

    const CsvDriver &m_driver;
    QIODevice &m_in;
    const QString &m_defaultCgroup;
    SamplesCsvResult &m_result;
    std::vector<const SampleFieldInfo *> m_columnFields;
    // Keyed by the field's bytes (heterogeneous lookup: no string built to look one up).
    struct BytesHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view> {}(s); }
    };
    std::unordered_map<std::string, std::size_t, BytesHash, std::equal_to<>> m_seriesIndex;
    QHash<QString, std::size_t> m_seriesByName;
    std::string m_lastCgroup;
    std::size_t m_lastSeries = std::size_t(-1);
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

SamplesCsvResult readSamplesCsv(QIODevice &in, const QString &defaultCgroup, const ProgressFn &progress,
                                const CsvReadOptions &options)
{
    SamplesCsvResult result;
    CsvDriver driver(in, progress, options, kSampleColumns);
    const bool ok = driver.run(SampleRows(driver, in, defaultCgroup, result));
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
