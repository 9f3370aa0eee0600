// SPDX-License-Identifier: GPL-3.0-or-later
// Kubernetes' own record: kubectl pod/event JSON and `kubectl describe pod` text (tests/data/kubernetes,
// sources in tests/data/README.md), quantities, and the directory that names cgroup paths.
#include "cgrouppath.h"
#include "podjson.h"

#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace oomscope;
using namespace Qt::StringLiterals;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(OOMSCOPE_TEST_DATA "/kubernetes/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll();
}

QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QLatin1String(iso), Qt::ISODate).toUTC();
}

} // namespace

class TestPodJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quantities_data();
    void quantities();
    void realPodFromABugReport();
    void listOfPods();
    void evictedPod();
    void eventsBothApiVersions();
    void describeModern();
    void describe2015Tabs();
    void describeNamelessPodIsSkipped();
    void roundTripForStorage();
    void badInputIsAnError_data();
    void badInputIsAnError();
    void directoryResolvesCgroupPaths();
    void directoryMergesDescribeIntoJson();
    void kubeletPathsReadBack();
};

void TestPodJson::quantities_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes"); // -1 = rejected
    // The equivalences the Kubernetes documentation gives ("128974848, 129e6, 129M, 123Mi").
    QTest::newRow("plain") << u"128974848"_s << qint64(128974848);
    QTest::newRow("exponent") << u"129e6"_s << qint64(129000000);
    QTest::newRow("decimal M") << u"129M"_s << qint64(129000000);
    QTest::newRow("binary Mi") << u"123Mi"_s << qint64(123 * 1024 * 1024);
    QTest::newRow("fraction Gi") << u"0.25Gi"_s << qint64(268435456);
    QTest::newRow("Ki") << u"91360Ki"_s << qint64(91360 * 1024);
    QTest::newRow("k") << u"100k"_s << qint64(100000);
    QTest::newRow("milli") << u"1500m"_s << qint64(1);
    QTest::newRow("1Ei") << u"1Ei"_s << qint64(1152921504606846976LL);
    QTest::newRow("too big") << u"100Ei"_s << qint64(-1);
    QTest::newRow("unit unknown") << u"12Xi"_s << qint64(-1);
    QTest::newRow("negative") << u"-5Mi"_s << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
}

void TestPodJson::quantities()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const std::optional<std::int64_t> got = parseKubeQuantityBytes(text);
    if (bytes < 0)
        QVERIFY2(!got, qPrintable(QString::number(got.value_or(0))));
    else
        QCOMPARE(got.value_or(-1), bytes);
}

void TestPodJson::realPodFromABugReport()
{
    const QByteArray bytes = fixture("kubeshark-worker-oomkilled.pod.json");
    QVERIFY(looksLikeKubeJson(bytes));
    QVERIFY(!looksLikeDescribePod(bytes));
    const Result<KubeObjects> r = parseKubeRecord(bytes);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->pods.size(), std::size_t(1));
    const KubePod &p = r->pods[0];
    QCOMPARE(p.uid, u"465142ab-e5aa-4203-a2c4-8a53763b3db8"_s);
    QCOMPARE(p.namespaceName, u"kubeshark"_s);
    QCOMPARE(p.name, u"kubeshark-worker-daemon-set-hvn25"_s);
    QCOMPARE(p.nodeName, u"mizu"_s);
    QCOMPARE(p.qosClass, u"Burstable"_s);
    QCOMPARE(p.phase, u"Running"_s);
    QCOMPARE(p.startTime, utc("2023-05-06T16:54:37Z"));
    QCOMPARE(p.containers.size(), std::size_t(1));
    QCOMPARE(p.containers[0].memoryLimitBytes.value_or(0), qint64(1) << 30);
    QCOMPARE(p.containers[0].memoryRequestBytes.value_or(0), qint64(50) << 20);
    const KubeContainerStatus *s = p.status(u"kubeshark-worker"_s);
    QVERIFY(s);
    QCOMPARE(s->restartCount, 1);
    QCOMPARE(s->state.kind, KubeContainerState::Kind::Running);
    QCOMPARE(s->state.startedAt, utc("2023-05-06T21:03:58Z"));
    QCOMPARE(s->lastState.kind, KubeContainerState::Kind::Terminated);
    QVERIFY(s->lastState.terminated);
    QCOMPARE(s->lastState.terminated->reason, u"OOMKilled"_s);
    QCOMPARE(s->lastState.terminated->exitCode.value_or(0), 137);
    QCOMPARE(s->lastState.terminated->finishedAt, utc("2023-05-06T21:03:57Z"));
    QCOMPARE(bareContainerId(s->lastState.terminated->containerId),
             u"9821ba51c94d650a7950daf2c32eb3d6582f84a3423ec555ad4b2e9161c4750b"_s);
    QCOMPARE(containerRuntimeOf(s->containerId), u"docker"_s);
}

