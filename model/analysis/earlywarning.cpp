// SPDX-License-Identifier: GPL-3.0-or-later
#include "earlywarning.h"

#include "prediction.h"
#include "sizeformat.h"

#include <QCoreApplication>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// What the trend follows: memory reclaim cannot free; the working set where the breakdown is
// missing (a feed without memory.stat).
std::int64_t demandOf(const MemorySample &s)
{
    const std::int64_t unreclaimable = s.unreclaimableBytes();
    return MemorySample::known(unreclaimable) ? unreclaimable : s.workingSetBytes();
}

bool limited(std::int64_t limit)
{
    return MemorySample::known(limit) && limit != MemorySample::kUnlimited && limit > 0;
}

} // namespace

std::optional<EarlyWarning> trendWarning(std::span<const MemorySample> recent,
                                         const EarlyWarningOptions &options)
{
    if (recent.empty() || !limited(recent.back().limitBytes))
        return std::nullopt;
    const MemorySample &last = recent.back();
    const std::int64_t fromMs = last.timestampMs - std::int64_t(options.windowSeconds * 1000);
    // Least squares of demand over time (seconds from the last sample).
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    double firstT = 0;
    for (const MemorySample &s : recent) {
        const std::int64_t y = demandOf(s);
        if (s.timestampMs < fromMs || !MemorySample::known(y))
            continue;
        const double x = double(s.timestampMs - last.timestampMs) / 1000.0;
        if (n == 0)
            firstT = x;
        n += 1;
        sx += x;
        sy += double(y);
        sxx += x * x;
        sxy += x * double(y);
        syy += double(y) * double(y);
    }
    if (n < options.minSamples || -firstT < options.minSpanSeconds)
        return std::nullopt;
    const double vx = sxx - sx * sx / n;
    const double vy = syy - sy * sy / n;
    const double cxy = sxy - sx * sy / n;
    if (vx <= 0 || vy <= 0 || cxy <= 0)
        return std::nullopt;
    const double slope = cxy / vx;
    const double r2 = cxy * cxy / (vx * vy);
    if (r2 < options.minR2)
        return std::nullopt;
    const double now = sy / n - slope * sx / n; // the fit at the last sample (x = 0)
    const double seconds = (double(last.limitBytes) - now) / slope;
    if (seconds > options.horizonSeconds)
        return std::nullopt;
    EarlyWarning w;
    w.source = WarningSource::Trend;
    w.timestampMs = last.timestampMs;
    w.secondsToLimit = std::max(seconds, 0.0);
    w.slopeBytesPerSecond = slope;
    w.unreclaimableBytes = demandOf(last);
    w.usageBytes = last.usageBytes;
    w.limitBytes = last.limitBytes;
    return w;
}

QString warningSourceName(WarningSource source)
{
    switch (source) {
    case WarningSource::Trend:
        return u"trend"_s;
    case WarningSource::PressureLevel:
        return u"pressure_level"_s;
    case WarningSource::UsageThreshold:
        return u"usage_threshold"_s;
    case WarningSource::EventsHigh:
        return u"events_high"_s;
    case WarningSource::EventsMax:
        return u"events_max"_s;
    case WarningSource::Pressure:
        return u"psi"_s;
    }
    return {};
}

QString earlyWarningTitle(const EarlyWarning &w)
{
    if (!w.node.isEmpty())
        return QCoreApplication::translate("EarlyWarning", "OOM kill ahead in %1 on %2")
            .arg(w.cgroup, w.node);
    return QCoreApplication::translate("EarlyWarning", "OOM kill ahead in %1").arg(w.cgroup);
}

QString earlyWarningText(const EarlyWarning &w)
{
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("EarlyWarning", text);
    };
    QString what;
    const KernelSignal &k = w.signal;
    switch (w.source) {
    case WarningSource::Trend:
        what = tr("memory reclaim cannot free grows %1 MiB/s and reaches the %2 limit in about %3 s")
                   .arg(w.slopeBytesPerSecond / kMiB, 0, 'f', 1)
                   .arg(humanSizeKb(w.limitBytes / 1024))
                   .arg(std::lround(w.secondsToLimit));
        break;
    case WarningSource::PressureLevel:
        what = tr("the kernel reports %1 memory pressure").arg(k.level);
        break;
    case WarningSource::UsageThreshold:
        what = tr("usage crossed %1").arg(humanSizeKb(k.thresholdBytes / 1024));
        break;
    case WarningSource::EventsHigh:
        what = tr("throttled above memory.high %1 time(s)").arg(k.count);
        break;
    case WarningSource::EventsMax:
        what = tr("usage hit memory.max %1 time(s): reclaim is running at the limit").arg(k.count);
        break;
    case WarningSource::Pressure:
        what = tr("tasks stalled on memory %1 % of the last 10 s (PSI)").arg(k.avg10, 0, 'f', 1);
        break;
    }
    QString text =
        w.node.isEmpty() ? tr("%1: %2").arg(w.cgroup, what) : tr("%1 on %2: %3").arg(w.cgroup, w.node, what);
    if (w.source != WarningSource::Trend && limited(w.limitBytes) && MemorySample::known(w.usageBytes))
        text +=
            tr(" (usage %1 of %2)").arg(humanSizeKb(w.usageBytes / 1024), humanSizeKb(w.limitBytes / 1024));
    if (w.victimPid > 0)
        text += tr(" — predicted victim: %1 (pid %2)").arg(w.victimComm).arg(w.victimPid);
    return text;
}

