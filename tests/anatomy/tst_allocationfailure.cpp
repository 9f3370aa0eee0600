// SPDX-License-Identifier: GPL-3.0-or-later
// The watermark check against hand-computed cases (low mark, lowmem_reserve, __GFP_HIGH,
// ALLOC_HARDER / ALLOC_NON_BLOCK, highatomic reserve, the 3.10 per-order loop) and against the
// zones of real node-wide reports, with the arithmetic written out beside each expectation.
#include "allocationfailure.h"
#include "anatomyexplanation.h"
#include "anatomyfixture.h"
#include "meminfoparser.h"

#include <QTest>

using namespace anatomytest;

namespace {

// A zone of 4 KiB pages: free 1000, min 800, low 1000, high 1200 pages.
MemInfoZone zone(std::int64_t freePages, std::vector<std::int64_t> reserve = {0, 0, 0, 0})
{
    MemInfoZone z;
    z.node = 0;
    z.zone = u"Normal"_s;
    z.freeKb = freePages * 4;
    z.minKb = 800 * 4;
    z.lowKb = 1000 * 4;
    z.highKb = 1200 * 4;
    z.lowmemReservePages = std::move(reserve);
    return z;
}

MemInfoBuddy buddy(std::vector<std::int64_t> counts)
{
    MemInfoBuddy b;
    b.node = 0;
    b.zone = u"Normal"_s;
    b.freeChunksByOrder = std::move(counts);
    b.migrateTypesByOrder.resize(b.freeChunksByOrder.size());
    return b;
}

} // namespace

