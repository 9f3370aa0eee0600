// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: the state behind a SampleStore — its connection's prepared statements
// and the write-side state of the series it appends to — shared by the store's .cpp files.
#pragma once

#include "samplelevels.h"
#include "samplestore.h"
#include "sqlitestatement.h"
#include "workspacehandle.h"

#include <QFile>

#include <memory>
#include <unordered_map>

namespace oomscope {

struct SampleStore::Private {
    using SeriesState = samplelevels::SeriesState;
    using Bucket = samplelevels::Bucket;

    Workspace &workspace;
    sqlite3 *db = nullptr; // the connection the statements and cache belong to
    std::unordered_map<qint64, std::unique_ptr<SeriesState>> states;

    SqliteStatement upsertChunk;
    SqliteStatement lastChunk;
    SqliteStatement chunkData;
    SqliteStatement seriesMeta;
    SqliteStatement updateSeries;
    SqliteStatement insertProcess;
    QByteArray chunkBlob; // the chunk being written, its buffer reused from chunk to chunk

    explicit Private(Workspace &ws)
        : workspace(ws)
    { }

    // The current connection, or nullptr; drops statements and cache when it changed.
    sqlite3 *connection()
    {
        sqlite3 *current = WorkspaceHandle::of(workspace);
        if (current != db) {
            for (SqliteStatement *s :
                 {&upsertChunk, &lastChunk, &chunkData, &seriesMeta, &updateSeries, &insertProcess})
                *s = SqliteStatement();
            states.clear();
            db = current;
        }
        return db;
    }

    // Writes (samplewrite.cpp).
    Result<void> prepareWriteStatements();
    Result<SeriesState *> loadState(qint64 seriesId);
    Result<void> loadTail(qint64 seriesId, int level, SeriesState::Level &lv, chunk::ChunkBuilder &raw);
    Result<void> writeTail(qint64 seriesId, int level, SeriesState &st);
    Result<void> levelBlob(qint64 seriesId, int level, const SeriesState::Level &lv);
    Result<void> pushRecord(qint64 seriesId, int level, SeriesState &st, const Bucket &row);
    Result<void> emitBucket(qint64 seriesId, int index, SeriesState &st, const Bucket &b);
    Result<void> flushOpen(qint64 seriesId, int index, SeriesState &st);
    Result<void> cascade(qint64 seriesId, int index, SeriesState &st, const Bucket &closed);
    Result<void> closeBuckets(qint64 seriesId, SeriesState &st, const MemorySample &s);
    Result<void> flush(qint64 seriesId, SeriesState &st);
    // One sample (not before the series' last) into the tails and open buckets; full chunks are
    // written out, the partial tails by flush().
    Result<void> pushSample(qint64 seriesId, SeriesState &st, const MemorySample &s);
    // The series row's time range and count after samples were added.
    Result<void> addToSeries(qint64 seriesId, std::int64_t firstMs, std::int64_t lastMs, qint64 count);

    // Recording imports (samplecsvimport.cpp). sorted: read the file whole and sort it; unsorted
    // is set when a streamed attempt found a series out of time order (nothing is stored then).
    class SampleFeed;
    SamplesImportResult importSamples(SampleStore &store, QFile &file, const QString &host,
                                      const ProgressFn &progress, bool sorted, bool &unsorted);

    // Queries (samplequery.cpp). Chunks overlapping [lo, hi] of one level, decoded and cut to
    // the range, appended to out; with drain, handed to it after each chunk (which may empty out).
    bool readRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi, chunk::ColumnBlock &out,
                   const std::function<void(chunk::ColumnBlock &)> &drain = {}) const;
    qint64 countRange(qint64 seriesId, int level, std::int64_t lo, std::int64_t hi) const;
};

} // namespace oomscope
