// SPDX-License-Identifier: GPL-3.0-or-later
// The issue-12 failures, as real recordings made here with the lab (tests/data/recordings/
// issue12-*, README there): a 128 MiB cgroup of four processes, one growing 4 MiB/s from its
// third second until the kernel kills it, once judged "undersized — raise it to 160 MiB"; and a
// 7 s backup holding 64 MiB at its limit with page cache, failcnt rising and no kill, once judged
// insufficient_data.
#include "logsource.h"
#include "oomreportparser.h"
#include "recordingcsv.h"
#include "timeline.h"
#include "verdict.h"
#include "verdictsummary.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kRecordings = QStringLiteral(OOMSCOPE_TEST_DATA "/recordings/");

struct Loaded {
    std::vector<MemorySample> samples;
    std::vector<ProcessSample> processes;
    std::vector<qint64> killTimesMs;
    std::vector<OomEvent> events;
};

// The recording's samples, processes and (when it has one) the kills of its kernel log; a missing
// file fails the test (committed fixtures).
Loaded load(const QString &name)
{
    Loaded l;
    const QString dir = kRecordings + name + u'/';
    QFile samplesFile(dir + u"samples.csv"_s);
    QFile procsFile(dir + u"procs.csv"_s);
    if (!samplesFile.open(QIODevice::ReadOnly) || !procsFile.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(dir));
    SamplesCsvResult samples = readSamplesCsv(samplesFile, name);
    if (!samples.error.isEmpty() || samples.series.size() != 1)
        qFatal("%s: %s", qPrintable(dir), qPrintable(samples.error));
    l.samples = samples.series.front().samples;
    l.processes = readProcsCsv(procsFile).rows;
    if (QFile::exists(dir + u"kernel.kmsg"_s)) {
        OpenedLog log = openLog(dir + u"kernel.kmsg"_s);
        if (!log.device)
            qFatal("%s", qPrintable(log.error));
        l.events = OomReportParser().parse(*log.device).events;
        for (const OomEvent &e : l.events)
            if (const auto ms = eventWallTimeMs(e, bootTimeMsFromSamples(l.samples)))
                l.killTimesMs.push_back(*ms);
    }
    return l;
}

} // namespace

class RecordedVerdictsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fastLeakByOneOfFourProcesses()
    {
        const Loaded l = load(u"issue12-fast-leak"_s);
        QCOMPARE(l.events.size(), std::size_t(1));
        QCOMPARE(l.killTimesMs.size(), std::size_t(1));
        const std::int64_t victim = l.events.front().victim.pid;

        // What the cgroup alone says — the measured failure — is still what it says.
        const Verdict alone = classify(l.samples, {}, l.killTimesMs);
        QCOMPARE(alone.kind, Verdict::Kind::Undersized);

        const Verdict v = classify(l.samples, {}, l.killTimesMs, l.processes);
        QVERIFY2(v.kind == Verdict::Kind::Leak, qPrintable(v.summary));
        QVERIFY(!v.recommendedLimitBytes);
        QVERIFY(v.leakingProcess);
        const ProcessGrowth &g = v.growthByProcess.processes[*v.leakingProcess];
        QCOMPARE(*v.leakingProcess, std::size_t(0));
        QCOMPARE(g.pid, victim); // the leaker is the one the kernel killed
        QVERIFY2(v.summary.contains(u"pid %1"_s.arg(victim)), qPrintable(v.summary));
        // The workload leaked 4 MiB/s (lab args); the others held.
        QVERIFY2(std::abs(g.slopeBytesPerS / (1024.0 * 1024.0) - 4.0) < 0.4, qPrintable(v.summary));
        QVERIFY(g.shareOfGrowth > 0.9);
        QCOMPARE(v.growthByProcess.processes.size(), std::size_t(4));
        for (std::size_t i = 1; i < 4; ++i)
            QVERIFY(std::abs(v.growthByProcess.processes[i].slopeBytesPerS) < 0.1 * g.slopeBytesPerS);
        QVERIFY(v.confidence >= 0.7);
        // Replayed: every limit up to the recorded one kills at least once.
        for (const ReplayedLimit &r : v.limitReplay.limits)
            if (r.limitBytes < *v.evidence.limitBytes * 95 / 100)
                QVERIFY(r.kills >= 1);
    }

    void sevenSecondBackupIsPageCache()
    {
        const Loaded l = load(u"issue12-backup"_s);
        const Verdict v = classify(l.samples, {}, {}, l.processes);
        QVERIFY2(v.kind == Verdict::Kind::PageCache, qPrintable(v.summary));
        QVERIFY(v.evidence.durationMs < 10000);
        QVERIFY(v.evidence.failcntDelta && *v.evidence.failcntDelta > 100);
        QVERIFY(v.evidence.reclaimableShareAtLimit && *v.evidence.reclaimableShareAtLimit >= 0.9);
        // Sure, but less than a full recording would make it.
        QVERIFY2(v.confidence >= 0.5 && v.confidence < 0.8, qPrintable(QString::number(v.confidence)));
        QCOMPARE(v.evidence.kills, 0);
    }
};

QTEST_GUILESS_MAIN(RecordedVerdictsTest)
#include "tst_recordedverdicts.moc"
