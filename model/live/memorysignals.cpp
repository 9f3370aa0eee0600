// SPDX-License-Identifier: GPL-3.0-or-later
#include "memorysignals.h"

#include <QDateTime>
#include <QFile>
#include <QSocketNotifier>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

double psiSomeAvg10(const QByteArray &pressureFile)
{
    for (const QByteArray &line : pressureFile.split('\n')) {
        if (!line.startsWith("some "))
            continue;
        for (const QByteArray &field : line.split(' ')) {
            if (field.startsWith("avg10=")) {
                bool ok = false;
                const double v = field.mid(6).toDouble(&ok);
                return ok && v >= 0 ? v : -1;
            }
        }
    }
    return -1;
}

MemorySignalWatch::MemorySignalWatch(QString memoryRoot, CgroupVersion version, MemorySignalOptions options,
                                     QObject *parent)
    : QObject(parent)
    , m_memoryRoot(std::move(memoryRoot))
    , m_version(version)
    , m_options(options)
{
    qRegisterMetaType<KernelSignal>();
}

MemorySignalWatch::~MemorySignalWatch()
{
    while (!m_state.empty())
        unwatch(m_state.begin()->first);
}

QString MemorySignalWatch::dir(const QString &path) const
{
    return path == u"/" ? m_memoryRoot : m_memoryRoot + path;
}

void MemorySignalWatch::unwatch(const QString &path)
{
    const auto it = m_state.find(path);
    if (it == m_state.end())
        return;
    for (const auto &e : it->second.events) {
        delete e->notifier;
        ::close(e->efd); // closing the eventfd ends the kernel's registration
    }
    m_state.erase(it);
}

int MemorySignalWatch::registeredCount(const QString &path) const
{
    const auto it = m_state.find(path);
    return it == m_state.end() ? 0 : int(it->second.events.size());
}

// "<eventfd> <fd of target> <args>" into cgroup.event_control; the eventfd then counts events.
bool MemorySignalWatch::addEventFd(const QString &path, PathState &st, const char *target,
                                   const QByteArray &args, const KernelSignal &what)
{
    auto e = std::make_unique<EventFd>();
    e->efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    e->targetFd =
        ::open(QFile::encodeName(dir(path) + u'/' + QLatin1String(target)).constData(), O_RDONLY | O_CLOEXEC);
    const int control =
        ::open(QFile::encodeName(dir(path) + u"/cgroup.event_control"_s).constData(), O_WRONLY | O_CLOEXEC);
    bool ok = e->efd >= 0 && e->targetFd >= 0 && control >= 0;
    if (ok) {
        const QByteArray line =
            QByteArray::number(e->efd) + ' ' + QByteArray::number(e->targetFd) + ' ' + args;
        ok = ::write(control, line.constData(), size_t(line.size())) == line.size();
    }
    if (control >= 0)
        ::close(control);
    // The kernel holds the eventfd, not the target file, once registered: one descriptor per
    // event is all that stays open.
    if (e->targetFd >= 0)
        ::close(e->targetFd);
    e->targetFd = -1;
    if (!ok) {
        if (e->efd >= 0)
            ::close(e->efd);
        return false;
    }
    e->notifier = new QSocketNotifier(e->efd, QSocketNotifier::Read, this);
    const int efd = e->efd;
    const QString usageFile = dir(path) + u"/memory.usage_in_bytes"_s;
    connect(e->notifier, &QSocketNotifier::activated, this, [this, efd, what, usageFile] {
        std::uint64_t count = 0;
        if (::read(efd, &count, sizeof count) != sizeof count)
            return;
        KernelSignal s = what;
        s.timestampMs = QDateTime::currentMSecsSinceEpoch();
        s.count = std::int64_t(count);
        if (s.source == WarningSource::UsageThreshold) {
            // The threshold fires both ways: only the upward crossing warns.
            QFile f(usageFile);
            if (!f.open(QIODevice::ReadOnly) || f.readAll().trimmed().toLongLong() < s.thresholdBytes)
                return;
        }
        Q_EMIT signalRaised(s);
    });
    st.events.push_back(std::move(e));
    return true;
}

void MemorySignalWatch::registerV1(const QString &path, PathState &st, std::int64_t limitBytes)
{
    const std::int64_t threshold = limitBytes > 0 && limitBytes != MemorySample::kUnlimited
        ? std::int64_t(double(limitBytes) * m_options.usageThresholdShare)
        : -1;
    if (!st.events.empty() && threshold == st.thresholdBytes)
        return;
    // (Re)register: a new limit means a new threshold.
    unwatch(path);
    PathState &fresh = m_state[path];
    fresh.thresholdBytes = threshold;
    for (const char *level : {"medium", "critical"}) {
        KernelSignal what;
        what.source = WarningSource::PressureLevel;
        what.cgroup = path;
        what.level = QString::fromLatin1(level);
        addEventFd(path, fresh, "memory.pressure_level", QByteArray(level), what);
    }
    if (threshold > 0) {
        KernelSignal what;
        what.source = WarningSource::UsageThreshold;
        what.cgroup = path;
        what.thresholdBytes = threshold;
        addEventFd(path, fresh, "memory.usage_in_bytes", QByteArray::number(qint64(threshold)), what);
    }
}

std::vector<KernelSignal> MemorySignalWatch::check(const QString &path, const CgroupSample &reading,
                                                   std::int64_t timestampMs)
{
    std::vector<KernelSignal> out;
    PathState &st = m_state[path];
    if (m_version == CgroupVersion::V1) {
        registerV1(path, st, reading.effectiveLimitBytes.value_or(-1));
        return out;
    }
    if (m_version != CgroupVersion::V2)
        return out;
    auto rise = [&](WarningSource source, std::int64_t now, std::int64_t &last) {
        if (last >= 0 && now > last) {
            KernelSignal s;
            s.source = source;
            s.cgroup = path;
            s.timestampMs = timestampMs;
            s.count = now - last;
            out.push_back(s);
        }
        last = now;
    };
    if (reading.events) {
        rise(WarningSource::EventsHigh, reading.events->high, st.lastHigh);
        rise(WarningSource::EventsMax, reading.events->max, st.lastMax);
    }
    QFile pressure(dir(path) + u"/memory.pressure"_s);
    if (pressure.open(QIODevice::ReadOnly)) {
        const double avg10 = psiSomeAvg10(pressure.read(4096));
        if (avg10 >= m_options.psiAvg10Percent) {
            KernelSignal s;
            s.source = WarningSource::Pressure;
            s.cgroup = path;
            s.timestampMs = timestampMs;
            s.avg10 = avg10;
            out.push_back(s);
        }
    }
    return out;
}

} // namespace oomscope