void TestPodJson::listOfPods()
{
    const Result<KubeObjects> r = parseKubeJson(fixture("mem-example.list.json"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->pods.size(), std::size_t(3));
    QVERIFY(r->events.empty());
    const KubePod &demo = r->pods[0];
    QCOMPARE(demo.name, u"memory-demo-2"_s);
    const KubeContainerStatus &ctr = demo.statuses.at(0);
    QCOMPARE(ctr.state.kind, KubeContainerState::Kind::Waiting);
    QCOMPARE(ctr.state.reason, u"CrashLoopBackOff"_s);
    // The documentation's own output has "startedAt": null.
    QVERIFY(!ctr.lastState.terminated->startedAt.isValid());
    QCOMPARE(ctr.lastState.terminated->finishedAt, utc("2017-06-20T20:52:19Z"));
    QCOMPARE(demo.containers[0].memoryLimitBytes.value_or(0), qint64(100) << 20);

    const KubePod &render = r->pods[2];
    QCOMPARE(render.containers.size(), std::size_t(3));
    QVERIFY(render.containers[0].init);
    QCOMPARE(render.containers[0].name, u"fetch-assets"_s);
    QVERIFY(!render.containers[1].init);
    QCOMPARE(render.container(u"metrics"_s)->memoryLimitBytes.value_or(0), qint64(268435456));
    QCOMPARE(render.container(u"metrics"_s)->memoryRequestBytes.value_or(0), qint64(128974848));
    QVERIFY(render.statuses[0].init);
    QCOMPARE(render.statuses[0].state.terminated->reason, u"Completed"_s);
    // MicroTime with six fraction digits.
    QCOMPARE(render.status(u"render"_s)->state.startedAt, utc("2024-03-11T08:00:03Z"));
}

void TestPodJson::evictedPod()
{
    const Result<KubeObjects> r = parseKubeJson(fixture("mem-example.list.json"));
    QVERIFY(r);
    const KubePod &hog = r->pods[1];
    QVERIFY(hog.evicted());
    QCOMPARE(hog.phase, u"Failed"_s);
    QCOMPARE(hog.qosClass, u"BestEffort"_s);
    QVERIFY(hog.message.startsWith(u"The node was low on resource: memory."));
    QVERIFY(!hog.containers[0].memoryLimitBytes);
    QCOMPARE(hog.statuses[0].state.terminated->exitCode.value_or(0), 137);
    QVERIFY(!r->pods[0].evicted());
}

void TestPodJson::eventsBothApiVersions()
{
    const Result<KubeObjects> r = parseKubeRecord(fixture("events.json"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QVERIFY(r->pods.empty());
    QCOMPARE(r->events.size(), std::size_t(5));
    const KubeEvent &evicted = r->events[0];
    QCOMPARE(evicted.reason, u"Evicted"_s);
    QCOMPARE(evicted.involvedKind, u"Pod"_s);
    QCOMPARE(evicted.involvedName, u"memory-hog-7d9c5"_s);
    QCOMPARE(evicted.involvedUid, u"0f6c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f"_s);
    QCOMPARE(evicted.namespaceName, u"batch"_s);
    QCOMPARE(evicted.sourceComponent, u"kubelet"_s);
    QCOMPARE(evicted.sourceHost, u"node-2"_s);
    QCOMPARE(evicted.firstTimestamp, utc("2024-03-11T09:14:05Z"));
    const KubeEvent &backoff = r->events[2];
    QCOMPARE(backoff.count, 3);
    QCOMPARE(backoff.containerName(), u"memory-demo-2-ctr"_s);
    QCOMPARE(backoff.lastTimestamp, utc("2017-06-20T20:52:40Z"));
    // events.k8s.io/v1: regarding/note/deprecated*.
    const KubeEvent &oom = r->events[3];
    QCOMPARE(oom.reason, u"OOMKilling"_s);
    QCOMPARE(oom.involvedKind, u"Node"_s);
    QCOMPARE(oom.sourceComponent, u"kernel-monitor"_s);
    QCOMPARE(oom.sourceHost, u"minikube"_s);
    QVERIFY(oom.message.contains(u"Kill process 4481 (stress)"));
    QCOMPARE(oom.firstTimestamp, utc("2017-06-20T20:52:19Z"));
    const KubeEvent &killing = r->events[4];
    QCOMPARE(killing.sourceComponent, u"kubelet"_s);
    QCOMPARE(killing.sourceHost, u"node-1"_s);
    QCOMPARE(killing.count, 2);
    QCOMPARE(killing.containerName(), u"render"_s);
    // MicroTime "…17.482913Z": Qt keeps milliseconds, rounded.
    QCOMPARE(killing.firstTimestamp, utc("2024-03-11T08:41:17Z").addMSecs(483));
    QCOMPARE(killing.lastTimestamp, utc("2024-03-11T08:43:17Z").addMSecs(100));
}

void TestPodJson::describeModern()
{
    const QByteArray bytes = fixture("render-describe.txt");
    QVERIFY(looksLikeDescribePod(bytes));
    QVERIFY(!looksLikeKubeJson(bytes));
    const Result<KubeObjects> r = parseKubeRecord(bytes);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->pods.size(), std::size_t(1));
    const KubePod &p = r->pods[0];
    QCOMPARE(p.name, u"render-6b8f9"_s);
    QCOMPARE(p.namespaceName, u"media"_s);
    QCOMPARE(p.nodeName, u"node-1"_s);
    QCOMPARE(p.qosClass, u"Burstable"_s);
    QCOMPARE(p.phase, u"Running"_s);
    QVERIFY(p.uid.isEmpty());
    QCOMPARE(p.startTime, utc("2024-03-11T07:59:57Z"));
    QCOMPARE(p.containers.size(), std::size_t(3));
    QVERIFY(p.containers[0].init);
    QCOMPARE(p.containers[0].memoryLimitBytes.value_or(0), qint64(64) << 20);
    const KubeContainerStatus *render = p.status(u"render"_s);
    QVERIFY(render);
    QCOMPARE(render->restartCount, 1);
    QCOMPARE(render->state.kind, KubeContainerState::Kind::Running);
    QCOMPARE(render->state.startedAt, utc("2024-03-11T08:43:18Z"));
    QCOMPARE(render->lastState.kind, KubeContainerState::Kind::Terminated);
    QCOMPARE(render->lastState.terminated->reason, u"OOMKilled"_s);
    QCOMPARE(render->lastState.terminated->exitCode.value_or(0), 137);
    QCOMPARE(render->lastState.terminated->finishedAt, utc("2024-03-11T08:43:17Z"));
    QCOMPARE(render->lastState.terminated->startedAt, utc("2024-03-11T08:00:03Z"));
    QCOMPARE(bareContainerId(render->containerId),
             u"c3a1f0e9d8b7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1"_s);
    QCOMPARE(p.container(u"render"_s)->memoryLimitBytes.value_or(0), qint64(512) << 20);
    QCOMPARE(p.container(u"render"_s)->memoryRequestBytes.value_or(0), qint64(256) << 20);
    QCOMPARE(p.container(u"metrics"_s)->memoryRequestBytes.value_or(0), qint64(128974848));
    QCOMPARE(p.status(u"metrics"_s)->restartCount, 0);
    QCOMPARE(r->events.size(), std::size_t(3));
    QCOMPARE(r->events[0].reason, u"Unhealthy"_s);
    QCOMPARE(r->events[0].count, 3);
    QCOMPARE(r->events[1].reason, u"Killing"_s);
    QCOMPARE(r->events[1].sourceHost, u"node-1"_s);
    QCOMPARE(r->events[1].message, u"Container render failed liveness probe, will be restarted"_s);
    QCOMPARE(r->events[1].namespaceName, u"media"_s);
}

void TestPodJson::describe2015Tabs()
{
    // kubectl of 2015 aligned with tabs and printed no container ID.
    const Result<KubeObjects> r = parseDescribePod(fixture("simmemleak-describe-2015.txt"));
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->pods.size(), std::size_t(1));
    const KubePod &p = r->pods[0];
    QCOMPARE(p.name, u"simmemleak-hra99"_s);
    QCOMPARE(p.namespaceName, u"default"_s);
    QCOMPARE(p.nodeName, u"kubernetes-minion-tf0f"_s);
    QVERIFY(p.reason.isEmpty());
    QCOMPARE(p.containers[0].memoryLimitBytes.value_or(0), qint64(50) << 20);
    QCOMPARE(p.statuses[0].restartCount, 5);
    QCOMPARE(p.statuses[0].state.startedAt, utc("2015-07-07T19:54:41Z"));
}

void TestPodJson::describeNamelessPodIsSkipped()
{
    // Two describes pasted together, the second cut so its "Name:" lost the value (found by
    // fuzz_podjson): the first pod stays, no pod without a name comes out (it could not be stored).
    QByteArray bytes = fixture("render-describe.txt");
    bytes += "Name:\nNamespace:        media\nContainers:\n  other:\n    Container ID:   containerd://77\n";
    const Result<KubeObjects> r = parseDescribePod(bytes);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->pods.size(), std::size_t(1));
    QCOMPARE(r->pods[0].name, u"render-6b8f9"_s);
    QVERIFY(!r->pods[0].status(u"other"_s));
    QVERIFY(podFromJson(podToJson(r->pods[0])));
}

