// SPDX-License-Identifier: GPL-3.0-or-later
// A scriptable HTTP peer on 127.0.0.1 for the feed and security tests: it records every request
// (request line, Authorization, Accept) and answers with whatever the test's handler writes —
// a /metrics exposition, a 401, redirects elsewhere, trickled bytes, answers that never end.
// Loopback only; every connection it keeps open is closed when the server goes.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
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
    quint16 port() const { return m_server.serverPort(); }
    QByteArray origin() const { return "http://127.0.0.1:" + QByteArray::number(port()); }
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

    QTcpServer m_server;
    Handler m_handler;
    QList<RecordedRequest> m_requests;
};
