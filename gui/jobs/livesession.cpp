// SPDX-License-Identifier: GPL-3.0-or-later
#include "livesession.h"

#include "cgroupdiscovery.h"
#include "kmsgtail.h"
#include "sampler.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QLocale>
#include <QSysInfo>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

qint64 steadyNowMs()
{
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    return clock.elapsed();
}

} // namespace

LiveSession::LiveSession(LiveSessionConfig config, const QString &workspacePath, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_workspacePath(workspacePath)
    , m_host(m_config.host.isEmpty() ? QSysInfo::machineHostName() : m_config.host)
    , m_paths(m_config.paths)
{
    m_graceTimer = new QTimer(this);
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, &LiveSession::checkUnexplainedKills);
}

LiveSession::~LiveSession()
{
    stop();
}

QString LiveSession::summary() const
{
    QString state = !m_running ? u"stopped"_s : m_paused ? u"paused"_s : u"live"_s;
    return tr("%1: %2 cgroup(s) every %3 s, %4 samples, %5 kill(s)%6")
        .arg(state)
        .arg(m_paths.size())
        .arg(QLocale().toString(m_config.intervalMs / 1000.0, 'g', 3))
        .arg(QLocale().toString(m_samplesStored))
        .arg(m_eventsStored + int(m_notes.size()))
        .arg(m_kmsgOk || m_config.kmsgPath.isEmpty() ? QString()
                                                     : tr(" — kills detected from counters only"));
}

