// SPDX-License-Identifier: GPL-3.0-or-later
#include "clientsession.h"

#include "agentprotocol.h"
#include "agentserver.h"
#include "fdstream.h"
#include "printable.h"

#include <QAbstractSocket>
#include <QDateTime>
#include <QJsonObject>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A closing socket gets this long to flush its last frame before it is aborted.
constexpr int kCloseGraceMs = 2000;

QByteArray errorFrame(const QString &reason, qint64 resumeSince)
{
    QJsonObject o {{u"type"_s, u"error"_s}, {u"reason"_s, reason}};
    if (resumeSince >= 0)
        o.insert("resume_since"_L1, resumeSince);
    return jsonLine(o);
}

} // namespace

ClientSession::ClientSession(AgentServer *server, QIODevice *device, QString peer, bool stdio)
    : QObject(server)
    , m_server(server)
    , m_device(device)
    , m_peer(std::move(peer))
    , m_stdio(stdio)
    , m_handshakeTimer(new QTimer(this))
{
    device->setParent(this);
    connect(device, &QIODevice::readyRead, this, &ClientSession::onReadyRead);
    connect(device, &QIODevice::bytesWritten, this, &ClientSession::pump);
    if (auto *socket = qobject_cast<QAbstractSocket *>(device)) {
        socket->setReadBufferSize(2 * m_server->options().maxLineBytes);
        m_peerAddress = socket->peerAddress();
        socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(socket, &QAbstractSocket::disconnected, this, &ClientSession::finish);
        connect(socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
            if (m_state != State::Closing && m_device)
                qInfo("client %s: %s", qPrintable(m_peer), qPrintable(m_device->errorString()));
            finish();
        });
    }
    if (auto *fd = qobject_cast<FdStream *>(device))
        connect(fd, &FdStream::closedByPeer, this, &ClientSession::finish);

    m_handshakeTimer->setSingleShot(true);
    connect(m_handshakeTimer, &QTimer::timeout, this, [this] {
        if (m_state == State::AwaitFirstLine || m_state == State::AwaitSubscribe
            || m_state == State::HttpHeaders)
            fail(u"handshake_timeout"_s, u"no subscribe or HTTP request within the handshake time"_s);
    });
    m_handshakeTimer->start(m_server->options().handshakeTimeoutMs);
    // Data may already be waiting (stdio, or a client that wrote before we connected).
    QTimer::singleShot(0, this, &ClientSession::onReadyRead);
}

ClientSession::~ClientSession() = default;

void ClientSession::onReadyRead()
{
    if (!m_device || m_state == State::Closing)
        return;
    const qint64 maxLine = m_server->options().maxLineBytes;
    while (m_state != State::Closing && m_device && m_device->bytesAvailable() > 0) {
        if (congested()) {
            // A client that sends and never reads: stop reading (its kernel buffers fill and TCP
            // holds it back) until its answers drain; pump() resumes.
            m_readPaused = true;
            return;
        }
        m_lineBuffer.append(m_device->read(std::max<qint64>(1, maxLine + 1 - m_lineBuffer.size())));
        for (;;) {
            const qsizetype nl = m_lineBuffer.indexOf('\n');
            if (nl < 0)
                break;
            QByteArray line = m_lineBuffer.left(nl);
            m_lineBuffer.remove(0, nl + 1);
            if (line.endsWith('\r'))
                line.chop(1);
            handleLine(line);
            if (m_state == State::Closing)
                return;
        }
        if (m_lineBuffer.size() > maxLine) {
            fail(u"line_too_long"_s, u"line longer than %1 bytes"_s.arg(maxLine));
            return;
        }
    }
}

ClientLineContext ClientSession::lineContext() const
{
    if (m_state == State::HttpHeaders)
        return ClientLineContext::HttpHeader;
    if (m_state == State::AwaitFirstLine && !m_stdio)
        return ClientLineContext::FirstLine;
    return ClientLineContext::Message;
}

