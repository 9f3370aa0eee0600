// SPDX-License-Identifier: GPL-3.0-or-later
// The Deaths tab and the names in the events list, on deaths made here (tests/data/deaths: real
// kernel kills in kubelet-named cgroups, their pod JSON, earlyoom's own output) stored the way
// `oomscope-cli import` stores them.
#include "qcustomplotinclude.h"

#include "deathinputs.h"
#include "deathlistmodel.h"
#include "deathsview.h"
#include "decisionview.h"
#include "eventlistmodel.h"
#include "importjob.h"
#include "podrows.h"
#include "taskrankingmodel.h"
#include "workspace.h"

#include <QAbstractItemModelTester>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <set>

using namespace oomscope;
using namespace Qt::StringLiterals;

namespace {

QString data(const char *name)
{
    return QStringLiteral(OOMSCOPE_TEST_DATA "/deaths/") + QLatin1String(name);
}

// What `oomscope-cli import pod.json kills.kmsg earlyoom.out` stores.
bool importDeathsOf(Workspace &ws, const QStringList &files)
{
    DeathCollector deaths;
    for (const QString &file : files) {
        OpenedLog log = openLog(file);
        if (!log.device)
            return false;
        const Result<bool> kube = deaths.takeKubeRecord(log);
        if (!kube)
            return false;
        if (*kube) {
            if (!importKubeRecordFile(ws, file))
                return false;
            continue;
        }
        if (!deaths.importLog(ws, log).ok)
            return false;
    }
    const Result<std::vector<Death>> table = deaths.deaths();
    return table && storeDeaths(ws, *table).has_value();
}

} // namespace

class TestDeathsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyWorkspaceSaysHow();
    void timelineTableAndDecision();
    void eventListNamesPods();
    void openInTheWindowStoresDeaths();

private:
    QTemporaryDir m_dir;
};

void TestDeathsView::emptyWorkspaceSaysHow()
{
    Workspace ws;
    QVERIFY(ws.open(m_dir.filePath(u"empty.sqlite"_s)));
    DeathsView view;
    view.resize(1000, 700);
    view.reload(&ws);
    QCOMPARE(view.deathCount(), 0);
    // No empty table and no bare axes: the table and the timeline are not shown at all.
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.table()->isVisible());
    QVERIFY(!view.timeline()->isVisible());
    view.reload(nullptr);
    QCOMPARE(view.deathCount(), 0);
}

void TestDeathsView::timelineTableAndDecision()
{
    Workspace ws;
    QVERIFY(ws.open(m_dir.filePath(u"deaths.sqlite"_s)));
    QVERIFY(importDeathsOf(
        ws, {data("systemd-pod.json"), data("systemd-kills.kmsg"), data("earlyoom-sigkill.out")}));
    DeathsView view;
    view.resize(1200, 900);
    view.reload(&ws);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(view.deathCount() >= 4);
    QVERIFY(view.table()->isVisible());

    // Every killer in the table has one graph of its colour on the timeline, named as in the table.
    std::set<QString> killersTimed;
    std::set<QString> workloadsTimed;
    for (const StoredDeath &s : view.model()->deaths()) {
        if (s.death.time) {
            killersTimed.insert(DeathListModel::killerTitle(s.death.killer));
            workloadsTimed.insert(DeathListModel::workloadLabel(s.death));
        }
    }
    QVERIFY(!killersTimed.empty());
    QVERIFY(view.timeline()->isVisible());
    QCOMPARE(std::size_t(view.timeline()->graphCount()), killersTimed.size());
    for (int g = 0; g < view.timeline()->graphCount(); ++g) {
        QCPGraph *graph = view.timeline()->graph(g);
        QVERIFY2(killersTimed.count(graph->name()), qPrintable(graph->name()));
        QVERIFY(graph->dataCount() > 0);
    }
    // A row per pod/container, named namespace/pod/container from the pod JSON.
    QVERIFY2(workloadsTimed.count(u"media/render-7f9c/render"_s), qPrintable(*workloadsTimed.begin()));
    const auto ticker = view.timeline()->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(std::size_t(ticker->ticks().size()), workloadsTimed.size());

    // A kernel kill: its notes and evidence, and the decision of its report.
    int kernelRow = -1;
    int otherRow = -1;
    for (int row = 0; row < view.table()->model()->rowCount(); ++row) {
        view.selectRow(row);
        const QString killer =
            view.table()->model()->index(row, DeathListModel::KillerColumn).data().toString();
        if (killer == DeathListModel::killerTitle(Killer::KernelMemcg) && kernelRow < 0)
            kernelRow = row;
        else if (killer != DeathListModel::killerTitle(Killer::KernelMemcg) && otherRow < 0)
            otherRow = row;
    }
    QVERIFY(kernelRow >= 0 && otherRow >= 0);
    view.selectRow(kernelRow);
    QVERIFY(view.decisionView()->isVisible());
    QVERIFY(view.details()->toPlainText().contains(u"systemd-kills.kmsg:"_s));
    QVERIFY(view.decisionView()->taskModel()->rowCount() > 0);
    view.selectRow(otherRow);
    QVERIFY(!view.decisionView()->isVisible());
    QVERIFY(view.details()->toPlainText().contains(u"Evidence"_s));
}

