// SPDX-License-Identifier: GPL-3.0-or-later
// The v2 kernel signals through the live signal reader on a fixture cgroup2 tree
// (tests/data/cgroupfs/v2, copied and rewritten between ticks as the kernel would): memory.events
// "high" and "max" rising, PSI memory.pressure "some avg10" at or above its threshold, and the
// early warning they give — events only when memory reclaim cannot free is at least half the
// limit (a page-cache reader at its limit does not warn), PSI (tasks stalled) whatever the cache.

#include "cgroupreader.h"
#include "earlywarning.h"
#include "fixturetree.h"
#include "memorysignals.h"
#include "samplemapping.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
const QString kReport = u"/batch.slice/report.service"_s;

QByteArray eventsFile(qint64 high, qint64 max)
{
    return "low 0\nhigh " + QByteArray::number(high) + "\nmax " + QByteArray::number(max)
        + "\noom 0\noom_kill 0\noom_group_kill 0\n";
}

QByteArray pressureFile(double someAvg10)
{
    return "some avg10=" + QByteArray::number(someAvg10, 'f', 2) + " avg60=1.00 avg300=0.20 total=123456\n"
        + "full avg10=0.50 avg60=0.10 avg300=0.00 total=2345\n";
}

// A copied v2 tree, its reader, the signal watch and the monitor the agent and the live session use.
struct V2Tree {
    QTemporaryDir dir;
    std::unique_ptr<CgroupReader> reader;
    std::unique_ptr<MemorySignalWatch> watch;
    EarlyWarningMonitor monitor;
    std::int64_t nowMs = 1'760'000'000'000;

    bool setUp()
    {
        if (!dir.isValid()
            || !copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v2"), dir.path() + u"/cg"_s)
            || !copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), dir.path() + u"/proc"_s))
            return false;
        reader = std::make_unique<CgroupReader>(dir.path() + u"/cg"_s, dir.path() + u"/proc"_s);
        if (reader->version() != CgroupVersion::V2)
            return false;
        watch = std::make_unique<MemorySignalWatch>(reader->memoryRoot(), CgroupVersion::V2);
        return true;
    }
    QString cgroupDir() const { return dir.path() + u"/cg"_s + kReport; }
    QString file(const QString &name) const { return cgroupDir() + u'/' + name; }
    bool write(const QString &name, const QByteArray &content) const
    {
        return writeFileAtomically(file(name), content);
    }

    struct Tick {
        std::vector<KernelSignal> signals;
        std::vector<EarlyWarning> warnings;
        MemorySample sample;
    };
    // One agent tick: read, feed the monitor the sample, check the signals, feed it those.
    Tick tick()
    {
        nowMs += 1000;
        Tick t;
        const CgroupSample reading = reader->read(kReport).value(); // the fixture tree is there
        t.sample = toMemorySample(reading);
        t.sample.timestampMs = nowMs;
        monitor.addSample(kReport, t.sample, {});
        t.signals = watch->check(kReport, reading, nowMs);
        for (const KernelSignal &s : t.signals)
            if (std::optional<EarlyWarning> w = monitor.addSignal(s))
                t.warnings.push_back(*w);
        return t;
    }
};

} // namespace

