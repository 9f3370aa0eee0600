// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentclient.h"

#include "feedrecorder.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A record larger than this (a sample with thousands of processes is ~1 MiB) means the stream
// is not the protocol; the link is dropped rather than buffering without end.
// Byte bounds on everything the node sends (docs/security.md): a frame (a sample with
// --processes of a large cgroup is ~1 MiB), a kernel record (the kernel's own are at most
// 1 KiB), the kernel records kept to rebuild reports, names.
constexpr qsizetype kMaxFrameBytes = 8 * 1024 * 1024;
constexpr std::size_t kKmsgKept = 100000;
constexpr qint64 kKmsgKeptBytes = 32 * 1024 * 1024;
constexpr qsizetype kMaxKmsgLineBytes = 8 * 1024;
constexpr qsizetype kMaxHostnameChars = 255;
constexpr qsizetype kMaxNameChars = 4096; // a cgroup path (PATH_MAX)
// A sample this far ahead of the node's own clock (from its hello) is refused.
constexpr qint64 kMaxAheadOfNodeClockMs = 10'000;

QString normalisedFingerprint(QString text)
{
    return text.remove(u':').trimmed().toLower();
}

QString fingerprintOf(const QSslCertificate &cert)
{
    return QString::fromLatin1(cert.digest(QCryptographicHash::Sha256).toHex());
}

} // namespace

AgentClient::AgentClient(AgentConnectOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_flushTimer(new QTimer(this))
    , m_watchdog(new QTimer(this))
    , m_retryTimer(new QTimer(this))
{
    m_status.node = m_options.endpoint.key();
    m_batch.origin.node = m_status.node;
    m_flushTimer->setInterval(std::max(10, m_options.batchIntervalMs));
    connect(m_flushTimer, &QTimer::timeout, this, &AgentClient::flush);
    m_watchdog->setSingleShot(true);
    connect(m_watchdog, &QTimer::timeout, this, [this] {
        linkLost(m_helloSeen ? u"no data or heartbeat for %1 s"_s.arg(m_watchdog->interval() / 1000.0)
                             : u"no hello within %1 s"_s.arg(m_watchdog->interval() / 1000.0));
    });
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &AgentClient::openLink);
}

AgentClient::~AgentClient()
{
    detach();
}

QString AgentClient::stateName(State state)
{
    switch (state) {
    case State::Idle:
        return u"idle"_s;
    case State::Connecting:
        return u"connecting"_s;
    case State::Live:
        return u"live"_s;
    case State::Reconnecting:
        return u"reconnecting"_s;
    case State::Error:
        return u"error"_s;
    case State::Detached:
        return u"detached"_s;
    }
    return {};
}

void AgentClient::setRecorder(FeedRecorder *recorder)
{
    if (m_recorder)
        disconnect(m_recorder, nullptr, this, nullptr);
    disconnect(this, &AgentClient::batchReady, nullptr, nullptr);
    m_recorder = recorder;
    if (!recorder)
        return;
    connect(this, &AgentClient::batchReady, recorder, &FeedRecorder::store);
    connect(recorder, &FeedRecorder::cursorLoaded, this, &AgentClient::onCursorLoaded);
    connect(recorder, &FeedRecorder::batchStored, this, &AgentClient::onBatchStored);
}

void AgentClient::start()
{
    if (m_status.state != State::Idle && m_status.state != State::Detached && m_status.state != State::Error)
        return;
    m_attempt = 0;
    m_status.message.clear();
    Result<QByteArray> token = resolveToken(m_options);
    if (!token) {
        m_token.clear();
        fail(token.error().message);
        return;
    }
    m_token = std::move(*token);
    if (const Result<void> transport = checkTokenTransport(m_options, m_token); !transport) {
        fail(transport.error().message);
        return;
    }
    setState(State::Connecting);
    if (m_recorder && !m_haveCursor) {
        const QString node = m_status.node;
        QMetaObject::invokeMethod(m_recorder, [r = m_recorder, node] { r->requestCursor(node); });
        return; // openLink() once the cursor is known
    }
    openLink();
}

