// SPDX-License-Identifier: GPL-3.0-or-later
// The real oomscope-agent resolving names from a kubelet: a fixture HTTPS server on loopback
// serves /pods (a PodList whose container IDs match the fixture cgroups, named as the kubelet
// names them), signed by a throwaway CA made with openssl for this run. The agent must send the
// service account's bearer token, stream the pods, label /metrics with namespace/pod/container,
// and, given the wrong CA, send nothing and stream on; an attached workbench stores the names.
#include "agentclient.h"
#include "agentendpoint.h"
#include "agentoptions.h"
#include "agentprotocol.h"
#include "agenttestutil.h"
#include "feedrecorder.h"
#include "httptestserver.h"
#include "kubeletpods.h"
#include "kubernetes.h"
#include "podrows.h"
#include "samplestore.h"
#include "workspace.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace oomscope;
using namespace agenttest;
using namespace Qt::StringLiterals;

namespace {

// media/render-6b8f9 of tests/data/kubernetes/mem-example.list.json: "render" under the systemd
// driver's name, "metrics" under the cgroupfs driver's.
const QString kRender =
    u"/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod9d0e4c7a_2b1f_4e8d_a6c5_3f2e1d0c9b8a.slice/"
    "cri-containerd-c3a1f0e9d8b7a6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1.scope"_s;
const QString kMetrics = u"/kubepods/burstable/pod9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a/"
                         "77e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180"_s;
const QByteArray kToken = "kubelet-sa-token-0123456789";

bool run(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(u"openssl"_s, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning("openssl %s: %s", qPrintable(args.join(u' ')), p.readAll().constData());
        return false;
    }
    return true;
}

// A CA and a server certificate for 127.0.0.1 signed by it, plus a second CA that signed nothing.
bool makePki(const QString &dir)
{
    const QStringList ec {u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                          u"-nodes"_s};
    writeFileAtomically(dir + u"/ext.cnf"_s, "subjectAltName=IP:127.0.0.1\n");
    return run(QStringList {u"req"_s, u"-x509"_s} + ec
               + QStringList {u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=oomscope test CA"_s, u"-keyout"_s,
                              dir + u"/ca.key"_s, u"-out"_s, dir + u"/ca.crt"_s})
        && run(QStringList {u"req"_s, u"-x509"_s} + ec
               + QStringList {u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=some other CA"_s, u"-keyout"_s,
                              dir + u"/other.key"_s, u"-out"_s, dir + u"/other.crt"_s})
        && run(QStringList {u"req"_s} + ec
               + QStringList {u"-subj"_s, u"/CN=127.0.0.1"_s, u"-keyout"_s, dir + u"/kubelet.key"_s,
                              u"-out"_s, dir + u"/kubelet.csr"_s})
        && run({u"x509"_s, u"-req"_s, u"-in"_s, dir + u"/kubelet.csr"_s, u"-CA"_s, dir + u"/ca.crt"_s,
                u"-CAkey"_s, dir + u"/ca.key"_s, u"-CAcreateserial"_s, u"-days"_s, u"2"_s, u"-extfile"_s,
                dir + u"/ext.cnf"_s, u"-out"_s, dir + u"/kubelet.crt"_s});
}

void addLeaf(const Fixture &f, const QString &path, qint64 usage)
{
    const QString d = f.cgroupRoot() + path;
    QDir().mkpath(d);
    writeFileAtomically(d + u"/memory.current"_s, QByteArray::number(usage) + '\n');
    writeFileAtomically(d + u"/memory.max"_s, "536870912\n");
    writeFileAtomically(d + u"/memory.events"_s,
                        "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
    writeFileAtomically(d + u"/memory.stat"_s,
                        "anon 4096\nfile 8192\nshmem 0\ninactive_file 4096\nactive_file 4096\nkernel 0\n");
    writeFileAtomically(d + u"/cgroup.procs"_s, "");
}

QByteArray podList()
{
    QFile f(QStringLiteral(OOMSCOPE_TEST_DATA "/kubernetes/mem-example.list.json"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray httpGet(quint16 port, const QByteArray &path)
{
    QTcpSocket s;
    QByteArray response;
    bool closed = false;
    QObject::connect(&s, &QTcpSocket::connected, &s,
                     [&] { s.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"); });
    QObject::connect(&s, &QTcpSocket::readyRead, &s, [&] { response += s.readAll(); });
    QObject::connect(&s, &QTcpSocket::disconnected, &s, [&] { closed = true; });
    s.connectToHost(u"127.0.0.1"_s, port);
    QElapsedTimer t;
    t.start();
    while (!closed && t.elapsed() < 5000)
        QTest::qWait(10);
    return response + s.readAll();
}

} // namespace

class TestAgentKubelet : public QObject
{
    Q_OBJECT

    Fixture m_fixture;
    QString m_pki;

    QStringList agentArgs(quint16 kubeletPort, const QString &ca) const
    {
        return {u"--cgroup-root"_s,
                m_fixture.cgroupRoot(),
                u"--proc-root"_s,
                m_fixture.procRoot(),
                u"--kmsg"_s,
                m_fixture.kmsgPath(),
                u"--interval"_s,
                u"100ms"_s,
                u"--rediscover"_s,
                u"0"_s,
                u"--cgroup"_s,
                kRender,
                u"--cgroup"_s,
                kMetrics,
                u"--kubelet-url"_s,
                u"https://127.0.0.1:%1"_s.arg(kubeletPort),
                u"--kubelet-token-file"_s,
                m_pki + u"/token"_s,
                u"--kubelet-ca"_s,
                ca};
    }

private Q_SLOTS:
    // Off unless asked; https only (the token must not travel in clear); the other options need it.
    void kubeletOptions()
    {
        const Result<AgentCommand> off = parseAgentArguments({u"oomscope-agent"_s});
        QVERIFY(off);
        QVERIFY(off->options.kubeletUrl.isEmpty());
        const Result<AgentCommand> on = parseAgentArguments(
            {u"oomscope-agent"_s, u"--kubelet-url"_s, u"https://10.0.0.7:10250"_s, u"--kubelet-token-file"_s,
             u"/run/t"_s, u"--kubelet-ca"_s, u"/run/ca.crt"_s});
        QVERIFY(on);
        QCOMPARE(on->options.kubeletUrl, u"https://10.0.0.7:10250"_s);
        QCOMPARE(on->options.kubeletTokenFile, u"/run/t"_s);
        QCOMPARE(on->options.kubeletCaFile, u"/run/ca.crt"_s);
        QVERIFY(!on->options.kubeletInsecure);
        const Result<AgentCommand> plain =
            parseAgentArguments({u"oomscope-agent"_s, u"--kubelet-url"_s, u"http://10.0.0.7:10255"_s});
        QVERIFY(!plain);
        QVERIFY2(plain.error().message.contains(u"https"_s), qPrintable(plain.error().message));
        QVERIFY(!parseAgentArguments({u"oomscope-agent"_s, u"--kubelet-insecure"_s}));
        QVERIFY(!parseAgentArguments({u"oomscope-agent"_s, u"--kubelet-url"_s, u"https://"_s}));
    }

    void initTestCase()
    {
        QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend: the kubelet lookup cannot be tested");
        QVERIFY2(!QStandardPaths::findExecutable(u"openssl"_s).isEmpty(),
                 "openssl is needed to make the test CA");
        QVERIFY(m_fixture.setUp());
        m_pki = m_fixture.dir.path() + u"/pki"_s;
        QVERIFY(QDir().mkpath(m_pki));
        QVERIFY(makePki(m_pki));
        QVERIFY(writeFileAtomically(m_pki + u"/token"_s, kToken + '\n'));
        addLeaf(m_fixture, kRender, 300 << 20);
        addLeaf(m_fixture, kMetrics, 20 << 20);
        QVERIFY(!podList().isEmpty());
    }

    void namesFromTheKubelet()
    {
        const QByteArray pods = podList();
        HttpTestServer kubelet([&](QTcpSocket *socket, const RecordedRequest &request) {
            socket->write(request.path == "/pods" ? HttpTestServer::answer("200 OK", pods)
                                                  : HttpTestServer::answer("404 Not Found", {}));
            socket->disconnectFromHost();
        });
        QVERIFY(kubelet.listenTls(m_pki + u"/kubelet.crt"_s, m_pki + u"/kubelet.key"_s));
        AgentProcess agent;
        const quint16 port = agent.listen(agentArgs(kubelet.port(), m_pki + u"/ca.crt"_s));
        QVERIFY2(port != 0, agent.errorOutput().constData());

        StreamClient client;
        client.connectTo(port);
        client.subscribe();
        QTRY_VERIFY_WITH_TIMEOUT(!client.firstOfType(u"pods"_s).isEmpty(), 15000);

        // The kubelet was asked for /pods with the service account's token, over TLS.
        QVERIFY(!kubelet.requests().isEmpty());
        QCOMPARE(kubelet.requests().first().path, QByteArray("/pods"));
        QCOMPARE(kubelet.requests().first().authorization, "Bearer " + kToken);

        // The record carries every pod of the list; its names resolve both kubelet cgroup forms.
        const std::vector<KubePod> streamed = podsFromJson(client.firstOfType(u"pods"_s));
        QCOMPARE(streamed.size(), std::size_t(3));
        PodDirectory directory;
        directory.add(streamed);
        const std::optional<PodRef> render = directory.byCgroupPath(kRender);
        QVERIFY(render);
        QCOMPARE(render->label(), u"media/render-6b8f9/render"_s);
        const std::optional<PodRef> metrics = directory.byCgroupPath(kMetrics);
        QVERIFY(metrics);
        QCOMPARE(metrics->label(), u"media/render-6b8f9/metrics"_s);
        QVERIFY(client.firstOfType(u"pods"_s).value("timestamp"_L1).toInteger() > 0);

        // /metrics: the same series, now with names beside the ids.
        const QByteArray labelled = "container_memory_usage_bytes{id=\"" + kRender.toUtf8()
            + "\",pod_uid=\"9d0e4c7a-2b1f-4e8d-a6c5-3f2e1d0c9b8a\",container_id=\""
            + kRender.section(u"cri-containerd-"_s, 1).chopped(6).toUtf8()
            + "\",qos_class=\"Burstable\",namespace=\"media\",pod=\"render-6b8f9\",container=\"render\"} "
            + QByteArray::number(300 << 20);
        QByteArray body;
        QTRY_VERIFY2_WITH_TIMEOUT((body = httpGet(port, "/metrics")).contains(labelled), body.constData(),
                                  10000);
        QVERIFY(body.contains(QByteArray("namespace=\"media\",pod=\"render-6b8f9\",container=\"metrics\"} "
                                         + QByteArray::number(20 << 20))));
        // Samples go on as before.
        QTRY_VERIFY_WITH_TIMEOUT(client.records().size() >= 10, 10000);
        QVERIFY(contiguityProblem(client.records(), 1).isEmpty());
    }

    // Service-account tokens rotate (projected tokens expire within the hour): the file is read
    // before every fetch, so the kubelet sees the new token from the next fetch on.
    void rotatedTokenIsUsedFromTheNextFetch()
    {
        const QByteArray pods = podList();
        HttpTestServer kubelet([&](QTcpSocket *socket, const RecordedRequest &) {
            socket->write(HttpTestServer::answer("200 OK", pods));
            socket->disconnectFromHost();
        });
        QVERIFY(kubelet.listenTls(m_pki + u"/kubelet.crt"_s, m_pki + u"/kubelet.key"_s));
        const QString tokenFile = m_pki + u"/rotating-token"_s;
        QVERIFY(writeFileAtomically(tokenFile, "first-token\n"));
        KubeletOptions options;
        options.url = QUrl(u"https://127.0.0.1:%1"_s.arg(kubelet.port()));
        options.tokenFile = tokenFile;
        options.caFile = m_pki + u"/ca.crt"_s;
        options.refreshMs = 200;
        KubeletPods lookup(options);
        lookup.start();
        QTRY_VERIFY_WITH_TIMEOUT(!kubelet.requests().isEmpty(), 10000);
        QCOMPARE(kubelet.requests().first().authorization, QByteArray("Bearer first-token"));
        // The server records the request before the answer reaches the lookup: wait for the names.
        QTRY_VERIFY_WITH_TIMEOUT(lookup.directory().byCgroupPath(kRender), 10000);

        QVERIFY(writeFileAtomically(tokenFile, "second-token\n"));
        QTRY_VERIFY_WITH_TIMEOUT(kubelet.requests().last().authorization == "Bearer second-token", 10000);
        for (const RecordedRequest &r : kubelet.requests())
            QVERIFY(r.authorization == "Bearer first-token" || r.authorization == "Bearer second-token");
        QVERIFY(lookup.directory().byCgroupPath(kRender)); // the names stay through the rotation
    }

    void wrongCaMeansNoNamesAndTheStreamGoesOn()
    {
        const QByteArray pods = podList();
        HttpTestServer kubelet([&](QTcpSocket *socket, const RecordedRequest &) {
            socket->write(HttpTestServer::answer("200 OK", pods));
            socket->disconnectFromHost();
        });
        QVERIFY(kubelet.listenTls(m_pki + u"/kubelet.crt"_s, m_pki + u"/kubelet.key"_s));
        AgentProcess agent;
        const quint16 port = agent.listen(agentArgs(kubelet.port(), m_pki + u"/other.crt"_s));
        QVERIFY2(port != 0, agent.errorOutput().constData());

        StreamClient client;
        client.connectTo(port);
        client.subscribe();
        // The agent tried (and refused the certificate) …
        QTRY_VERIFY_WITH_TIMEOUT(kubelet.handshakeFailures() > 0, 15000);
        // … and streams on: 2 cgroups at 10 Hz give 40 samples in about 2 s.
        QTRY_VERIFY_WITH_TIMEOUT(client.records().size() >= 40, 15000);
        QVERIFY(client.firstOfType(u"pods"_s).isEmpty());
        QVERIFY(kubelet.requests().isEmpty()); // no request, so the token never left the node
        const QByteArray body = httpGet(port, "/metrics");
        QVERIFY(body.contains(QByteArray("container_memory_usage_bytes{id=\"" + kRender.toUtf8())));
        QVERIFY(!body.contains("pod=\""));
        QCOMPARE(agent.process().state(), QProcess::Running);
        const QByteArray log = agent.errorOutput() + agent.process().readAllStandardError();
        QVERIFY2(log.contains("kubelet https://127.0.0.1:"), log.constData());
    }

    // The workbench attached to the agent stores the node's pods under its host name, so its
    // series (and kills) resolve to namespace/pod/container.
    void attachedWorkbenchStoresTheNames()
    {
        const QByteArray pods = podList();
        HttpTestServer kubelet([&](QTcpSocket *socket, const RecordedRequest &) {
            socket->write(HttpTestServer::answer("200 OK", pods));
            socket->disconnectFromHost();
        });
        QVERIFY(kubelet.listenTls(m_pki + u"/kubelet.crt"_s, m_pki + u"/kubelet.key"_s));
        AgentProcess agent;
        const quint16 port = agent.listen(agentArgs(kubelet.port(), m_pki + u"/ca.crt"_s)
                                          + QStringList {u"--node-name"_s, u"node-k"_s});
        QVERIFY2(port != 0, agent.errorOutput().constData());

        FeedRecorder recorder;
        QVERIFY(recorder.open(m_fixture.dir.path() + u"/ws.sqlite"_s));
        AgentConnectOptions o;
        o.endpoint = *AgentEndpoint::parse(u"127.0.0.1:%1"_s.arg(port));
        o.batchIntervalMs = 100;
        AgentClient client(o);
        client.setRecorder(&recorder);
        client.start();
        const auto renderStored = [&] {
            const std::vector<SeriesInfo> all = SampleStore(*recorder.workspace()).series();
            return std::any_of(all.begin(), all.end(),
                               [](const SeriesInfo &s) { return s.cgroupPath == kRender; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(!readPodDirectory(*recorder.workspace()).isEmpty() && renderStored(), 15000);
        client.detach();

        const PodDirectory directory = readPodDirectory(*recorder.workspace());
        QCOMPARE(directory.pods().size(), std::size_t(3));
        bool sawRender = false;
        for (const SeriesInfo &series : SampleStore(*recorder.workspace()).series()) {
            if (series.cgroupPath != kRender)
                continue;
            sawRender = true;
            QCOMPARE(series.host, u"node-k"_s);
            const std::optional<PodRef> ref = directory.byCgroupPath(series.cgroupPath);
            QVERIFY(ref);
            QCOMPARE(ref->label(), u"media/render-6b8f9/render"_s);
        }
        QVERIFY(sawRender);
    }
};

QTEST_GUILESS_MAIN(TestAgentKubelet)
#include "tst_agent_kubelet.moc"
