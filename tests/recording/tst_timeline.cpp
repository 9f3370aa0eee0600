// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel time ↔ wall time: the boot-time estimate, event placement, and the kill's footprint in
// the samples; finally the real checkout-leak recording, whose OOM report (kernel.log) must land
// on the samples' timeline where truth.json and the marker lines of the capture say it happened.
#include "oomreportparser.h"
#include "recordingcsv.h"
#include "timeline.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kRecording = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/checkout-leak");

MemorySample sample(qint64 timestampMs, std::int64_t usageBytes, double boottimeSeconds = std::nan(""))
{
    MemorySample s;
    s.timestampMs = timestampMs;
    s.usageBytes = usageBytes;
    s.boottimeSeconds = boottimeSeconds;
    return s;
}

} // namespace

class TimelineTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bootTimeIsMedian()
    {
        const qint64 boot = 1795823567947;
        std::vector<MemorySample> s;
        for (int i = 0; i < 9; ++i)
            s.push_back(sample(boot + 1507000 + i * 100, 0, 1507.0 + i * 0.1));
        // Two samples whose wall clock was read late (scheduling), and one without boottime.
        s[2].timestampMs += 800;
        s[6].timestampMs += 5000;
        s.push_back(sample(boot + 999999999, 0));
        const std::optional<qint64> estimate = bootTimeMsFromSamples(s);
        QVERIFY(estimate.has_value());
        QCOMPARE(*estimate, boot);

        // Even count: the mean of the middle two.
        const std::vector<MemorySample> two = {sample(1000, 0, 0.0), sample(2010, 0, 1.0)};
        QCOMPARE(bootTimeMsFromSamples(two).value_or(-1), qint64(1005));

        const std::vector<MemorySample> none = {sample(1000, 0), sample(2000, 0)};
        QVERIFY(!bootTimeMsFromSamples(none).has_value());
        QVERIFY(!bootTimeMsFromSamples({}).has_value());

        ProcessSample p;
        p.timestampMs = 5000;
        p.boottimeSeconds = 2.5;
        QCOMPARE(bootTimeMsFromProcesses(std::span<const ProcessSample>(&p, 1)).value_or(-1), qint64(2500));
    }

    void eventPlacement()
    {
        OomEvent e;
        QVERIFY(!eventWallTimeMs(e, 1000).has_value());
        e.wallTime = QDateTime(QDate(2026, 11, 27), QTime(10, 15, 2), Qt::OffsetFromUTC, 3600);
        const qint64 prefixMs = e.wallTime->toMSecsSinceEpoch();
        QCOMPARE(eventWallTimeMs(e, std::nullopt).value_or(-1), prefixMs);
        QCOMPARE(eventWallTimeMs(e, 1000).value_or(-1), prefixMs); // no uptime: the prefix decides
        e.uptimeSeconds = 1567.047833;
        QCOMPARE(eventWallTimeMs(e, 1000).value_or(-1), qint64(1000 + 1567048)); // uptime wins
        QCOMPARE(eventWallTimeMs(e, std::nullopt).value_or(-1), prefixMs); // no boot time
    }

    void usageDrop()
    {
        std::vector<MemorySample> s;
        for (int i = 0; i < 100; ++i)
            s.push_back(sample(i * 100, 1000 + i * 10));
        s[30].usageBytes = 900; // a small reclaim dip, before the window
        s[55].usageBytes = 1600; // noise inside the window: falls by 40 at 56
        s[60].usageBytes = 100; // the kill: falls by ~1490
        s[61].usageBytes = MemorySample::kUnknown;
        for (int i = 62; i < 100; ++i)
            s[std::size_t(i)].usageBytes = 120;
        QCOMPARE(usageDropIndex(s, 5950).value_or(0), std::size_t(60));
        // The kill lies outside a window that ends before it.
        FootprintSearch narrow;
        narrow.lookBehindMs = 500;
        narrow.lookAheadMs = 300;
        QCOMPARE(usageDropIndex(s, 5400, narrow).value_or(0), std::size_t(56));
        narrow.minDropBytes = 1000;
        QVERIFY(!usageDropIndex(s, 5400, narrow).has_value());
        // Rising usage only: nothing.
        std::vector<MemorySample> rising;
        for (int i = 0; i < 10; ++i)
            rising.push_back(sample(i * 100, i));
        QVERIFY(!usageDropIndex(rising, 500).has_value());
        QVERIFY(!usageDropIndex({}, 500).has_value());
        // The first sample in the window compares with the one before the window.
        std::vector<MemorySample> edge = {sample(0, 500), sample(5000, 10)};
        QCOMPARE(usageDropIndex(edge, 5000).value_or(0), std::size_t(1));
    }

    void oomKillStep()
    {
        std::vector<MemorySample> s;
        for (int i = 0; i < 20; ++i) {
            s.push_back(sample(i * 100, 0));
            s.back().oomKillCount = i < 12 ? 3 : 4;
        }
        s[11].oomKillCount = MemorySample::kUnknown;
        QCOMPARE(oomKillStepIndex(s, 1000).value_or(0), std::size_t(12));
        QVERIFY(!oomKillStepIndex(s, 500, FootprintSearch {100, 300, 1}).has_value());
    }

    void realRecordingKillOnTimeline()
    {
        // Samples.
        QFile samplesFile(kRecording + u"/samples.csv"_s);
        QVERIFY(samplesFile.open(QIODevice::ReadOnly));
        const SamplesCsvResult samples = readSamplesCsv(samplesFile, u"samples"_s);
        QVERIFY2(samples.error.isEmpty(), qPrintable(samples.error));
        QCOMPARE(samples.series.size(), std::size_t(1));
        const std::vector<MemorySample> &s = samples.series[0].samples;

        // The OOM report.
        QFile logFile(kRecording + u"/kernel.log"_s);
        QVERIFY(logFile.open(QIODevice::ReadOnly));
        const QByteArray log = logFile.readAll();
        const ParseResult parsed = OomReportParser().parse(log);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.events.size(), std::size_t(1));
        const OomEvent &event = parsed.events[0];

        QFile truthFile(kRecording + u"/truth.json"_s);
        QVERIFY(truthFile.open(QIODevice::ReadOnly));
        const QJsonObject truth = QJsonDocument::fromJson(truthFile.readAll()).object();
        const QJsonObject kill = truth.value(u"kills"_s).toArray().at(0).toObject();
        QCOMPARE(qint64(event.victim.pid), kill.value(u"pid"_s).toInteger());
        QCOMPARE(event.victim.comm, kill.value(u"comm"_s).toString());
        QVERIFY(event.uptimeSeconds.has_value());
        const double killDmesgS = kill.value(u"dmesg_ts"_s).toDouble();
        // The report starts a fraction of a millisecond before its kill line.
        QVERIFY2(std::abs(*event.uptimeSeconds - killDmesgS) < 0.01,
                 qPrintable(QString::number(*event.uptimeSeconds)));

        // Boot time from the samples, checked against the capture's own marker line, which
        // pairs a wall clock with CLOCK_BOOTTIME read at the same moment.
        const std::optional<qint64> boot = bootTimeMsFromSamples(s);
        QVERIFY(boot.has_value());
        const QRegularExpression marker(u"capture begin .* epoch_ms=(\\d+) boottime=([0-9.]+)"_s);
        const QRegularExpressionMatch m = marker.match(QString::fromUtf8(log));
        QVERIFY(m.hasMatch());
        const qint64 markerBootMs =
            m.captured(1).toLongLong() - qint64(std::llround(m.captured(2).toDouble() * 1000));
        QVERIFY2(std::abs(*boot - markerBootMs) <= 5, qPrintable(u"%1 vs %2"_s.arg(*boot).arg(markerBootMs)));

        // The kill placed on the wall clock, against truth.json: dmesg time minus the measured
        // dmesg-to-boottime offset, on the marker's boot time.
        const std::optional<qint64> placed = eventWallTimeMs(event, boot);
        QVERIFY(placed.has_value());
        const double dmesgMinusBoottime =
            truth.value(u"clock"_s).toObject().value(u"dmesg_minus_boottime_s"_s).toDouble();
        const qint64 truthKillMs =
            markerBootMs + qint64(std::llround((killDmesgS - dmesgMinusBoottime) * 1000));
        QVERIFY2(std::abs(*placed - truthKillMs) <= 10,
                 qPrintable(u"%1 vs %2"_s.arg(*placed).arg(truthKillMs)));

        // The footprint in the samples: usage falls in the first sample after the kill, within
        // one sample interval, and the kernel's oom_kill counter steps at the same sample.
        const std::optional<std::size_t> drop = usageDropIndex(s, *placed);
        QVERIFY(drop.has_value());
        QVERIFY(*drop > 0);
        const MemorySample &before = s[*drop - 1];
        const MemorySample &after = s[*drop];
        QVERIFY2(
            before.timestampMs <= *placed && *placed <= after.timestampMs,
            qPrintable(u"%1 .. %2, kill %3"_s.arg(before.timestampMs).arg(after.timestampMs).arg(*placed)));
        QVERIFY2(after.timestampMs - *placed <= 100,
                 qPrintable(QString::number(after.timestampMs - *placed)));
        QCOMPARE(oomKillStepIndex(s, *placed).value_or(0), *drop);
        qInfo("boot %lld ms (marker %lld), kill placed at %lld (truth %lld), usage falls at sample %zu: %lld "
              "ms after",
              *boot, markerBootMs, *placed, truthKillMs, *drop, after.timestampMs - *placed);
        // The victim held ~113 MiB of anon memory (its kill line); that much left the cgroup.
        QVERIFY(before.usageBytes - after.usageBytes >= event.victim.anonRssKb * 1024 * 9 / 10);
        const qint64 limit = truth.value(u"limit_bytes"_s).toInteger();
        QVERIFY(before.usageBytes >= limit * 95 / 100); // the last sample before the kill is at the limit
    }
};

QTEST_GUILESS_MAIN(TimelineTest)
#include "tst_timeline.moc"
