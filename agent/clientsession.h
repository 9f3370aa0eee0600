// SPDX-License-Identifier: GPL-3.0-or-later
// One connection to the agent: tells a stream subscriber from an HTTP scrape by the first line,
// authenticates it, replays the buffer from its cursor and streams live records with bounded
// memory (records are read from the shared buffer only while the socket has room).
#pragma once

#include "agentrequest.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QString>

class QIODevice;
class QTimer;

namespace oomscope {

class AgentServer;

class ClientSession : public QObject
{
    Q_OBJECT

public:
    enum class State { AwaitFirstLine, HttpHeaders, AwaitSubscribe, Streaming, Closing };

    // device: a connected QTcpSocket/QSslSocket or an FdStream (owned by the session).
    ClientSession(AgentServer *server, QIODevice *device, QString peer, bool stdio);
    ~ClientSession() override;

    State state() const { return m_state; }
    QString peer() const { return m_peer; }
    QHostAddress peerAddress() const { return m_peerAddress; } // null for stdio
    // Not yet authenticated and not closing: holds one of the server's pending slots.
    bool isPending() const { return !m_authenticated && m_state != State::Closing; }
    bool isStreaming() const { return m_state == State::Streaming; }
    // Sends buffered records up to the newest while the device has room.
    void pump();
    void sendHeartbeat();
    // Ends the session with a final error frame (stream clients only) and a log line.
    void fail(const QString &reason, const QString &logDetail, qint64 resumeSince = -1);

Q_SIGNALS:
    void finished(oomscope::ClientSession *session);

private:
    void onReadyRead();
    ClientLineContext lineContext() const;
    void handleLine(const QByteArray &line);
    void handleMessage(const ClientMessage &message);
    void respondHttp();
    void subscribe(const ClientMessage &message);
    // The one write path: refuses (and drops the client) when the write queue would pass the
    // hard cap, so nothing a client sends (pings) can grow the agent without bound.
    bool writeFrame(const QByteArray &frame);
    bool congested() const;
    void closeDevice();
    void finish();

    AgentServer *m_server;
    QPointer<QIODevice> m_device;
    QString m_peer;
    QHostAddress m_peerAddress;
    bool m_stdio;
    bool m_authenticated = false;
    bool m_readPaused = false; // reading stops while the client does not read its answers
    State m_state = State::AwaitFirstLine;
    QByteArray m_lineBuffer;
    QTimer *m_handshakeTimer;
    bool m_helloSent = false;
    bool m_caughtUp = false;
    bool m_finished = false;
    qint64 m_cursor = 1; // next seq to send

    HttpRequestHead m_http; // HTTP request in progress
};

} // namespace oomscope
