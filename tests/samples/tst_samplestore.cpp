// SPDX-License-Identifier: GPL-3.0-or-later
// Tests for the sample store: schema migration 1 → 2, exact round trips, chunk/tail handling,
// stored levels of detail against a brute-force aggregation, envelopes, rollback and deleting a
// series. Workloads, placements, process samples and the CSV import: tst_sampleworkloads.
#include "samplechunk.h"
#include "samplestore.h"
#include "samplestorefixture.h"
#include "samplethinner.h"
#include "schema.h"
#include "workspace.h"
#include "workspacetransaction.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <random>
#include <sqlite3.h>
#include <variant>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace samplestoretest;

namespace {

// Random samples in time order: duplicate times, sub-second to multi-day steps, unknown fields,
// unlimited limits, NaN boottimes, so every bucket and chunk edge case occurs.
std::vector<MemorySample> randomSamples(std::size_t n, std::uint64_t seed, std::int64_t startMs = kBaseMs)
{
    std::mt19937_64 rng(seed);
    auto chance = [&](int percent) {
        return int(rng() % 100) < percent;
    };
    std::vector<MemorySample> out;
    out.reserve(n);
    std::int64_t t = startMs;
    std::int64_t usage = 50'000'000;
    for (std::size_t i = 0; i < n; ++i) {
        const int kind = int(rng() % 1000);
        if (kind < 30)
            t += 0; // duplicate time
        else if (kind < 900)
            t += std::int64_t(1 + rng() % 3000);
        else if (kind < 995)
            t += std::int64_t(10'000 + rng() % 600'000);
        else
            t += std::int64_t(86'400'000 + rng() % 90'000'000);
        usage = std::max<std::int64_t>(0, usage + std::int64_t(rng() % 2'000'001) - 1'000'000);
        MemorySample s;
        s.timestampMs = t;
        auto maybe = [&](std::int64_t v) {
            return chance(10) ? kUnknown : v;
        };
        s.usageBytes = maybe(usage);
        s.limitBytes = chance(20) ? MemorySample::kUnlimited : maybe(134'217'728);
        s.highBytes = chance(50) ? kUnknown : std::int64_t(rng() % 200'000'000);
        s.anonBytes = maybe(usage / 2 + std::int64_t(rng() % 1000));
        s.fileBytes = maybe(usage / 3);
        s.activeFileBytes = maybe(usage / 6);
        s.inactiveFileBytes = maybe(std::int64_t(rng() % 20'000'000));
        s.shmemBytes = maybe(std::int64_t(rng() % 4096) * 4096);
        s.kernelBytes = maybe(std::int64_t(rng() % 5'000'000));
        s.swapBytes = maybe(0);
        s.failcnt = maybe(std::int64_t(i / 7));
        s.oomKillCount = maybe(std::int64_t(i / 1000));
        // A spike between samples now and then; unknown like the other fields (older chunks).
        s.peakBytes = chance(10) ? std::int64_t(usage + rng() % 30'000'000) : maybe(usage);
        s.boottimeSeconds = chance(10) ? std::nan("") : double(t - startMs) / 1000.0 + 12.345678;
        out.push_back(s);
    }
    return out;
}

// Brute force: the expected buckets of width widthMs whose start lies in [alignDown(from), to].
struct ExpectedBucket {
    std::int64_t start = 0, lastTime = 0, count = 0;
    std::int64_t minUsage = kUnknown, maxUsage = kUnknown, lastUsage = kUnknown;
    std::int64_t minWs = kUnknown, maxWs = kUnknown, lastWs = kUnknown;
    std::int64_t lastAnon = kUnknown, lastInactive = kUnknown, lastLimit = kUnknown, lastHigh = kUnknown;
    std::int64_t maxFailcnt = kUnknown, maxOomKill = kUnknown, maxPeak = kUnknown;
};

std::int64_t floorTo(std::int64_t t, std::int64_t width)
{
    return (t >= 0 ? t / width : -((-t + width - 1) / width)) * width;
}

std::vector<ExpectedBucket> bruteForce(const std::vector<MemorySample> &samples, std::int64_t widthMs,
                                       std::int64_t fromMs, std::int64_t toMs)
{
    std::map<std::int64_t, ExpectedBucket> buckets;
    const std::int64_t lo = floorTo(fromMs, widthMs);
    for (const MemorySample &s : samples) {
        const std::int64_t start = floorTo(s.timestampMs, widthMs);
        if (start < lo || start > toMs)
            continue;
        ExpectedBucket &b = buckets[start];
        b.start = start;
        b.lastTime = s.timestampMs;
        ++b.count;
        auto minOf = [](std::int64_t &acc, std::int64_t v) {
            if (v != kUnknown && (acc == kUnknown || v < acc))
                acc = v;
        };
        auto maxOf = [](std::int64_t &acc, std::int64_t v) {
            if (v != kUnknown && (acc == kUnknown || v > acc))
                acc = v;
        };
        auto lastOf = [](std::int64_t &acc, std::int64_t v) {
            if (v != kUnknown)
                acc = v;
        };
        const std::int64_t ws = s.usageBytes == kUnknown ? kUnknown
            : s.inactiveFileBytes == kUnknown            ? s.usageBytes
                                              : std::max<std::int64_t>(0, s.usageBytes - s.inactiveFileBytes);
        minOf(b.minUsage, s.usageBytes);
        maxOf(b.maxUsage, s.usageBytes);
        lastOf(b.lastUsage, s.usageBytes);
        minOf(b.minWs, ws);
        maxOf(b.maxWs, ws);
        lastOf(b.lastWs, ws);
        lastOf(b.lastAnon, s.anonBytes);
        lastOf(b.lastInactive, s.inactiveFileBytes);
        lastOf(b.lastLimit, s.limitBytes);
        lastOf(b.lastHigh, s.highBytes);
        maxOf(b.maxFailcnt, s.failcnt);
        maxOf(b.maxOomKill, s.oomKillCount);
        maxOf(b.maxPeak, s.peakBytes); // the highest usage seen: between samples or at one
        maxOf(b.maxPeak, s.usageBytes);
    }
    std::vector<ExpectedBucket> out;
    for (const auto &entry : buckets)
        out.push_back(entry.second);
    return out;
}

QString compareLevel(const SampleEnvelope &env, const std::vector<ExpectedBucket> &expected)
{
    if (env.size() != expected.size())
        return u"bucket count %1, expected %2"_s.arg(env.size()).arg(expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const ExpectedBucket &e = expected[i];
        const std::array<std::pair<std::int64_t, std::int64_t>, 17> pairs {{
            {env.timeMs[i], e.start},
            {env.lastTimeMs[i], e.lastTime},
            {env.sampleCount[i], e.count},
            {env.minUsageBytes[i], e.minUsage},
            {env.maxUsageBytes[i], e.maxUsage},
            {env.lastUsageBytes[i], e.lastUsage},
            {env.minWorkingSetBytes[i], e.minWs},
            {env.maxWorkingSetBytes[i], e.maxWs},
            {env.lastWorkingSetBytes[i], e.lastWs},
            {env.lastAnonBytes[i], e.lastAnon},
            {env.lastInactiveFileBytes[i], e.lastInactive},
            {env.lastLimitBytes[i], e.lastLimit},
            {env.lastHighBytes[i], e.lastHigh},
            {env.maxFailcnt[i], e.maxFailcnt},
            {env.maxOomKillCount[i], e.maxOomKill},
            {env.maxPeakBytes[i], e.maxPeak},
            {env.lastTimeMs[i] >= env.timeMs[i], 1},
        }};
        for (std::size_t f = 0; f < pairs.size(); ++f) {
            if (pairs[f].first != pairs[f].second)
                return u"bucket %1 (start %2) field %3: %4, expected %5"_s.arg(i)
                    .arg(e.start)
                    .arg(f)
                    .arg(pairs[f].first)
                    .arg(pairs[f].second);
        }
    }
    return {};
}

} // namespace

class TestSampleStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chunkCodecRoundTrip();
    void chunkSpliceEqualsEncode();
    void migrationFromVersion1KeepsEvents();
    void appendAndQueryRoundTrip();
    void smallBatchesEqualOneBatch();
    void writeStateDoesNotGrowWithTheSession();
    void levelsMatchBruteForce();
    void envelopeRespectsMaxPointsAndCoversRange();
    void thinnedSamplesReadChunkByChunkAsAWhole();
    void processSamplesThinnedByReading();
    void cancelAndErrorMidBatchRollBack();
    void outerRollbackDoesNotCorruptTail();
    void deleteSeries();

private:
    QTemporaryDir m_dir;
    int m_files = 0;
    QString newPath() { return m_dir.filePath(u"ws%1.sqlite"_s.arg(++m_files)); }
};

void TestSampleStore::chunkCodecRoundTrip()
{
    std::mt19937_64 rng(7);
    chunk::ColumnBlock block(5);
    const std::array<std::int64_t, 6> extremes {
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), -1, 0, 1, 127};
    for (int r = 0; r < 3000; ++r) {
        std::array<std::int64_t, 5> row {};
        row[0] = r * 1000;
        row[1] = extremes[std::size_t(r) % extremes.size()];
        row[2] = std::int64_t(rng());
        row[3] = -1;
        row[4] = std::int64_t(rng() % 300) - 150;
        block.push(row);
    }
    const QByteArray blob = chunk::encode(block);
    chunk::ColumnBlock back(5);
    QVERIFY(chunk::decodeAppend(std::span(blob.constData(), std::size_t(blob.size())), back));
    QCOMPARE(back.columns, block.columns);
    std::vector<std::int64_t> column;
    QVERIFY(chunk::decodeColumn(std::span(blob.constData(), std::size_t(blob.size())), 2, column));
    QCOMPARE(column, block.columns[2]);
    // A sub-range encodes only those rows.
    const QByteArray part = chunk::encode(block, 100, 50);
    chunk::ColumnBlock partBack(5);
    QVERIFY(chunk::decodeAppend(std::span(part.constData(), std::size_t(part.size())), partBack));
    QCOMPARE(partBack.size(), std::size_t(50));
    QCOMPARE(partBack.columns[2].front(), block.columns[2][100]);
    // Truncated or wrongly shaped blobs are refused, never read past their end.
    chunk::ColumnBlock junk(5);
    QVERIFY(!chunk::decodeAppend(std::span(blob.constData(), std::size_t(blob.size() - 3)), junk));
    chunk::ColumnBlock wrongShape(4);
    QVERIFY(!chunk::decodeAppend(std::span(blob.constData(), std::size_t(blob.size())), wrongShape));
    // A chunk written before a column was added (peak_bytes) reads with that column unknown.
    chunk::ColumnBlock wider(6);
    QVERIFY(chunk::decodeAppend(std::span(blob.constData(), std::size_t(blob.size())), wider));
    for (int c = 0; c < 5; ++c)
        QCOMPARE(wider.columns[std::size_t(c)], block.columns[std::size_t(c)]);
    QCOMPARE(wider.columns[5], std::vector<std::int64_t>(block.size(), -1));
    QVERIFY(!chunk::decodeColumn(std::span(blob.constData(), std::size_t(10)), 4, column));
}

