// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentserver.h"

#include "agentprotocol.h"
#include "cgroupdiscovery.h"
#include "clientsession.h"
#include "fdstream.h"
#include "kubeletpods.h"
#include "metricsexporter.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QSysInfo>
#include <QTcpServer>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <sys/resource.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

// QSslServer arrived in Qt 6.4's successor; a QTcpServer hands us the descriptor instead.
class AgentTcpServer : public QTcpServer
{
public:
    explicit AgentTcpServer(AgentServer *agent)
        : QTcpServer(agent)
        , m_agent(agent)
    { }

protected:
    void incomingConnection(qintptr socketDescriptor) override
    {
        m_agent->acceptConnection(socketDescriptor);
    }

private:
    AgentServer *m_agent;
};

namespace {

qint64 bootTimeMs()
{
    timespec real {};
    timespec boot {};
    ::clock_gettime(CLOCK_REALTIME, &real);
    ::clock_gettime(CLOCK_BOOTTIME, &boot);
    const qint64 realMs = qint64(real.tv_sec) * 1000 + real.tv_nsec / 1000000;
    const qint64 bootMs = qint64(boot.tv_sec) * 1000 + boot.tv_nsec / 1000000;
    return realMs - bootMs;
}

std::optional<QSslKey> loadKey(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray pem = f.readAll();
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return std::nullopt;
}

} // namespace

AgentServer::AgentServer(AgentOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_instance(QString::number(QRandomGenerator::global()->generate64(), 16))
    , m_buffer(m_options.bufferRecords, m_options.bufferBytes)
{
    qRegisterMetaType<SampleBatchPtr>();
    qRegisterMetaType<KmsgRecordBatchPtr>();
}

AgentServer::~AgentServer()
{
    stop();
}

Result<void> AgentServer::start()
{
    // A client vanishing mid-write must not kill the agent.
    ::signal(SIGPIPE, SIG_IGN);

    if (m_options.tls()) {
        if (Result<void> tls = loadTls(); !tls)
            return tls;
    }
    chooseCgroups();
    if (!m_options.stdio) {
        if (Result<void> listening = listen(); !listening)
            return listening;
    }
    startSampler();
    startKmsgTail();

    m_worker->start();
    m_sampler->start();
    m_kmsg->start();
    startKubelet();

    m_heartbeatTimer = new QTimer(this);
    connect(m_heartbeatTimer, &QTimer::timeout, this, &AgentServer::heartbeat);
    m_heartbeatTimer->start(m_options.heartbeatMs);
    if (m_options.cgroups.isEmpty() && m_options.rediscoverMs > 0) {
        m_rediscoverTimer = new QTimer(this);
        connect(m_rediscoverTimer, &QTimer::timeout, this, &AgentServer::rediscover);
        m_rediscoverTimer->start(m_options.rediscoverMs);
    }
    qInfo("sampling %lld cgroups every %d ms (cgroup v%d under %s)", qint64(m_paths.size()),
          m_options.intervalMs, int(m_cgroupVersion), qPrintable(m_options.cgroupRoot));
    return {};
}

// The certificate chain and key of --tls-cert/--tls-key into the server's TLS configuration.
Result<void> AgentServer::loadTls()
{
    if (!QSslSocket::supportsSsl())
        return fail(Error::Kind::Invalid,
                    u"TLS requested but Qt has no working TLS backend (install OpenSSL 3: libssl3)"_s);
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_options.tlsCertFile, QSsl::Pem);
    if (chain.isEmpty())
        return fail(Error::Kind::Invalid,
                    u"--tls-cert %1: no PEM certificate in it"_s.arg(m_options.tlsCertFile));
    const std::optional<QSslKey> key = loadKey(m_options.tlsKeyFile);
    if (!key)
        return fail(Error::Kind::Invalid,
                    u"--tls-key %1: no unencrypted PEM private key (RSA, EC or DSA) in it"_s.arg(
                        m_options.tlsKeyFile));
    m_sslConfig = QSslConfiguration::defaultConfiguration();
    m_sslConfig.setLocalCertificateChain(chain);
    m_sslConfig.setPrivateKey(*key);
    m_sslConfig.setProtocol(QSsl::TlsV1_2OrLater);
    m_sslConfig.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate by token
    return {};
}