void ClientSession::handleLine(const QByteArray &line)
{
    const ClientLine parsed = parseClientLine(line, lineContext());
    switch (parsed.kind) {
    case ClientLine::Kind::Blank:
        if (m_state == State::HttpHeaders)
            respondHttp(); // the end of the request's head
        return; // between messages: a keep-alive, harmless
    case ClientLine::Kind::Malformed:
        fail(u"malformed"_s, parsed.error);
        return;
    case ClientLine::Kind::HttpRequest:
        m_http = HttpRequestHead {};
        m_http.method = parsed.request.method;
        m_http.target = parsed.request.target;
        m_state = State::HttpHeaders;
        return;
    case ClientLine::Kind::HttpHeader:
        if (!m_http.addHeader(parsed))
            fail(u"malformed"_s, u"too many HTTP header lines"_s);
        return;
    case ClientLine::Kind::Message:
        handleMessage(parsed.message);
        return;
    }
}

void ClientSession::handleMessage(const ClientMessage &message)
{
    const QString &type = message.type;
    if (m_state == State::Streaming) {
        if (type == u"ping") {
            writeFrame(jsonLine({{u"type"_s, u"pong"_s}, {u"newest_seq"_s, m_server->buffer().newestSeq()}}));
            return;
        }
        fail(u"unexpected_message"_s,
             u"unexpected message type \"%1\" while streaming"_s.arg(printable(type, 40)));
        return;
    }
    if (type != u"hello" && type != u"subscribe") {
        fail(u"unexpected_message"_s, u"expected hello or subscribe, got \"%1\""_s.arg(printable(type, 40)));
        return;
    }
    if (!m_server->checkToken(message.token)) {
        m_server->noteAuthFailure(m_peerAddress, m_peer);
        fail(u"unauthorized"_s, {}); // logged once per burst by noteAuthFailure
        return;
    }
    m_authenticated = true;
    if (type == u"hello") {
        if (!m_helloSent) {
            writeFrame(jsonLine(m_server->helloJson()));
            m_helloSent = true;
        }
        m_state = State::AwaitSubscribe;
        return;
    }
    subscribe(message);
}

void ClientSession::subscribe(const ClientMessage &message)
{
    const RecordBuffer &buffer = m_server->buffer();
    const qint64 firstAvailable = buffer.isEmpty() ? buffer.nextSeq() : buffer.oldestSeq();
    qint64 want = firstAvailable;
    if (message.since.state == SinceCursor::State::Invalid) {
        fail(u"malformed"_s, u"\"since\" must be a non-negative integer"_s);
        return;
    }
    if (message.since.state == SinceCursor::State::Valid) {
        want = message.since.seq + 1;
        // Sequence numbers restart with the agent: a cursor from another instance means "all
        // of this instance is new to me".
        if (message.instance && *message.instance != m_server->instanceId())
            want = 1;
    }
    if (!m_helloSent) {
        writeFrame(jsonLine(m_server->helloJson()));
        m_helloSent = true;
    }
    if (want < firstAvailable) {
        writeFrame(jsonLine(gapFrameJson(FeedGap {want, firstAvailable - 1})));
        want = firstAvailable;
    }
    m_cursor = std::min(want, buffer.nextSeq());
    m_state = State::Streaming;
    m_handshakeTimer->stop();
    qInfo("client %s: subscribed from seq %lld", qPrintable(m_peer), m_cursor);
    pump();
}

void ClientSession::pump()
{
    if (m_state != State::Streaming || !m_device)
        return;
    if (m_readPaused && !congested()) {
        m_readPaused = false;
        QTimer::singleShot(0, this, &ClientSession::onReadyRead);
    }
    const RecordBuffer &buffer = m_server->buffer();
    const AgentOptions &options = m_server->options();
    const qint64 maxLag = options.maxClientLagRecords > 0 ? options.maxClientLagRecords : buffer.capacity();
    if (!buffer.isEmpty() && m_cursor <= buffer.newestSeq()) {
        if (m_cursor < buffer.oldestSeq() || (m_caughtUp && buffer.newestSeq() - m_cursor + 1 > maxLag)) {
            m_server->noteDropped();
            fail(u"too_slow"_s,
                 u"fell %1 records behind; dropped (it can resume)"_s.arg(buffer.newestSeq() - m_cursor + 1),
                 m_cursor - 1);
            return;
        }
    }
    while (m_device && m_cursor <= buffer.newestSeq() && !congested()) {
        if (!writeFrame(buffer.at(m_cursor)))
            return;
        ++m_cursor;
    }
    if (m_cursor > buffer.newestSeq())
        m_caughtUp = true;
}

