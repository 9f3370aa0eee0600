// SPDX-License-Identifier: GPL-3.0-or-later
// The attach client's own rules against a node it cannot trust: the token never goes out in
// cleartext beyond loopback. No test here connects anywhere but 127.0.0.1.
#include "agentclient.h"
#include "agentendpoint.h"
#include "agentprotocol.h"
#include "feedrecorder.h"
#include "nodefeedstore.h"
#include "printable.h"
#include "samplestore.h"
#include "workspace.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <limits>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

// A fake oomscope-agent on 127.0.0.1: answers each subscribe with the frames the test scripts
// (given the subscribe message it received), then keeps the connection open.
class FakeAgent : public QObject
{
public:
    using Script = std::function<QList<QJsonObject>(const QJsonObject &subscribe)>;
    explicit FakeAgent(Script script)
        : m_script(std::move(script))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    while (socket->canReadLine()) {
                        const QJsonObject message = QJsonDocument::fromJson(socket->readLine()).object();
                        m_subscribes.append(message);
                        for (const QJsonObject &frame : m_script(message))
                            socket->write(QJsonDocument(frame).toJson(QJsonDocument::Compact) + '\n');
                    }
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString endpoint() const { return u"127.0.0.1:%1"_s.arg(m_server.serverPort()); }
    const QList<QJsonObject> &subscribes() const { return m_subscribes; }

private:
    QTcpServer m_server;
    Script m_script;
    QList<QJsonObject> m_subscribes;
};

QJsonObject hello(const QString &hostname, const QString &instance, qint64 newestSeq)
{
    AgentHello h;
    h.instance = instance;
    h.hostname = hostname;
    h.timestampMs = QDateTime::currentMSecsSinceEpoch();
    h.intervalMs = 1000;
    h.oldestSeq = 1;
    h.newestSeq = newestSeq;
    h.bufferCapacity = 1000;
    return helloFrameJson(h);
}

QJsonObject sample(qint64 seq, qint64 timestampMs, const QString &cgroup = u"/app"_s)
{
    return QJsonObject {{u"type"_s, u"sample"_s},
                        {u"seq"_s, seq},
                        {u"cgroup"_s, cgroup},
                        {u"timestamp"_s, timestampMs},
                        {u"usage_bytes"_s, 4096 * (seq % 1000)}};
}

AgentConnectOptions optionsFor(const FakeAgent &agent)
{
    AgentConnectOptions o;
    o.endpoint = *AgentEndpoint::parse(agent.endpoint());
    o.minBackoffMs = 100;
    o.maxBackoffMs = 200;
    o.batchIntervalMs = 50;
    return o;
}

qint64 storedSamples(Workspace &ws, const QString &host)
{
    SampleStore store(ws);
    qint64 n = 0;
    for (const SeriesInfo &s : store.series())
        if (s.host == host)
            n += qint64(store.samples(s.id, 0, std::numeric_limits<std::int64_t>::max()).size());
    return n;
}

// client starts, recording through recorder into the workspace at dbPath; false if that does
// not open.
bool startRecording(AgentClient &client, FeedRecorder &recorder, const QString &dbPath)
{
    if (!recorder.open(dbPath))
        return false;
    client.setRecorder(&recorder);
    client.start();
    return true;
}

} // namespace

class TestAttachSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenTransport_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("loopback v4, plain") << u"127.0.0.1:9464"_s << false << QByteArray("t") << true;
        QTest::newRow("loopback 127/8, plain") << u"127.3.2.1:9464"_s << false << QByteArray("t") << true;
        QTest::newRow("loopback v6, plain") << u"[::1]:9464"_s << false << QByteArray("t") << true;
        QTest::newRow("localhost, plain") << u"localhost:9464"_s << false << QByteArray("t") << true;
        QTest::newRow("node name, plain") << u"node-a.example:9464"_s << false << QByteArray("t") << false;
        QTest::newRow("private address, plain") << u"10.1.2.3:9464"_s << false << QByteArray("t") << false;
        QTest::newRow("name resembling localhost")
            << u"localhost.evil.example:9464"_s << false << QByteArray("t") << false;
        QTest::newRow("node name, TLS") << u"node-a.example:9464"_s << true << QByteArray("t") << true;
        QTest::newRow("node name, no token") << u"node-a.example:9464"_s << false << QByteArray() << true;
        QTest::newRow("ssh carries its own channel")
            << u"ssh://ops@node-a.example"_s << false << QByteArray("t") << true;
    }

    void tokenTransport()
    {
        QFETCH(QString, endpoint);
        QFETCH(bool, tls);
        QFETCH(QByteArray, token);
        QFETCH(bool, allowed);
        const Result<AgentEndpoint> parsed = AgentEndpoint::parse(endpoint);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
        AgentConnectOptions options;
        options.endpoint = *parsed;
        options.tls = tls;
        const Result<void> result = checkTokenTransport(options, token);
        QCOMPARE(result.has_value(), allowed);
        if (!allowed)
            QVERIFY2(result.error().message.contains(u"cleartext"_s), qPrintable(result.error().message));
    }

    // Finding 4: `oomscope-cli attach` and the window sent the token as soon as TCP connected.
    // The refusal happens in start(), before any lookup or connection (.invalid never resolves).
    void clientRefusesBeforeConnecting()
    {
        AgentConnectOptions options;
        options.endpoint = *AgentEndpoint::parse(u"node-a.invalid:9464"_s);
        options.token = "s3cret";
        AgentClient client(options);
        client.start();
        QCOMPARE(client.status().state, AgentClient::State::Error);
        QVERIFY2(client.status().message.contains(u"cleartext"_s), qPrintable(client.status().message));
    }

    // Finding 5: seq = INT64_MAX poisoned remote_nodes.last_seq, after which every resume
    // against the real agent failed forever.
    void seqBeyondWhatTheNodeAnnouncedIsRefused()
    {
        QTemporaryDir dir;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        FakeAgent liar([now](const QJsonObject &) {
            return QList<QJsonObject> {hello(u"node-a"_s, u"i1"_s, 2), sample(1, now), sample(2, now + 1),
                                       sample(std::numeric_limits<qint64>::max(), now + 2)};
        });
        QVERIFY(liar.listen());
        FeedRecorder recorder;
        AgentClient client(optionsFor(liar));
        QVERIFY(startRecording(client, recorder, dir.filePath(u"w.sqlite"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(client.status().message.contains(u"far beyond"_s), 10'000);
        client.detach();
        QTRY_VERIFY_WITH_TIMEOUT(recorder.cursor(client.node()).value_or(NodeCursor {}).lastSeq == 2, 10'000);
        QVERIFY(recorder.cursor(client.node())->lastSeq < 1000);
    }

    // A cursor already poisoned (by an older oomscope, say) heals: the agent's "malformed" answer
    // to the subscribe resets it, here and in the workspace.
    void aRefusedCursorIsReset()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        FakeAgent agent([now](const QJsonObject &subscribe) {
            if (subscribe.value("since"_L1).toDouble() > 9e15)
                return QList<QJsonObject> {
                    hello(u"node-a"_s, u"i1"_s, 3),
                    QJsonObject {{u"type"_s, u"error"_s}, {u"reason"_s, u"malformed"_s}}};
            return QList<QJsonObject> {hello(u"node-a"_s, u"i1"_s, 3), sample(1, now), sample(2, now + 1),
                                       sample(3, now + 2)};
        });
        QVERIFY(agent.listen());
        const QString node = AgentEndpoint::parse(agent.endpoint())->key();
        {
            Workspace ws;
            QVERIFY(ws.open(db));
            NodeFeedStore store(ws);
            NodeBatch poisoned;
            poisoned.host = u"node-a"_s;
            poisoned.cursor.node = node;
            poisoned.cursor.hostname = u"node-a"_s;
            poisoned.cursor.instance = u"i1"_s;
            poisoned.cursor.lastSeq = std::numeric_limits<qint64>::max();
            QVERIFY(store.storeBatch(poisoned));
        }
        FeedRecorder recorder;
        AgentClient client(optionsFor(agent));
        QVERIFY(startRecording(client, recorder, db));
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesReceived == 3, 15'000);
        QCOMPARE(agent.subscribes().size(), 2); // the refused cursor, then from the start
        QVERIFY(!agent.subscribes().at(1).contains("since"_L1));
        client.detach();
        QTRY_COMPARE_WITH_TIMEOUT(storedSamples(*recorder.workspace(), u"node-a"_s), qint64(3), 10'000);
        QCOMPARE(recorder.cursor(node)->lastSeq, 3);
    }

    // Finding 5: a sample dated 60 s ahead made the node's later samples be dropped silently.
    void samplesAheadOfTheNodeClockAreRefused()
    {
        QTemporaryDir dir;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        FakeAgent agent([now](const QJsonObject &) {
            return QList<QJsonObject> {hello(u"node-a"_s, u"i1"_s, 3), sample(1, now + 60'000),
                                       sample(2, now), sample(3, now + 1)};
        });
        QVERIFY(agent.listen());
        FeedRecorder recorder;
        AgentClient client(optionsFor(agent));
        QVERIFY(startRecording(client, recorder, dir.filePath(u"w.sqlite"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(client.status().samplesRefused, qint64(1), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(storedSamples(*recorder.workspace(), u"node-a"_s), qint64(2), 10'000);
        client.detach();
    }

    // Finding 5: a fake agent claiming the real node's hostname appended to its series.
    void aClaimedHostnameCannotTakeOverAnotherNodesSeries()
    {
        QTemporaryDir dir;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        FakeAgent real([now](const QJsonObject &) {
            return QList<QJsonObject> {hello(u"node-a"_s, u"real"_s, 2), sample(1, now), sample(2, now + 1)};
        });
        FakeAgent impostor([now](const QJsonObject &) {
            return QList<QJsonObject> {hello(u"node-a"_s, u"fake"_s, 1), sample(1, now + 2)};
        });
        QVERIFY(real.listen() && impostor.listen());
        FeedRecorder recorder;
        QVERIFY(recorder.open(dir.filePath(u"w.sqlite"_s)));
        AgentClient first(optionsFor(real));
        first.setRecorder(&recorder);
        first.start();
        QTRY_COMPARE_WITH_TIMEOUT(storedSamples(*recorder.workspace(), u"node-a"_s), qint64(2), 10'000);
        AgentClient second(optionsFor(impostor));
        second.setRecorder(&recorder);
        second.start();
        const QString kept = u"node-a (%1)"_s.arg(second.node());
        QTRY_COMPARE_WITH_TIMEOUT(storedSamples(*recorder.workspace(), kept), qint64(1), 10'000);
        QCOMPARE(storedSamples(*recorder.workspace(), u"node-a"_s), qint64(2));
        first.detach();
        second.detach();
    }

    // Finding 6: kernel records were bounded by count only (400 x 1 MiB: 635 MB); a 40 MiB
    // hostname took 391 MB. Frames over 8 MiB end the link; names are cut.
    void oversizedFramesAndNamesAreBounded()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        FakeAgent agent([now](const QJsonObject &) {
            QJsonObject h = hello(QString(100'000, u'n'), u"i1"_s, 2);
            return QList<QJsonObject> {h, sample(1, now),
                                       QJsonObject {{u"type"_s, u"kmsg"_s},
                                                    {u"seq"_s, 2},
                                                    {u"kmsg_seq"_s, 1},
                                                    {u"line"_s, QString(9 * 1024 * 1024, u'x')}}};
        });
        QVERIFY(agent.listen());
        AgentClient client(optionsFor(agent));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(client.status().message.contains(u"longer than"_s), 10'000);
        QVERIFY(client.status().hostname.size() <= 255);
        client.detach();
    }

    void printableEscapesControlCharacters()
    {
        QCOMPARE(printable(u"node-a"_s), u"node-a"_s);
        QCOMPARE(printable(u"a\x1b[2Jb\nc"_s), u"a\\x1b[2Jb\\x0ac"_s);
        QCOMPARE(printable(u"\u202eevil"_s), u"\\u202eevil"_s); // right-to-left override
        QCOMPARE(printable(u"back\\slash"_s), u"back\\\\slash"_s); // escapes stay unambiguous
        QCOMPARE(printable(u"abcdef"_s, 3), u"abc\u2026"_s);
    }

    // Finding 9: the CLI printed escape sequences from the node's hostname as they were. A fake
    // agent behind exec: (no network) claims a hostname that would clear the screen.
    void cliEscapesWhatTheNodeSends()
    {
        QTemporaryDir dir;
        const QString script = dir.filePath(u"fake-agent"_s);
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\n"
                "printf '%s\\n' "
                "'{\"type\":\"hello\",\"protocol\":1,\"instance\":\"i\",\"hostname\":\"evil\\u001b[2Jnode\","
                "\"newest_seq\":0,\"heartbeat_ms\":5000}'\n"
                "sleep 2\n");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QProcess cli;
        cli.start(QStringLiteral(OOMSCOPE_CLI_BINARY),
                  {u"attach"_s, u"exec:"_s + script, u"--db"_s, dir.filePath(u"w.sqlite"_s), u"--duration"_s,
                   u"1"_s});
        QVERIFY(cli.waitForFinished(20'000));
        const QByteArray all = cli.readAllStandardOutput() + cli.readAllStandardError();
        QVERIFY2(all.contains("evil\\x1b[2Jnode"), all.constData());
        QVERIFY2(!all.contains('\x1b'), all.constData());
    }
};

QTEST_GUILESS_MAIN(TestAttachSecurity)
#include "tst_attach_security.moc"
