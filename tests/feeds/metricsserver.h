// SPDX-License-Identifier: GPL-3.0-or-later
// A tiny HTTP/1.1 server on 127.0.0.1 for the feed tests: serves /metrics from a callback,
// optionally demanding a bearer token (401 otherwise), one request per connection.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <functional>

class MetricsServer : public QObject
{
public:
    // body(requestIndex) is the exposition served on the n-th good request (0-based).
    explicit MetricsServer(std::function<QByteArray(int)> body, QByteArray token = {})
        : m_body(std::move(body))
        , m_token(std::move(token))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray url(const char *path = "/metrics") const
    {
        return "http://127.0.0.1:" + QByteArray::number(port()) + path;
    }
    int goodRequests() const { return m_good; }
    int rejectedRequests() const { return m_rejected; }
    QByteArray lastAuthorization() const { return m_lastAuthorization; }
    QByteArray lastAccept() const { return m_lastAccept; }

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
            QByteArray auth;
            for (const QByteArray &raw : lines) {
                const QByteArray line = raw.trimmed();
                if (line.toLower().startsWith("authorization:"))
                    auth = line.mid(14).trimmed();
                if (line.toLower().startsWith("accept:"))
                    m_lastAccept = line.mid(7).trimmed();
            }
            m_lastAuthorization = auth;
            buffer->clear();
            const QByteArray path = lines.value(0).split(' ').value(1);
            QByteArray status = "200 OK";
            QByteArray body;
            QByteArray extra;
            if (!m_token.isEmpty() && auth != "Bearer " + m_token) {
                status = "401 Unauthorized";
                extra = "WWW-Authenticate: Bearer\r\n";
                body = "unauthorized\n";
                ++m_rejected;
            } else if (path != "/metrics") {
                status = "404 Not Found";
                body = "not found\n";
            } else {
                body = m_body(m_good++);
            }
            socket->write("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4\r\n" + extra
                          + "Content-Length: " + QByteArray::number(body.size())
                          + "\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    }

    QTcpServer m_server;
    std::function<QByteArray(int)> m_body;
    QByteArray m_token;
    int m_good = 0;
    int m_rejected = 0;
    QByteArray m_lastAuthorization;
    QByteArray m_lastAccept;
};
