// SPDX-License-Identifier: GPL-3.0-or-later
// Recording CSV imports (samples, per-process samples): one transaction per file, the file a
// source of the SourceRegistry (content-hash dedup, skipped rows stored as warnings). Samples
// are stored as they are parsed (SampleFeed), so an import's memory does not grow with the file.
#include "bulkimport.h"
#include "handoff.h"
#include "samplestore.h"
#include "samplestoreprivate.h"
#include "sourceregistry.h"

#include <QFile>
#include <QFileInfo>

#include <limits>
#include <sqlite3.h>
#include <utility>
#include <vector>

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
        result.errorKind = Error::Kind::Internal;
        return std::nullopt;
    }
    if (!file.isOpen() && !file.open(QIODevice::ReadOnly)) {
        result.error = u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString());
        result.errorKind = Error::Kind::NotFound;
        return std::nullopt;
    }
    const Result<SourceContent> content = ContentHasher::ofDevice(file);
    if (!content) {
        result.error = u"read error in %1: %2"_s.arg(file.fileName(), content.error().message);
        result.errorKind = content.error().kind;
        return std::nullopt;
    }
    const Result<std::optional<qint64>> existing = SourceRegistry(db).find(content->hash);
    if (!existing) {
        result.error = existing.error().message;
        result.errorKind = existing.error().kind;
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
        result.errorKind = Error::Kind::Io;
        return std::nullopt;
    }
    return *content;
}

// The skipped rows of a recording file as the warnings of its source.
Result<void> addRecordingWarnings(SourceRegistry &registry, qint64 sourceId,
                                  const std::vector<CsvRowIssue> &issues)
{
    std::vector<ParseWarning> warnings;
    warnings.reserve(issues.size());
    for (const CsvRowIssue &issue : issues)
        warnings.push_back(ParseWarning {issue.line, ParseWarning::Kind::Malformed, issue.detail});
    return registry.addWarnings(sourceId, warnings);
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
    if (Result<void> stored = addRecordingWarnings(registry, *sourceId, issues); !stored)
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
        result.errorKind = Error::Kind::Invalid;
        return false;
    }
    return true;
}

} // namespace

// Stores the samples of a samples file as they come: each goes straight into its series' tail
// and open buckets, full chunks are written as they fill, so memory holds a partial chunk per
// series whatever the size of the file. The rows of one series must come in time order: a row
// earlier than the one before it in its series cannot go into chunks already written, and the
// feed stops with Stop::Unsorted (the import is then done again from the sorted file).
class SampleStore::Private::SampleFeed final : public SamplesCsvSink
{
public:
    enum class Stop { None, Unsorted, Failed };

    SampleFeed(SampleStore &store, Private &d, const QString &host)
        : m_store(store)
        , m_d(d)
        , m_host(host)
    { }

    void bytesRead(const char *data, qsizetype size) override { m_hasher.add(data, size); }

    bool newSeries(const QString &cgroup) override
    {
        const Result<qint64> id = m_store.ensureSeries(m_host, cgroup);
        if (!id)
            return failed(id.error());
        const Result<SeriesState *> state = m_d.loadState(*id);
        if (!state)
            return failed({state.error().kind, u"cgroup %1: "_s.arg(cgroup) + state.error().message});
        Fed fed {cgroup, *id, *state};
        fed.lastMs = (*state)->count > 0 ? (*state)->lastMs : std::numeric_limits<std::int64_t>::min();
        m_series.push_back(std::move(fed));
        return true;
    }

    bool sample(std::size_t index, const MemorySample &s) override
    {
        Fed &fed = m_series[index];
        if (s.timestampMs < fed.lastMs) {
            if (fed.added > 0) {
                m_stop = Stop::Unsorted;
                return false;
            }
            return failed({Error::Kind::Invalid,
                           u"cgroup %1: samples before the series' last sample (%2 < %3)"_s.arg(fed.cgroup)
                               .arg(s.timestampMs)
                               .arg(fed.lastMs)});
        }
        if (fed.added == 0)
            fed.firstMs = s.timestampMs;
        fed.lastMs = s.timestampMs;
        ++fed.added;
        if (Result<void> pushed = m_d.pushSample(fed.id, *fed.state, s); !pushed)
            return failed({pushed.error().kind, u"cgroup %1: "_s.arg(fed.cgroup) + pushed.error().message});
        return true;
    }

