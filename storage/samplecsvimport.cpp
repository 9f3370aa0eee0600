// SPDX-License-Identifier: GPL-3.0-or-later
// Recording CSV imports (samples, per-process samples): one transaction per file, the file a
// source of the SourceRegistry (content-hash dedup, skipped rows stored as warnings).
#include "bulkimport.h"
#include "samplestore.h"
#include "samplestoreprivate.h"
#include "sourceregistry.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// The shared start of a recording import: an open workspace, a readable file hashed, and
// content not imported before (then the result says alreadyImported). Empty: the result is
// final. The file is rewound for the parser.
template<typename ImportResultT>
std::optional<SourceContent> startSourceImport(sqlite3 *db, QFile &file, ImportResultT &result)
{
    if (!db) {
        result.error = u"no workspace is open"_s;
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString());
        return std::nullopt;
    }
    const Result<SourceContent> content = ContentHasher::ofDevice(file);
    if (!content) {
        result.error = u"read error in %1: %2"_s.arg(file.fileName(), content.error().message);
        return std::nullopt;
    }
    const Result<std::optional<qint64>> existing = SourceRegistry(db).find(content->hash);
    if (!existing) {
        result.error = existing.error().message;
        return std::nullopt;
    }
    if (*existing) {
        result.ok = true;
        result.alreadyImported = true;
        result.sourceId = **existing;
        return std::nullopt;
    }
    if (!file.seek(0)) {
        result.error = u"cannot rewind %1"_s.arg(file.fileName());
        return std::nullopt;
    }
    return *content;
}

// The source row of a recording file with its skipped rows as warnings; returns its id.
Result<qint64> addRecordingSource(sqlite3 *db, const QString &path, const SourceContent &content,
                                  qint64 lines, const char *kind, const std::vector<CsvRowIssue> &issues)
{
    SourceRegistry registry(db);
    const Result<qint64> sourceId =
        registry.add(NewSource {QFileInfo(path).fileName(), content, lines, kind});
    if (!sourceId)
        return sourceId;
    std::vector<ParseWarning> warnings;
    warnings.reserve(issues.size());
    for (const CsvRowIssue &issue : issues)
        warnings.push_back(ParseWarning {issue.line, ParseWarning::Kind::Malformed, issue.detail});
    if (Result<void> stored = registry.addWarnings(*sourceId, warnings); !stored)
        return tl::unexpected<Error>(stored.error());
    return sourceId;
}

// Parse outcome shared by both CSV readers: canceled or failed ends the import.
template<typename ImportResultT, typename ParsedT> bool parsedOk(const ParsedT &parsed, ImportResultT &result)
{
    result.skippedRows = parsed.skippedRows;
    result.warnings = parsed.skipped;
    if (parsed.canceled) {
        result.canceled = true;
        return false;
    }
    if (!parsed.error.isEmpty()) {
        result.error = parsed.error;
        return false;
    }
    return true;
}

} // namespace

SamplesImportResult SampleStore::importSamplesCsv(const QString &path, const QString &host,
                                                  const ProgressFn &progress)
{
    SamplesImportResult result;
    sqlite3 *db = d->connection();
    QFile file(path);
    const std::optional<SourceContent> content = startSourceImport(db, file, result);
    if (!content)
        return result;
    SamplesCsvResult parsed = readSamplesCsv(file, defaultCgroupForFile(path), progress);
    if (!parsedOk(parsed, result))
        return result;

    const BulkImportSettings bulk(db);
    SqliteTransaction scope(db, "oomscope_samples");
    if (!beginOrReport(scope, result))
        return result;
    auto fail = [&](const QString &error) {
        scope.rollback();
        d->states.clear(); // tails of every series this import touched are stale now
        result.error = error;
        result.seriesIds.clear();
        result.samplesAdded = 0;
        return result;
    };
    const Result<qint64> sourceId =
        addRecordingSource(db, path, *content, parsed.rows, "samples", parsed.skipped);
    if (!sourceId)
        return fail(sourceId.error().message);
    result.sourceId = *sourceId;
    for (const RecordedSeries &rs : parsed.series) {
        const Result<qint64> id = ensureSeries(host, rs.cgroup);
        if (!id)
            return fail(id.error().message);
        const AppendResult appended = append(*id, rs.samples);
        if (!appended.ok)
            return fail(u"cgroup %1: %2"_s.arg(rs.cgroup, appended.error));
        result.seriesIds.push_back(*id);
        result.samplesAdded += appended.appended;
    }
    if (Result<void> committed = scope.commit(); !committed)
        return fail(u"cannot commit the import: "_s + committed.error().message);
    result.ok = true;
    return result;
}

ProcsImportResult
SampleStore::importProcsCsv(const QString &path,
                            const std::function<qint64(const ProcessSample &)> &seriesLookup,
                            const ProgressFn &progress)
{
    ProcsImportResult result;
    sqlite3 *db = d->connection();
    QFile file(path);
    const std::optional<SourceContent> content = startSourceImport(db, file, result);
    if (!content)
        return result;
    ProcsCsvResult parsed = readProcsCsv(file, progress);
    if (!parsedOk(parsed, result))
        return result;

    SqliteTransaction scope(db, "oomscope_samples");
    if (!beginOrReport(scope, result))
        return result;
    auto fail = [&](const QString &message) {
        scope.rollback();
        result.error = message;
        result.rowsAdded = 0;
        return result;
    };
    const Result<qint64> sourceId =
        addRecordingSource(db, path, *content, qint64(parsed.rows.size()), "procs", parsed.skipped);
    if (!sourceId)
        return fail(sourceId.error().message);
    result.sourceId = *sourceId;
    // Consecutive rows of one series go in one call (one savepoint), not one per row.
    const std::span<const ProcessSample> rows(parsed.rows);
    std::size_t runStart = 0;
    qint64 runSeries = 0;
    auto flushRun = [&](std::size_t end) -> Result<void> {
        if (runSeries > 0 && end > runStart) {
            if (Result<void> appended = appendProcesses(runSeries, rows.subspan(runStart, end - runStart));
                !appended)
                return appended;
            result.rowsAdded += qint64(end - runStart);
        }
        return {};
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const qint64 seriesId = seriesLookup ? std::max<qint64>(0, seriesLookup(rows[i])) : 0;
        if (seriesId != runSeries) {
            if (Result<void> flushed = flushRun(i); !flushed)
                return fail(flushed.error().message);
            runStart = i;
            runSeries = seriesId;
        }
        if (seriesId == 0)
            ++result.rowsUnplaced;
    }
    if (Result<void> flushed = flushRun(rows.size()); !flushed)
        return fail(flushed.error().message);
    if (Result<void> committed = scope.commit(); !committed)
        return fail(u"cannot commit the import: "_s + committed.error().message);
    result.ok = true;
    return result;
}

} // namespace oomscope
