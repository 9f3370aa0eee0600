// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplesbench.h"

#include "childrun.h"
#include "consolestreams.h"
#include "peakrss.h"
#include "samplestore.h"
#include "workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <sqlite3.h>

using namespace Qt::StringLiterals;
using oomscope::bench::ProgramRun;
using oomscope::bench::runProgram;

namespace oomscope::bench {

namespace {

constexpr std::int64_t kStartMs = 1'767'225'600'000; // 2026-01-01, 1 Hz samples from there

// One cgroup sampled once a second: a sawtooth of leaks and reclaims with noise, a fixed limit,
// counters that only grow — realistic enough for the varint encoding not to look too good.
class SeriesGenerator
{
public:
    explicit SeriesGenerator(std::uint64_t seed)
        : m_rng(seed)
    { }

    void fill(std::vector<MemorySample> &batch, std::size_t n)
    {
        batch.clear();
        for (std::size_t i = 0; i < n; ++i, ++m_index) {
            MemorySample s;
            s.timestampMs = kStartMs + m_index * 1000 + std::int64_t(m_rng() % 7);
            m_anon += std::int64_t(m_rng() % 400'000) - 150'000;
            if (m_anon > 900'000'000 || m_anon < 10'000'000)
                m_anon = 50'000'000;
            m_file =
                std::clamp<std::int64_t>(m_file + std::int64_t(m_rng() % 200'001) - 100'000, 0, 300'000'000);
            s.anonBytes = m_anon;
            s.fileBytes = m_file;
            s.activeFileBytes = m_file / 3;
            s.inactiveFileBytes = m_file - m_file / 3;
            s.shmemBytes = 4096 * 16;
            s.kernelBytes = 3'000'000 + std::int64_t(m_rng() % 4096) * 8;
            s.swapBytes = 0;
            s.usageBytes = s.anonBytes + s.fileBytes + s.kernelBytes;
            s.limitBytes = 1'073'741'824;
            s.highBytes = MemorySample::kUnlimited;
            if (m_rng() % 1000 == 0)
                ++m_failcnt;
            s.failcnt = m_failcnt;
            s.oomKillCount = 0;
            s.boottimeSeconds = 5000.0 + double(m_index) + double(m_rng() % 1000) / 1e6;
            batch.push_back(s);
        }
    }

private:
    std::mt19937_64 m_rng;
    std::int64_t m_index = 0;
    std::int64_t m_anon = 50'000'000;
    std::int64_t m_file = 100'000'000;
    std::int64_t m_failcnt = 0;
};

bool exec(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK)
        return true;
    consoleErr() << "sqlite: " << QString::fromUtf8(message ? message : "?") << '\n';
    sqlite3_free(message);
    return false;
}

// Checkpoints the workspace's WAL into the file through a connection of our own (the
// workspace's connection stays inside storage/), so the file size is the stored size.
bool checkpoint(const QString &path)
{
    sqlite3 *db = nullptr;
    const bool ok = sqlite3_open(QFile::encodeName(path).constData(), &db) == SQLITE_OK
        && exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
    return ok;
}

qint64 fileBytes(const QString &path)
{
    return QFileInfo(path).size() + QFileInfo(path + u"-wal"_s).size();
}

double mib(qint64 bytes)
{
    return double(bytes) / (1024.0 * 1024.0);
}

// The reference: one row per sample, prepared statement bound and reset in a loop, one
// transaction per batch, same pragmas as the workspace, no secondary index (the cheapest
// row-per-sample layout; a (series, time) index, which a chart query would need, costs more).
struct RawBaseline {
    sqlite3 *db = nullptr;
    sqlite3_stmt *insert = nullptr;

