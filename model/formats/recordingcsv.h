// SPDX-License-Identifier: GPL-3.0-or-later
// Reads and writes memory recordings (cgroup samples, per-process samples) as CSV, so that samples
// taken by any tool (oomscope's sampler, a shell loop, a spreadsheet) can be laid beside the
// kernel's OOM reports.
//
// ## Recording CSV format
//
// General rules (both files):
// - Comma separated, one record per line; LF or CRLF line ends; a UTF-8 byte order mark is ignored.
// - The first line that is neither empty nor a comment is the header. Columns may come in any
//   order; header names are matched case-insensitively after trimming blanks. Unknown columns are
//   ignored and reported (`ignoredColumns`); when a column name repeats, the first one is used.
// - Lines whose first non-blank character is `#` are comments; empty lines are skipped.
// - Fields may be enclosed in double quotes (RFC 4180): inside quotes, commas are literal and `""`
//   stands for one `"`. Unquoted fields are trimmed of surrounding blanks. A field cannot span
//   lines (a line break is always a record break).
// - Every data row must have exactly as many fields as the header.
// - Numbers are decimal integers (`134217728`; `134217728.0` is accepted as written by tools that
//   store integers as floats). In any numeric column an empty field or `-` means "not measured",
//   except for `limit_bytes`, where an empty field means "no limit" (see below).
// - Timestamps (column `timestamp`, or one of its aliases `timestamp_ms`, `ts_epoch_ms`, `time`;
//   with several present the first of that list wins and the others are ignored) are UTC wall
//   time in one of these forms, which may be mixed within a file:
//     `1795825075`           epoch seconds
//     `1795825075.278`       epoch seconds with a fraction (rounded to the millisecond)
//     `1795825075278`        epoch milliseconds: under `timestamp`/`time` any value above 1e11 is
//                            read as milliseconds (1e11 s is the year 5138, 1e11 ms is 1973);
//                            under `timestamp_ms`/`ts_epoch_ms` integers are always milliseconds
//     `2026-11-27T10:15:02Z`, `2026-11-27 10:15:02.005+01:00`, `...+0100`, `...-05`
//                            ISO 8601 date and time (`T` or a blank between them), seconds
//                            optional, any number of fraction digits (`.` or `,`); without a
//                            `Z` or offset the time is taken as UTC.
// - A row with a bad field (wrong field count, non-numeric value, negative count, bad timestamp,
//   unterminated quote) is skipped and reported with its 1-based line number and the reason; the
//   other rows are kept. A missing timestamp column (for the process file also a missing `pid`
//   column), an empty file or an unreadable device is fatal: `error` is set and no rows are
//   returned.
// - Rows are returned sorted by time (stable: rows with equal timestamps keep their file order;
//   duplicates are kept).
//
// Samples file (one row per reading of one cgroup; `readSamplesCsv`):
//   timestamp            required, see above
//   cgroup               optional; empty or absent = the caller's default (the file's base name
//                        without extension, see defaultCgroupForFile()); one file may hold several
//   usage_bytes          memory.usage_in_bytes / memory.current
//   limit_bytes          effective limit; empty, `max` or >= 2^62 = no limit (kUnlimited)
//   high_bytes           v2 memory.high; `max` or >= 2^62 = no limit
//   anon_bytes           v1 total_rss / v2 anon
//   file_bytes           v1 total_cache / v2 file
//   inactive_file_bytes, active_file_bytes, shmem_bytes, kernel_bytes, swap_bytes
//   failcnt              v1 memory.failcnt / v2 memory.events max
//   oom_kill             oom_kill counter (v1 memory.oom_control, v2 memory.events)
//   boottime_s           CLOCK_BOOTTIME seconds at the sample (fractional); lines the samples up
//                        with `dmesg` timestamps
//
// Process file (one row per process per reading; `readProcsCsv`):
//   timestamp            required (same forms and aliases)
//   pid                  required column; an empty pid makes the row bad
//   comm                 process name
//   rss_kb               total resident set, KiB; and/or the split rss_anon_kb, rss_file_kb,
//                        rss_shmem_kb
//   swap_kb, pgtables_kb KiB
//   oom_score_adj        -1000 … 1000; empty = 0
//   cgroup               optional
//   boottime_s           optional, as above
//   Anything else (e.g. `uptime_s`, `state`, `oom_score`) is ignored.
//
// Writing (writeSamplesCsv, writeProcsCsv) produces this format with only the columns that hold
// data, timestamps in epoch milliseconds, `max` for no limit, `-` for an unmeasured limit and the
// shortest decimal that reads back to the same double for boottime_s, so that export → import
// gives back equal values. Line breaks inside a process name are written as blanks (the one
// thing that does not round-trip).
#pragma once

