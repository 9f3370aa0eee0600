// SPDX-License-Identifier: GPL-3.0-or-later
#include "limitreplay.h"

#include "verdictdetail.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

std::vector<std::int64_t> candidateLimits(std::int64_t peakDemandBytes,
                                          std::optional<std::int64_t> recordedLimitBytes, int count)
{
    const double mib = verdict_detail::kMiB;
    const double top = 1.5 * double(std::max(peakDemandBytes, recordedLimitBytes.value_or(0)));
    const double bottom = std::max(mib, 0.25 * double(peakDemandBytes));
    std::vector<std::int64_t> out;
    if (top <= bottom || count < 2)
        return out;
    for (int i = 0; i < count; ++i) {
        const double bytes = bottom + (top - bottom) * double(i) / double(count - 1);
        const auto rounded = std::int64_t(std::ceil(bytes / mib) * mib);
        if (out.empty() || rounded > out.back())
            out.push_back(rounded);
    }
    return out;
}

LimitReplay replayDemand(std::span<const std::pair<qint64, double>> demand,
                         std::span<const std::int64_t> candidates,
                         std::optional<std::int64_t> recordedLimitBytes, int recordedKills, double headroom)
{
    LimitReplay r;
    r.recordedLimitBytes = recordedLimitBytes;
    r.recordedKills = recordedKills;
    r.headroom = headroom;
    for (const auto &[ms, bytes] : demand)
        r.peakDemandBytes = std::max(r.peakDemandBytes, std::int64_t(bytes));
    std::vector<std::int64_t> sorted(candidates.begin(), candidates.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (const std::int64_t limit : sorted) {
        ReplayedLimit l;
        l.limitBytes = limit;
        bool above = false;
        for (const auto &[ms, bytes] : demand) {
            const bool over = bytes > double(limit);
            if (over && !above) {
                ++l.kills;
                if (!l.firstKillMs)
                    l.firstKillMs = ms;
            }
            above = over;
        }
        l.censored =
            recordedKills > 0 && recordedLimitBytes && double(limit) >= 0.98 * double(*recordedLimitBytes);
        r.limits.push_back(l);
    }
    for (const ReplayedLimit &l : r.limits)
        if (l.kills == 0 && !l.censored) {
            r.smallestWithoutKillBytes = l.limitBytes;
            r.recommendedLimitBytes = verdict_detail::roundUpLimit(double(l.limitBytes) * (1.0 + headroom));
            break;
        }
    return r;
}

QJsonObject limitReplayToJson(const LimitReplay &r)
{
    const auto opt = [](const auto &o) {
        return o ? QJsonValue(double(*o)) : QJsonValue(QJsonValue::Null);
    };
    QJsonArray limits;
    for (const ReplayedLimit &l : r.limits)
        limits.append(QJsonObject {{u"limit_bytes"_s, double(l.limitBytes)},
                                   {u"kills"_s, l.kills},
                                   {u"first_kill_ms"_s, opt(l.firstKillMs)},
                                   {u"censored"_s, l.censored}});
    return QJsonObject {
        {u"peak_demand_bytes"_s, double(r.peakDemandBytes)},
        {u"recorded_limit_bytes"_s, opt(r.recordedLimitBytes)},
        {u"recorded_kills"_s, r.recordedKills},
        {u"smallest_without_kill_bytes"_s, opt(r.smallestWithoutKillBytes)},
        {u"recommended_limit_bytes"_s, opt(r.recommendedLimitBytes)},
        {u"headroom"_s, r.headroom},
        {u"limits"_s, limits},
    };
}

} // namespace oomscope