    // Once every row is in: the partial tails and open buckets, and the series rows.
    Result<void> finish()
    {
        for (Fed &fed : m_series) {
            if (fed.added == 0)
                continue;
            if (Result<void> flushed = m_d.flush(fed.id, *fed.state); !flushed)
                return flushed;
            if (Result<void> updated = m_d.addToSeries(fed.id, fed.firstMs, fed.lastMs, fed.added); !updated)
                return updated;
        }
        return {};
    }

    // After the commit: the cached states match the file again.
    void committed()
    {
        for (Fed &fed : m_series) {
            fed.state->count += fed.added;
            if (fed.added > 0)
                fed.state->lastMs = fed.lastMs;
        }
    }

    std::vector<qint64> seriesIds() const
    {
        std::vector<qint64> ids;
        for (const Fed &fed : m_series)
            ids.push_back(fed.id);
        return ids;
    }

    ContentHasher &hasher() { return m_hasher; }
    Stop stop() const { return m_stop; }
    const Error &error() const { return m_error; }

private:
    struct Fed {
        QString cgroup;
        qint64 id = 0;
        SeriesState *state = nullptr;
        qint64 added = 0;
        std::int64_t firstMs = 0;
        std::int64_t lastMs = 0; // of this import's samples, else of the stored ones
    };

    bool failed(const Error &error)
    {
        m_stop = Stop::Failed;
        m_error = error;
        return false;
    }

    SampleStore &m_store;
    Private &m_d;
    const QString &m_host;
    ContentHasher m_hasher;
    std::vector<Fed> m_series;
    Stop m_stop = Stop::None;
    Error m_error;
};

namespace {

// Hands the parsed rows to a storing thread, so that parsing the next rows and storing these
// (encoding chunks, SQLite) overlap: on two cores ~1.5x the rows per second of one thread. The
// rows go over in batches (a lock per batch, not per row), in file order, each new series before
// its first sample. The hash of the bytes is taken here, on the reading thread, so it covers
// exactly what was read. Once the feed stops (unsorted, a store failed) the rest is skipped and
// the reader is told at its next batch.
class FeedOnAThread final : public SamplesCsvSink
{
public:
    explicit FeedOnAThread(SamplesCsvSink &feed)
        : m_feed(feed)
    {
        m_batch.samples.reserve(kBatch);
    }

    void bytesRead(const char *data, qsizetype size) override { m_feed.bytesRead(data, size); }
    void expectedRows(qint64 rows) override { m_feed.expectedRows(rows); }

    bool newSeries(const QString &cgroup) override
    {
        m_batch.newSeries.push_back({m_batch.samples.size(), cgroup});
        return !m_storing.stopped();
    }

    bool sample(std::size_t index, const MemorySample &s) override
    {
        m_batch.samples.push_back({index, s});
        if (m_batch.samples.size() < kBatch)
            return true;
        handOver();
        return !m_storing.stopped();
    }

    // Every row handed over stored (or skipped: skipRest, or after a stop); the thread joined.
    // The feed's state is the caller's again.
    void finish(bool skipRest)
    {
        if (skipRest)
            m_storing.stop();
        handOver();
        m_storing.finish();
    }

private:
    static constexpr std::size_t kBatch = 4096;
    static constexpr std::size_t kBatchesWaiting = 4; // 512 KiB each (128 bytes a row)

    struct Batch {
        std::vector<std::pair<std::size_t, MemorySample>> samples; // series index, sample
        std::vector<std::pair<std::size_t, QString>> newSeries; // before samples[first]
    };

    void handOver()
    {
        if (m_batch.samples.empty() && m_batch.newSeries.empty())
            return;
        m_storing.push(std::exchange(m_batch, {}));
        m_batch.samples.reserve(kBatch);
    }

