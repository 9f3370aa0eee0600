// SPDX-License-Identifier: GPL-3.0-or-later
// End to end with a real Prometheus on loopback: it scrapes a cAdvisor-format endpoint and the
// oomscope-agent (a build dependency) sampling a fixture cgroup tree; we fetch query_range and
// import it through promrange into a workspace, and the stored values must be what each target
// served: the endpoint's working sets, and the usage the fixture files hold for the agent.
#include "feedimport.h"
#include "fixturetree.h"
#include "metricsserver.h"
#include "promrange.h"
#include "samplestore.h"
#include "workspace.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <csignal>
#include <sys/prctl.h>

using namespace Qt::StringLiterals;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;
using namespace oomscope;

namespace {

const QString kPod =
    u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f1c2a9e_4b7d_4e2a_9c1f_8d2e6b5a7c10.slice"_s;
const QString kContainer = kPod + u"/cri-containerd-9a8b7c6d5e4f.scope"_s;
const QString kPause = kPod + u"/cri-containerd-0f1e2d3c4b5a.scope"_s;

// The servers go when the test goes, even if it crashes: nothing keeps listening afterwards.
void dieWithTest()
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

// The agent's job: a fixture v1 tree (tests/data/cgroupfs/v1) limited to two cgroups whose
// paths differ from the cAdvisor endpoint's, so the two jobs' series cannot be confused.
const QString kAgentLeaf = u"/batch.slice/report.service"_s;
const QString kAgentSlice = u"/batch.slice"_s;

// The byte count a fixture file holds (what the agent must report for it).
qint64 fixtureBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const qint64 v = f.readAll().trimmed().toLongLong(&ok);
    return ok ? v : -1;
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// Working set served on the n-th scrape: distinct per scrape, so a stored value names its scrape.
qint64 containerWorkingSet(int n)
{
    return 400LL * 1024 * 1024 + qint64(n) * 4096;
}

QByteArray exposition(int n)
{
    const QByteArray ts = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    const QByteArray c = "container=\"checkout\",id=\"" + kContainer.toUtf8()
        + "\",image=\"registry.example.com/shop/checkout:1.4.2\",name=\"9a8b7c6d5e4f\","
          "namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2x4q\"";
    const QByteArray p = "container=\"\",id=\"" + kPod.toUtf8()
        + "\",image=\"\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2x4q\"";
    const QByteArray z = "container=\"\",id=\"" + kPause.toUtf8()
        + "\",image=\"registry.k8s.io/pause:3.9\",name=\"0f1e2d3c4b5a\",namespace=\"shop\","
          "pod=\"checkout-7d9f8b6c5-x2x4q\"";
    QByteArray out;
    out += "# HELP container_memory_working_set_bytes Current working set in bytes.\n"
           "# TYPE container_memory_working_set_bytes gauge\n";
    out += "container_memory_working_set_bytes{" + c + "} " + QByteArray::number(containerWorkingSet(n)) + ' '
        + ts + '\n';
    out += "container_memory_working_set_bytes{" + p + "} "
        + QByteArray::number(containerWorkingSet(n) + 1048576) + ' ' + ts + '\n';
    out += "container_memory_working_set_bytes{" + z + "} 348160 " + ts + '\n';
    out += "# TYPE container_spec_memory_limit_bytes gauge\n";
    out += "container_spec_memory_limit_bytes{" + c + "} 536870912 " + ts + '\n';
    out += "container_spec_memory_limit_bytes{" + p + "} 0 " + ts + '\n';
    return out;
}

QByteArray httpGet(QNetworkAccessManager &network, const QUrl &url, int *status = nullptr)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    QNetworkReply *reply = network.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(6000);
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

} // namespace