void TestSampleStore::migrationFromVersion1KeepsEvents()
{
    // A reference workspace at the current version with real events…
    const QString reference = newPath();
    Workspace ref;
    QVERIFY(ref.open(reference));
    const ImportResult imported = ref.importLogFile(dataPath(u"recordings/checkout-leak/kernel.log"_s));
    QVERIFY2(imported.ok, qPrintable(imported.error));
    QVERIFY(imported.eventsAdded > 0);
    const std::vector<EventSummary> refEvents = ref.events();
    const std::optional<OomEvent> refEvent = ref.event(refEvents.front().id);
    QVERIFY(refEvent);
    ref.close();

    // …copied into a file made by migration 1 alone, as an older oomscope left it.
    const QString oldPath = newPath();
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(oldPath).constData(), &db), SQLITE_OK);
    const QByteArray v1 = "BEGIN;" + QByteArray(schema::migrations().front().sql)
        + "PRAGMA user_version = 1; PRAGMA application_id = " + QByteArray::number(schema::kApplicationId)
        + "; COMMIT;";
    QCOMPARE(schema::migrations().front().version, 1);
    execOrFail(db, v1.constData());
    const QByteArray attach = "ATTACH '" + QFile::encodeName(reference) + "' AS ref";
    execOrFail(db, attach.constData());
    execOrFail(db,
               "INSERT INTO sources (id, name, content_hash, bytes, lines, imported_at) "
               "SELECT id, name, content_hash, bytes, lines, imported_at FROM ref.sources;"
               "INSERT INTO events SELECT * FROM ref.events;"
               "INSERT INTO group_kills SELECT * FROM ref.group_kills;"
               "INSERT INTO memcg_stats SELECT * FROM ref.memcg_stats;"
               "INSERT INTO warnings SELECT * FROM ref.warnings;"
               "DETACH ref;");
    // Migration 1 kept a row per task and per raw line (the current schema one row per event).
    auto insertRow = [db](const char *sql, const std::vector<std::variant<qint64, QString>> &values) {
        sqlite3_stmt *insert = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &insert, nullptr) != SQLITE_OK)
            return false;
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (const auto *n = std::get_if<qint64>(&values[i])) {
                sqlite3_bind_int64(insert, int(i) + 1, *n);
            } else {
                const QByteArray text = std::get<QString>(values[i]).toUtf8();
                sqlite3_bind_text(insert, int(i) + 1, text.constData(), int(text.size()), SQLITE_TRANSIENT);
            }
        }
        const int stepped = sqlite3_step(insert);
        sqlite3_finalize(insert);
        return stepped == SQLITE_DONE;
    };
    const qint64 eventId = refEvents.front().id;
    for (std::size_t i = 0; i < refEvent->tasks.size(); ++i) {
        const OomTask &t = refEvent->tasks[i];
        QVERIFY(
            insertRow("INSERT INTO tasks (event_id, ord, pid, uid, tgid, total_vm_pages, rss_pages, "
                      "swapents_pages, oom_score_adj, comm, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      {eventId, qint64(i), t.pid, t.uid, t.tgid, t.totalVmPages, t.rssPages, t.swapEntsPages,
                       qint64(t.oomScoreAdj), t.comm, t.line}));
    }
    for (std::size_t i = 0; i < refEvent->rawLines.size(); ++i) {
        const RawLine &l = refEvent->rawLines[i];
        QVERIFY(insertRow("INSERT INTO raw_lines (event_id, ord, line, text) VALUES (?, ?, ?, ?)",
                          {eventId, qint64(i), l.line, l.text}));
    }
    QCOMPARE(queryInt(db, "PRAGMA user_version"), 1);
    sqlite3_close(db);

    Workspace ws;
    QVERIFY(ws.open(oldPath));
    QVERIFY(ws.schemaVersion() >= 2); // migrated past the samples tables (2), to the latest
    QCOMPARE(ws.schemaVersion(), Workspace::latestSchemaVersion());
    const std::vector<EventSummary> events = ws.events();
    QCOMPARE(events.size(), refEvents.size());
    QCOMPARE(events.front().victimPid, refEvents.front().victimPid);
    QCOMPARE(events.front().oomMemcg, refEvents.front().oomMemcg);
    const std::optional<OomEvent> event = ws.event(events.front().id);
    QVERIFY(event);
    QCOMPARE(event->tasks.size(), refEvent->tasks.size());
    QCOMPARE(event->tasks.back().comm, refEvent->tasks.back().comm);
    QCOMPARE(event->rawLines.size(), refEvent->rawLines.size());
    QCOMPARE(event->rawLines.back().text, refEvent->rawLines.back().text);
    // Existing sources are logs; the new tables exist and work.
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sources WHERE kind = 'log'"),
             qint64(ws.sources().size()));
    SampleStore store(ws);
    const qint64 series = ensure(store, u"h"_s, u"/oomgt-demo"_s);
    QVERIFY(series > 0);
    QVERIFY(store.setPlacement(events.front().id, series, kBaseMs));
}

