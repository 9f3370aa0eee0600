// SPDX-License-Identifier: GPL-3.0-or-later
// End to end with a real Prometheus on loopback: it scrapes a cAdvisor-format endpoint (and the
// oomscope-agent when the build tree has one), we fetch query_range and import it through
// promrange into the workspace, and the stored working sets must be values the endpoint served.
#include "feedimport.h"
#include "metricsserver.h"
#include "promrange.h"
#include "samplestore.h"
#include "workspace.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kPod =
    u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f1c2a9e_4b7d_4e2a_9c1f_8d2e6b5a7c10.slice"_s;
const QString kContainer = kPod + u"/cri-containerd-9a8b7c6d5e4f.scope"_s;
const QString kPause = kPod + u"/cri-containerd-0f1e2d3c4b5a.scope"_s;

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

        // The agent, when built: a second job proving Prometheus accepts its exposition too.
        QProcess agent;
        quint16 agentPort = 0;
        const QString agentPath = QStringLiteral(OOMSCOPE_BINARY_DIR "/agent/oomscope-agent");
        if (QFileInfo(agentPath).isExecutable()) {
            agentPort = freePort();
            agent.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            agent.start(agentPath,
                        {u"--listen"_s, u"127.0.0.1:%1"_s.arg(agentPort), u"--interval"_s, u"1s"_s});
            if (!agent.waitForStarted(5000))
                agentPort = 0;
        }

        const quint16 webPort = freePort();
        QVERIFY(webPort);
        QByteArray config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                            "scrape_configs:\n"
                            "  - job_name: cadvisor\n    static_configs:\n      - targets: ['127.0.0.1:"
            + QByteArray::number(server.port()) + "']\n";
        if (agentPort)
            config += "  - job_name: oomscope-agent\n    static_configs:\n      - targets: ['127.0.0.1:"
                + QByteArray::number(agentPort) + "']\n";
        QFile configFile(dir.filePath(u"prometheus.yml"_s));
        QVERIFY(configFile.open(QIODevice::WriteOnly));
        configFile.write(config);
        configFile.close();

        QProcess prom;
        prom.setProcessChannelMode(QProcess::MergedChannels);
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

        if (agentPort && agent.state() == QProcess::Running) {
            // Prometheus scraped the agent: its series are in the same answer under its instance.
            const PromRangeResult parsed = parsePromQueryRange(json);
            QVERIFY(parsed.ok);
            qInfo("agent job: %d series from the agent in the answer",
                  int(std::count_if(parsed.series.begin(), parsed.series.end(), [&](const MetricSeries &s) {
                      return !s.cgroupPath.startsWith(u"/kubepods"_s);
                  })));
        }
        QVERIFY2(clock.elapsed() < 90000, "the end-to-end run must stay under 90 s");
    }
};

QTEST_GUILESS_MAIN(TestPrometheusE2e)
#include "tst_prometheus_e2e.moc"
