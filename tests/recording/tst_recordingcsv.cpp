// SPDX-License-Identifier: GPL-3.0-or-later
// Recording CSV import: every timestamp form against QDateTime's own arithmetic, the lenient
// parts of the format (column order, quotes, CRLF, comments), row-level errors with their line
// numbers, fatal errors, cancelling, limits. Export, procs and the real recording:
// tst_recordingroundtrip.
#include "recordingcsv.h"
#include "recordingcsvfixture.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <bit>
#include <cmath>
#include <set>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace recordingcsvtest;

namespace {

SamplesCsvResult readSamples(const QByteArray &csv, const QString &defaultCgroup = u"default"_s)
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    return readSamplesCsv(buffer, defaultCgroup);
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

SamplesCsvResult readWith(const QByteArray &csv, qsizetype blockBytes, bool generalRowsOnly)
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    CsvReadOptions options;
    options.blockBytes = blockBytes;
    options.generalRowsOnly = generalRowsOnly;
    options.maxIssues = 100000;
    return readSamplesCsv(buffer, u"default"_s, {}, options);
}

// Equal to the bit, unknown peaks and NaN boot times included.
bool identicalSample(const MemorySample &a, const MemorySample &b)
{
    return sameSample(a, b) && a.peakBytes == b.peakBytes
        && std::bit_cast<std::uint64_t>(a.boottimeSeconds) == std::bit_cast<std::uint64_t>(b.boottimeSeconds);
}

bool sameResult(const SamplesCsvResult &a, const SamplesCsvResult &b)
{
    auto differ = [](const QString &what) {
        qWarning() << "results differ:" << what;
        return false;
    };
    if (a.error != b.error || a.rows != b.rows || a.skippedRows != b.skippedRows
        || a.ignoredColumns != b.ignoredColumns || a.series.size() != b.series.size()
        || a.skipped.size() != b.skipped.size())
        return differ(u"counts: rows %1/%2, skipped %3/%4"_s.arg(a.rows)
                          .arg(b.rows)
                          .arg(a.skippedRows)
                          .arg(b.skippedRows));
    for (std::size_t i = 0; i < a.skipped.size(); ++i) {
        if (a.skipped[i].line != b.skipped[i].line || a.skipped[i].detail != b.skipped[i].detail)
            return differ(u"skipped row %1: %2 / %3"_s.arg(a.skipped[i].line)
                              .arg(a.skipped[i].detail, b.skipped[i].detail));
    }
    for (std::size_t s = 0; s < a.series.size(); ++s) {
        const RecordedSeries &x = a.series[s];
        const RecordedSeries &y = b.series[s];
        if (x.cgroup != y.cgroup || x.samples.size() != y.samples.size())
            return differ(u"series %1 / %2"_s.arg(x.cgroup, y.cgroup));
        for (std::size_t i = 0; i < x.samples.size(); ++i) {
            if (!identicalSample(x.samples[i], y.samples[i]))
                return differ(u"%1, sample %2 (t %3 / %4)"_s.arg(x.cgroup)
                                  .arg(i)
                                  .arg(x.samples[i].timestampMs)
                                  .arg(y.samples[i].timestampMs));
        }
    }
    return true;
}

