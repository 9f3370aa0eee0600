// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "growthcurves.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace oomscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Limits at or above this are "max" (v1 prints PAGE_COUNTER_MAX pages, v2 "max").
constexpr std::int64_t kUnlimitedFromBytes = std::int64_t(1) << 62;

double secondsOf(std::int64_t ms)
{
    return double(ms) / 1000.0;
}

double bytesOrNaN(std::int64_t bytes)
{
    return MemorySample::known(bytes) ? double(bytes) : kNaN;
}

double limitOrNaN(std::int64_t bytes)
{
    return MemorySample::known(bytes) && bytes < kUnlimitedFromBytes ? double(bytes) : kNaN;
}

// Raw samples as a level-0 envelope, so live samples go through the same curve builder.
SampleEnvelope envelopeOfSamples(const std::vector<MemorySample> &samples)
{
    SampleEnvelope env;
    const std::size_t n = samples.size();
    auto sized = [n](std::vector<std::int64_t> &v) {
        v.resize(n);
    };
    for (auto *v : {&env.timeMs,
                    &env.lastTimeMs,
                    &env.sampleCount,
                    &env.minUsageBytes,
                    &env.maxUsageBytes,
                    &env.lastUsageBytes,
                    &env.minWorkingSetBytes,
                    &env.maxWorkingSetBytes,
                    &env.lastWorkingSetBytes,
                    &env.lastAnonBytes,
                    &env.lastFileBytes,
                    &env.lastShmemBytes,
                    &env.lastActiveFileBytes,
                    &env.lastInactiveFileBytes,
                    &env.lastKernelBytes,
                    &env.lastSwapBytes,
                    &env.lastLimitBytes,
                    &env.lastHighBytes,
                    &env.maxFailcnt,
                    &env.maxOomKillCount,
                    &env.maxPeakBytes})
        sized(*v);
    for (std::size_t i = 0; i < n; ++i) {
        const MemorySample &s = samples[i];
        env.timeMs[i] = env.lastTimeMs[i] = s.timestampMs;
        env.sampleCount[i] = 1;
        env.minUsageBytes[i] = env.maxUsageBytes[i] = env.lastUsageBytes[i] = s.usageBytes;
        const std::int64_t ws = s.workingSetBytes();
        env.minWorkingSetBytes[i] = env.maxWorkingSetBytes[i] = env.lastWorkingSetBytes[i] = ws;
        env.lastAnonBytes[i] = s.anonBytes;
        env.lastFileBytes[i] = s.fileBytes;
        env.lastShmemBytes[i] = s.shmemBytes;
        env.lastActiveFileBytes[i] = s.activeFileBytes;
        env.lastInactiveFileBytes[i] = s.inactiveFileBytes;
        env.lastKernelBytes[i] = s.kernelBytes;
        env.lastSwapBytes[i] = s.swapBytes;
        env.lastLimitBytes[i] = s.limitBytes;
        env.lastHighBytes[i] = s.highBytes;
        env.maxFailcnt[i] = s.failcnt;
        env.maxOomKillCount[i] = s.oomKillCount;
        env.maxPeakBytes[i] = std::max(s.peakBytes, s.usageBytes);
    }
    return env;
}