void AgentClient::onCursorLoaded(const QString &node, const QString &instance, qint64 lastSeq)
{
    if (node != m_status.node || m_status.state != State::Connecting || m_stream)
        return;
    if (!instance.isEmpty() && !m_haveCursor) {
        m_cursorInstance = instance;
        m_status.instance = instance;
        m_status.lastSeq = lastSeq;
        m_haveCursor = true;
    }
    openLink();
}

void AgentClient::onBatchStored(const FeedStoreReport &report)
{
    if (report.node != m_status.node)
        return;
    if (!report.ok) {
        m_status.message = u"storing failed: "_s + report.error;
    } else {
        m_status.samplesStored += report.samplesStored;
        m_status.eventsStored += report.eventsStored;
    }
    Q_EMIT statusChanged();
}

void AgentClient::openLink()
{
    closeLink();
    m_helloSeen = false;
    m_recordSinceHello = false;
    m_status.nextRetry = {};
    setState(State::Connecting);
    const AgentEndpoint &ep = m_options.endpoint;
    m_watchdog->setInterval(std::max(1000, m_options.connectTimeoutMs));
    m_watchdog->start();

    if (ep.isStdio()) {
        m_process = new QProcess(this);
        QStringList args {u"--stdio"_s};
        args += m_options.agentArguments;
        if (ep.kind == AgentEndpoint::Kind::Ssh) {
            // BatchMode: never wait for a password prompt nobody sees; ServerAlive: notice a
            // dead network before our own watchdog does.
            QStringList ssh {u"-o"_s, u"BatchMode=yes"_s, u"-o"_s, u"ServerAliveInterval=15"_s};
            ssh += m_options.sshArguments;
            if (ep.port)
                ssh += {u"-p"_s, QString::number(ep.port)};
            // "--" ends ssh's options: a host that starts with '-' cannot become one.
            ssh += u"--"_s;
            ssh += (ep.user.isEmpty() ? QString() : ep.user + u'@') + ep.host;
            ssh += m_options.remoteAgentPath.isEmpty() ? u"oomscope-agent"_s : m_options.remoteAgentPath;
            ssh += args;
            m_process->setProgram(u"ssh"_s);
            m_process->setArguments(ssh);
        } else {
            m_process->setProgram(ep.program);
            m_process->setArguments(args);
        }
        m_stream = m_process;
        connect(m_process, &QProcess::started, this, &AgentClient::sendSubscribe);
        connect(m_process, &QProcess::readyReadStandardOutput, this, &AgentClient::onReadable);
        connect(m_process, &QProcess::readyReadStandardError, this, [this] {
            m_stderrTail += m_process->readAllStandardError();
            if (m_stderrTail.size() > 4096)
                m_stderrTail = m_stderrTail.right(4096);
        });
        connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
            const QList<QByteArray> lines = m_stderrTail.trimmed().split('\n');
            const QString last = QString::fromUtf8(lines.constLast()).trimmed();
            linkLost(u"%1 exited with code %2%3"_s.arg(m_process->program())
                         .arg(code)
                         .arg(last.isEmpty() ? QString() : u": "_s + last));
        });
        connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                linkLost(u"cannot start %1: %2"_s.arg(m_process->program(), m_process->errorString()));
        });
        m_process->start();
        return;
    }

    m_socket = new QSslSocket(this);
    m_stream = m_socket;
    connect(m_socket, &QIODevice::readyRead, this, &AgentClient::onReadable);
    connect(m_socket, &QAbstractSocket::disconnected, this,
            [this] { linkLost(u"the agent closed the connection"_s); });
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e == QAbstractSocket::SslHandshakeFailedError && m_status.state == State::Error)
            return;
        linkLost(m_socket->errorString());
    });
    if (!m_options.tls) {
        connect(m_socket, &QAbstractSocket::connected, this, &AgentClient::sendSubscribe);
        m_socket->connectToHost(ep.host, ep.port);
        return;
    }
    QSslConfiguration conf = m_socket->sslConfiguration();
    if (!m_options.caFile.isEmpty()) {
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_options.caFile);
        if (cas.isEmpty()) {
            fail(u"no PEM certificate in the CA file %1"_s.arg(m_options.caFile));
            return;
        }
        QList<QSslCertificate> all = conf.caCertificates();
        all += cas;
        conf.setCaCertificates(all);
    }
    if (m_options.insecureSkipVerify)
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_socket->setSslConfiguration(conf);
    connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        const QString pin = normalisedFingerprint(m_options.pinnedSha256);
        const QString seen = fingerprintOf(m_socket->peerCertificate());
        // A pinned certificate is trusted whatever its chain says (self-signed agents); so is
        // the first one seen under trust-on-first-use. encrypted() compares the pin again.
        if ((!pin.isEmpty() && pin == seen) || (pin.isEmpty() && m_options.trustOnFirstUse)) {
            m_socket->ignoreSslErrors(errors);
            return;
        }
        QStringList why;
        for (const QSslError &e : errors)
            why += e.errorString();
        fail(u"the agent's certificate (SHA-256 %1) is not trusted: %2"_s.arg(seen, why.join(u"; "_s)));
    });
    connect(m_socket, &QSslSocket::encrypted, this, [this] {
        const QString seen = fingerprintOf(m_socket->peerCertificate());
        const QString pin = normalisedFingerprint(m_options.pinnedSha256);
        m_status.certificateSha256 = seen;
        if (!pin.isEmpty() && pin != seen) {
            fail(u"the agent's certificate changed: SHA-256 %1, pinned %2"_s.arg(seen, pin));
            return;
        }
        if (pin.isEmpty() && m_options.trustOnFirstUse) {
            m_options.pinnedSha256 = seen;
            Q_EMIT certificatePinned(seen);
        }
        sendSubscribe();
    });
    m_socket->setPeerVerifyName(ep.host);
    m_socket->connectToHostEncrypted(ep.host, ep.port);
}

