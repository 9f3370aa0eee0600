// SPDX-License-Identifier: GPL-3.0-or-later
// A scriptable HTTP peer on 127.0.0.1 for the feed and security tests: it records every request
// (request line, Authorization, Accept) and answers with whatever the test's handler writes —
// a /metrics exposition, a 401, redirects elsewhere, trickled bytes, answers that never end.
// Plain HTTP, or HTTPS with listenTls() (QSslServer is newer than Qt 6.4: a QTcpServer whose
// sockets start server-side encryption). Loopback only; every connection it keeps open is
// closed when the server goes.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <functional>
#include <memory>

struct RecordedRequest {
    QByteArray method;
    QByteArray path;
    QByteArray authorization; // empty when the request carried none
    QByteArray accept;
};

class HttpTestServer : public QObject
{
public:
    // handler(socket, request): write an answer (or not); the socket stays open until the
    // handler closes it or the server is destroyed.
    using Handler = std::function<void(QTcpSocket *, const RecordedRequest &)>;

    explicit HttpTestServer(Handler handler)
        : m_handler(std::move(handler))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    // HTTPS with this PEM certificate (chain) and key; false when they do not load.
    bool listenTls(const QString &certFile, const QString &keyFile)
    {
        m_server.certificates = QSslCertificate::fromPath(certFile, QSsl::Pem);
        QFile keyPem(keyFile);
        if (m_server.certificates.isEmpty() || !keyPem.open(QIODevice::ReadOnly))
            return false;
        const QByteArray pem = keyPem.readAll();
        m_server.key = QSslKey(pem, QSsl::Rsa);
        if (m_server.key.isNull())
            m_server.key = QSslKey(pem, QSsl::Ec);
        return !m_server.key.isNull() && listen();
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray origin() const
    {
        return (m_server.key.isNull() ? "http://127.0.0.1:" : "https://127.0.0.1:")
            + QByteArray::number(port());
    }
    // TLS connections whose handshake failed (the client refused the certificate).
    int handshakeFailures() const { return m_server.handshakeFailures; }
    const QList<RecordedRequest> &requests() const { return m_requests; }

    static QByteArray answer(const QByteArray &status, const QByteArray &body,
                             const QByteArray &extraHeaders = {})
    {
        return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4\r\n" + extraHeaders
            + "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }

private:
    void serve(QTcpSocket *socket)
    {
        socket->setParent(this);
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            *buffer += socket->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            buffer->clear();
            RecordedRequest request;
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.path = first.value(1);
            for (const QByteArray &raw : lines) {
                const QByteArray line = raw.trimmed();
                if (line.toLower().startsWith("authorization:"))
                    request.authorization = line.mid(14).trimmed();
                if (line.toLower().startsWith("accept:"))
                    request.accept = line.mid(7).trimmed();
            }
            m_requests.append(request);
            m_handler(socket, request);
        });
    }

    // Hands out QSslSockets that start server encryption when a certificate is set.
    class Server : public QTcpServer
    {
    public:
        QList<QSslCertificate> certificates;
        QSslKey key;
        int handshakeFailures = 0;

    protected:
        void incomingConnection(qintptr descriptor) override
        {
            if (key.isNull()) {
                QTcpServer::incomingConnection(descriptor);
                return;
            }
            auto *socket = new QSslSocket(this);
            if (!socket->setSocketDescriptor(descriptor)) {
                delete socket;
                return;
            }
            socket->setLocalCertificateChain(certificates);
            socket->setPrivateKey(key);
            QObject::connect(socket, &QSslSocket::sslErrors, socket, [this] { ++handshakeFailures; });
            QObject::connect(socket, &QSslSocket::errorOccurred, socket, [this, socket] {
                if (!socket->isEncrypted())
                    ++handshakeFailures;
            });
            addPendingConnection(socket);
            socket->startServerEncryption();
        }
    };

    Server m_server;
    Handler m_handler;
    QList<RecordedRequest> m_requests;
};
