// SPDX-License-Identifier: GPL-3.0-or-later
// The agent against a fixture cgroup tree over loopback: stream order and resume, gaps, tokens,
// abusive clients, stdio, Prometheus metrics, TLS and the refusal to listen unprotected.
#include "../cgroup/cgroupfixtures.h"
#include "agentoptions.h"
#include "agentserver.h"
#include "agenttestutil.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSslKey>
#include <QStandardPaths>
#include <QTimer>
#include <QtTest>

#include <memory>

using namespace oomscope;
using namespace agenttest;
using namespace Qt::StringLiterals;

namespace {

const QString kReport = u"/batch.slice/report.service"_s;
const QString kDocker = cgroupfixtures::kDocker1Path;

AgentOptions baseOptions(const Fixture &f)
{
    AgentOptions o;
    o.listenPort = 0;
    o.cgroupRoot = f.cgroupRoot();
    o.procRoot = f.procRoot();
    o.kmsgPath = f.kmsgPath();
    o.cgroups = {kReport, kDocker, u"/batch.slice"_s};
    o.intervalMs = 100;
    o.heartbeatMs = 300;
    o.rediscoverMs = 0;
    return o;
}

// True when the agent started; prints why it did not otherwise.
bool succeeded(const Result<void> &started)
{
    if (!started)
        qWarning("agent start failed: %s", qPrintable(started.error().message));
    return started.has_value();
}

} // namespace

