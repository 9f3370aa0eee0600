// SPDX-License-Identifier: GPL-3.0-or-later
// Kubernetes' record in the workspace: kubectl files imported once, bad ones refused without
// losing what was stored, node-reported pods replaced per node, all read back as one directory.
#include "podrows.h"
#include "workspacefixture.h"

#include <QTemporaryDir>

using namespace oomscope;
using namespace workspacetest;
using namespace Qt::StringLiterals;

namespace {

QString kube(const char *name)
{
    return dataDir() + u"/kubernetes/"_s + QLatin1String(name);
}

const QString kRenderPath =
    u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod9d0e4c7a_2b1f_4e8d_a6c5_3f2e1d0c9b8a.slice/cri-containerd-c3a1f0e9d8b7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1.scope"_s;

} // namespace

class TestPodRows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void importsOnceAndResolves();
    void badFileKeepsWhatWasStored();
    void describeLaterKeepsTheUid();
    void nodePodsReplacedPerNode();
    void recognisedByContent();

private:
    QString freshPath() { return m_dir.filePath(u"ws%1.sqlite"_s.arg(++m_n)); }
    QTemporaryDir m_dir;
    int m_n = 0;
};

void TestPodRows::importsOnceAndResolves()
{
    Workspace ws;
    QVERIFY_OPENS(ws, freshPath());
    QVERIFY(readPodDirectory(ws).isEmpty());
    Result<KubeImportResult> r = importKubeRecordFile(ws, kube("mem-example.list.json"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QVERIFY(!r->alreadyImported);
    QCOMPARE(r->podsAdded, 3);
    QCOMPARE(r->eventsAdded, 0);
    r = importKubeRecordFile(ws, kube("events.json"));
    QVERIFY(r);
    QCOMPARE(r->eventsAdded, 5);
    // The same bytes again add nothing.
    r = importKubeRecordFile(ws, kube("mem-example.list.json"));
    QVERIFY(r && r->alreadyImported);

    ws.close();
    QVERIFY_OPENS(ws, m_dir.filePath(u"ws%1.sqlite"_s.arg(m_n)));
    const PodDirectory dir = readPodDirectory(ws);
    QCOMPARE(dir.pods().size(), std::size_t(3));
    const std::optional<PodRef> ref = dir.byCgroupPath(kRenderPath);
    QVERIFY(ref);
    QCOMPARE(ref->label(), u"media/render-6b8f9/render"_s);
    QCOMPARE(dir.pod(u"0f6c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f"_s)->reason, u"Evicted"_s);
    const std::vector<KubeEvent> events = readKubeEvents(ws);
    QCOMPARE(events.size(), std::size_t(5));
    QCOMPARE(events[0].reason, u"BackOff"_s); // ordered by time: 2017-06-20T20:52:01Z first
    QCOMPARE(events[1].reason, u"OOMKilling"_s);
    int kubeSources = 0;
    for (const SourceInfo &s : ws.sources())
        kubeSources += s.name.endsWith(u".json") ? 1 : 0;
    QCOMPARE(kubeSources, 2);
}

void TestPodRows::badFileKeepsWhatWasStored()
{
    Workspace ws;
    QVERIFY_OPENS(ws, freshPath());
    QVERIFY(importKubeRecordFile(ws, kube("kubeshark-worker-oomkilled.pod.json")));
    const std::size_t sources = ws.sources().size();
    QFile truncated(m_dir.filePath(u"truncated.json"_s));
    QVERIFY(truncated.open(QIODevice::WriteOnly));
    truncated.write(readAll(kube("mem-example.list.json")).left(900));
    truncated.close();
    const Result<KubeImportResult> r = importKubeRecordFile(ws, truncated.fileName());
    QVERIFY(!r);
    QCOMPARE(r.error().kind, Error::Kind::Invalid);
    QVERIFY2(r.error().message.startsWith(u"truncated.json: not valid JSON"), qPrintable(r.error().message));
    QCOMPARE(ws.sources().size(), sources);
    QCOMPARE(readPodDirectory(ws).pods().size(), std::size_t(1));
    const Result<KubeImportResult> missing = importKubeRecordFile(ws, m_dir.filePath(u"nope.json"_s));
    QVERIFY(!missing);
    QCOMPARE(missing.error().kind, Error::Kind::NotFound);
}

void TestPodRows::describeLaterKeepsTheUid()
{
    Workspace ws;
    QVERIFY_OPENS(ws, freshPath());
    QVERIFY(importKubeRecordFile(ws, kube("mem-example.list.json")));
    QVERIFY(importKubeRecordFile(ws, kube("render-describe.txt")));
    const PodDirectory dir = readPodDirectory(ws);
    QCOMPARE(dir.pods().size(), std::size_t(3));
    const KubePod *render = dir.pod(u"9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a"_s);
    QVERIFY(render);
    QCOMPARE(render->status(u"render"_s)->restartCount, 1); // the describe snapshot is newer
    QCOMPARE(render->status(u"render"_s)->lastState.terminated->reason, u"OOMKilled"_s);
}

void TestPodRows::nodePodsReplacedPerNode()
{
    Workspace ws;
    QVERIFY_OPENS(ws, freshPath());
    const Result<KubeObjects> list = parseKubeJson(readAll(kube("mem-example.list.json")));
    QVERIFY(list);
    QCOMPARE(storeNodePods(ws, u"node-1"_s, {list->pods[2]}).value_or(-1), 1);
    QCOMPARE(storeNodePods(ws, u"node-2"_s, {list->pods[1]}).value_or(-1), 1);
    QCOMPARE(readPodDirectory(ws).pods().size(), std::size_t(2));
    // node-1's agent now reports no pods: its old ones go, node-2's stay.
    QCOMPARE(storeNodePods(ws, u"node-1"_s, {}).value_or(-1), 0);
    const PodDirectory dir = readPodDirectory(ws);
    QCOMPARE(dir.pods().size(), std::size_t(1));
    QCOMPARE(dir.pods()[0].name, u"memory-hog-7d9c5"_s);
    QVERIFY(!dir.byCgroupPath(kRenderPath));
}

void TestPodRows::recognisedByContent()
{
    QVERIFY(isKubeRecordFile(kube("mem-example.list.json")));
    QVERIFY(isKubeRecordFile(kube("events.json")));
    QVERIFY(isKubeRecordFile(kube("kubeshark-worker-oomkilled.pod.json")));
    QVERIFY(isKubeRecordFile(kube("render-describe.txt")));
    QVERIFY(isKubeRecordFile(kube("simmemleak-describe-2015.txt")));
    QVERIFY(!isKubeRecordFile(dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s));
    QVERIFY(!isKubeRecordFile(dataDir() + u"/recordings/checkout-leak/samples.csv"_s));
}

QTEST_GUILESS_MAIN(TestPodRows)
#include "tst_podrows.moc"
