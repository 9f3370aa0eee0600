// SPDX-License-Identifier: GPL-3.0-or-later
// The agent's core: samples cgroups and follows the kernel log on a worker thread, numbers every
// record into the replay buffer, and serves it to stream clients (TCP, TLS or stdio) and as
// Prometheus metrics on the same port.
#pragma once

#include "agentoptions.h"
#include "earlywarning.h"
#include "kmsgtail.h"
#include "recordbuffer.h"
#include "result.h"
#include "sampler.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>

#include <functional>
#include <memory>
#include <vector>

class QTcpServer;
class QTimer;

namespace oomscope {

class ClientSession;
class KubeletPods;

// What the agent reports about itself (metrics, benchmarks).
struct AgentSelfStats {
    qint64 bufferRecords = 0;
    qint64 bufferBytes = 0;
    qint64 newestSeq = 0;
    int clients = 0;
    qint64 connectionsRejected = 0;
    qint64 clientsDropped = 0;
    qint64 authFailures = 0;
    qint64 kmsgRecordsLost = 0;
    double lastSampleSeconds = 0; // read cost of the last tick
    double cpuSeconds = 0; // user + system, getrusage(RUSAGE_SELF)
    qint64 residentBytes = 0; // /proc/self/statm
    qint64 peakResidentBytes = 0; // ru_maxrss
};

class AgentServer : public QObject
{
    Q_OBJECT

public:
    explicit AgentServer(AgentOptions options, QObject *parent = nullptr);
    ~AgentServer() override;

    // Opens the listener (not in stdio mode), starts sampling and the kernel log tail. An error
    // when something the agent cannot work without failed (TLS files, the listening socket).
    Result<void> start();
    // Serves one client over two file descriptors (stdin/stdout); stdioFinished() when it ends.
    void serveStdio(int readFd, int writeFd);
    void stop();

    quint16 serverPort() const;
    const AgentOptions &options() const { return m_options; }
    const RecordBuffer &buffer() const { return m_buffer; }
    QStringList cgroupPaths() const { return m_paths; }
    int clientCount() const; // connections not closing
    QJsonObject helloJson() const;
    QString instanceId() const { return m_instance; }
    QByteArray metricsText() const;
    AgentSelfStats selfStats() const;

    // Appends one record (the seq is added here) and wakes the streaming clients.
    qint64 appendRecord(QJsonObject record);
    // What a sampler batch becomes: one "sample" record per cgroup, and the metrics state.
    void ingestBatch(const SampleBatchPtr &batch);

    // Used by sessions.
    bool checkToken(const QByteArray &presented) const;
    // Counts a failed authentication; logs once per burst and, past kAuthFailuresPerWindow
    // failures in kAuthWindowMs from one address, refuses that address for kAuthWindowMs.
    void noteAuthFailure(const QHostAddress &address, const QString &peer);
    void noteDropped() { ++m_clientsDropped; }

    // Connections that have not authenticated yet may hold at most this many slots (the rest
    // are kept for authenticated clients), at most kMaxPendingPerPeer from one address.
    int maxPendingSessions() const { return std::max(1, m_options.maxClients / 2); }
    static constexpr int kMaxPendingPerPeer = 8;
    static constexpr int kAuthFailuresPerWindow = 10;
    static constexpr qint64 kAuthWindowMs = 10'000;

Q_SIGNALS:
    void recordsAppended(qint64 newestSeq);
    void stdioFinished();
    void clientFinished();

private:
    friend class AgentTcpServer;
    Result<void> loadTls();
    void chooseCgroups();
    Result<void> listen();
    void startSampler();
    void startKmsgTail();
    void startKubelet();
    struct PeerAuth {
        qint64 windowStartMs = 0;
        int failures = 0;
        qint64 blockedUntilMs = 0;
    };
    void acceptConnection(qintptr socketDescriptor);
    void addSession(ClientSession *session);
    // Makes room for a new connection: evicts the oldest pending session of the same address
    // past kMaxPendingPerPeer, and the oldest pending session of all past maxPendingSessions().
    // A new connection is therefore always admitted while authenticated clients leave room, and
    // idle connections cannot lock the real client out.
    void evictPending(const QHostAddress &address);
    // Ends the oldest session that matches (an unauthenticated one); false when none does.
    bool evictOldestPending(const std::function<bool(const ClientSession *)> &matches, const char *why);
    bool isBlocked(const QHostAddress &address, qint64 nowMs);
    void noteRejected(const char *why);
    void onKmsgRecords(const KmsgRecordBatchPtr &records);
    void heartbeat();
    void rediscover();
    QStringList discoverPaths(bool *truncated) const;

    AgentOptions m_options;
    QString m_instance;
    RecordBuffer m_buffer;
    CgroupVersion m_cgroupVersion = CgroupVersion::None;
    QStringList m_paths;
    std::unique_ptr<WorkerThread> m_worker;
    Sampler *m_sampler = nullptr;
    KmsgTail *m_kmsg = nullptr;
    bool m_kmsgAvailable = false;
    QTcpServer *m_tcp = nullptr;
    QSslConfiguration m_sslConfig;
    QTimer *m_heartbeatTimer = nullptr;
    QTimer *m_rediscoverTimer = nullptr;
    std::vector<ClientSession *> m_sessions;
    SampleBatchPtr m_lastBatch;
    KubeletPods *m_kubelet = nullptr; // --kubelet-url only
    std::optional<EarlyWarningMonitor> m_warnings; // --warn-horizon > 0
    qint64 m_connectionsRejected = 0;
    qint64 m_clientsDropped = 0;
    qint64 m_authFailures = 0;
    qint64 m_kmsgLost = 0;
    qint64 m_lastRejectLogMs = 0;
    QHash<QHostAddress, PeerAuth> m_peerAuth;
};

} // namespace oomscope
