// SPDX-License-Identifier: GPL-3.0-or-later
// The agent's view of Kubernetes names: it fetches the kubelet's /pods (a PodList, parsed by
// podjson) over TLS with the service account's bearer token, now and then and when a new cgroup
// appears, and keeps the pods in a PodDirectory. Every failure (unreachable, 401, a CA that does
// not match) is logged once per kind and never fatal: names are then simply absent.
#pragma once

#include "kubernetes.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUrl>

#include <vector>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace oomscope {

struct KubeletOptions {
    QUrl url; // https://<node>:10250; invalid = off
    QString tokenFile; // bearer token, read before every fetch (tokens rotate)
    QString caFile; // PEM CA the kubelet's serving certificate must chain to
    bool insecure = false; // skip certificate verification (self-signed kubelet serving certs)
    int refreshMs = 30000;
};

class KubeletPods : public QObject
{
    Q_OBJECT

public:
    explicit KubeletPods(KubeletOptions options, QObject *parent = nullptr);
    ~KubeletPods() override;

    void start();
    // Fetch again soon (a new cgroup appeared); at most one fetch every few seconds.
    void refreshSoon();
    const PodDirectory &directory() const { return m_directory; }

Q_SIGNALS:
    // The set of pods changed (after a successful fetch): the new list, in the kubelet's order.
    void podsChanged(const std::vector<oomscope::KubePod> &pods);

private:
    void fetch();
    void finished(QNetworkReply *reply);
    void logOnce(const QString &kind, const QString &message);

    KubeletOptions m_options;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    QTimer *m_soon = nullptr;
    QNetworkReply *m_inFlight = nullptr;
    PodDirectory m_directory;
    QByteArray m_lastDigest; // of the pods as sent, to send only changes
    QElapsedTimer m_sinceSent; // unchanged pods are sent again after a while (replay buffer)
    QSet<QString> m_logged; // error kinds already logged (cleared by a success)
};

} // namespace oomscope
