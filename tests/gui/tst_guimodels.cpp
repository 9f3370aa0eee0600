// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's item models and chart on hand-built data: model contracts, numeric sorting, filtering,
// and the victim highlight.
#include "badnesschart.h"
#include "eventlistmodel.h"
#include "taskrankingmodel.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

EventSummary makeEvent(qint64 id, const QString &memcg, qint64 limitKb, qint64 victimPid,
                       double uptimeSeconds)
{
    EventSummary e;
    e.id = id;
    e.sourceId = 1;
    e.host = u"node-"_s + QString::number(id);
    e.uptimeSeconds = uptimeSeconds;
    e.constraint = memcg.isEmpty() ? u"global"_s : u"memcg"_s;
    e.oomMemcg = memcg;
    e.limitKb = limitKb;
    e.usageKb = limitKb;
    e.victimPid = victimPid;
    e.victimComm = u"worker"_s;
    e.victimAdj = 0;
    e.agrees = true;
    e.complete = true;
    e.kernelFormat = u"6.8+"_s;
    return e;
}

RankedTask makeTask(std::int64_t pid, const QString &comm, std::int64_t rssPages, int adj,
                    std::int64_t adjPoints, int rank)
{
    RankedTask r;
    r.task.pid = pid;
    r.task.comm = comm;
    r.task.oomScoreAdj = adj;
    r.task.rssPages = rssPages;
    r.rssPages = rssPages;
    r.pageTablePages = 10;
    r.basePoints = rssPages + 10;
    r.adjPoints = adjPoints;
    r.points = r.basePoints + adjPoints;
    r.rank = rank;
    r.eligible = adj != -1000;
    return r;
}

// The kernel killed the runner-up of the recomputation (pid 20): a disagreement case, so the
// victim is not simply row 0.
KillDecision makeDecision()
{
    KillDecision d;
    d.era = BadnessEra::Linux59Plus;
    d.totalPages = 32768;
    d.ranking = {makeTask(10, u"big"_s, 20000, 0, 0, 1), makeTask(20, u"adjusted"_s, 4000, 500, 16384, 2),
                 makeTask(30, u"small"_s, 3000, -200, -6553, 3),
                 makeTask(40, u"daemon"_s, 9000, -1000, -32768, 0)};
    // Rank by points as the era would: adjusted (20,394) before big (20,010).
    std::sort(d.ranking.begin(), d.ranking.end(), [](const RankedTask &a, const RankedTask &b) {
        if (a.eligible != b.eligible)
            return a.eligible;
        return a.points > b.points;
    });
    int rank = 1;
    for (RankedTask &r : d.ranking)
        r.rank = r.eligible ? rank++ : 0;
    d.kernelSelectedPid = 10;
    d.victimPid = 10;
    return d;
}

} // namespace

class TestGuiModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void eventListModelContract();
    void eventListSortsNumerically();
    void eventListFilter();
    void taskRankingModelContract();
    void taskRankingHighlightsVictim();
    void chartShowsVictimBeyondTopTen();
};

void TestGuiModels::eventListModelContract()
{
    EventListModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(EventListModel::SortRole);
    proxy.setFilterRole(EventListModel::FilterRole);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(EventListModel::LimitColumn);

    model.setEvents({makeEvent(1, u"/a"_s, 65536, 100, 10.0), makeEvent(2, {}, 0, 200, 20.0)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(EventListModel::ColumnCount));
    QCOMPARE(model.index(1, EventListModel::CgroupColumn).data().toString(), u"global"_s);
    QCOMPARE(model.index(0, EventListModel::VictimColumn).data().toString(), u"worker (100)"_s);
    QCOMPARE(model.index(0, EventListModel::LimitColumn).data().toString(), u"64.0 MiB"_s);
    QVERIFY(model.index(0, EventListModel::LimitColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"65,536 kB"_s));
    proxy.setFilterFixedString(u"/a"_s);
    QCOMPARE(proxy.rowCount(), 1);
    model.setEvents({});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(proxy.rowCount(), 0);
}

void TestGuiModels::eventListSortsNumerically()
{
    EventListModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(EventListModel::SortRole);
    // As text "512.0 MiB" > "2.00 GiB" > "64.0 MiB"; numerically 64 MiB < 512 MiB < 2 GiB.
    model.setEvents({makeEvent(1, u"/big"_s, 2 * 1024 * 1024, 1, 3.0),
                     makeEvent(2, u"/mid"_s, 512 * 1024, 2, 1.0),
                     makeEvent(3, u"/small"_s, 64 * 1024, 3, 2.0)});
    proxy.sort(EventListModel::LimitColumn, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, EventListModel::CgroupColumn).data().toString(), u"/small"_s);
    QCOMPARE(proxy.index(1, EventListModel::CgroupColumn).data().toString(), u"/mid"_s);
    QCOMPARE(proxy.index(2, EventListModel::CgroupColumn).data().toString(), u"/big"_s);
    proxy.sort(EventListModel::TimeColumn, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, 0).data(EventListModel::EventIdRole).toLongLong(), 2);
    QCOMPARE(proxy.index(2, 0).data(EventListModel::EventIdRole).toLongLong(), 1);
}

