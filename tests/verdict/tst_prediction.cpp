// SPDX-License-Identifier: GPL-3.0-or-later
// The predicted next victim: the kernel's own task tables, turned into process samples, must be
// ranked as the fixtures' expected answers say; the adj needed to become the victim follows the
// era's tie rule; the reading at a kill leaves out earlier victims; and on the real checkout-leak
// recording the prediction from procs.csv at the kill is the process the kernel killed.
#include "killdecision.h"
#include "oomreportparser.h"
#include "prediction.h"
#include "predictionexplanation.h"
#include "recordingcsv.h"
#include "timeline.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kData = QStringLiteral(OOMSCOPE_TEST_DATA);

ProcessSample proc(std::int64_t pid, std::int64_t rssKb, int adj = 0, qint64 ms = 1000)
{
    ProcessSample p;
    p.timestampMs = ms;
    p.pid = pid;
    p.comm = u"p%1"_s.arg(pid);
    p.rssAnonKb = rssKb;
    p.rssFileKb = 0;
    p.rssShmemKb = 0;
    p.oomScoreAdj = adj;
    return p;
}

const PredictedProcess *find(const PredictedRanking &r, std::int64_t pid)
{
    for (const PredictedProcess &p : r.ranking)
        if (p.pid == pid)
            return &p;
    return nullptr;
}

} // namespace

class PredictionTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every memcg report of the fixtures whose totalpages is the limit alone: its task table as
    // a reading must give the expected ranking (points and top pid).
    void kernelTablesAsReadings()
    {
        int checked = 0;
        for (const QString &dir : {u"real"_s, u"eras"_s}) {
            const QDir d(kData + u'/' + dir);
            for (const QString &name : d.entryList({u"*.log"_s}, QDir::Files)) {
                QFile log(d.filePath(name));
                QFile exp(d.filePath(name.chopped(4) + u".expected.json"_s));
                if (!log.open(QIODevice::ReadOnly) || !exp.open(QIODevice::ReadOnly))
                    continue;
                const ParseResult parsed = OomReportParser().parse(log.readAll());
                const QJsonArray expected =
                    QJsonDocument::fromJson(exp.readAll()).object().value(u"events"_s).toArray();
                if (qsizetype(parsed.events.size()) != expected.size())
                    continue;
                for (qsizetype i = 0; i < expected.size(); ++i) {
                    const QJsonObject e = expected.at(i).toObject();
                    const OomEvent &event = parsed.events[size_t(i)];
                    const std::int64_t limitKb = std::int64_t(e.value(u"limit_kb"_s).toDouble());
                    if (e.value(u"constraint"_s).toString() != u"memcg"_s
                        || std::int64_t(e.value(u"totalpages"_s).toDouble()) != limitKb / 4)
                        continue;
                    bool allRoot = true;
                    bool allLeaders = true;
                    std::vector<ProcessSample> reading;
                    for (const OomTask &t : event.tasks) {
                        ProcessSample p;
                        p.pid = t.pid;
                        p.comm = t.comm;
                        p.rssKb = t.rssPages * 4;
                        p.swapKb = t.swapEntsPages * 4;
                        p.pgtablesKb = t.pageTablePages() * 4;
                        p.oomScoreAdj = t.oomScoreAdj;
                        reading.push_back(p);
                        allRoot = allRoot && t.uid == 0;
                        allLeaders = allLeaders && (t.tgid == 0 || t.tgid == t.pid);
                    }
                    if (!allLeaders)
                        continue; // threads: the sampler sees processes only
                    const KillDecision kd = decideKill(event);
                    PredictionOptions o;
                    o.era = kd.era;
                    o.assumeCapSysAdmin = allRoot;
                    const PredictedRanking r = predictVictim(reading, limitKb * 1024, o);
                    const QByteArray where = (name + u" event "_s + QString::number(i)).toUtf8();
                    QVERIFY2(r.totalPages == limitKb / 4, where);
                    const QJsonArray ranking = e.value(u"ranking"_s).toArray();
                    QVERIFY2(!ranking.isEmpty(), where);
                    QVERIFY2(r.predictedVictimPid.value_or(-1)
                                 == std::int64_t(ranking.at(0).toObject().value(u"pid"_s).toDouble()),
                             where);
                    for (const QJsonValue &row : ranking) {
                        const auto pid = std::int64_t(row.toObject().value(u"pid"_s).toDouble());
                        const PredictedProcess *p = find(r, pid);
                        QVERIFY2(p, where);
                        QVERIFY2(p->points == std::int64_t(row.toObject().value(u"points"_s).toDouble()),
                                 where);
                    }
                    ++checked;
                }
            }
        }
        qInfo("%d memcg reports ranked from their task tables", checked);
        QVERIFY2(checked >= 3, QByteArray::number(checked));
    }

    void adjToBeVictimFollowsTieRule()
    {
        // 64 MiB limit: totalpages 16384, one adj step = 16 points. A has 1000 pages, B 200:
        // B needs 800 more points = adj 50 for a tie.
        const std::int64_t limit = 64 * 1024 * 1024;
        const std::vector<ProcessSample> bAfterA = {proc(100, 4000), proc(200, 800)};
        const PredictedRanking last = predictVictim(bAfterA, limit);
        QCOMPARE(last.totalPages, std::int64_t(16384));
        QCOMPARE(last.predictedVictimPid.value_or(0), std::int64_t(100));
        const PredictedProcess *b = find(last, 200);
        QVERIFY(b);
        QCOMPARE(b->pointsGapToTop, std::int64_t(800));
        // >= 5.3: the last maximum wins, and B comes after A: the tie is enough.
        QCOMPARE(b->adjToBeVictim.value_or(9999), 50);
        const std::vector<ProcessSample> bBeforeA = {proc(300, 4000), proc(200, 800)};
        QCOMPARE(find(predictVictim(bBeforeA, limit), 200)->adjToBeVictim.value_or(9999), 51);
        // 3.10: the first maximum wins, so the order flips the answer.
        PredictionOptions old;
        old.era = BadnessEra::Linux310;
        QCOMPARE(find(predictVictim(bAfterA, limit, old), 200)->adjToBeVictim.value_or(9999), 51);
        QCOMPARE(find(predictVictim(bBeforeA, limit, old), 200)->adjToBeVictim.value_or(9999), 50);
        // The victim is already the victim at its own adj (and lower, down to where it loses).
        const PredictedProcess *a = find(last, 100);
        QCOMPARE(a->rank, 1);
        QCOMPARE(a->adjToBeVictim.value_or(9999), -49);
        QVERIFY(a->share > 0.8);
    }

    void neverKillAndSwapAndPageTables()
    {
        const std::int64_t limit = 256 * 1024 * 1024; // 65536 pages, adj step 65
        ProcessSample big = proc(10, 100000, -1000);
        ProcessSample withSwap = proc(11, 4000);
        withSwap.swapKb = 8000; // 2000 pages
        withSwap.pgtablesKb = 400; // 100 pages
        ProcessSample plain = proc(12, 10000);
        const PredictedRanking r = predictVictim(std::vector<ProcessSample> {big, withSwap, plain}, limit);
        // rss 1000 + swap 2000 + page tables 100 = 3100 beats 2500; -1000 is never chosen.
        QCOMPARE(r.predictedVictimPid.value_or(0), std::int64_t(11));
        QCOMPARE(find(r, 11)->points, std::int64_t(3100));
        QCOMPARE(find(r, 11)->swapPages, std::int64_t(2000));
        QCOMPARE(find(r, 11)->pageTablePages, std::int64_t(100));
        QCOMPARE(find(r, 12)->pointsGapToTop, std::int64_t(600));
        const PredictedProcess *never = find(r, 10);
        QVERIFY(!never->eligible);
        QCOMPARE(never->rank, 3);
        // 25000 + 65 * adj must exceed 3100 (pid 10 comes first, so a tie loses): adj -336.
        QCOMPARE(never->adjToBeVictim.value_or(9999), -336);
    }

    // The notes are structured facts, worded in one place (predictionexplanation.cpp) with the
    // sentences the CLI's JSON and the panels have always shown.
    void notesAreWordedFromStructuredFacts()
    {
        ProcessSample noRss = proc(3, 0);
        noRss.rssAnonKb = MemorySample::kUnknown;
        noRss.rssFileKb = MemorySample::kUnknown;
        noRss.rssShmemKb = MemorySample::kUnknown;
        const std::vector<ProcessSample> reading = {proc(1, 4000), proc(2, 4000), noRss};
        const PredictedRanking unlimited = predictVictim(reading, 0);
        QCOMPARE(unlimited.noteFacts.size(), std::size_t(3));
        QCOMPARE(unlimited.noteFacts[0].kind, PredictionNote::Kind::NoLimit);
        QCOMPARE(unlimited.noteFacts[1].kind, PredictionNote::Kind::RssUnknown);
        QCOMPARE(unlimited.noteFacts[2].kind, PredictionNote::Kind::TopTie);
        QCOMPARE(unlimited.notes, predictionNotes(unlimited));
        QCOMPARE(
            unlimited.notes,
            QStringList({u"No limit is known: the oom_score_adj term is taken as 0."_s,
                         u"Some processes have no rss figure; they were counted as 0."_s,
                         u"Equal points at the top: the last maximum in pid order wins, assuming the kernel "
                         u"walks the cgroup's tasks in pid order."_s}));
        QVERIFY(find(unlimited, 3)->rssEstimated);

        PredictionOptions old;
        old.era = BadnessEra::Linux310;
        const PredictedRanking rootEra =
            predictVictim(std::vector<ProcessSample> {proc(1, 4000)}, 1 << 28, old);
        QCOMPARE(rootEra.notes,
                 QStringList({u"No process was granted the 3 % root bonus of this era (uid unknown)."_s}));
        old.assumeCapSysAdmin = true;
        QCOMPARE(predictVictim(std::vector<ProcessSample> {proc(1, 4000)}, 1 << 28, old).notes,
                 QStringList({u"Every process was granted the 3 % root bonus of this era (uid unknown)."_s}));

        const std::vector<std::int64_t> gone = {7, 8};
        const auto atKill =
            predictVictimAtKill(std::vector<ProcessSample> {proc(1, 4000)}, 2000, 1 << 28, gone);
        QVERIFY(atKill.has_value());
        QCOMPARE(atKill->noteFacts.back().kind, PredictionNote::Kind::EarlierVictimsExcluded);
        QCOMPARE(atKill->noteFacts.back().count, std::size_t(2));
        QCOMPARE(atKill->notes, QStringList({u"Left out as victims of earlier kills: 2 pid(s)."_s}));
    }

    void readingAtKillLeavesOutEarlierVictims()
    {
        // Readings at 1000 and 2000 ms; two kills at 2300 and 2400 ms fall before the next one.
        std::vector<ProcessSample> rows = {
            proc(1, 9000, 0, 1000), proc(2, 5000, 0, 1000), proc(3, 1000, 0, 1000), proc(1, 9500, 0, 2000),
            proc(2, 5200, 0, 1990), proc(3, 1000, 0, 2000), proc(2, 5200, 0, 3000), proc(3, 1000, 0, 3000)};
        const std::int64_t limit = 128 * 1024 * 1024;
        const std::vector<ProcessSample> at = readingAtOrBefore(rows, 2300);
        QCOMPARE(at.size(), std::size_t(3));
        QCOMPARE(at[0].timestampMs, qint64(2000));
        QCOMPARE(at[1].timestampMs, qint64(1990)); // within the tolerance of one reading
        const std::int64_t first = 1;
        const auto second = predictVictimAtKill(rows, 2400, limit, std::span<const std::int64_t>(&first, 1));
        QVERIFY(second.has_value());
        QCOMPARE(second->predictedVictimPid.value_or(0), std::int64_t(2));
        QCOMPARE(second->instantMs, qint64(2000));
        QVERIFY(!predictVictimAtKill(rows, 500, limit).has_value());

        const std::vector<qint64> kills = {2300, 2400};
        const auto seq = predictVictimsForKills(rows, kills, limit);
        QCOMPARE(seq.size(), std::size_t(2));
        QCOMPARE(seq[0].value_or(0), std::int64_t(1));
        QCOMPARE(seq[1].value_or(0), std::int64_t(2));
        // With the kernel's own first victim given, that one is left out instead.
        const std::vector<std::int64_t> known = {3, 0};
        const auto withKnown = predictVictimsForKills(rows, kills, limit, known);
        QCOMPARE(withKnown[1].value_or(0), std::int64_t(1));
    }

    void checkoutLeakVictim()
    {
        const QString dir = kData + u"/recordings/checkout-leak"_s;
        QFile samplesFile(dir + u"/samples.csv"_s);
        QFile procsFile(dir + u"/procs.csv"_s);
        QFile logFile(dir + u"/kernel.log"_s);
        QFile truthFile(dir + u"/truth.json"_s);
        for (QFile *file : {&samplesFile, &procsFile, &logFile, &truthFile}) // committed fixtures
            QVERIFY2(file->open(QIODevice::ReadOnly),
                     qPrintable(file->fileName() + u": "_s + file->errorString()));
        const QJsonObject truth = QJsonDocument::fromJson(truthFile.readAll()).object();
        const SamplesCsvResult samples = readSamplesCsv(samplesFile, u"checkout"_s);
        const ProcsCsvResult procs = readProcsCsv(procsFile);
        QVERIFY(samples.error.isEmpty() && procs.error.isEmpty());
        const ParseResult parsed = OomReportParser().parse(logFile.readAll());
        QCOMPARE(parsed.events.size(), std::size_t(1));
        const std::optional<qint64> kill =
            eventWallTimeMs(parsed.events.front(), bootTimeMsFromSamples(samples.series.front().samples));
        QVERIFY(kill.has_value());

        const auto r =
            predictVictimAtKill(procs.rows, *kill, std::int64_t(truth.value(u"limit_bytes"_s).toDouble()));
        QVERIFY(r.has_value());
        QVERIFY(*kill - r->instantMs <= 200); // the last 100 ms reading before the kill
        const QJsonObject victim = truth.value(u"kills"_s).toArray().at(0).toObject();
        QCOMPARE(r->predictedVictimPid.value_or(0), std::int64_t(victim.value(u"pid"_s).toDouble()));
        QCOMPARE(r->ranking.front().comm, victim.value(u"comm"_s).toString());
        QCOMPARE(r->totalPages, std::int64_t(32768));
        // And the kernel's own decision on its table agrees.
        QCOMPARE(decideKill(parsed.events.front()).recomputedSelectedPid.value_or(0),
                 r->predictedVictimPid.value_or(-1));
    }

    // The node's era and page size come from its kernel reports; without one, the default is said.
    void eraFromTheNodesReports()
    {
        QFile log(kData + u"/eras/01-el7-3.10-memcg-docker-sacrifice-child.messages.log"_s);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const ParseResult parsed = OomReportParser().parse(log.readAll());
        QVERIFY(!parsed.events.empty());
        const PredictionOptions fromLog = predictionOptionsFromEvents(parsed.events);
        QCOMPARE(fromLog.era, BadnessEra::Linux310);
        QCOMPARE(fromLog.pageSizeBytes, std::int64_t(4096));
        QCOMPARE(fromLog.basis, PredictionOptions::Basis::KernelLog);
        const PredictionOptions none = predictionOptionsFromEvents({});
        QCOMPARE(none.era, BadnessEra::Linux59Plus);
        QCOMPARE(none.basis, PredictionOptions::Basis::Default);

        // A process with adj -900 and little memory: 5.9+ lets its badness go negative, 3.10 clamps it to 1.
        const std::vector<ProcessSample> reading {proc(10, 2048, -900), proc(11, 40000, 0)};
        const PredictedRanking current = predictVictim(reading, 256 << 20, none);
        const PredictedRanking old = predictVictim(reading, 256 << 20, fromLog);
        QCOMPARE(old.era, BadnessEra::Linux310);
        const auto pointsOf = [](const PredictedRanking &r, std::int64_t pid) {
            for (const PredictedProcess &p : r.ranking)
                if (p.pid == pid)
                    return p.points;
            return std::int64_t(-12345);
        };
        QVERIFY(pointsOf(current, 10) < 0);
        QCOMPARE(pointsOf(old, 10), std::int64_t(1));
        QCOMPARE(current.noteFacts.back().kind, PredictionNote::Kind::EraDefault);
        QVERIFY(old.notes.join(u' ').contains(badnessEraName(BadnessEra::Linux310)));
        QCOMPARE(old.noteFacts.back().kind, PredictionNote::Kind::EraFromKernelLog);
    }
};

QTEST_GUILESS_MAIN(PredictionTest)
#include "tst_prediction.moc"
