// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedrecorder.h"

#include "samplestore.h"
#include "sqlitestatement.h"
#include "timeline.h"
#include "workspace.h"

#include <QBuffer>
#include <QDateTime>
#include <QHash>
#include <QThread>

#include <map>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

struct FeedRecorder::Private {
    std::unique_ptr<Workspace> owned;
    Workspace *workspace = nullptr;
    std::unique_ptr<SampleStore> store;
    QHash<QString, NodeCursor> cursors; // read once per node, then kept current
    QHash<qint64, std::int64_t> seriesLastMs; // newest stored sample per series

    std::optional<NodeCursor> loadCursor(const QString &node)
    {
        if (const auto it = cursors.constFind(node); it != cursors.constEnd())
            return *it;
        if (!workspace)
            return std::nullopt;
        SqliteStatement q;
        if (!q.prepare(workspace->handle(),
                       "SELECT hostname, instance, last_seq, samples_stored, events_stored "
                       "FROM remote_nodes WHERE node = ?"))
            return std::nullopt;
        q.bind(1, node);
        NodeCursor c;
        c.node = node;
        if (q.step() == SQLITE_ROW) {
            c.hostname = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q.get(), 0)));
            c.instance = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q.get(), 1)));
            c.lastSeq = sqlite3_column_int64(q.get(), 2);
            c.samplesStored = sqlite3_column_int64(q.get(), 3);
            c.eventsStored = sqlite3_column_int64(q.get(), 4);
        }
        cursors.insert(node, c);
        return c;
    }
};

FeedRecorder::FeedRecorder(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<FeedBatchPtr>();
    qRegisterMetaType<FeedStoreReport>();
}

FeedRecorder::~FeedRecorder() = default;

bool FeedRecorder::open(const QString &workspacePath, QString *error)
{
    close();
    auto ws = std::make_unique<Workspace>();
    if (!ws->open(workspacePath, error))
        return false;
    d->owned = std::move(ws);
    use(*d->owned);
    return true;
}

void FeedRecorder::use(Workspace &workspace)
{
    d->store.reset();
    d->cursors.clear();
    d->seriesLastMs.clear();
    d->workspace = &workspace;
    d->store = std::make_unique<SampleStore>(workspace);
}

void FeedRecorder::close()
{
    d->store.reset();
    d->workspace = nullptr;
    d->owned.reset();
    d->cursors.clear();
    d->seriesLastMs.clear();
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
    return d->loadCursor(node);
}

std::vector<NodeCursor> FeedRecorder::nodes() const
{
    std::vector<NodeCursor> out;
    if (!d->workspace)
        return out;
    SqliteStatement q;
    if (!q.prepare(d->workspace->handle(), "SELECT node FROM remote_nodes ORDER BY node"))
        return out;
    std::vector<QString> names;
    while (q.step() == SQLITE_ROW)
        names.push_back(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q.get(), 0))));
    for (const QString &n : names)
        if (std::optional<NodeCursor> c = d->loadCursor(n))
            out.push_back(*c);
    return out;
}

std::vector<StoredGap> FeedRecorder::gaps(const QString &node) const
{
    std::vector<StoredGap> out;
    if (!d->workspace)
        return out;
    SqliteStatement q;
    if (!q.prepare(
            d->workspace->handle(),
            "SELECT instance, from_seq, to_seq, detected_ms FROM remote_gaps WHERE node = ? ORDER BY id"))
        return out;
    q.bind(1, node);
    while (q.step() == SQLITE_ROW) {
        StoredGap g;
        g.instance = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(q.get(), 0)));
        g.fromSeq = sqlite3_column_int64(q.get(), 1);
        g.toSeq = sqlite3_column_int64(q.get(), 2);
        g.detectedMs = sqlite3_column_int64(q.get(), 3);
        out.push_back(g);
    }
    return out;
}

