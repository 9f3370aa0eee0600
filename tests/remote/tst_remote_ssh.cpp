// SPDX-License-Identifier: GPL-3.0-or-later
// The workbench attached to `oomscope-agent --stdio` through a real ssh to a private sshd on
// loopback: the feed goes live, samples and the OOM event are recorded under the agent's
// hostname, and losing the sshd makes the client reconnect instead of giving up.
#include "../agent/agenttestutil.h"
#include "agentclient.h"
#include "agentendpoint.h"
#include "feedrecorder.h"
#include "samplestore.h"
#include "workspace.h"

#include <QHostAddress>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>
#include <map>
#include <set>
#include <unistd.h>

using namespace oomscope;
using namespace agenttest;
using oomscope::testsupport::freeLoopbackPort;
using namespace Qt::StringLiterals;

namespace {

const QString kAgent = QStringLiteral(OOMSCOPE_AGENT_BINARY);
const QString kSshd = u"/usr/sbin/sshd"_s; // sshd refuses to re-exec itself from a relative path

// Runs a short tool to completion; false with *error (its stderr) when it fails.
bool runTool(const QString &program, const QStringList &args, QString *error)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(15000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error =
            u"%1 %2 failed: %3"_s.arg(program, args.join(u' '), QString::fromUtf8(p.readAllStandardError()));
        return false;
    }
    return true;
}

// Parent pid of every process, from /proc/<pid>/stat (the field after the command's ')').
std::multimap<qint64, qint64> childrenByParent()
{
    std::multimap<qint64, qint64> out;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : entries) {
        bool ok = false;
        const qint64 pid = name.toLongLong(&ok);
        if (!ok)
            continue;
        QFile f(u"/proc/%1/stat"_s.arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1)
            out.emplace(fields[1].toLongLong(), pid);
    }
    return out;
}

std::set<qint64> descendantsOf(qint64 root)
{
    const std::multimap<qint64, qint64> children = childrenByParent();
    std::set<qint64> out;
    std::vector<qint64> todo {root};
    while (!todo.empty()) {
        const qint64 pid = todo.back();
        todo.pop_back();
        for (auto [it, end] = children.equal_range(pid); it != end; ++it)
            if (out.insert(it->second).second)
                todo.push_back(it->second);
    }
    return out;
}

// The private sshd; stop() kills it with its sessions (they run in their own sessions, so
// killing the listener alone would leave an established connection alive). Always stopped.
struct Sshd {
    QProcess process;
    QByteArray log;
    std::set<qint64> sessionPids() { return descendantsOf(process.processId()); }
    void stop()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        const std::set<qint64> sessions = sessionPids();
        process.kill();
        process.waitForFinished(5000);
        for (qint64 pid : sessions)
            ::kill(pid_t(pid), SIGKILL);
        log += process.readAllStandardError();
    }
    ~Sshd() { stop(); }
};

// Waits until something accepts on 127.0.0.1:port (or the sshd died).
bool waitForAccept(quint16 port, Sshd &sshd, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs && sshd.process.state() == QProcess::Running) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        if (s.waitForConnected(300))
            return true;
        sshd.process.waitForFinished(100); // also collects its stderr; returns at once while it runs
    }
    return false;
}

} // namespace

