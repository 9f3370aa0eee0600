// SPDX-License-Identifier: GPL-3.0-or-later
#include "timeline.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace oomscope {
namespace {

std::optional<qint64> medianOffset(std::vector<double> &offsets)
{
    if (offsets.empty())
        return std::nullopt;
    const std::size_t mid = offsets.size() / 2;
    std::nth_element(offsets.begin(), offsets.begin() + std::ptrdiff_t(mid), offsets.end());
    double median = offsets[mid];
    if (offsets.size() % 2 == 0) {
        const double below = *std::max_element(offsets.begin(), offsets.begin() + std::ptrdiff_t(mid));
        median = (median + below) / 2;
    }
    return qint64(std::llround(median));
}

template<typename Row> std::optional<qint64> bootTimeMs(std::span<const Row> rows)
{
    std::vector<double> offsets;
    offsets.reserve(rows.size());
    for (const Row &r : rows) {
        if (!std::isnan(r.boottimeSeconds))
            offsets.push_back(double(r.timestampMs) - r.boottimeSeconds * 1000.0);
    }
    return medianOffset(offsets);
}

// The samples [first, last) inside the search window.
std::pair<std::size_t, std::size_t> window(std::span<const MemorySample> samples, qint64 eventWallMs,
                                           const FootprintSearch &search)
{
    const qint64 from = eventWallMs - search.lookBehindMs;
    const qint64 to = eventWallMs + search.lookAheadMs;
    auto byTime = [](const MemorySample &s, qint64 t) {
        return s.timestampMs < t;
    };
    auto first =
        std::size_t(std::lower_bound(samples.begin(), samples.end(), from, byTime) - samples.begin());
    auto last =
        std::size_t(std::upper_bound(samples.begin(), samples.end(), to,
                                     [](qint64 t, const MemorySample &s) { return t < s.timestampMs; })
                    - samples.begin());
    return {first, std::max(first, last)};
}

} // namespace

std::optional<qint64> bootTimeMsFromSamples(std::span<const MemorySample> samples)
{
    return bootTimeMs(samples);
}

std::optional<qint64> bootTimeMsFromProcesses(std::span<const ProcessSample> rows)
{
    return bootTimeMs(rows);
}

std::optional<qint64> eventWallTimeMs(const OomEvent &event, std::optional<qint64> bootTimeMs)
{
    if (event.uptimeSeconds && bootTimeMs)
        return *bootTimeMs + qint64(std::llround(*event.uptimeSeconds * 1000.0));
    if (event.wallTime && event.wallTime->isValid())
        return event.wallTime->toMSecsSinceEpoch();
    return std::nullopt;
}

std::optional<std::size_t> usageDropIndex(std::span<const MemorySample> samples, qint64 eventWallMs,
                                          const FootprintSearch &search)
{
    const auto [first, last] = window(samples, eventWallMs, search);
    std::optional<std::size_t> best;
    std::int64_t bestDrop = 0;
    // The usage before the window's first sample counts as its predecessor.
    std::int64_t previous = MemorySample::kUnknown;
    for (std::size_t i = first; i-- > 0;) {
        if (MemorySample::known(samples[i].usageBytes)) {
            previous = samples[i].usageBytes;
            break;
        }
    }
    for (std::size_t i = first; i < last; ++i) {
        const std::int64_t usage = samples[i].usageBytes;
        if (!MemorySample::known(usage))
            continue;
        if (MemorySample::known(previous)) {
            const std::int64_t drop = previous - usage;
            if (drop >= search.minDropBytes && drop > bestDrop) {
                bestDrop = drop;
                best = i;
            }
        }
        previous = usage;
    }
    return best;
}

std::optional<std::size_t> oomKillStepIndex(std::span<const MemorySample> samples, qint64 eventWallMs,
                                            const FootprintSearch &search)
{
    const auto [first, last] = window(samples, eventWallMs, search);
    std::int64_t previous = MemorySample::kUnknown;
    for (std::size_t i = first; i-- > 0;) {
        if (MemorySample::known(samples[i].oomKillCount)) {
            previous = samples[i].oomKillCount;
            break;
        }
    }
    for (std::size_t i = first; i < last; ++i) {
        const std::int64_t count = samples[i].oomKillCount;
        if (!MemorySample::known(count))
            continue;
        if (MemorySample::known(previous) && count > previous)
            return i;
        previous = count;
    }
    return std::nullopt;
}

std::optional<std::size_t> cgroupIndexForEvent(const OomEvent &event, std::span<const QString> cgroupPaths)
{
    const auto lastComponent = [](const QString &path) {
        const qsizetype slash = path.lastIndexOf(u'/');
        return slash < 0 ? path : path.mid(slash + 1);
    };
    const QString memcgs[] = {event.oomMemcg, event.taskMemcg};
    for (const QString &memcg : memcgs) {
        if (memcg.isEmpty())
            continue;
        for (std::size_t i = 0; i < cgroupPaths.size(); ++i) {
            if (cgroupPaths[i] == memcg)
                return i;
        }
    }
    for (const QString &memcg : memcgs) {
        if (memcg.isEmpty() || memcg == QStringLiteral("/"))
            continue;
        for (std::size_t i = 0; i < cgroupPaths.size(); ++i) {
            if (lastComponent(cgroupPaths[i]) == lastComponent(memcg))
                return i;
        }
    }
    if (cgroupPaths.size() == 1)
        return 0;
    return std::nullopt;
}

} // namespace oomscope
