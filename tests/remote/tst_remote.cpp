// SPDX-License-Identifier: GPL-3.0-or-later
// The workbench side of oomscope-agent against the real agent binary over loopback and --stdio:
// samples land in the workspace in order without duplicates, a stalled or restarted agent is
// resumed, lost records are recorded as gaps, a refused token stops, OOM reports arrive as events.
#include "../agent/agenttestutil.h"
#include "agentclient.h"
#include "agentendpoint.h"
#include "attach.h"
#include "feedrecorder.h"
#include "recentnodes.h"
#include "samplestore.h"
#include "tokenfile.h"
#include "workspace.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTextStream>
#include <QtTest>

#include <csignal>
#include <ctime>
#include <map>

using namespace oomscope;
using namespace agenttest;
using namespace Qt::StringLiterals;

namespace {

const QString kReport = u"/batch.slice/report.service"_s;
const QString kBatch = u"/batch.slice"_s;
const QString kAgent = QStringLiteral(OOMSCOPE_AGENT_BINARY);

// A v1 fixture tree (tests/data/cgroupfs/v1), /proc and an empty kernel log.
struct V1Fixture {
    QTemporaryDir dir;
    QString cgroupRoot() const { return dir.path() + u"/cg"_s; }
    QString kmsgPath() const { return dir.path() + u"/kmsg"_s; }
    QString dbPath() const { return dir.path() + u"/ws.sqlite"_s; }
    bool setUp()
    {
        if (!dir.isValid())
            return false;
        writeFileAtomically(kmsgPath(), QByteArray());
        return copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1"), cgroupRoot())
            && copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), dir.path() + u"/proc"_s);
    }
    QStringList agentArgs() const
    {
        return {u"--cgroup-root"_s, cgroupRoot(), u"--proc-root"_s, dir.path() + u"/proc"_s,
                u"--kmsg"_s,        kmsgPath(),   u"--interval"_s,  u"100ms"_s,
                u"--heartbeat"_s,   u"300ms"_s,   u"--cgroup"_s,    kReport,
                u"--cgroup"_s,      kBatch};
    }
};

constexpr std::int64_t kMiB = 1024 * 1024;

AgentConnectOptions tcpOptions(quint16 port)
{
    AgentConnectOptions o;
    o.endpoint = *AgentEndpoint::parse(u"127.0.0.1:%1"_s.arg(port));
    o.minBackoffMs = 200;
    o.maxBackoffMs = 2000;
    o.batchIntervalMs = 100;
    return o;
}

// Timestamps of the stored samples per cgroup of one host.
std::map<QString, std::vector<std::int64_t>> storedTimes(Workspace &ws, const QString &host)
{
    SampleStore store(ws);
    std::map<QString, std::vector<std::int64_t>> out;
    for (const SeriesInfo &s : store.series()) {
        if (s.host != host)
            continue;
        for (const MemorySample &m : store.samples(s.id, 0, std::numeric_limits<std::int64_t>::max()))
            out[s.cgroupPath].push_back(m.timestampMs);
    }
    return out;
}

// What an independent reader of the same stream saw, per cgroup, for records with seq <= upTo.
std::map<QString, std::vector<std::int64_t>> referenceTimes(const QList<QJsonObject> &records, qint64 upTo)
{
    std::map<QString, std::vector<std::int64_t>> out;
    for (const QJsonObject &r : records) {
        if (r.value("seq"_L1).toInteger() > upTo || r.value("type"_L1).toString() != "sample"_L1)
            continue;
        out[r.value("cgroup"_L1).toString()].push_back(r.value("timestamp"_L1).toInteger());
    }
    return out;
}

QString orderProblem(const std::map<QString, std::vector<std::int64_t>> &times)
{
    for (const auto &[cgroup, t] : times)
        for (std::size_t i = 1; i < t.size(); ++i)
            if (t[i] <= t[i - 1])
                return u"%1: sample %2 at %3 not after %4"_s.arg(cgroup).arg(i).arg(t[i]).arg(t[i - 1]);
    return {};
}

} // namespace

