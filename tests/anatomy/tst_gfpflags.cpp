// SPDX-License-Identifier: GPL-3.0-or-later
// GFP decode against the header values of each era, written out by hand here from the
// ___GFP_* defines cited in gfpflags.cpp, and against the names real kernels printed.
#include "anatomyfixture.h"
#include "gfpflags.h"

#include <QDir>
#include <QTest>

using namespace anatomytest;

class TestGfpFlags : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decode_data()
    {
        QTest::addColumn<int>("era");
        QTest::addColumn<quint64>("mask");
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<quint64>("unknown");
        const auto row = [](const char *name, GfpEra era, quint64 mask, QStringList flags, QString zone,
                            quint64 unknown = 0) {
            QTest::newRow(name) << int(era) << mask << flags << zone << unknown;
        };
        // 3.10: 0x201da = HARDWALL 0x20000 | COLD 0x100 | FS 0x80 | IO 0x40 | WAIT 0x10 | MOVABLE 0x8
        // | HIGHMEM 0x2; GFP_HIGHUSER_MOVABLE = WAIT|IO|FS|HARDWALL|HIGHMEM|MOVABLE = 0x200da.
        row("3.10 page cache", GfpEra::V3_10, 0x201da, {u"GFP_HIGHUSER_MOVABLE"_s, u"__GFP_COLD"_s},
            u"Movable"_s);
        row("3.10 GFP_KERNEL", GfpEra::V3_10, 0xd0, {u"GFP_KERNEL"_s}, u"Normal"_s); // WAIT|IO|FS
        row("3.10 GFP_ATOMIC", GfpEra::V3_10, 0x20, {u"GFP_ATOMIC"_s}, u"Normal"_s); // __GFP_HIGH
        row("3.10 GFP_TEMPORARY", GfpEra::V3_10, 0x800d0, {u"GFP_TEMPORARY"_s},
            u"Normal"_s); // | RECLAIMABLE 0x80000
        // 4.4–4.9: KSWAPD 0x2000000 | DIRECT 0x400000 | HARDWALL 0x20000 | COLD 0x100 | FS|IO 0xc0 |
        // MOVABLE|HIGHMEM 0xa
        row("4.4 page cache", GfpEra::V4_4, 0x24201ca, {u"GFP_HIGHUSER_MOVABLE"_s, u"__GFP_COLD"_s},
            u"Movable"_s);
        row("4.4 GFP_KERNEL", GfpEra::V4_4, 0x24000c0, {u"GFP_KERNEL"_s}, u"Normal"_s);
        // 4.4 GFP_ATOMIC = HIGH 0x20 | ATOMIC 0x80000 | KSWAPD 0x2000000
        row("4.4 GFP_ATOMIC", GfpEra::V4_4, 0x2080020, {u"GFP_ATOMIC"_s}, u"Normal"_s);
        // 4.10–4.14: KSWAPD 0x1000000 | DIRECT 0x400000
        row("4.14 user page", GfpEra::V4_10, 0x14200ca, {u"GFP_HIGHUSER_MOVABLE"_s}, u"Movable"_s);
        row("4.14 GFP_KERNEL", GfpEra::V4_10, 0x14000c0, {u"GFP_KERNEL"_s}, u"Normal"_s);
        // 4.18–5.0: KSWAPD 0x400000 | DIRECT 0x200000 → GFP_KERNEL 0x6000c0
        row("4.18 user page", GfpEra::V4_18, 0x6200ca, {u"GFP_HIGHUSER_MOVABLE"_s}, u"Movable"_s);
        row("4.18 GFP_KERNEL", GfpEra::V4_18, 0x6000c0, {u"GFP_KERNEL"_s}, u"Normal"_s);
        row("4.18 bit 24 unknown", GfpEra::V4_18, 0x16000c0, {u"GFP_KERNEL"_s}, u"Normal"_s, 0x1000000);
        // 5.1+: DIRECT 0x400 | KSWAPD 0x800 | FS 0x80 | IO 0x40 = 0xcc0; HARDWALL 0x100000.
        row("5.4 GFP_KERNEL", GfpEra::V5_1, 0xcc0, {u"GFP_KERNEL"_s}, u"Normal"_s);
        row("5.10 user page", GfpEra::V5_1, 0x100cca, {u"GFP_HIGHUSER_MOVABLE"_s}, u"Movable"_s);
        row("5.x account", GfpEra::V5_1, 0x400cc0, {u"GFP_KERNEL_ACCOUNT"_s},
            u"Normal"_s); // | ACCOUNT 0x400000
        row("5.x GFP_ATOMIC", GfpEra::V5_1, 0xa20, {u"GFP_ATOMIC"_s},
            u"Normal"_s); // HIGH|ATOMIC 0x200|KSWAPD
        row("5.x DMA32 kernel", GfpEra::V5_1, 0xcc4, {u"GFP_KERNEL"_s, u"GFP_DMA32"_s}, u"DMA32"_s);
        // 5.14–5.17: GFP_HIGHUSER_MOVABLE carries __GFP_SKIP_KASAN_POISON 0x1000000.
        row("5.15 user page", GfpEra::V5_14, 0x1100cca, {u"GFP_HIGHUSER_MOVABLE"_s}, u"Movable"_s);
        // 5.18+: the KASAN bits are 0 without CONFIG_KASAN_HW_TAGS; COMP 0x40000, ZERO 0x100.
        row("6.1 THP-less anon", GfpEra::V5_18, 0x140dca,
            {u"GFP_HIGHUSER_MOVABLE"_s, u"__GFP_COMP"_s, u"__GFP_ZERO"_s}, u"Movable"_s);
        row("6.1 bit 24 unknown", GfpEra::V5_18, 0x1100cca, {u"GFP_HIGHUSER_MOVABLE"_s}, u"Movable"_s,
            0x1000000);
        // 6.4+: no __GFP_ATOMIC; GFP_ATOMIC = HIGH|KSWAPD = 0x820; 0x200 is unused.
        row("6.8 GFP_ATOMIC", GfpEra::V6_4, 0x820, {u"GFP_ATOMIC"_s}, u"Normal"_s);
        row("6.8 old atomic bit", GfpEra::V6_4, 0xa20, {u"GFP_ATOMIC"_s}, u"Normal"_s, 0x200);
        row("6.8 nowait nowarn", GfpEra::V6_4, 0x2800, {u"GFP_NOWAIT"_s, u"__GFP_NOWARN"_s}, u"Normal"_s);
    }
    void decode()
    {
        QFETCH(int, era);
        QFETCH(quint64, mask);
        QFETCH(QStringList, flags);
        QFETCH(QString, zone);
        QFETCH(quint64, unknown);
        const GfpDecode d = decodeGfpMask(mask, GfpEra(era));
        QCOMPARE(d.flags, flags);
        QCOMPARE(d.zone, zone);
        QCOMPARE(quint64(d.unknownBits), unknown);
    }

    void priorityAndReclaim()
    {
        const GfpDecode atomic510 = decodeGfpMask(0xa20, GfpEra::V5_1);
        QVERIFY(atomic510.highPriority);
        QVERIFY(atomic510.atomic);
        QVERIFY(!atomic510.canReclaim);
        const GfpDecode kernel310 = decodeGfpMask(0xd0, GfpEra::V3_10);
        QVERIFY(kernel310.canReclaim); // __GFP_WAIT
        QVERIFY(!kernel310.atomic);
        QVERIFY(kernel310.canFs && kernel310.canIo);
        const GfpDecode atomic68 = decodeGfpMask(0x820, GfpEra::V6_4);
        QVERIFY(atomic68.atomic); // no direct reclaim: ALLOC_NON_BLOCK
        QVERIFY(atomic68.highPriority);
    }

    void printedNames()
    {
        const GfpDecode d =
            decodeGfpText(u"0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)"_s, GfpEra::V5_18);
        QVERIFY(d.parsed);
        QCOMPARE(d.mask, quint64(0x140dca));
        QCOMPARE(d.printedFlags.size(), 3);
        QVERIFY(d.matchesPrinted);
        const GfpDecode wrongEra = decodeGfpText(u"0xcc0(GFP_KERNEL)"_s, GfpEra::V4_18);
        QVERIFY(!wrongEra.matchesPrinted);
        QVERIFY(!decodeGfpText(u"(null)"_s, GfpEra::V5_1).parsed);
    }

    void eraForRelease_data()
    {
        QTest::addColumn<QString>("release");
        QTest::addColumn<int>("era");
        QTest::newRow("RHEL 7") << u"3.10.0-514.6.1.el7.x86_64"_s << int(GfpEra::V3_10);
        QTest::newRow("4.9") << u"4.9.0-8-amd64"_s << int(GfpEra::V4_4);
        QTest::newRow("AL2 4.14") << u"4.14.203-156.332.amzn2.x86_64"_s << int(GfpEra::V4_10);
        QTest::newRow("RHEL 8") << u"4.18.0-305.el8.x86_64"_s << int(GfpEra::V4_18);
        QTest::newRow("5.4") << u"5.4.0-150-generic"_s << int(GfpEra::V5_1);
        QTest::newRow("5.15") << u"5.15.0-91-generic"_s << int(GfpEra::V5_14);
        QTest::newRow("Arch 6.1") << u"6.1.1-arch1-1"_s << int(GfpEra::V5_18);
        QTest::newRow("6.18") << u"6.18.44-fc-v782"_s << int(GfpEra::V6_4);
    }
    void eraForRelease()
    {
        QFETCH(QString, release);
        QFETCH(int, era);
        QCOMPARE(int(gfpEraForRelease(release).value_or(GfpEra(-1))), era);
    }

    // Every fixture whose kernel printed the names: our table of that report's era names the same
    // flags, with no unknown bits.
    void agreesWithKernelPrintedNames()
    {
        int checked = 0;
        for (const QString &dir : {u"eras"_s, u"real"_s}) {
            const QDir d(dataPath(dir));
            for (const QString &name : d.entryList({u"*.log"_s}, QDir::Files)) {
                for (const OomEvent &e : parseEvents(readData(dir + u'/' + name))) {
                    const GfpDecode g = analyseTrigger(e).gfp;
                    if (g.printedFlags.isEmpty())
                        continue;
                    QVERIFY2(g.matchesPrinted,
                             qPrintable(name + u": "_s + e.gfpMask + u" → "_s + g.flags.join(u'|')));
                    QCOMPARE(g.unknownBits, quint64(0));
                    ++checked;
                }
            }
        }
        QVERIFY(checked >= 8);
    }

    // A distribution kernel with a later bit layout than its release: the printed names decide.
    void backportedLayout()
    {
        OomEvent e;
        e.kernelRelease = u"4.18.0-372.9.1.el8.x86_64"_s;
        e.gfpMask = u"0x100cca(GFP_HIGHUSER_MOVABLE)"_s; // 5.x bits: HARDWALL 0x100000, RECLAIM 0xc00
        const GfpEra era = gfpEraFor(e);
        QCOMPARE(era, GfpEra::V5_1); // the nearest era to 4.18 that names it so
        QVERIFY(decodeGfpText(e.gfpMask, era).matchesPrinted);
        e.gfpMask = u"0x6200ca(GFP_HIGHUSER_MOVABLE)"_s; // the 4.18 layout itself
        QCOMPARE(gfpEraFor(e), GfpEra::V4_18);
        e.gfpMask = u"0x6200ca"_s; // no names: the release decides
        QCOMPARE(gfpEraFor(e), GfpEra::V4_18);
    }

    void triggerFacts()
    {
        const TriggerFacts manual = analyseTrigger(firstEvent(QString::fromLatin1(kSysrqLog)));
        QVERIFY(manual.manual); // order=-1 from moom_callback (sysrq-f)
        QVERIFY(!manual.sizeKb);
        const TriggerFacts arch = analyseTrigger(firstEvent(QString::fromLatin1(kArchLog)));
        QVERIFY(!arch.manual);
        QCOMPARE(arch.sizeKb, 4);
        QCOMPARE(arch.gfp.era, GfpEra::V5_18);
        QCOMPARE(arch.nodemask, u"(null)"_s);
        QCOMPARE(arch.node, 0); // nodemask (null), mems_allowed=0 → node 0
        const TriggerFacts rhel = analyseTrigger(firstEvent(QString::fromLatin1(kRhel7Log)));
        QCOMPARE(rhel.gfp.era, GfpEra::V3_10);
        QCOMPARE(rhel.gfp.flags, (QStringList {u"GFP_HIGHUSER_MOVABLE"_s, u"__GFP_COLD"_s}));
        QVERIFY(!rhel.node); // mems_allowed=0-1: any node
    }
};

QTEST_GUILESS_MAIN(TestGfpFlags)
#include "tst_gfpflags.moc"