// The cgroup hierarchy's version and the paths to sample (configured, else discovered).
void AgentServer::chooseCgroups()
{
    CgroupReader reader(m_options.cgroupRoot, m_options.procRoot);
    m_cgroupVersion = reader.version();
    if (m_cgroupVersion == CgroupVersion::None)
        qWarning("no memory cgroup controller found under %s; serving the kernel log only",
                 qPrintable(m_options.cgroupRoot));
    bool truncated = false;
    m_paths = m_options.cgroups.isEmpty() ? discoverPaths(&truncated) : m_options.cgroups;
    if (truncated)
        qWarning(
            "more than %d cgroups: sampling the first %d (raise --max-cgroups or name them with --cgroup)",
            m_options.maxCgroups, m_options.maxCgroups);
}

Result<void> AgentServer::listen()
{
    auto *tcp = new AgentTcpServer(this);
    tcp->setMaxPendingConnections(m_options.maxClients);
    if (!tcp->listen(m_options.listenAddress, m_options.listenPort)) {
        Error error {Error::Kind::Network,
                     u"cannot listen on %1:%2: %3"_s.arg(m_options.listenAddress.toString())
                         .arg(m_options.listenPort)
                         .arg(tcp->errorString())};
        delete tcp;
        return tl::unexpected(std::move(error));
    }
    m_tcp = tcp;
    qInfo("listening on %s:%u (%s)", qPrintable(m_options.listenAddress.toString()),
          unsigned(m_tcp->serverPort()), m_options.tls() ? "TLS" : "plain TCP");
    return {};
}

// The sampler on the worker thread; its batches and events become records.
void AgentServer::startSampler()
{
    m_worker = std::make_unique<WorkerThread>(u"oomscope-agent sampler"_s);
    SamplerConfig sc;
    sc.cgroupRoot = m_options.cgroupRoot;
    sc.procRoot = m_options.procRoot;
    sc.paths = m_paths;
    sc.intervalMs = m_options.intervalMs;
    sc.sampleProcesses = m_options.sampleProcesses;
    sc.resetV1Peak = m_options.resetV1Peak;
    if (m_options.warnHorizonMs > 0) {
        EarlyWarningOptions wo;
        wo.horizonSeconds = m_options.warnHorizonMs / 1000.0;
        m_warnings.emplace(wo);
        sc.kernelSignals = true;
    }
    if (m_options.cgroups.isEmpty()) {
        // A cgroup made between two rediscoveries is sampled from the next tick on.
        sc.followSubtrees = {u"/"_s};
        sc.maxPaths = m_options.maxCgroups;
    }
    m_sampler = m_worker->adopt(new Sampler(sc));
    connect(m_sampler, &Sampler::batchReady, this, &AgentServer::ingestBatch);
    connect(m_sampler, &Sampler::killDetected, this,
            [this](const QString &path, qint64 timestampMs, qint64 count) {
                appendRecord({{u"type"_s, u"kill"_s},
                              {u"cgroup"_s, path},
                              {u"timestamp"_s, timestampMs},
                              {u"count"_s, count}});
            });
    connect(m_sampler, &Sampler::cgroupVanished, this, [this](const QString &path, qint64 timestampMs) {
        appendRecord({{u"type"_s, u"cgroup"_s},
                      {u"cgroup"_s, path},
                      {u"timestamp"_s, timestampMs},
                      {u"state"_s, u"vanished"_s}});
    });
    connect(m_sampler, &Sampler::cgroupAppeared, this, [this](const QString &path, qint64 timestampMs) {
        appendRecord({{u"type"_s, u"cgroup"_s},
                      {u"cgroup"_s, path},
                      {u"timestamp"_s, timestampMs},
                      {u"state"_s, u"appeared"_s}});
    });
    connect(m_sampler, &Sampler::cgroupsFollowed, this, [this](const QStringList &paths, qint64 timestampMs) {
        for (const QString &path : paths) {
            if (!m_paths.contains(path))
                m_paths << path;
            appendRecord({{u"type"_s, u"cgroup"_s},
                          {u"cgroup"_s, path},
                          {u"timestamp"_s, timestampMs},
                          {u"state"_s, u"created"_s}});
        }
    });
    connect(m_sampler, &Sampler::kernelSignal, this, [this](const KernelSignal &signal) {
        if (m_warnings) {
            if (const std::optional<EarlyWarning> w = m_warnings->addSignal(signal))
                appendRecord(warningRecordJson(*w));
        }
    });
    connect(m_sampler, &Sampler::statusMessage, this,
            [](const QString &message) { qInfo("sampler: %s", qPrintable(message)); });
}

