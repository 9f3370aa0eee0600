// SPDX-License-Identifier: GPL-3.0-or-later
// The attach client's own rules against a node it cannot trust: the token never goes out in
// cleartext beyond loopback. No test here connects anywhere but 127.0.0.1.
#include "agentclient.h"
#include "agentendpoint.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

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
        QString error;
        const std::optional<AgentEndpoint> parsed = AgentEndpoint::parse(endpoint, &error);
        QVERIFY2(parsed, qPrintable(error));
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
};

QTEST_GUILESS_MAIN(TestAttachSecurity)
#include "tst_attach_security.moc"