bool sameValue(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

// The first and last point of each run of equal values (see appendStepPoints).
QVector<QCPGraphData> stepCorners(const QVector<QCPGraphData> &points)
{
    QVector<QCPGraphData> out;
    const qsizetype n = points.size();
    for (qsizetype i = 0; i < n; ++i) {
        if (i == 0 || i == n - 1 || !sameValue(points[i].value, points[i - 1].value)
            || !sameValue(points[i].value, points[i + 1].value))
            out.append(points[i]);
    }
    return out;
}

SeriesCurves curvesFrom(qint64 seriesId, const SampleEnvelope &env, std::int64_t previousFailcnt)
{
    SeriesCurves c;
    c.seriesId = seriesId;
    c.level = env.level;
    const int n = int(env.size());
    QVector<QCPGraphData> usage(n), usageMin, usageMax, workingSet(n), limit(n), high(n), failRises, peak(n);
    std::array<QVector<QCPGraphData>, kStackCount> stack;
    for (auto &s : stack)
        s.resize(n);
    if (env.level > 0) {
        usageMin.resize(n);
        usageMax.resize(n);
    }
    const std::array<const std::vector<std::int64_t> *, kStackCount> parts = {
        &env.lastAnonBytes, &env.lastShmemBytes, &env.lastActiveFileBytes, &env.lastInactiveFileBytes,
        &env.lastKernelBytes};
    std::int64_t lastFailcnt = previousFailcnt;
    double maxBytes = 0;
    for (int i = 0; i < n; ++i) {
        const std::size_t k = std::size_t(i);
        // Buckets are drawn at their middle, so that a bucket's band sits over its time span;
        // the newest one, still filling, no later than its last sample (live samples follow it).
        double key = secondsOf(env.timeMs[k]);
        if (env.level > 0) {
            key += secondsOf(env.bucketMs) / 2;
            if (i == n - 1)
                key = std::min(key, secondsOf(env.lastTimeMs[k]));
        }
        usage[i] = QCPGraphData(key, bytesOrNaN(env.lastUsageBytes[k]));
        // Raw: the interval's peak against its usage; buckets: the highest peak against the
        // highest usage (the band above the min-max band).
        const std::int64_t peakTop = env.maxPeakBytes[k];
        const std::int64_t peakBase = env.level > 0 ? env.maxUsageBytes[k] : env.lastUsageBytes[k];
        peak[i] = QCPGraphData(key, bytesOrNaN(std::max(peakTop, peakBase)));
        c.peakAbove = c.peakAbove || (MemorySample::known(peakBase) && peakTop > peakBase);
        workingSet[i] = QCPGraphData(key, bytesOrNaN(env.lastWorkingSetBytes[k]));
        limit[i] = QCPGraphData(key, limitOrNaN(env.lastLimitBytes[k]));
        high[i] = QCPGraphData(key, limitOrNaN(env.lastHighBytes[k]));
        if (env.level > 0) {
            usageMin[i] = QCPGraphData(key, bytesOrNaN(env.minUsageBytes[k]));
            usageMax[i] = QCPGraphData(key, bytesOrNaN(env.maxUsageBytes[k]));
        }
        maxBytes = std::max({maxBytes, double(env.maxUsageBytes[k]), double(env.lastUsageBytes[k]),
                             double(peakTop), std::isnan(limit[i].value) ? 0.0 : limit[i].value});
        // Stacked: each component is drawn at the sum of itself and the ones below it; an
        // unmeasured component adds nothing.
        std::int64_t sum = 0;
        bool any = false;
        for (int p = 0; p < kStackCount; ++p) {
            const std::int64_t v = (*parts[std::size_t(p)])[k];
            if (MemorySample::known(v)) {
                sum += v;
                any = true;
                c.stackKnown[std::size_t(p)] = true;
            }
            stack[std::size_t(p)][i] = QCPGraphData(key, any ? double(sum) : kNaN);
        }
        const std::int64_t failcnt = env.maxFailcnt[k];
        if (MemorySample::known(failcnt)) {
            if (MemorySample::known(lastFailcnt) && failcnt > lastFailcnt)
                failRises.append(QCPGraphData(key, 0.012));
            lastFailcnt = failcnt;
        }
    }
    auto container = [](const QVector<QCPGraphData> &points) {
        auto data = QSharedPointer<QCPGraphDataContainer>::create();
        data->add(points, true);
        return data;
    };
    c.usage = container(usage);
    c.usageMin = container(usageMin);
    c.usageMax = container(usageMax);
    c.peak = container(peak);
    c.workingSet = container(workingSet);
    c.limit = container(stepCorners(limit));
    c.high = container(stepCorners(high));
    c.failRises = container(failRises);
    for (int p = 0; p < kStackCount; ++p)
        c.stack[std::size_t(p)] = container(stack[std::size_t(p)]);
    c.maxBytes = maxBytes;
    if (n > 0)
        c.lastSampleMs = env.lastTimeMs.back();
    return c;
}

} // namespace

void appendStepPoints(QCPGraphDataContainer &line, const QCPGraphDataContainer &points)
{
    for (auto p = points.constBegin(); p != points.constEnd(); ++p) {
        // Two equal points already end the line: the newer one moves instead of a third.
        if (line.size() >= 2) {
            auto last = line.end() - 1;
            if (sameValue(last->value, p->value) && sameValue((last - 1)->value, p->value)
                && p->key >= last->key) {
                last->key = p->key;
                continue;
            }
        }
        line.add(*p);
    }
}

SeriesCurves curvesFromEnvelope(qint64 seriesId, const SampleEnvelope &envelope)
{
    return curvesFrom(seriesId, envelope, MemorySample::kUnknown);
}

SeriesCurves curvesFromSamples(qint64 seriesId, const std::vector<MemorySample> &samples,
                               std::int64_t previousFailcnt)
{
    return curvesFrom(seriesId, envelopeOfSamples(samples), previousFailcnt);
}

} // namespace oomscope
