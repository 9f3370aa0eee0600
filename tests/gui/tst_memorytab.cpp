// SPDX-License-Identifier: GPL-3.0-or-later
// The Memory tab and incidents in the events list, on real reports: what the tab shows for a
// node-wide OOM with Mem-Info (zones below their watermarks, buddy lists, GFP flags with their
// meaning, the anatomy's statements) and for a cgroup OOM (no zones: said in words); the events
// list's incident column and its "Group by incident" toggle. Contents, not pixels.
#include "eventlistmodel.h"
#include "eventsortproxy.h"
#include "mainwindow.h"
#include "meminfoparser.h"
#include "memoryanatomy.h"
#include "memoryview.h"
#include "oomreportparser.h"

#include <QCheckBox>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kThreeKills =
    QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
const QString kGlobal68 =
    QStringLiteral(OOMSCOPE_TEST_DATA) + u"/eras/06-ubuntu24.04-6.8-global-rss_anon-tie.dmesg.log"_s;

std::vector<OomEvent> parse(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return OomReportParser().parse(file.readAll()).events;
}

const ZoneRow *findZone(const std::vector<ZoneRow> &rows, const QString &zone)
{
    for (const ZoneRow &r : rows) {
        if (r.zone == zone)
            return &r;
    }
    return nullptr;
}

} // namespace

class TestMemoryTab : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void nodeWideOom();
    void realNodeWideReports_data();
    void realNodeWideReports();
    void cgroupOom();
    void emptyAndCleared();
    void incidentsInTheEventsList();
};

void TestMemoryTab::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QFile::exists(kThreeKills), qPrintable(kThreeKills));
    QVERIFY2(QFile::exists(kGlobal68), qPrintable(kGlobal68));
}

void TestMemoryTab::nodeWideOom()
{
    const std::vector<OomEvent> events = parse(kGlobal68);
    QCOMPARE(events.size(), 1u);
    MemoryView view;
    view.resize(1200, 600);
    view.setEvent(events[0]);
    const AnatomySections s = view.sections();
    QVERIFY(s.accounting);
    QVERIFY(s.zones);
    QVERIFY(s.buddy);
    QVERIFY(s.swap);
    // Everything a node-wide report can hold was there: nothing to apologise for.
    QVERIFY2(view.gaps().isEmpty(), qPrintable(view.gaps().join(u'\n')));

    // The zones as the log prints them: DMA32 free 50120 kB < min 51000 kB, Normal free 15904 kB
    // < min 16328 kB; DMA has 13824 kB free (above high) but its lowmem_reserve fails the request.
    QVERIFY(view.data());
    const std::vector<ZoneRow> rows = zoneRows(*view.data());
    QCOMPARE(rows.size(), 3u);
    const ZoneRow *normal = findZone(rows, u"Normal"_s);
    const ZoneRow *dma32 = findZone(rows, u"DMA32"_s);
    const ZoneRow *dma = findZone(rows, u"DMA"_s);
    QVERIFY(normal && dma32 && dma);
    QCOMPARE(normal->freeKb, 15904);
    QCOMPARE(normal->minKb, 16328);
    QCOMPARE(normal->lowKb, 20408);
    QCOMPARE(normal->highKb, 24488);
    QCOMPARE(normal->state, u"below min"_s);
    QCOMPARE(normal->check, u"fails"_s);
    QCOMPARE(dma32->freeKb, 50120);
    QCOMPARE(dma32->state, u"below min"_s);
    QCOMPARE(dma32->check, u"fails"_s);
    QCOMPARE(dma->state, u"ok"_s);
    QCOMPARE(dma->check, u"fails");
    QVERIFY(dma->reserveKb && *dma->reserveKb > dma->freeKb - dma->lowKb);

    // gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0.
    QCOMPARE(view.gfpFlags(), (QStringList {u"GFP_HIGHUSER_MOVABLE"_s, u"__GFP_COMP"_s, u"__GFP_ZERO"_s}));
    for (const QString &flag : view.gfpFlags())
        QVERIFY2(!view.gfpMeaning(flag).isEmpty(), qPrintable(flag));
    QVERIFY2(view.requestText().contains(u"order 0"_s), qPrintable(view.requestText()));
    QVERIFY(view.requestText().contains(u"GFP_HIGHUSER_MOVABLE"_s));

    // The statements are the anatomy analysis's own, shown as they are.
    const MemoryAnatomy anatomy = analyseMemory(events[0], parseMemInfo(events[0]));
    QVERIFY(!anatomy.statements.isEmpty());
    QCOMPARE(view.statements(), anatomy.statements);
    QCOMPARE(view.data()->anatomy.accounting.scope, AccountingScope::Node);
    QCOMPARE(view.data()->anatomy.accounting.dominant, u"anon"_s);
}