class TestRemote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void endpoints()
    {
        Result<AgentEndpoint> e = AgentEndpoint::parse(u"node-7:9500"_s);
        QVERIFY(e);
        QCOMPARE(e->kind, AgentEndpoint::Kind::Tcp);
        QCOMPARE(e->host, u"node-7"_s);
        QCOMPARE(e->port, quint16(9500));
        QCOMPARE(AgentEndpoint::parse(u"node-7"_s)->port, quint16(9464));
        QCOMPARE(AgentEndpoint::parse(u"[::1]:9464"_s)->host, u"::1"_s);
        QCOMPARE(AgentEndpoint::parse(u"[::1]:9464"_s)->key(), u"[::1]:9464"_s);
        e = AgentEndpoint::parse(u"ssh://ops@node-7:2222"_s);
        QVERIFY(e);
        QCOMPARE(e->kind, AgentEndpoint::Kind::Ssh);
        QCOMPARE(e->user, u"ops"_s);
        QCOMPARE(e->port, quint16(2222));
        QCOMPARE(e->key(), u"ssh://ops@node-7:2222"_s);
        QCOMPARE(AgentEndpoint::parse(u"ssh://node-7"_s)->key(), u"ssh://node-7"_s);
        QCOMPARE(AgentEndpoint::parse(u"exec:/usr/bin/oomscope-agent"_s)->program,
                 u"/usr/bin/oomscope-agent"_s);
        // Each malformed address is refused as invalid input, quoting what was wrong.
        for (const QString &bad : {u"node:99999"_s, u"ssh://"_s, u"exec:"_s, u"  "_s, u"a b:1"_s}) {
            const Result<AgentEndpoint> refused = AgentEndpoint::parse(bad);
            QVERIFY2(!refused, qPrintable(bad));
            QCOMPARE(refused.error().kind, Error::Kind::Invalid);
            QVERIFY(!refused.error().message.isEmpty());
        }
        QVERIFY(AgentEndpoint::parse(u"node:99999"_s).error().message.contains(u"node:99999"_s));
    }

    // The token as given, else the token file's first line(s) trimmed; a missing file is an I/O
    // error naming it, an empty one invalid input.
    void tokens()
    {
        AgentConnectOptions o;
        QCOMPARE(resolveToken(o).value(), QByteArray());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        o.tokenFile = dir.filePath(u"token"_s);
        const Result<QByteArray> missing = resolveToken(o);
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::Io);
        QVERIFY(missing.error().message.contains(o.tokenFile));
        QFile f(o.tokenFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(" \n");
        f.close();
        QCOMPARE(resolveToken(o).error().kind, Error::Kind::Invalid);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("s3cret\n");
        f.close();
        QCOMPARE(resolveToken(o).value(), QByteArray("s3cret"));
        o.token = "given";
        QCOMPARE(resolveToken(o).value(), QByteArray("given"));
    }

    // One reader for every token file (client, scraper, agent, kubelet): one line, trimmed; the
    // agent's own asks for 8 characters and no quotes or backslashes.
    void tokenFileRules()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"token"_s);
        auto write = [&path](const QByteArray &bytes) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
        };
        QVERIFY(write("eyJhbGciOi.JSUzI1NiJ9.sig\r\n"));
        QCOMPARE(readTokenFile(path).value(), QByteArray("eyJhbGciOi.JSUzI1NiJ9.sig"));
        const TokenFileRules agent {4096, 8, true};
        QCOMPARE(readTokenFile(path, agent).value(), QByteArray("eyJhbGciOi.JSUzI1NiJ9.sig"));
        const struct {
            QByteArray bytes;
            TokenFileRules rules;
            Error::Kind kind;
        } refused[] = {
            {"", {}, Error::Kind::Invalid},
            {"one\ntwo\n", {}, Error::Kind::Invalid},
            {"short", agent, Error::Kind::Invalid},
            {"with\"quote\"inside", agent, Error::Kind::Invalid},
            {QByteArray(5000, 'x'), agent, Error::Kind::Io},
        };
        for (const auto &r : refused) {
            QVERIFY(write(r.bytes));
            const Result<QByteArray> token = readTokenFile(path, r.rules);
            QVERIFY2(!token, r.bytes.left(40).constData());
            QCOMPARE(token.error().kind, r.kind);
            QVERIFY2(token.error().message.contains(path), qPrintable(token.error().message));
        }
        QVERIFY(write("with\"quote\"inside"));
        QVERIFY(readTokenFile(path)); // quotes are refused only where asked
        const Result<QByteArray> missing = readTokenFile(dir.filePath(u"gone"_s));
        QCOMPARE(missing.error().kind, Error::Kind::Io);
    }

    void recentNodesKeepNoSecret()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/s.ini"_s, QSettings::IniFormat);
        AgentConnectOptions o = tcpOptions(9464);
        o.token = "typed-secret-123";
        o.tokenFile = u"/etc/oomscope/token"_s;
        o.tls = true;
        o.pinnedSha256 = u"ab:cd"_s;
        RecentNodes::remember(settings, RecentNode::fromOptions(o));
        o.endpoint = *AgentEndpoint::parse(u"ssh://ops@n2"_s);
        RecentNodes::remember(settings, RecentNode::fromOptions(o));
        RecentNodes::remember(settings, RecentNode::fromOptions(tcpOptions(9464))); // again: moves up
        settings.sync();
        const std::vector<RecentNode> nodes = RecentNodes::load(settings);
        QCOMPARE(nodes.size(), std::size_t(2));
        QCOMPARE(nodes[0].address, u"127.0.0.1:9464"_s);
        QCOMPARE(nodes[1].address, u"ssh://ops@n2"_s);
        QCOMPARE(nodes[1].tokenFile, u"/etc/oomscope/token"_s);
        QCOMPARE(nodes[1].toOptions().token, QByteArray());
        QFile file(dir.path() + u"/s.ini"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("typed-secret"));
    }

    // Attach through a recorder on its own thread; what the workspace holds equals what an
    // independent reader of the stream saw, and detach loses nothing that was received.
    void samplesArriveInOrderWithoutDuplicates()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        AgentProcess agent;
        const quint16 port = agent.listen(f.agentArgs());
        QVERIFY(port);
        StreamClient reference;
        reference.connectTo(port);
        reference.subscribe();

        FeedRecorderThread recorder;
        const Result<void> started = recorder.start(f.dbPath());
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        AgentClient client(tcpOptions(port));
        client.setRecorder(recorder.recorder());
        // What each stored batch reports it appended: what a live chart is handed.
        std::map<qint64, std::vector<std::int64_t>> reported;
        connect(recorder.recorder(), &FeedRecorder::batchStored, &client,
                [&reported](const FeedStoreReport &r) {
                    qint64 count = 0;
                    for (const auto &[seriesId, samples] :
                         r.samples ? r.samples->series : decltype(r.samples->series) {}) {
                        for (const MemorySample &m : samples)
                            reported[seriesId].push_back(m.timestampMs);
                        count += qint64(samples.size());
                    }
                    QCOMPARE(count, r.samplesStored);
                });
        QSignalSpy states(&client, &AgentClient::stateChanged);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Live, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesStored >= 30, 10000);
        client.detach();
        const AgentClient::Status status = client.status();
        QCOMPARE(status.state, AgentClient::State::Detached);
        QCOMPARE(states.first().first().value<AgentClient::State>(), AgentClient::State::Connecting);
        recorder.stop(); // stores the batches still queued
        QTRY_VERIFY_WITH_TIMEOUT(reference.lastSeq() >= status.lastSeq, 10000);
        const QString hostname = reference.firstOfType(u"hello"_s).value("hostname"_L1).toString();
        QCOMPARE(status.hostname, hostname);

        Workspace ws;
        QVERIFY(ws.open(f.dbPath()));
        const auto stored = storedTimes(ws, hostname);
        QCOMPARE(orderProblem(stored), QString());
        QCOMPARE(stored.size(), std::size_t(2));
        QVERIFY(stored.count(kReport) && stored.count(kBatch));
        QCOMPARE(stored, referenceTimes(reference.records(), status.lastSeq));
        qint64 total = 0;
        for (const auto &[cgroup, t] : stored)
            total += qint64(t.size());
        QCOMPARE(total, status.samplesReceived);
        QCoreApplication::processEvents(); // the last reports, queued to this thread
        std::map<QString, std::vector<std::int64_t>> reportedByCgroup;
        const SampleStore store(ws);
        for (const auto &[seriesId, times] : reported)
            reportedByCgroup[store.seriesInfo(seriesId)->cgroupPath] = times;
        QCOMPARE(reportedByCgroup, stored);

        FeedRecorder check;
        check.use(ws);
        const std::optional<NodeCursor> cursor = check.cursor(client.node());
        QVERIFY(cursor);
        QCOMPARE(cursor->lastSeq, status.lastSeq);
        QCOMPARE(cursor->instance, reference.firstOfType(u"hello"_s).value("instance"_L1).toString());
        QCOMPARE(cursor->samplesStored, total);
        agent.stop();
    }

    // The agent stops answering (SIGSTOP): heartbeats stop, the client reconnects with backoff
    // and, once the agent runs again, resumes from its cursor with nothing missing.
    void resumeAfterStalledAgent()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        AgentProcess agent;
        const quint16 port = agent.listen(f.agentArgs());
        QVERIFY(port);
        StreamClient reference;
        reference.connectTo(port);
        reference.subscribe();

        FeedRecorder recorder;
        QVERIFY(recorder.open(f.dbPath()));
        AgentClient client(tcpOptions(port));
        client.setRecorder(&recorder);
        QSignalSpy gaps(&client, &AgentClient::gapDetected);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesReceived >= 10, 10000);
        const qint64 before = client.status().lastSeq;

        ::kill(pid_t(agent.pid()), SIGSTOP);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Reconnecting, 10000);
        QVERIFY(client.status().nextRetry.isValid());
        QVERIFY(!client.status().message.isEmpty());
        ::kill(pid_t(agent.pid()), SIGCONT);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Live, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(client.status().lastSeq > before + 20, 10000);
        QVERIFY(client.status().reconnects >= 1);
        client.detach();
        QCOMPARE(gaps.count(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(reference.lastSeq() >= client.status().lastSeq, 10000);
        const QString host = client.status().hostname;
        const auto stored = storedTimes(*recorder.workspace(), host);
        QCOMPARE(orderProblem(stored), QString());
        QCOMPARE(stored, referenceTimes(reference.records(), client.status().lastSeq));
        QVERIFY(recorder.gaps(client.node()).empty());
        agent.stop();
    }

    // The agent is killed and comes back with a tiny buffer: the new instance's first records
    // are gone before the client returns, and that is reported and stored, not skipped silently.
    void restartWithTinyBufferRecordsTheGap()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        AgentProcess first;
        const quint16 port = first.listen(f.agentArgs());
        QVERIFY(port);
        FeedRecorder recorder;
        QVERIFY(recorder.open(f.dbPath()));
        AgentConnectOptions o = tcpOptions(port);
        o.minBackoffMs = 1500; // the new agent has overwritten its first records by then
        AgentClient client(o);
        client.setRecorder(&recorder);
        QSignalSpy gaps(&client, &AgentClient::gapDetected);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesStored >= 6, 10000);
        const QString firstInstance = client.status().instance;
        first.stop();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Reconnecting, 10000);

        AgentProcess second;
        QCOMPARE(second.listen(f.agentArgs() + QStringList {u"--buffer"_s, u"5"_s}, port), port);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Live, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(gaps.count() >= 1, 10000);
        QVERIFY(client.status().instance != firstInstance);
        QCOMPARE(gaps.first().at(0).toLongLong(), 1);
        QVERIFY(gaps.first().at(1).toLongLong() >= 1);
        const qint64 samplesBefore = client.status().samplesStored;
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesStored > samplesBefore + 4, 10000);
        client.detach();

        const std::vector<StoredGap> stored = recorder.gaps(client.node());
        QVERIFY(!stored.empty());
        QCOMPARE(stored.front().fromSeq, 1);
        QCOMPARE(stored.front().instance, client.status().instance);
        const std::optional<NodeCursor> cursor = recorder.cursor(client.node());
        QCOMPARE(cursor->instance, client.status().instance);
        QCOMPARE(cursor->lastSeq, client.status().lastSeq);
        // Both instances' samples are in one series per cgroup, in order, without duplicates.
        QCOMPARE(orderProblem(storedTimes(*recorder.workspace(), client.status().hostname)), QString());
        second.stop();
    }

    void wrongTokenStopsWithoutRetrying()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        writeFileAtomically(f.dir.path() + u"/token"_s, "right-token-1234\n");
        AgentProcess agent;
        const quint16 port =
            agent.listen(f.agentArgs() + QStringList {u"--token-file"_s, f.dir.path() + u"/token"_s});
        QVERIFY(port);
        AgentConnectOptions o = tcpOptions(port);
        o.token = "wrong-token-0000";
        AgentClient client(o);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Error, 10000);
        QVERIFY(client.status().message.contains(u"token"_s));
        QTest::qWait(1500); // several backoff periods: nothing may happen
        QCOMPARE(client.state(), AgentClient::State::Error);
        QCOMPARE(client.status().reconnects, 0);

        // The agent's own count: one refused handshake.
        QTcpSocket scrape;
        scrape.connectToHost(u"127.0.0.1"_s, port);
        QVERIFY(scrape.waitForConnected(5000));
        scrape.write("GET /metrics HTTP/1.1\r\nAuthorization: Bearer right-token-1234\r\n\r\n");
        QByteArray body;
        QTRY_VERIFY_WITH_TIMEOUT(
            (body += scrape.readAll(), scrape.state() == QAbstractSocket::UnconnectedState), 5000);
        static const QRegularExpression re(u"oomscope_agent_auth_failures_total (\\d+)"_s);
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(body));
        QVERIFY2(m.hasMatch(), body.constData());
        QCOMPARE(m.captured(1).toInt(), 1);

        // The right token (from a file) gets through.
        AgentConnectOptions good = tcpOptions(port);
        good.tokenFile = f.dir.path() + u"/token"_s;
        AgentClient ok(good);
        ok.start();
        QTRY_COMPARE_WITH_TIMEOUT(ok.state(), AgentClient::State::Live, 10000);
        ok.detach();
        agent.stop();
    }

    void execStdioAndOomEvent()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        QFile::remove(f.kmsgPath());
        QVERIFY(QFile::copy(QStringLiteral(OOMSCOPE_TEST_DATA "/e2e/kmsg-6.18-memcg-v1-oomkill.kmsg"),
                            f.kmsgPath()));
        FeedRecorder recorder;
        QVERIFY(recorder.open(f.dbPath()));
        AgentConnectOptions o;
        o.endpoint = *AgentEndpoint::parse(u"exec:"_s + kAgent);
        o.agentArguments = f.agentArgs();
        o.batchIntervalMs = 100;
        AgentClient client(o);
        client.setRecorder(&recorder);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Live, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(client.status().eventsStored >= 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesStored >= 4, 10000);
        client.detach();
        QCOMPARE(client.status().eventsStored, 1);

        Workspace &ws = *recorder.workspace();
        const std::vector<EventSummary> events = ws.events();
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].victimPid, 10100);
        QCOMPARE(events[0].oomMemcg, u"/oomscope-e2e-10097-436de7fc"_s);
        const std::vector<SourceInfo> sources = ws.sources();
        QCOMPARE(sources.size(), std::size_t(1));
        QVERIFY2(sources[0].name.startsWith(u"agent://"_s + client.status().hostname + u"/seq-"_s),
                 qPrintable(sources[0].name));
        const std::optional<OomEvent> full = ws.event(events[0].id);
        QVERIFY(full);
        QVERIFY(full->rawLines.size() > 20);
        QVERIFY(full->uptimeSeconds);
        QCOMPARE(qRound(*full->uptimeSeconds), 437);
        QVERIFY(!storedTimes(ws, client.status().hostname).empty());
    }

    // Two attached nodes, each with a kill in its kernel log: each kill is stored under its own
    // node's name (the agent's --node-name, as a DaemonSet passes spec.nodeName) with the wall
    // time its node's boot time gives, not host "—" and an uptime.
    void twoNodesKillsToldApart()
    {
        V1Fixture a;
        V1Fixture b;
        QVERIFY(a.setUp());
        QVERIFY(b.setUp());
        for (const auto &[fixture, log] :
             {std::pair {&a, "/e2e/kmsg-6.18-memcg-v1-oomkill.kmsg"},
              std::pair {&b, "/eras/10-debian11-5.10-memcg-v2-service.kmsg.log"}}) {
            QFile::remove(fixture->kmsgPath());
            QVERIFY(
                QFile::copy(QStringLiteral(OOMSCOPE_TEST_DATA) + QLatin1String(log), fixture->kmsgPath()));
        }
        FeedRecorder recorder;
        QVERIFY(recorder.open(a.dbPath()));
        std::vector<std::unique_ptr<AgentClient>> clients;
        for (const auto &[fixture, name] : {std::pair {&a, u"node-a"_s}, std::pair {&b, u"node-b"_s}}) {
            AgentConnectOptions o;
            o.endpoint = *AgentEndpoint::parse(u"exec:"_s + kAgent);
            o.agentArguments = fixture->agentArgs() + QStringList {u"--node-name"_s, name};
            o.batchIntervalMs = 100;
            auto client = std::make_unique<AgentClient>(o);
            client->setRecorder(&recorder);
            client->start();
            clients.push_back(std::move(client));
        }
        // Both clients run the same exec: endpoint, so each also counts the other's stored
        // batches (status is per endpoint): wait for the workspace itself to hold both kills.
        QTRY_COMPARE_WITH_TIMEOUT(recorder.workspace()->events().size(), std::size_t(2), 15000);
        for (const auto &client : clients)
            client->detach();
        timespec real {};
        timespec boot {};
        ::clock_gettime(CLOCK_REALTIME, &real);
        ::clock_gettime(CLOCK_BOOTTIME, &boot);
        const qint64 bootTimeMs =
            (qint64(real.tv_sec) - qint64(boot.tv_sec)) * 1000 + (real.tv_nsec - boot.tv_nsec) / 1000000;

        const std::vector<EventSummary> events = recorder.workspace()->events();
        QCOMPARE(events.size(), std::size_t(2));
        std::map<QString, EventSummary> byHost;
        for (const EventSummary &e : events)
            byHost[e.host] = e;
        QVERIFY2(byHost.count(u"node-a"_s) && byHost.count(u"node-b"_s),
                 qPrintable(events[0].host + u", "_s + events[1].host));
        QCOMPARE(byHost[u"node-a"_s].victimPid, 10100);
        QCOMPARE(byHost[u"node-b"_s].victimPid, 3301);
        for (const auto &[host, e] : byHost) {
            QVERIFY2(e.wallTime && e.uptimeSeconds, qPrintable(host));
            const qint64 expected = bootTimeMs + qRound64(*e.uptimeSeconds * 1000);
            QVERIFY2(
                std::abs(e.wallTime->toMSecsSinceEpoch() - expected) < 2000,
                qPrintable(u"%1: %2 vs %3"_s.arg(host, e.wallTime->toString(Qt::ISODateWithMs))
                               .arg(QDateTime::fromMSecsSinceEpoch(expected).toString(Qt::ISODateWithMs))));
        }
        // The full event read back says the same (reports and the decision view use it).
        const std::optional<OomEvent> full = recorder.workspace()->event(byHost[u"node-b"_s].id);
        QVERIFY(full);
        QCOMPARE(full->host, u"node-b"_s);
        QVERIFY(full->wallTime);
        // Each node's samples are its own series.
        QVERIFY(!storedTimes(*recorder.workspace(), u"node-a"_s).empty());
        QVERIFY(!storedTimes(*recorder.workspace(), u"node-b"_s).empty());
    }

    // The node's report.service leaks between the agent's ticks: the agent sends a warning
    // record, the client hands it on naming the node and the predicted victim, and `attach`
    // prints it on stderr, one line.
    void attachedNodeWarnsBeforeTheKill()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        testsupport::FixtureLeak leak(f.cgroupRoot() + u"/memory"_s + kReport, 10 * kMiB, 1 * kMiB,
                                      95 * kMiB);
        QVERIFY(leak.start());
        AgentProcess agent;
        const quint16 port = agent.listen(f.agentArgs() << u"--processes"_s);
        QVERIFY2(port, agent.errorOutput().constData());

        AgentClient client(tcpOptions(port));
        QSignalSpy warnings(&client, &AgentClient::warningReceived);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(!warnings.isEmpty(), 15000);
        const EarlyWarning w = warnings.first().first().value<EarlyWarning>();
        QCOMPARE(w.cgroup, kReport);
        QCOMPARE(w.source, WarningSource::Trend);
        QVERIFY(!client.status().hostname.isEmpty());
        QCOMPARE(w.node, client.status().hostname);
        // 1 MiB per 100 ms, fitted on the agent's own readings.
        QVERIFY2(w.slopeBytesPerSecond > 5 * kMiB && w.slopeBytesPerSecond < 15 * kMiB,
                 qPrintable(QString::number(w.slopeBytesPerSecond)));
        QVERIFY(w.secondsToLimit >= 0 && w.secondsToLimit < 120);
        QCOMPARE(w.victimPid, 3002); // report-gen, the only live process of the fixture cgroup
        QCOMPARE(w.victimComm, u"report-gen"_s);
        QVERIFY(earlyWarningTitle(w).contains(w.node));
        QCOMPARE(client.status().warningsReceived, qint64(warnings.size()));
        client.detach();
        agent.stop();

        // The same node through `oomscope-cli attach`: a fresh leak, its warning on stderr.
        leak.stop();
        testsupport::FixtureLeak again(f.cgroupRoot() + u"/memory"_s + kReport, 5 * kMiB, 1 * kMiB,
                                       95 * kMiB);
        AgentProcess second;
        const quint16 port2 = second.listen(f.agentArgs() << u"--processes"_s);
        QVERIFY(port2);
        QVERIFY(again.start());
        AttachOptions o;
        o.target = u"127.0.0.1:%1"_s.arg(port2);
        o.dbPath = f.dbPath();
        o.durationSeconds = 6;
        QString outText;
        QString errText;
        QTextStream out(&outText);
        QTextStream err(&errText);
        QCOMPARE(runAttach(o, out, err), 0);
        err.flush();
        const QStringList lines = errText.split(u'\n', Qt::SkipEmptyParts).filter(u"warning: "_s);
        QVERIFY2(!lines.isEmpty(), qPrintable(errText));
        QVERIFY2(lines.first().startsWith(u"warning: "_s + kReport + u" on "_s + w.node + u": "_s),
                 qPrintable(lines.first()));
        QVERIFY2(lines.first().contains(u"report-gen (pid 3002)"_s), qPrintable(lines.first()));
        second.stop();
    }

    void attachCommandRecordsForADuration()
    {
        V1Fixture f;
        QVERIFY(f.setUp());
        AgentProcess agent;
        const quint16 port = agent.listen(f.agentArgs());
        QVERIFY(port);
        AttachOptions o;
        o.target = u"127.0.0.1:%1"_s.arg(port);
        o.dbPath = f.dbPath();
        o.durationSeconds = 3;
        QString outText;
        QString errText;
        QTextStream out(&outText);
        QTextStream err(&errText);
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(runAttach(o, out, err), 0);
        QVERIFY(timer.elapsed() >= 2900);
        QVERIFY(timer.elapsed() < 10000);
        out.flush();
        QVERIFY2(outText.contains(kReport), qPrintable(outText));
        QVERIFY2(outText.contains(u"stored this run"_s), qPrintable(outText));
        agent.stop();

        Workspace ws;
        QVERIFY(ws.open(f.dbPath()));
        SampleStore store(ws);
        qint64 total = 0;
        for (const SeriesInfo &s : store.series())
            total += s.count;
        // 2 cgroups at 10 Hz for ~3 s (the first tick comes at once).
        QVERIFY2(total >= 40, qPrintable(QString::number(total)));

        // A target that does not parse, and one that refuses: exit codes 2 and 1.
        o.target = u"nonsense:99999"_s;
        QCOMPARE(runAttach(o, out, err), 2);
    }
};

QTEST_GUILESS_MAIN(TestRemote)
#include "tst_remote.moc"