// --kubelet-url: the node's pods as a "pods" record whenever they change, names on /metrics.
void AgentServer::startKubelet()
{
    if (m_options.kubeletUrl.isEmpty())
        return;
    KubeletOptions ko;
    ko.url = QUrl(m_options.kubeletUrl);
    ko.tokenFile = m_options.kubeletTokenFile;
    ko.caFile = m_options.kubeletCaFile;
    ko.insecure = m_options.kubeletInsecure;
    m_kubelet = new KubeletPods(ko, this);
    connect(m_kubelet, &KubeletPods::podsChanged, this, [this](const std::vector<KubePod> &pods) {
        appendRecord(podsRecordJson(pods, QDateTime::currentMSecsSinceEpoch()));
        for (ClientSession *s : std::vector<ClientSession *>(m_sessions))
            s->pump();
    });
    // A new container's cgroup: its pod is asked for at once rather than at the next refresh.
    connect(m_sampler, &Sampler::cgroupAppeared, m_kubelet, [this] { m_kubelet->refreshSoon(); });
    connect(m_sampler, &Sampler::cgroupsFollowed, m_kubelet, [this] { m_kubelet->refreshSoon(); });
    m_kubelet->start();
}

// The kernel log tail on the worker thread; its records and OOM reports become records.
void AgentServer::startKmsgTail()
{
    KmsgTailConfig kc;
    kc.path = m_options.kmsgPath;
    kc.fromStart = m_options.kmsgHistory;
    m_kmsg = m_worker->adopt(new KmsgTail(kc));
    connect(m_kmsg, &KmsgTail::recordsRead, this, &AgentServer::onKmsgRecords);
    connect(m_kmsg, &KmsgTail::oomEvent, this, [this](const OomEvent &event, qint64 firstSeq) {
        appendRecord(oomEventRecordJson(event, firstSeq));
    });
    connect(m_kmsg, &KmsgTail::recordsLost, this, [this](qint64 count) {
        if (count > 0)
            m_kmsgLost += count;
        appendRecord({{u"type"_s, u"kmsg_lost"_s}, {u"count"_s, count}});
    });
    connect(m_kmsg, &KmsgTail::unavailable, this, [this](const QString &reason) {
        m_kmsgAvailable = false;
        qWarning("kernel log unavailable (%s); serving samples only", qPrintable(reason));
    });
    connect(m_kmsg, &KmsgTail::opened, this, [this](const QString &path) {
        m_kmsgAvailable = true;
        qInfo("following kernel log %s", qPrintable(path));
    });
}

void AgentServer::stop()
{
    if (m_tcp)
        m_tcp->close();
    if (m_heartbeatTimer)
        m_heartbeatTimer->stop();
    if (m_rediscoverTimer)
        m_rediscoverTimer->stop();
    if (m_worker) {
        m_worker->stop();
        m_worker.reset();
        m_sampler = nullptr;
        m_kmsg = nullptr;
    }
}

int AgentServer::clientCount() const
{
    return int(std::count_if(m_sessions.begin(), m_sessions.end(), [](const ClientSession *c) {
        return c->state() != ClientSession::State::Closing;
    }));
}

QStringList AgentServer::discoverPaths(bool *truncated) const
{
    CgroupReader reader(m_options.cgroupRoot, m_options.procRoot);
    QStringList paths;
    *truncated = false;
    if (reader.version() == CgroupVersion::None)
        return paths;
    for (const CgroupInfo &info : CgroupDiscovery(reader).discover()) {
        if (paths.size() >= m_options.maxCgroups) {
            *truncated = true;
            break;
        }
        paths.append(info.path);
    }
    return paths;
}

void AgentServer::rediscover()
{
    bool truncated = false;
    const QStringList paths = discoverPaths(&truncated);
    if (paths != m_paths && m_sampler) {
        m_paths = paths;
        m_sampler->setPaths(paths);
    }
}

void AgentServer::serveStdio(int readFd, int writeFd)
{
    auto *stream = new FdStream(readFd, writeFd);
    auto *session = new ClientSession(this, stream, u"stdio"_s, true);
    addSession(session);
}

quint16 AgentServer::serverPort() const
{
    return m_tcp ? m_tcp->serverPort() : 0;
}

void AgentServer::noteRejected(const char *why)
{
    ++m_connectionsRejected;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastRejectLogMs > 10000) { // a flood must not flood the log too
        m_lastRejectLogMs = now;
        qWarning("refusing connections: %s (%lld so far)", why, m_connectionsRejected);
    }
}