void AgentClient::sendSubscribe()
{
    if (!m_stream)
        return;
    QJsonObject o {{u"type"_s, u"subscribe"_s}};
    m_sentSince = m_haveCursor;
    if (m_haveCursor) {
        o.insert("since"_L1, m_status.lastSeq);
        if (!m_cursorInstance.isEmpty())
            o.insert("instance"_L1, m_cursorInstance);
    }
    if (!m_token.isEmpty())
        o.insert("token"_L1, QString::fromUtf8(m_token));
    m_stream->write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
}

void AgentClient::touchWatchdog()
{
    if (m_helloSeen)
        m_watchdog->setInterval(int(std::clamp<qint64>(
            qint64(m_heartbeatMs) * std::clamp(m_options.missedHeartbeats, 1, 100), 1000, 24 * 3'600'000)));
    m_watchdog->start();
}

void AgentClient::onReadable()
{
    // Re-entrancy guard: a frame can close the link (error, fail()) and delete the stream.
    QPointer<QIODevice> stream = m_stream;
    if (!stream)
        return;
    touchWatchdog();
    while (stream && stream == m_stream && stream->canReadLine()) {
        // Not readLine(kMaxFrameBytes + 1): Qt sizes the result to the maximum before it reads,
        // an 8 MiB allocation (mmap, page faults, munmap) for every frame of a few hundred bytes
        // — most of the GUI thread's time with a node streaming 2000 samples a second. Without a
        // maximum it grows in 16 KiB steps; the line is whole in the buffer (canReadLine).
        QByteArray line = stream->readLine();
        if (line.size() > kMaxFrameBytes + 1 || !line.endsWith('\n')) {
            linkLost(u"a frame longer than %1 MiB"_s.arg(kMaxFrameBytes / (1024 * 1024)));
            return;
        }
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &perr);
        if (!doc.isObject()) {
            linkLost(u"not a protocol frame: "_s + QString::fromUtf8(line.left(80)));
            return;
        }
        handleFrame(doc.object());
    }
    if (stream && stream == m_stream && stream->bytesAvailable() > kMaxFrameBytes)
        linkLost(u"a frame longer than %1 MiB"_s.arg(kMaxFrameBytes / (1024 * 1024)));
}

