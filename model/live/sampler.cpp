// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampler.h"

#include "samplemapping.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <ctime>
#include <functional>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

double boottimeSecondsNow()
{
    timespec ts {};
    if (::clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        return 0;
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

QString parentPath(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash <= 0 ? u"/"_s : path.left(slash);
}

} // namespace

Sampler::Sampler(SamplerConfig config, QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    qRegisterMetaType<SampleBatchPtr>();
    qRegisterMetaType<SampleBatchPtr>("oomscope::SampleBatchPtr");
    qRegisterMetaType<KernelSignal>();
    m_timer->setSingleShot(true);
    // Coarse timers may fire 5 % late; at 100 ms that is visible in a chart.
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &Sampler::tick);
    config.intervalMs = std::max(config.intervalMs, SamplerConfig::kMinIntervalMs);
    const QStringList paths = config.paths;
    config.paths.clear();
    m_config = std::move(config);
    setPaths(paths); // normalises; runs here because the object is still on this thread
}

Sampler::~Sampler() = default;

SamplerConfig Sampler::config() const
{
    const QMutexLocker lock(&m_configMutex);
    return m_config;
}

void Sampler::start()
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(this, &Sampler::start, Qt::QueuedConnection);
        return;
    }
    if (m_running)
        return;
    ensureReader();
    m_running = true;
    Q_EMIT running(true);
    m_epoch = std::chrono::steady_clock::now();
    m_nextTick = 0;
    tick();
}

void Sampler::stop()
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(this, &Sampler::stop, Qt::QueuedConnection);
        return;
    }
    if (!m_running)
        return;
    m_timer->stop();
    m_running = false;
    Q_EMIT running(false);
}

void Sampler::setPaths(const QStringList &paths)
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(
            this, [this, paths] { setPaths(paths); }, Qt::QueuedConnection);
        return;
    }
    QStringList normalized;
    for (const QString &path : paths) {
        const std::optional<QString> n = CgroupReader::normalizePath(path);
        if (!n) {
            Q_EMIT statusMessage(u"ignoring cgroup path \"%1\": it leaves the hierarchy root"_s.arg(path));
            continue;
        }
        if (!normalized.contains(*n))
            normalized.append(*n);
    }
    {
        const QMutexLocker lock(&m_configMutex);
        m_config.paths = normalized;
    }
    // A path dropped and added again later starts from scratch (no stale kill baseline).
    for (auto it = m_state.begin(); it != m_state.end();) {
        if (normalized.contains(it->first))
            ++it;
        else
            it = m_state.erase(it);
    }
}

void Sampler::setIntervalMs(int intervalMs)
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(
            this, [this, intervalMs] { setIntervalMs(intervalMs); }, Qt::QueuedConnection);
        return;
    }
    const int clamped = std::max(intervalMs, SamplerConfig::kMinIntervalMs);
    {
        const QMutexLocker lock(&m_configMutex);
        if (m_config.intervalMs == clamped)
            return;
        m_config.intervalMs = clamped;
    }
    if (!m_running)
        return;
    // Keep tick numbers continuous: the next slot is one new interval from now.
    const std::chrono::milliseconds interval(clamped);
    m_epoch = std::chrono::steady_clock::now() + interval - m_nextTick * interval;
    scheduleNext();
}

void Sampler::setSampleProcesses(bool sample)
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(
            this, [this, sample] { setSampleProcesses(sample); }, Qt::QueuedConnection);
        return;
    }
    const QMutexLocker lock(&m_configMutex);
    m_config.sampleProcesses = sample;
}

void Sampler::setFollowSubtrees(const QStringList &subtrees)
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(
            this, [this, subtrees] { setFollowSubtrees(subtrees); }, Qt::QueuedConnection);
        return;
    }
    {
        const QMutexLocker lock(&m_configMutex);
        m_config.followSubtrees = subtrees;
    }
    if (m_watch)
        m_watch->setSubtrees(subtrees);
}

