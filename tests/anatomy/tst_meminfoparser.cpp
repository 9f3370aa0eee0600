// SPDX-License-Identifier: GPL-3.0-or-later
// parseMemInfo() on real reports of three eras (OOMAnalyser's Arch 6.1.1 and RHEL 7 3.10 examples,
// the 6.18 cgroup-v1 log of this project's machine), the one-line (#012) form against the
// multi-line one, and the memcg stats normalised from v1 single-line, v1 multi-line and v2.
#include "anatomyfixture.h"
#include "meminfoparser.h"

#include <QTest>

using namespace anatomytest;

namespace {

// Every field of a snapshot as text, so two snapshots compare in one QCOMPARE with a readable diff.
QString dump(const MemInfoSnapshot &s)
{
    QStringList out;
    const auto opt = [](const std::optional<std::int64_t> &v) {
        return v ? QString::number(*v) : u"-"_s;
    };
    const auto list = [](const CounterList &l) {
        QStringList parts;
        for (const auto &[k, v] : l)
            parts << k + u'=' + QString::number(v);
        return parts.join(u' ');
    };
    out << u"present=%1 pageKb=%2"_s.arg(s.present).arg(s.pageKb) << u"global: "_s + list(s.globalPages);
    for (const MemInfoNode &n : s.nodes)
        out << u"node %1: %2 unreclaimable=%3"_s.arg(n.node)
                   .arg(list(n.fieldsKb))
                   .arg(n.allUnreclaimable.value_or(false));
    for (const MemInfoZone &z : s.zones) {
        QStringList reserve;
        for (const auto r : z.lowmemReservePages)
            reserve << QString::number(r);
        out << u"zone %1 %2: %3 reserve %4 free=%5 min=%6 low=%7 high=%8 managed=%9"_s
                   .arg(opt(z.node), z.zone, list(z.fieldsKb), reserve.join(u','))
                   .arg(z.freeKb)
                   .arg(z.minKb)
                   .arg(z.lowKb)
                   .arg(z.highKb)
                   .arg(z.managedKb);
    }
    for (const MemInfoBuddy &b : s.buddy) {
        QStringList chunks;
        for (size_t o = 0; o < b.freeChunksByOrder.size(); ++o)
            chunks << QString::number(b.freeChunksByOrder[o]) + u'(' + b.migrateTypesByOrder[o] + u')';
        out << u"buddy %1 %2: %3 = %4"_s.arg(opt(b.node), b.zone, chunks.join(u' '), opt(b.totalKb));
    }
    for (const MemInfoHugepages &h : s.hugepages)
        out << u"huge %1 %2 %3 %4 %5"_s.arg(h.node).arg(h.total).arg(h.free).arg(h.surplus).arg(h.sizeKb);
    out << u"pagecache=%1 swapcache=%2 freeswap=%3 totalswap=%4 ram=%5 highmem=%6 reserved=%7 cma=%8 hwpoison=%9"_s
               .arg(opt(s.totalPagecachePages), opt(s.swapCachePages), opt(s.freeSwapKb), opt(s.totalSwapKb),
                    opt(s.ramPages), opt(s.highMemPages), opt(s.reservedPages), opt(s.cmaReservedPages),
                    opt(s.hwpoisonedPages));
    return out.join(u'\n');
}

// rsyslog's rendering of one multi-line printk record: the continuation lines (indented in the
// multi-line form) are appended to the first with "#012" in place of each newline.
QByteArray joinContinuations(const QByteArray &log, const QByteArray &firstLineMarker)
{
    QList<QByteArray> lines = log.split('\n');
    QList<QByteArray> out;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (line.contains(firstLineMarker)) {
            while (i + 1 < lines.size() && lines[i + 1].startsWith(' ')
                   && !lines[i + 1].trimmed().startsWith('['))
                line += "#012" + lines[++i];
        }
        out << line;
    }
    return out.join('\n');
}

} // namespace

class TestMemInfoParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void arch61FullBlock()
    {
        const MemInfoSnapshot s = parseMemInfo(firstEvent(QString::fromLatin1(kArchLog)));
        QVERIFY(s.present);
        QCOMPARE(s.pageKb, 4);
        QCOMPARE(s.globalPages.size(), size_t(20)); // active_anon … free_cma of 6.1
        QCOMPARE(s.global(u"active_anon"), 1413442);
        QCOMPARE(s.global(u"kernel_misc_reclaimable"), 0);
        QCOMPARE(s.global(u"free"), 34629);
        QCOMPARE(s.nodes.size(), size_t(1));
        QCOMPARE(counterValue(s.nodes[0].fieldsKb, u"kernel_stack"), 10592);
        QCOMPARE(counterValue(s.nodes[0].fieldsKb, u"anon_thp"), 1236992); // "anon_thp: 1236992kB"
        QCOMPARE(s.nodes[0].allUnreclaimable, false);
        QCOMPARE(s.zones.size(), size_t(3));
        const MemInfoZone *dma32 = s.findZone(0, u"DMA32");
        QVERIFY(dma32);
        QCOMPARE(dma32->freeKb, 63304);
        QCOMPARE(dma32->boostKb, 0);
        QCOMPARE(dma32->minKb, 13760);
        QCOMPARE(dma32->lowKb, 17200);
        QCOMPARE(dma32->highKb, 20640);
        QCOMPARE(dma32->reservedHighatomicKb, 0); // printed "0KB"
        QCOMPARE(dma32->activeAnonKb, 1816112);
        QCOMPARE(dma32->writependingKb, 28);
        QCOMPARE(dma32->presentKb, 3348656);
        QCOMPARE(dma32->managedKb, 3283120);
        QCOMPARE(dma32->freeCmaKb, 0);
        QCOMPARE(dma32->lowmemReservePages, (std::vector<std::int64_t> {0, 0, 12468, 12468, 12468}));
        QCOMPARE(s.findZone(0, u"Normal")->boostKb, 8192);
        QCOMPARE(s.findZone(0, u"Normal")->mlockedKb, 64);
        QCOMPARE(s.buddy.size(), size_t(3));
        const MemInfoBuddy *b = s.findBuddy(0, u"DMA32");
        QVERIFY(b);
        QCOMPARE(b->freeChunksByOrder, (std::vector<std::int64_t> {550, 250, 46, 14, 6, 2, 1, 14, 7, 19, 1}));
        QCOMPARE(b->migrateTypesByOrder[0], u"UM"_s);
        QCOMPARE(b->migrateTypesByOrder[10], u"M"_s);
        QCOMPARE(b->totalKb, 63624);
        QCOMPARE(s.findBuddy(0, u"DMA")->freeChunksByOrder[8], 1);
        QCOMPARE(s.hugepages.size(), size_t(1));
        QCOMPARE(s.hugepages[0].sizeKb, 2048);
        QCOMPARE(s.totalPagecachePages, 44659);
        QCOMPARE(s.swapCachePages, 24863);
        QCOMPARE(s.freeSwapKb, 84);
        QCOMPARE(s.totalSwapKb, 25165820);
        QCOMPARE(s.ramPages, 4115400);
        QCOMPARE(s.highMemPages, 0);
        QCOMPARE(s.reservedPages, 97082);
        QCOMPARE(s.cmaReservedPages, 0);
        QCOMPARE(s.hwpoisonedPages, 0);
    }

    void rhel7ThreeTenNuma()
    {
        const MemInfoSnapshot s = parseMemInfo(firstEvent(QString::fromLatin1(kRhel7Log)));
        QVERIFY(s.present);
        // The global block came as one "#012"-joined line.
        QCOMPARE(s.globalPages.size(), size_t(19));
        QCOMPARE(s.global(u"unstable"), 0);
        QCOMPARE(s.global(u"free_pcp"), 2958);
        QVERIFY(s.nodes.empty()); // no "Node N active_anon" lines before 4.9
        QCOMPARE(s.zones.size(), size_t(4));
        QVERIFY(s.findZone(0, u"DMA")->allUnreclaimable);
        const MemInfoZone *n1 = s.findZone(1, u"Normal");
        QVERIFY(n1);
        QVERIFY(n1->allUnreclaimable);
        QCOMPARE(n1->freeKb, 49436);
        QCOMPARE(n1->minKb, 45444);
        QCOMPARE(counterValue(n1->fieldsKb, u"kernel_stack"), 6176); // zone-level on 3.10
        QCOMPARE(counterValue(n1->fieldsKb, u"isolated(file)"), 0);
        QCOMPARE(n1->lowmemReservePages, (std::vector<std::int64_t> {0, 0, 0, 0}));
        QVERIFY(!n1->boostKb);
        QCOMPARE(s.findBuddy(1, u"Normal")->freeChunksByOrder[6], 2);
        QCOMPARE(s.hugepages.size(), size_t(4));
        QCOMPARE(s.hugepages[2].node, 1);
        QCOMPARE(s.hugepages[2].sizeKb, 1048576);
        QCOMPARE(s.ramPages, 8379834);
        QCOMPARE(s.reservedPages, 192987);
        QVERIFY(!s.cmaReservedPages);
        QVERIFY(!s.hwpoisonedPages);
    }

    // The RHEL 7 report as rsyslog wrote it (#012) and with the record's lines split again.
    void oneLineEqualsMultiLineRhel7()
    {
        const QByteArray joined = readData(QString::fromLatin1(kRhel7Log));
        QVERIFY(joined.contains("#012"));
        QByteArray split = joined;
        split.replace("#012", "\n");
        const QString a = dump(parseMemInfo(parseEvents(joined).front()));
        const QString b = dump(parseMemInfo(parseEvents(split).front()));
        QCOMPARE(a, b);
        QVERIFY(a.contains(u"inactive_file=1167"_s));
    }

    // The Arch report (multi-line, bare text) and the 6.8 era log (dmesg, continuation lines
    // indented) against their "#012" renderings.
    void oneLineEqualsMultiLine_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("arch 6.1 bare") << QString::fromLatin1(kArchLog);
        QTest::newRow("6.8 dmesg") << u"eras/06-ubuntu24.04-6.8-global-rss_anon-tie.dmesg.log"_s;
        QTest::newRow("4.14 dmesg") << u"eras/02-al2-4.14-global-meminfo.dmesg.log"_s;
    }
    void oneLineEqualsMultiLine()
    {
        QFETCH(QString, file);
        const QByteArray multi = readData(file);
        const QByteArray joined = joinContinuations(multi, "active_anon:");
        QVERIFY(joined.count('\n') + 5 <= multi.count('\n')); // the block's lines became one
        QVERIFY(joined.contains("#012"));
        const MemInfoSnapshot a = parseMemInfo(parseEvents(multi).front());
        const MemInfoSnapshot b = parseMemInfo(parseEvents(joined).front());
        QVERIFY(a.globalPages.size() >= 18);
        QCOMPARE(dump(b), dump(a));
    }

    // The lines handed over directly, still joined, give the same global counters.
    void rawJoinedLineDirectly()
    {
        const std::vector<RawLine> lines {
            {1, u"Mem-Info:"_s},
            {2,
             u"active_anon:10 inactive_anon:20 isolated_anon:0#012 active_file:30 inactive_file:40#012 free:50 free_pcp:1 free_cma:0"_s},
            {3, u"Normal free:200kB min:100kB low:120kB high:140kB present:1000kB managed:900kB"_s},
            {4, u"lowmem_reserve[]: 0 0"_s},
            {5, u"Normal: 2*4kB (U) 1*8kB = 16kB"_s},
        };
        const MemInfoSnapshot s = parseMemInfoLines(lines);
        QCOMPARE(s.global(u"inactive_file"), 40);
        QCOMPARE(s.global(u"free_cma"), 0);
        QCOMPARE(s.zones.size(), size_t(1));
        QVERIFY(!s.zones[0].node); // no CONFIG_NUMA "Node N " prefix
        QCOMPARE(s.zones[0].managedKb, 900);
        QCOMPARE(s.buddy[0].freeChunksByOrder, (std::vector<std::int64_t> {2, 1}));
        QCOMPARE(s.findBuddy(std::nullopt, u"Normal")->totalKb, 16);
    }

    // 3.10 vanilla show_free_areas(): per-cpu lines between "Mem-Info:" and the global block.
    void perCpuLinesBeforeGlobalBlock()
    {
        const std::vector<RawLine> lines {
            {1, u"Mem-Info:"_s},
            {2, u"Node 0 DMA per-cpu:"_s},
            {3, u"CPU    0: hi:    0, btch:   1 usd:   0"_s},
            {4, u"Node 0 Normal per-cpu:"_s},
            {5, u"CPU    0: hi:  186, btch:  31 usd:  30"_s},
            {6, u"active_anon:1000 inactive_anon:200 isolated_anon:0"_s},
            {7, u"active_file:30 inactive_file:40 isolated_file:0"_s},
            {8, u"free:500 slab_reclaimable:7 slab_unreclaimable:9"_s},
            {9, u"Node 0 Normal free:2000kB min:100kB low:120kB high:140kB present:10000kB managed:9000kB"_s},
            {10, u"lowmem_reserve[]: 0 0 0 0"_s},
        };
        const MemInfoSnapshot s = parseMemInfoLines(lines);
        QCOMPARE(s.global(u"active_anon"), 1000);
        QCOMPARE(s.global(u"slab_unreclaimable"), 9);
        QCOMPARE(s.globalPages.size(), size_t(9));
        QCOMPARE(s.zones.size(), size_t(1));
        QCOMPARE(s.findZone(0, u"Normal")->freeKb, 2000);
    }

    void noMemInfoInMemcgReport()
    {
        const MemInfoSnapshot s = parseMemInfo(firstEvent(QString::fromLatin1(kReal618Log)));
        QVERIFY(!s.present);
        QVERIFY(s.zones.empty());
        QVERIFY(s.globalPages.empty());
    }

    // ≥ 6.6 on cgroup v1: memcg1_stat_format lines in bytes; total_ (hierarchical) values win.
    void memcgV1MultiLine()
    {
        const MemcgStats m = parseMemInfo(firstEvent(QString::fromLatin1(kReal618Log))).memcg;
        QCOMPARE(m.form, MemcgStatsForm::V1MultiLine);
        QCOMPARE(m.path, u"/oomlab"_s);
        QCOMPARE(m.value(u"anon"), 66830336); // "rss 66830336" / "total_rss 66830336"
        QCOMPARE(m.value(u"file"), 16384); // "cache 16384"
        QCOMPARE(m.value(u"file_mapped"), 0);
        QCOMPARE(m.value(u"inactive_anon"), 66826240);
        QVERIFY(!m.value(u"rss"));
        QVERIFY(!m.value(u"total_rss"));
        QVERIFY(!m.value(u"hierarchical_memory_limit"));
        QVERIFY(counterValue(m.raw, u"total_rss"));
    }

    // 3.10 single line "cache:64132KB rss:2033004KB …" (kept in bytes by the report parser).
    void memcgV1SingleLine()
    {
        const MemcgStats m =
            parseMemInfo(firstEvent(u"eras/01-el7-3.10-memcg-docker-sacrifice-child.messages.log"_s)).memcg;
        QCOMPARE(m.form, MemcgStatsForm::V1SingleLine);
        QCOMPARE(m.value(u"anon"), std::int64_t(2033004) * 1024);
        QCOMPARE(m.value(u"file"), std::int64_t(64132) * 1024);
        QCOMPARE(m.value(u"anon_thp"), std::int64_t(1048576) * 1024);
        QCOMPARE(m.value(u"swap"), 0);
    }

    void memcgV2()
    {
        const MemcgStats m =
            parseMemInfo(firstEvent(u"eras/05-ubuntu22.04-5.15-memcg-v2-kubepods.dmesg-T.log"_s)).memcg;
        QCOMPARE(m.form, MemcgStatsForm::V2);
        QCOMPARE(m.value(u"anon"), 798466048);
        QCOMPARE(m.value(u"file"), 2646016);
        QCOMPARE(m.value(u"kernel_stack"), 409600);
        QCOMPARE(memcgStatsFormName(m.form), u"v2"_s);
    }

    // Hostile numbers and shapes stay bounded.
    void hostileLines()
    {
        const std::vector<RawLine> lines {
            {1, u"Mem-Info:"_s},
            {2,
             u"Normal: 99999999999999999999*4kB 1*3kB 5*1099511627776kB 7*12kB = 99999999999999999999999kB"_s},
            {3, u"DMA free:1kB min:1kB low:1kB high:1kB present:1kB managed:1kB"_s},
            {4, u"lowmem_reserve[]: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"_s},
            {5,
             u"Node 99999999999 hugepages_total=1 hugepages_free=1 hugepages_surp=0 hugepages_size=2048kB"_s},
        };
        const MemInfoSnapshot s = parseMemInfoLines(lines);
        QCOMPARE(s.zones.size(), size_t(1));
        QCOMPARE(s.zones[0].lowmemReservePages.size(), size_t(16));
        QCOMPARE(s.buddy.size(), size_t(1));
        QVERIFY(s.buddy[0].freeChunksByOrder.size() <= 32);
        QVERIFY(!s.buddy[0].totalKb);
        QCOMPARE(s.hugepages.size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestMemInfoParser)
#include "tst_meminfoparser.moc"
