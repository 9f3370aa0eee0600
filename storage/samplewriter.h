// SPDX-License-Identifier: GPL-3.0-or-later
// Stores a live session's sample batches and OOM reports in a workspace from a storage thread of
// its own: one connection, one transaction per flush (~200 ms), events imported and placed on the
// series of their cgroup the moment the kernel log delivers them.
#pragma once

#include "memorysample.h"
#include "oomevent.h"
#include "samplebatch.h"
#include "storedsamples.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <map>
#include <memory>
#include <utility>
#include <vector>

class QTimer;

namespace oomscope {

class SampleStore;
class Workspace;

struct SampleWriterConfig {
    QString workspacePath;
    QString host; // the machine the samples come from (series key with the cgroup path)
    int flushIntervalMs = 200;
};

// Create it without a parent, move it to its thread (WorkerThread::adopt), then call open().
// Every public function may be called from any thread and runs on the writer's thread.
class SampleWriter : public QObject
{
    Q_OBJECT

public:
    explicit SampleWriter(SampleWriterConfig config, QObject *parent = nullptr);
    ~SampleWriter() override;

    // Opens the writer's own connection (emits failed() when it cannot).
    void open();
    // Creates (or finds) the series of the paths; emits seriesReady once for all of them.
    void addPaths(const QStringList &paths);
    // newPath is a restarted instance of vanishedPath's workload: its series becomes the
    // workload's next incarnation even when the path alone would not say so (a new Docker id).
    void addReplacement(const QString &vanishedPath, const QString &newPath);
    // Queues the batch's samples (present cgroups only); stored at the next flush.
    void writeBatch(const oomscope::SampleBatchPtr &batch);
    // The records of a completed kernel report (KmsgTail::reportCompleted), imported with the
    // first event that follows with the same firstSeq.
    void addReportText(const QByteArray &reportText, qint64 firstSeq);
    // Flushes queued samples, imports the report as a log source and places its event on the
    // series whose cgroup it names.
    void storeOomEvent(const oomscope::OomEvent &event, qint64 firstSeq);
    // Stores what is queued and closes the connection. Call before the thread stops.
    void finish();

    // Boot time (epoch ms) from the samples seen so far, 0 when none carried CLOCK_BOOTTIME.
    qint64 bootTimeMs() const;

Q_SIGNALS:
    void seriesReady(const QStringList &paths, const QList<qint64> &seriesIds);
    void samplesStored(oomscope::StoredSamplesPtr stored);
    // seriesId 0: the event matched none of the session's cgroups (stored, not placed).
    void oomEventStored(qint64 eventId, qint64 seriesId, qint64 timeMs, const QString &memcg);
    // Cannot open the workspace, or a flush failed (its samples stay queued; statusMessage says
    // when they are stored again).
    void failed(const QString &error);
    void statusMessage(const QString &message);

private:
    qint64 seriesFor(const QString &path, const QString &workloadKey = {});
    void flush();

    SampleWriterConfig m_config;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<SampleStore> m_store;
    QTimer *m_flushTimer = nullptr;
    QHash<QString, qint64> m_seriesOfPath;
    std::map<qint64, std::int64_t> m_lastStoredMs; // per series: later samples only
    std::vector<SampleBatchPtr> m_pending;
    bool m_storeFailing = false; // the last flush failed; its batches are in m_pending
    std::deque<MemorySample> m_clockSamples; // recent samples with boottime, for bootTimeMs()
    std::map<qint64, QByteArray> m_reportTexts; // firstSeq -> raw records
    std::map<qint64, std::vector<qint64>>
        m_importedEvents; // firstSeq -> its events (several kills, one report)
};

} // namespace oomscope

Q_DECLARE_METATYPE(oomscope::StoredSamplesPtr)