#include "memorysample.h"
#include "progress.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <span>
#include <vector>

class QIODevice;

namespace oomscope {

// One skipped row: its 1-based line number in the file and why it was skipped.
struct CsvRowIssue {
    qint64 line = 0;
    QString detail;
};

// The samples of one cgroup, sorted by time.
struct RecordedSeries {
    QString cgroup;
    std::vector<MemorySample> samples;
};

struct CsvReadOptions {
    // Issues beyond this many are counted in skippedRows but not kept, so that a garbage file
    // cannot exhaust memory.
    int maxIssues = 1000;
    // Bytes asked of the device per read(): big enough that the calls vanish from a profile
    // (read() into one reused buffer beat mmap here), small enough that a pipe or a cancel is
    // noticed promptly. Tests make it small to put rows across block boundaries.
    qsizetype blockBytes = qsizetype(1) << 20;
    // Every row through the general field splitter instead of the fast path for plain rows;
    // what is read must not change (the fuzzer compares the two).
    bool generalRowsOnly = false;
};

struct SamplesCsvResult {
    std::vector<RecordedSeries> series; // in order of each cgroup's first row
    std::vector<CsvRowIssue> skipped; // at most CsvReadOptions::maxIssues
    qint64 skippedRows = 0; // all skipped rows, including those not kept in `skipped`
    QStringList ignoredColumns; // header names as written
    QString error; // fatal: set only with no series
    bool canceled = false; // progress returned false: no series
    bool stopped = false; // streamSamplesCsv: the sink asked to stop
    qint64 rows = 0; // data rows imported
    qint64 bytesRead = 0;
};

// Receives the rows of a samples file as they are read (streamSamplesCsv).
class SamplesCsvSink
{
public:
    virtual ~SamplesCsvSink() = default;
    // Every block of the device's bytes, in order, as read (to hash a file in the same pass).
    virtual void bytesRead(const char *data, qsizetype size)
    {
        Q_UNUSED(data);
        Q_UNUSED(size);
    }
    // After the first row: about how many rows the whole file holds (its size over the first
    // row's); not called for a sequential device.
    virtual void expectedRows(qint64 rows) { Q_UNUSED(rows); }
    // A cgroup not seen before, before its first sample; the series are numbered 0, 1, … in
    // the order of these calls. false stops the read.
    virtual bool newSeries(const QString &cgroup) = 0;
    // A good row, in file order (not sorted by time): a sample of series `index`. false stops.
    virtual bool sample(std::size_t index, const MemorySample &sample) = 0;
};

struct ProcsCsvResult {
    std::vector<ProcessSample> rows; // sorted by time (stable)
    std::vector<CsvRowIssue> skipped;
    qint64 skippedRows = 0;
    QStringList ignoredColumns;
    QString error;
    bool canceled = false;
    qint64 bytesRead = 0;
};

// The cgroup name a samples file without a cgroup column stands for: its base name without the
// last extension ("/tmp/web-1.csv" → "web-1").
QString defaultCgroupForFile(const QString &path);

// Reads the open device to its end. progress (bytes consumed) is called every few MiB; returning
// false cancels, which returns no rows and canceled = true.
SamplesCsvResult readSamplesCsv(QIODevice &in, const QString &defaultCgroup, const ProgressFn &progress = {},
                                const CsvReadOptions &options = {});
// The same reading, each row handed to sink as soon as it is parsed, so that memory does not
// grow with the file. The result's series carry the cgroups' names only (no samples); rows
// counts the samples handed over. A sink that returns false ends the read with stopped = true.
SamplesCsvResult streamSamplesCsv(QIODevice &in, const QString &defaultCgroup, SamplesCsvSink &sink,
                                  const ProgressFn &progress = {}, const CsvReadOptions &options = {});
ProcsCsvResult readProcsCsv(QIODevice &in, const ProgressFn &progress = {},
                            const CsvReadOptions &options = {});

// Write a header and one row per sample. The cgroup column is written when cgroup is not empty.
// Errors: Invalid (the device is not open for writing), Io (a write failed).
Result<void> writeSamplesCsv(QIODevice &out, const QString &cgroup, std::span<const MemorySample> samples);
// Several cgroups into one file (series after series), with the union of their columns.
Result<void> writeSamplesCsv(QIODevice &out, std::span<const RecordedSeries> series);
Result<void> writeProcsCsv(QIODevice &out, std::span<const ProcessSample> rows);

// Parses one timestamp field in any of the forms above into epoch milliseconds (UTC).
// unitIsMs: the column is declared as milliseconds (timestamp_ms, ts_epoch_ms).
std::optional<std::int64_t> parseCsvTimestampMs(QByteArrayView text, bool unitIsMs = false);

} // namespace oomscope
