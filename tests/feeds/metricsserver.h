// SPDX-License-Identifier: GPL-3.0-or-later
// A /metrics endpoint on 127.0.0.1 for the feed tests (on the shared HttpTestServer): serves an
// exposition from a callback, optionally demanding a bearer token (401 otherwise).
#pragma once

#include "httptestserver.h"

#include <functional>

class MetricsServer
{
public:
    // body(requestIndex) is the exposition served on the n-th good request (0-based).
    explicit MetricsServer(std::function<QByteArray(int)> body, QByteArray token = {})
        : m_body(std::move(body))
        , m_token(std::move(token))
        , m_server([this](QTcpSocket *socket, const RecordedRequest &r) { answer(socket, r); })
    { }

    bool listen() { return m_server.listen(); }
    quint16 port() const { return m_server.port(); }
    QByteArray url(const char *path = "/metrics") const { return m_server.origin() + path; }
    int goodRequests() const { return m_good; }
    int rejectedRequests() const { return m_rejected; }
    QByteArray lastAuthorization() const
    {
        return m_server.requests().isEmpty() ? QByteArray() : m_server.requests().constLast().authorization;
    }
    QByteArray lastAccept() const
    {
        return m_server.requests().isEmpty() ? QByteArray() : m_server.requests().constLast().accept;
    }

private:
    void answer(QTcpSocket *socket, const RecordedRequest &r)
    {
        if (!m_token.isEmpty() && r.authorization != "Bearer " + m_token) {
            ++m_rejected;
            socket->write(
                HttpTestServer::answer("401 Unauthorized", "unauthorized\n", "WWW-Authenticate: Bearer\r\n"));
        } else if (r.path != "/metrics") {
            socket->write(HttpTestServer::answer("404 Not Found", "not found\n"));
        } else {
            socket->write(HttpTestServer::answer("200 OK", m_body(m_good++)));
        }
        socket->disconnectFromHost();
    }

    std::function<QByteArray(int)> m_body;
    QByteArray m_token;
    int m_good = 0;
    int m_rejected = 0;
    HttpTestServer m_server; // last: its handler uses the members above
};
