// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplewriter.h"

#include "samplestore.h"
#include "sqlitestatement.h"
#include "timeline.h"
#include "workspace.h"
#include "workspacehandle.h"

#include <QBuffer>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Enough samples for a median that shrugs off a delayed tick, few enough to stay current.
constexpr std::size_t kClockSamples = 64;
// Batches kept while flushes fail (disk full, workspace deleted): 5 minutes at 10 Hz.
constexpr std::size_t kMaxKeptBatches = 3000;

template<typename F> bool runOnThread(QObject *obj, F &&f)
{
    if (QThread::currentThread() == obj->thread())
        return false;
    QMetaObject::invokeMethod(obj, std::forward<F>(f), Qt::QueuedConnection);
    return true;
}

QString lastComponent(const QString &path)
{
    return path.section(u'/', -1);
}

bool isAncestorOf(const QString &ancestor, const QString &path)
{
    return ancestor == u"/"_s ? path.startsWith(u'/') : path.startsWith(ancestor + u'/');
}

// The series an event belongs to. cgroupIndexForEvent() picks the only cgroup of a recording
// whatever the event names; live, the machine's other kills must not land on it, so the pick
// has to name the cgroup (or an ancestor: a watched pod holds its containers' kills).
std::optional<std::size_t> placementIndex(const OomEvent &event, const std::vector<QString> &paths)
{
    const QString memcgs[] = {event.oomMemcg, event.taskMemcg};
    const auto names = [&](const QString &path) {
        for (const QString &m : memcgs) {
            if (!m.isEmpty() && (m == path || lastComponent(m) == lastComponent(path)))
                return true;
        }
        return false;
    };
    if (const std::optional<std::size_t> index = cgroupIndexForEvent(event, paths);
        index && names(paths[*index]))
        return index;
    std::optional<std::size_t> best;
    for (const QString &m : memcgs) {
        for (std::size_t i = 0; i < paths.size(); ++i) {
            if (!m.isEmpty() && isAncestorOf(paths[i], m) && (!best || paths[i].size() > paths[*best].size()))
                best = i;
        }
        if (best)
            return best;
    }
    return std::nullopt;
}

} // namespace

SampleWriter::SampleWriter(SampleWriterConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    qRegisterMetaType<StoredSamplesPtr>();
    qRegisterMetaType<StoredSamplesPtr>("oomscope::StoredSamplesPtr");
    qRegisterMetaType<SampleBatchPtr>();
    qRegisterMetaType<SampleBatchPtr>("oomscope::SampleBatchPtr");
    qRegisterMetaType<OomEvent>("oomscope::OomEvent");
}

SampleWriter::~SampleWriter() = default;

void SampleWriter::open()
{
    if (runOnThread(this, [this] { open(); }))
        return;
    if (m_workspace)
        return;
    auto workspace = std::make_unique<Workspace>();
    // A CLI import or an attach recording may hold the lock for a while: the flush waits (its
    // batches queue up meanwhile) and the window's status line says why.
    LockWait wait;
    wait.onWaiting = [this] {
        Q_EMIT statusMessage(Workspace::lockWaitingMessage());
    };
    workspace->setLockWait(std::move(wait));
    if (Result<void> opened = workspace->open(m_config.workspacePath); !opened) {
        Q_EMIT failed(u"cannot open the workspace for live samples: "_s + opened.error().message);
        return;
    }
    m_workspace = std::move(workspace);
    m_store = std::make_unique<SampleStore>(*m_workspace);
    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(m_config.flushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &SampleWriter::flush);
}

qint64 SampleWriter::seriesFor(const QString &path, const QString &workloadKey)
{
    const auto known = m_seriesOfPath.constFind(path);
    if (known != m_seriesOfPath.constEnd())
        return *known;
    if (!m_store)
        return 0;
    const Result<qint64> ensured = m_store->ensureSeries(m_config.host, path, workloadKey);
    if (!ensured) {
        Q_EMIT statusMessage(u"cannot store samples of %1: %2"_s.arg(path, ensured.error().message));
        return 0;
    }
    const qint64 id = *ensured;
    m_seriesOfPath.insert(path, id);
    // A series watched before keeps its samples; this session appends after them.
    const std::optional<SeriesInfo> info = m_store->seriesInfo(id);
    m_lastStoredMs[id] = info && info->lastMs ? *info->lastMs : std::numeric_limits<std::int64_t>::min();
    return id;
}