void TestMemoryTab::realNodeWideReports_data()
{
    // Real reports pasted into OOMAnalyser's issue tracker (tests/data/README.md cites them).
    QTest::addColumn<QString>("log");
    QTest::addColumn<int>("zones");
    QTest::newRow("arch 6.1, swap full") << u"oomanalyser-archlinux-6.1.1-global-swap-full.log"_s << 3;
    QTest::newRow("rhel7 3.10, two NUMA nodes") << u"oomanalyser-rhel7-3.10-global-numa-012.log"_s << 4;
}

void TestMemoryTab::realNodeWideReports()
{
    QFETCH(QString, log);
    QFETCH(int, zones);
    const std::vector<OomEvent> events = parse(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/"_s + log);
    QVERIFY(!events.empty());
    MemoryView view;
    view.setEvent(events.front());
    const AnatomySections s = view.sections();
    QVERIFY(s.accounting && s.zones && s.buddy && s.swap);
    QVERIFY2(view.gaps().isEmpty(), qPrintable(view.gaps().join(u'\n')));
    const std::vector<ZoneRow> rows = zoneRows(*view.data());
    QCOMPARE(int(rows.size()), zones);
    // The allocation failed: no usable zone passes the check, and the zone the request wanted
    // most (Normal) is below its low watermark.
    for (const ZoneRow &r : rows)
        QVERIFY2(r.check != u"passes"_s, qPrintable(r.zone));
    QVERIFY(std::any_of(rows.begin(), rows.end(), [](const ZoneRow &r) {
        return r.zone.endsWith(u"Normal"_s) && (r.state == u"below min"_s || r.state == u"below low"_s);
    }));
    QCOMPARE(view.statements(), analyseMemory(events.front(), parseMemInfo(events.front())).statements);
    QVERIFY(view.gfpFlags().contains(u"GFP_HIGHUSER_MOVABLE"_s));
}

void TestMemoryTab::cgroupOom()
{
    const std::vector<OomEvent> events = parse(kThreeKills);
    QCOMPARE(events.size(), 3u);
    MemoryView view;
    view.setEvent(events[2]); // python3 (2501) in /oomlab2, 128 MiB, cgroup v1
    const AnatomySections s = view.sections();
    QVERIFY(s.accounting);
    QVERIFY(!s.zones);
    QVERIFY(!s.buddy);
    QVERIFY(zoneRows(*view.data()).empty() || !s.zones);
    // No empty zones table: the tab says why there is none.
    const QString gaps = view.gaps().join(u'\n');
    QVERIFY2(gaps.contains(u"cgroup OOM"_s), qPrintable(gaps));
    QVERIFY(gaps.contains(u"no zones"_s));
    QCOMPARE(view.gfpFlags(), QStringList {u"GFP_KERNEL"_s});
    QCOMPARE(view.data()->anatomy.accounting.scope, AccountingScope::Cgroup);
    QCOMPARE(view.data()->anatomy.accounting.totalKb, 131072); // the 128 MiB limit
    QCOMPARE(view.statements(), analyseMemory(events[2], parseMemInfo(events[2])).statements);
    QVERIFY(!view.statements().isEmpty());
    // Where a node-wide OOM has zones and buddy lists, the cgroup's categories as a table:
    // memory.stat "anon 115855360" first, not reclaimable (the node has no swap), then the
    // 16.7 MiB no counter accounts for among the top-level rows, subsets after them.
    const std::vector<CategoryRow> rows = categoryRows(*view.data());
    QVERIFY(rows.size() >= 4);
    QCOMPARE(rows.front().name, u"anon"_s);
    QCOMPARE(rows.front().kb, 115855360 / 1024);
    QVERIFY(!rows.front().reclaimable);
    const auto unaccounted = std::find_if(rows.begin(), rows.end(),
                                          [](const CategoryRow &r) { return r.name == u"unaccounted"_s; });
    QVERIFY(unaccounted != rows.end());
    QCOMPARE(unaccounted->kb, view.data()->anatomy.accounting.unaccountedKb);
    QVERIFY(std::is_partitioned(rows.begin(), rows.end(), [](const CategoryRow &r) { return !r.part; }));
}

void TestMemoryTab::emptyAndCleared()
{
    MemoryView view;
    QVERIFY(!view.data());
    QVERIFY(view.statements().isEmpty());
    view.setEvent(parse(kGlobal68).front());
    QVERIFY(view.data());
    view.clear(u"gone"_s);
    QVERIFY(!view.data());
    QVERIFY(view.gfpFlags().isEmpty());
    QVERIFY(view.statements().isEmpty());
}

void TestMemoryTab::incidentsInTheEventsList()
{
    QTemporaryDir dir;
    MainWindow window(dir.filePath(u"ws.sqlite"_s));
    QSignalSpy finished(&window, &MainWindow::importFinished);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.importFiles({kThreeKills});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);

    EventListModel *model = window.eventModel();
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->incidents().size(), 2u);
    QCOMPARE(model->index(0, EventListModel::IncidentColumn).data().toString(), u"1"_s);
    QCOMPARE(model->index(1, EventListModel::IncidentColumn).data().toString(), u"2 · kill 1/2"_s);
    QCOMPARE(model->index(2, EventListModel::IncidentColumn).data().toString(), u"2 · kill 2/2"_s);
    QVERIFY(model->index(1, EventListModel::IncidentColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"/oomlab2"_s));

    // Grouped and sorted by usage (the 128 MiB cgroup's kills above the 64 MiB one's in
    // descending order), each incident's kills stay together.
    auto *proxy = qobject_cast<EventSortProxy *>(window.eventProxy());
    QVERIFY(proxy);
    window.groupByIncidentBox()->setChecked(true);
    QVERIFY(proxy->groupedByIncident());
    QVERIFY(model->groupedByIncident());
    proxy->sort(EventListModel::VictimColumn, Qt::AscendingOrder);
    QList<qulonglong> incidents;
    for (int row = 0; row < proxy->rowCount(); ++row)
        incidents << proxy->index(row, 0).data(EventListModel::IncidentRole).toULongLong();
    QCOMPARE(incidents, (QList<qulonglong> {0, 1, 1}));
    proxy->sort(EventListModel::VictimColumn, Qt::DescendingOrder);
    incidents.clear();
    for (int row = 0; row < proxy->rowCount(); ++row)
        incidents << proxy->index(row, 0).data(EventListModel::IncidentRole).toULongLong();
    QCOMPARE(incidents, (QList<qulonglong> {1, 1, 0}));
    // The second incident's rows are tinted, the first's not.
    QVERIFY(model->index(1, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(!model->index(0, 0).data(Qt::BackgroundRole).isValid());
    window.groupByIncidentBox()->setChecked(false);
    QVERIFY(!model->index(1, 0).data(Qt::BackgroundRole).isValid());

    // The Memory tab follows the selected event.
    window.activateEvent(model->events()[2].id);
    window.showDetailTab(MainWindow::MemoryTab);
    QCOMPARE(window.currentDetailTab(), MainWindow::MemoryTab);
    QVERIFY(window.memoryView()->data());
    QCOMPARE(window.memoryView()->data()->memcgPath, u"/oomlab2"_s);
    QVERIFY(window.memoryView()->isVisible());
}

QTEST_MAIN(TestMemoryTab)
#include "tst_memorytab.moc"