void TestSampleStore::appendAndQueryRoundTrip()
{
    const QString path = newPath();
    Workspace ws;
    QVERIFY(ws.open(path));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"host-a"_s, u"/system.slice/web.service"_s);
    QVERIFY(id > 0);
    QCOMPARE(ensure(store, u"host-a"_s, u"/system.slice/web.service"_s), id);

    const std::vector<MemorySample> samples = randomSamples(10'000, 1);
    // All-unknown sample: every field stays unknown, boottime NaN.
    std::vector<MemorySample> withEdge = samples;
    MemorySample empty;
    empty.timestampMs = samples.back().timestampMs + 5;
    withEdge.push_back(empty);
    const AppendResult r = store.append(id, withEdge);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.appended, qint64(withEdge.size()));

    compareSamples(
        store.samples(id, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()),
        withEdge);
    // A sub-range, both ends inclusive.
    const std::int64_t from = withEdge[1234].timestampMs;
    const std::int64_t to = withEdge[7777].timestampMs;
    std::vector<MemorySample> expected;
    for (const MemorySample &s : withEdge) {
        if (s.timestampMs >= from && s.timestampMs <= to)
            expected.push_back(s);
    }
    compareSamples(store.samples(id, from, to), expected);
    QVERIFY(store.samples(id, to + 1, to).empty());

    const auto range = store.timeRange(id);
    QVERIFY(range);
    QCOMPARE(range->first, withEdge.front().timestampMs);
    QCOMPARE(range->second, withEdge.back().timestampMs);
    const auto info = store.seriesInfo(id);
    QVERIFY(info);
    QCOMPARE(info->count, qint64(withEdge.size()));

    // Survives closing and reopening the workspace (nothing lives only in memory).
    ws.close();
    Workspace again;
    QVERIFY(again.open(path));
    SampleStore store2(again);
    compareSamples(store2.samples(id, 0, std::numeric_limits<std::int64_t>::max()), withEdge);

    // Out of order: inside a batch and before the last stored sample — rejected whole.
    std::vector<MemorySample> bad = {withEdge.back(), withEdge.front()};
    bad[0].timestampMs += 10;
    QVERIFY(!store2.append(id, bad).ok);
    QVERIFY(!store2.append(id, std::span(withEdge.data(), 1)).ok);
    QCOMPARE(store2.seriesInfo(id)->count, qint64(withEdge.size()));
    QVERIFY(!store2.append(9999, std::span(withEdge.data(), 1)).ok);
}

// A tail changed at its end (last row replaced, rows added) is spliced onto the stored blob:
// byte for byte what encoding the changed rows gives, extreme deltas included.
void TestSampleStore::chunkSpliceEqualsEncode()
{
    std::mt19937_64 rng(11);
    const std::array<std::int64_t, 5> extremes {std::numeric_limits<std::int64_t>::min(),
                                                std::numeric_limits<std::int64_t>::max(), -1, 0, 1};
    auto randomRow = [&](chunk::RowBlock &block) {
        std::vector<std::int64_t> row(block.width);
        for (std::size_t c = 0; c < row.size(); ++c)
            row[c] = c == 0
                ? std::int64_t(block.size()) * 10'000
                : (rng() % 4 == 0 ? extremes[rng() % extremes.size()] : std::int64_t(rng() % 5000));
        block.push(row);
    };
    auto span = [](const QByteArray &b) {
        return std::span(b.constData(), std::size_t(b.size()));
    };
    for (int round = 0; round < 200; ++round) {
        chunk::RowBlock rows(4);
        const int storedRows = 1 + int(rng() % 20);
        for (int r = 0; r < storedRows; ++r)
            randomRow(rows);
        const QByteArray stored = chunk::encode(rows);
        const std::vector<std::int64_t> lastRow(rows.values.end() - 4, rows.values.end());
        const bool dropLast = rng() % 2 == 0;
        if (dropLast)
            rows.values.resize(rows.values.size() - 4);
        chunk::RowBlock added(4);
        const int addedRows = int(rng() % 3) + (dropLast ? 1 : 0);
        for (int r = 0; r < addedRows; ++r)
            randomRow(added);
        rows.values.insert(rows.values.end(), added.values.begin(), added.values.end());
        QByteArray spliced;
        QVERIFY(chunk::spliceAppend(span(stored), dropLast, lastRow, added, spliced));
        QCOMPARE(spliced, chunk::encode(rows));
    }
    // Another column count (a chunk from before a column was added) or a truncated blob: refused.
    chunk::RowBlock three(3);
    randomRow(three);
    const QByteArray narrow = chunk::encode(three);
    const std::vector<std::int64_t> last(4, 0);
    QByteArray out;
    QVERIFY(!chunk::spliceAppend(span(narrow), false, last, chunk::RowBlock(4), out));
    QVERIFY(!chunk::spliceAppend(span(narrow).first(std::size_t(narrow.size() - 1)), true, last,
                                 chunk::RowBlock(3), out));
}