    bool open(const QString &path)
    {
        if (sqlite3_open(QFile::encodeName(path).constData(), &db) != SQLITE_OK)
            return false;
        if (!exec(db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                  "CREATE TABLE raw_samples (series_id INTEGER NOT NULL, time_ms INTEGER NOT NULL, "
                  "usage INTEGER, limit_bytes INTEGER, high INTEGER, anon INTEGER, file INTEGER, "
                  "active_file INTEGER, inactive_file INTEGER, shmem INTEGER, kernel INTEGER, "
                  "swap INTEGER, failcnt INTEGER, oom_kill INTEGER, boottime_s REAL)"))
            return false;
        return sqlite3_prepare_v3(db, "INSERT INTO raw_samples VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
                                  SQLITE_PREPARE_PERSISTENT, &insert, nullptr)
            == SQLITE_OK;
    }
    bool append(qint64 seriesId, const std::vector<MemorySample> &batch)
    {
        if (!exec(db, "BEGIN IMMEDIATE"))
            return false;
        for (const MemorySample &s : batch) {
            int i = 1;
            sqlite3_bind_int64(insert, i++, seriesId);
            for (std::int64_t v : {s.timestampMs, s.usageBytes, s.limitBytes, s.highBytes, s.anonBytes,
                                   s.fileBytes, s.activeFileBytes, s.inactiveFileBytes, s.shmemBytes,
                                   s.kernelBytes, s.swapBytes, s.failcnt, s.oomKillCount})
                sqlite3_bind_int64(insert, i++, v);
            sqlite3_bind_double(insert, i++, s.boottimeSeconds);
            if (sqlite3_step(insert) != SQLITE_DONE) {
                sqlite3_reset(insert);
                exec(db, "ROLLBACK");
                return false;
            }
            sqlite3_reset(insert);
        }
        return exec(db, "COMMIT");
    }
    ~RawBaseline()
    {
        sqlite3_finalize(insert);
        if (db)
            sqlite3_close(db);
    }
};

// Writes count samples of seriesCount cgroups in the recording CSV format, one row per cgroup per
// tick (as a sampler writes them); returns false when the file cannot be written.
bool writeSamplesCsv(const QString &path, qint64 count, int seriesCount)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QByteArray out = "timestamp,cgroup,usage_bytes,limit_bytes,anon_bytes,file_bytes,inactive_file_bytes,"
                     "active_file_bytes,shmem_bytes,kernel_bytes,failcnt,oom_kill,boottime_s\n";
    std::vector<SeriesGenerator> gens;
    for (int s = 0; s < seriesCount; ++s)
        gens.emplace_back(std::uint64_t(s) + 1);
    std::vector<MemorySample> one;
    char line[512];
    for (qint64 tick = 0; tick * seriesCount < count; ++tick) {
        for (int s = 0; s < seriesCount && tick * seriesCount + s < count; ++s) {
            gens[size_t(s)].fill(one, 1);
            const MemorySample &m = one.front();
            const int n = std::snprintf(
                line, sizeof line,
                "%lld,/kubepods/burstable/pod-%04d/"
                "app,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.6f\n",
                static_cast<long long>(m.timestampMs), s, static_cast<long long>(m.usageBytes),
                static_cast<long long>(m.limitBytes), static_cast<long long>(m.anonBytes),
                static_cast<long long>(m.fileBytes), static_cast<long long>(m.inactiveFileBytes),
                static_cast<long long>(m.activeFileBytes), static_cast<long long>(m.shmemBytes),
                static_cast<long long>(m.kernelBytes), static_cast<long long>(m.failcnt),
                static_cast<long long>(m.oomKillCount), m.boottimeSeconds);
            out.append(line, n);
        }
        if (out.size() > (4 << 20)) {
            if (file.write(out) != out.size())
                return false;
            out.clear();
        }
    }
    return file.write(out) == out.size() && file.flush();
}

} // namespace

namespace {

// One file of the CSV benchmark: sqlite3's .import and ours, each on a warm page cache.
bool runCsvImports(const QString &cli, const QTemporaryDir &dir, qint64 count, int seriesCount,
                   const QString &keep)
{
    const QString csv = dir.filePath(u"samples-%1.csv"_s.arg(count));
    if (!writeSamplesCsv(csv, count, seriesCount)) {
        consoleErr() << "samples-csv: cannot write " << csv << '\n';
        return false;
    }
    if (!keep.isEmpty() && !QFile::copy(csv, keep))
        consoleErr() << "samples-csv: cannot keep a copy at " << keep << '\n';
    const qint64 csvBytes = QFileInfo(csv).size();
    consoleOut() << "samples CSV:      " << count << " samples of " << seriesCount << " cgroups, "
                 << QString::number(mib(csvBytes), 'f', 1) << " MiB\n";
    consoleOut().flush();
    {
        QFile warm(csv); // page cache warm for both readers
        if (warm.open(QIODevice::ReadOnly))
            while (!warm.read(4 << 20).isEmpty()) { }
    }
    // The reference: sqlite3's own CSV import of the same file (one TEXT table, one transaction).
    const ProgramRun ref =
        runProgram(u"sqlite3"_s,
                   {dir.filePath(u"ref-%1.sqlite"_s.arg(count)), u".import --csv "_s + csv + u" samples"_s});
    if (!ref.ok) {
        consoleErr() << "samples-csv: sqlite3 .import: " << ref.error << '\n';
        return false;
    }
    const ProgramRun ours = runProgram(
        cli, {u"import"_s, u"--db"_s, dir.filePath(u"ws-%1.sqlite"_s.arg(count)), u"--samples"_s, csv});
    if (!ours.ok) {
        consoleErr() << "samples-csv: oomscope-cli import: " << ours.error << '\n';
        return false;
    }
    QFile::remove(csv);
    auto rate = [count](double seconds) {
        return QString::number(double(count) / seconds / 1e6, 'f', 2);
    };
    auto rss = [](const ProgramRun &run) {
        return QString::number(double(run.maxRssKb) / 1024.0, 'f', 1);
    };
    consoleOut() << "sqlite3 .import:  " << rate(ref.seconds) << " M samples/s ("
                 << QString::number(ref.seconds, 'f', 2) << " s), CPU "
                 << QString::number(ref.cpuSeconds, 'f', 2) << " s = " << rate(ref.cpuSeconds)
                 << " M/s of CPU, peak RSS " << rss(ref) << " MiB [reference]\n";
    consoleOut() << "csv import:       " << rate(ours.seconds) << " M samples/s ("
                 << QString::number(ours.seconds, 'f', 2) << " s), CPU "
                 << QString::number(ours.cpuSeconds, 'f', 2) << " s = " << rate(ours.cpuSeconds)
                 << " M/s of CPU, peak RSS " << rss(ours) << " MiB, `oomscope-cli import --samples` = "
                 << QString::number(ref.seconds / ours.seconds, 'f', 2) << "x sqlite3 .import ("
                 << QString::number(ref.cpuSeconds / ours.cpuSeconds, 'f', 2)
                 << "x by CPU; target >= 2 M samples/s)\n";
    consoleOut().flush();
    return true;
}

} // namespace

int runSamplesCsvBenchmark(const QStringList &args)
{
    qint64 count = 5'000'000;
    int seriesCount = 100;
    QString cli = QStringLiteral(OOMSCOPE_CLI_PATH);
    QString keep; // also write the larger CSV there, for profiling the import on its own
    for (qsizetype i = 0; i < args.size(); ++i) {
        const bool hasValue = i + 1 < args.size();
        if (args[i] == u"--count" && hasValue)
            count = args[++i].toLongLong();
        else if (args[i] == u"--series" && hasValue)
            seriesCount = args[++i].toInt();
        else if (args[i] == u"--cli" && hasValue)
            cli = args[++i];
        else if (args[i] == u"--keep" && hasValue)
            keep = args[++i];
        else {
            consoleErr() << "usage: oomscope-bench samples-csv [--count N] [--series S] [--cli PATH] [--keep "
                            "FILE.csv]\n";
            return 2;
        }
    }
    if (count <= 0 || seriesCount <= 0) {
        consoleErr() << "samples-csv: count and series must be positive\n";
        return 2;
    }
    QTemporaryDir dir;
    // A fifth of the samples first, then all: the import streams the file, so its peak RSS
    // must come out the same for both.
    const qint64 smaller = std::max<qint64>(count / 5, 1);
    if (!runCsvImports(cli, dir, smaller, seriesCount, {})
        || !runCsvImports(cli, dir, count, seriesCount, keep))
        return 1;
    return 0;
}

int runSamplesBenchmark(const QStringList &args)
{
    qint64 count = 10'000'000;
    int seriesCount = 100;
    int batch = 10'000;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const bool hasValue = i + 1 < args.size();
        if (args[i] == u"--count" && hasValue)
            count = args[++i].toLongLong();
        else if (args[i] == u"--series" && hasValue)
            seriesCount = args[++i].toInt();
        else if (args[i] == u"--batch" && hasValue)
            batch = args[++i].toInt();
        else {
            consoleErr() << "usage: oomscope-bench samples [--count N] [--series S] [--batch B]\n";
            return 2;
        }
    }
    if (count <= 0 || seriesCount <= 0 || batch <= 0) {
        consoleErr() << "samples: count, series and batch must be positive\n";
        return 2;
    }
    const qint64 perSeries = count / seriesCount;
    count = perSeries * seriesCount;

