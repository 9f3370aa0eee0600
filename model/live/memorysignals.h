// SPDX-License-Identifier: GPL-3.0-or-later
// The kernel's own warnings before an OOM kill, per watched cgroup:
// - cgroup v1: memory.pressure_level ("medium" and "critical") and a usage threshold (a share of
//   the limit) registered through cgroup.event_control; each is an eventfd the kernel signals,
//   watched by a QSocketNotifier on the owner's thread (the sampler's).
// - cgroup v2: memory.events "high" and "max" rising between two ticks, and PSI memory.pressure
//   "some avg10" at or above a threshold, checked at each tick.
#pragma once

#include "cgroupreader.h"
#include "kernelsignal.h"

#include <QObject>

#include <map>
#include <memory>
#include <vector>

class QSocketNotifier;

namespace oomscope {

struct MemorySignalOptions {
    double usageThresholdShare = 0.9; // v1: the usage threshold at this share of the limit
    double psiAvg10Percent = 10; // v2: some avg10 at or above this warns
};

class MemorySignalWatch : public QObject
{
    Q_OBJECT

public:
    MemorySignalWatch(QString memoryRoot, CgroupVersion version, MemorySignalOptions options = {},
                      QObject *parent = nullptr);
    ~MemorySignalWatch() override;

    // One tick's reading of a present cgroup: v1 registers the eventfds once (again when the
    // limit changed); v2 returns the signals since the previous tick.
    std::vector<KernelSignal> check(const QString &path, const CgroupSample &reading,
                                    std::int64_t timestampMs);
    void unwatch(const QString &path);
    // v1: how many eventfds are registered for path (tests).
    int registeredCount(const QString &path) const;

Q_SIGNALS:
    // v1 eventfd signals (v2's come back from check()).
    void signalRaised(const oomscope::KernelSignal &signal);

private:
    struct EventFd {
        int efd = -1;
        int targetFd = -1; // open only while registering
        QSocketNotifier *notifier = nullptr;
    };
    struct PathState {
        std::vector<std::unique_ptr<EventFd>> events;
        std::int64_t thresholdBytes = -1;
        std::int64_t lastHigh = -1;
        std::int64_t lastMax = -1;
    };
    void registerV1(const QString &path, PathState &st, std::int64_t limitBytes);
    bool addEventFd(const QString &path, PathState &st, const char *target, const QByteArray &args,
                    const KernelSignal &what);
    QString dir(const QString &path) const;

    QString m_memoryRoot;
    CgroupVersion m_version;
    MemorySignalOptions m_options;
    std::map<QString, PathState> m_state;
};

// "some avg10=12.34 avg60=…" from memory.pressure: the some avg10 figure, -1 when absent.
double psiSomeAvg10(const QByteArray &pressureFile);

} // namespace oomscope