class TestRemoteSsh : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sshStdioLiveOomEventAndReconnect()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: the private sshd logs in as root with a key (run as root)");
        if (!QFileInfo(kSshd).isExecutable())
            QSKIP("/usr/sbin/sshd missing (Debian package openssh-server)");
        const QString ssh = QStandardPaths::findExecutable(u"ssh"_s);
        const QString keygen = QStandardPaths::findExecutable(u"ssh-keygen"_s);
        if (ssh.isEmpty() || keygen.isEmpty())
            QSKIP("ssh or ssh-keygen missing (Debian package openssh-client)");

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString d = dir.path();
        QVERIFY2(!d.contains(u' '), "the remote command line is split by the node's shell");
        QString error;
        QVERIFY2(runTool(keygen,
                         {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, d + u"/host_key"_s},
                         &error),
                 qPrintable(error));
        QVERIFY2(runTool(keygen,
                         {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, d + u"/client_key"_s},
                         &error),
                 qPrintable(error));
        QVERIFY(QFile::copy(d + u"/client_key.pub"_s, d + u"/authorized_keys"_s));

        const quint16 port = freeLoopbackPort();
        QVERIFY(port);
        const QString config = d + u"/sshd_config"_s;
        writeFileAtomically(
            config,
            u"Port %1\nListenAddress 127.0.0.1\nHostKey %2/host_key\nAuthorizedKeysFile %2/authorized_keys\n"
            "PermitRootLogin prohibit-password\nPubkeyAuthentication yes\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile %2/sshd.pid\n"
            "UseDNS no\nPrintMotd no\nLogLevel VERBOSE\n"_s.arg(port)
                .arg(d)
                .toUtf8());
        // Privilege separation wants its empty directory; a container has no /run/sshd.
        QVERIFY(QDir().mkpath(u"/run/sshd"_s));
        QVERIFY2(runTool(kSshd, {u"-t"_s, u"-f"_s, config}, &error), qPrintable(error));

        Sshd sshd;
        sshd.process.start(kSshd, {u"-D"_s, u"-e"_s, u"-f"_s, config});
        QVERIFY2(sshd.process.waitForStarted(5000), qPrintable(sshd.process.errorString()));
        QVERIFY2(waitForAccept(port, sshd, 10000), sshd.process.readAllStandardError().constData());

        // The node's view: the build-tree agent on a v1 fixture with the 6.18 memcg OOM in its log.
        const QString cgroupRoot = d + u"/cg"_s;
        const QString procRoot = d + u"/proc"_s;
        const QString kmsg = d + u"/kmsg"_s;
        QVERIFY(copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1"), cgroupRoot));
        QVERIFY(copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), procRoot));
        QVERIFY(QFile::copy(QStringLiteral(OOMSCOPE_TEST_DATA "/e2e/kmsg-6.18-memcg-v1-oomkill.kmsg"), kmsg));

        AgentConnectOptions o;
        const Result<AgentEndpoint> ep = AgentEndpoint::parse(u"ssh://root@127.0.0.1:%1"_s.arg(port));
        QVERIFY2(ep, qPrintable(ep ? QString() : ep.error().message));
        QCOMPARE(ep->kind, AgentEndpoint::Kind::Ssh);
        o.endpoint = *ep;
        // -F /dev/null: the user's ssh config must not redirect or slow the test.
        o.sshArguments = {u"-F"_s, u"/dev/null"_s,
                          u"-i"_s, d + u"/client_key"_s,
                          u"-o"_s, u"IdentitiesOnly=yes"_s,
                          u"-o"_s, u"StrictHostKeyChecking=no"_s,
                          u"-o"_s, u"UserKnownHostsFile=%1/known_hosts"_s.arg(d),
                          u"-o"_s, u"ConnectTimeout=5"_s,
                          u"-o"_s, u"LogLevel=ERROR"_s};
        o.remoteAgentPath = kAgent;
        o.agentArguments = {u"--cgroup-root"_s, cgroupRoot, u"--proc-root"_s, procRoot,
                            u"--kmsg"_s,        kmsg,       u"--interval"_s,  u"100ms"_s};
        o.minBackoffMs = 200;
        o.maxBackoffMs = 1000;
        o.batchIntervalMs = 100;
        o.connectTimeoutMs = 15000; // ssh key exchange on a loaded machine

        const QString dbPath = d + u"/ws.sqlite"_s;
        FeedRecorderThread recorder;
        const Result<void> started = recorder.start(dbPath);
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        AgentClient client(o);
        client.setRecorder(recorder.recorder());
        QSignalSpy states(&client, &AgentClient::stateChanged);
        client.start();
        QTRY_VERIFY2_WITH_TIMEOUT(client.state() == AgentClient::State::Live,
                                  qPrintable(client.status().message + u"\nsshd: "_s
                                             + QString::fromUtf8(sshd.process.readAllStandardError())),
                                  12000); // QTRY doubles this before failing
        QCOMPARE(client.status().reconnects, 0);
        // The agent serving us is the build-tree binary running under the sshd, not a local child.
        bool agentUnderSshd = false;
        for (qint64 pid : sshd.sessionPids())
            agentUnderSshd |= QFileInfo(u"/proc/%1/exe"_s.arg(pid)).canonicalFilePath()
                == QFileInfo(kAgent).canonicalFilePath();
        QVERIFY(agentUnderSshd);
        QCOMPARE(client.status().hostname, QSysInfo::machineHostName());

        QTRY_VERIFY_WITH_TIMEOUT(client.status().eventsStored >= 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(client.status().samplesStored >= 4, 10000);

        // The node's sshd dies with its sessions: a lost link, retried, never an error.
        const QString hostname = client.status().hostname;
        sshd.stop();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AgentClient::State::Reconnecting, 10000);
        QVERIFY(!client.status().message.isEmpty());
        // Further attempts fail (connection refused); the client keeps retrying.
        QTRY_VERIFY_WITH_TIMEOUT(client.status().reconnects >= 2, 10000);
        QVERIFY(client.state() == AgentClient::State::Reconnecting
                || client.state() == AgentClient::State::Connecting);
        for (const QList<QVariant> &s : std::as_const(states))
            QVERIFY(s.first().value<AgentClient::State>() != AgentClient::State::Error);

        client.detach();
        QCOMPARE(client.status().eventsStored, 1);
        recorder.stop();

        Workspace ws;
        QVERIFY(ws.open(dbPath));
        const std::vector<EventSummary> events = ws.events();
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].victimPid, 10100);
        const std::vector<SourceInfo> sources = ws.sources();
        QCOMPARE(sources.size(), std::size_t(1));
        QVERIFY2(sources[0].name.startsWith(u"agent://"_s + hostname + u"/seq-"_s),
                 qPrintable(sources[0].name));
        SampleStore store(ws);
        qint64 samples = 0;
        for (const SeriesInfo &s : store.series()) {
            QCOMPARE(s.host, hostname);
            samples += qint64(store.samples(s.id, 0, std::numeric_limits<std::int64_t>::max()).size());
        }
        QVERIFY(samples >= 4);
        QCOMPARE(samples, client.status().samplesReceived); // detach hands everything received over
    }
};

QTEST_GUILESS_MAIN(TestRemoteSsh)
#include "tst_remote_ssh.moc"