void Sampler::sampleNow()
{
    if (!onOwnThread()) {
        QMetaObject::invokeMethod(this, &Sampler::sampleNow, Qt::QueuedConnection);
        return;
    }
    ensureReader();
    readAll(-1);
}

void Sampler::ensureReader()
{
    if (m_reader)
        return;
    m_reader.emplace(m_config.cgroupRoot, m_config.procRoot);
    m_peaks =
        std::make_unique<PeakTracker>(m_reader->memoryRoot(), m_reader->version(), m_config.resetV1Peak);
    if (m_config.kernelSignals && m_reader->version() != CgroupVersion::None) {
        m_signals =
            new MemorySignalWatch(m_reader->memoryRoot(), m_reader->version(), m_config.signalOptions, this);
        connect(m_signals, &MemorySignalWatch::signalRaised, this, &Sampler::kernelSignal);
    }
    if (m_reader->version() != CgroupVersion::None) {
        m_watch = std::make_unique<CgroupTreeWatch>(m_reader->memoryRoot());
        QStringList subtrees;
        for (const QString &s : m_config.followSubtrees) {
            if (const std::optional<QString> n = CgroupReader::normalizePath(s))
                subtrees << *n;
        }
        m_watch->setSubtrees(subtrees);
    }
    if (m_reader->version() == CgroupVersion::None && !m_reportedNoController) {
        m_reportedNoController = true;
        Q_EMIT statusMessage(
            u"no cgroup memory controller under %1: nothing to sample"_s.arg(m_config.cgroupRoot));
    }
}