void TestGuiModels::eventListFilter()
{
    EventListModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterRole(EventListModel::FilterRole);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    model.setEvents({makeEvent(1, u"/kubepods/pod-a"_s, 65536, 4242, 1.0),
                     makeEvent(2, u"/system.slice/db.service"_s, 65536, 777, 2.0),
                     makeEvent(3, {}, 0, 4243, 3.0)});
    proxy.setFilterFixedString(u"KUBEPODS"_s); // cgroup, case-insensitive
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFilterFixedString(u"424"_s); // victim pid
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setFilterFixedString(u"node-2"_s); // host
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFilterFixedString(u"global"_s);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setFilterFixedString(u"nothing-like-this"_s);
    QCOMPARE(proxy.rowCount(), 0);
}

void TestGuiModels::taskRankingModelContract()
{
    TaskRankingModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(TaskRankingModel::SortRole);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(TaskRankingModel::PointsColumn, Qt::DescendingOrder);
    model.setDecision(makeDecision());
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(TaskRankingModel::ColumnCount));
    // Sorted by points numerically; "20,394" vs "20,010" vs "-6,543" as text would misorder.
    QCOMPARE(proxy.index(0, TaskRankingModel::PidColumn).data().toLongLong(), 20);
    QCOMPARE(proxy.index(1, TaskRankingModel::PidColumn).data().toLongLong(), 10);
    QCOMPARE(proxy.index(3, TaskRankingModel::PidColumn).data().toLongLong(), 40);
    model.clear();
    QCOMPARE(proxy.rowCount(), 0);
}

void TestGuiModels::taskRankingHighlightsVictim()
{
    TaskRankingModel model;
    model.setDecision(makeDecision());
    int victimRow = -1;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, TaskRankingModel::PidColumn).data().toLongLong() == 10)
            victimRow = row;
    }
    QVERIFY(victimRow >= 0);
    // pid 20 has more points (adj 500), so the victim is ranked second: highlight follows the
    // pid, not the rank.
    QCOMPARE(model.index(victimRow, TaskRankingModel::RankColumn).data(TaskRankingModel::SortRole).toInt(),
             2);
    for (int row = 0; row < model.rowCount(); ++row) {
        const bool isVictim = row == victimRow;
        for (int column = 0; column < model.columnCount(); ++column) {
            const QModelIndex index = model.index(row, column);
            QCOMPARE(index.data(TaskRankingModel::IsVictimRole).toBool(), isVictim);
            QCOMPARE(index.data(Qt::FontRole).value<QFont>().bold(), isVictim);
            QCOMPARE(index.data(Qt::BackgroundRole).isValid(), isVictim);
        }
    }
    QVERIFY(model.index(victimRow, 0).data(TaskRankingModel::IsKernelSelectedRole).toBool());
    // -1000 is never eligible and says so.
    const QModelIndex daemon = model.index(3, TaskRankingModel::PointsColumn);
    QCOMPARE(model.index(3, TaskRankingModel::PidColumn).data().toLongLong(), 40);
    QCOMPARE(daemon.data().toString(), u"never"_s);
}

void TestGuiModels::chartShowsVictimBeyondTopTen()
{
    KillDecision d;
    d.era = BadnessEra::Linux59Plus;
    d.totalPages = 100000;
    for (int i = 0; i < 15; ++i)
        d.ranking.push_back(makeTask(1000 + i, u"t"_s + QString::number(i), 50000 - i * 1000, 0, 0, i + 1));
    d.victimPid = 1013; // ranked 14th: the kernel disagreed
    d.kernelSelectedPid = 1013;
    BadnessChart chart;
    chart.setDecision(d, 10);
    QCOMPARE(chart.taskCount(), 10);
    QList<qint64> expected = {1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1013};
    QCOMPARE(chart.shownPids(), expected);
    d.victimPid = 1002;
    chart.setDecision(d, 10);
    expected = {1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009};
    QCOMPARE(chart.shownPids(), expected);
    chart.setDecision(d, 3);
    QCOMPARE(chart.shownPids(), QList<qint64>({1000, 1001, 1002}));
    chart.clearDecision();
    QCOMPARE(chart.taskCount(), 0);
    QVERIFY(chart.shownPids().isEmpty());
}

QTEST_MAIN(TestGuiModels)
#include "tst_guimodels.moc"
