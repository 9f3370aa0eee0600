// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for what the agent reads from an unauthenticated client: the bytes are split
// into lines the way ClientSession splits them (at most kMaxLineBytes before the '\n', a trailing
// '\r' dropped) and each line is classified in the context the session would be in, for a
// network client and for a stdio one. Nothing may crash, hang or trip a sanitizer, and what the
// parser hands the session must keep its promises.
#include "agentrequest.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

namespace {

using namespace oomscope;

constexpr qsizetype kMaxLineBytes = 64 * 1024; // AgentOptions::maxLineBytes' default

enum class State { AwaitFirstLine, HttpHeaders, AwaitSubscribe, Streaming, Closing };

void check(bool invariant)
{
    if (!invariant)
        __builtin_trap();
}

void checkMessage(const ClientMessage &m)
{
    if (m.since.state == SinceCursor::State::Valid)
        check(m.since.seq >= 0 && m.since.seq <= qint64(SinceCursor::kMaxSince));
    else
        check(m.since.seq == 0);
}

// The end of an HTTP head: what respondHttp() takes from it.
void checkHead(const HttpRequestHead &head)
{
    check(head.method == "GET" || head.method == "HEAD");
    check(!head.target.contains(' ') && !head.path().contains('?'));
    check(head.headerLines <= HttpRequestHead::kMaxHeaderLines);
    const QByteArray token = head.bearerToken();
    if (!token.isEmpty())
        check(head.authorization.left(7).toLower() == "bearer " && token == token.trimmed());
}

// One line in the session's state; returns the next state (Closing where the session stops).
State step(State state, bool stdio, const QByteArray &line, HttpRequestHead &head)
{
    const ClientLineContext context = state == State::HttpHeaders ? ClientLineContext::HttpHeader
        : state == State::AwaitFirstLine && !stdio                ? ClientLineContext::FirstLine
                                                                  : ClientLineContext::Message;
    const ClientLine parsed = parseClientLine(line, context);
    switch (parsed.kind) {
    case ClientLine::Kind::Blank:
        if (state != State::HttpHeaders)
            return state;
        checkHead(head);
        return State::Closing;
    case ClientLine::Kind::Malformed:
        check(!parsed.error.isEmpty());
        return State::Closing;
    case ClientLine::Kind::HttpRequest:
        check(context == ClientLineContext::FirstLine);
        head = HttpRequestHead {};
        head.method = parsed.request.method;
        head.target = parsed.request.target;
        return State::HttpHeaders;
    case ClientLine::Kind::HttpHeader:
        check(context == ClientLineContext::HttpHeader && !line.isEmpty());
        check(parsed.headerName == parsed.headerName.trimmed().toLower());
        check(parsed.headerValue == parsed.headerValue.trimmed());
        return head.addHeader(parsed) ? state : State::Closing;
    case ClientLine::Kind::Message:
        check(context != ClientLineContext::HttpHeader);
        checkMessage(parsed.message);
        break;
    }
    // The session's decisions on a message, with every token taken as valid so the fuzzer
    // reaches the subscribe and the streaming states.
    const QString &type = parsed.message.type;
    if (state == State::Streaming)
        return type == u"ping" ? state : State::Closing;
    if (type == u"hello")
        return State::AwaitSubscribe;
    if (type != u"subscribe" || parsed.message.since.state == SinceCursor::State::Invalid)
        return State::Closing;
    return State::Streaming;
}

void session(const QByteArray &bytes, bool stdio)
{
    State state = State::AwaitFirstLine;
    HttpRequestHead head;
    qsizetype pos = 0;
    while (state != State::Closing) {
        const qsizetype nl = bytes.indexOf('\n', pos);
        if (nl < 0)
            return; // the rest waits for more bytes (or is line_too_long once it passes the cap)
        if (nl - pos > kMaxLineBytes)
            return; // line_too_long
        QByteArray line = bytes.mid(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        state = step(state, stdio, line, head);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    session(bytes, false);
    session(bytes, true);
    return 0;
}
