// SPDX-License-Identifier: GPL-3.0-or-later
// The samples CSV import as it streams a file into the workspace: what is read back equals what
// was written when rows and line ends fall across read blocks; a bad row mid-file is skipped and
// named by its line; a failure or cancel mid-file, after chunks were written, leaves the workspace
// as it was; a file whose rows go back in time is stored sorted, as the whole-file reader sorts it.
#include "recordingcsv.h"
#include "samplestore.h"
#include "samplestorefixture.h"
#include "workspace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <charconv>
#include <limits>
#include <map>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace samplestoretest;

namespace {

constexpr std::int64_t kAllTime = std::numeric_limits<std::int64_t>::max();

// A recording of three cgroups written as samplers write them, with CRLF line ends, and the
// samples it stands for. One cgroup is quoted (a comma in its name), so its rows take the
// general path while the others take the fast one.
struct Recording {
    QByteArray csv;
    std::map<QString, std::vector<MemorySample>> expected;
    QStringList order; // cgroups in the order of their first row
    qint64 rows = 0; // good rows
    qint64 badLine = 0; // the one malformed row, 0 for none
};

// Rows for `ticks` ticks from startMs. badTick: the tick whose first row is malformed (-1: none).
// blockBytes > 0: a comment after the header is sized so that the line end of a row is split
// across that block boundary ('\r' its last byte, '\n' the next block's first).
Recording makeRecording(int ticks, std::int64_t startMs, int badTick, qsizetype blockBytes)
{
    const std::vector<std::pair<QByteArray, QString>> cgroups = {
        {"/kubepods/burstable/pod-0001/app", u"/kubepods/burstable/pod-0001/app"_s},
        {"\"/kubepods/besteffort/pod-0002/app,sidecar\"", u"/kubepods/besteffort/pod-0002/app,sidecar"_s},
        {"/system.slice/cron.service", u"/system.slice/cron.service"_s},
    };
    Recording r;
    for (const auto &c : cgroups)
        r.order << c.second;
    const QByteArray header = "timestamp,cgroup,usage_bytes,limit_bytes,anon_bytes,file_bytes,"
                              "inactive_file_bytes,failcnt,boottime_s\r\n";
    std::vector<QByteArray> lines;
    std::uint64_t lcg = 0x9E3779B97F4A7C15ULL;
    auto next = [&lcg](std::uint64_t bound) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        return (lcg >> 17) % bound;
    };
    qint64 badIndex = -1;
    for (int tick = 0; tick < ticks; ++tick) {
        for (std::size_t c = 0; c < cgroups.size(); ++c) {
            MemorySample s;
            s.timestampMs = startMs + std::int64_t(tick) * 1000 + std::int64_t(c * 7 % 13);
            // Every digit count from 1 to 12, so fields end at every offset of the 8-byte reads.
            std::int64_t scale = 1;
            for (std::uint64_t k = next(10); k > 0; --k)
                scale *= 10;
            s.usageBytes = std::int64_t(next(1000)) * scale + std::int64_t(next(10));
            QByteArray limit = "1073741824";
            s.limitBytes = 1073741824;
            if (tick % 50 == 7) {
                limit = "max";
                s.limitBytes = MemorySample::kUnlimited;
            } else if (tick % 77 == 3) {
                limit = "";
                s.limitBytes = MemorySample::kUnlimited;
            }
            QByteArray anon = "-";
            if (tick % 31 != 5) {
                s.anonBytes = std::int64_t(next(900'000'000));
                anon = QByteArray::number(qint64(s.anonBytes));
            }
            s.fileBytes = std::int64_t(next(300'000'000));
            s.inactiveFileBytes = s.fileBytes / 3;
            s.failcnt = tick / 100;
            const QByteArray boottime = QByteArray::number(5000 + tick) + '.'
                + QByteArray::number(qint64(next(1'000'000))).rightJustified(6, '0');
            std::from_chars(boottime.constData(), boottime.constData() + boottime.size(), s.boottimeSeconds);
            QByteArray line = QByteArray::number(qint64(s.timestampMs)) + ',' + cgroups[c].first + ','
                + QByteArray::number(qint64(s.usageBytes)) + ',' + limit + ',' + anon + ','
                + QByteArray::number(qint64(s.fileBytes)) + ','
                + QByteArray::number(qint64(s.inactiveFileBytes)) + ','
                + QByteArray::number(qint64(s.failcnt)) + ',' + boottime + "\r\n";
            if (tick == badTick && c == 0) {
                line = QByteArray::number(qint64(s.timestampMs)) + ',' + cgroups[c].first
                    + ",12kB,1,2,3,4,5,6.5\r\n";
                badIndex = qint64(lines.size());
            } else {
                r.expected[cgroups[c].second].push_back(s);
                ++r.rows;
            }
            lines.push_back(line);
        }
    }
    QByteArray comment = "# recorded by a test\r\n";
    if (blockBytes > 0) {
        // The row whose '\r' comes last before the boundary, pushed onto it by the comment.
        qsizetype offset = header.size();
        for (const QByteArray &line : lines) {
            if (offset + line.size() - 2 + 3 > blockBytes - 1)
                break;
            offset += line.size();
        }
        // offset: the end of the last row that fits; move its "\r\n" to blockBytes - 1.
        const qsizetype pad = blockBytes - 1 - (offset - 2);
        comment = '#' + QByteArray(pad - 3, 'x') + "\r\n";
    }
    r.csv = header + comment;
    for (const QByteArray &line : lines)
        r.csv += line;
    if (badIndex >= 0)
        r.badLine = 3 + badIndex; // header, comment, then the rows
    return r;
}