void SampleWriter::addPaths(const QStringList &paths)
{
    if (runOnThread(this, [this, paths] { addPaths(paths); }))
        return;
    QStringList ready;
    QList<qint64> ids;
    for (const QString &path : paths) {
        const bool isNew = !m_seriesOfPath.contains(path);
        const qint64 id = seriesFor(path);
        if (id != 0 && isNew) {
            ready << path;
            ids << id;
        }
    }
    if (!ready.isEmpty())
        Q_EMIT seriesReady(ready, ids);
}

void SampleWriter::addReplacement(const QString &vanishedPath, const QString &newPath)
{
    if (runOnThread(this, [this, vanishedPath, newPath] { addReplacement(vanishedPath, newPath); }))
        return;
    if (!m_store || m_seriesOfPath.contains(newPath))
        return;
    QString key;
    if (const qint64 old = m_seriesOfPath.value(vanishedPath); old != 0) {
        if (const std::optional<SeriesInfo> info = m_store->seriesInfo(old)) {
            for (const WorkloadInfo &w : m_store->workloads()) {
                if (w.id == info->workloadId)
                    key = w.key;
            }
        }
    }
    const qint64 id = seriesFor(newPath, key);
    if (id != 0)
        Q_EMIT seriesReady({newPath}, {id});
}