    void store(Batch &&batch)
    {
        std::size_t next = 0;
        auto seriesUpTo = [&](std::size_t position) {
            for (; next < batch.newSeries.size() && batch.newSeries[next].first <= position; ++next) {
                if (m_storing.stopped() || !m_feed.newSeries(batch.newSeries[next].second))
                    return false;
            }
            return true;
        };
        for (std::size_t i = 0; i < batch.samples.size(); ++i) {
            if (m_storing.stopped() || !seriesUpTo(i)
                || !m_feed.sample(batch.samples[i].first, batch.samples[i].second)) {
                m_storing.stop();
                return;
            }
        }
        if (!seriesUpTo(batch.samples.size()))
            m_storing.stop();
    }

    SamplesCsvSink &m_feed; // bytesRead(), expectedRows() here; the rest on the storing thread
    Batch m_batch;
    Handoff<Batch> m_storing {kBatchesWaiting, [this](Batch &&b) {
                                  store(std::move(b));
                              }}; // last
};

} // namespace

// One attempt at a samples import. Streamed: the file is read once, its rows stored as they are
// parsed, its hash taken on the way (the source row waits under a placeholder hash, and content
// seen before is rolled back at the end). Sorted (after a streamed attempt met a series out of
// time order): hashed first, then read whole and sorted, as the import always was before.
SamplesImportResult SampleStore::Private::importSamples(SampleStore &store, QFile &file, const QString &host,
                                                        const ProgressFn &progress, bool sorted,
                                                        bool &unsorted)
{
    unsorted = false;
    SamplesImportResult result;
    if (Result<void> prepared = prepareWriteStatements(); !prepared) {
        result.error = prepared.error().message;
        result.errorKind = prepared.error().kind;
        return result;
    }
    std::optional<SourceContent> knownContent;
    if (sorted) {
        knownContent = startSourceImport(db, file, result);
        if (!knownContent)
            return result;
    }

    const BulkImportSettings bulk(db);
    SqliteTransaction scope(db, "oomscope_samples");
    if (!beginOrReport(scope, result))
        return result;
    auto fail = [&](const Error &error) {
        scope.rollback();
        states.clear(); // tails of every series this import touched are stale now
        result.error = error.message;
        result.errorKind = error.kind;
        result.seriesIds.clear();
        result.samplesAdded = 0;
        return result;
    };
    SourceRegistry registry(db);
    const QString name = QFileInfo(file.fileName()).fileName();
    const Result<qint64> sourceId =
        registry.add(NewSource {name, knownContent.value_or(SourceContent {"pending", 0}), 0, "samples"});
    if (!sourceId)
        return fail(sourceId.error());

    SampleFeed feed(store, *this, host);
    if (!feed.hasher().isValid())
        return fail({Error::Kind::Internal, u"out of memory"_s});
    const QString defaultCgroup = defaultCgroupForFile(file.fileName());
    SamplesCsvResult parsed;
    if (sorted) {
        parsed = readSamplesCsv(file, defaultCgroup, progress);
        // Each series whole and in time order: only the samples stored before can be out of order.
        for (std::size_t i = 0; i < parsed.series.size() && feed.stop() == SampleFeed::Stop::None; ++i) {
            if (!feed.newSeries(parsed.series[i].cgroup))
                break;
            for (const MemorySample &s : parsed.series[i].samples) {
                if (!feed.sample(i, s))
                    break;
            }
        }
    } else {
        FeedOnAThread storing(feed);
        parsed = streamSamplesCsv(file, defaultCgroup, storing, progress);
        storing.finish(parsed.canceled || !parsed.error.isEmpty());
    }
    result.skippedRows = parsed.skippedRows;
    result.warnings = parsed.skipped;
    if (feed.stop() == SampleFeed::Stop::Unsorted) {
        unsorted = true;
        return fail({});
    }
    if (parsed.canceled) {
        fail({Error::Kind::Canceled, {}});
        result.canceled = true;
        return result;
    }
    if (!parsed.error.isEmpty())
        return fail({Error::Kind::Invalid, parsed.error});

    // The content seen before: nothing to add. Asked also when storing failed, since the same
    // file again fails (its samples lie before the series' stored ones) where it should be a
    // no-op; the bytes the reader did not get to are hashed on their own.
    const std::optional<SourceContent> content = [&]() -> std::optional<SourceContent> {
        if (knownContent)
            return knownContent;
        if (feed.stop() == SampleFeed::Stop::Failed) {
            QByteArray block(1 << 20, Qt::Uninitialized);
            qint64 n = 0;
            while ((n = file.read(block.data(), block.size())) > 0)
                feed.hasher().add(block.constData(), n);
            if (n < 0)
                return std::nullopt;
        } else if (feed.hasher().bytes() != parsed.bytesRead) {
            // The hash is the source's identity: it must cover exactly the bytes that were parsed.
            return std::nullopt;
        }
        return feed.hasher().content();
    }();
    if (!content && feed.stop() != SampleFeed::Stop::Failed)
        return fail({Error::Kind::Internal,
                     u"internal error: hashed %1 of %2 bytes read"_s.arg(feed.hasher().bytes())
                         .arg(parsed.bytesRead)});
    if (content && !knownContent) {
        const Result<std::optional<qint64>> seen = registry.find(content->hash, *sourceId);
        if (!seen)
            return fail(seen.error());
        if (*seen) {
            fail({});
            result.error.clear();
            result.ok = true;
            result.alreadyImported = true;
            result.sourceId = **seen;
            result.skippedRows = 0;
            result.warnings.clear();
            return result;
        }
    }
    if (feed.stop() == SampleFeed::Stop::Failed)
        return fail(feed.error());
    if (Result<void> finished = feed.finish(); !finished)
        return fail(finished.error());
    if (Result<void> done = registry.finish(*sourceId, *content, parsed.rows); !done)
        return fail(done.error());
    if (Result<void> stored = addRecordingWarnings(registry, *sourceId, parsed.skipped); !stored)
        return fail(stored.error());
    if (Result<void> committed = scope.commit(); !committed)
        return fail({committed.error().kind, u"cannot commit the import: "_s + committed.error().message});
    feed.committed();
    result.ok = true;
    result.sourceId = *sourceId;
    result.seriesIds = feed.seriesIds();
    result.samplesAdded = parsed.rows;
    return result;
}