void LiveSession::start()
{
    if (m_running)
        return;
    m_running = true;

    SampleWriterConfig writerConfig;
    writerConfig.workspacePath = m_workspacePath;
    writerConfig.host = m_host;
    m_storageThread = std::make_unique<WorkerThread>(u"oomscope-storage"_s);
    m_writer = m_storageThread->adopt(new SampleWriter(writerConfig));
    connect(m_writer, &SampleWriter::seriesReady, this,
            [this](const QStringList &paths, const QList<qint64> &ids) {
                for (qsizetype i = 0; i < paths.size() && i < ids.size(); ++i)
                    m_seriesOfPath.insert(paths[i], ids[i]);
                Q_EMIT seriesAdded(paths, ids);
            });
    connect(m_writer, &SampleWriter::samplesStored, this, &LiveSession::onSamplesStored);
    connect(m_writer, &SampleWriter::oomEventStored, this, &LiveSession::onOomEventStored);
    connect(m_writer, &SampleWriter::failed, this,
            [this](const QString &error) { Q_EMIT statusMessage(error, 0); });
    connect(m_writer, &SampleWriter::statusMessage, this,
            [this](const QString &message) { Q_EMIT statusMessage(message, 10000); });

    SamplerConfig samplerConfig;
    samplerConfig.cgroupRoot = m_config.cgroupRoot;
    samplerConfig.procRoot = m_config.procRoot;
    samplerConfig.paths = m_paths;
    samplerConfig.intervalMs = std::clamp(m_config.intervalMs, SamplerConfig::kMinIntervalMs, 10'000);
    samplerConfig.sampleProcesses = m_config.sampleProcesses;
    if (m_config.followNewCgroups)
        samplerConfig.followSubtrees = m_paths;
    if (m_config.warnHorizonSeconds > 0) {
        EarlyWarningOptions wo;
        wo.horizonSeconds = m_config.warnHorizonSeconds;
        m_warnings = std::make_unique<EarlyWarningMonitor>(wo);
        samplerConfig.kernelSignals = true;
    }
    m_samplerThread = std::make_unique<WorkerThread>(u"oomscope-sampler"_s);
    m_sampler = m_samplerThread->adopt(new Sampler(samplerConfig));
    // Straight from the sampler thread to the storage thread: the GUI sees samples once stored.
    connect(m_sampler, &Sampler::batchReady, m_writer, &SampleWriter::writeBatch);
    connect(m_sampler, &Sampler::killDetected, this, &LiveSession::onKillDetected);
    connect(m_sampler, &Sampler::replacementCandidate, this, &LiveSession::onReplacement);
    connect(m_sampler, &Sampler::cgroupVanished, this, [this](const QString &path, qint64) {
        Q_EMIT statusMessage(tr("cgroup %1 is gone").arg(path), 10000);
    });
    if (m_warnings) {
        connect(m_sampler, &Sampler::batchReady, this, &LiveSession::onBatchForWarnings);
        connect(m_sampler, &Sampler::kernelSignal, this, [this](const KernelSignal &signal) {
            if (const std::optional<EarlyWarning> w = m_warnings->addSignal(signal))
                warn(*w);
        });
    }
    connect(m_sampler, &Sampler::cgroupsFollowed, this, [this](const QStringList &paths, qint64) {
        for (const QString &path : paths) {
            if (!m_paths.contains(path))
                m_paths << path;
        }
        Q_EMIT statusMessage(tr("new cgroup(s) watched: %1").arg(paths.join(u", "_s)), 10000);
        Q_EMIT stateChanged();
    });
    connect(m_sampler, &Sampler::statusMessage, this,
            [this](const QString &message) { Q_EMIT statusMessage(message, 10000); });

    if (!m_config.kmsgPath.isEmpty()) {
        KmsgTailConfig tailConfig;
        tailConfig.path = m_config.kmsgPath;
        tailConfig.fromStart = m_config.kmsgFromStart;
        m_tail = m_samplerThread->adopt(new KmsgTail(tailConfig));
        // reportCompleted precedes its oomEvent on the tail's thread, so it arrives first.
        connect(m_tail, &KmsgTail::reportCompleted, m_writer, &SampleWriter::addReportText);
        connect(m_tail, &KmsgTail::oomEvent, m_writer, &SampleWriter::storeOomEvent);
        connect(m_tail, &KmsgTail::opened, this, [this] {
            m_kmsgOk = true;
            Q_EMIT stateChanged();
        });
        connect(m_tail, &KmsgTail::unavailable, this, [this](const QString &reason) {
            m_kmsgOk = false;
            Q_EMIT statusMessage(
                tr("Kernel log unreadable — kills detected from counters only (%1)").arg(reason), 0);
            Q_EMIT stateChanged();
        });
        connect(m_tail, &KmsgTail::recordsLost, this, [this](qint64 count) {
            Q_EMIT statusMessage(count < 0 ? tr("kernel log records were lost")
                                           : tr("%1 kernel log records were lost").arg(count),
                                 10000);
        });
    }

    m_storageThread->start();
    m_samplerThread->start();
    m_writer->open();
    // Series are created with the first sample of a present cgroup: a path that never shows up
    // leaves nothing behind.
    if (m_tail)
        m_tail->start();
    m_sampler->start();
    Q_EMIT stateChanged();
}

void LiveSession::pause()
{
    if (!m_running || m_paused)
        return;
    m_paused = true;
    m_sampler->stop();
    Q_EMIT stateChanged();
}

void LiveSession::resume()
{
    if (!m_running || !m_paused)
        return;
    m_paused = false;
    m_sampler->start();
    Q_EMIT stateChanged();
}

void LiveSession::stop()
{
    if (!m_running)
        return;
    m_running = false;
    // Blocking calls, so the stops have run before the threads quit: a quit event loop drops
    // what is still queued. Neither worker ever waits for the GUI thread.
    QMetaObject::invokeMethod(m_sampler, &Sampler::stop, Qt::BlockingQueuedConnection);
    if (m_tail)
        QMetaObject::invokeMethod(m_tail, &KmsgTail::stop, Qt::BlockingQueuedConnection);
    m_samplerThread->stop(); // every batch and report is now queued to the writer
    m_sampler = nullptr;
    m_tail = nullptr;
    // Queued behind those batches and reports: the last one is stored before this returns.
    QMetaObject::invokeMethod(m_writer, &SampleWriter::finish, Qt::BlockingQueuedConnection);
    m_storageThread->stop();
    m_writer = nullptr;
    m_samplerThread.reset();
    m_storageThread.reset();
    m_graceTimer->stop();
    checkUnexplainedKills();
    Q_EMIT stateChanged();
}

void LiveSession::onSamplesStored(const StoredSamplesPtr &stored)
{
    for (const auto &entry : stored->series)
        m_samplesStored += qint64(entry.second.size());
    Q_EMIT samplesStored(stored);
    Q_EMIT stateChanged();
}

bool LiveSession::explains(const StoredEvent &event, const QString &path) const
{
    const QString &memcg = event.memcg;
    return path == memcg || memcg.startsWith(path + u'/') || path.startsWith(memcg + u'/')
        || (event.seriesId != 0 && m_seriesOfPath.value(path) == event.seriesId);
}

void LiveSession::onKillDetected(const QString &path, qint64 timestampMs, qint64 count)
{
    // The report may have been read before the sampler's next tick saw the counter step.
    const qint64 now = steadyNowMs();
    std::erase_if(m_recentEvents,
                  [&](const StoredEvent &e) { return now - e.steadyMs > 2 * m_config.reportGraceMs; });
    const auto seen = std::find_if(m_recentEvents.begin(), m_recentEvents.end(),
                                   [&](const StoredEvent &e) { return explains(e, path); });
    if (seen != m_recentEvents.end()) {
        m_recentEvents.erase(seen);
        return;
    }
    m_pendingKills.push_back({path, timestampMs, count, now + m_config.reportGraceMs});
    if (!m_graceTimer->isActive())
        m_graceTimer->start(m_config.reportGraceMs);
    Q_EMIT statusMessage(tr("OOM kill in %1 (oom_kill counter +%2)").arg(path).arg(count), 10000);
}

void LiveSession::onReplacement(const QString &vanishedPath, const QString &newPath)
{
    const CgroupInfo::Kind kind = CgroupDiscovery::classify(newPath).kind;
    if (kind != CgroupInfo::Kind::Kubernetes && kind != CgroupInfo::Kind::Docker)
        return;
    if (m_paths.contains(newPath) || !m_sampler || !m_writer)
        return;
    m_paths << newPath;
    // The writer learns the workload first; the sampler's next batch with the path comes after.
    m_writer->addReplacement(vanishedPath, newPath);
    m_sampler->setPaths(m_paths);
    Q_EMIT statusMessage(tr("%1 restarted as %2: watching the new incarnation").arg(vanishedPath, newPath),
                         10000);
}

void LiveSession::onOomEventStored(qint64 eventId, qint64 seriesId, qint64 timeMs, const QString &memcg)
{
    ++m_eventsStored;
    // The report explains the counter's kill in the same cgroup (or in one below a watched pod).
    const StoredEvent stored {memcg, seriesId, steadyNowMs()};
    const auto explained = std::find_if(m_pendingKills.begin(), m_pendingKills.end(),
                                        [&](const PendingKill &k) { return explains(stored, k.path); });
    if (explained != m_pendingKills.end())
        m_pendingKills.erase(explained);
    else
        m_recentEvents.push_back(stored);
    Q_EMIT statusMessage(
        seriesId != 0 ? tr("OOM kill in %1 at %2: report stored")
                            .arg(memcg, QDateTime::fromMSecsSinceEpoch(timeMs).toString(u"HH:mm:ss.zzz"_s))
                      : tr("OOM kill in %1: report stored (not one of the watched cgroups)").arg(memcg),
        15000);
    Q_EMIT oomEventStored(eventId, seriesId, timeMs);
    Q_EMIT stateChanged();
}

void LiveSession::checkUnexplainedKills()
{
    const qint64 now = steadyNowMs();
    qint64 nextDeadline = -1;
    for (auto it = m_pendingKills.begin(); it != m_pendingKills.end();) {
        if (it->deadlineMs > now && m_running) {
            nextDeadline = nextDeadline < 0 ? it->deadlineMs : std::min(nextDeadline, it->deadlineMs);
            ++it;
            continue;
        }
        const QString note =
            tr("%1: OOM kill in %2 (%3 by the oom_kill counter), no kernel report")
                .arg(QDateTime::fromMSecsSinceEpoch(it->timestampMs).toString(u"HH:mm:ss"_s), it->path)
                .arg(it->count);
        m_notes << note;
        Q_EMIT killWithoutReport(it->path, it->timestampMs, it->count);
        Q_EMIT statusMessage(note, 0);
        it = m_pendingKills.erase(it);
    }
    if (nextDeadline >= 0)
        m_graceTimer->start(int(std::max<qint64>(nextDeadline - now, 1)));
    Q_EMIT stateChanged();
}

void LiveSession::onBatchForWarnings(const SampleBatchPtr &batch)
{
    if (!m_warnings || !batch)
        return;
    for (const SampledCgroup &c : batch->cgroups) {
        if (!c.present) {
            m_warnings->forget(c.path);
            continue;
        }
        if (const std::optional<EarlyWarning> w = m_warnings->addSample(c.path, c.memory, c.processes))
            warn(*w);
    }
}

void LiveSession::warn(const EarlyWarning &warning)
{
    m_warningsSeen.push_back(warning);
    Q_EMIT earlyWarning(warning, m_seriesOfPath.value(warning.cgroup));
    Q_EMIT statusMessage(earlyWarningText(warning), 30000);
}

} // namespace oomscope
