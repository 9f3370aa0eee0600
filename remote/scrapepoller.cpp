// SPDX-License-Identifier: GPL-3.0-or-later
#include "scrapepoller.h"

#include "tokenfile.h"

#include <QDateTime>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace { } // namespace

ScrapePoller::ScrapePoller(const ScrapeConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_network(new QNetworkAccessManager(this))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ScrapePoller::scrape);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &ScrapePoller::onDeadline);
    connect(m_network, &QNetworkAccessManager::finished, this, &ScrapePoller::onFinished);
}

ScrapePoller::~ScrapePoller()
{
    stop();
}

int ScrapePoller::backoffMs(int intervalMs, int failures, int maxBackoffMs)
{
    qint64 delay = std::max(intervalMs, 1);
    for (int i = 0; i < failures && delay < maxBackoffMs; ++i)
        delay *= 2;
    return int(std::min<qint64>(delay, std::max(maxBackoffMs, intervalMs)));
}

Result<void> ScrapePoller::start()
{
    const QString scheme = m_config.url.scheme();
    if (!m_config.url.isValid() || m_config.url.host().isEmpty()
        || (scheme != u"http"_s && scheme != u"https"_s))
        return fail(Error::Kind::Invalid,
                    u"not an http(s) URL: \"%1\" (e.g. https://node:10250/metrics/cadvisor)"_s.arg(
                        m_config.url.toString()));
    if (m_config.intervalMs < 100)
        return fail(Error::Kind::Invalid, u"the scrape interval must be at least 100 ms"_s);
    if (!m_config.tokenFile.isEmpty()) {
        if (const Result<QByteArray> token = readTokenFile(m_config.tokenFile); !token)
            return tl::unexpected(token.error());
        if (scheme == u"http"_s && !m_config.url.host().startsWith(u"127."_s)
            && m_config.url.host() != u"localhost"_s && m_config.url.host() != u"::1"_s)
            qWarning("sending a bearer token over plain http to %s", qPrintable(m_config.url.host()));
    }
    if (!m_config.caFile.isEmpty() && QSslCertificate::fromPath(m_config.caFile, QSsl::Pem).isEmpty())
        return fail(Error::Kind::Invalid, u"no PEM certificate in the CA file %1"_s.arg(m_config.caFile));
    m_running = true;
    m_failures = 0;
    scrape();
    return {};
}

void ScrapePoller::stop()
{
    m_running = false;
    m_timer.stop();
    m_deadline.stop();
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->abort();
        reply->deleteLater();
    }
}

void ScrapePoller::schedule(int delayMs)
{
    if (m_running)
        m_timer.start(std::max(delayMs, 0));
}

void ScrapePoller::scrape()
{
    if (!m_running || m_reply)
        return;
    QByteArray token;
    if (!m_config.tokenFile.isEmpty()) {
        Result<QByteArray> read = readTokenFile(m_config.tokenFile);
        if (!read) {
            const QString &error = read.error().message;
            ++m_failures;
            const int retry = backoffMs(m_config.intervalMs, m_failures, m_config.maxBackoffMs);
            Q_EMIT scrapeFailed(error, retry);
            Q_EMIT statusChanged(u"%1; retrying in %2 s"_s.arg(error).arg(retry / 1000.0, 0, 'f', 1));
            schedule(retry);
            return;
        }
        token = std::move(*read);
    }
    m_token = token;
    m_redirects = 0;
    m_tlsNote.clear();
    m_started.start();
    // One deadline for the whole scrape (connect, redirects, last byte): a server that trickles a
    // byte now and then must not stretch it, which Qt's transfer timeout (reset by every byte)
    // alone would allow.
    m_deadline.start(std::max(m_config.timeoutMs, 1));
    Q_EMIT statusChanged(u"scraping %1"_s.arg(m_config.url.toDisplayString()));
    get(m_config.url);
}

bool ScrapePoller::sameOrigin(const QUrl &a, const QUrl &b)
{
    const int defaultPort = a.scheme() == u"https"_s ? 443 : 80;
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(defaultPort) == b.port(defaultPort);
}

void ScrapePoller::get(const QUrl &url)
{
    QNetworkRequest request(url);
    // Plain text 0.0.4, not protobuf or OpenMetrics, which the parser does not read.
    request.setRawHeader("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
    request.setRawHeader("User-Agent", "oomscope/" OOMSCOPE_VERSION);
    request.setTransferTimeout(m_config.timeoutMs);
    // Redirects are followed here, not by Qt: only to the configured origin, so the bearer token
    // (for kubelet scraping, a cluster service-account token) never reaches another server.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!m_token.isEmpty() && sameOrigin(url, m_config.url))
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (url.scheme() == u"https"_s) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!m_config.caFile.isEmpty())
            ssl.setCaCertificates(QSslCertificate::fromPath(m_config.caFile, QSsl::Pem));
        if (m_config.insecureSkipVerify)
            ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        request.setSslConfiguration(ssl);
    }
    m_reply = m_network->get(request);
    QNetworkReply *reply = m_reply;
    connect(reply, &QNetworkReply::sslErrors, this, [this, reply](const QList<QSslError> &errors) {
        if (reply != m_reply)
            return;
        QStringList texts;
        for (const QSslError &e : errors)
            texts << e.errorString();
        m_tlsNote = texts.join(u"; "_s);
    });
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (received > m_config.maxBodyBytes && reply == m_reply) {
            m_tlsNote = u"answer larger than %1 bytes"_s.arg(m_config.maxBodyBytes);
            reply->abort();
        }
    });
}