SamplesImportResult SampleStore::importSamplesCsv(const QString &path, const QString &host,
                                                  const ProgressFn &progress)
{
    if (!d->connection()) {
        SamplesImportResult result;
        result.error = u"no workspace is open"_s;
        result.errorKind = Error::Kind::Internal;
        return result;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        SamplesImportResult result;
        result.error = u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString());
        result.errorKind = Error::Kind::NotFound;
        return result;
    }
    bool unsorted = false;
    SamplesImportResult streamed = d->importSamples(*this, file, host, progress, false, unsorted);
    if (!unsorted)
        return streamed;
    if (!file.seek(0)) {
        streamed.error = u"cannot rewind %1"_s.arg(file.fileName());
        streamed.errorKind = Error::Kind::Io;
        return streamed;
    }
    return d->importSamples(*this, file, host, progress, true, unsorted);
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
    auto fail = [&](const Error &error) {
        scope.rollback();
        result.error = error.message;
        result.errorKind = error.kind;
        result.rowsAdded = 0;
        return result;
    };
    const Result<qint64> sourceId =
        addRecordingSource(db, path, *content, qint64(parsed.rows.size()), "procs", parsed.skipped);
    if (!sourceId)
        return fail(sourceId.error());
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
                return fail(flushed.error());
            runStart = i;
            runSeries = seriesId;
        }
        if (seriesId == 0)
            ++result.rowsUnplaced;
    }
    if (Result<void> flushed = flushRun(rows.size()); !flushed)
        return fail(flushed.error());
    if (Result<void> committed = scope.commit(); !committed)
        return fail({committed.error().kind, u"cannot commit the import: "_s + committed.error().message});
    result.ok = true;
    return result;
}

} // namespace oomscope
