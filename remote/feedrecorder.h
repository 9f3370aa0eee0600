// SPDX-License-Identifier: GPL-3.0-or-later
// Writes agent feed batches into a workspace on the storage thread: samples under the node's
// hostname, OOM reports as small log sources placed on the node's series, gaps, and the node's
// resume cursor, one transaction per batch.
#pragma once

#include "feedbatch.h"
#include "nodefeedstore.h" // NodeCursor, StoredGap
#include "result.h"
#include "storedsamples.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace oomscope {

class Workspace;
class WorkerThread;

// The outcome of storing one batch, sent back to the client that produced it.
struct FeedStoreReport {
    QString node;
    bool ok = false; // false: error set, nothing of the batch is stored
    QString error;
    qint64 lastSeq = 0; // the node's cursor after the batch
    qint64 samplesStored = 0;
    qint64 samplesSkipped = 0; // duplicates (seq already stored) or older than the series' end
    int eventsStored = 0; // OOM events new to the workspace
    int eventsWithoutReport = 0; // oom_event records whose kernel log lines were not received
    int gaps = 0;
    int podsStored = -1; // the node's pods from a pods record; -1: the batch had none
    // The samples stored, per series in time order (what a live chart appends); null when none.
    StoredSamplesPtr samples;
};

} // namespace oomscope

Q_DECLARE_METATYPE(oomscope::FeedStoreReport)

namespace oomscope {

// Lives on one thread: call open() (or use()) there, then feed it with store() — typically by
// a queued connection from AgentClient::batchReady. One recorder serves several nodes.
class FeedRecorder : public QObject
{
    Q_OBJECT

public:
    explicit FeedRecorder(QObject *parent = nullptr);
    ~FeedRecorder() override;

    // Opens its own connection to the workspace file (created and migrated when new).
    Result<void> open(const QString &workspacePath);
    // Writes through a workspace already open on this thread (not owned).
    void use(Workspace &workspace);
    void close();
    bool isOpen() const;
    Workspace *workspace() const; // on this thread only

    std::optional<NodeCursor> cursor(const QString &node) const;
    std::vector<NodeCursor> nodes() const;
    std::vector<StoredGap> gaps(const QString &node) const;

public Q_SLOTS:
    void store(oomscope::FeedBatchPtr batch);
    // Answers with cursorLoaded (instance empty and lastSeq 0 for a node never stored).
    void requestCursor(const QString &node);
    // Forgets the node's stored cursor (the node refused it): its next records are all new.
    void resetCursor(const QString &node);

Q_SIGNALS:
    void cursorLoaded(const QString &node, const QString &instance, qint64 lastSeq);
    void batchStored(const oomscope::FeedStoreReport &report);

private:
    FeedStoreReport storeBatch(const FeedBatch &batch);
    // Imports the batch's OOM reports (each its own import, idempotent by content hash) and
    // returns the new events to place; counts them in report. False: report.error is set.
    QString hostFor(const FeedBatch &batch);
    bool importReports(const FeedBatch &batch, qint64 storedUpTo, const QString &host,
                       std::vector<NodeBatch::Event> &events, FeedStoreReport &report);

    struct Private;
    std::unique_ptr<Private> d;
};

// A FeedRecorder on its own thread with its own connection: start() opens the workspace there,
// stop() stores every batch queued so far, closes the connection and joins the thread.
class FeedRecorderThread
{
public:
    FeedRecorderThread();
    ~FeedRecorderThread();
    FeedRecorderThread(const FeedRecorderThread &) = delete;
    FeedRecorderThread &operator=(const FeedRecorderThread &) = delete;

    Result<void> start(const QString &workspacePath);
    void stop();
    FeedRecorder *recorder() const { return m_recorder; }

private:
    std::unique_ptr<WorkerThread> m_thread;
    FeedRecorder *m_recorder = nullptr;
};

} // namespace oomscope