// Rows with every form of every kind of field, each in an otherwise plain row, then mixed, with
// LF and CRLF, comments, blank lines and wrong field counts among them.
QByteArray trickyRows()
{
    const std::vector<QByteArray> timestamps = {"1700000000",
                                                "1700000000000",
                                                "1700000000.5",
                                                "1700000000.1234",
                                                "1700000000.",
                                                "0",
                                                "99999999999",
                                                "100000000001",
                                                "99999999999999999",
                                                "100000000000000000",
                                                "100000000000000001",
                                                "123456789012345678",
                                                "-1700000000",
                                                "2026-11-27T10:15:02Z",
                                                "2026-11-27 10:15:02.005+01:00",
                                                "2026-11-27T10:15",
                                                "",
                                                "x",
                                                "1e9",
                                                " 1700000001",
                                                "1700000002 ",
                                                "\"1700000003\"",
                                                "17000000\"04",
                                                "1700000005x",
                                                "+1700000006"};
    const std::vector<QByteArray> counts = {"0",
                                            "7",
                                            "42",
                                            "1234567",
                                            "12345678",
                                            "123456789",
                                            "1234567890",
                                            "1234567890123456",
                                            "12345678901234567",
                                            "123456789012345678",
                                            "1234567890123456789",
                                            "4611686018427387903",
                                            "4611686018427387904",
                                            "18446744073709551615",
                                            "99999999999999999999",
                                            "123.000",
                                            "123.",
                                            "123.5",
                                            "-",
                                            "",
                                            "max",
                                            "MAX",
                                            " 42",
                                            "42 ",
                                            "\t42",
                                            "\"42\"",
                                            "\"4,2\"",
                                            "4 2",
                                            "1e3",
                                            "-5",
                                            "+5",
                                            "0x10",
                                            "00000000000000000042",
                                            "9\"9"};
    const std::vector<QByteArray> seconds = {"12.5",
                                             "12.",
                                             ".5",
                                             "5123.123456",
                                             "0.1",
                                             "0.3",
                                             "1234567890.12345",
                                             "1234567890.123456",
                                             "123456789012345",
                                             "1234567890123456",
                                             "12345678901234567",
                                             "123456789012345678",
                                             "1e3",
                                             "1E-3",
                                             "-0",
                                             "-1",
                                             "inf",
                                             "nan",
                                             "",
                                             "-",
                                             " 3.25",
                                             "3.25 ",
                                             "0000000000000001.5",
                                             "1.00000000000000000001",
                                             "9007199254740993",
                                             "0.000000000000001",
                                             "\"2.5\"",
                                             "2.5.5"};
    const std::vector<QByteArray> cgroups = {
        "/a", "",      "\"/q,uote\"", "/b ",  " /c",
        "#x", "/d\"e", "default",     "\"\"", "/kubepods/burstable/pod-0001/app"};
    const QByteArray header = "timestamp,cgroup,usage_bytes,limit_bytes,boottime_s,peak_bytes,ignored";
    QByteArray csv = header + "\n";
    int t = 0;
    auto row = [&](const QByteArray &ts, const QByteArray &cgroup, const QByteArray &usage,
                   const QByteArray &limit, const QByteArray &boottime, const QByteArray &peak,
                   const char *end) {
        csv += ts + ',' + cgroup + ',' + usage + ',' + limit + ',' + boottime + ',' + peak + ",x" + end;
    };
    auto plainTs = [&] {
        return QByteArray::number(1'700'000'000'000 + 1000 * ++t);
    };
    for (const char *end : {"\n", "\r\n"}) {
        for (const QByteArray &f : timestamps)
            row(f, "/a", "1", "2", "3.5", "4", end);
        for (const QByteArray &f : counts) {
            row(plainTs(), "/a", f, "2", "3.5", "4", end);
            row(plainTs(), "/a", "1", f, "3.5", "4", end);
            row(plainTs(), "/a", "1", "2", "3.5", f, end);
        }
        for (const QByteArray &f : seconds)
            row(plainTs(), "/b", "1", "2", f, "4", end);
        for (const QByteArray &f : cgroups)
            row(plainTs(), f, "1", "2", "3.5", "4", end);
    }
    // Everything at once, varied in step.
    for (std::size_t i = 0; i < 300; ++i)
        row(timestamps[i % timestamps.size()], cgroups[(i * 7) % cgroups.size()],
            counts[(i * 3) % counts.size()], counts[(i * 5) % counts.size()],
            seconds[(i * 11) % seconds.size()], counts[(i * 13) % counts.size()], i % 3 == 0 ? "\r\n" : "\n");
    csv += "# a comment\n\n   \n#,1,2\n \t1700000000,/a,1,2,3,4,x\n";
    csv += "1700000000,/a,1,2,3,4\n1700000000,/a,1,2,3,4,x,y\n1700000000,/a,1,2,3,4,x,\n,,,,,,\n";
    csv += "1700000000,/a,1,2,3,4,\"x\"\"y\"\n1700000000,/a,1,2,3,4,\"x\n1700000000,/a,1,2,3,4,x\r\r\n";
    csv += "1700000000,/a,1,2,3,4,x"; // no line end at the end
    return csv;
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

    // Plain rows take a fast path; anything else (and every bad row) the general splitter. Every
    // form a field can take, in every kind of column, read both ways and in blocks of every
    // size: the same samples (to the bit), the same skipped rows, in the same words.
    void fastPathReadsAsTheGeneralPath()
    {
        const QByteArray csv = trickyRows();
        const SamplesCsvResult general = readWith(csv, 1 << 20, true);
        QVERIFY2(general.error.isEmpty(), qPrintable(general.error));
        QVERIFY(general.rows > 200);
        QVERIFY(general.skippedRows > 50); // the forms include plenty of bad ones
        const SamplesCsvResult fast = readWith(csv, 1 << 20, false);
        QVERIFY(sameResult(fast, general));
        // Rows and line ends across block boundaries at every offset.
        for (qsizetype block : {1, 2, 3, 7, 16, 61, 4096}) {
            const SamplesCsvResult r = readWith(csv, block, false);
            QVERIFY2(sameResult(r, general), qPrintable(u"blocks of %1 bytes"_s.arg(block)));
        }
    }

    // The streaming reader hands each row over as it is read, in file order and unsorted, under
    // its series' index; the sink sees every byte once, in order (the import hashes them).
    void streamHandsRowsOverInFileOrder()
    {
        const QByteArray csv = "timestamp,cgroup,usage_bytes\r\n"
                               "1700000003,/b,30\r\n"
                               "1700000002,/a,20\r\n"
                               "bad,/a,1\r\n"
                               "1700000001,/b,10\r\n"
                               "1700000001,,11\r\n"
                               "1700000000,dflt,1"_ba;
        struct Recorder : SamplesCsvSink {
            QByteArray bytes;
            QStringList series;
            std::vector<std::pair<std::size_t, qint64>> rows;
            std::size_t stopAfter = std::size_t(-1);
            void bytesRead(const char *data, qsizetype size) override { bytes.append(data, size); }
            bool newSeries(const QString &cgroup) override
            {
                series << cgroup;
                return true;
            }
            bool sample(std::size_t index, const MemorySample &s) override
            {
                rows.emplace_back(index, s.usageBytes);
                return rows.size() < stopAfter;
            }
        };
        for (qsizetype block : {qsizetype(1) << 20, qsizetype(5)}) {
            QBuffer buffer;
            buffer.setData(csv);
            QVERIFY(buffer.open(QIODevice::ReadOnly));
            Recorder sink;
            CsvReadOptions options;
            options.blockBytes = block;
            const SamplesCsvResult r = streamSamplesCsv(buffer, u"dflt"_s, sink, {}, options);
            QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
            QVERIFY(!r.stopped);
            QCOMPARE(sink.bytes, csv);
            QCOMPARE(r.bytesRead, qint64(csv.size()));
            QCOMPARE(sink.series, (QStringList {u"/b"_s, u"/a"_s, u"dflt"_s}));
            QCOMPARE(
                sink.rows,
                (std::vector<std::pair<std::size_t, qint64>> {{0, 30}, {1, 20}, {0, 10}, {2, 11}, {2, 1}}));
            QCOMPARE(r.rows, 5);
            QCOMPARE(r.skippedRows, 1);
            QCOMPARE(r.skipped.front().line, 4);
        }
        // A sink that has had enough stops the read there.
        QBuffer buffer;
        buffer.setData(csv);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        Recorder sink;
        sink.stopAfter = 2;
        const SamplesCsvResult r = streamSamplesCsv(buffer, u"dflt"_s, sink);
        QVERIFY(r.stopped);
        QVERIFY(!r.canceled);
        QCOMPARE(sink.rows.size(), std::size_t(2));
        QCOMPARE(r.rows, 1); // the row the sink refused is not counted
    }

    void hugeUsageIsBad()
    {
        // Only limits have a "no limit" reading; a usage this large is garbage.
        const SamplesCsvResult r = readSamples("timestamp,usage_bytes\n1700000000,18446744073709551615\n"_ba);
        QCOMPARE(r.skippedRows, 1);
    }
};

QTEST_GUILESS_MAIN(RecordingCsvTest)
#include "tst_recordingcsv.moc"
