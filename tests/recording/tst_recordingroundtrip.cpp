// SPDX-License-Identifier: GPL-3.0-or-later
// Recording CSV export and the process CSV: round trips, a device that cannot be written, the
// procs columns and bad rows, the real checkout-leak recording against the figures in its
// truth.json and its line count, and parsing time linear in the number of rows.
#include "recordingcsv.h"
#include "recordingcsvfixture.h"

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
using namespace recordingcsvtest;

namespace {

const QString kRecording = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/checkout-leak");

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

class RecordingRoundTripTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
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

QTEST_GUILESS_MAIN(RecordingRoundTripTest)
#include "tst_recordingroundtrip.moc"
