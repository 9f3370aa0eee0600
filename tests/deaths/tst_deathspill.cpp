// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table's temporary files (storage/deathspill.h): kernel kills beyond the first
// thousand come back as they went in, an import that failed takes its kills back, the rows
// finished at once merge into the table's order however their times jump, the whole table through
// DeathCollector is the one built in memory, and a temporary directory that cannot be written is
// an error naming it.

#include "deathinputs.h"
#include "deathjson.h"
#include "deathspill.h"
#include "deathtables.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace oomscope;
using oomscope::testsupport::tableJson;

namespace {

const QDateTime kBase = QDateTime::fromString(u"2026-03-01T10:00:00Z"_s, Qt::ISODate);

// A kill with every field set (some optional ones left out), its time in one of the spellings the
// parser gives: UTC, an offset, local time, none.
KernelKill killNumber(int i, QRandomGenerator &rng)
{
    KernelKill k;
    k.eventId = i + 1;
    k.source = i % 3 ? u"kern.log"_s : u"node-b/journal.json"_s;
    k.host = u"node-%1"_s.arg(i % 4);
    switch (i % 4) {
    case 0:
        k.wallTime = kBase.addSecs(rng.bounded(100000));
        break;
    case 1:
        k.wallTime = kBase.addSecs(rng.bounded(100000)).toOffsetFromUtc(3600);
        break;
    case 2:
        k.wallTime = kBase.addSecs(rng.bounded(100000)).toLocalTime();
        break;
    default:
        break; // dmesg without -T: the kernel's clock only
    }
    if (i % 5)
        k.uptimeSeconds = 1000.25 + i;
    k.constraint = i % 2 ? Constraint::Memcg : Constraint::None;
    k.taskMemcg = u"/kubepods/burstable/pod%1/ctr%2"_s.arg(i % 7).arg(i % 3);
    k.oomMemcg = i % 2 ? k.taskMemcg : u"/"_s;
    k.pid = 100 + i;
    k.comm = u"worker-%1 ü"_s.arg(i);
    if (i % 9 == 0)
        k.groupKilled = {{200 + i, u"sibling"_s}, {300 + i, u"another"_s}};
    k.evidence.push_back(
        {k.source, i * 10 + 1, u"[%1] Memory cgroup out of memory: Killed process %2"_s.arg(i).arg(k.pid)});
    k.evidence.push_back({k.source, i * 10 + 2, u"oom-kill:constraint=CONSTRAINT_MEMCG"_s});
    return k;
}

bool sameKill(const KernelKill &a, const KernelKill &b)
{
    const bool sameTime = a.wallTime.has_value() == b.wallTime.has_value()
        && (!a.wallTime
            || (*a.wallTime == *b.wallTime && a.wallTime->timeSpec() == b.wallTime->timeSpec()
                && a.wallTime->offsetFromUtc() == b.wallTime->offsetFromUtc()));
    bool sameEvidence = a.evidence.size() == b.evidence.size();
    for (std::size_t i = 0; sameEvidence && i < a.evidence.size(); ++i)
        sameEvidence = a.evidence[i].source == b.evidence[i].source
            && a.evidence[i].line == b.evidence[i].line && a.evidence[i].text == b.evidence[i].text;
    return sameTime && sameEvidence && a.eventId == b.eventId && a.source == b.source && a.host == b.host
        && a.uptimeSeconds == b.uptimeSeconds && a.constraint == b.constraint && a.taskMemcg == b.taskMemcg
        && a.oomMemcg == b.oomMemcg && a.pid == b.pid && a.comm == b.comm && a.groupKilled == b.groupKilled;
}

std::vector<KernelKill> readAll(KillSpill &spill)
{
    const std::function<bool(KernelKill &)> next = spill.spilledReader();
    std::vector<KernelKill> kills = spill.takeHeld();
    for (KernelKill k; next(k);)
        kills.push_back(k);
    return kills;
}

} // namespace