class TestAllocationFailure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // GFP_KERNEL (5.x), order 0: fails iff free <= low + reserve.
    void lowWatermarkAndReserve()
    {
        const GfpDecode kernel = decodeGfpMask(0xcc0, GfpEra::V5_1);
        // 1001 > 1000 + 0: passes; 1000 <= 1000: fails (the kernel's "<=").
        QVERIFY(checkZoneWatermark(zone(1001), nullptr, 0, 2, kernel, 4).passesOrder0);
        QVERIFY(!checkZoneWatermark(zone(1000), nullptr, 0, 2, kernel, 4).passesOrder0);
        // lowmem_reserve[2] = 500 kept back from Normal-capable requests: 1400 <= 1000 + 500.
        const ZoneWatermarkCheck r =
            checkZoneWatermark(zone(1400, {0, 0, 500, 500}), nullptr, 0, 2, kernel, 4);
        QCOMPARE(r.reservePages, 500);
        QVERIFY(!r.passesOrder0);
        // The same zone for a DMA32-limited request uses lowmem_reserve[1] = 0: 1400 > 1000.
        QVERIFY(checkZoneWatermark(zone(1400, {0, 0, 500, 500}), nullptr, 0, 1, kernel, 4).passesOrder0);
    }

    // __GFP_HIGH halves the mark; ALLOC_HARDER (__GFP_ATOMIC ≤ 6.3) takes another quarter.
    void highAndHarderReductions()
    {
        // 5.x GFP_ATOMIC 0xa20: low 1000 → 1000 − 500 = 500 → 500 − 125 = 375; min 800 → 400 → 300.
        const ZoneWatermarkCheck a =
            checkZoneWatermark(zone(380), nullptr, 0, 2, decodeGfpMask(0xa20, GfpEra::V5_1), 4);
        QVERIFY(a.highReduction && a.harderReduction);
        QCOMPARE(a.effectiveMarkPages, 375);
        QCOMPARE(a.effectiveMinPages, 300);
        QVERIFY(a.passesOrder0); // 380 > 375
        // __GFP_HIGH alone (0xc20 = HIGH|DIRECT|KSWAPD): 1000 → 500.
        const ZoneWatermarkCheck h =
            checkZoneWatermark(zone(480), nullptr, 0, 2, decodeGfpMask(0xc20, GfpEra::V5_1), 4);
        QVERIFY(h.highReduction && !h.harderReduction);
        QCOMPARE(h.effectiveMarkPages, 500);
        QVERIFY(!h.passesOrder0); // 480 <= 500
        // 6.4+: GFP_ATOMIC 0x820 is __GFP_HIGH without direct reclaim → ALLOC_MIN_RESERVE and
        // ALLOC_NON_BLOCK: 1000 → 500 → 375, as before.
        const ZoneWatermarkCheck m =
            checkZoneWatermark(zone(380), nullptr, 0, 2, decodeGfpMask(0x820, GfpEra::V6_4), 4);
        QCOMPARE(m.effectiveMarkPages, 375);
        // 6.4+: non-blocking without __GFP_HIGH (GFP_NOWAIT 0x800) gets no reduction.
        QCOMPARE(checkZoneWatermark(zone(380), nullptr, 0, 2, decodeGfpMask(0x800, GfpEra::V6_4), 4)
                     .effectiveMarkPages,
                 1000);
    }

    // nr_reserved_highatomic is unusable unless the request may use reserves.
    void highatomicReserve()
    {
        MemInfoZone z = zone(1300);
        z.reservedHighatomicKb = 400 * 4;
        const ZoneWatermarkCheck k =
            checkZoneWatermark(z, nullptr, 0, 2, decodeGfpMask(0xcc0, GfpEra::V5_1), 4);
        QCOMPARE(k.usableFreePages, 900); // 1300 − 400
        QVERIFY(!k.passesOrder0);
        const ZoneWatermarkCheck a =
            checkZoneWatermark(z, nullptr, 0, 2, decodeGfpMask(0xa20, GfpEra::V5_1), 4);
        QCOMPARE(a.usableFreePages, 1300); // ALLOC_HARDER may use the highatomic reserve
    }

    // 4.4+: order > 0 needs a free chunk of that order or more; (1 << order) − 1 pages unusable.
    void orderNeedsChunk()
    {
        const GfpDecode kernel = decodeGfpMask(0xcc0, GfpEra::V5_1);
        const MemInfoBuddy smallOnly = buddy({1500, 300, 50, 0, 0});
        const ZoneWatermarkCheck c = checkZoneWatermark(zone(2000), &smallOnly, 3, 2, kernel, 4);
        QCOMPARE(c.unusableFreePages, 7);
        QVERIFY(c.passesOrder0); // 1993 > 1000
        QCOMPARE(c.freeChunksAtOrAbove, 0);
        QVERIFY(!c.passes);
        const MemInfoBuddy one = buddy({1500, 300, 50, 1});
        const ZoneWatermarkCheck ok = checkZoneWatermark(zone(2000), &one, 3, 2, kernel, 4);
        QCOMPARE(ok.freeKbAtOrAbove, 32);
        QVERIFY(ok.passes);
    }

    // 3.10: per order below the request, free −= nr_free[o] << o and the mark halves.
    void oldPerOrderLoop()
    {
        const GfpDecode kernel = decodeGfpMask(0xd0, GfpEra::V3_10);
        MemInfoZone z = zone(100);
        z.lowKb = 10 * 4; // mark 10
        // order 2: free 100 − 3 = 97 > 10; o0: 97 − 60 = 37 > 5; o1: 37 − 2·10 = 17 > 2 → passes.
        const MemInfoBuddy good = buddy({60, 10, 5});
        QVERIFY(checkZoneWatermark(z, &good, 2, 2, kernel, 4).passes);
        // o0: 97 − 90 = 7 > 5; o1: 7 − 2·5 = −3 <= 2 → fails.
        const MemInfoBuddy bad = buddy({90, 5, 0});
        QVERIFY(!checkZoneWatermark(z, &bad, 2, 2, kernel, 4).passes);
    }

    void failureKinds()
    {
        MemInfoSnapshot s;
        s.present = true;
        s.zones = {zone(2000, {0, 0, 0, 0})};
        s.buddy = {buddy({1500, 200, 25, 0, 0, 0})};
        TriggerFacts t;
        t.gfp = decodeGfpMask(0xcc0, GfpEra::V5_1);
        t.order = 3;
        t.sizeKb = 32;
        AllocationFacts a = analyseAllocation(t, s);
        QVERIFY(a.applicable);
        QCOMPARE(a.failure, AllocationFailure::NoFreeChunk);
        // Fragmentation: free 1500·4 + 200·8 + 25·16 = 8000 kB, all below order 3.
        QCOMPARE(a.fragmentation->freeKb, 8000);
        QCOMPARE(a.fragmentation->freeKbAtOrAboveCostly, 0);
        QCOMPARE(a.fragmented, true);
        t.order = 4;
        QCOMPARE(analyseAllocation(t, s).failure, AllocationFailure::HighOrder);
        t.order = 0;
        QCOMPARE(analyseAllocation(t, s).failure, AllocationFailure::Unknown); // 2000 > 1000 passes
        s.zones = {zone(900)};
        QCOMPARE(analyseAllocation(t, s).failure, AllocationFailure::BelowLowWatermark);
        t.manual = true;
        t.order = -1;
        QVERIFY(!analyseAllocation(t, s).applicable);
        QVERIFY(!analyseAllocation(t, s).failure);
    }

    // Arch 6.1.1, GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO order 0: highest zone Movable (index 3
    // of DMA DMA32 Normal Movable Device, five lowmem_reserve entries).
    //   Normal: free 61900/4 = 15475 <= low 75384/4 = 18846 + reserve[3] 0        → below
    //   DMA32:  free 63304/4 = 15826 <= low 17200/4 = 4300 + reserve[3] 12468 = 16768 → below
    //   DMA:    free 13312/4 = 3328  <= low 80/4 = 20 + reserve[3] 15659            → below
    void archReal()
    {
        const OomEvent e = firstEvent(QString::fromLatin1(kArchLog));
        const MemInfoSnapshot s = parseMemInfo(e);
        QCOMPARE(zoneIndexOrder(s),
                 (std::vector<QString> {u"DMA"_s, u"DMA32"_s, u"Normal"_s, u"Movable"_s, u"Device"_s}));
        const AllocationFacts a = analyseAllocation(analyseTrigger(e), s);
        QVERIFY(a.applicable);
        QCOMPARE(a.zone, u"Movable"_s);
        QCOMPARE(a.zones.size(), size_t(3));
        QCOMPARE(a.zones[0].zone, u"Normal"_s);
        QCOMPARE(a.zones[0].usableFreePages, 15475);
        QCOMPARE(a.zones[0].markPages, 18846);
        QCOMPARE(a.zones[1].zone, u"DMA32"_s);
        QCOMPARE(a.zones[1].usableFreePages, 15826);
        QCOMPARE(a.zones[1].markPages, 4300);
        QCOMPARE(a.zones[1].reservePages, 12468);
        QCOMPARE(a.zones[2].reservePages, 15659);
        for (const ZoneWatermarkCheck &c : a.zones)
            QVERIFY(!c.passesOrder0);
        QCOMPARE(a.failure, AllocationFailure::BelowLowWatermark);
        QCOMPARE(a.fragmented, false);
        const QString line = zoneCheckStatement(a.zones[1], a.pageKb);
        QVERIFY2(line.contains(u"lowmem_reserve 48.7 MiB"_s), qPrintable(line)); // 12468 · 4 kB
    }

    // RHEL 7 3.10, two nodes, 0x201da (GFP_HIGHUSER_MOVABLE|__GFP_COLD), four reserve entries:
    //   Node 1 Normal: 49436/4 = 12359 <= 56804/4 = 14201 → below (passes min 11361)
    //   Node 0 DMA32: 59728/4 = 14932 <= 9788/4 = 2447 + 13055 = 15502 → below
    void rhel7Real()
    {
        const OomEvent e = firstEvent(QString::fromLatin1(kRhel7Log));
        const AllocationFacts a = analyseAllocation(analyseTrigger(e), parseMemInfo(e));
        QCOMPARE(a.zones.size(), size_t(4));
        QCOMPARE(a.zones[0].node, 1);
        QCOMPARE(a.zones[0].usableFreePages, 12359);
        QVERIFY(!a.zones[0].passesOrder0);
        QVERIFY(a.zones[0].passesMinOrder0);
        QCOMPARE(a.zones[2].zone, u"DMA32"_s);
        QCOMPARE(a.zones[2].reservePages, 13055);
        QCOMPARE(a.failure, AllocationFailure::BelowLowWatermark);
        // Each zone's line says how it fared, the min watermark only where free memory is under it.
        for (const ZoneWatermarkCheck &c : a.zones) {
            const QString line = zoneCheckStatement(c, a.pageKb);
            QVERIFY2(line.contains(c.passesOrder0 ? u" — passes."_s : u" — fails"_s), qPrintable(line));
            QVERIFY2(line.contains(u"below even the min watermark"_s) == !c.passesMinOrder0,
                     qPrintable(line));
        }
        const QString node1 = zoneCheckStatement(a.zones[0], a.pageKb);
        QVERIFY2(node1.startsWith(u"Node 1 Normal: usable free "_s) && node1.contains(u" — fails"_s)
                     && !node1.contains(u"min watermark"_s),
                 qPrintable(node1));
    }
};

QTEST_GUILESS_MAIN(TestAllocationFailure)
#include "tst_allocationfailure.moc"