// Every row of the tables an import writes, as text: equal before and after means unchanged.
QByteArray snapshot(const QString &workspacePath)
{
    RawDb db(workspacePath);
    QByteArray out;
    for (const char *sql : {"SELECT * FROM sources ORDER BY id", "SELECT * FROM warnings ORDER BY id",
                            "SELECT * FROM workloads ORDER BY id", "SELECT * FROM series ORDER BY id",
                            "SELECT series_id, level, seq, t_first, t_last, count, hex(data) FROM "
                            "sample_chunks ORDER BY series_id, level, seq"}) {
        out += sql;
        out += '\n';
        sqlite3_exec(
            db, sql,
            [](void *sink, int columns, char **values, char **) {
                auto *text = static_cast<QByteArray *>(sink);
                for (int i = 0; i < columns; ++i)
                    *text += QByteArray(values[i] ? values[i] : "NULL") + '|';
                *text += '\n';
                return 0;
            },
            &out, nullptr);
    }
    return out;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size() && f.flush();
}

} // namespace

class TestSampleCsvImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void largerThanAReadBlockImportsExactly();
    void failureMidFileLeavesTheWorkspace();
    void cancelMidFileLeavesTheWorkspace();
    void rowsBackInTimeAreStoredSorted();

private:
    QTemporaryDir m_dir;
    int m_files = 0;
    QString newPath(const QString &suffix = u".sqlite"_s)
    {
        return m_dir.filePath(u"f%1"_s.arg(++m_files) + suffix);
    }
    void compareStored(SampleStore &store, const Recording &recording, const SamplesImportResult &r);
};

void TestSampleCsvImport::compareStored(SampleStore &store, const Recording &recording,
                                        const SamplesImportResult &r)
{
    QCOMPARE(r.seriesIds.size(), std::size_t(recording.order.size()));
    for (std::size_t i = 0; i < r.seriesIds.size(); ++i) {
        const std::optional<SeriesInfo> info = store.seriesInfo(r.seriesIds[i]);
        QVERIFY(info);
        QCOMPARE(info->cgroupPath, recording.order[qsizetype(i)]);
        const std::vector<MemorySample> &expected = recording.expected.at(info->cgroupPath);
        QCOMPARE(info->count, qint64(expected.size()));
        QCOMPARE(*info->firstMs, expected.front().timestampMs);
        QCOMPARE(*info->lastMs, expected.back().timestampMs);
        compareSamples(store.samples(r.seriesIds[i], 0, kAllTime), expected);
    }
}

void TestSampleCsvImport::largerThanAReadBlockImportsExactly()
{
    const qsizetype block = CsvReadOptions {}.blockBytes;
    const Recording recording = makeRecording(9000, kBaseMs, 7000, block);
    // The fixture as promised: more than two blocks, a CRLF split across the first boundary.
    QVERIFY(recording.csv.size() > 2 * block);
    QCOMPARE(recording.csv.at(block - 1), '\r');
    QCOMPARE(recording.csv.at(block), '\n');
    const QString csv = newPath(u".csv"_s);
    QVERIFY(writeFile(csv, recording.csv));

    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const SamplesImportResult r = store.importSamplesCsv(csv, u"node-1"_s);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.samplesAdded, recording.rows);
    // The malformed row, beyond the first blocks, skipped and named by its line.
    QCOMPARE(r.skippedRows, 1);
    QCOMPARE(r.warnings.size(), std::size_t(1));
    QCOMPARE(r.warnings.front().line, recording.badLine);
    QVERIFY2(r.warnings.front().detail.contains(u"usage_bytes"_s)
                 && r.warnings.front().detail.contains(u"12kB"_s),
             qPrintable(r.warnings.front().detail));
    const std::vector<ParseWarning> stored = ws.warnings(r.sourceId);
    QCOMPARE(stored.size(), std::size_t(1));
    QCOMPARE(stored.front().line, recording.badLine);
    compareStored(store, recording, r);

    // The same bytes again add nothing, though their samples now lie before the stored ones.
    const QByteArray before = snapshot(ws.path());
    const SamplesImportResult again = store.importSamplesCsv(csv, u"node-1"_s);
    QVERIFY2(again.ok, qPrintable(again.error));
    QVERIFY(again.alreadyImported);
    QCOMPARE(again.sourceId, r.sourceId);
    QCOMPARE(snapshot(ws.path()), before);
}

