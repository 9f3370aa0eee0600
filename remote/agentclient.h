// SPDX-License-Identifier: GPL-3.0-or-later
// Follows one node's oomscope-agent feed (TCP, TLS, ssh or a local command): subscribes from the
// stored cursor, batches the records for a FeedRecorder, reconnects with backoff and resumes,
// and reports what the link is doing. No GUI; one client per node.
#pragma once

#include "agentendpoint.h"
#include "feedbatch.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>
#include <optional>

class QIODevice;
class QProcess;
class QSslSocket;
class QTimer;

namespace oomscope {

class FeedRecorder;
struct FeedStoreReport;

class AgentClient : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle, // not started
        Connecting, // link opening, waiting for the hello
        Live, // hello received, records flowing
        Reconnecting, // link lost; next attempt at Status::nextRetry
        Error, // needs the user (wrong token, untrusted certificate): no further attempts
        Detached, // stopped by detach()
    };
    Q_ENUM(State)

    struct Status {
        State state = State::Idle;
        QString node;
        QString hostname; // from the hello
        QString instance;
        QString kernelRelease;
        qint64 lastSeq = 0; // last record received
        qint64 recordsReceived = 0;
        qint64 samplesReceived = 0;
        qint64 eventsReceived = 0;
        qint64 warningsReceived = 0; // the agent's early warnings (warning records)
        qint64 samplesRefused = 0; // dated too far ahead of the node's own clock
        qint64 samplesStored = 0; // confirmed by the recorder
        qint64 eventsStored = 0;
        int reconnects = 0;
        int gapCount = 0;
        std::optional<FeedGap> lastGap;
        QDateTime nextRetry; // Reconnecting only
        QString message; // why the link dropped, or the error
        QString certificateSha256; // TLS: the agent's certificate
    };

    explicit AgentClient(AgentConnectOptions options, QObject *parent = nullptr);
    ~AgentClient() override; // detaches: what was received is handed to the recorder

    // Batches go to recorder->store() (queued when it lives on another thread); the stored
    // cursor of this node is asked for before the first subscribe. Set before start().
    void setRecorder(FeedRecorder *recorder);
    void start();
    void detach();

    QString node() const { return m_status.node; }
    State state() const { return m_status.state; }
    const Status &status() const { return m_status; }
    const AgentConnectOptions &options() const { return m_options; }
    static QString stateName(State state);

Q_SIGNALS:
    void stateChanged(oomscope::AgentClient::State state);
    void statusChanged(); // counters or state; coalesce in views
    void gapDetected(qint64 fromSeq, qint64 toSeq);
    void batchReady(oomscope::FeedBatchPtr batch);
    void helloReceived(const QJsonObject &hello);
    // The agent warns that an OOM kill looks near (its warning record, earlywarning.h), with
    // node set to the node's hostname. Not stored: a warning is for now, the samples stay.
    void warningReceived(const oomscope::EarlyWarning &warning);
    // Trust on first use: the certificate accepted; persist it as the node's pin.
    void certificatePinned(const QString &sha256);

private:
    void onCursorLoaded(const QString &node, const QString &instance, qint64 lastSeq);
    void onBatchStored(const oomscope::FeedStoreReport &report);
    void openLink();
    void sendSubscribe();
    void onReadable();
    void handleFrame(const QJsonObject &frame);
    void handleRecord(const QJsonObject &record, qint64 seq);
    bool plausibleSeq(qint64 seq) const; // 0 <= seq <= newest announced + slack
    void resetCursor(); // here and in the workspace
    void noteGap(qint64 fromSeq, qint64 toSeq);
    void linkLost(const QString &reason);
    void fail(const QString &reason); // Error state: no retry
    void closeLink();
    void flush();
    void setState(State state);
    void touchWatchdog();
    QByteArray reportText(qint64 firstKmsgSeq, int lineCount) const;

    AgentConnectOptions m_options;
    Status m_status;
    QPointer<FeedRecorder> m_recorder;
    QByteArray m_token;

    QSslSocket *m_socket = nullptr;
    QProcess *m_process = nullptr;
    QIODevice *m_stream = nullptr; // the socket or the process' stdout
    QByteArray m_stderrTail;
    bool m_helloSeen = false;
    bool m_recordSinceHello = false;
    bool m_haveCursor = false; // a since to resume from (stored or received)
    QString m_cursorInstance;
    int m_heartbeatMs = 5000;
    int m_attempt = 0;

    FeedBatch m_batch;
    QTimer *m_flushTimer = nullptr;
    QTimer *m_watchdog = nullptr;
    QTimer *m_retryTimer = nullptr;
    // Recent kernel log records by kernel seq: an oom_event names its first record, and the
    // report's lines are imported from here.
    std::deque<std::pair<qint64, QByteArray>> m_kmsg;
    qint64 m_kmsgBytes = 0; // of m_kmsg: bounded by bytes too, not only by count
    // What the node announced (hello, heartbeats, pongs): records beyond it are lies.
    qint64 m_newestAnnounced = 0;
    qint64 m_seqSlack = 0;
    qint64 m_nodeClockOffsetMs = 0; // node clock − ours, from the hello
    bool m_sentSince = false; // the last subscribe carried a cursor
};

} // namespace oomscope
