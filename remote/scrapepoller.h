// SPDX-License-Identifier: GPL-3.0-or-later
// Polls a Prometheus-format /metrics URL (kubelet /metrics/cadvisor, cAdvisor, oomscope-agent)
// at an interval and emits each scrape as a batch of cgroup memory samples.
#pragma once

#include "cadvisorfeed.h"
#include "result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace oomscope {

struct ScrapeConfig {
    QUrl url; // http or https
    int intervalMs = 10'000; // between scrape starts while scrapes succeed
    int timeoutMs = 10'000; // per scrape, connect to last byte, redirects included
    int maxBackoffMs = 120'000; // failures double the wait up to this
    // Bearer token, re-read before every scrape: Kubernetes rotates projected service account
    // tokens under a running process.
    QString tokenFile;
    QString caFile; // PEM CA bundle that signed the server certificate (kubelet: the cluster CA)
    bool insecureSkipVerify = false; // kubelet's self-signed serving certificate, on a lab cluster
    qint64 maxBodyBytes = 256LL * 1024 * 1024;
    CadvisorMapOptions mapping;
};

class ScrapePoller : public QObject
{
    Q_OBJECT
public:
    explicit ScrapePoller(const ScrapeConfig &config, QObject *parent = nullptr);
    ~ScrapePoller() override;

    // Checks the configuration (URL scheme, readable token and CA files) and scrapes at once;
    // an error naming what is wrong (and nothing started) otherwise.
    Result<void> start();
    void stop();
    bool isRunning() const { return m_running; }

    const ScrapeConfig &config() const { return m_config; }
    int consecutiveFailures() const { return m_failures; }
    qint64 scrapesDone() const { return m_scrapes; }

    // The wait before scrape n+1 after `failures` failures in a row: the interval, doubled per
    // failure, capped at maxBackoffMs.
    static int backoffMs(int intervalMs, int failures, int maxBackoffMs);

Q_SIGNALS:
    void batchReady(std::shared_ptr<const oomscope::ScrapeBatch> batch);
    // A failed scrape: what went wrong, in words a user can act on, and when the next try is.
    void scrapeFailed(const QString &error, int retryInMs);
    void statusChanged(const QString &status);

private:
    void scrape();
    void get(const QUrl &url); // one request of the current scrape (the first, or a redirect's)
    void onFinished(QNetworkReply *reply);
    void onDeadline();
    static bool sameOrigin(const QUrl &a, const QUrl &b); // scheme, host and port
    void schedule(int delayMs);
    QString describeFailure(QNetworkReply *reply, int httpStatus) const;

    ScrapeConfig m_config;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    static constexpr int kMaxRedirects = 5;

    QTimer m_timer;
    QTimer m_deadline; // the whole scrape, whatever the server trickles
    QElapsedTimer m_started;
    QByteArray m_token; // read for the current scrape; sent to the configured origin only
    int m_redirects = 0;
    bool m_running = false;
    int m_failures = 0;
    qint64 m_scrapes = 0;
    QString m_tlsNote; // TLS errors seen on the current reply
};

} // namespace oomscope