void TestSampleCsvImport::failureMidFileLeavesTheWorkspace()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    // Stored first: a day later than the big file, so that the big file's rows of this cgroup
    // cannot go after them. Its one row is the file's last, after megabytes of other rows.
    const std::int64_t laterMs = kBaseMs + 86'400'000;
    const Recording earlier = makeRecording(200, laterMs, -1, 0);
    const QString first = newPath(u".csv"_s);
    QVERIFY(writeFile(first, earlier.csv));
    const SamplesImportResult stored = store.importSamplesCsv(first, u"node-1"_s);
    QVERIFY2(stored.ok, qPrintable(stored.error));
    const QByteArray before = snapshot(ws.path());

    Recording big = makeRecording(9000, kBaseMs, -1, 0);
    big.csv.replace("/system.slice/cron.service", "/system.slice/other.service");
    big.csv += QByteArray::number(qint64(kBaseMs)) + ",/kubepods/burstable/pod-0001/app,1,2,3,4,5,6,7.5\r\n";
    const QString csv = newPath(u".csv"_s);
    QVERIFY(writeFile(csv, big.csv));
    const SamplesImportResult failed = store.importSamplesCsv(csv, u"node-1"_s);
    QVERIFY(!failed.ok);
    QVERIFY2(failed.error.contains(u"/kubepods/burstable/pod-0001/app"_s)
                 && failed.error.contains(u"before"_s),
             qPrintable(failed.error));
    QCOMPARE(failed.samplesAdded, 0);
    QVERIFY(failed.seriesIds.empty());
    QCOMPARE(snapshot(ws.path()), before);

    // The store goes on from what the workspace holds (no tail of the failed import left over).
    Recording after = makeRecording(50, laterMs + 86'400'000, -1, 0);
    const QString next = newPath(u".csv"_s);
    QVERIFY(writeFile(next, after.csv));
    const SamplesImportResult appended = store.importSamplesCsv(next, u"node-1"_s);
    QVERIFY2(appended.ok, qPrintable(appended.error));
    for (auto &[cgroup, samples] : after.expected) {
        std::vector<MemorySample> all = earlier.expected.at(cgroup);
        all.insert(all.end(), samples.begin(), samples.end());
        samples = std::move(all);
    }
    compareStored(store, after, appended);
}

void TestSampleCsvImport::cancelMidFileLeavesTheWorkspace()
{
    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const Recording earlier = makeRecording(100, kBaseMs, -1, 0);
    const QString first = newPath(u".csv"_s);
    QVERIFY(writeFile(first, earlier.csv));
    QVERIFY(store.importSamplesCsv(first, u"node-1"_s).ok);
    const QByteArray before = snapshot(ws.path());

    // Progress comes every few MiB: cancelled at its first call, mid-file, dozens of chunks in.
    const Recording big = makeRecording(30000, kBaseMs + 86'400'000, -1, 0);
    const QString csv = newPath(u".csv"_s);
    QVERIFY(writeFile(csv, big.csv));
    qint64 lastProgress = 0;
    const SamplesImportResult canceled = store.importSamplesCsv(csv, u"node-1"_s, [&](qint64 bytes) {
        lastProgress = bytes;
        return false;
    });
    QVERIFY(canceled.canceled);
    QVERIFY(!canceled.ok);
    QVERIFY(lastProgress > 2 * CsvReadOptions {}.blockBytes && lastProgress < big.csv.size());
    QCOMPARE(snapshot(ws.path()), before);
}

void TestSampleCsvImport::rowsBackInTimeAreStoredSorted()
{
    // A clock stepped back: late in the file, a row earlier than rows already stored in chunks.
    Recording recording = makeRecording(6000, kBaseMs + 3'600'000, -1, 0);
    recording.csv += QByteArray::number(qint64(kBaseMs)) + ",/system.slice/cron.service,77,1,2,3,4,5,6.5\r\n";
    const QString csv = newPath(u".csv"_s);
    QVERIFY(writeFile(csv, recording.csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const SamplesCsvResult whole = readSamplesCsv(file, defaultCgroupForFile(csv));
    QVERIFY(whole.error.isEmpty());
    QCOMPARE(whole.series.size(), std::size_t(3));
    QCOMPARE(whole.series[2].samples.front().timestampMs, kBaseMs);

    Workspace ws;
    QVERIFY(ws.open(newPath()));
    SampleStore store(ws);
    const SamplesImportResult r = store.importSamplesCsv(csv, u"node-1"_s);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.samplesAdded, whole.rows);
    QCOMPARE(r.seriesIds.size(), whole.series.size());
    for (std::size_t i = 0; i < whole.series.size(); ++i)
        compareSamples(store.samples(r.seriesIds[i], 0, kAllTime), whole.series[i].samples);
    RawDb db(ws.path());
    QCOMPARE(queryInt(db, "SELECT count(*) FROM sources"), 1);
}

QTEST_GUILESS_MAIN(TestSampleCsvImport)
#include "tst_samplecsvimport.moc"