// A live session appends a sample or a few at a time to the same series for hours: what the
// store keeps per series must not grow with it. It kept each level's last chunk decoded, 168
// bytes per bucket up to 256 buckets per level: +11 KB per series at level 2 alone between the
// first and the second hour below.
void TestSampleStore::writeStateDoesNotGrowWithTheSession()
{
    std::vector<MemorySample> samples;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 3600; ++i) { // two hours, one sample every 2 s
        MemorySample s;
        s.timestampMs = kBaseMs + std::int64_t(i) * 2000;
        s.usageBytes = 50'000'000 + std::int64_t(rng() % 1'000'000);
        s.limitBytes = 134'217'728;
        s.anonBytes = s.usageBytes / 2;
        samples.push_back(s);
    }
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 live = ensure(store, u"h"_s, u"/live"_s);
    const qint64 bulk = ensure(store, u"h"_s, u"/bulk"_s);
    QVERIFY(store.append(bulk, samples).ok);
    const std::size_t bulkBytes = store.writeStateBytes();
    std::size_t afterFirstHour = 0;
    std::size_t most = 0;
    {
        WorkspaceTransaction transaction(ws); // one commit: the test is about memory, not the disk
        QVERIFY(transaction.begin());
        for (std::size_t i = 0; i < samples.size();) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 3, samples.size() - i);
            const AppendResult r = store.append(live, std::span(samples.data() + i, n));
            QVERIFY2(r.ok, qPrintable(r.error));
            i += n;
            if (i >= samples.size() / 2 && afterFirstHour == 0)
                afterFirstHour = store.writeStateBytes();
            most = std::max(most, store.writeStateBytes());
        }
        QVERIFY(transaction.commit());
    }
    QVERIFY(afterFirstHour > bulkBytes);
    QCOMPARE(most, afterFirstHour);
    QCOMPARE(store.writeStateBytes(), afterFirstHour);
    // Nor does a bulk append keep its chunk of pending rows: at most what a live series holds.
    QVERIFY(2 * bulkBytes <= afterFirstHour);
    // And the levels are what one append of everything stored.
    const std::int64_t all = std::numeric_limits<std::int64_t>::max();
    for (int level = 1; level <= int(SampleStore::levelWidthsMs().size()); ++level) {
        const SampleEnvelope a = store.levelData(bulk, level, 0, all);
        const SampleEnvelope b = store.levelData(live, level, 0, all);
        QCOMPARE(b.timeMs, a.timeMs);
        QCOMPARE(b.lastTimeMs, a.lastTimeMs);
        QCOMPARE(b.sampleCount, a.sampleCount);
        QCOMPARE(b.minUsageBytes, a.minUsageBytes);
        QCOMPARE(b.maxUsageBytes, a.maxUsageBytes);
        QCOMPARE(b.lastAnonBytes, a.lastAnonBytes);
    }
}