void AgentClient::handleFrame(const QJsonObject &frame)
{
    const QString type = frame.value("type"_L1).toString();
    if (frame.contains("seq"_L1)) {
        if (!m_helloSeen) {
            linkLost(u"a record before the hello"_s);
            return;
        }
        handleRecord(frame, frame.value("seq"_L1).toInteger());
        return;
    }
    if (type == "hello"_L1) {
        const AgentHello hello = helloFromJson(frame);
        const QString instance = hello.instance;
        if (instance != m_batch.origin.instance)
            flush(); // a batch holds the records of one instance
        m_batch.origin.hostname = hello.hostname.left(kMaxHostnameChars);
        m_newestAnnounced = hello.newestSeq;
        // Records appended after the hello and before the next heartbeat: at most a buffer's worth.
        m_seqSlack = std::clamp<qint64>(hello.bufferCapacity, 10'000, 10'000'000);
        m_nodeClockOffsetMs =
            hello.timestampMs > 0 ? hello.timestampMs - QDateTime::currentMSecsSinceEpoch() : 0;
        m_batch.origin.instance = instance;
        m_batch.origin.kernelRelease = hello.kernelRelease;
        m_batch.origin.cgroupVersion = hello.cgroupVersion;
        m_batch.origin.bootTimeMs = hello.bootTimeMs;
        // The node's word, bounded: 100 ms .. 1 h, so the watchdog product cannot overflow.
        m_heartbeatMs = std::clamp(hello.heartbeatMs, 100, 3'600'000);
        if (m_haveCursor && instance != m_cursorInstance) {
            // The agent restarted: its sequence numbers begin again, the agent ignores our since.
            m_status.message =
                m_cursorInstance.isEmpty() ? QString() : u"the agent restarted (new instance)"_s;
            m_status.lastSeq = 0;
        }
        m_cursorInstance = instance;
        m_status.hostname = m_batch.origin.hostname;
        m_status.instance = instance;
        m_status.kernelRelease = m_batch.origin.kernelRelease;
        m_helloSeen = true;
        touchWatchdog();
        m_flushTimer->start();
        setState(State::Live);
        Q_EMIT helloReceived(frame);
        return;
    }
    if (type == "gap"_L1) {
        const FeedGap gap = gapFromJson(frame);
        if (!plausibleSeq(gap.toSeq) || gap.fromSeq <= 0) {
            linkLost(u"the node announced a gap up to seq %1, beyond its newest %2"_s.arg(gap.toSeq).arg(
                m_newestAnnounced));
            return;
        }
        noteGap(gap.fromSeq, gap.toSeq);
        return;
    }
    if (type == "heartbeat"_L1 || type == "pong"_L1) {
        const qint64 newest = frame.value("newest_seq"_L1).toInteger();
        if (plausibleSeq(newest))
            m_newestAnnounced = std::max(m_newestAnnounced, newest);
        return;
    }
    if (type == "error"_L1) {
        const QString reason = frame.value("reason"_L1).toString();
        if (reason == "unauthorized"_L1) {
            fail(m_token.isEmpty() ? u"the agent requires a token"_s : u"the agent refused the token"_s);
            return;
        }
        if (reason == "malformed"_L1 && m_sentSince && !m_recordSinceHello) {
            // The node refused our cursor (one poisoned by an earlier node, say): start over
            // from what it has, here and in the workspace, rather than fail forever.
            resetCursor();
            linkLost(u"the agent refused the stored cursor; starting from its oldest record"_s);
            return;
        }
        if (reason == "too_slow"_L1) {
            // Our cursor is what we received; resuming from it is what resume_since says too.
            m_attempt = 0;
            linkLost(u"the agent dropped this client as too slow; resuming"_s);
            return;
        }
        linkLost(u"agent error: "_s + reason);
        return;
    }
    // heartbeat, pong and future frame types: the watchdog was fed, nothing else to do.
}

bool AgentClient::plausibleSeq(qint64 seq) const
{
    return seq >= 0 && seq <= m_newestAnnounced + m_seqSlack;
}

void AgentClient::resetCursor()
{
    m_status.lastSeq = 0;
    m_haveCursor = false;
    m_cursorInstance.clear();
    if (m_recorder) {
        const QString node = m_status.node;
        QMetaObject::invokeMethod(m_recorder, [r = m_recorder, node] { r->resetCursor(node); });
    }
}

void AgentClient::handleRecord(const QJsonObject &record, qint64 seq)
{
    if (seq <= m_status.lastSeq)
        return; // already received (a replay overlapping what we have)
    if (!plausibleSeq(seq)) {
        // last_seq < seq <= newest: a node that jumps far past what it announced would poison
        // the stored cursor (every later resume refused); it is cut off instead.
        linkLost(u"the node sent seq %1, far beyond its newest %2"_s.arg(seq).arg(m_newestAnnounced));
        return;
    }
    m_newestAnnounced = std::max(m_newestAnnounced, seq);
    if (m_haveCursor && seq > m_status.lastSeq + 1)
        noteGap(m_status.lastSeq + 1, seq - 1); // the protocol never skips silently; neither do we
    m_haveCursor = true;
    if (!m_recordSinceHello) {
        m_recordSinceHello = true;
        m_attempt = 0; // the link works: the next drop starts the backoff afresh
    }
    m_status.lastSeq = seq;
    ++m_status.recordsReceived;
    m_batch.lastSeq = seq;
    ++m_batch.recordCount;

    const QString type = record.value("type"_L1).toString();
    if (type == "sample"_L1) {
        if (std::optional<FeedSample> s = feedSampleFromJson(record)) {
            // A sample dated ahead of the node's own clock would make its later samples look
            // out of order and be dropped: refused, and counted.
            const qint64 nodeNowMs = QDateTime::currentMSecsSinceEpoch() + m_nodeClockOffsetMs;
            if (s->sample.timestampMs > nodeNowMs + kMaxAheadOfNodeClockMs
                || s->cgroup.size() > kMaxNameChars) {
                ++m_status.samplesRefused;
            } else {
                m_batch.samples.push_back(std::move(*s));
                ++m_status.samplesReceived;
            }
        }
    } else if (type == "kmsg"_L1) {
        KmsgFrame k = kmsgFromJson(record);
        if (k.line.size() > kMaxKmsgLineBytes)
            k.line.truncate(kMaxKmsgLineBytes); // the kernel's own records are at most 1 KiB
        m_kmsgBytes += k.line.size();
        m_kmsg.emplace_back(k.kmsgSeq, std::move(k.line));
        while (!m_kmsg.empty() && (m_kmsg.size() > kKmsgKept || m_kmsgBytes > kKmsgKeptBytes)) {
            m_kmsgBytes -= m_kmsg.front().second.size();
            m_kmsg.pop_front();
        }
    } else if (type == "oom_event"_L1) {
        const OomEventFrame oom = oomEventFromJson(record);
        FeedEvent e;
        e.seq = seq;
        e.kmsgSeq = oom.kmsgSeq;
        e.victimPid = oom.victimPid;
        e.reportText = reportText(e.kmsgSeq, oom.lastLine);
        m_batch.events.push_back(std::move(e));
        ++m_status.eventsReceived;
    } else if (type == "pods"_L1) {
        m_batch.pods = podsFromJson(record); // the newest list is the node's whole set
    } else if (type == "warning"_L1) {
        if (std::optional<EarlyWarning> w = warningFromJson(record); w && w->cgroup.size() <= kMaxNameChars) {
            w->node = m_status.hostname.isEmpty() ? m_status.node : m_status.hostname;
            ++m_status.warningsReceived;
            Q_EMIT warningReceived(*w);
        }
    }
    if (m_batch.recordCount >= m_options.batchMaxRecords)
        flush();
}

QByteArray AgentClient::reportText(qint64 firstKmsgSeq, int lineCount) const
{
    // The agent's tail parses each report from the kernel records starting at its first one,
    // in order; last_line counts the report's lines from there.
    auto it =
        std::find_if(m_kmsg.begin(), m_kmsg.end(), [&](const auto &r) { return r.first == firstKmsgSeq; });
    QByteArray text;
    int taken = 0;
    qint64 previous = firstKmsgSeq - 1;
    for (; it != m_kmsg.end() && (lineCount <= 0 || taken < lineCount); ++it) {
        if (it->first <= previous)
            break; // a replay of older records: the report ended before
        previous = it->first;
        text += it->second;
        text += '\n';
        ++taken;
    }
    return text;
}

void AgentClient::noteGap(qint64 fromSeq, qint64 toSeq)
{
    if (toSeq < fromSeq)
        return;
    const FeedGap gap {fromSeq, toSeq};
    m_batch.gaps.push_back(gap);
    m_status.lastGap = gap;
    ++m_status.gapCount;
    // The gap's records are gone for good: the cursor moves past them.
    if (toSeq > m_status.lastSeq) {
        m_status.lastSeq = toSeq;
        m_batch.lastSeq = std::max(m_batch.lastSeq, toSeq);
    }
    Q_EMIT gapDetected(fromSeq, toSeq);
    Q_EMIT statusChanged();
}

void AgentClient::flush()
{
    if (m_batch.recordCount == 0 && m_batch.gaps.empty()) {
        Q_EMIT statusChanged(); // counters move with heartbeats too; one tick per flush period
        return;
    }
    auto batch = std::make_shared<FeedBatch>();
    batch->origin = m_batch.origin;
    std::swap(*batch, m_batch); // m_batch is now empty, with the same origin
    Q_EMIT batchReady(FeedBatchPtr(std::move(batch)));
    Q_EMIT statusChanged();
}

void AgentClient::closeLink()
{
    m_watchdog->stop();
    m_flushTimer->stop();
    m_stream = nullptr;
    if (m_socket) {
        QSslSocket *s = std::exchange(m_socket, nullptr);
        s->disconnect(this);
        s->abort();
        s->deleteLater();
    }
    if (m_process) {
        QProcess *p = std::exchange(m_process, nullptr);
        p->disconnect(this);
        // Closing stdin ends a --stdio agent cleanly; ssh forwards the EOF.
        p->closeWriteChannel();
        if (!p->waitForFinished(1000)) {
            p->kill();
            p->waitForFinished(2000);
        }
        p->deleteLater();
    }
    m_stderrTail.clear();
}

void AgentClient::linkLost(const QString &reason)
{
    if (m_status.state == State::Error || m_status.state == State::Detached || m_status.state == State::Idle)
        return;
    flush();
    closeLink();
    m_status.message = reason;
    ++m_status.reconnects;
    // Exponential backoff with ±20 % jitter, so that many workbenches do not return in step.
    const double base = std::min<double>(m_options.maxBackoffMs,
                                         m_options.minBackoffMs * std::pow(2.0, std::min(m_attempt, 20)));
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    const int delayMs = int(std::min<double>(m_options.maxBackoffMs, base * jitter));
    ++m_attempt;
    m_status.nextRetry = QDateTime::currentDateTimeUtc().addMSecs(delayMs);
    m_retryTimer->start(delayMs);
    setState(State::Reconnecting);
}

void AgentClient::fail(const QString &reason)
{
    flush();
    m_retryTimer->stop();
    m_status.message = reason;
    m_status.nextRetry = {};
    // Deferred: fail() can run inside a socket's signal handler.
    QTimer::singleShot(0, this, [this] {
        if (m_status.state == State::Error)
            closeLink();
    });
    m_watchdog->stop();
    m_flushTimer->stop();
    setState(State::Error);
}

void AgentClient::detach()
{
    if (m_status.state == State::Detached || m_status.state == State::Idle) {
        return;
    }
    m_retryTimer->stop();
    flush();
    closeLink();
    m_status.nextRetry = {};
    setState(State::Detached);
}

void AgentClient::setState(State state)
{
    if (m_status.state == state) {
        Q_EMIT statusChanged();
        return;
    }
    m_status.state = state;
    Q_EMIT stateChanged(state);
    Q_EMIT statusChanged();
}

} // namespace oomscope