EarlyWarningMonitor::EarlyWarningMonitor(EarlyWarningOptions options)
    : m_options(options)
{ }

void EarlyWarningMonitor::forget(const QString &cgroup)
{
    m_state.erase(cgroup);
}

void EarlyWarningMonitor::nameVictim(EarlyWarning &warning, const CgroupState &state) const
{
    if (state.lastProcesses.empty())
        return;
    const std::int64_t limit = limited(warning.limitBytes) ? warning.limitBytes : 0;
    const PredictedRanking ranking = predictVictim(state.lastProcesses, limit);
    if (!ranking.predictedVictimPid)
        return;
    warning.victimPid = *ranking.predictedVictimPid;
    for (const PredictedProcess &p : ranking.ranking) {
        if (p.pid == warning.victimPid)
            warning.victimComm = p.comm;
    }
}

std::optional<EarlyWarning> EarlyWarningMonitor::addSample(const QString &cgroup, const MemorySample &sample,
                                                           std::span<const ProcessSample> processes)
{
    CgroupState &st = m_state[cgroup];
    if (!st.recent.empty() && sample.timestampMs <= st.recent.back().timestampMs)
        return std::nullopt;
    st.recent.push_back(sample);
    const std::int64_t keepFrom = sample.timestampMs - std::int64_t(m_options.windowSeconds * 1000);
    while (!st.recent.empty() && st.recent.front().timestampMs < keepFrom)
        st.recent.pop_front();
    if (!processes.empty())
        st.lastProcesses.assign(processes.begin(), processes.end());
    const std::vector<MemorySample> window(st.recent.begin(), st.recent.end());
    std::optional<EarlyWarning> w = trendWarning(window, m_options);
    if (!w) {
        // Re-arm once the danger has clearly passed: no climb, or the limit far beyond reach.
        EarlyWarningOptions relaxed = m_options;
        relaxed.horizonSeconds *= m_options.rearmFactor;
        if (!trendWarning(window, relaxed))
            st.trendArmed = true;
        return std::nullopt;
    }
    if (!st.trendArmed)
        return std::nullopt;
    st.trendArmed = false;
    w->cgroup = cgroup;
    nameVictim(*w, st);
    return w;
}

std::optional<EarlyWarning> EarlyWarningMonitor::addSignal(const KernelSignal &signal)
{
    CgroupState &st = m_state[signal.cgroup];
    // Usage near the limit, medium pressure or reclaim at memory.max are what a page-cache
    // reader does all day: they warn only when most of the limit is memory reclaim cannot free.
    const bool cacheLike = signal.source == WarningSource::UsageThreshold
        || signal.source == WarningSource::EventsMax || signal.source == WarningSource::EventsHigh
        || (signal.source == WarningSource::PressureLevel && signal.level != u"critical");
    if (cacheLike && !st.recent.empty()) {
        const MemorySample &s = st.recent.back();
        const std::int64_t demand = demandOf(s);
        if (limited(s.limitBytes) && MemorySample::known(demand)
            && double(demand) < kSignalDemandShare * double(s.limitBytes))
            return std::nullopt;
    }
    const auto last = st.lastSignalMs.find(int(signal.source));
    if (last != st.lastSignalMs.end() && signal.timestampMs - last->second < kSignalQuietMs)
        return std::nullopt;
    st.lastSignalMs[int(signal.source)] = signal.timestampMs;
    EarlyWarning w;
    w.source = signal.source;
    w.cgroup = signal.cgroup;
    w.timestampMs = signal.timestampMs;
    w.signal = signal;
    if (!st.recent.empty()) {
        const MemorySample &s = st.recent.back();
        w.usageBytes = s.usageBytes;
        w.limitBytes = s.limitBytes;
        w.unreclaimableBytes = demandOf(s);
    }
    nameVictim(w, st);
    return w;
}

} // namespace oomscope