void AgentServer::acceptConnection(qintptr socketDescriptor)
{
    if (clientCount() >= m_options.maxClients
        && !evictOldestPending([](const ClientSession *c) { return c->isPending(); },
                               "full: the oldest unauthenticated connections are evicted")) {
        // Full of authenticated clients: those stay.
        ::close(int(socketDescriptor));
        noteRejected("the connection limit is reached by authenticated clients");
        return;
    }
    QTcpSocket *socket = m_options.tls() ? new QSslSocket : new QTcpSocket;
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    const QHostAddress address = socket->peerAddress();
    if (isBlocked(address, QDateTime::currentMSecsSinceEpoch())) {
        socket->abort();
        delete socket;
        noteRejected("an address is blocked after repeated failed authentications");
        return;
    }
    evictPending(address);
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        ssl->setSslConfiguration(m_sslConfig);
        connect(ssl, &QSslSocket::sslErrors, ssl, [ssl](const QList<QSslError> &) { ssl->abort(); });
        ssl->startServerEncryption();
    }
    const QString peer = u"%1:%2"_s.arg(address.toString()).arg(socket->peerPort());
    addSession(new ClientSession(this, socket, peer, false));
}

void AgentServer::evictPending(const QHostAddress &address)
{
    int pending = 0;
    int pendingFromPeer = 0;
    for (const ClientSession *c : m_sessions) {
        if (c->isPending()) {
            ++pending;
            pendingFromPeer += c->peerAddress() == address ? 1 : 0;
        }
    }
    if (pendingFromPeer >= kMaxPendingPerPeer)
        evictOldestPending(
            [&](const ClientSession *c) { return c->isPending() && c->peerAddress() == address; },
            "too many unauthenticated connections from one address: the oldest are evicted");
    else if (pending >= maxPendingSessions())
        evictOldestPending([](const ClientSession *c) { return c->isPending(); },
                           "too many unauthenticated connections: the oldest are evicted");
}

bool AgentServer::evictOldestPending(const std::function<bool(const ClientSession *)> &matches,
                                     const char *why)
{
    // m_sessions is in order of arrival: the first match is the oldest.
    const auto it = std::find_if(m_sessions.begin(), m_sessions.end(), matches);
    if (it == m_sessions.end())
        return false;
    noteRejected(why);
    (*it)->fail(u"busy"_s, {});
    return true;
}

bool AgentServer::isBlocked(const QHostAddress &address, qint64 nowMs)
{
    const auto it = m_peerAuth.constFind(address);
    return it != m_peerAuth.constEnd() && it->blockedUntilMs > nowMs;
}

void AgentServer::addSession(ClientSession *session)
{
    m_sessions.push_back(session);
    connect(session, &ClientSession::finished, this, [this](ClientSession *s) {
        const bool stdio = s->peer() == u"stdio";
        std::erase(m_sessions, s);
        s->deleteLater();
        Q_EMIT clientFinished();
        if (stdio && m_options.stdio)
            Q_EMIT stdioFinished();
    });
}

qint64 AgentServer::appendRecord(QJsonObject record)
{
    const qint64 seq = m_buffer.nextSeq();
    record.insert("seq"_L1, seq);
    m_buffer.append(jsonLine(record));
    return seq;
}

void AgentServer::ingestBatch(const SampleBatchPtr &batch)
{
    if (!batch)
        return;
    m_lastBatch = batch;
    for (const SampledCgroup &c : batch->cgroups) {
        appendRecord(sampleRecordJson(*batch, c));
        if (m_warnings && c.present) {
            if (const std::optional<EarlyWarning> w = m_warnings->addSample(c.path, c.memory, c.processes))
                appendRecord(warningRecordJson(*w));
        } else if (m_warnings) {
            m_warnings->forget(c.path);
        }
    }
    for (ClientSession *s : std::vector<ClientSession *>(m_sessions))
        s->pump();
    Q_EMIT recordsAppended(m_buffer.newestSeq());
}

void AgentServer::onKmsgRecords(const KmsgRecordBatchPtr &records)
{
    if (!records || records->empty())
        return;
    for (const KmsgRecord &r : *records)
        appendRecord(kmsgRecordJson(KmsgFrame {r.seq, r.usec, r.level, r.facility, r.line}));
    for (ClientSession *s : std::vector<ClientSession *>(m_sessions))
        s->pump();
    Q_EMIT recordsAppended(m_buffer.newestSeq());
}