    QTemporaryDir dir;
    const QString workspacePath = dir.filePath(u"samples.sqlite"_s);
    const QString rawPath = dir.filePath(u"raw.sqlite"_s);
    consoleOut() << "samples:          " << count << " in " << seriesCount << " series (" << perSeries
                 << " each, 1 Hz), appended in batches of " << batch << " (one transaction each)\n";
    consoleOut().flush();

    std::vector<MemorySample> samples;
    samples.reserve(std::size_t(batch));
    double storeSeconds = 0;
    {
        Workspace ws;
        if (const Result<void> opened = ws.open(workspacePath); !opened) {
            consoleErr() << "samples: " << opened.error().message << '\n';
            return 1;
        }
        SampleStore store(ws);
        QElapsedTimer timer;
        for (int s = 0; s < seriesCount; ++s) {
            const Result<qint64> ensured = store.ensureSeries(u"bench"_s, u"/bench/series-%1"_s.arg(s));
            if (!ensured) {
                consoleErr() << "samples: " << ensured.error().message << '\n';
                return 1;
            }
            const qint64 id = *ensured;
            SeriesGenerator gen(std::uint64_t(s) + 1);
            for (qint64 done = 0; done < perSeries; done += batch) {
                gen.fill(samples, std::size_t(std::min<qint64>(batch, perSeries - done)));
                timer.start();
                const AppendResult r = store.append(id, samples);
                storeSeconds += double(timer.nsecsElapsed()) / 1e9;
                if (!r.ok) {
                    consoleErr() << "samples: " << r.error << '\n';
                    return 1;
                }
            }
        }
        checkpoint(workspacePath);

        // Live mode: one sample per append (its own transaction), on a series already holding
        // a day, so the tails being rewritten are realistically filled.
        const qint64 liveId = store.ensureSeries(u"bench"_s, u"/bench/live"_s).value_or(0);
        SeriesGenerator gen(999);
        gen.fill(samples, 86'400 - 1234);
        store.append(liveId, samples);
        const int liveAppends = 2000;
        double liveSeconds = 0;
        for (int i = 0; i < liveAppends; ++i) {
            gen.fill(samples, 1);
            timer.start();
            if (!store.append(liveId, samples).ok) {
                consoleErr() << "samples: live append failed\n";
                return 1;
            }
            liveSeconds += double(timer.nsecsElapsed()) / 1e9;
        }
        consoleOut() << "live append:      " << QString::number(liveSeconds / liveAppends * 1e6, 'f', 0)
                     << " us per 1-sample append (" << liveAppends
                     << " appends, each a transaction rewriting the partial tail chunks)\n";
        (void)store.deleteSeries(liveId);
        checkpoint(workspacePath);
    }

    double rawSeconds = 0;
    {
        RawBaseline raw;
        if (!raw.open(rawPath)) {
            consoleErr() << "samples: cannot create the raw reference database\n";
            return 1;
        }
        QElapsedTimer timer;
        for (int s = 0; s < seriesCount; ++s) {
            SeriesGenerator gen(std::uint64_t(s) + 1);
            for (qint64 done = 0; done < perSeries; done += batch) {
                gen.fill(samples, std::size_t(std::min<qint64>(batch, perSeries - done)));
                timer.start();
                const bool ok = raw.append(s + 1, samples);
                rawSeconds += double(timer.nsecsElapsed()) / 1e9;
                if (!ok) {
                    consoleErr() << "samples: raw insert failed\n";
                    return 1;
                }
            }
        }
        exec(raw.db, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    const double storeRate = double(count) / storeSeconds;
    const double rawRate = double(count) / rawSeconds;
    consoleOut() << "ingest store:     " << QString::number(storeRate / 1e6, 'f', 2) << " M samples/s ("
                 << QString::number(storeSeconds, 'f', 2)
                 << " s, levels of detail included) = " << QString::number(storeRate / rawRate, 'f', 2)
                 << "x the reference\n";
    consoleOut() << "ingest raw rows:  " << QString::number(rawRate / 1e6, 'f', 2) << " M samples/s ("
                 << QString::number(rawSeconds, 'f', 2)
                 << " s, sqlite3 row per sample, no index) [reference]\n";
    consoleOut() << "db size store:    " << QString::number(mib(fileBytes(workspacePath)), 'f', 1) << " MiB ("
                 << QString::number(double(fileBytes(workspacePath)) / double(count), 'f', 1)
                 << " bytes/sample)\n";
    consoleOut() << "db size raw rows: " << QString::number(mib(fileBytes(rawPath)), 'f', 1) << " MiB ("
                 << QString::number(double(fileBytes(rawPath)) / double(count), 'f', 1) << " bytes/sample)\n";
    consoleOut().flush();

    const ChildRun q = runChild({u"samples-query"_s, workspacePath});
    if (!q.ok) {
        consoleErr() << "samples: query phase failed: " << q.error << '\n';
        return 1;
    }
    consoleOut() << "open workspace:   " << QString::number(q.number(u"open_ms"_s), 'f', 1) << " ms\n";
    consoleOut() << "envelope full:    " << QString::number(q.number(u"full_ms"_s), 'f', 1) << " ms for all "
                 << seriesCount << " series (" << qint64(q.number(u"full_points"_s)) << " points, "
                 << qint64(q.number(u"full_samples"_s)) << " samples covered, maxPoints 4000 each, level "
                 << qint64(q.number(u"full_level"_s)) << "); slowest series "
                 << QString::number(q.number(u"full_max_ms"_s), 'f', 2) << " ms\n";
    consoleOut() << "envelope zoomed:  " << QString::number(q.number(u"zoom_ms"_s), 'f', 1) << " ms for all "
                 << seriesCount << " series (1/1000 of each range, " << qint64(q.number(u"zoom_points"_s))
                 << " points, level " << qint64(q.number(u"zoom_level"_s)) << "); slowest series "
                 << QString::number(q.number(u"zoom_max_ms"_s), 'f', 2) << " ms\n";
    consoleOut() << "peak RSS query:   " << QString::number(q.number(u"maxrss_kb"_s) / 1024.0, 'f', 1)
                 << " MiB (after open " << QString::number(q.number(u"open_rss_kb"_s) / 1024.0, 'f', 1)
                 << ", after the full-range pass "
                 << QString::number(q.number(u"full_rss_kb"_s) / 1024.0, 'f', 1) << ")\n";
    consoleOut().flush();
    return 0;
}

int runSamplesQuery(const QStringList &args)
{
    if (args.size() != 1)
        return 2;
    QElapsedTimer timer;
    timer.start();
    Workspace ws;
    if (const Result<void> opened = ws.open(args[0]); !opened) {
        consoleErr() << "samples-query: " << opened.error().message << '\n';
        return 1;
    }
    SampleStore store(ws);
    const std::vector<SeriesInfo> series = store.series();
    const double openMs = double(timer.nsecsElapsed()) / 1e6;

    auto pass = [&](bool zoomed, double &totalMs, double &maxMs, qint64 &points, qint64 &covered,
                    int &level) {
        totalMs = 0;
        maxMs = 0;
        points = 0;
        covered = 0;
        for (const SeriesInfo &s : series) {
            if (!s.firstMs || !s.lastMs)
                continue;
            std::int64_t from = *s.firstMs;
            std::int64_t to = *s.lastMs;
            if (zoomed) {
                const std::int64_t span = std::max<std::int64_t>(1, (to - from) / 1000);
                from = from + (to - from) / 2;
                to = from + span;
            }
            timer.start();
            const SampleEnvelope env = store.envelope(s.id, from, to, 4000);
            const double ms = double(timer.nsecsElapsed()) / 1e6;
            totalMs += ms;
            maxMs = std::max(maxMs, ms);
            points += qint64(env.size());
            for (std::int64_t c : env.sampleCount)
                covered += c;
            level = env.level;
        }
    };
    double fullMs = 0, fullMax = 0, zoomMs = 0, zoomMax = 0;
    qint64 fullPoints = 0, fullCovered = 0, zoomPoints = 0, zoomCovered = 0;
    int fullLevel = 0, zoomLevel = 0;
    const qint64 openRssKb = peakRssKb();
    pass(false, fullMs, fullMax, fullPoints, fullCovered, fullLevel);
    const qint64 fullRssKb = peakRssKb();
    pass(true, zoomMs, zoomMax, zoomPoints, zoomCovered, zoomLevel);
    consoleOut() << "open_ms=" << openMs << " full_ms=" << fullMs << " full_max_ms=" << fullMax
                 << " full_points=" << fullPoints << " full_samples=" << fullCovered
                 << " full_level=" << fullLevel << " zoom_ms=" << zoomMs << " zoom_max_ms=" << zoomMax
                 << " zoom_points=" << zoomPoints << " zoom_level=" << zoomLevel
                 << " open_rss_kb=" << openRssKb << " full_rss_kb=" << fullRssKb
                 << " maxrss_kb=" << peakRssKb() << '\n';
    consoleOut().flush();
    return 0;
}

} // namespace oomscope::bench