class TestMemorySignals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // memory.events counts since the cgroup was made: the first tick sets the baseline, a rise
    // is a signal with its size, no rise none.
    void eventsRisesAreSignals()
    {
        V2Tree t;
        QVERIFY(t.setUp());
        QVERIFY(t.write(u"memory.events"_s, eventsFile(7, 2)));
        QVERIFY(t.tick().signals.empty()); // the baseline, however high: no history yet
        QVERIFY(t.write(u"memory.events"_s, eventsFile(10, 2)));
        std::vector<KernelSignal> s = t.tick().signals;
        QCOMPARE(s.size(), std::size_t(1));
        QCOMPARE(s[0].source, WarningSource::EventsHigh);
        QCOMPARE(s[0].count, qint64(3));
        QCOMPARE(s[0].cgroup, kReport);
        QVERIFY(t.write(u"memory.events"_s, eventsFile(10, 6)));
        s = t.tick().signals;
        QCOMPARE(s.size(), std::size_t(1));
        QCOMPARE(s[0].source, WarningSource::EventsMax);
        QCOMPARE(s[0].count, qint64(4));
        QVERIFY(t.tick().signals.empty()); // unchanged
        QVERIFY(t.write(u"memory.events"_s, eventsFile(11, 7)));
        s = t.tick().signals;
        QCOMPARE(s.size(), std::size_t(2));
    }

    // PSI: some avg10 at or above 10 % is a signal with the figure; below, or no file, none.
    void psiSomeAvg10()
    {
        V2Tree t;
        QVERIFY(t.setUp());
        QVERIFY(!QFile::exists(t.file(u"memory.pressure"_s))); // a kernel without PSI
        QVERIFY(t.tick().signals.empty());
        QVERIFY(t.write(u"memory.pressure"_s, pressureFile(9.99)));
        QVERIFY(t.tick().signals.empty());
        QVERIFY(t.write(u"memory.pressure"_s, pressureFile(12.5)));
        const std::vector<KernelSignal> s = t.tick().signals;
        QCOMPARE(s.size(), std::size_t(1));
        QCOMPARE(s[0].source, WarningSource::Pressure);
        QCOMPARE(s[0].avg10, 12.5);
        QVERIFY(t.write(u"memory.pressure"_s, pressureFile(10.0)));
        QCOMPARE(t.tick().signals.size(), std::size_t(1));
    }

    // The same events rise at the limit: a warning when anon + shmem + kernel is at least half
    // the limit, none when the usage is page cache. PSI stalls warn either way.
    void warnOnlyWhenUnreclaimableIsHalfTheLimit_data()
    {
        QTest::addColumn<double>("anonShare"); // of the effective limit
        QTest::addColumn<bool>("eventsWarn");
        QTest::newRow("cache at the limit") << 0.10 << false;
        QTest::newRow("just under half") << 0.49 << false;
        QTest::newRow("half") << 0.50 << true;
        QTest::newRow("leak near the limit") << 0.90 << true;
    }
    void warnOnlyWhenUnreclaimableIsHalfTheLimit()
    {
        QFETCH(double, anonShare);
        QFETCH(bool, eventsWarn);
        V2Tree t;
        QVERIFY(t.setUp());
        const std::int64_t limit = t.tick().sample.limitBytes;
        QCOMPARE(limit, 100 * kMiB); // batch.slice's 100 MiB over report.service's 200 MiB
        // Usage at the limit either way: the rest is page cache.
        const std::int64_t anon = std::int64_t(anonShare * double(limit));
        FixtureLeak memory(t.cgroupDir(), anon, 0, anon, limit - anon);
        QVERIFY(memory.write(anon));
        QVERIFY(t.write(u"memory.events"_s, eventsFile(0, 0)));
        QVERIFY(t.tick().signals.empty());
        QCOMPARE(t.tick().sample.unreclaimableBytes(), anon);

        QVERIFY(t.write(u"memory.events"_s, eventsFile(5, 40)));
        V2Tree::Tick tick = t.tick();
        QCOMPARE(tick.signals.size(), std::size_t(2));
        QCOMPARE(tick.warnings.size(), std::size_t(eventsWarn ? 2 : 0));
        for (const EarlyWarning &w : tick.warnings) {
            QCOMPARE(w.cgroup, kReport);
            QCOMPARE(w.unreclaimableBytes, anon);
            QCOMPARE(w.limitBytes, limit);
            QVERIFY(w.source == WarningSource::EventsHigh || w.source == WarningSource::EventsMax);
            QVERIFY(earlyWarningText(w).contains(u"memory."_s));
        }

        QVERIFY(t.write(u"memory.pressure"_s, pressureFile(35.0)));
        tick = t.tick();
        QCOMPARE(tick.signals.size(), std::size_t(1));
        QCOMPARE(tick.warnings.size(), std::size_t(1));
        QCOMPARE(tick.warnings[0].source, WarningSource::Pressure);
        QVERIFY(earlyWarningText(tick.warnings[0]).contains(u"35.0 %"_s));
    }
};

QTEST_GUILESS_MAIN(TestMemorySignals)
#include "tst_memorysignals.moc"