void SampleWriter::writeBatch(const SampleBatchPtr &batch)
{
    if (runOnThread(this, [this, batch] { writeBatch(batch); }))
        return;
    if (!batch || !m_store)
        return;
    m_pending.push_back(batch);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void SampleWriter::flush()
{
    if (m_flushTimer)
        m_flushTimer->stop();
    if (m_pending.empty() || !m_store)
        return;
    const std::vector<SampleBatchPtr> batches = std::exchange(m_pending, {});
    const std::map<qint64, std::int64_t> lastBefore = m_lastStoredMs;
    // A flush that cannot be stored keeps its batches queued for the next one (bounded), so a
    // freed disk loses nothing, and says why in the window until a flush succeeds again.
    auto keepForRetry = [&](const Error &error) {
        m_lastStoredMs = lastBefore;
        m_pending.insert(m_pending.begin(), batches.begin(), batches.end());
        if (m_pending.size() > kMaxKeptBatches)
            m_pending.erase(m_pending.begin(),
                            m_pending.begin() + qsizetype(m_pending.size() - kMaxKeptBatches));
        m_storeFailing = true;
        Q_EMIT failed(u"live samples not stored, kept in memory and retried: "_s + error.message);
    };

    // Gather per series first, so each series is one append (one savepoint) per flush.
    std::map<qint64, std::vector<MemorySample>> samples;
    std::map<qint64, std::vector<ProcessSample>> processes;
    QStringList newPaths;
    QList<qint64> newIds;
    for (const SampleBatchPtr &batch : batches) {
        for (const SampledCgroup &c : batch->cgroups) {
            if (!c.present)
                continue;
            const bool isNew = !m_seriesOfPath.contains(c.path);
            const qint64 id = seriesFor(c.path);
            if (id == 0)
                continue;
            if (isNew) {
                newPaths << c.path;
                newIds << id;
            }
            std::int64_t &last = m_lastStoredMs[id];
            // Strictly later only: a batch delivered twice must not store a sample twice.
            if (c.memory.timestampMs <= last)
                continue;
            last = c.memory.timestampMs;
            samples[id].push_back(c.memory);
            if (c.memory.hasBoottime()) {
                m_clockSamples.push_back(c.memory);
                if (m_clockSamples.size() > kClockSamples)
                    m_clockSamples.pop_front();
            }
            std::vector<ProcessSample> &rows = processes[id];
            rows.insert(rows.end(), c.processes.begin(), c.processes.end());
        }
    }
    if (!newPaths.isEmpty())
        Q_EMIT seriesReady(newPaths, newIds);
    if (samples.empty())
        return;

    // One transaction for the flush: a failing series leaves none of it stored.
    SqliteTransaction transaction(WorkspaceHandle::of(*m_workspace));
    Result<void> ok = transaction.begin();
    if (!ok) {
        keepForRetry(ok.error());
        return;
    }
    auto stored = std::make_shared<StoredSamples>();
    for (auto &[id, rows] : samples) {
        const AppendResult r = m_store->append(id, rows);
        if (!r.ok) {
            ok = fail(Error::Kind::Internal, r.error);
            break;
        }
        const std::vector<ProcessSample> &procs = processes[id];
        if (!procs.empty() && !(ok = m_store->appendProcesses(id, procs)))
            break;
        stored->processRows += qint64(procs.size());
        stored->series.emplace_back(id, std::move(rows));
    }
    if (ok)
        ok = transaction.commit();
    if (!ok) {
        transaction.rollback();
        // The store caches series tails; after a rollback its view is stale, so start afresh.
        m_store = std::make_unique<SampleStore>(*m_workspace);
        keepForRetry(ok.error());
        return;
    }
    if (std::exchange(m_storeFailing, false))
        Q_EMIT statusMessage(u"live samples are stored again"_s);
    Q_EMIT samplesStored(std::move(stored));
}

qint64 SampleWriter::bootTimeMs() const
{
    const std::vector<MemorySample> recent(m_clockSamples.begin(), m_clockSamples.end());
    return bootTimeMsFromSamples(recent).value_or(0);
}

void SampleWriter::addReportText(const QByteArray &reportText, qint64 firstSeq)
{
    if (runOnThread(this, [this, reportText, firstSeq] { addReportText(reportText, firstSeq); }))
        return;
    m_reportTexts[firstSeq] = reportText;
    // Reports whose events never came (nothing parsed) must not pile up.
    while (m_reportTexts.size() > 16)
        m_reportTexts.erase(m_reportTexts.begin());
}

void SampleWriter::storeOomEvent(const OomEvent &event, qint64 firstSeq)
{
    if (runOnThread(this, [this, event, firstSeq] { storeOomEvent(event, firstSeq); }))
        return;
    if (!m_store)
        return;
    // The samples up to now go in first, so the placement lies inside the stored range.
    flush();

    std::vector<qint64> reportEvents;
    if (const auto seen = m_importedEvents.find(firstSeq); seen != m_importedEvents.end()) {
        reportEvents = seen->second;
    } else {
        QByteArray text = m_reportTexts.count(firstSeq) ? m_reportTexts[firstSeq] : QByteArray();
        m_reportTexts.erase(firstSeq);
        if (text.isEmpty()) {
            // Without the records (a tail that does not send them) the parsed lines still make a
            // dmesg-style log that parses to the same event.
            for (const RawLine &line : event.rawLines) {
                text += QByteArray("[") + QByteArray::number(event.uptimeSeconds.value_or(0), 'f', 6) + "] "
                    + line.text.toUtf8() + '\n';
            }
        }
        QBuffer buffer(&text);
        buffer.open(QIODevice::ReadOnly);
        const QString name = u"kmsg %1 seq %2 (live)"_s.arg(m_config.host).arg(firstSeq);
        const ImportResult result = m_workspace->importLog(buffer, name);
        if (!result.ok) {
            Q_EMIT statusMessage(u"OOM report not stored: "_s + result.error);
            return;
        }
        reportEvents = result.alreadyImported ? m_workspace->eventIds(result.sourceId) : result.newEventIds;
        m_importedEvents[firstSeq] = reportEvents;
    }

    // The event of this report that is this kill (a report may hold several kills).
    qint64 eventId = reportEvents.empty() ? 0 : reportEvents.front();
    for (qint64 id : reportEvents) {
        const std::optional<OomEvent> stored = m_workspace->event(id);
        if (stored && stored->victim.pid == event.victim.pid) {
            eventId = id;
            break;
        }
    }
    if (eventId == 0) {
        Q_EMIT statusMessage(u"OOM report stored, but no event was found in it"_s);
        return;
    }

    QStringList paths;
    std::vector<qint64> ids;
    for (auto it = m_seriesOfPath.constBegin(); it != m_seriesOfPath.constEnd(); ++it) {
        paths << it.key();
        ids.push_back(it.value());
    }
    qint64 seriesId = 0;
    qint64 timeMs = 0;
    const std::vector<QString> pathVector(paths.begin(), paths.end());
    const qint64 boot = bootTimeMs();
    const std::optional<qint64> wall =
        eventWallTimeMs(event, boot != 0 ? std::optional<qint64>(boot) : std::nullopt);
    if (const std::optional<std::size_t> index = placementIndex(event, pathVector); index && wall) {
        if (const Result<void> placed = m_store->setPlacement(eventId, ids[*index], *wall)) {
            seriesId = ids[*index];
            timeMs = *wall;
        } else {
            Q_EMIT statusMessage(u"OOM event not placed: "_s + placed.error().message);
        }
    }
    Q_EMIT oomEventStored(eventId, seriesId, timeMs,
                          event.oomMemcg.isEmpty() ? event.taskMemcg : event.oomMemcg);
}

void SampleWriter::finish()
{
    if (runOnThread(this, [this] { finish(); }))
        return;
    flush();
    m_store.reset();
    if (m_workspace)
        m_workspace->close();
    m_workspace.reset();
}

} // namespace oomscope
