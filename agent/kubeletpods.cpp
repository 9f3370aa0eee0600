// SPDX-License-Identifier: GPL-3.0-or-later
#include "kubeletpods.h"

#include "agentprotocol.h"
#include "podjson.h"
#include "tokenfile.h"

#include <QCryptographicHash>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr qint64 kMaxPodListBytes = 64LL * 1024 * 1024; // a PodList of ~110 pods is far below
constexpr int kTransferTimeoutMs = 10000;
// Unchanged pods are sent again this often, so a client that attaches after the last change
// left the replay buffer still learns the names.
constexpr qint64 kResendMs = 10 * 60 * 1000;
constexpr int kSoonMs = 2000; // a new cgroup: its pod is usually listed within a second or two

} // namespace

KubeletPods::KubeletPods(KubeletOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_network(new QNetworkAccessManager(this))
    , m_timer(new QTimer(this))
    , m_soon(new QTimer(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); // the token stays here
    m_timer->setInterval(m_options.refreshMs);
    connect(m_timer, &QTimer::timeout, this, &KubeletPods::fetch);
    m_soon->setSingleShot(true);
    m_soon->setInterval(kSoonMs);
    connect(m_soon, &QTimer::timeout, this, &KubeletPods::fetch);
}

KubeletPods::~KubeletPods() = default;

void KubeletPods::start()
{
    if (!m_options.url.isValid())
        return;
    qInfo("resolving pod names from the kubelet at %s every %d s%s", qPrintable(m_options.url.toString()),
          m_options.refreshMs / 1000, m_options.insecure ? " (certificate NOT verified)" : "");
    m_timer->start();
    fetch();
}

void KubeletPods::refreshSoon()
{
    if (m_options.url.isValid() && !m_soon->isActive())
        m_soon->start();
}

void KubeletPods::logOnce(const QString &kind, const QString &message)
{
    if (m_logged.contains(kind))
        return;
    m_logged.insert(kind);
    qWarning("kubelet %s: %s (pod names unavailable until it works; said once)",
             qPrintable(m_options.url.toString()), qPrintable(message));
}

void KubeletPods::fetch()
{
    if (m_inFlight)
        return; // the running fetch answers for this one too
    QUrl url = m_options.url;
    url.setPath(url.path().endsWith(u'/') ? url.path() + u"pods"_s : url.path() + u"/pods"_s);
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(kTransferTimeoutMs);
    if (!m_options.tokenFile.isEmpty()) {
        if (const Result<QByteArray> token = readTokenFile(m_options.tokenFile))
            request.setRawHeader("Authorization", "Bearer " + *token);
        else
            logOnce(u"token"_s, token.error().message + u"; asking without a token"_s);
    }
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (m_options.insecure) {
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    } else if (!m_options.caFile.isEmpty()) {
        const QList<QSslCertificate> ca = QSslCertificate::fromPath(m_options.caFile, QSsl::Pem);
        if (ca.isEmpty())
            logOnce(u"ca"_s,
                    u"no PEM certificate in %1; verifying against the system CAs"_s.arg(m_options.caFile));
        else
            ssl.setCaCertificates(ca); // only the cluster's CA, not the system ones
    }
    request.setSslConfiguration(ssl);
    m_inFlight = m_network->get(request);
    connect(m_inFlight, &QNetworkReply::downloadProgress, m_inFlight,
            [reply = m_inFlight](qint64 received, qint64) {
                if (received > kMaxPodListBytes)
                    reply->abort();
            });
    connect(m_inFlight, &QNetworkReply::finished, this, [this, reply = m_inFlight] { finished(reply); });
}

void KubeletPods::finished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply == m_inFlight)
        m_inFlight = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status != 200) {
        QString kind = u"network %1"_s.arg(int(reply->error()));
        if (status == 401 || status == 403)
            kind = u"http %1"_s.arg(status); // 401: the token; 403: RBAC (nodes/proxy get)
        else if (status != 0)
            kind = u"http"_s;
        logOnce(kind, status != 0 ? u"HTTP %1 for /pods"_s.arg(status) : reply->errorString());
        return;
    }
    const QByteArray body = reply->readAll();
    Result<KubeObjects> parsed = parseKubeJson(body);
    if (!parsed) {
        logOnce(u"parse"_s, u"/pods is not a PodList: %1"_s.arg(parsed.error().message));
        return;
    }
    if (!m_logged.isEmpty())
        qInfo("kubelet %s: pod names available again", qPrintable(m_options.url.toString()));
    m_logged.clear();
    QCryptographicHash digest(QCryptographicHash::Sha256);
    for (const KubePod &pod : parsed->pods)
        digest.addData(jsonLine(podToJson(pod)));
    if (digest.result() == m_lastDigest && m_sinceSent.isValid() && m_sinceSent.elapsed() < kResendMs)
        return;
    m_lastDigest = digest.result();
    m_sinceSent.start();
    m_directory = PodDirectory();
    m_directory.add(parsed->pods);
    Q_EMIT podsChanged(parsed->pods);
}

} // namespace oomscope