void ClientSession::sendHeartbeat()
{
    if (m_state != State::Streaming || !m_device)
        return;
    if (m_device->bytesToWrite() >= m_server->options().clientHighWaterBytes)
        return; // congested: the data itself will show the link is alive
    writeFrame(jsonLine({{u"type"_s, u"heartbeat"_s},
                         {u"timestamp"_s, QDateTime::currentMSecsSinceEpoch()},
                         {u"newest_seq"_s, m_server->buffer().newestSeq()}}));
}

void ClientSession::respondHttp()
{
    m_handshakeTimer->stop();
    QByteArray status = "200 OK";
    QByteArray contentType = "text/plain; version=0.0.4; charset=utf-8";
    QByteArray extra;
    QByteArray body;
    const QByteArray path = m_http.path();
    m_authenticated = m_server->checkToken(m_http.bearerToken());
    if (!m_authenticated) {
        m_server->noteAuthFailure(m_peerAddress, m_peer);
        status = "401 Unauthorized";
        contentType = "text/plain; charset=utf-8";
        extra = "WWW-Authenticate: Bearer\r\n";
        body = "unauthorized\n";
    } else if (path == "/metrics") {
        body = m_server->metricsText();
    } else {
        status = "404 Not Found";
        contentType = "text/plain; charset=utf-8";
        body = "only /metrics is served over HTTP\n";
    }
    QByteArray response = "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n" + extra + "\r\n";
    if (m_http.method != "HEAD")
        response += body;
    if (m_device)
        m_device->write(response);
    m_state = State::Closing;
    closeDevice();
}

bool ClientSession::congested() const
{
    return m_device && m_device->bytesToWrite() >= m_server->options().clientHighWaterBytes;
}

bool ClientSession::writeFrame(const QByteArray &frame)
{
    if (!m_device)
        return false;
    // Records are written only below the high-water mark (pump) and reading stops above it, so
    // this cap is only reached by a client that floods faster than both; it is dropped.
    const qint64 cap = 2 * m_server->options().clientHighWaterBytes;
    if (m_device->bytesToWrite() + frame.size() > cap && m_state != State::Closing) {
        m_server->noteDropped();
        fail(u"too_slow"_s, u"write queue over %1 bytes (the client does not read); dropped"_s.arg(cap));
        return false;
    }
    m_device->write(frame);
    return true;
}

void ClientSession::fail(const QString &reason, const QString &logDetail, qint64 resumeSince)
{
    if (m_state == State::Closing)
        return;
    if (!logDetail.isEmpty())
        qWarning("client %s: closing: %s", qPrintable(m_peer), qPrintable(logDetail));
    const State was = m_state;
    m_state = State::Closing; // the final frame bypasses the write cap: it is small and the last
    if (was != State::HttpHeaders && m_device)
        m_device->write(errorFrame(reason, resumeSince));
    closeDevice();
}

void ClientSession::closeDevice()
{
    m_handshakeTimer->stop();
    if (!m_device) {
        finish();
        return;
    }
    if (auto *socket = qobject_cast<QAbstractSocket *>(m_device.data())) {
        if (socket->state() == QAbstractSocket::UnconnectedState) {
            finish();
            return;
        }
        socket->disconnectFromHost(); // flushes the last frame, then disconnected()
        QTimer::singleShot(kCloseGraceMs, this, [this] {
            if (auto *s = qobject_cast<QAbstractSocket *>(m_device.data()))
                s->abort();
            finish();
        });
        return;
    }
    m_device->close();
    finish();
}

void ClientSession::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_state = State::Closing;
    m_handshakeTimer->stop();
    // Not synchronously: finish() can run inside a signal of the device the server deletes.
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT finished(this); }, Qt::QueuedConnection);
}

} // namespace oomscope
