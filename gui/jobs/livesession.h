// SPDX-License-Identifier: GPL-3.0-or-later
// A live session: samples the picked cgroups in a sampler thread, tails the kernel log, stores
// both in the workspace from a storage thread, and hands the stored samples and kills to the
// window — the GUI thread only receives immutable payloads, one per flush. The session knows no
// widget: a view follows it through its signals (SamplesView::followLiveSession).
#pragma once

#include "earlywarning.h"
#include "samplewriter.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QStringList>

#include <map>
#include <memory>
#include <vector>

class QTimer;

namespace oomscope {

class KmsgTail;
class Sampler;
class WorkerThread;

struct LiveSessionConfig {
    QString cgroupRoot = QStringLiteral("/sys/fs/cgroup");
    QString procRoot = QStringLiteral("/proc");
    QStringList paths; // relative to the memory hierarchy root
    int intervalMs = 1000;
    bool sampleProcesses = true;
    // Cgroups created below the picked paths (a pod's new container, a restarted service) are
    // sampled from the next tick on.
    bool followNewCgroups = true;
    // Warn when the trend reaches the limit within this many seconds, or the kernel signals
    // pressure (earlywarning.h); 0 = no warnings.
    double warnHorizonSeconds = 120;
    QString kmsgPath = QStringLiteral("/dev/kmsg"); // empty: do not tail a kernel log
    bool kmsgFromStart = false; // tests: read a prepared file from its beginning
    QString host; // empty: this machine's hostname
    // How long a counter-detected kill waits for its kernel report before it is noted without.
    int reportGraceMs = 3000;
};

class LiveSession : public QObject
{
    Q_OBJECT

public:
    LiveSession(LiveSessionConfig config, const QString &workspacePath, QObject *parent = nullptr);
    ~LiveSession() override; // stop()s

    void start();
    void pause();
    void resume();
    // Stops sampling and the log tail, stores the last batch and joins both threads.
    // Blocks for as long as the last flush takes (one transaction).
    void stop();

    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }
    const LiveSessionConfig &config() const { return m_config; }
    QString host() const { return m_host; }
    // Series of the session by cgroup path (incarnations included), as the writer created them.
    QHash<QString, qint64> seriesOfPaths() const { return m_seriesOfPath; }
    qint64 samplesStoredCount() const { return m_samplesStored; }
    int eventsStoredCount() const { return m_eventsStored; }
    // Kills the cgroup counters saw that no kernel report explained (no marker on the chart).
    QStringList notes() const { return m_notes; }
    bool kernelLogAvailable() const { return m_kmsgOk; }
    QString summary() const; // one line for the status bar

Q_SIGNALS:
    void seriesAdded(const QStringList &paths, const QList<qint64> &seriesIds);
    // Every flush, once stored: what a live chart appends.
    void samplesStored(oomscope::StoredSamplesPtr stored);
    void oomEventStored(qint64 eventId, qint64 seriesId, qint64 timeMs);
    void killWithoutReport(const QString &path, qint64 timestampMs, qint64 count);
    // An OOM kill looks near in a watched cgroup (seriesId 0 while its series is not stored yet).
    void earlyWarning(const oomscope::EarlyWarning &warning, qint64 seriesId);
    void statusMessage(const QString &message, int timeoutMs);
    void stateChanged();

private:
    void onSamplesStored(const StoredSamplesPtr &stored);
    void onKillDetected(const QString &path, qint64 timestampMs, qint64 count);
    void onReplacement(const QString &vanishedPath, const QString &newPath);
    void onOomEventStored(qint64 eventId, qint64 seriesId, qint64 timeMs, const QString &memcg);
    void checkUnexplainedKills();
    void onBatchForWarnings(const SampleBatchPtr &batch);
    void warn(const EarlyWarning &warning);

    struct PendingKill {
        QString path;
        qint64 timestampMs = 0;
        qint64 count = 0;
        qint64 deadlineMs = 0; // steady: when to give up waiting for the report
    };

    // A stored report that no counter step has matched yet (the log can be faster).
    struct StoredEvent {
        QString memcg;
        qint64 seriesId = 0;
        qint64 steadyMs = 0;
    };
    bool explains(const StoredEvent &event, const QString &path) const;

    LiveSessionConfig m_config;
    QString m_workspacePath;
    QString m_host;
    std::unique_ptr<WorkerThread> m_samplerThread;
    std::unique_ptr<WorkerThread> m_storageThread;
    Sampler *m_sampler = nullptr;
    KmsgTail *m_tail = nullptr;
    SampleWriter *m_writer = nullptr;
    QTimer *m_graceTimer = nullptr;
    bool m_running = false;
    bool m_paused = false;
    bool m_kmsgOk = false;
    QStringList m_paths; // what the sampler reads (grows with incarnations)
    QHash<QString, qint64> m_seriesOfPath;
    std::vector<PendingKill> m_pendingKills;
    std::vector<StoredEvent> m_recentEvents;
    QStringList m_notes;
    std::unique_ptr<EarlyWarningMonitor> m_warnings;

public:
    // The early warnings of the session so far, in order.
    const std::vector<EarlyWarning> &warnings() const { return m_warningsSeen; }

private:
    std::vector<EarlyWarning> m_warningsSeen;
    qint64 m_samplesStored = 0;
    int m_eventsStored = 0;
};

} // namespace oomscope
