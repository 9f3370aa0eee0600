// SPDX-License-Identifier: GPL-3.0-or-later
// Recording CSV import/export: every timestamp form against QDateTime's own arithmetic, the
// lenient parts of the format (column order, quotes, CRLF, comments), row-level errors with their
// line numbers, fatal errors, round trips, and the real checkout-leak recording against the
// figures in its truth.json and its line count.
#include "recordingcsv.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <set>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kRecording = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/checkout-leak");

SamplesCsvResult readSamples(const QByteArray &csv, const QString &defaultCgroup = u"default"_s)
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    return readSamplesCsv(buffer, defaultCgroup);
}

ProcsCsvResult readProcs(const QByteArray &csv)
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    return readProcsCsv(buffer);
}

qint64 utcMs(int y, int mo, int d, int h, int mi, int s, int ms = 0, int offsetSeconds = 0)
{
    const QDateTime dt(QDate(y, mo, d), QTime(h, mi, s, ms), Qt::OffsetFromUTC, offsetSeconds);
    return dt.toMSecsSinceEpoch();
}

// The one series of a result, failing the test if there is not exactly one.
const std::vector<MemorySample> &onlySeries(const SamplesCsvResult &r)
{
    static const std::vector<MemorySample> none;
    if (r.series.size() != 1) {
        qWarning() << "expected one series, got" << r.series.size() << r.error;
        return none;
    }
    return r.series.front().samples;
}

bool sameDouble(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

bool sameSample(const MemorySample &a, const MemorySample &b)
{
    return a.timestampMs == b.timestampMs && a.usageBytes == b.usageBytes && a.limitBytes == b.limitBytes
        && a.highBytes == b.highBytes && a.anonBytes == b.anonBytes && a.fileBytes == b.fileBytes
        && a.activeFileBytes == b.activeFileBytes && a.inactiveFileBytes == b.inactiveFileBytes
        && a.shmemBytes == b.shmemBytes && a.kernelBytes == b.kernelBytes && a.swapBytes == b.swapBytes
        && a.failcnt == b.failcnt && a.oomKillCount == b.oomKillCount
        && sameDouble(a.boottimeSeconds, b.boottimeSeconds);
}

bool sameProcess(const ProcessSample &a, const ProcessSample &b)
{
    return a.timestampMs == b.timestampMs && a.pid == b.pid && a.comm == b.comm && a.cgroup == b.cgroup
        && a.rssKb == b.rssKb && a.rssAnonKb == b.rssAnonKb && a.rssFileKb == b.rssFileKb
        && a.rssShmemKb == b.rssShmemKb && a.swapKb == b.swapKb && a.pgtablesKb == b.pgtablesKb
        && a.oomScoreAdj == b.oomScoreAdj && sameDouble(a.boottimeSeconds, b.boottimeSeconds);
}

// Data rows of a CSV file counted independently of the reader: lines that are not the header,
// not empty and not comments.
qint64 dataLineCount(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    qint64 n = 0;
    bool header = true;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (header) {
            header = false;
            continue;
        }
        ++n;
    }
    return n;
}