class TestPrometheusE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void queryRangeRoundTrip()
    {
        const QString prometheus = QStandardPaths::findExecutable(u"prometheus"_s);
        if (prometheus.isEmpty())
            QSKIP("no prometheus binary (apt-get install prometheus)");
        QElapsedTimer clock;
        clock.start();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        MetricsServer server(exposition);
        QVERIFY(server.listen());

        // The agent (a build dependency of this test): a second job on a fixture cgroup tree.
        const QString cgroupRoot = dir.filePath(u"cg"_s);
        QVERIFY(copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1"), cgroupRoot));
        QVERIFY(
            copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), dir.filePath(u"proc"_s)));
        {
            QFile kmsg(dir.filePath(u"kmsg"_s)); // an empty kernel log
            QVERIFY(kmsg.open(QIODevice::WriteOnly));
        }
        const QString agentPath = QStringLiteral(OOMSCOPE_AGENT_BINARY);
        QVERIFY2(QFileInfo(agentPath).isExecutable(), qPrintable(agentPath));
        QProcess agent;
        const quint16 agentPort = freePort();
        QVERIFY(agentPort);
        agent.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        agent.setChildProcessModifier(dieWithTest);
        agent.start(agentPath,
                    {u"--listen"_s, u"127.0.0.1:%1"_s.arg(agentPort), u"--interval"_s, u"1s"_s,
                     u"--cgroup-root"_s, cgroupRoot, u"--proc-root"_s, dir.filePath(u"proc"_s), u"--kmsg"_s,
                     dir.filePath(u"kmsg"_s), u"--cgroup"_s, kAgentLeaf, u"--cgroup"_s, kAgentSlice});
        QVERIFY2(agent.waitForStarted(5000), qPrintable(agent.errorString()));

        const quint16 webPort = freePort();
        QVERIFY(webPort);
        QByteArray config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                            "scrape_configs:\n"
                            "  - job_name: cadvisor\n    static_configs:\n      - targets: ['127.0.0.1:"
            + QByteArray::number(server.port()) + "']\n";
        config += "  - job_name: oomscope-agent\n    static_configs:\n      - targets: ['127.0.0.1:"
            + QByteArray::number(agentPort) + "']\n";
        QFile configFile(dir.filePath(u"prometheus.yml"_s));
        QVERIFY(configFile.open(QIODevice::WriteOnly));
        configFile.write(config);
        configFile.close();

        QProcess prom;
        prom.setProcessChannelMode(QProcess::MergedChannels);
        prom.setChildProcessModifier(dieWithTest);
        prom.start(prometheus,
                   {u"--config.file="_s + configFile.fileName(),
                    u"--storage.tsdb.path="_s + dir.filePath(u"tsdb"_s),
                    u"--web.listen-address=127.0.0.1:%1"_s.arg(webPort)});
        QVERIFY2(prom.waitForStarted(5000), qPrintable(prom.errorString()));
        auto cleanup = qScopeGuard([&] {
            for (QProcess *p : {&prom, &agent}) {
                if (p->state() == QProcess::NotRunning)
                    continue;
                p->terminate();
                if (!p->waitForFinished(10000))
                    p->kill();
                p->waitForFinished(2000);
            }
        });

        QNetworkAccessManager network;
        const QString base = u"http://127.0.0.1:%1"_s.arg(webPort);
        // Ready, then at least two scrapes of our endpoint (bounded: 40 s).
        int status = 0;
        QElapsedTimer wait;
        wait.start();
        while (wait.elapsed() < 40000) {
            httpGet(network, QUrl(base + u"/-/ready"_s), &status);
            if (status == 200 && server.goodRequests() >= 3)
                break;
            QVERIFY2(prom.state() == QProcess::Running, prom.readAll().constData());
            QTest::qWait(250);
        }
        QVERIFY2(status == 200, prom.readAll().right(2000).constData());
        QVERIFY2(server.goodRequests() >= 3, "Prometheus did not scrape the test endpoint twice in 40 s");
        const int servedUpTo = server.goodRequests();

        QUrl url(base + u"/api/v1/query_range"_s);
        QUrlQuery q;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        q.addQueryItem(u"query"_s, u"container_memory_working_set_bytes"_s);
        q.addQueryItem(u"start"_s, QString::number(now - 120));
        q.addQueryItem(u"end"_s, QString::number(now + 1));
        q.addQueryItem(u"step"_s, u"0.5"_s);
        url.setQuery(q);
        const QByteArray json = httpGet(network, url, &status);
        QCOMPARE(status, 200);
        QFile saved(dir.filePath(u"range.json"_s));
        QVERIFY(saved.open(QIODevice::WriteOnly));
        saved.write(json);
        saved.close();

        Workspace ws;
        QVERIFY(ws.open(dir.filePath(u"ws.sqlite"_s)));
        SampleStore store(ws);
        MetricFeedStore feed(ws, store);
        const MetricStoreResult r = feed.importPromRangeFile(saved.fileName(), u"fallback"_s);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.samplesAdded >= 2);

        // The instance label names the host; the pause container is dropped.
        const std::optional<qint64> container = store.findSeries(u"127.0.0.1"_s, kContainer);
        const std::optional<qint64> pod = store.findSeries(u"127.0.0.1"_s, kPod);
        QVERIFY(container && pod);
        QVERIFY(!store.findSeries(u"127.0.0.1"_s, kPause));
        QSet<qint64> served;
        for (int n = 0; n <= servedUpTo + 5; ++n)
            served.insert(containerWorkingSet(n));
        const auto samples = store.samples(*container, 0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(samples.size() >= 2);
        QSet<qint64> distinct;
        for (const MemorySample &m : samples) {
            QVERIFY2(served.contains(m.workingSetBytes()), qPrintable(QString::number(m.workingSetBytes())));
            distinct.insert(m.workingSetBytes());
            QVERIFY(m.timestampMs > (now - 130) * 1000 && m.timestampMs <= (now + 2) * 1000);
        }
        QVERIFY2(distinct.size() >= 2, "expected values of at least two scrapes");
        const auto podSamples = store.samples(*pod, 0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(!podSamples.empty());
        QVERIFY(served.contains(podSamples.back().workingSetBytes() - 1048576));
        const auto workloads = store.workloads();
        QVERIFY(std::any_of(workloads.begin(), workloads.end(), [](const WorkloadInfo &w) {
            return w.key == u"pod/shop/checkout-7d9f8b6c5-x2x4q/checkout"_s;
        }));

        // The agent's target is up (bounded: Prometheus scrapes it every second).
        QVERIFY2(agent.state() == QProcess::Running, "the agent exited");
        QUrl upUrl(base + u"/api/v1/query"_s);
        upUrl.setQuery(u"query=up"_s);
        QString agentUp;
        wait.restart();
        while (wait.elapsed() < 20000) {
            const QJsonObject answer = QJsonDocument::fromJson(httpGet(network, upUrl, &status)).object();
            QCOMPARE(status, 200);
            QCOMPARE(answer.value("status"_L1).toString(), u"success"_s);
            for (const QJsonValue &entry : answer.value("data"_L1).toObject().value("result"_L1).toArray()) {
                const QJsonObject o = entry.toObject();
                if (o.value("metric"_L1).toObject().value("job"_L1).toString() == "oomscope-agent"_L1)
                    agentUp = o.value("value"_L1).toArray().at(1).toString();
            }
            if (agentUp == "1"_L1)
                break;
            QTest::qWait(250);
        }
        QCOMPARE(agentUp, u"1"_s);

        // Its usage series, imported through promrange, hold what the fixture files say.
        QUrl agentUrl(base + u"/api/v1/query_range"_s);
        QUrlQuery aq;
        const qint64 later = QDateTime::currentSecsSinceEpoch();
        aq.addQueryItem(u"query"_s, u"container_memory_usage_bytes{job=\"oomscope-agent\"}"_s);
        aq.addQueryItem(u"start"_s, QString::number(later - 120));
        aq.addQueryItem(u"end"_s, QString::number(later + 1));
        aq.addQueryItem(u"step"_s, u"1"_s);
        agentUrl.setQuery(aq);
        const QByteArray agentJson = httpGet(network, agentUrl, &status);
        QCOMPARE(status, 200);
        QFile agentSaved(dir.filePath(u"agent-range.json"_s));
        QVERIFY(agentSaved.open(QIODevice::WriteOnly));
        agentSaved.write(agentJson);
        agentSaved.close();
        Workspace agentWs;
        QVERIFY(agentWs.open(dir.filePath(u"agent-ws.sqlite"_s)));
        SampleStore agentStore(agentWs);
        MetricFeedStore agentFeed(agentWs, agentStore);
        const MetricStoreResult ar = agentFeed.importPromRangeFile(agentSaved.fileName(), u"fallback"_s);
        QVERIFY2(ar.ok, qPrintable(ar.error));
        QVERIFY(ar.samplesAdded >= 2);
        const std::vector<SeriesInfo> agentSeries = agentStore.series();
        QCOMPARE(agentSeries.size(), std::size_t(2)); // exactly the two cgroups the agent samples
        for (const auto &[cgroup, file] :
             // QString(…): with QT_USE_QSTRINGBUILDER, `a + b` deduced into a pair would be a
             // builder of references to temporaries that are gone by the loop body.
             {std::pair {kAgentLeaf,
                         QString(cgroupRoot + u"/memory"_s + kAgentLeaf + u"/memory.usage_in_bytes"_s)},
              std::pair {kAgentSlice,
                         QString(cgroupRoot + u"/memory"_s + kAgentSlice + u"/memory.usage_in_bytes"_s)}}) {
            const qint64 expected = fixtureBytes(file);
            QVERIFY2(expected > 0, qPrintable(file));
            const std::optional<qint64> id = agentStore.findSeries(u"127.0.0.1"_s, cgroup);
            QVERIFY2(id, qPrintable(cgroup));
            const auto got = agentStore.samples(*id, 0, std::numeric_limits<std::int64_t>::max());
            QVERIFY2(!got.empty(), qPrintable(cgroup));
            for (const MemorySample &m : got) {
                QCOMPARE(m.usageBytes, expected);
                QVERIFY(m.timestampMs > (now - 130) * 1000 && m.timestampMs <= (later + 2) * 1000);
            }
        }
        QVERIFY2(clock.elapsed() < 90000, "the end-to-end run must stay under 90 s");
    }
};

QTEST_GUILESS_MAIN(TestPrometheusE2e)
#include "tst_prometheus_e2e.moc"