void TestPodJson::roundTripForStorage()
{
    const Result<KubeObjects> r = parseKubeJson(fixture("mem-example.list.json"));
    QVERIFY(r);
    for (const KubePod &p : r->pods) {
        const QByteArray stored = QJsonDocument(podToJson(p)).toJson(QJsonDocument::Compact);
        const Result<KubeObjects> back = parseKubeJson(stored);
        QVERIFY2(back, qPrintable(back ? QString() : back.error().message));
        const KubePod &q = back->pods.at(0);
        QCOMPARE(q.uid, p.uid);
        QCOMPARE(q.name, p.name);
        QCOMPARE(q.namespaceName, p.namespaceName);
        QCOMPARE(q.reason, p.reason);
        QCOMPARE(q.message, p.message);
        QCOMPARE(q.containers.size(), p.containers.size());
        for (std::size_t i = 0; i < p.containers.size(); ++i) {
            QCOMPARE(q.containers[i].init, p.containers[i].init);
            QCOMPARE(q.containers[i].memoryLimitBytes, p.containers[i].memoryLimitBytes);
        }
        QCOMPARE(q.statuses.size(), p.statuses.size());
        for (std::size_t i = 0; i < p.statuses.size(); ++i) {
            QCOMPARE(q.statuses[i].containerId, p.statuses[i].containerId);
            QCOMPARE(q.statuses[i].restartCount, p.statuses[i].restartCount);
            QCOMPARE(q.statuses[i].state.kind, p.statuses[i].state.kind);
            QCOMPARE(q.statuses[i].lastState.kind, p.statuses[i].lastState.kind);
            if (p.statuses[i].lastState.terminated) {
                QCOMPARE(q.statuses[i].lastState.terminated->exitCode,
                         p.statuses[i].lastState.terminated->exitCode);
                QCOMPARE(q.statuses[i].lastState.terminated->finishedAt,
                         p.statuses[i].lastState.terminated->finishedAt);
            }
        }
    }
    const Result<KubeObjects> events = parseKubeJson(fixture("events.json"));
    QVERIFY(events);
    for (const KubeEvent &e : events->events) {
        const Result<KubeEvent> back = kubeEventFromJson(kubeEventToJson(e));
        QVERIFY(back);
        QCOMPARE(back->reason, e.reason);
        QCOMPARE(back->fieldPath, e.fieldPath);
        QCOMPARE(back->count, e.count);
        QCOMPARE(back->firstTimestamp.toSecsSinceEpoch(), e.firstTimestamp.toSecsSinceEpoch());
    }
}