class TestAgent : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void durations()
    {
        QCOMPARE(parseDurationMs(u"100ms"_s), std::optional<int>(100));
        QCOMPARE(parseDurationMs(u"1s"_s), std::optional<int>(1000));
        QCOMPARE(parseDurationMs(u"2.5s"_s), std::optional<int>(2500));
        QCOMPARE(parseDurationMs(u"250"_s), std::optional<int>(250));
        QVERIFY(!parseDurationMs(u"fast"_s));
        QVERIFY(!parseDurationMs(u"-1s"_s));
        QHostAddress a;
        quint16 port = 0;
        QVERIFY(parseListenAddress(u"[::1]:9464"_s, &a, &port));
        QVERIFY(a.isLoopback());
        QCOMPARE(port, quint16(9464));
        QVERIFY(!parseListenAddress(u"127.0.0.1"_s, &a, &port));
    }

    void helloThenSamplesInOrder()
    {
        Fixture f;
        QVERIFY(f.setUp());
        AgentServer agent(baseOptions(f));
        QVERIFY(succeeded(agent.start()));

        // The test changes the cgroup over time; the samples must follow the files.
        qint64 written = 100 * 1024 * 1024; // above the fixture's 90 MiB
        QTimer grow;
        connect(&grow, &QTimer::timeout, &grow, [&] {
            written += 4096;
            writeFileAtomically(f.cgroupRoot() + kReport + u"/memory.current"_s,
                                QByteArray::number(written) + '\n');
        });
        grow.start(30);

        StreamClient client;
        client.connectTo(agent.serverPort());
        client.subscribe();
        QTRY_VERIFY_WITH_TIMEOUT(client.records().size() >= 30, 10000);
        QCOMPARE(client.badFrames(), 0);
        const QJsonObject hello = client.frames().first();
        QCOMPARE(hello.value("type"_L1).toString(), u"hello"_s);
        QCOMPARE(hello.value("protocol"_L1).toInt(), 1);
        QCOMPARE(hello.value("cgroup_version"_L1).toInt(), 2);
        QCOMPARE(hello.value("interval_ms"_L1).toInt(), 100);
        QVERIFY(!hello.value("hostname"_L1).toString().isEmpty());
        QVERIFY(!hello.value("kernel_release"_L1).toString().isEmpty());
        QVERIFY(hello.value("boot_time_ms"_L1).toInteger() > 1000000000000LL);
        QVERIFY(hello.contains("oldest_seq"_L1) && hello.contains("newest_seq"_L1));

        const QList<QJsonObject> records = client.records();
        QCOMPARE(contiguityProblem(records, records.first().value("seq"_L1).toInteger()), QString());
        QCOMPARE(records.first().value("seq"_L1).toInteger(), 1); // nothing was dropped yet
        qint64 lastUsage = 0;
        qint64 lastTick = -1;
        int reportSamples = 0;
        for (const QJsonObject &r : records) {
            QCOMPARE(r.value("type"_L1).toString(), u"sample"_s);
            QVERIFY(r.value("tick"_L1).toInteger() >= lastTick);
            lastTick = r.value("tick"_L1).toInteger();
            QVERIFY(r.value("boottime_s"_L1).toDouble() > 0);
            if (r.value("cgroup"_L1).toString() == kReport) {
                ++reportSamples;
                const qint64 usage = r.value("usage_bytes"_L1).toInteger();
                QVERIFY(usage >= lastUsage);
                lastUsage = usage;
                // The effective limit is batch.slice's 100 MiB, tighter than the service's own.
                QCOMPARE(r.value("limit_bytes"_L1).toInteger(), 104857600);
            }
        }
        QVERIFY(reportSamples >= 10);
        QVERIFY(lastUsage > 100 * 1024 * 1024); // the rewritten file, not the fixture's value
        // Heartbeats arrive between records.
        QTRY_VERIFY_WITH_TIMEOUT(!client.firstOfType(u"heartbeat"_s).isEmpty(), 5000);
    }

    void resumeAfterDisconnect()
    {
        Fixture f;
        QVERIFY(f.setUp());
        AgentServer agent(baseOptions(f));
        QVERIFY(succeeded(agent.start()));

        auto first = std::make_unique<StreamClient>();
        first->connectTo(agent.serverPort());
        first->subscribe();
        QTRY_VERIFY_WITH_TIMEOUT(first->records().size() >= 12, 10000);
        const QList<QJsonObject> before = first->records();
        const qint64 lastSeen = first->lastSeq();
        first->socket()->abort(); // mid-stream, without goodbye
        first.reset();
        // Records go on while nobody listens.
        QTRY_VERIFY_WITH_TIMEOUT(agent.buffer().newestSeq() > lastSeen + 20, 10000);

        StreamClient second;
        second.connectTo(agent.serverPort());
        second.subscribe(lastSeen, {}, agent.instanceId());
        QTRY_VERIFY_WITH_TIMEOUT(second.lastSeq() > lastSeen + 20, 10000);
        QVERIFY(second.firstOfType(u"gap"_s).isEmpty());
        const QList<QJsonObject> after = second.records();
        QCOMPARE(contiguityProblem(after, lastSeen + 1), QString());
        QCOMPARE(contiguityProblem(before + after, 1), QString());
    }

    void gapWhenResumingBeyondTheBuffer()
    {
        Fixture f;
        QVERIFY(f.setUp());
        AgentOptions o = baseOptions(f);
        o.bufferRecords = 20;
        AgentServer agent(o);
        QVERIFY(succeeded(agent.start()));
        QTRY_VERIFY_WITH_TIMEOUT(agent.buffer().newestSeq() > 60, 10000);

        StreamClient client;
        client.connectTo(agent.serverPort());
        client.subscribe(5);
        QTRY_VERIFY_WITH_TIMEOUT(client.records().size() >= 5, 10000);
        QCOMPARE(client.frames().at(0).value("type"_L1).toString(), u"hello"_s);
        const QJsonObject gap = client.frames().at(1);
        QCOMPARE(gap.value("type"_L1).toString(), u"gap"_s);
        QCOMPARE(gap.value("from"_L1).toInteger(), 6);
        const qint64 firstSeq = client.records().first().value("seq"_L1).toInteger();
        QCOMPARE(gap.value("to"_L1).toInteger(), firstSeq - 1);
        QVERIFY(firstSeq > 6);
        QCOMPARE(contiguityProblem(client.records(), firstSeq), QString());

        // A cursor from another agent instance (the agent restarted) is treated as "all new".
        StreamClient other;
        other.connectTo(agent.serverPort());
        other.subscribe(agent.buffer().newestSeq(), {}, u"someoneelse"_s);
        QTRY_VERIFY_WITH_TIMEOUT(other.records().size() >= 1, 10000);
        QCOMPARE(other.frames().at(1).value("type"_L1).toString(), u"gap"_s);
        QCOMPARE(other.frames().at(1).value("from"_L1).toInteger(), 1);
    }

    void tokenIsRequired()
    {
        Fixture f;
        QVERIFY(f.setUp());
        AgentOptions o = baseOptions(f);
        o.token = "s3cret-token-42";
        AgentServer agent(o);
        QVERIFY(succeeded(agent.start()));

        for (const QString &token : {u"wrong-token-0000"_s, QString()}) {
            StreamClient bad;
            bad.connectTo(agent.serverPort());
            bad.subscribe(-1, token);
            QTRY_VERIFY_WITH_TIMEOUT(bad.disconnected(), 5000);
            QVERIFY(bad.firstOfType(u"hello"_s).isEmpty());
            QCOMPARE(bad.firstOfType(u"error"_s).value("reason"_L1).toString(), u"unauthorized"_s);
            QVERIFY(!bad.raw().contains("s3cret"));
        }
        StreamClient good;
        good.connectTo(agent.serverPort());
        good.subscribe(-1, u"s3cret-token-42"_s);
        QTRY_VERIFY_WITH_TIMEOUT(good.records().size() >= 3, 10000);
        QCOMPARE(good.frames().first().value("type"_L1).toString(), u"hello"_s);

        QCOMPARE(httpGet(agent.serverPort(), {}).left(12), QByteArray("HTTP/1.1 401"));
        QCOMPARE(httpGet(agent.serverPort(), "Authorization: Bearer nope-nope-nope\r\n").left(12),
                 QByteArray("HTTP/1.1 401"));
        QCOMPARE(httpGet(agent.serverPort(), "Authorization: Bearer s3cret-token-42\r\n").left(12),
                 QByteArray("HTTP/1.1 200"));
    }

    void abusiveClientsDoNotStopTheGoodOne()
    {
        Fixture f;
        QVERIFY(f.setUp());
        AgentOptions o = baseOptions(f);
        o.handshakeTimeoutMs = 800;
        o.maxClients = 20;
        AgentServer agent(o);
        QVERIFY(succeeded(agent.start()));

        StreamClient good;
        good.connectTo(agent.serverPort());
        good.subscribe();
        QTRY_VERIFY_WITH_TIMEOUT(good.records().size() >= 3, 10000);

        StreamClient malformed;
        malformed.connectTo(agent.serverPort());
        malformed.send("{\"type\": subscribe\n");
        StreamClient notAnObject;
        notAnObject.connectTo(agent.serverPort());
        notAnObject.send("[1,2,3]\n");
        StreamClient oversized;
        oversized.connectTo(agent.serverPort());
        oversized.send(QByteArray(100 * 1024, 'x'));
        StreamClient slowloris;
        slowloris.connectTo(agent.serverPort());
        slowloris.send("{\"type\":\"subscr");
        QTRY_VERIFY_WITH_TIMEOUT(malformed.disconnected(), 5000);
        QCOMPARE(malformed.firstOfType(u"error"_s).value("reason"_L1).toString(), u"malformed"_s);
        QTRY_VERIFY_WITH_TIMEOUT(notAnObject.disconnected(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(oversized.disconnected(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(slowloris.disconnected(), 5000);
        QCOMPARE(slowloris.firstOfType(u"error"_s).value("reason"_L1).toString(), u"handshake_timeout"_s);

        // A flood of 200 connections: the limit holds, the flood is shed, the good client streams on.
        std::vector<std::unique_ptr<QTcpSocket>> flood;
        for (int i = 0; i < 200; ++i) {
            flood.push_back(std::make_unique<QTcpSocket>());
            flood.back()->connectToHost(u"127.0.0.1"_s, agent.serverPort());
        }
        int maxSeen = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            (maxSeen = std::max(maxSeen, agent.clientCount()), agent.selfStats().connectionsRejected > 0),
            10000);
        const qint64 seqAtFlood = good.lastSeq();
        QTRY_VERIFY_WITH_TIMEOUT(
            (maxSeen = std::max(maxSeen, agent.clientCount()), good.lastSeq() > seqAtFlood + 9), 10000);
        QVERIFY(maxSeen <= o.maxClients);
        // The flood's idle connections are cut at the handshake timeout.
        QTRY_VERIFY_WITH_TIMEOUT(agent.clientCount() == 1, 10000);
        flood.clear();

        QVERIFY(!good.disconnected());
        QCOMPARE(good.badFrames(), 0);
        QCOMPARE(contiguityProblem(good.records(), 1), QString());
        // And new clients are served again.
        StreamClient later;
        later.connectTo(agent.serverPort());
        later.subscribe(good.lastSeq());
        QTRY_VERIFY_WITH_TIMEOUT(later.records().size() >= 3, 10000);
    }

    void slowClientIsDroppedNotBuffered()
    {
        Fixture f;
        QVERIFY(f.setUp());
        f.addLeaves(100);
        AgentOptions o = baseOptions(f);
        o.cgroups.clear();
        for (int i = 0; i < 100; ++i)
            o.cgroups.append(u"/soak.slice/c%1"_s.arg(i));
        o.maxClientLagRecords = 300;
        o.clientHighWaterBytes = 16 * 1024;
        AgentServer agent(o);
        QVERIFY(succeeded(agent.start()));

        StreamClient stalled;
        stalled.connectTo(agent.serverPort());
        stalled.socket()->setReadBufferSize(4096);
        QTRY_VERIFY(stalled.socket()->state() == QAbstractSocket::ConnectedState);
        // A small kernel receive buffer too, or loopback autotuning absorbs megabytes first.
        stalled.socket()->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        QSignalSpy spy(&agent, &AgentServer::clientFinished);
        stalled.subscribe();
        // Only the kernel's socket buffers and 16 KiB in the agent hold records for the
        // client; once it lags 300 records it is dropped.
        QTRY_VERIFY_WITH_TIMEOUT(agent.selfStats().clientsDropped == 1, 30000);
        // The socket gets a short grace to flush the error frame, then it is aborted.
        QTRY_COMPARE_WITH_TIMEOUT(agent.clientCount(), 0, 5000);
    }

    void stdioThroughPipe()
    {
        Fixture f;
        QVERIFY(f.setUp());
        AgentProcess agentProcess;
        QVERIFY(agentProcess.startStdio({u"--cgroup-root"_s, f.cgroupRoot(), u"--proc-root"_s, f.procRoot(),
                                         u"--kmsg"_s, f.kmsgPath(), u"--interval"_s, u"100ms"_s,
                                         u"--cgroup"_s, kReport}));
        QProcess &agent = agentProcess.process();
        agent.write("{\"type\":\"subscribe\",\"since\":0}\n");
        QByteArray out;
        QList<QJsonObject> frames;
        QTRY_VERIFY_WITH_TIMEOUT((out += agent.readAllStandardOutput(), out.count('\n') >= 6), 10000);
        for (const QByteArray &line : out.split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            QVERIFY2(doc.isObject(), line.constData()); // nothing but protocol on stdout
            frames.append(doc.object());
        }
        QCOMPARE(frames.first().value("type"_L1).toString(), u"hello"_s);
        QCOMPARE(frames.at(1).value("seq"_L1).toInteger(), 1);
        QCOMPARE(frames.at(1).value("cgroup"_L1).toString(), kReport);
        agent.closeWriteChannel(); // the client goes away: the agent ends
        QVERIFY(agent.waitForFinished(5000));
        QCOMPARE(agent.exitCode(), 0);
    }

    void stdioOverSsh()
    {
        QTcpSocket probe;
        probe.connectToHost(u"127.0.0.1"_s, 22);
        if (!probe.waitForConnected(1000))
            QSKIP("no sshd on localhost:22");
        probe.abort();
        if (QStandardPaths::findExecutable(u"ssh"_s).isEmpty())
            QSKIP("no ssh client");
        Fixture f;
        QVERIFY(f.setUp());
        QProcess ssh;
        ssh.start(u"ssh"_s,
                  {u"-o"_s, u"BatchMode=yes"_s, u"-o"_s, u"ConnectTimeout=5"_s, u"localhost"_s,
                   AgentProcess::defaultAgentBinary(), u"--stdio"_s, u"--cgroup-root"_s, f.cgroupRoot(),
                   u"--proc-root"_s, f.procRoot(), u"--kmsg"_s, f.kmsgPath(), u"--cgroup"_s, kReport,
                   u"--interval"_s, u"100ms"_s});
        QVERIFY(ssh.waitForStarted(5000));
        ssh.write("{\"type\":\"subscribe\"}\n");
        QByteArray out;
        for (int i = 0; i < 100 && out.count('\n') < 3 && ssh.state() == QProcess::Running; ++i) {
            ssh.waitForReadyRead(100);
            out += ssh.readAllStandardOutput();
        }
        if (out.count('\n') < 3)
            QSKIP("ssh localhost did not run the agent (no key-based login?)");
        QVERIFY(out.startsWith("{"));
        QCOMPARE(QJsonDocument::fromJson(out.left(out.indexOf('\n'))).object().value("type"_L1).toString(),
                 u"hello"_s);
        ssh.closeWriteChannel();
        ssh.waitForFinished(5000);
    }

    void prometheusMetrics()
    {
        Fixture f;
        QVERIFY(f.setUp());
        writeFileAtomically(f.cgroupRoot() + kReport + u"/memory.current"_s, "73400320\n");
        writeFileAtomically(f.cgroupRoot() + kReport + u"/memory.events"_s,
                            "low 0\nhigh 0\nmax 7\noom 3\noom_kill 2\noom_group_kill 0\n");
        writeFileAtomically(f.cgroupRoot() + kReport + u"/memory.stat"_s,
                            "anon 41943040\nfile 20971520\nshmem 0\nactive_file 10485760\ninactive_file "
                            "10485760\nkernel 1048576\n");
        AgentServer agent(baseOptions(f));
        QVERIFY(succeeded(agent.start()));
        QTRY_VERIFY_WITH_TIMEOUT(agent.buffer().newestSeq() >= 3, 10000);

        const QByteArray response = httpGet(agent.serverPort(), {});
        QVERIFY(response.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(response.contains("Content-Type: text/plain; version=0.0.4"));
        const qsizetype bodyAt = response.indexOf("\r\n\r\n") + 4;
        const QByteArray body = response.mid(bodyAt);
        const QByteArray lengthHeader = "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        QVERIFY(response.left(bodyAt).contains(lengthHeader));

        // Parse as Prometheus text: every sample line is name{labels} value, its family declared.
        static const QRegularExpression sampleRe(
            u"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
            "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)$"_s);
        QSet<QString> typed;
        QHash<QString, double> values; // "name{labels}" -> value
        for (const QByteArray &raw : body.split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if (line.isEmpty() || line.startsWith(u"# HELP "))
                continue;
            if (line.startsWith(u"# TYPE ")) {
                const QStringList parts = line.split(u' ');
                QCOMPARE(parts.size(), 4);
                QVERIFY(parts[3] == u"gauge" || parts[3] == u"counter");
                typed.insert(parts[2]);
                continue;
            }
            const QRegularExpressionMatch m = sampleRe.match(line);
            QVERIFY2(m.hasMatch(), qPrintable(line));
            QVERIFY2(typed.contains(m.captured(1)), qPrintable(line));
            values.insert(line.left(line.lastIndexOf(u' ')), line.mid(line.lastIndexOf(u' ') + 1).toDouble());
        }
        const QString id = u"{id=\"%1\"}"_s.arg(kReport);
        QCOMPARE(values.value(u"container_memory_usage_bytes"_s + id, -1), 73400320.0);
        QCOMPARE(values.value(u"container_memory_working_set_bytes"_s + id, -1), 73400320.0 - 10485760.0);
        QCOMPARE(values.value(u"container_memory_rss"_s + id, -1), 41943040.0);
        QCOMPARE(values.value(u"container_memory_cache"_s + id, -1), 20971520.0);
        QCOMPARE(values.value(u"container_spec_memory_limit_bytes"_s + id, -1), 104857600.0);
        QCOMPARE(values.value(u"container_memory_failcnt"_s + id, -1), 7.0);
        QCOMPARE(values.value(u"container_oom_events_total"_s + id, -1), 2.0);
        QVERIFY(values.contains(
            u"container_memory_usage_bytes{id=\"%1\",container_id=\"%2\"}"_s.arg(kDocker, kDocker.mid(8))));
        QVERIFY(values.value(u"oomscope_agent_buffer_records"_s, -1) >= 3);
        QVERIFY(values.contains(u"oomscope_agent_clients"_s));
        QVERIFY(values.contains(u"oomscope_agent_sample_duration_seconds"_s));

        QCOMPARE(httpGet(agent.serverPort(), {}, "/nothing").left(12), QByteArray("HTTP/1.1 404"));
    }

    void tlsWithToken()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend here");
        if (QStandardPaths::findExecutable(u"openssl"_s).isEmpty())
            QSKIP("openssl not installed");
        Fixture f;
        QVERIFY(f.setUp());
        const QString cert = f.dir.path() + u"/cert.pem"_s;
        const QString key = f.dir.path() + u"/key.pem"_s;
        QProcess openssl;
        openssl.start(u"openssl"_s,
                      {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-days"_s, u"2"_s,
                       u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s,
                       u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s, u"-keyout"_s, key, u"-out"_s, cert});
        QVERIFY(openssl.waitForFinished(30000));
        QCOMPARE(openssl.exitCode(), 0);

        AgentOptions o = baseOptions(f);
        o.tlsCertFile = cert;
        o.tlsKeyFile = key;
        o.token = "tls-token-123456";
        AgentServer agent(o);
        QVERIFY(succeeded(agent.start()));

        auto *ssl = new QSslSocket;
        ssl->setPeerVerifyName(u"localhost"_s);
        QSslConfiguration conf = ssl->sslConfiguration();
        conf.setCaCertificates(QSslCertificate::fromPath(cert));
        ssl->setSslConfiguration(conf);
        StreamClient secure(ssl);
        ssl->connectToHostEncrypted(u"127.0.0.1"_s, agent.serverPort());
        QTRY_VERIFY2_WITH_TIMEOUT(ssl->isEncrypted(), qPrintable(ssl->errorString()), 10000);
        secure.subscribe(-1, u"tls-token-123456"_s);
        QTRY_VERIFY_WITH_TIMEOUT(secure.records().size() >= 3, 10000);
        QCOMPARE(secure.frames().first().value("type"_L1).toString(), u"hello"_s);

        StreamClient plain;
        plain.connectTo(agent.serverPort());
        plain.subscribe(-1, u"tls-token-123456"_s);
        QTRY_VERIFY_WITH_TIMEOUT(plain.disconnected(), 10000);
        QVERIFY(!plain.raw().contains("hello"));
        QCOMPARE(plain.records().size(), 0);
    }

    void refusesUnprotectedNonLoopback()
    {
        Result<AgentCommand> command =
            parseAgentArguments({u"oomscope-agent"_s, u"--listen"_s, u"0.0.0.0:0"_s});
        QVERIFY(command);
        const Result<void> valid = loadSecretsAndValidate(command->options);
        QVERIFY(!valid);
        QVERIFY(valid.error().message.contains(u"--token-file"_s));
        const Result<AgentCommand> outside =
            parseAgentArguments({u"oomscope-agent"_s, u"--cgroup"_s, u"/../../etc"_s});
        QVERIFY(!outside);
        QVERIFY(outside.error().message.contains(u"outside"_s));
        QVERIFY(!parseAgentArguments({u"oomscope-agent"_s, u"--interval"_s, u"50ms"_s}));

        QProcess agent;
        agent.start(AgentProcess::defaultAgentBinary(), {u"--listen"_s, u"0.0.0.0:0"_s});
        QVERIFY(agent.waitForFinished(5000));
        QCOMPARE(agent.exitCode(), 2);
        QVERIFY(agent.readAllStandardError().contains("refusing to listen on 0.0.0.0"));

        QProcess help;
        help.start(AgentProcess::defaultAgentBinary(), {u"--help"_s});
        QVERIFY(help.waitForFinished(5000));
        const QByteArray text = help.readAllStandardOutput();
        for (const char *opt : {"--listen", "--cgroup-root", "--proc-root", "--interval", "--buffer",
                                "--token-file", "--tls-cert", "--tls-key", "--stdio", "--cgroup", "--kmsg"})
            QVERIFY2(text.contains(opt), opt);
    }

    void oomEventFromKernelLog()
    {
        Fixture f;
        QVERIFY(f.setUp());
        QFile::remove(f.kmsgPath());
        QVERIFY(
            QFile::copy(QStringLiteral(OOMSCOPE_TEST_DATA "/eras/10-debian11-5.10-memcg-v2-service.kmsg.log"),
                        f.kmsgPath()));
        QFile expectedFile(
            QStringLiteral(OOMSCOPE_TEST_DATA "/eras/10-debian11-5.10-memcg-v2-service.kmsg.expected.json"));
        QVERIFY(expectedFile.open(QIODevice::ReadOnly));
        const QJsonObject expected = QJsonDocument::fromJson(expectedFile.readAll()).object();
        AgentServer agent(baseOptions(f));
        QVERIFY(succeeded(agent.start()));
        StreamClient client;
        client.connectTo(agent.serverPort());
        client.subscribe();
        QTRY_VERIFY_WITH_TIMEOUT(!client.firstOfType(u"oom_event"_s).isEmpty(), 10000);
        const QJsonObject event = client.firstOfType(u"oom_event"_s).value("event"_L1).toObject();
        const qint64 expectedVictim =
            expected.value("events"_L1).toArray().at(0).toObject().value("victim_pid"_L1).toInteger();
        QVERIFY(expectedVictim > 0);
        QCOMPARE(event.value("victim"_L1).toObject().value("pid"_L1).toInteger(), expectedVictim);
        QVERIFY(!client.firstOfType(u"kmsg"_s).isEmpty());
    }

private:
    // Non-blocking: the agent runs in this thread, so the event loop must keep turning.
    static QByteArray httpGet(quint16 port, const QByteArray &headers, const QByteArray &path = "/metrics")
    {
        QTcpSocket s;
        QByteArray response;
        bool closed = false;
        connect(&s, &QTcpSocket::connected, &s,
                [&] { s.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n"); });
        connect(&s, &QTcpSocket::readyRead, &s, [&] { response += s.readAll(); });
        connect(&s, &QTcpSocket::disconnected, &s, [&] { closed = true; });
        s.connectToHost(u"127.0.0.1"_s, port);
        QElapsedTimer t;
        t.start();
        while (!closed && t.elapsed() < 5000)
            QTest::qWait(10);
        return response + s.readAll();
    }
};

QTEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"