void TestDeathsView::eventListNamesPods()
{
    Workspace ws;
    QVERIFY(ws.open(m_dir.filePath(u"names.sqlite"_s)));
    QVERIFY(ws.importLogFile(data("systemd-kills.kmsg")).ok);
    EventListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEvents(ws.events(), readPodDirectory(ws));
    QVERIFY(model.rowCount() >= 2);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.index(row, EventListModel::PodColumn).data().toString(), u"—"_s); // no pods yet
    QVERIFY(importKubeRecordFile(ws, data("systemd-pod.json")));
    model.setEvents(ws.events(), readPodDirectory(ws));
    std::set<QString> names;
    for (int row = 0; row < model.rowCount(); ++row) {
        names.insert(model.index(row, EventListModel::PodColumn).data().toString());
        QVERIFY(model.index(row, 0)
                    .data(EventListModel::FilterRole)
                    .toString()
                    .contains(u"media/render-7f9c/"_s));
    }
    QCOMPARE(names, (std::set<QString> {u"media/render-7f9c/render"_s, u"media/render-7f9c/worker"_s}));
}

void TestDeathsView::openInTheWindowStoresDeaths()
{
    // File › Open of a pod record and its node's kernel log, through the window's import job.
    const QString path = m_dir.filePath(u"opened.sqlite"_s);
    QFuture<FileImportOutcome> future = QtConcurrent::run(
        &runImportJob, path, QStringList {data("cgroupfs-pod.json"), data("cgroupfs-kills.kmsg")},
        std::vector<RecordingImportRequest> {});
    future.waitForFinished();
    const QList<FileImportOutcome> outcomes = future.results();
    QCOMPARE(outcomes.size(), 2);
    QCOMPARE(outcomes[0].kind, FileImportOutcome::Kind::Kubernetes);
    QCOMPARE(outcomes[0].podsAdded, 1);
    QVERIFY(outcomes[1].result.ok);
    Workspace ws;
    QVERIFY(ws.open(path));
    const Result<std::vector<StoredDeath>> deaths = readDeaths(ws);
    QVERIFY(deaths);
    int kernelNamed = 0;
    for (const StoredDeath &s : *deaths) {
        if (s.death.killer == Killer::KernelMemcg && !s.death.pod.isEmpty())
            ++kernelNamed;
    }
    QCOMPARE(kernelNamed, int(ws.events().size()));
    QVERIFY(kernelNamed >= 1);
}

QTEST_MAIN(TestDeathsView)
#include "tst_deathsview.moc"
