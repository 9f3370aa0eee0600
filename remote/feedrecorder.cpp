// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedrecorder.h"

#include "nodefeedstore.h"
#include "podrows.h"
#include "timeline.h"
#include "workerthread.h"
#include "workspace.h"

#include <QBuffer>
#include <QThread>

#include <map>

using namespace Qt::StringLiterals;

namespace oomscope {

struct FeedRecorder::Private {
    std::unique_ptr<Workspace> owned;
    Workspace *workspace = nullptr;
    std::unique_ptr<NodeFeedStore> store;
};

FeedRecorder::FeedRecorder(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<FeedBatchPtr>();
    qRegisterMetaType<FeedStoreReport>();
}

FeedRecorder::~FeedRecorder() = default;

Result<void> FeedRecorder::open(const QString &workspacePath)
{
    close();
    auto ws = std::make_unique<Workspace>();
    // Another writer (a CLI import, the GUI's live session) may hold the lock: wait and say so.
    LockWait wait;
    wait.onWaiting = [] {
        qInfo("%s", qPrintable(Workspace::lockWaitingMessage()));
    };
    ws->setLockWait(std::move(wait));
    if (Result<void> opened = ws->open(workspacePath); !opened)
        return opened;
    d->owned = std::move(ws);
    use(*d->owned);
    return {};
}

void FeedRecorder::use(Workspace &workspace)
{
    d->store.reset();
    d->workspace = &workspace;
    d->store = std::make_unique<NodeFeedStore>(workspace);
}

void FeedRecorder::close()
{
    d->store.reset();
    d->workspace = nullptr;
    d->owned.reset();
}

bool FeedRecorder::isOpen() const
{
    return d->workspace && d->workspace->isOpen();
}

Workspace *FeedRecorder::workspace() const
{
    return d->workspace;
}

std::optional<NodeCursor> FeedRecorder::cursor(const QString &node) const
{
    return d->store ? d->store->cursor(node) : std::nullopt;
}

std::vector<NodeCursor> FeedRecorder::nodes() const
{
    return d->store ? d->store->nodes() : std::vector<NodeCursor> {};
}

std::vector<StoredGap> FeedRecorder::gaps(const QString &node) const
{
    return d->store ? d->store->gaps(node) : std::vector<StoredGap> {};
}

void FeedRecorder::requestCursor(const QString &node)
{
    const std::optional<NodeCursor> c = cursor(node);
    Q_EMIT cursorLoaded(node, c ? c->instance : QString(), c ? c->lastSeq : 0);
}

void FeedRecorder::resetCursor(const QString &node)
{
    if (!d->store)
        return;
    if (const Result<void> reset = d->store->resetCursor(node); !reset)
        qWarning("oomscope: resetting the cursor of %s failed: %s", qPrintable(node),
                 qPrintable(reset.error().message));
}

// The host its series are stored under: the name the node claims, unless another attached
// node (another endpoint) already stores under that name — then the claim cannot take over
// those series, and the endpoint is added to tell them apart.
QString FeedRecorder::hostFor(const FeedBatch &batch)
{
    const QString claimed = batch.origin.hostname.isEmpty() ? batch.origin.node : batch.origin.hostname;
    if (!d->store)
        return claimed;
    for (const NodeCursor &other : d->store->nodes()) {
        if (other.node != batch.origin.node && other.hostname == claimed)
            return u"%1 (%2)"_s.arg(claimed, batch.origin.node);
    }
    return claimed;
}

void FeedRecorder::store(FeedBatchPtr batch)
{
    if (!batch)
        return;
    const FeedStoreReport report = storeBatch(*batch);
    if (!report.ok)
        qWarning("oomscope: storing the feed of %s failed: %s", qPrintable(report.node),
                 qPrintable(report.error));
    Q_EMIT batchStored(report);
}

bool FeedRecorder::importReports(const FeedBatch &batch, qint64 storedUpTo, const QString &host,
                                 std::vector<NodeBatch::Event> &events, FeedStoreReport &report)
{
    for (const FeedEvent &fe : batch.events) {
        if (fe.seq <= storedUpTo)
            continue;
        if (fe.reportText.isEmpty()) {
            ++report.eventsWithoutReport;
            continue;
        }
        QByteArray text = fe.reportText;
        QBuffer buffer(&text);
        buffer.open(QIODevice::ReadOnly);
        const ImportResult imported =
            d->workspace->importLog(buffer, u"agent://%1/seq-%2"_s.arg(host).arg(fe.seq));
        if (!imported.ok) {
            report.error = imported.error;
            return false;
        }
        report.eventsStored += int(imported.newEventIds.size());
        // Raw kmsg records name no host and only the kernel's uptime: the node's hostname and
        // boot time make them that node's kills at their wall-clock time.
        const Result<void> stamped =
            d->store->stampNodeEvents(imported.newEventIds, host, batch.origin.bootTimeMs);
        if (!stamped) {
            report.error = stamped.error().message;
            return false;
        }
        for (qint64 eventId : imported.newEventIds) {
            std::optional<OomEvent> ev = d->workspace->event(eventId);
            if (!ev)
                continue;
            // Events without a wall time cannot be placed on a timeline.
            if (const std::optional<qint64> wallMs = eventWallTimeMs(*ev, batch.origin.bootTimeMs))
                events.push_back(NodeBatch::Event {eventId, *wallMs, std::move(*ev)});
        }
    }
    return true;
}

FeedStoreReport FeedRecorder::storeBatch(const FeedBatch &batch)
{
    FeedStoreReport report;
    report.node = batch.origin.node;
    if (!isOpen()) {
        report.error = u"no workspace is open"_s;
        return report;
    }
    NodeCursor cursor;
    cursor.node = batch.origin.node;
    if (const std::optional<NodeCursor> stored = d->store->cursor(batch.origin.node))
        cursor = *stored;
    // Sequence numbers restart with each agent instance; within one, anything at or below the
    // stored cursor is a duplicate (a replay the client did not need).
    const bool sameInstance = cursor.instance == batch.origin.instance;
    const qint64 storedUpTo = sameInstance ? cursor.lastSeq : 0;

    NodeBatch nodeBatch;
    nodeBatch.host = hostFor(batch);
    nodeBatch.bootTimeMs = batch.origin.bootTimeMs;
    nodeBatch.kernelRelease = batch.origin.kernelRelease;
    nodeBatch.cgroupVersion = batch.origin.cgroupVersion;

    // OOM reports first, each in its own import transaction (Workspace::importLog cannot nest):
    // importing is idempotent through the content hash, so a crash before the cursor moves
    // below only means the same report is offered again and recognised.
    if (!importReports(batch, storedUpTo, nodeBatch.host, nodeBatch.events, report))
        return report;
    // The node's pods (its agent asked its kubelet): events and series of this host get names.
    if (batch.pods && batch.lastSeq > storedUpTo) {
        if (const Result<int> pods = storeNodePods(*d->workspace, nodeBatch.host, *batch.pods); !pods) {
            report.error = pods.error().message;
            return report;
        } else {
            report.podsStored = *pods;
        }
    }

    // Samples grouped per cgroup, order kept (the stream is in time order per cgroup).
    std::map<QString, NodeBatch::Series> perCgroup;
    for (const FeedSample &s : batch.samples) {
        if (s.seq <= storedUpTo) {
            ++report.samplesSkipped;
            continue;
        }
        NodeBatch::Series &series = perCgroup[s.cgroup];
        series.cgroup = s.cgroup;
        series.samples.push_back(s.sample);
        series.processes.push_back(s.processes);
    }
    for (auto &entry : perCgroup)
        nodeBatch.series.push_back(std::move(entry.second));
    for (const FeedGap &g : batch.gaps)
        nodeBatch.gaps.push_back(NodeBatch::Gap {g.fromSeq, g.toSeq});

    nodeBatch.cursor = cursor;
    nodeBatch.cursor.hostname = nodeBatch.host; // as stored, so the first claimant keeps the name
    nodeBatch.cursor.instance = batch.origin.instance;
    nodeBatch.cursor.lastSeq = std::max(storedUpTo, batch.lastSeq);
    nodeBatch.cursor.eventsStored += report.eventsStored;
    Result<NodeBatchStored> stored = d->store->storeBatch(nodeBatch);
    if (!stored) {
        report.error = stored.error().message;
        return report;
    }
    report.samplesStored = stored->samplesStored;
    if (!stored->samples.series.empty())
        report.samples = std::make_shared<const StoredSamples>(std::move(stored->samples));
    report.samplesSkipped += stored->samplesSkipped;
    report.gaps = stored->gaps;
    report.ok = true;
    report.lastSeq = stored->cursor.lastSeq;
    return report;
}

FeedRecorderThread::FeedRecorderThread() = default;

FeedRecorderThread::~FeedRecorderThread()
{
    stop();
}

Result<void> FeedRecorderThread::start(const QString &workspacePath)
{
    stop();
    m_thread = std::make_unique<WorkerThread>(u"oomscope-feed-recorder"_s);
    m_recorder = m_thread->adopt(new FeedRecorder);
    m_thread->start();
    Result<void> opened;
    QMetaObject::invokeMethod(
        m_recorder, [&] { opened = m_recorder->open(workspacePath); }, Qt::BlockingQueuedConnection);
    if (!opened)
        stop();
    return opened;
}

void FeedRecorderThread::stop()
{
    if (!m_thread)
        return;
    // Queued after every batch posted so far, so those are stored before the connection closes.
    QMetaObject::invokeMethod(
        m_recorder, [r = m_recorder] { r->close(); }, Qt::BlockingQueuedConnection);
    m_thread.reset(); // quits and joins; the recorder is deleted on its thread (deleteLater)
    m_recorder = nullptr;
}

} // namespace oomscope