void AgentServer::heartbeat()
{
    for (ClientSession *s : std::vector<ClientSession *>(m_sessions)) {
        s->pump(); // records appended outside a batch (kills, kmsg_lost) go out here at the latest
        s->sendHeartbeat();
    }
}

QJsonObject AgentServer::helloJson() const
{
    timespec boot {};
    ::clock_gettime(CLOCK_BOOTTIME, &boot);
    AgentHello h;
    h.agentVersion = QStringLiteral(OOMSCOPE_VERSION);
    h.instance = m_instance;
    h.hostname = m_options.nodeName.isEmpty() ? QSysInfo::machineHostName() : m_options.nodeName;
    h.kernelRelease = QSysInfo::kernelVersion();
    h.bootTimeMs = bootTimeMs();
    h.timestampMs = QDateTime::currentMSecsSinceEpoch();
    h.boottimeSeconds = double(boot.tv_sec) + double(boot.tv_nsec) / 1e9;
    h.cgroupVersion = int(m_cgroupVersion);
    h.cgroupRoot = m_options.cgroupRoot;
    h.cgroups = qint64(m_paths.size());
    h.intervalMs = m_options.intervalMs;
    h.heartbeatMs = m_options.heartbeatMs;
    h.kmsg = m_kmsgAvailable;
    h.oldestSeq = m_buffer.oldestSeq();
    h.newestSeq = m_buffer.newestSeq();
    h.bufferCapacity = m_buffer.capacity();
    return helloFrameJson(h);
}

bool AgentServer::checkToken(const QByteArray &presented) const
{
    if (m_options.token.isEmpty())
        return true;
    // Constant time in the token's content, so the comparison leaks nothing but the length.
    unsigned char diff = presented.size() == m_options.token.size() ? 0 : 1;
    for (qsizetype i = 0; i < m_options.token.size(); ++i)
        diff |= static_cast<unsigned char>(m_options.token[i] ^ (i < presented.size() ? presented[i] : 0));
    return diff == 0;
}

void AgentServer::noteAuthFailure(const QHostAddress &address, const QString &peer)
{
    ++m_authFailures;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_peerAuth.size() > 4096) // bounded: forget addresses whose window has passed
        m_peerAuth.removeIf([now](const auto &entry) {
            return now - entry.value().windowStartMs > kAuthWindowMs && entry.value().blockedUntilMs <= now;
        });
    PeerAuth &p = m_peerAuth[address];
    if (now - p.windowStartMs > kAuthWindowMs) {
        p.windowStartMs = now;
        p.failures = 0;
    }
    if (++p.failures == 1) // one line per burst
        qWarning("client %s: rejected: missing or wrong token", qPrintable(peer));
    if (p.failures == kAuthFailuresPerWindow) {
        p.blockedUntilMs = now + kAuthWindowMs;
        qWarning("%s: %d failed authentications within %lld s; refusing its connections for %lld s",
                 qPrintable(address.toString()), kAuthFailuresPerWindow, kAuthWindowMs / 1000,
                 kAuthWindowMs / 1000);
    }
}

AgentSelfStats AgentServer::selfStats() const
{
    AgentSelfStats s;
    s.bufferRecords = m_buffer.size();
    s.bufferBytes = m_buffer.bytes();
    s.newestSeq = m_buffer.newestSeq();
    s.clients = clientCount();
    s.connectionsRejected = m_connectionsRejected;
    s.clientsDropped = m_clientsDropped;
    s.authFailures = m_authFailures;
    s.kmsgRecordsLost = m_kmsgLost;
    s.lastSampleSeconds = m_lastBatch ? double(m_lastBatch->readCostUs) / 1e6 : 0;
    rusage ru {};
    if (::getrusage(RUSAGE_SELF, &ru) == 0) {
        s.cpuSeconds = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
            + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        s.peakResidentBytes = qint64(ru.ru_maxrss) * 1024;
    }
    QFile statm(u"/proc/self/statm"_s);
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1)
            s.residentBytes = fields[1].toLongLong() * ::sysconf(_SC_PAGESIZE);
    }
    return s;
}

QByteArray AgentServer::metricsText() const
{
    return renderPrometheusMetrics(m_lastBatch.get(), selfStats(),
                                   m_kubelet ? &m_kubelet->directory() : nullptr);
}

} // namespace oomscope