void TestSampleStore::smallBatchesEqualOneBatch()
{
    const std::vector<MemorySample> samples = randomSamples(20'000, 2);
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    qint64 big = 0;
    qint64 small = 0;
    {
        SampleStore store(ws);
        big = ensure(store, u"h"_s, u"/big"_s);
        small = ensure(store, u"h"_s, u"/small"_s);
        QVERIFY(store.append(big, samples).ok);
    }
    // Small batches of 1…40 samples, one of 5000 (crosses a raw chunk), and a fresh store
    // (cold tail cache, reloaded from the file) every few thousand samples.
    std::mt19937_64 rng(3);
    std::size_t pos = 0;
    auto store = std::make_unique<SampleStore>(ws);
    int batches = 0;
    while (pos < samples.size()) {
        std::size_t n = 1 + rng() % 40;
        if (batches == 50)
            n = 5000;
        n = std::min(n, samples.size() - pos);
        const AppendResult r = store->append(small, std::span(samples.data() + pos, n));
        QVERIFY2(r.ok, qPrintable(r.error));
        pos += n;
        if (++batches % 97 == 0)
            store = std::make_unique<SampleStore>(ws);
    }
    const std::int64_t all = std::numeric_limits<std::int64_t>::max();
    compareSamples(store->samples(small, 0, all), samples);
    for (int level = 0; level <= int(SampleStore::levelWidthsMs().size()); ++level) {
        const SampleEnvelope a = store->levelData(big, level, 0, all);
        const SampleEnvelope b = store->levelData(small, level, 0, all);
        QVERIFY(!a.empty());
        QCOMPARE(b.timeMs, a.timeMs);
        QCOMPARE(b.sampleCount, a.sampleCount);
        QCOMPARE(b.minUsageBytes, a.minUsageBytes);
        QCOMPARE(b.maxUsageBytes, a.maxUsageBytes);
        QCOMPARE(b.lastWorkingSetBytes, a.lastWorkingSetBytes);
        QCOMPARE(b.lastHighBytes, a.lastHighBytes);
        QCOMPARE(b.maxOomKillCount, a.maxOomKillCount);
    }
    // Both are right, not just equal.
    const std::int64_t width = SampleStore::levelWidthsMs()[1];
    const QString diff = compareLevel(store->levelData(small, 2, 0, all), bruteForce(samples, width, 0, all));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestSampleStore::levelsMatchBruteForce()
{
    const std::vector<MemorySample> samples = randomSamples(30'000, 4);
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/lod"_s);
    // Appended in a few uneven batches so both the batch path and the cross-append path count.
    for (std::size_t pos = 0, n = 777; pos < samples.size(); pos += n, n = n * 3 + 11) {
        const std::size_t take = std::min(n, samples.size() - pos);
        QVERIFY(store.append(id, std::span(samples.data() + pos, take)).ok);
    }
    const auto widths = SampleStore::levelWidthsMs();
    const std::int64_t first = samples.front().timestampMs;
    const std::int64_t last = samples.back().timestampMs;
    std::mt19937_64 rng(5);
    for (int level = 1; level <= int(widths.size()); ++level) {
        const std::int64_t w = widths[std::size_t(level - 1)];
        // Full range, exact bucket boundaries, just inside and outside them, random ranges.
        std::vector<std::pair<std::int64_t, std::int64_t>> ranges {{first - 1000, last + 1000},
                                                                   {first, last}};
        for (int k = 0; k < 6; ++k) {
            const std::int64_t a = floorTo(first + std::int64_t(rng() % std::uint64_t(last - first)), w);
            const std::int64_t len = w * std::int64_t(1 + rng() % 20);
            ranges.emplace_back(a, a + len);
            ranges.emplace_back(a, a + len - 1);
            ranges.emplace_back(a - 1, a + len + 1);
            ranges.emplace_back(a + 1, a + 1);
        }
        for (int k = 0; k < 10; ++k) {
            std::int64_t a = first + std::int64_t(rng() % std::uint64_t(last - first));
            std::int64_t b = first + std::int64_t(rng() % std::uint64_t(last - first));
            if (a > b)
                std::swap(a, b);
            ranges.emplace_back(a, b);
        }
        for (const auto &[from, to] : ranges) {
            const SampleEnvelope env = store.levelData(id, level, from, to);
            QCOMPARE(env.level, level);
            QCOMPARE(env.bucketMs, w);
            const std::vector<ExpectedBucket> expected = bruteForce(samples, w, from, to);
            const QString diff = compareLevel(env, expected);
            QVERIFY2(diff.isEmpty(),
                     qPrintable(u"level %1 range [%2, %3]: %4"_s.arg(level).arg(from).arg(to).arg(diff)));
            QCOMPARE(store.levelCount(id, level, from, to), qint64(expected.size()));
        }
    }
    // Level 0 counts are exact too.
    const std::int64_t from = samples[100].timestampMs + 1;
    const std::int64_t to = samples[20'000].timestampMs;
    const auto inRange = std::count_if(samples.begin(), samples.end(), [&](const MemorySample &s) {
        return s.timestampMs >= from && s.timestampMs <= to;
    });
    QCOMPARE(store.levelCount(id, 0, from, to), qint64(inRange));
}

void TestSampleStore::envelopeRespectsMaxPointsAndCoversRange()
{
    const std::vector<MemorySample> samples = randomSamples(30'000, 6);
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/env"_s);
    QVERIFY(store.append(id, samples).ok);
    const auto widths = SampleStore::levelWidthsMs();
    const std::int64_t first = samples.front().timestampMs;
    const std::int64_t last = samples.back().timestampMs;
    std::mt19937_64 rng(8);
    int rawSeen = 0;
    int levelSeen = 0;
    int mergedSeen = 0;
    for (int k = 0; k < 60; ++k) {
        std::int64_t a = first - 5000 + std::int64_t(rng() % std::uint64_t(last - first + 10'000));
        std::int64_t b = first - 5000 + std::int64_t(rng() % std::uint64_t(last - first + 10'000));
        if (a > b)
            std::swap(a, b);
        if (k % 3 == 0)
            b = std::min<std::int64_t>(b, a + 600'000); // zoomed in
        for (int maxPoints : {1, 5, 100, 4000}) {
            const SampleEnvelope env = store.envelope(id, a, b, maxPoints);
            QVERIFY(env.size() <= std::size_t(maxPoints));
            std::int64_t rawCount = 0;
            std::int64_t rawMin = kUnknown;
            std::int64_t rawMax = kUnknown;
            std::int64_t rawFirstMs = 0;
            std::int64_t rawLastMs = 0;
            for (const MemorySample &s : samples) {
                if (s.timestampMs < a || s.timestampMs > b)
                    continue;
                if (rawCount == 0)
                    rawFirstMs = s.timestampMs;
                rawLastMs = s.timestampMs;
                ++rawCount;
                if (s.usageBytes != kUnknown) {
                    rawMin = rawMin == kUnknown ? s.usageBytes : std::min(rawMin, s.usageBytes);
                    rawMax = std::max(rawMax, s.usageBytes);
                }
            }
            if (env.level == 0) {
                ++rawSeen;
                QCOMPARE(std::int64_t(env.size()), rawCount);
                QVERIFY(rawCount <= maxPoints);
            } else {
                // Every sample in the range lies in a returned bucket, so the envelope covers it.
                std::int64_t covered = 0;
                std::int64_t envMin = kUnknown;
                std::int64_t envMax = kUnknown;
                for (std::size_t i = 0; i < env.size(); ++i) {
                    covered += env.sampleCount[i];
                    if (env.minUsageBytes[i] != kUnknown)
                        envMin = envMin == kUnknown ? env.minUsageBytes[i]
                                                    : std::min(envMin, env.minUsageBytes[i]);
                    envMax = std::max(envMax, env.maxUsageBytes[i]);
                }
                QVERIFY(covered >= rawCount);
                QVERIFY(rawMin == kUnknown || (envMin != kUnknown && envMin <= rawMin));
                QVERIFY(envMax >= rawMax);
                if (rawCount > 0) {
                    QVERIFY(env.timeMs.front() <= rawFirstMs);
                    QVERIFY(env.lastTimeMs.back() >= rawLastMs);
                }
                // The finest level that fits: the next finer one has too many entries.
                QVERIFY(store.levelCount(id, env.level - 1, a, b) > maxPoints);
                if (env.bucketMs == widths[std::size_t(env.level - 1)])
                    ++levelSeen;
                else
                    ++mergedSeen;
            }
            QVERIFY(!env.empty() || rawCount == 0);
        }
    }
    QVERIFY(rawSeen > 0);
    QVERIFY(levelSeen > 0);
    QVERIFY(mergedSeen > 0);
    QVERIFY(store.envelope(id, first, last, 0).empty());
    QVERIFY(store.envelope(id, last, first, 100).empty());
}

void TestSampleStore::cancelAndErrorMidBatchRollBack()
{
    const std::vector<MemorySample> samples = randomSamples(30'000, 9);
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/rollback"_s);
    const std::size_t head = 1000;
    QVERIFY(store.append(id, std::span(samples.data(), head)).ok);
    const qint64 chunksBefore = queryInt(RawDb(ws.path()), "SELECT count(*) FROM sample_chunks");

    // Cancel after the second full chunk was written inside the transaction.
    int calls = 0;
    const AppendResult canceled =
        store.append(id, std::span(samples.data() + head, 20'000), [&](qint64) { return ++calls < 2; });
    QVERIFY(!canceled.ok);
    QVERIFY(canceled.canceled);
    QCOMPARE(calls, 2);
    QCOMPARE(store.seriesInfo(id)->count, qint64(head));
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sample_chunks"), chunksBefore);
    compareSamples(store.samples(id, 0, std::numeric_limits<std::int64_t>::max()),
                   std::vector<MemorySample>(samples.begin(), samples.begin() + qsizetype(head)));

    // A storage error in the middle of a batch (the third chunk write fails).
    // (A table and trigger in the file, made through a connection of the test's own.)
    execOrFail(RawDb(ws.path()),
               "CREATE TABLE writes (n INTEGER); INSERT INTO writes VALUES (0);"
               "CREATE TRIGGER fail_third BEFORE INSERT ON sample_chunks BEGIN "
               "UPDATE writes SET n = n + 1; "
               "SELECT RAISE(ABORT, 'simulated disk full') WHERE (SELECT n FROM writes) >= 3; END;");
    const AppendResult failed = store.append(id, std::span(samples.data() + head, 20'000));
    QVERIFY(!failed.ok);
    QVERIFY2(failed.error.contains(u"simulated disk full"_s), qPrintable(failed.error));
    QCOMPARE(store.seriesInfo(id)->count, qint64(head));
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM sample_chunks"), chunksBefore);
    execOrFail(RawDb(ws.path()), "DROP TRIGGER fail_third; DROP TABLE writes");

    // The same store goes on correctly: its tail cache was dropped with the rollback.
    QVERIFY(store.append(id, std::span(samples.data() + head, samples.size() - head)).ok);
    compareSamples(store.samples(id, 0, std::numeric_limits<std::int64_t>::max()), samples);
    const std::int64_t w = SampleStore::levelWidthsMs()[0];
    const QString diff = compareLevel(store.levelData(id, 1, 0, std::numeric_limits<std::int64_t>::max()),
                                      bruteForce(samples, w, 0, std::numeric_limits<std::int64_t>::max()));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestSampleStore::outerRollbackDoesNotCorruptTail()
{
    const std::vector<MemorySample> samples = randomSamples(3000, 10);
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/outer"_s);
    QVERIFY(store.append(id, std::span(samples.data(), 1000)).ok);
    // The caller's own transaction: append uses a savepoint inside it; the caller rolls back.
    WorkspaceTransaction outer(ws);
    QVERIFY(outer.begin());
    QVERIFY(store.append(id, std::span(samples.data() + 1000, 500)).ok);
    outer.rollback();
    QCOMPARE(store.seriesInfo(id)->count, qint64(1000));
    QVERIFY(store.append(id, std::span(samples.data() + 1000, 2000)).ok);
    compareSamples(store.samples(id, 0, std::numeric_limits<std::int64_t>::max()), samples);
    const std::int64_t all = std::numeric_limits<std::int64_t>::max();
    const QString diff = compareLevel(store.levelData(id, 2, 0, all),
                                      bruteForce(samples, SampleStore::levelWidthsMs()[1], 0, all));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestSampleStore::deleteSeries()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 keep = ensure(store, u"h"_s, u"/keep"_s);
    const qint64 drop = ensure(store, u"h"_s, u"/drop"_s);
    const std::vector<MemorySample> samples = randomSamples(5000, 11);
    QVERIFY(store.append(keep, samples).ok);
    QVERIFY(store.append(drop, samples).ok);
    ProcessSample p;
    p.timestampMs = samples.front().timestampMs;
    p.pid = 1;
    QVERIFY(store.appendProcesses(drop, std::span(&p, 1)));
    QVERIFY(store.deleteSeries(drop));
    QVERIFY(!store.seriesInfo(drop));
    QVERIFY(store.samples(drop, 0, std::numeric_limits<std::int64_t>::max()).empty());
    QCOMPARE(queryInt(RawDb(ws.path()), "SELECT count(*) FROM process_samples"), 0);
    QCOMPARE(store.workloads().size(), std::size_t(1));
    compareSamples(store.samples(keep, 0, std::numeric_limits<std::int64_t>::max()), samples);
    QVERIFY(!store.deleteSeries(drop));
    // The path can be recorded again from scratch, earlier times included.
    const qint64 again = ensure(store, u"h"_s, u"/drop"_s);
    QVERIFY(again > 0);
    QVERIFY(store.append(again, std::span(samples.data(), 10)).ok);
    QCOMPARE(store.seriesInfo(again)->count, qint64(10));
}

// Thinned while the chunks are read, the range's samples are what thinning them all at once
// keeps; a range that fits comes back whole.
void TestSampleStore::thinnedSamplesReadChunkByChunkAsAWhole()
{
    const std::vector<MemorySample> samples = randomSamples(30'000, 12);
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/thin"_s);
    QVERIFY(store.append(id, samples).ok);
    const std::int64_t first = samples.front().timestampMs;
    const std::int64_t last = samples.back().timestampMs;
    std::mt19937_64 rng(13);
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges {{first - 1000, last + 1000}, {first, last}};
    for (int k = 0; k < 8; ++k) {
        std::int64_t a = first + std::int64_t(rng() % std::uint64_t(last - first));
        std::int64_t b = first + std::int64_t(rng() % std::uint64_t(last - first));
        ranges.emplace_back(std::min(a, b), std::max(a, b));
    }
    int thinnedSeen = 0;
    int wholeSeen = 0;
    for (const auto &[from, to] : ranges) {
        const std::vector<MemorySample> raw = store.samples(id, from, to);
        for (qint64 maxSamples : {10, 300, 5000, 50'000}) {
            const SampleStore::Thinned t = store.thinnedSamples(id, from, to, maxSamples);
            QCOMPARE(t.rawCount, qint64(raw.size()));
            QVERIFY(t.samples.size() <= std::size_t(maxSamples));
            if (qint64(raw.size()) <= maxSamples) {
                ++wholeSeen;
                QCOMPARE(t.bucketMs, std::int64_t(0));
                compareSamples(t.samples, raw);
                continue;
            }
            ++thinnedSeen;
            SampleThinner whole(from, to, std::size_t(maxSamples));
            for (const MemorySample &s : raw)
                whole.add(s);
            QCOMPARE(t.bucketMs, whole.bucketMs());
            compareSamples(t.samples, whole.take());
        }
    }
    QVERIFY(thinnedSeen > 0 && wholeSeen > 0);
    QVERIFY(store.thinnedSamples(id, last, first, 100).samples.empty());
}

// A long range's process rows: at most maxReadings readings, each whole (every process of it).
void TestSampleStore::processSamplesThinnedByReading()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const qint64 id = ensure(store, u"h"_s, u"/procs"_s);
    std::vector<ProcessSample> rows;
    for (int reading = 0; reading < 1000; ++reading) {
        for (int pid = 1; pid <= 5; ++pid) {
            ProcessSample p;
            p.timestampMs = kBaseMs + reading * 2000 + (reading % 7) * 13; // uneven, as a sampler's
            p.pid = pid;
            p.comm = u"w%1"_s.arg(pid);
            p.rssKb = 1000 * pid + reading;
            rows.push_back(p);
        }
    }
    QVERIFY(store.appendProcesses(id, rows));
    const std::int64_t from = rows.front().timestampMs;
    const std::int64_t to = rows.back().timestampMs;
    const auto readings = [](const std::vector<ProcessSample> &got) {
        std::map<std::int64_t, int> perTime;
        for (const ProcessSample &p : got)
            ++perTime[p.timestampMs];
        return perTime;
    };
    QCOMPARE(store.processSamples(id, from, to, 1000).size(), rows.size()); // fits: all of them
    QCOMPARE(store.processSamples(id, from, to).size(), rows.size());
    for (qint64 maxReadings : {1, 7, 100, 999}) {
        const std::vector<ProcessSample> got = store.processSamples(id, from, to, maxReadings);
        const std::map<std::int64_t, int> perTime = readings(got);
        QVERIFY2(qint64(perTime.size()) <= maxReadings && qint64(perTime.size()) >= maxReadings * 9 / 10,
                 qPrintable(QString::number(perTime.size())));
        for (const auto &[time, count] : perTime)
            QCOMPARE(count, 5);
        QCOMPARE(perTime.begin()->first, from); // the range's first reading starts it
        QVERIFY(std::is_sorted(got.begin(), got.end(), [](const ProcessSample &a, const ProcessSample &b) {
            return a.timestampMs < b.timestampMs;
        }));
    }
    // A sub-range: its own readings only.
    const std::vector<ProcessSample> part =
        store.processSamples(id, rows[500].timestampMs, rows[2500].timestampMs, 50);
    QVERIFY(!part.empty());
    QVERIFY(part.front().timestampMs >= rows[500].timestampMs
            && part.back().timestampMs <= rows[2500].timestampMs);
}

QTEST_GUILESS_MAIN(TestSampleStore)
#include "tst_samplestore.moc"
