// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentrequest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

bool isHttpRequestLine(const QByteArray &line)
{
    return line.startsWith("GET ") || line.startsWith("HEAD ");
}

ClientLine malformed(QString error)
{
    ClientLine out;
    out.kind = ClientLine::Kind::Malformed;
    out.error = std::move(error);
    return out;
}

ClientLine httpRequestLine(const QByteArray &line)
{
    const QList<QByteArray> parts = line.split(' ');
    if (parts.size() != 3 || !parts[2].startsWith("HTTP/1."))
        return malformed(u"malformed HTTP request line"_s);
    ClientLine out;
    out.kind = ClientLine::Kind::HttpRequest;
    out.request = HttpRequestLine {parts[0], parts[1]};
    return out;
}

ClientLine httpHeaderLine(const QByteArray &line)
{
    ClientLine out;
    if (line.isEmpty())
        return out; // Blank: the end of the head
    out.kind = ClientLine::Kind::HttpHeader;
    const qsizetype colon = line.indexOf(':');
    if (colon > 0) {
        out.headerName = line.left(colon).trimmed().toLower();
        out.headerValue = line.mid(colon + 1).trimmed();
    }
    return out;
}

SinceCursor sinceCursor(const QJsonValue &since)
{
    SinceCursor out;
    if (since.isUndefined() || since.isNull())
        return out;
    const double d = since.toDouble(-1);
    // Range first: converting a double beyond qint64 to qint64 is undefined behaviour.
    if (!since.isDouble() || !(d >= 0 && d <= SinceCursor::kMaxSince) || d != double(qint64(d))) {
        out.state = SinceCursor::State::Invalid;
        return out;
    }
    out.state = SinceCursor::State::Valid;
    out.seq = qint64(d);
    return out;
}

ClientLine jsonMessage(const QByteArray &line)
{
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return malformed(u"malformed message (not a JSON object)"_s);
    const QJsonObject object = doc.object();
    ClientLine out;
    out.kind = ClientLine::Kind::Message;
    ClientMessage &m = out.message;
    m.type = object.value("type"_L1).toString();
    const QJsonValue token = object.value("token"_L1);
    if (token.isString())
        m.token = token.toString().toUtf8();
    m.since = sinceCursor(object.value("since"_L1));
    const QJsonValue instance = object.value("instance"_L1);
    if (instance.isString())
        m.instance = instance.toString();
    return out;
}

} // namespace

ClientLine parseClientLine(const QByteArray &line, ClientLineContext context)
{
    if (context == ClientLineContext::HttpHeader)
        return httpHeaderLine(line);
    if (context == ClientLineContext::FirstLine && isHttpRequestLine(line))
        return httpRequestLine(line);
    if (line.trimmed().isEmpty())
        return {}; // Blank: keep-alives are harmless
    return jsonMessage(line);
}

bool HttpRequestHead::addHeader(const ClientLine &header)
{
    if (++headerLines > kMaxHeaderLines)
        return false;
    if (header.headerName == "authorization")
        authorization = header.headerValue;
    return true;
}

QByteArray HttpRequestHead::path() const
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

QByteArray HttpRequestHead::bearerToken() const
{
    const bool bearer = authorization.size() > 7 && authorization.left(7).toLower() == "bearer ";
    return bearer ? authorization.mid(7).trimmed() : QByteArray();
}

} // namespace oomscope