void TestPodJson::badInputIsAnError_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("truncated") << fixture("kubeshark-worker-oomkilled.pod.json").left(700);
    QTest::newRow("array") << QByteArray("[{\"kind\": \"Pod\"}]");
    QTest::newRow("no kind") << QByteArray("{\"metadata\": {\"name\": \"x\"}}");
    QTest::newRow("only deployments") << QByteArray(R"({"kind": "List", "items": [{"kind": "Deployment"}]})");
    QTest::newRow("pod without name") << QByteArray(R"({"kind": "Pod", "metadata": {"uid": "1"}})");
    QTest::newRow("kernel log") << QByteArray("[ 1.0] stress invoked oom-killer: gfp_mask=0xcc0\n");
}

void TestPodJson::badInputIsAnError()
{
    QFETCH(QByteArray, bytes);
    const Result<KubeObjects> r = parseKubeRecord(bytes);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, Error::Kind::Invalid);
    QVERIFY(!r.error().message.isEmpty());
}

void TestPodJson::directoryResolvesCgroupPaths()
{
    const Result<KubeObjects> r = parseKubeJson(fixture("mem-example.list.json"));
    QVERIFY(r);
    PodDirectory dir;
    dir.add(r->pods);
    const QString renderId = u"c3a1f0e9d8b7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1"_s;
    const QString uid = u"9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a"_s;
    // systemd driver, containerd: the UID's dashes are underscores in the slice name.
    const QString systemdPath =
        u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod9d0e4c7a_2b1f_4e8d_a6c5_3f2e1d0c9b8a.slice/cri-containerd-"_s
        + renderId + u".scope"_s;
    std::optional<PodRef> ref = dir.byCgroupPath(systemdPath);
    QVERIFY(ref);
    QCOMPARE(ref->label(), u"media/render-6b8f9/render"_s);
    QCOMPARE(ref->podUid, uid);
    QCOMPARE(ref->nodeName, u"node-1"_s);
    // cgroupfs driver.
    ref = dir.byCgroupPath(u"/kubepods/burstable/pod"_s + uid + u'/' + renderId);
    QVERIFY(ref);
    QCOMPARE(ref->container, u"render"_s);
    // A sub-cgroup inside the container still belongs to it.
    ref = dir.byCgroupPath(systemdPath + u"/init.scope"_s);
    QVERIFY(ref && ref->container == u"render");
    // An unknown container of a known pod: the pod, without a container name.
    ref = dir.byCgroupPath(u"/kubepods/burstable/pod"_s + uid + u"/0123456789abcdef0123"_s);
    QVERIFY(ref);
    QCOMPARE(ref->label(), u"media/render-6b8f9"_s);
    QCOMPARE(ref->containerId, u"0123456789abcdef0123"_s);
    // The container that died before the current one (lastState) resolves too; Docker's scope.
    ref = dir.byCgroupPath(
        u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b2a8ac4_3c1e_4a0e_9a51_6f3d2b8c1e07.slice/docker-65183c1877aaec2e8427bc95609cc52677a454b56fcb24340dbd22917c23b10f.scope"_s);
    QVERIFY(ref);
    QCOMPARE(ref->label(), u"mem-example/memory-demo-2/memory-demo-2-ctr"_s);
    // CRI-O's conmon scope belongs to its container.
    ref = dir.byCgroupPath(
        u"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f6c1d2e_8a4b_4c3d_9e2f_1a2b3c4d5e6f.slice/crio-conmon-8f1e5c2b9d0a4e7f6c3b2a1908d7e6f5c4b3a2918070f6e5d4c3b2a190807f6e.scope"_s);
    QVERIFY(ref);
    QCOMPARE(ref->label(), u"batch/memory-hog-7d9c5/hog"_s);
    // Docker's 12-character short ID, and runtime:// spelling.
    QCOMPARE(dir.byContainerId(u"66a3a20aa798"_s).value_or(PodRef {}).container, u"memory-demo-2-ctr"_s);
    QCOMPARE(dir.byContainerId(u"containerd://"_s + renderId).value_or(PodRef {}).pod, u"render-6b8f9"_s);
    QVERIFY(!dir.byContainerId(u"66a3a2"_s)); // too short to trust
    QVERIFY(!dir.byCgroupPath(u"/system.slice/sshd.service"_s));
    QVERIFY(!dir.byCgroupPath(u"/kubepods/burstable/podffffffff-0000-0000-0000-000000000000/abc"_s));
}

void TestPodJson::directoryMergesDescribeIntoJson()
{
    PodDirectory dir;
    dir.add(parseKubeJson(fixture("mem-example.list.json"))->pods);
    QCOMPARE(dir.pod(u"9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a"_s)->status(u"render"_s)->restartCount, 0);
    // A later `describe` (no UID) replaces the JSON's pod of the same namespace/name, keeping the UID.
    dir.add(parseDescribePod(fixture("render-describe.txt"))->pods);
    QCOMPARE(dir.pods().size(), std::size_t(3));
    const KubePod *p = dir.pod(u"9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a"_s);
    QVERIFY(p);
    QCOMPARE(p->status(u"render"_s)->restartCount, 1);
    QCOMPARE(dir.podNamed(u"media"_s, u"render-6b8f9"_s), p);
}

void TestPodJson::kubeletPathsReadBack()
{
    const QString uid = u"9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a"_s;
    const QString id = u"c3a1f0e9d8b7"_s;
    QCOMPARE(
        kubeletCgroupPath(KubeCgroupDriver::Systemd, u"Burstable"_s, uid, id),
        u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod9d0e4c7a_2b1f_4e8d_a6c5_3f2e1d0c9b8a.slice/cri-containerd-c3a1f0e9d8b7.scope"_s);
    QCOMPARE(kubeletCgroupPath(KubeCgroupDriver::Cgroupfs, u"BestEffort"_s, uid, id),
             u"/kubepods/besteffort/pod9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a/c3a1f0e9d8b7"_s);
    QCOMPARE(kubeletCgroupPath(KubeCgroupDriver::Systemd, u"Guaranteed"_s, uid),
             u"/kubepods.slice/kubepods-pod9d0e4c7a_2b1f_4e8d_a6c5_3f2e1d0c9b8a.slice"_s);
    for (const KubeCgroupDriver driver : {KubeCgroupDriver::Systemd, KubeCgroupDriver::Cgroupfs}) {
        for (const QString &qos : {u"Guaranteed"_s, u"Burstable"_s, u"BestEffort"_s}) {
            for (const QString &runtime : {u"containerd"_s, u"crio"_s, u"docker"_s}) {
                const CgroupInfo info = classifyCgroupPath(kubeletCgroupPath(driver, qos, uid, id, runtime));
                QCOMPARE(info.kind, CgroupInfo::Kind::Kubernetes);
                QCOMPARE(info.podUid, uid);
                QCOMPARE(info.containerId, id);
                QCOMPARE(info.qosClass, qos);
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestPodJson)
#include "tst_podjson.moc"