void FeedRecorder::requestCursor(const QString &node)
{
    const std::optional<NodeCursor> c = d->loadCursor(node);
    Q_EMIT cursorLoaded(node, c ? c->instance : QString(), c ? c->lastSeq : 0);
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

FeedStoreReport FeedRecorder::storeBatch(const FeedBatch &batch)
{
    FeedStoreReport report;
    report.node = batch.origin.node;
    if (!isOpen()) {
        report.error = u"no workspace is open"_s;
        return report;
    }
    sqlite3 *db = d->workspace->handle();
    NodeCursor cursor;
    cursor.node = batch.origin.node;
    if (const std::optional<NodeCursor> stored = d->loadCursor(batch.origin.node))
        cursor = *stored;
    // Sequence numbers restart with each agent instance; within one, anything at or below the
    // stored cursor is a duplicate (a replay the client did not need).
    const bool sameInstance = cursor.instance == batch.origin.instance;
    const qint64 storedUpTo = sameInstance ? cursor.lastSeq : 0;
    const QString host = batch.origin.hostname.isEmpty() ? batch.origin.node : batch.origin.hostname;

    // OOM reports first, each in its own import transaction (Workspace::importLog cannot nest):
    // importing is idempotent through the content hash, so a crash before the cursor moves
    // below only means the same report is offered again and recognised.
    struct NewEvent {
        qint64 eventId;
        std::optional<qint64> wallMs;
        OomEvent event;
    };
    std::vector<NewEvent> newEvents;
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
            return report;
        }
        if (imported.alreadyImported || imported.eventsAdded == 0)
            continue;
        report.eventsStored += imported.eventsAdded;
        for (const EventSummary &s : d->workspace->events()) {
            if (s.sourceId != imported.sourceId)
                continue;
            if (std::optional<OomEvent> ev = d->workspace->event(s.id))
                newEvents.push_back({s.id, eventWallTimeMs(*ev, batch.origin.bootTimeMs), std::move(*ev)});
        }
    }

    QString error;
    const bool nested = !sqlite3_get_autocommit(db);
    if (!sqliteExec(db, nested ? "SAVEPOINT oomscope_remote" : "BEGIN IMMEDIATE", &error)) {
        report.error = error;
        return report;
    }
    auto rollback = [&](const QString &why) {
        sqliteExec(db, nested ? "ROLLBACK TO oomscope_remote; RELEASE oomscope_remote" : "ROLLBACK", nullptr);
        d->cursors.remove(batch.origin.node);
        d->seriesLastMs.clear();
        report.ok = false;
        report.error = why;
        return report;
    };

    // Samples grouped per cgroup, order kept (the stream is in time order per cgroup).
    std::map<QString, std::vector<const FeedSample *>> perCgroup;
    for (const FeedSample &s : batch.samples) {
        if (s.seq <= storedUpTo) {
            ++report.samplesSkipped;
            continue;
        }
        perCgroup[s.cgroup].push_back(&s);
    }
    for (const auto &[cgroup, list] : perCgroup) {
        const qint64 seriesId = d->store->ensureSeries(host, cgroup, &error);
        if (seriesId == 0)
            return rollback(error);
        auto last = d->seriesLastMs.find(seriesId);
        if (last == d->seriesLastMs.end()) {
            const std::optional<SeriesInfo> info = d->store->seriesInfo(seriesId);
            last = d->seriesLastMs.insert(
                seriesId, info && info->lastMs ? *info->lastMs : std::numeric_limits<std::int64_t>::min());
        }
        std::vector<MemorySample> samples;
        std::vector<ProcessSample> processes;
        samples.reserve(list.size());
        std::int64_t lastMs = *last;
        for (const FeedSample *s : list) {
            // A node clock stepped back (or a restarted agent's first tick at the same ms)
            // would make the store reject the whole batch; such samples are skipped instead.
            if (s->sample.timestampMs < lastMs) {
                ++report.samplesSkipped;
                continue;
            }
            lastMs = s->sample.timestampMs;
            samples.push_back(s->sample);
            processes.insert(processes.end(), s->processes.begin(), s->processes.end());
        }
        if (samples.empty())
            continue;
        const AppendResult appended = d->store->append(seriesId, samples);
        if (!appended.ok)
            return rollback(appended.error);
        if (!processes.empty() && !d->store->appendProcesses(seriesId, processes, &error))
            return rollback(error);
        *last = lastMs;
        report.samplesStored += appended.appended;
    }

    // Place the new events on this node's series (by memcg path, see cgroupIndexForEvent).
    if (!newEvents.empty()) {
        std::vector<QString> paths;
        std::vector<qint64> ids;
        for (const SeriesInfo &s : d->store->series()) {
            if (s.host == host) {
                paths.push_back(s.cgroupPath);
                ids.push_back(s.id);
            }
        }
        for (const NewEvent &ne : newEvents) {
            if (!ne.wallMs)
                continue;
            if (const std::optional<std::size_t> idx = cgroupIndexForEvent(ne.event, paths)) {
                if (!d->store->setPlacement(ne.eventId, ids[*idx], *ne.wallMs, &error))
                    return rollback(error);
            }
        }
    }

    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    if (!batch.gaps.empty()) {
        SqliteStatement ins;
        if (!ins.prepare(db,
                         "INSERT INTO remote_gaps (node, instance, from_seq, to_seq, detected_ms) "
                         "VALUES (?, ?, ?, ?, ?)"))
            return rollback(QString::fromUtf8(sqlite3_errmsg(db)));
        for (const FeedGap &g : batch.gaps) {
            ins.bind(1, batch.origin.node);
            ins.bind(2, batch.origin.instance);
            ins.bind(3, g.fromSeq);
            ins.bind(4, g.toSeq);
            ins.bind(5, nowMs);
            if (!ins.run())
                return rollback(QString::fromUtf8(sqlite3_errmsg(db)));
            ins.reset();
            ++report.gaps;
        }
    }

    cursor.hostname = batch.origin.hostname;
    cursor.instance = batch.origin.instance;
    cursor.lastSeq = std::max(storedUpTo, batch.lastSeq);
    cursor.samplesStored += report.samplesStored;
    cursor.eventsStored += report.eventsStored;
    SqliteStatement up;
    if (!up.prepare(
            db,
            "INSERT INTO remote_nodes (node, hostname, instance, last_seq, boot_time_ms, "
            "kernel_release, cgroup_version, samples_stored, events_stored, last_stored_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(node) DO UPDATE SET "
            "hostname = excluded.hostname, instance = excluded.instance, last_seq = excluded.last_seq, "
            "boot_time_ms = excluded.boot_time_ms, kernel_release = excluded.kernel_release, "
            "cgroup_version = excluded.cgroup_version, samples_stored = excluded.samples_stored, "
            "events_stored = excluded.events_stored, last_stored_ms = excluded.last_stored_ms"))
        return rollback(QString::fromUtf8(sqlite3_errmsg(db)));
    up.bind(1, cursor.node);
    up.bind(2, cursor.hostname);
    up.bind(3, cursor.instance);
    up.bind(4, cursor.lastSeq);
    up.bind(5, batch.origin.bootTimeMs);
    up.bind(6, batch.origin.kernelRelease);
    up.bind(7, batch.origin.cgroupVersion);
    up.bind(8, cursor.samplesStored);
    up.bind(9, cursor.eventsStored);
    up.bind(10, nowMs);
    if (!up.run())
        return rollback(QString::fromUtf8(sqlite3_errmsg(db)));

    if (!sqliteExec(db, nested ? "RELEASE oomscope_remote" : "COMMIT", &error))
        return rollback(error);
    d->cursors.insert(cursor.node, cursor);
    report.ok = true;
    report.lastSeq = cursor.lastSeq;
    return report;
}

FeedRecorderThread::FeedRecorderThread() = default;

FeedRecorderThread::~FeedRecorderThread()
{
    stop();
}

bool FeedRecorderThread::start(const QString &workspacePath, QString *error)
{
    stop();
    m_thread = new QThread;
    m_thread->setObjectName(u"oomscope-feed-recorder"_s);
    m_recorder = new FeedRecorder;
    m_recorder->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::finished, m_recorder, &QObject::deleteLater);
    m_thread->start();
    bool ok = false;
    QString openError;
    QMetaObject::invokeMethod(
        m_recorder, [&] { ok = m_recorder->open(workspacePath, &openError); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = openError;
        stop();
    }
    return ok;
}

void FeedRecorderThread::stop()
{
    if (!m_thread)
        return;
    // Queued after every batch posted so far, so those are stored before the connection closes.
    QMetaObject::invokeMethod(
        m_recorder, [r = m_recorder] { r->close(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_recorder = nullptr; // deleted by the finished connection (deleteLater on its thread)
}

} // namespace oomscope
