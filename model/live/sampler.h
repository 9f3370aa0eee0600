// SPDX-License-Identifier: GPL-3.0-or-later
// Samples a set of memory cgroups (and their processes) on a steady schedule in a worker thread,
// delivers one immutable batch per tick and reports kills and cgroups that come and go.
#pragma once

#include "cgroupreader.h"
#include "cgroupwatch.h"
#include "memorysample.h"
#include "memorysignals.h"
#include "peaktracker.h"
#include "samplebatch.h"
#include "workerthread.h"

#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QThread>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

class QTimer;

namespace oomscope {

struct SamplerConfig {
    static constexpr int kDefaultIntervalMs = 1000;
    static constexpr int kMinIntervalMs = 100;

    QString cgroupRoot = QStringLiteral("/sys/fs/cgroup");
    QString procRoot = QStringLiteral("/proc");
    QStringList paths; // relative to the memory hierarchy root
    int intervalMs = kDefaultIntervalMs;
    bool sampleProcesses = true;
    // The OOM killer of a memcg considers every task below it, so a pod's ranking needs the
    // processes of its containers too.
    bool processesRecursive = true;
    // Subtrees (relative paths, "/" for all) whose new cgroups join `paths` at the next tick, so a
    // container created and killed within seconds is sampled from its start (CgroupTreeWatch).
    QStringList followSubtrees;
    // cgroup v1: reset memory.max_usage_in_bytes after each reading, for exact interval peaks.
    // Opt-in: the mark is shared, and other tools on the node would see it reset.
    bool resetV1Peak = false;
    // The kernel's warnings (memorysignals.h): v1 pressure level / usage threshold eventfds,
    // v2 memory.events high/max and PSI; reported through kernelSignal().
    bool kernelSignals = false;
    MemorySignalOptions signalOptions;
    int maxPaths = 0; // followed cgroups stop joining past this many paths; 0 = no cap
};

// Runs in a thread of its own (see WorkerThread); every public function may be called from any
// thread and is forwarded to the sampler's thread. The first tick happens at start(), the next
// ones at start + n * interval on the steady clock, so time spent reading never accumulates as
// drift; ticks that could not run in time are skipped (SampleBatch::tick jumps).
class Sampler : public QObject
{
    Q_OBJECT

public:
    explicit Sampler(SamplerConfig config = {}, QObject *parent = nullptr);
    ~Sampler() override;

    void start();
    void stop();
    void setPaths(const QStringList &paths);
    void setIntervalMs(int intervalMs); // clamped to SamplerConfig::kMinIntervalMs
    void setSampleProcesses(bool sample);
    void setFollowSubtrees(const QStringList &subtrees);
    // Reads once now, outside the schedule (works without start(); used by benchmarks).
    void sampleNow();

    // The configuration as of the last change (safe to call from any thread).
    SamplerConfig config() const;

Q_SIGNALS:
    void batchReady(oomscope::SampleBatchPtr batch);
    // The cgroup's oom_kill counter (v1 memory.oom_control, v2 memory.events) grew by count
    // since the previous tick: works when the kernel log cannot be read. v2's counter is
    // hierarchical, so a watched pod also reports the kills in its containers.
    void killDetected(const QString &path, qint64 timestampMs, qint64 count);
    // A watched cgroup that was present is gone (container stopped or recreated).
    void cgroupVanished(const QString &path, qint64 timestampMs);
    // A watched cgroup is there again after it vanished (or was missing at start), or its
    // counters went backwards (recreated between two ticks).
    void cgroupAppeared(const QString &path, qint64 timestampMs);
    // A new directory beside a vanished watched cgroup: likely the same workload restarted
    // under a new id (a Kubernetes container in its pod). Stitching is the store's job.
    void replacementCandidate(const QString &vanishedPath, const QString &newPath, qint64 timestampMs);
    // Cgroups created below followSubtrees that joined the sampled paths (this tick's batch
    // already holds their first sample).
    void cgroupsFollowed(const QStringList &paths, qint64 timestampMs);
    // The kernel warned about a watched cgroup (SamplerConfig::kernelSignals).
    void kernelSignal(const oomscope::KernelSignal &signal);
    void statusMessage(const QString &message);
    void running(bool running);

private:
    struct PathState {
        enum class Presence { Unknown, Present, Absent } presence = Presence::Unknown;
        std::optional<std::int64_t> lastOomKills;
        // Sibling directories when the path vanished, to spot a replacement; empty otherwise.
        std::optional<std::set<QString>> siblingsAtVanish;
    };

    bool onOwnThread() const { return QThread::currentThread() == thread(); }
    void ensureReader();
    void scheduleNext();
    void tick();
    SampleBatchPtr readAll(std::int64_t tickNumber);
    std::set<QString> childDirs(const QString &path) const;
    QString absolute(const QString &path) const;
    QStringList followNewCgroups();

    mutable QMutex m_configMutex; // guards m_config: config() may be called from any thread
    SamplerConfig m_config;
    std::optional<CgroupReader> m_reader;
    std::unique_ptr<CgroupTreeWatch> m_watch;
    std::unique_ptr<PeakTracker> m_peaks;
    MemorySignalWatch *m_signals = nullptr; // child, with kernelSignals
    QTimer *m_timer = nullptr;
    bool m_running = false;
    std::chrono::steady_clock::time_point m_epoch;
    std::int64_t m_nextTick = 0;
    std::map<QString, PathState> m_state;
    bool m_reportedNoController = false;
};

} // namespace oomscope