class TestDeathSpill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killsComeBackAsTheyWent()
    {
        QRandomGenerator rng(7);
        std::vector<KernelKill> added;
        KillSpill spill;
        for (int i = 0; i < 3000; ++i) {
            added.push_back(killNumber(i, rng));
            spill.add(KernelKill(added.back()));
        }
        QCOMPARE(spill.size(), std::size_t(3000));
        QCOMPARE(spill.held().size(), KillSpill::kHeldInMemory); // the rest went to the file
        const std::vector<KernelKill> back = readAll(spill);
        QCOMPARE(back.size(), added.size());
        for (std::size_t i = 0; i < added.size(); ++i)
            QVERIFY2(sameKill(back[i], added[i]), qPrintable(u"kill %1 came back changed"_s.arg(i)));
        QVERIFY(!spill.error());
    }

    // An import that fails (or finds its content stored already) takes back what it added, in
    // memory and in the file alike; what was added before stays.
    void rollBackDropsWhatCameAfterTheMark()
    {
        for (const int before : {500, 1500}) {
            QRandomGenerator rng(before);
            KillSpill spill;
            std::vector<KernelKill> kept;
            for (int i = 0; i < before; ++i) {
                kept.push_back(killNumber(i, rng));
                spill.add(KernelKill(kept.back()));
            }
            const KillSpill::Mark mark = spill.mark();
            for (int i = 0; i < 900; ++i)
                spill.add(killNumber(10000 + i, rng));
            spill.rollBack(mark);
            QCOMPARE(spill.size(), std::size_t(before));
            for (int i = 0; i < 700; ++i) {
                kept.push_back(killNumber(20000 + i, rng));
                spill.add(KernelKill(kept.back()));
            }
            const std::vector<KernelKill> back = readAll(spill);
            QCOMPARE(back.size(), kept.size());
            for (std::size_t i = 0; i < kept.size(); ++i)
                QVERIFY2(sameKill(back[i], kept[i]), qPrintable(u"%1: kill %2 differs"_s.arg(before).arg(i)));
        }
    }

    // Rows in random time order (thousands of runs: more than one merge pass), some without a
    // time, merged with rows held in memory: every row once, in the table's order.
    void finishedRowsMergeIntoTheTablesOrder()
    {
        QRandomGenerator rng(11);
        std::vector<OrderedDeath> all;
        FinishedDeaths finished;
        std::vector<OrderedDeath> held;
        for (std::uint64_t order = 0; order < 6000; ++order) {
            OrderedDeath d;
            d.order = order;
            d.death.eventId = qint64(order);
            d.death.killer = Killer::KernelMemcg;
            if (rng.bounded(5))
                d.death.time = kBase.addSecs(rng.bounded(500)); // many rows at one time
            d.death.evidence.push_back({u"kern.log"_s, qint64(order), u"row %1"_s.arg(order)});
            all.push_back(d);
            if (order % 10 == 3)
                held.push_back(std::move(d));
            else
                finished.add(std::move(d));
        }
        QVERIFY2(finished.runs() > FinishedDeaths::kMergeWidth * FinishedDeaths::kMergeWidth,
                 qPrintable(QString::number(finished.runs())));
        std::sort(held.begin(), held.end(), deathBefore);
        std::vector<Death> merged;
        const Result<void> ok =
            finished.merge(std::move(held), [&merged](Death &&d) { merged.push_back(std::move(d)); });
        QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().message));
        std::sort(all.begin(), all.end(), deathBefore);
        QCOMPARE(merged.size(), all.size());
        for (std::size_t i = 0; i < all.size(); ++i)
            QVERIFY2(merged[i].eventId == all[i].death.eventId
                         && merged[i].evidence.front().text == all[i].death.evidence.front().text,
                     qPrintable(u"row %1 is event %2, expected %3"_s.arg(i)
                                    .arg(*merged[i].eventId)
                                    .arg(*all[i].death.eventId)));
    }

    // The table through the collector (kills in its temporary file, rows finished at once in
    // another) is the table built in memory.
    void collectorTableIsTheOneBuiltInMemory()
    {
        QRandomGenerator rng(3);
        DeathInputs in;
        DeathCollector collector;
        for (int i = 0; i < 4000; ++i) {
            in.kernel.push_back(killNumber(i, rng));
            collector.addKernelKill(KernelKill(in.kernel.back()));
        }
        const Result<std::vector<Death>> table = collector.deaths();
        QVERIFY2(table, qPrintable(table ? QString() : table.error().message));
        const std::vector<Death> expected = buildDeaths(in);
        QCOMPARE(table->size(), expected.size());
        QVERIFY(table->size() > 4000); // the group kills are rows of their own
        QCOMPARE(tableJson(*table), tableJson(expected));
    }

    // No temporary file can be made: the table is an error that names the directory, not a
    // table with rows missing.
    void unwritableTemporaryDirectoryIsAnError()
    {
        const QByteArray old = qgetenv("TMPDIR");
        const QString missing = u"/nonexistent-oomscope-test/tmp"_s;
        qputenv("TMPDIR", missing.toUtf8());
        QRandomGenerator rng(5);
        DeathCollector collector;
        for (int i = 0; i < 2000; ++i)
            collector.addKernelKill(killNumber(i, rng));
        const Result<std::vector<Death>> table = collector.deaths();
        if (old.isNull())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", old);
        QVERIFY(!table);
        QCOMPARE(table.error().kind, Error::Kind::Io);
        QVERIFY2(table.error().message.contains(missing), qPrintable(table.error().message));
    }
};

QTEST_GUILESS_MAIN(TestDeathSpill)
#include "tst_deathspill.moc"
