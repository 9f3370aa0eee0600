// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentendpoint.h"

#include "tokenfile.h"

#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

std::optional<quint16> parsePort(const QString &text)
{
    bool ok = false;
    const uint port = text.toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return std::nullopt;
    return quint16(port);
}

} // namespace

Result<AgentEndpoint> AgentEndpoint::parse(const QString &input)
{
    const QString text = input.trimmed();
    AgentEndpoint e;
    if (text.isEmpty()) {
        return fail(Error::Kind::Invalid, u"no agent address given"_s);
    }
    if (text.startsWith("exec:"_L1)) {
        e.kind = Kind::Exec;
        e.program = text.mid(5);
        if (e.program.isEmpty()) {
            return fail(Error::Kind::Invalid, u"exec: needs the path of the agent binary"_s);
        }
        return e;
    }
    if (text.startsWith("ssh://"_L1)) {
        // [user@]host[:port]; IPv6 hosts in brackets.
        static const QRegularExpression re(
            u"^ssh://(?:([^@/\\s]+)@)?(\\[[0-9A-Fa-f:.]+\\]|[^:@/\\s\\[\\]]+)(?::(\\d+))?/?$"_s);
        const QRegularExpressionMatch m = re.match(text);
        if (!m.hasMatch()) {
            return fail(Error::Kind::Invalid, u"'%1' is not ssh://[user@]host[:port]"_s.arg(text));
        }
        e.kind = Kind::Ssh;
        e.user = m.captured(1);
        e.host = m.captured(2);
        if (e.host.startsWith(u'['))
            e.host = e.host.mid(1, e.host.size() - 2);
        e.port = 0;
        if (m.hasCaptured(3) && !m.captured(3).isEmpty()) {
            const std::optional<quint16> port = parsePort(m.captured(3));
            if (!port) {
                return fail(Error::Kind::Invalid, u"bad ssh port in '%1'"_s.arg(text));
            }
            e.port = *port;
        }
        return e;
    }
    static const QRegularExpression re(
        u"^(?:tcp://)?(\\[[0-9A-Fa-f:.]+\\]|[^:/\\s\\[\\]]+)(?::(\\d+))?/?$"_s);
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) {
        return fail(Error::Kind::Invalid,
                    u"'%1' is not HOST:PORT, ssh://user@host[:port] or exec:/path/to/agent"_s.arg(text));
    }
    e.kind = Kind::Tcp;
    e.host = m.captured(1);
    if (e.host.startsWith(u'['))
        e.host = e.host.mid(1, e.host.size() - 2);
    if (m.hasCaptured(2) && !m.captured(2).isEmpty()) {
        const std::optional<quint16> port = parsePort(m.captured(2));
        if (!port) {
            return fail(Error::Kind::Invalid, u"bad port in '%1'"_s.arg(text));
        }
        e.port = *port;
    }
    return e;
}

QString AgentEndpoint::key() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    switch (kind) {
    case Kind::Exec:
        return u"exec:"_s + program;
    case Kind::Ssh:
        return u"ssh://"_s + (user.isEmpty() ? QString() : user + u'@') + h
            + (port ? u':' + QString::number(port) : QString());
    case Kind::Tcp:
        break;
    }
    return h + u':' + QString::number(port);
}

Result<QByteArray> resolveToken(const AgentConnectOptions &options)
{
    if (!options.token.isEmpty())
        return options.token;
    if (options.tokenFile.isEmpty())
        return QByteArray();
    return readTokenFile(options.tokenFile);
}

Result<void> checkTokenTransport(const AgentConnectOptions &options, const QByteArray &token)
{
    const AgentEndpoint &e = options.endpoint;
    if (token.isEmpty() || options.tls || e.kind != AgentEndpoint::Kind::Tcp)
        return {};
    const QHostAddress address(e.host);
    const bool loopback =
        address.isNull() ? e.host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0 : address.isLoopback();
    if (loopback)
        return {};
    return fail(Error::Kind::Invalid,
                u"refusing to send the token to %1 in cleartext: connect with TLS (--tls; the agent "
                "serves it with --tls-cert/--tls-key), or through ssh://%1"_s.arg(e.host));
}

} // namespace oomscope