void Sampler::scheduleNext()
{
    const std::chrono::milliseconds interval(m_config.intervalMs);
    const auto now = std::chrono::steady_clock::now();
    auto deadline = m_epoch + m_nextTick * interval;
    // Slots whose time has passed (a slow tick, a suspended machine) are skipped, not caught up.
    if (deadline <= now) {
        const std::int64_t behind = (now - deadline) / interval + 1;
        m_nextTick += behind;
        deadline += behind * interval;
    }
    m_timer->start(std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
}

void Sampler::tick()
{
    if (!m_running)
        return;
    readAll(m_nextTick);
    ++m_nextTick;
    if (m_running) // a receiver of a direct connection may have stopped us
        scheduleNext();
}

QString Sampler::absolute(const QString &path) const
{
    return path == u"/" ? m_reader->memoryRoot() : m_reader->memoryRoot() + path;
}

std::set<QString> Sampler::childDirs(const QString &path) const
{
    std::set<QString> out;
    const QStringList names = QDir(absolute(path)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : names)
        out.insert(path == u"/" ? QString(u'/' + name) : QString(path + u'/' + name));
    return out;
}

// New cgroups below the followed subtrees join the paths (up to maxPaths).
QStringList Sampler::followNewCgroups()
{
    if (!m_watch)
        return {};
    QStringList added;
    const QStringList found = m_watch->takeNew();
    if (found.isEmpty())
        return added;
    const QMutexLocker lock(&m_configMutex);
    for (const QString &path : found) {
        if (m_config.maxPaths > 0 && m_config.paths.size() >= m_config.maxPaths)
            break;
        if (m_config.paths.contains(path))
            continue;
        m_config.paths << path;
        added << path;
    }
    return added;
}

SampleBatchPtr Sampler::readAll(std::int64_t tickNumber)
{
    const QStringList followed = followNewCgroups();
    auto batch = std::make_shared<SampleBatch>();
    batch->tick = tickNumber;
    batch->timestampMs = QDateTime::currentMSecsSinceEpoch();
    batch->boottimeSeconds = boottimeSecondsNow();
    SamplerConfig config;
    {
        const QMutexLocker lock(&m_configMutex);
        config = m_config;
    }
    // Signals about state changes go out after the batch, so a receiver of killDetected or
    // cgroupVanished already has the samples that show it.
    std::vector<std::function<void()>> notifications;

    QElapsedTimer cost;
    cost.start();
    batch->cgroups.reserve(size_t(config.paths.size()));
    for (const QString &path : config.paths) {
        SampledCgroup c;
        c.path = path;
        const Result<CgroupSample> read = m_reader->read(path);
        c.error = read ? read->problem : read.error().message;
        // read() fails on a missing directory before touching any file; a present cgroup with
        // broken files still counts as present.
        c.present = read
            && (read->usageBytes.has_value() || read->oomKillCount.has_value()
                || ::access(QFile::encodeName(absolute(path)).constData(), F_OK) == 0);
        if (c.present) {
            const CgroupSample &s = *read;
            c.memory = toMemorySample(s);
            c.memory.peakBytes = m_peaks->intervalPeak(path, s);
            if (m_signals) {
                for (const KernelSignal &k : m_signals->check(path, s, c.memory.timestampMs))
                    notifications.emplace_back([this, k] { Q_EMIT kernelSignal(k); });
            }
            if (config.sampleProcesses) {
                // A cgroup that vanishes between the two reads has no processes to show.
                const std::vector<ProcessReading> readings =
                    m_reader->processes(path, config.processesRecursive)
                        .value_or(std::vector<ProcessReading> {});
                c.processes.reserve(readings.size());
                for (const ProcessReading &r : readings)
                    c.processes.push_back(
                        toProcessSample(r, c.memory.timestampMs, c.memory.boottimeSeconds, path));
            }
        } else {
            c.memory.timestampMs = batch->timestampMs;
            c.memory.boottimeSeconds = batch->boottimeSeconds;
        }

        PathState &st = m_state[path];
        const qint64 when = c.memory.timestampMs;
        if (!c.present) {
            if (st.presence == PathState::Presence::Present) {
                notifications.emplace_back([this, path, when] { Q_EMIT cgroupVanished(path, when); });
            } else if (st.presence == PathState::Presence::Unknown) {
                notifications.emplace_back([this, path, error = c.error] {
                    Q_EMIT statusMessage(u"cgroup %1 is not there (yet): %2"_s.arg(path, error));
                });
            }
            if (st.presence != PathState::Presence::Absent)
                st.siblingsAtVanish = childDirs(parentPath(path));
            st.presence = PathState::Presence::Absent;
            st.lastOomKills.reset();
            m_peaks->forget(path);
            if (m_signals)
                m_signals->unwatch(path);
            if (st.siblingsAtVanish && path != u"/") {
                for (const QString &sibling : childDirs(parentPath(path))) {
                    if (st.siblingsAtVanish->insert(sibling).second) {
                        notifications.emplace_back([this, path, sibling, when] {
                            Q_EMIT replacementCandidate(path, sibling, when);
                        });
                    }
                }
            }
        } else {
            if (st.presence == PathState::Presence::Absent)
                notifications.emplace_back([this, path, when] { Q_EMIT cgroupAppeared(path, when); });
            st.presence = PathState::Presence::Present;
            st.siblingsAtVanish.reset();
            if (MemorySample::known(c.memory.oomKillCount)) {
                const std::int64_t count = c.memory.oomKillCount;
                if (st.lastOomKills && count > *st.lastOomKills) {
                    c.oomKillDelta = count - *st.lastOomKills;
                    const qint64 delta = c.oomKillDelta;
                    notifications.emplace_back(
                        [this, path, when, delta] { Q_EMIT killDetected(path, when, delta); });
                } else if (st.lastOomKills && count < *st.lastOomKills) {
                    // Counters never go down: this is a new cgroup under the old name.
                    notifications.emplace_back([this, path, when] { Q_EMIT cgroupAppeared(path, when); });
                }
                st.lastOomKills = count;
            }
        }
        batch->cgroups.push_back(std::move(c));
    }
    batch->readCostUs = cost.nsecsElapsed() / 1000;
    if (!followed.isEmpty()) {
        const qint64 when = batch->timestampMs;
        notifications.emplace_back([this, followed, when] { Q_EMIT cgroupsFollowed(followed, when); });
    }

    SampleBatchPtr result = std::move(batch);
    Q_EMIT batchReady(result);
    for (const auto &notify : notifications)
        notify();
    return result;
}

} // namespace oomscope
