// SPDX-License-Identifier: GPL-3.0-or-later
// Where the memory went: the accounting of real node-wide and cgroup reports, the statements for
// the typical culprits, and the JSON keys of `analyze --json` (version 2).
#include "anatomyexplanation.h"
#include "anatomyfixture.h"
#include "eventjson.h"
#include "killdecision.h"
#include "meminfoparser.h"
#include "memoryanatomy.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace anatomytest;

namespace {

MemInfoSnapshot nodeSnapshot(std::int64_t ramPages, CounterList global)
{
    MemInfoSnapshot s;
    s.present = true;
    s.ramPages = ramPages;
    s.globalPages = std::move(global);
    s.totalSwapKb = 0;
    s.freeSwapKb = 0;
    return s;
}

OomEvent globalEvent()
{
    OomEvent e;
    e.constraint = Constraint::None;
    return e;
}

} // namespace

class TestMemoryAccounting : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Arch 6.1.1: 16 GB RAM, 24 GB swap nearly full.
    void archNode()
    {
        const OomEvent e = firstEvent(QString::fromLatin1(kArchLog));
        const MemoryAccounting a = accountMemory(e, parseMemInfo(e));
        QVERIFY(a.present);
        QCOMPARE(a.scope, AccountingScope::Node);
        QCOMPARE(a.totalKb, 4115400 * 4); // pages RAM
        QCOMPARE(a.category(u"anon")->kb, (1413442 + 1509191 - 19540) * 4); // anon LRU − shmem
        QCOMPARE(a.category(u"shmem")->kb, 19540 * 4);
        QCOMPARE(a.category(u"slab_unreclaimable")->kb, 89303 * 4);
        QCOMPARE(a.category(u"kernel_stack")->kb, 10592); // node line
        QCOMPARE(a.category(u"reserved")->kb, 97082 * 4);
        QCOMPARE(a.category(u"free")->kb, 34629 * 4);
        QCOMPARE(a.category(u"swap_cache")->partOf, u"anon"_s);
        QCOMPARE(a.dominant, u"anon"_s);
        QVERIFY(a.category(u"anon")->reclaimable); // 84 kB of swap was still free
        // used = total − free − cache = 25165820 − 84 − 24863·4
        QCOMPARE(a.swap.usedKb, 25165820 - 84 - 24863 * 4);
        std::int64_t rss = 0;
        for (const OomTask &t : e.tasks)
            rss += t.rssPages * 4;
        QCOMPARE(a.tasksRssKb, rss);
        std::int64_t sum = a.unaccountedKb;
        for (const AccountingCategory &c : a.categories)
            sum += c.partOf.isEmpty() ? c.kb : 0;
        QCOMPARE(sum, a.totalKb); // top-level categories + unaccounted = RAM
        QVERIFY(accountingStatement(a).startsWith(u"anonymous memory"_s));
    }

    // The 6.18 cgroup-v1 report of this project's machine: 64 MiB limit, no swap on the node.
    void realCgroupV1()
    {
        const OomEvent e = firstEvent(QString::fromLatin1(kReal618Log));
        const MemoryAccounting a = accountMemory(e, parseMemInfo(e));
        QCOMPARE(a.scope, AccountingScope::Cgroup);
        QCOMPARE(a.totalKb, 65536);
        QCOMPARE(a.category(u"anon")->kb, 66830336 / 1024);
        QCOMPARE(a.category(u"file_active")->kb, 8);
        QCOMPARE(a.category(u"file_inactive")->kb, 8);
        QCOMPARE(a.category(u"kernel_other")->kb, 256); // "kmem: usage 256kB"
        QCOMPARE(a.unaccountedKb, 65536 - 65264 - 8 - 8 - 256);
        QCOMPARE(a.dominant, u"anon"_s);
        QCOMPARE(a.memcgSwapEnabled, true); // memory+swap unlimited
    }

    // Same log: the limits let the cgroup swap, but "memory+swap: usage" equals "memory: usage"
    // (and "total_swap 0") at every kill — the node has no swap, so anon is not reclaimable.
    void realCgroupV1NoSwapOnNode()
    {
        const std::vector<OomEvent> events = parseEvents(readData(QString::fromLatin1(kReal618Log)));
        QCOMPARE(events.size(), std::size_t(3));
        for (const OomEvent &e : events) {
            const MemoryAnatomy an = analyseMemory(e, parseMemInfo(e));
            const MemoryAccounting &a = an.accounting;
            QCOMPARE(a.memcgSwapEnabled, true);
            QCOMPARE(a.swap.usedKb, 0);
            QCOMPARE(a.swapRoom, false);
            QVERIFY(!a.category(u"anon")->reclaimable);
            QVERIFY2(an.accountingStatement.contains(u"cannot be reclaimed without swap"_s),
                     qPrintable(an.accountingStatement));
            const QString all = an.statements.join(u'\n');
            QVERIFY2(all.contains(u"had no swap in use when it ran out: the node has no swap"_s),
                     qPrintable(all));
            QVERIFY(!all.contains(u"and it had"_s));
        }
    }

    // A cgroup with swap in use below its v2 swap limit: anon is reclaimable; at the limit it is not.
    void cgroupSwapInUse()
    {
        OomEvent e = firstEvent(u"eras/05-ubuntu22.04-5.15-memcg-v2-kubepods.dmesg-T.log"_s);
        e.swap = {true, 1024, 4096, 0};
        MemoryAnatomy an = analyseMemory(e, parseMemInfo(e));
        QCOMPARE(an.accounting.swapRoom, true);
        QVERIFY(an.accounting.category(u"anon")->reclaimable);
        QVERIFY2(an.statements.join(u'\n').contains(u"and it had 1.0 MiB in swap at the kill"_s),
                 qPrintable(an.statements.join(u'\n')));
        e.swap = {true, 4096, 4096, 0};
        an = analyseMemory(e, parseMemInfo(e));
        QCOMPARE(an.accounting.swapRoom, false);
        QVERIFY(!an.accounting.category(u"anon")->reclaimable);
        QVERIFY2(an.statements.join(u'\n').contains(u"swap was full: 4.0 MiB used of its 4.0 MiB"_s),
                 qPrintable(an.statements.join(u'\n')));
    }

    // A real capture (tests/anatomy/tst_anatomy_live): 40 MiB of memfd shmem in a 64 MiB cgroup
    // whose memory+swap limit equals its memory limit.
    void realShmemCapture()
    {
        const OomEvent e = firstEvent(u"e2e/kmsg-6.18-memcg-v1-shmem-oomkill.kmsg"_s);
        const MemoryAnatomy a = analyseMemory(e, parseMemInfo(e));
        QCOMPARE(a.accounting.category(u"shmem")->kb, 41943040 / 1024);
        QCOMPARE(a.accounting.category(u"anon")->kb, 24948736 / 1024);
        QCOMPARE(a.accounting.category(u"kernel_other")->kb, 212); // "kmem: usage 212kB"
        QCOMPARE(a.accounting.dominant, u"shmem"_s);
        QCOMPARE(a.accounting.memcgSwapEnabled, false);
        QVERIFY2(a.accountingStatement.contains(u"tmpfs/shmem 40.0 MiB (63 % of the limit)"_s),
                 qPrintable(a.accountingStatement));
        QVERIFY(a.accountingStatement.contains(u"cannot be reclaimed without swap"_s));
        // 26 MiB of task RSS against 23.8 MiB anon + 40 MiB shmem: the memfd is mapped by no task.
        QVERIFY(a.statements.join(u'\n').contains(u"tmpfs/shmem 40.0 MiB counts in no task's RSS"_s));
    }

    void v2CannotSwap()
    {
        const OomEvent e = firstEvent(u"eras/05-ubuntu22.04-5.15-memcg-v2-kubepods.dmesg-T.log"_s);
        const MemoryAnatomy a = analyseMemory(e, parseMemInfo(e));
        QCOMPARE(a.accounting.memcgSwapEnabled, false); // "swap: usage 0kB, limit 0kB"
        QVERIFY(a.statements.join(u'\n').contains(u"could not swap"_s));
        QVERIFY(!a.allocation.applicable); // memcg OOM: no zone to check
    }

    void unreclaimableSlabStatement()
    {
        // 16 GiB RAM: anon 1 GiB, unreclaimable slab 11 GiB, free ~390 MiB.
        const MemInfoSnapshot s = nodeSnapshot(
            4194304, {{u"active_anon"_s, 262144}, {u"slab_unreclaimable"_s, 2883584}, {u"free"_s, 100000}});
        const MemoryAccounting a = accountMemory(globalEvent(), s);
        QCOMPARE(a.dominant, u"slab_unreclaimable"_s);
        const QString st = accountingStatement(a);
        QVERIFY2(st.contains(u"unreclaimable slab 11"_s) && st.contains(u"(69 % of RAM)"_s), qPrintable(st));
        QVERIFY2(st.contains(u"no process to blame"_s), qPrintable(st));
    }

    void hugepagesStatement()
    {
        MemInfoSnapshot s = nodeSnapshot(4194304, {{u"active_anon"_s, 1000000}, {u"free"_s, 50000}});
        s.hugepages = {{0, 4096, 4096, 0, 2048}}; // 8 GiB of 2 MiB pages on 16 GiB
        const MemoryAccounting a = accountMemory(globalEvent(), s);
        QCOMPARE(a.category(u"hugepages")->kb, 4096 * 2048);
        QCOMPARE(a.dominant, u"hugepages"_s);
        QVERIFY2(accountingStatement(a).contains(u"hugepages reserve 8"_s)
                     && accountingStatement(a).contains(u"(50 % of RAM)"_s),
                 qPrintable(accountingStatement(a)));
    }

    void shmemWithoutSwapStatement()
    {
        OomEvent e;
        e.constraint = Constraint::Memcg;
        e.memory = {true, 2097152, 2097152, 10};
        e.swap = {true, 0, 0, 0};
        MemInfoSnapshot s;
        s.memcg.form = MemcgStatsForm::V2;
        s.memcg.bytes = {{u"anon"_s, 300LL << 20},
                         {u"file"_s, 1700LL << 20},
                         {u"shmem"_s, 1600LL << 20},
                         {u"active_file"_s, 60LL << 20},
                         {u"inactive_file"_s, 40LL << 20}};
        const MemoryAccounting a = accountMemory(e, s);
        QCOMPARE(a.dominant, u"shmem"_s);
        QVERIFY(!a.category(u"shmem")->reclaimable);
        QVERIFY2(accountingStatement(a).contains(u"cannot be reclaimed without swap"_s),
                 qPrintable(accountingStatement(a)));
    }

    void manualOomMostlyFree()
    {
        const OomEvent e = firstEvent(QString::fromLatin1(kSysrqLog));
        const MemoryAnatomy a = analyseMemory(e, parseMemInfo(e));
        QVERIFY(a.trigger.manual);
        QCOMPARE(a.accounting.dominant, u"free"_s); // (427891 + 153)·4 kB of 524158·4
        QVERIFY(a.statements.join(u'\n').contains(u"Manual OOM"_s));
    }

    void jsonNodeWide()
    {
        const OomEvent e = firstEvent(QString::fromLatin1(kArchLog));
        const QJsonObject o = eventToJson(e, decideKill(e), parseMemInfo(e));
        const QJsonObject t = o[u"trigger"_s].toObject();
        QCOMPARE(t[u"gfp_flags"_s].toArray(),
                 (QJsonArray {u"GFP_HIGHUSER_MOVABLE"_s, u"__GFP_COMP"_s, u"__GFP_ZERO"_s}));
        QCOMPARE(t[u"gfp_unknown_bits"_s].toInteger(), 0);
        QCOMPARE(t[u"zone"_s].toString(), u"Movable"_s);
        QCOMPARE(t[u"node"_s].toInt(), 0);
        QCOMPARE(t[u"manual"_s].toBool(), false);
        const QJsonObject s = o[u"system"_s].toObject();
        QCOMPARE(s[u"ram_kb"_s].toInteger(), 4115400 * 4);
        QCOMPARE(s[u"swap_total_kb"_s].toInteger(), 25165820);
        QCOMPARE(s[u"swap_free_kb"_s].toInteger(), 84);
        QCOMPARE(s[u"swap_cache_kb"_s].toInteger(), 24863 * 4);
        QCOMPARE(s[u"swap_used_kb"_s].toInteger(), 25165820 - 84 - 24863 * 4);
        QVERIFY(s[u"tasks_rss_kb"_s].toInteger() > 0);
        QCOMPARE(s[u"meminfo"_s].toObject()[u"active_anon"_s].toInteger(), 1413442 * 4);
        const QJsonObject dma32 = s[u"zones"_s].toArray()[1].toObject();
        QCOMPARE(dma32[u"zone"_s].toString(), u"DMA32"_s);
        QCOMPARE(dma32[u"node"_s].toInt(), 0);
        QCOMPARE(dma32[u"min_kb"_s].toInteger(), 13760);
        QCOMPARE(dma32[u"managed_kb"_s].toInteger(), 3283120);
        QCOMPARE(dma32[u"lowmem_reserve_pages"_s].toArray(), (QJsonArray {0, 0, 12468, 12468, 12468}));
        QCOMPARE(s[u"buddy"_s].toArray()[2].toObject()[u"free_chunks_by_order"_s].toArray()[0].toInteger(),
                 6676);
        QCOMPARE(s[u"hugepages"_s].toArray()[0].toObject()[u"size_kb"_s].toInteger(), 2048);
        const QJsonObject al = o[u"allocation"_s].toObject();
        QCOMPARE(al[u"order"_s].toInt(), 0);
        QCOMPARE(al[u"size_kb"_s].toInteger(), 4);
        QCOMPARE(al[u"failure"_s].toString(), u"below_low_watermark"_s);
        QCOMPARE(al[u"fragmented"_s].toBool(true), false);
        QVERIFY(o[u"memcg_swap_enabled"_s].isNull());
        const QJsonObject acc = o[u"accounting"_s].toObject();
        QCOMPARE(acc[u"scope"_s].toString(), u"node"_s);
        QCOMPARE(acc[u"dominant"_s].toString(), u"anon"_s);
        const QJsonObject first = acc[u"categories"_s].toArray()[0].toObject();
        QCOMPARE(first[u"name"_s].toString(), u"anon"_s);
        QCOMPARE(first[u"kb"_s].toInteger(), (1413442 + 1509191 - 19540) * 4);
        QVERIFY(first[u"share"_s].toDouble() > 0.7
                && first[u"share"_s].toDouble() < 0.71); // 11612372 / 16461600
        QVERIFY(first.contains(u"reclaimable"_s));
        QVERIFY(!acc[u"statement"_s].toString().isEmpty());
    }

    void jsonCgroupAndManual()
    {
        const OomEvent cg = firstEvent(QString::fromLatin1(kReal618Log));
        const QJsonObject o = eventToJson(cg, decideKill(cg), parseMemInfo(cg));
        QVERIFY(o[u"system"_s].isNull());
        QCOMPARE(o[u"memcg_swap_enabled"_s].toBool(), true);
        QCOMPARE(o[u"accounting"_s].toObject()[u"scope"_s].toString(), u"cgroup"_s);
        QVERIFY(o[u"allocation"_s].toObject()[u"failure"_s].isNull());
        QCOMPARE(o[u"trigger"_s].toObject()[u"gfp_flags"_s].toArray(), (QJsonArray {u"GFP_KERNEL"_s}));
        const OomEvent m = firstEvent(QString::fromLatin1(kSysrqLog));
        const QJsonObject mo = eventToJson(m, decideKill(m), parseMemInfo(m));
        QCOMPARE(mo[u"trigger"_s].toObject()[u"manual"_s].toBool(), true);
        QVERIFY(mo[u"allocation"_s].toObject()[u"size_kb"_s].isNull());
        QVERIFY(mo[u"allocation"_s].toObject()[u"failure"_s].isNull());
        // Without a snapshot (callers that have none): the trigger decode, nothing else.
        const QJsonObject bare = eventToJson(m, decideKill(m));
        QVERIFY(bare[u"system"_s].isNull());
        QVERIFY(bare[u"accounting"_s].isNull());
        QCOMPARE(bare[u"trigger"_s].toObject()[u"manual"_s].toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TestMemoryAccounting)
#include "tst_memoryaccounting.moc"