QJsonObject truth()
{
    QFile f(kRecording + u"/truth.json"_s);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class RecordingCsvTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timestampForms_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("unitIsMs");
        QTest::addColumn<qint64>("expectedMs"); // -1 = must be rejected

        const qint64 base = utcMs(2026, 11, 27, 10, 15, 2);
        QTest::newRow("epoch s") << "1795774502"_ba << false << qint64(1795774502000);
        QTest::newRow("epoch s fraction") << "1795825075.278"_ba << false << qint64(1795825075278);
        QTest::newRow("epoch s 1 digit") << "1795825075.2"_ba << false << qint64(1795825075200);
        QTest::newRow("epoch s rounds") << "1795825075.2786"_ba << false << qint64(1795825075279);
        QTest::newRow("epoch s trailing dot") << "1795825075."_ba << false << qint64(1795825075000);
        QTest::newRow("epoch ms") << "1795825075278"_ba << false << qint64(1795825075278);
        QTest::newRow("epoch ms fraction") << "1795825075278.6"_ba << false << qint64(1795825075279);
        QTest::newRow("small under ms unit") << "5000"_ba << true << qint64(5000);
        QTest::newRow("small under s unit") << "5000"_ba << false << qint64(5000000);
        QTest::newRow("1e11 is seconds") << "100000000000"_ba << false << qint64(100000000000000);
        QTest::newRow("above 1e11 is ms") << "100000000001"_ba << false << qint64(100000000001);
        QTest::newRow("blanks trimmed") << "  1795825075278 "_ba << false << qint64(1795825075278);
        QTest::newRow("ISO Z") << "2026-11-27T10:15:02Z"_ba << false << base;
        QTest::newRow("ISO z lower") << "2026-11-27t10:15:02z"_ba << false << base;
        QTest::newRow("ISO no offset = UTC") << "2026-11-27T10:15:02"_ba << false << base;
        QTest::newRow("ISO blank separator") << "2026-11-27 10:15:02"_ba << false << base;
        QTest::newRow("ISO no seconds") << "2026-11-27T10:15Z"_ba << false << utcMs(2026, 11, 27, 10, 15, 0);
        QTest::newRow("ISO ms") << "2026-11-27T10:15:02.005Z"_ba << false << base + 5;
        QTest::newRow("ISO us") << "2026-11-27T10:15:02.482913Z"_ba << false << base + 483;
        QTest::newRow("ISO comma fraction") << "2026-11-27T10:15:02,25Z"_ba << false << base + 250;
        QTest::newRow("ISO +01:00") << "2026-11-27T10:15:02.005+01:00"_ba << false
                                    << utcMs(2026, 11, 27, 10, 15, 2, 5, 3600);
        QTest::newRow("ISO +0100") << "2026-11-27T10:15:02+0100"_ba << false
                                   << utcMs(2026, 11, 27, 10, 15, 2, 0, 3600);
        QTest::newRow("ISO -05") << "2026-11-27T10:15:02-05"_ba << false
                                 << utcMs(2026, 11, 27, 10, 15, 2, 0, -5 * 3600);
        QTest::newRow("ISO +05:30") << "2026-11-27T10:15:02+05:30"_ba << false
                                    << utcMs(2026, 11, 27, 10, 15, 2, 0, 5 * 3600 + 1800);
        QTest::newRow("ISO blank before offset")
            << "2026-11-27 10:15:02 +01:00"_ba << false << utcMs(2026, 11, 27, 10, 15, 2, 0, 3600);
        QTest::newRow("ISO leap day") << "2024-02-29T00:00:00Z"_ba << false << utcMs(2024, 2, 29, 0, 0, 0);
        QTest::newRow("ISO epoch") << "1970-01-01T00:00:00Z"_ba << false << qint64(0);
        QTest::newRow("ISO pre-epoch") << "1969-12-31T23:59:59Z"_ba << false << qint64(-1000);

        QTest::newRow("bad empty") << ""_ba << false << qint64(-1);
        QTest::newRow("bad word") << "yesterday"_ba << false << qint64(-1);
        QTest::newRow("bad suffix") << "1795825075x"_ba << false << qint64(-1);
        QTest::newRow("bad month") << "2026-13-01T00:00:00Z"_ba << false << qint64(-1);
        QTest::newRow("bad day") << "2026-02-29T00:00:00Z"_ba << false << qint64(-1);
        QTest::newRow("bad hour") << "2026-11-27T24:00:00Z"_ba << false << qint64(-1);
        QTest::newRow("bad offset") << "2026-11-27T10:15:02+1"_ba << false << qint64(-1);
        QTest::newRow("date only") << "2026-11-27"_ba << false << qint64(-1);
        QTest::newRow("time only") << "10:15:02"_ba << false << qint64(-1);
        QTest::newRow("trailing junk") << "2026-11-27T10:15:02Zjunk"_ba << false << qint64(-1);
    }

    void timestampForms()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, unitIsMs);
        QFETCH(qint64, expectedMs);
        const std::optional<std::int64_t> ms = parseCsvTimestampMs(text, unitIsMs);
        if (expectedMs == -1) {
            QVERIFY2(!ms, qPrintable(u"accepted as %1"_s.arg(ms.value_or(0))));
            return;
        }
        QVERIFY(ms.has_value());
        QCOMPARE(qint64(*ms), expectedMs);

        // The same value through a whole file, under a header that declares the unit.
        const QByteArray header = unitIsMs ? "timestamp_ms,usage_bytes\n"_ba : "timestamp,usage_bytes\n"_ba;
        const QByteArray field = text.contains(',') ? '"' + text + '"' : text;
        const SamplesCsvResult r = readSamples(header + field + ",1\n");
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.skippedRows, 0);
        QCOMPARE(onlySeries(r).size(), std::size_t(1));
        QCOMPARE(qint64(onlySeries(r)[0].timestampMs), expectedMs);
    }

    void timestampAliases_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("timestamp") << "timestamp"_ba
                                   << "1700000000"_ba << qint64(1700000000000);
        QTest::newRow("timestamp_ms") << "timestamp_ms"_ba
                                      << "1700000000123"_ba << qint64(1700000000123);
        QTest::newRow("ts_epoch_ms") << "ts_epoch_ms"_ba
                                     << "1700000000123"_ba << qint64(1700000000123);
        QTest::newRow("time") << "time"_ba
                              << "2023-11-14T22:13:20Z"_ba << qint64(1700000000000);
        QTest::newRow("case and blanks") << " TimeStamp "_ba
                                         << "1700000000.5"_ba << qint64(1700000000500);
        QTest::newRow("quoted header") << "\"timestamp\""_ba
                                       << "1700000000"_ba << qint64(1700000000000);
    }

    void timestampAliases()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, value);
        QFETCH(qint64, expectedMs);
        const SamplesCsvResult r = readSamples(header + ",usage_bytes\n" + value + ",42\n");
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(onlySeries(r).size(), std::size_t(1));
        QCOMPARE(qint64(onlySeries(r)[0].timestampMs), expectedMs);
        QCOMPARE(qint64(onlySeries(r)[0].usageBytes), qint64(42));
        QVERIFY(r.ignoredColumns.isEmpty());
    }

    void timestampAliasPriority()
    {
        // "timestamp" wins over "time"; the loser is reported as ignored.
        const SamplesCsvResult r = readSamples("time,timestamp,usage_bytes\n2000000000,1700000000,1\n"_ba);
        QCOMPARE(qint64(onlySeries(r).at(0).timestampMs), qint64(1700000000000));
        QCOMPARE(r.ignoredColumns, QStringList {u"time"_s});
    }

    void anyColumnOrder()
    {
        const SamplesCsvResult a =
            readSamples("timestamp,cgroup,usage_bytes,limit_bytes,anon_bytes,boottime_s\n"
                        "1700000000000,/a,100,200,50,12.5\n"_ba);
        const SamplesCsvResult b =
            readSamples("boottime_s,anon_bytes,limit_bytes,usage_bytes,cgroup,timestamp\n"
                        "12.5,50,200,100,/a,1700000000000\n"_ba);
        QCOMPARE(onlySeries(a).size(), std::size_t(1));
        QCOMPARE(onlySeries(b).size(), std::size_t(1));
        QCOMPARE(a.series[0].cgroup, u"/a"_s);
        QCOMPARE(b.series[0].cgroup, u"/a"_s);
        const MemorySample &s = b.series[0].samples[0];
        QCOMPARE(qint64(s.usageBytes), qint64(100));
        QCOMPARE(qint64(s.limitBytes), qint64(200));
        QCOMPARE(qint64(s.anonBytes), qint64(50));
        QCOMPARE(s.boottimeSeconds, 12.5);
        QVERIFY(sameSample(a.series[0].samples[0], s));
    }

    void allColumnsRead()
    {
        const SamplesCsvResult r = readSamples(
            "timestamp,usage_bytes,limit_bytes,high_bytes,anon_bytes,file_bytes,inactive_file_bytes,"
            "active_file_bytes,shmem_bytes,kernel_bytes,swap_bytes,failcnt,oom_kill,boottime_s\n"
            "1700000000000,1,2,3,4,5,6,7,8,9,10,11,12,13.25\n"_ba);
        QCOMPARE(onlySeries(r).size(), std::size_t(1));
        const MemorySample &s = r.series[0].samples[0];
        QCOMPARE(qint64(s.usageBytes), qint64(1));
        QCOMPARE(qint64(s.limitBytes), qint64(2));
        QCOMPARE(qint64(s.highBytes), qint64(3));
        QCOMPARE(qint64(s.anonBytes), qint64(4));
        QCOMPARE(qint64(s.fileBytes), qint64(5));
        QCOMPARE(qint64(s.inactiveFileBytes), qint64(6));
        QCOMPARE(qint64(s.activeFileBytes), qint64(7));
        QCOMPARE(qint64(s.shmemBytes), qint64(8));
        QCOMPARE(qint64(s.kernelBytes), qint64(9));
        QCOMPARE(qint64(s.swapBytes), qint64(10));
        QCOMPARE(qint64(s.failcnt), qint64(11));
        QCOMPARE(qint64(s.oomKillCount), qint64(12));
        QCOMPARE(s.boottimeSeconds, 13.25);
    }

    void missingOptionalColumns()
    {
        const SamplesCsvResult r = readSamples("timestamp,usage_bytes\n1700000000,4096\n"_ba, u"web"_s);
        QVERIFY(r.error.isEmpty());
        QCOMPARE(onlySeries(r).size(), std::size_t(1));
        QCOMPARE(r.series[0].cgroup, u"web"_s);
        const MemorySample &s = r.series[0].samples[0];
        QCOMPARE(qint64(s.usageBytes), qint64(4096));
        // An absent column is "not measured", unlike an empty limit field (= no limit).
        QCOMPARE(qint64(s.limitBytes), qint64(MemorySample::kUnknown));
        QCOMPARE(qint64(s.anonBytes), qint64(MemorySample::kUnknown));
        QCOMPARE(qint64(s.oomKillCount), qint64(MemorySample::kUnknown));
        QVERIFY(!s.hasBoottime());

        // Only a timestamp is required.
        const SamplesCsvResult t = readSamples("timestamp\n1700000000\n1700000001\n"_ba);
        QCOMPARE(onlySeries(t).size(), std::size_t(2));
    }

    void unknownColumnsIgnoredAndListed()
    {
        const SamplesCsvResult r = readSamples(
            "host,timestamp,Pressure,usage_bytes,usage_bytes,note\nx,1700000000,0.5,7,8,hello\n"_ba);
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.ignoredColumns, (QStringList {u"host"_s, u"Pressure"_s, u"usage_bytes"_s, u"note"_s}));
        QCOMPARE(onlySeries(r).size(), std::size_t(1));
        QCOMPARE(qint64(r.series[0].samples[0].usageBytes), qint64(7)); // the first of a repeated column
    }

    void quotedFields()
    {
        const SamplesCsvResult r = readSamples("\"timestamp\",\"cgroup\",\"usage_bytes\"\n"
                                               "\"1700000000\",\"/a,b\",\"10\"\n"
                                               "1700000001, \"/q\"\"uote\" ,20\n"
                                               "1700000002,\"\",30\n"
                                               "1700000003,\"/a,b\",\"\"\n"_ba,
                                               u"dflt"_s);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.skippedRows, 0);
        QCOMPARE(r.series.size(), std::size_t(3));
        QCOMPARE(r.series[0].cgroup, u"/a,b"_s);
        QCOMPARE(r.series[0].samples.size(), std::size_t(2));
        QCOMPARE(qint64(r.series[0].samples[0].usageBytes), qint64(10));
        QCOMPARE(qint64(r.series[0].samples[1].usageBytes), qint64(MemorySample::kUnknown));
        QCOMPARE(r.series[1].cgroup, u"/q\"uote"_s);
        QCOMPARE(r.series[2].cgroup, u"dflt"_s); // an empty cgroup field means the default
    }

    void crlfAndBom()
    {
        const QByteArray lf = "timestamp,cgroup,usage_bytes\n1700000000,/a,1\n1700000001,/a,2\n"_ba;
        QByteArray crlf = lf;
        crlf.replace("\n", "\r\n");
        const SamplesCsvResult a = readSamples(lf);
        const SamplesCsvResult b = readSamples("\xEF\xBB\xBF"_ba + crlf);
        QVERIFY2(b.error.isEmpty(), qPrintable(b.error));
        QCOMPARE(b.skippedRows, 0);
        QVERIFY(b.ignoredColumns.isEmpty());
        QCOMPARE(onlySeries(a).size(), std::size_t(2));
        QCOMPARE(onlySeries(b).size(), std::size_t(2));
        QCOMPARE(b.series[0].cgroup, u"/a"_s);
        for (std::size_t i = 0; i < 2; ++i)
            QVERIFY(sameSample(a.series[0].samples[i], b.series[0].samples[i]));
        // No line end after the last row.
        const SamplesCsvResult c = readSamples("timestamp,usage_bytes\r\n1700000000,5"_ba);
        QCOMPARE(onlySeries(c).size(), std::size_t(1));
        QCOMPARE(qint64(c.series[0].samples[0].usageBytes), qint64(5));
    }

    void commentsAndBlankLines()
    {
        const SamplesCsvResult r = readSamples("# recorded by a shell loop\n"
                                               "\n"
                                               "timestamp,usage_bytes\n"
                                               "# a comment between rows\n"
                                               "1700000000,1\n"
                                               "   # indented comment\n"
                                               "\n"
                                               "1700000001,2\n"
                                               "bad,3\n"_ba);
        QCOMPARE(onlySeries(r).size(), std::size_t(2));
        QCOMPARE(r.rows, 2);
        QCOMPARE(r.skipped.size(), std::size_t(1));
        QCOMPARE(r.skipped[0].line, qint64(9)); // comments and blank lines count as lines
    }

    void badRowsSkippedWithLineNumbers()
    {
        const QByteArray csv = "timestamp,cgroup,usage_bytes,limit_bytes,boottime_s\n" // 1
                               "1700000000,/a,1,2,1.5\n" // 2 good
                               "1700000001,/a,1,2\n" // 3 too few
                               "1700000002,/a,1,2,1.5,9\n" // 4 too many
                               "1700000003,/a,12kB,2,1.5\n" // 5 non-numeric
                               "1700000004,/a,-5,2,1.5\n" // 6 negative
                               "17000000x5,/a,1,2,1.5\n" // 7 bad timestamp
                               "1700000006,\"/a,1,2,1.5\n" // 8 open quote
                               "1700000007,\"/a\"x,1,2,1.5\n" // 9 text after quote
                               "1700000008,/a,1,2,soon\n" // 10 bad boottime
                               ",/a,1,2,1.5\n" // 11 empty timestamp
                               "1700000009,/a,3,max,2.5\n"_ba; // 12 good
        const SamplesCsvResult r = readSamples(csv);
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.rows, 2);
        QCOMPARE(onlySeries(r).size(), std::size_t(2));
        QCOMPARE(r.skippedRows, 9);
        std::vector<qint64> lines;
        for (const CsvRowIssue &issue : r.skipped) {
            lines.push_back(issue.line);
            QVERIFY(!issue.detail.isEmpty());
        }
        QCOMPARE(lines, (std::vector<qint64> {3, 4, 5, 6, 7, 8, 9, 10, 11}));
        QVERIFY2(r.skipped[0].detail.contains(u"5 fields, found 4"_s), qPrintable(r.skipped[0].detail));
        QVERIFY2(r.skipped[2].detail.contains(u"usage_bytes"_s) && r.skipped[2].detail.contains(u"12kB"_s),
                 qPrintable(r.skipped[2].detail));
        QVERIFY2(r.skipped[4].detail.contains(u"timestamp"_s), qPrintable(r.skipped[4].detail));
        QVERIFY2(r.skipped[5].detail.contains(u"quote"_s), qPrintable(r.skipped[5].detail));
        QVERIFY2(r.skipped[7].detail.contains(u"boottime_s"_s), qPrintable(r.skipped[7].detail));
    }

    void issueListIsCapped()
    {
        QByteArray csv = "timestamp,usage_bytes\n"_ba;
        for (int i = 0; i < 50; ++i)
            csv += "x,1\n";
        csv += "1700000000,1\n";
        QBuffer buffer(&csv);
        buffer.open(QIODevice::ReadOnly);
        CsvReadOptions options;
        options.maxIssues = 10;
        const SamplesCsvResult r = readSamplesCsv(buffer, u"c"_s, {}, options);
        QCOMPARE(r.skipped.size(), std::size_t(10));
        QCOMPARE(r.skippedRows, 50);
        QCOMPARE(r.rows, 1);
    }

    void fatalErrorsReturnNothing()
    {
        // No timestamp column.
        SamplesCsvResult r = readSamples("cgroup,usage_bytes\n/a,1\n/a,2\n"_ba);
        QVERIFY(!r.error.isEmpty());
        QVERIFY(!r.error.contains(u'\n'));
        QVERIFY(r.series.empty());
        QCOMPARE(r.rows, 0);
        // Empty input, and input with only comments.
        r = readSamples(QByteArray());
        QVERIFY(!r.error.isEmpty());
        r = readSamples("# nothing\n\n"_ba);
        QVERIFY(!r.error.isEmpty());
        QVERIFY(r.series.empty());
        // A device that cannot be read.
        QFile missing(u"/nonexistent/oomscope/samples.csv"_s);
        QVERIFY(!missing.open(QIODevice::ReadOnly));
        r = readSamplesCsv(missing, u"x"_s);
        QVERIFY(!r.error.isEmpty());
        QVERIFY(r.series.empty());
        // A header alone is not an error: a recording that had not started.
        r = readSamples("timestamp,usage_bytes\n"_ba);
        QVERIFY(r.error.isEmpty());
        QVERIFY(r.series.empty());

        // The process file also needs its pid column.
        ProcsCsvResult p = readProcs("timestamp,comm,rss_kb\n1700000000,a,1\n"_ba);
        QVERIFY(!p.error.isEmpty());
        QVERIFY(p.rows.empty());
        p = readProcs("pid,comm,rss_kb\n1,a,1\n"_ba);
        QVERIFY(!p.error.isEmpty());
        QVERIFY(p.rows.empty());
    }

    void cancelReturnsNothing()
    {
        QByteArray csv = "timestamp,usage_bytes\n"_ba;
        for (int i = 0; i < 400000; ++i) // ~9 MiB, more than one progress interval
            csv += "1700000000000," + QByteArray::number(i) + '\n';
        QBuffer buffer(&csv);
        buffer.open(QIODevice::ReadOnly);
        int calls = 0;
        const SamplesCsvResult r = readSamplesCsv(buffer, u"c"_s, [&](qint64 done) {
            ++calls;
            return done < 4 * 1024 * 1024;
        });
        QVERIFY(r.canceled);
        QVERIFY(r.series.empty());
        QCOMPARE(r.rows, 0);
        QVERIFY(calls >= 1);

        // Without cancel the same data reads fully, and progress reaches the end.
        buffer.seek(0);
        qint64 last = 0;
        const SamplesCsvResult all = readSamplesCsv(buffer, u"c"_s, [&](qint64 done) {
            last = done;
            return true;
        });
        QCOMPARE(all.rows, 400000);
        QCOMPARE(last, qint64(csv.size()));
    }

    void defaultCgroupFromFileName()
    {
        QCOMPARE(defaultCgroupForFile(u"/tmp/web-1.csv"_s), u"web-1"_s);
        QCOMPARE(defaultCgroupForFile(u"checkout.samples.csv"_s), u"checkout.samples"_s);
        QCOMPARE(defaultCgroupForFile(u"/x/plain"_s), u"plain"_s);
        const SamplesCsvResult r = readSamples("timestamp,usage_bytes\n1700000000,1\n"_ba,
                                               defaultCgroupForFile(u"/var/tmp/db-primary.csv"_s));
        QCOMPARE(r.series.size(), std::size_t(1));
        QCOMPARE(r.series[0].cgroup, u"db-primary"_s);
    }

    void multipleCgroupsSortedStable()
    {
        const SamplesCsvResult r = readSamples("timestamp,cgroup,usage_bytes\n"
                                               "1700000003,/b,30\n"
                                               "1700000002,/a,20\n"
                                               "1700000001,/b,10\n"
                                               "1700000001,/a,11\n"
                                               "1700000002,/a,21\n" // duplicate time, after 20
                                               "1700000000,/a,1\n"_ba);
        QCOMPARE(r.series.size(), std::size_t(2));
        QCOMPARE(r.series[0].cgroup, u"/b"_s); // order of first appearance
        QCOMPARE(r.series[1].cgroup, u"/a"_s);
        auto usages = [](const RecordedSeries &s) {
            std::vector<qint64> v;
            for (const MemorySample &m : s.samples)
                v.push_back(m.usageBytes);
            return v;
        };
        QCOMPARE(usages(r.series[0]), (std::vector<qint64> {10, 30}));
        QCOMPARE(usages(r.series[1]), (std::vector<qint64> {1, 11, 20, 21}));
        QCOMPARE(r.rows, 6);
    }

    void limitForms_data()
    {
        QTest::addColumn<QByteArray>("limit");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("bytes") << "134217728"_ba << qint64(134217728);
        QTest::newRow("float-written int") << "134217728.0"_ba << qint64(134217728);
        QTest::newRow("max") << "max"_ba << qint64(MemorySample::kUnlimited);
        QTest::newRow("MAX") << "MAX"_ba << qint64(MemorySample::kUnlimited);
        QTest::newRow("empty") << ""_ba << qint64(MemorySample::kUnlimited);
        QTest::newRow("2^62") << "4611686018427387904"_ba << qint64(MemorySample::kUnlimited);
        QTest::newRow("2^62-1") << "4611686018427387903"_ba << qint64(4611686018427387903);
        QTest::newRow("v1 PAGE_COUNTER_MAX") << "9223372036854771712"_ba << qint64(MemorySample::kUnlimited);
        QTest::newRow("u64 max") << "18446744073709551615"_ba << qint64(MemorySample::kUnlimited);
        QTest::newRow("dash = unknown") << "-"_ba << qint64(MemorySample::kUnknown);
        QTest::newRow("bad") << "lots"_ba << qint64(-2);
        QTest::newRow("fraction") << "1.5"_ba << qint64(-2);
    }

    void limitForms()
    {
        QFETCH(QByteArray, limit);
        QFETCH(qint64, expected);
        const SamplesCsvResult r =
            readSamples("timestamp,limit_bytes,high_bytes\n1700000000," + limit + ",max\n");
        if (expected == -2) {
            QCOMPARE(r.skippedRows, 1);
            QVERIFY(r.series.empty());
            return;
        }
        QCOMPARE(onlySeries(r).size(), std::size_t(1));
        QCOMPARE(qint64(r.series[0].samples[0].limitBytes), expected);
        QCOMPARE(qint64(r.series[0].samples[0].highBytes), qint64(MemorySample::kUnlimited));
    }

    void hugeUsageIsBad()
    {
        // Only limits have a "no limit" reading; a usage this large is garbage.
        const SamplesCsvResult r = readSamples("timestamp,usage_bytes\n1700000000,18446744073709551615\n"_ba);
        QCOMPARE(r.skippedRows, 1);
    }

    void samplesRoundTrip()
    {
        std::vector<RecordedSeries> series(3);
        series[0].cgroup = u"/kubepods/pod a,\"b\""_s;
        series[1].cgroup = u" /lead blank"_s;
        series[2].cgroup = u"/sparse"_s;
        for (int i = 0; i < 50; ++i) {
            MemorySample s;
            s.timestampMs = 1795825075278 + i * 100;
            s.usageBytes = 1000 + i * 4096;
            s.limitBytes =
                i % 7 == 0 ? MemorySample::kUnlimited : (i % 11 == 0 ? MemorySample::kUnknown : 134217728);
            s.highBytes = i % 2 ? MemorySample::kUnlimited : 100000;
            s.anonBytes = i * 3;
            s.fileBytes = i % 5 ? i * 5 : MemorySample::kUnknown;
            s.activeFileBytes = i;
            s.inactiveFileBytes = 2 * i;
            s.shmemBytes = 0;
            s.kernelBytes = 4611686018427387903; // just below the "unlimited" threshold
            s.swapBytes = MemorySample::kUnknown;
            s.failcnt = i * 10;
            s.oomKillCount = i / 20;
            s.boottimeSeconds = i % 3 ? 1507.331390 + i * 0.1 : std::nan("");
            series[0].samples.push_back(s);
            s.timestampMs = 5 + i; // tiny epoch ms must not come back as seconds
            series[1].samples.push_back(s);
        }
        MemorySample sparse;
        sparse.timestampMs = -1500; // before the epoch
        series[2].samples.push_back(sparse);

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(writeSamplesCsv(buffer, series));
        buffer.close();
        QVERIFY(!buffer.data().contains("swap_bytes")); // only columns that hold data

        buffer.open(QIODevice::ReadOnly);
        const SamplesCsvResult r = readSamplesCsv(buffer, u"unused"_s);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.skippedRows, 0);
        QVERIFY(r.ignoredColumns.isEmpty());
        QCOMPARE(r.series.size(), series.size());
        for (std::size_t k = 0; k < series.size(); ++k) {
            QCOMPARE(r.series[k].cgroup, series[k].cgroup);
            QCOMPARE(r.series[k].samples.size(), series[k].samples.size());
            for (std::size_t i = 0; i < series[k].samples.size(); ++i)
                QVERIFY2(sameSample(r.series[k].samples[i], series[k].samples[i]),
                         qPrintable(u"series %1 sample %2"_s.arg(k).arg(i)));
        }

        // The single-cgroup overload without a name writes no cgroup column: the reader's
        // default applies.
        QBuffer one;
        one.open(QIODevice::WriteOnly);
        QVERIFY(writeSamplesCsv(one, QString(), series[0].samples));
        QVERIFY(!one.data().contains("cgroup"));
        one.close();
        one.open(QIODevice::ReadOnly);
        const SamplesCsvResult r1 = readSamplesCsv(one, u"from-file"_s);
        QCOMPARE(r1.series.size(), std::size_t(1));
        QCOMPARE(r1.series[0].cgroup, u"from-file"_s);
        QCOMPARE(r1.series[0].samples.size(), series[0].samples.size());
        QVERIFY(sameSample(r1.series[0].samples[49], series[0].samples[49]));
    }

    void writeToClosedDeviceFails()
    {
        QBuffer closed;
        MemorySample s;
        const Result<void> samples = writeSamplesCsv(closed, u"/a"_s, std::span<const MemorySample>(&s, 1));
        QVERIFY(!samples);
        QCOMPARE(samples.error().kind, Error::Kind::Invalid);
        QVERIFY(!samples.error().message.isEmpty());
        ProcessSample p;
        const Result<void> procs = writeProcsCsv(closed, std::span<const ProcessSample>(&p, 1));
        QVERIFY(!procs);
        QVERIFY(!procs.error().message.isEmpty());
    }

    void procsColumnsAndBadRows()
    {
        const ProcsCsvResult r =
            readProcs("comm,pid,timestamp,rss_kb,swap_kb,pgtables_kb,oom_score_adj,cgroup,extra\n"
                      "worker,10,1700000001,100,5,8,-1000,/a,x\n" // 2
                      "\"a, b\",11,1700000000,200,,,900,,y\n" // 3
                      "c,,1700000002,1,1,1,0,/a,z\n" // 4 no pid
                      "d,12,1700000003,1,1,1,1001,/a,z\n" // 5 adj range
                      "e,13,1700000004,1,1,1,,/a,z\n"_ba); // 6 adj empty
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.ignoredColumns, QStringList {u"extra"_s});
        QCOMPARE(r.rows.size(), std::size_t(3));
        QCOMPARE(r.skippedRows, 2);
        QCOMPARE(r.skipped[0].line, qint64(4));
        QCOMPARE(r.skipped[1].line, qint64(5));
        // Sorted by time.
        QCOMPARE(qint64(r.rows[0].pid), qint64(11));
        QCOMPARE(r.rows[0].comm, u"a, b"_s);
        QCOMPARE(qint64(r.rows[0].rssKb), qint64(200));
        QCOMPARE(qint64(r.rows[0].swapKb), qint64(MemorySample::kUnknown));
        QCOMPARE(r.rows[0].oomScoreAdj, 900);
        QVERIFY(r.rows[0].cgroup.isEmpty());
        QCOMPARE(qint64(r.rows[1].pid), qint64(10));
        QCOMPARE(r.rows[1].oomScoreAdj, -1000);
        QCOMPARE(qint64(r.rows[1].pgtablesKb), qint64(8));
        QCOMPARE(r.rows[1].cgroup, u"/a"_s);
        QCOMPARE(qint64(r.rows[1].rssAnonKb), qint64(MemorySample::kUnknown)); // column absent
        QCOMPARE(r.rows[2].oomScoreAdj, 0);
    }

    void procsRoundTrip()
    {
        std::vector<ProcessSample> rows;
        for (int i = 0; i < 20; ++i) {
            ProcessSample p;
            p.timestampMs = 1795825076278 + (i / 2) * 100;
            p.pid = 23025 + i % 2;
            p.comm = i % 2 ? u"checkout_svc.py"_s : u"a,\"quoted\" name"_s;
            p.cgroup = i % 3 ? u"/oomgt-demo"_s : QString();
            p.rssKb = i % 4 ? 1000 + i : MemorySample::kUnknown;
            p.rssAnonKb = 10 * i;
            p.rssFileKb = 5448;
            p.rssShmemKb = 0;
            p.pgtablesKb = i % 2 ? 280 : MemorySample::kUnknown;
            p.oomScoreAdj = i % 2 ? -17 : 1000;
            p.boottimeSeconds = 1508.331606 + i;
            rows.push_back(p);
        }
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(writeProcsCsv(buffer, rows));
        QVERIFY(!buffer.data().contains("swap_kb"));
        buffer.close();
        buffer.open(QIODevice::ReadOnly);
        const ProcsCsvResult r = readProcsCsv(buffer);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.skippedRows, 0);
        QCOMPARE(r.rows.size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            QVERIFY2(sameProcess(r.rows[i], rows[i]), qPrintable(u"row %1"_s.arg(i)));
    }

    void realRecordingSamples()
    {
        const QString path = kRecording + u"/samples.csv"_s;
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        const SamplesCsvResult r = readSamplesCsv(file, defaultCgroupForFile(path));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.skippedRows, 0);
        QVERIFY2(r.ignoredColumns.isEmpty(), qPrintable(r.ignoredColumns.join(u", "_s)));
        const QJsonObject t = truth();
        const QJsonObject observed = t.value(u"observed"_s).toObject();
        QCOMPARE(r.rows, dataLineCount(path));
        QCOMPARE(r.rows, qint64(observed.value(u"n_samples"_s).toInteger()));
        QCOMPARE(r.bytesRead, file.size());

        QCOMPARE(r.series.size(), std::size_t(1));
        QCOMPARE(r.series[0].cgroup, t.value(u"memcg"_s).toString());
        const std::vector<MemorySample> &s = r.series[0].samples;
        const qint64 limit = t.value(u"limit_bytes"_s).toInteger();
        QCOMPARE(limit, qint64(128) * 1024 * 1024);
        std::int64_t peak = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            QCOMPARE(qint64(s[i].limitBytes), limit);
            QVERIFY(s[i].usageBytes >= 0 && s[i].usageBytes <= limit);
            QVERIFY(s[i].hasBoottime());
            QVERIFY(MemorySample::known(s[i].anonBytes));
            QVERIFY(MemorySample::known(s[i].inactiveFileBytes));
            QCOMPARE(qint64(s[i].highBytes), qint64(MemorySample::kUnknown)); // no column: v1
            if (i > 0) {
                QVERIFY(s[i].timestampMs >= s[i - 1].timestampMs);
                // One sample every ~100 ms, on both clocks.
                const qint64 wallStep = s[i].timestampMs - s[i - 1].timestampMs;
                QVERIFY2(wallStep >= 50 && wallStep <= 200, qPrintable(QString::number(wallStep)));
                QVERIFY(std::abs((s[i].boottimeSeconds - s[i - 1].boottimeSeconds) * 1000 - wallStep) < 20);
            }
            peak = std::max(peak, s[i].usageBytes);
        }
        QCOMPARE(qint64(peak), qint64(observed.value(u"peak_sampled_usage_bytes"_s).toInteger()));
        QCOMPARE(qint64(s.back().failcnt), qint64(observed.value(u"final_failcnt"_s).toInteger()));
        QCOMPARE(qint64(s.back().oomKillCount), qint64(observed.value(u"oom_kill_counter"_s).toInteger()));
        QCOMPARE(qint64(s.front().oomKillCount), qint64(0));
        // The first row, read by eye from the file.
        QCOMPARE(qint64(s.front().timestampMs), qint64(1795825075278));
        QCOMPARE(s.front().boottimeSeconds, 1507.331390);
    }

    void realRecordingProcs()
    {
        const QString path = kRecording + u"/procs.csv"_s;
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const ProcsCsvResult r = readProcsCsv(file);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.skippedRows, 0);
        QCOMPARE(qint64(r.rows.size()), dataLineCount(path));
        QCOMPARE(r.ignoredColumns, (QStringList {u"uptime_s"_s, u"state"_s, u"oom_score"_s}));

        const QJsonArray processes = truth().value(u"processes"_s).toArray();
        QCOMPARE(processes.size(), 2);
        std::set<qint64> seen;
        for (const ProcessSample &p : r.rows) {
            seen.insert(p.pid);
            bool known = false;
            for (const QJsonValue &v : processes) {
                const QJsonObject o = v.toObject();
                if (o.value(u"pid"_s).toInteger() == p.pid) {
                    known = true;
                    QCOMPARE(p.comm, o.value(u"comm"_s).toString());
                    QCOMPARE(p.oomScoreAdj, o.value(u"oom_score_adj"_s).toInt());
                    // Rows start after the process did (boottime of its start from truth.json).
                    QVERIFY(p.boottimeSeconds >= o.value(u"start_boottime_s"_s).toDouble());
                }
            }
            QVERIFY2(known, qPrintable(QString::number(p.pid)));
            QVERIFY(p.rssKb > 0);
            QCOMPARE(qint64(p.rssKb), qint64(p.rssAnonKb + p.rssFileKb + p.rssShmemKb));
            QVERIFY(p.timestampMs > qint64(1795825075000) && p.timestampMs < qint64(1795825189000));
            QVERIFY(p.cgroup.isEmpty());
        }
        QCOMPARE(seen, (std::set<qint64> {23025, 23026}));
        QVERIFY(
            std::is_sorted(r.rows.begin(), r.rows.end(), [](const ProcessSample &a, const ProcessSample &b) {
                return a.timestampMs < b.timestampMs;
            }));
    }

    void manyRowsParseLinearly()
    {
        // Not a benchmark (the machine is shared); it guards against accidental quadratic work and
        // prints a figure to compare with the reference of writing the same data.
        const int n = 1'000'000;
        QByteArray csv = "timestamp,cgroup,usage_bytes,limit_bytes,anon_bytes,file_bytes,boottime_s\n"_ba;
        csv.reserve(n * 72);
        for (int i = 0; i < n; ++i) {
            csv += QByteArray::number(qint64(1795825075278) + i * 100) + ",/oomgt-demo,"
                + QByteArray::number(1000000 + i) + ",134217728," + QByteArray::number(i) + ",4096,"
                + QByteArray::number(1507.331 + i * 0.1, 'f', 6) + '\n';
        }
        QBuffer buffer(&csv);
        buffer.open(QIODevice::ReadOnly);
        QElapsedTimer timer;
        timer.start();
        const SamplesCsvResult r = readSamplesCsv(buffer, u"c"_s);
        const qint64 readMs = timer.elapsed();
        QCOMPARE(r.rows, n);
        QCOMPARE(r.skippedRows, 0);
        QCOMPARE(qint64(r.series[0].samples.back().usageBytes), qint64(1000000 + n - 1));

        QBuffer out;
        out.open(QIODevice::WriteOnly);
        timer.restart();
        QVERIFY(writeSamplesCsv(out, r.series));
        const qint64 writeMs = timer.elapsed();
        qInfo("%d rows (%lld MiB): read %lld ms, write %lld ms", n, qint64(csv.size() >> 20), readMs,
              writeMs);
        QVERIFY2(readMs < 30000, "reading 1M rows took over 30 s");
    }
};

QTEST_GUILESS_MAIN(RecordingCsvTest)
#include "tst_recordingcsv.moc"