void ScrapePoller::onDeadline()
{
    if (!m_reply)
        return;
    m_tlsNote = u"no complete answer within %1 s"_s.arg(m_config.timeoutMs / 1000.0);
    m_reply->abort();
}

QString ScrapePoller::describeFailure(QNetworkReply *reply, int httpStatus) const
{
    const QString url = m_config.url.toDisplayString();
    if (httpStatus == 401 || httpStatus == 403) {
        if (m_config.tokenFile.isEmpty())
            return u"HTTP %1 from %2: the endpoint wants a bearer token (--token-file)"_s.arg(httpStatus)
                .arg(url);
        return u"HTTP %1 from %2: the bearer token in %3 was refused (wrong or expired token, or no RBAC "
               "permission on nodes/metrics)"_s.arg(httpStatus)
                   .arg(url, m_config.tokenFile);
    }
    if (httpStatus >= 300)
        return u"HTTP %1 %2 from %3"_s.arg(httpStatus)
            .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(), url);
    switch (reply->error()) {
    case QNetworkReply::SslHandshakeFailedError:
        return u"TLS handshake with %1 failed: %2 (kubelet serves a self-signed certificate: give "
               "--ca-file with the cluster CA, or --insecure-skip-verify on a lab cluster)"_s.arg(
                   url, m_tlsNote.isEmpty() ? reply->errorString() : m_tlsNote);
    case QNetworkReply::ConnectionRefusedError:
        return u"connection refused by %1 (nothing listens there; for a pod, is kubectl port-forward "
               "running?)"_s.arg(url);
    case QNetworkReply::HostNotFoundError:
        return u"host not found: %1"_s.arg(m_config.url.host());
    case QNetworkReply::OperationCanceledError:
    case QNetworkReply::TimeoutError:
        if (!m_tlsNote.isEmpty())
            return u"%1: %2"_s.arg(url, m_tlsNote);
        return u"no complete answer from %1 within %2 s"_s.arg(url).arg(m_config.timeoutMs / 1000.0);
    default:
        return u"%1: %2"_s.arg(url, reply->errorString());
    }
}

void ScrapePoller::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return; // aborted by stop()
    m_reply = nullptr;
    const std::int64_t scrapeTimeMs = QDateTime::currentMSecsSinceEpoch();
    const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 elapsedMs = m_started.elapsed();
    QString redirectError;
    if (httpStatus >= 300 && httpStatus < 400 && reply->error() == QNetworkReply::NoError) {
        const QUrl target =
            reply->url().resolved(reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl());
        if (!target.isValid() || target.isEmpty())
            redirectError = u"HTTP %1 from %2 without a usable Location"_s.arg(httpStatus)
                                .arg(reply->url().toDisplayString());
        else if (!sameOrigin(target, m_config.url))
            redirectError = u"%1 redirects to another origin (%2): not followed, so the token is not "
                            "sent there; scrape the final URL directly if it is meant"_s.arg(
                                m_config.url.toDisplayString(), target.toDisplayString());
        else if (++m_redirects > kMaxRedirects)
            redirectError =
                u"more than %1 redirects from %2"_s.arg(kMaxRedirects).arg(m_config.url.toDisplayString());
        else
            return get(target);
    }
    m_deadline.stop();
    if (!redirectError.isEmpty() || reply->error() != QNetworkReply::NoError || httpStatus >= 300
        || httpStatus == 0) {
        ++m_failures;
        const QString error = redirectError.isEmpty() ? describeFailure(reply, httpStatus) : redirectError;
        const int retry = backoffMs(m_config.intervalMs, m_failures, m_config.maxBackoffMs);
        Q_EMIT scrapeFailed(error, retry);
        Q_EMIT statusChanged(
            u"%1; retry %2 in %3 s"_s.arg(error).arg(m_failures).arg(retry / 1000.0, 0, 'f', 1));
        schedule(retry);
        return;
    }
    const QByteArray body = reply->readAll();
    auto batch = std::make_shared<ScrapeBatch>(parseCadvisorScrape(body, scrapeTimeMs, m_config.mapping));
    m_failures = 0;
    ++m_scrapes;
    if (batch->parsedSamples == 0)
        Q_EMIT statusChanged(
            u"%1 answered, but with no container_memory_* metrics (is it a cAdvisor, "
            "kubelet /metrics/cadvisor or oomscope-agent endpoint?)"_s.arg(m_config.url.toDisplayString()));
    else
        Q_EMIT statusChanged(u"scraped %1 cgroups from %2 in %3 ms"_s.arg(batch->series.size())
                                 .arg(m_config.url.toDisplayString())
                                 .arg(elapsedMs));
    Q_EMIT batchReady(std::move(batch));
    schedule(int(m_config.intervalMs - std::min<qint64>(elapsedMs, m_config.intervalMs)));
}

} // namespace oomscope
