// SPDX-License-Identifier: GPL-3.0-or-later
// Writes agent feed batches into a workspace on the storage thread: samples under the node's
// hostname, OOM reports as small log sources placed on the node's series, gaps, and the node's
// resume cursor, one transaction per batch.
#pragma once

#include "feedbatch.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

class QThread;

namespace oomscope {

class Workspace;

// What the workspace knows about one attached node (the remote_nodes table).
struct NodeCursor {
    QString node;
    QString hostname;
    QString instance;
    qint64 lastSeq = 0;
    qint64 samplesStored = 0;
    qint64 eventsStored = 0;
};

struct StoredGap {
    QString instance;
    qint64 fromSeq = 0;
    qint64 toSeq = 0;
    qint64 detectedMs = 0;
};

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
    bool open(const QString &workspacePath, QString *error = nullptr);
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

Q_SIGNALS:
    void cursorLoaded(const QString &node, const QString &instance, qint64 lastSeq);
    void batchStored(const oomscope::FeedStoreReport &report);

private:
    FeedStoreReport storeBatch(const FeedBatch &batch);

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

    bool start(const QString &workspacePath, QString *error = nullptr);
    void stop();
    FeedRecorder *recorder() const { return m_recorder; }

private:
    QThread *m_thread = nullptr;
    FeedRecorder *m_recorder = nullptr;
};

} // namespace oomscope
