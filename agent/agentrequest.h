// SPDX-License-Identifier: GPL-3.0-or-later
// What the agent reads from a client before it is authenticated, decided without I/O: the first
// line (a JSON hello/subscribe/ping or an HTTP request line), HTTP header lines, and the fields of
// a message (type, token, since, instance). ClientSession owns the socket and the state; this
// only classifies lines, so it can be fuzzed on its own (tests/fuzz/fuzz_agent_request.cpp).
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace oomscope {

// The "since" cursor of a subscribe: absent (or null) = from the oldest buffered record.
struct SinceCursor {
    enum class State { Absent, Valid, Invalid };
    State state = State::Absent;
    qint64 seq = 0; // Valid: the last seq the client has, 0 ..= kMaxSince
    static constexpr double kMaxSince = 9e15; // exactly representable as a double and a qint64
};

// One JSON message of the stream protocol, as far as the agent looks at it.
struct ClientMessage {
    QString type;
    QByteArray token; // UTF-8; empty when absent or not a string
    SinceCursor since;
    std::optional<QString> instance; // only when a string
};

struct HttpRequestLine {
    QByteArray method; // GET or HEAD
    QByteArray target;
};

struct ClientLine {
    enum class Kind {
        Blank, // a keep-alive between messages, or the end of an HTTP request's headers
        Message,
        HttpRequest,
        HttpHeader,
        Malformed,
    };
    Kind kind = Kind::Blank;
    ClientMessage message; // Message
    HttpRequestLine request; // HttpRequest
    QByteArray headerName; // HttpHeader: trimmed and lower case; empty without a colon
    QByteArray headerValue; // HttpHeader: trimmed
    QString error; // Malformed: what to log
};

// What the session expects next.
enum class ClientLineContext {
    FirstLine, // a JSON message or (network clients only) an HTTP request line
    Message, // JSON messages only: stdio, after the hello, while streaming
    HttpHeader, // after an HTTP request line, until the blank line
};

// line: one line without its '\n' (and without a trailing '\r').
ClientLine parseClientLine(const QByteArray &line, ClientLineContext context);

// The head of an HTTP request, built from its request line and header lines.
struct HttpRequestHead {
    static constexpr int kMaxHeaderLines = 100;

    QByteArray method;
    QByteArray target;
    QByteArray authorization; // the Authorization header's value, trimmed (the last one wins)
    int headerLines = 0;

    // A header line (kind HttpHeader); false when the request has too many of them.
    bool addHeader(const ClientLine &header);
    // The target without its query.
    QByteArray path() const;
    // The token of "Authorization: Bearer <token>"; empty for any other scheme.
    QByteArray bearerToken() const;
};

} // namespace oomscope
