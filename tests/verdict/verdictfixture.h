// SPDX-License-Identifier: GPL-3.0-or-later
// Synthetic memory series for the verdict suites (tst_verdict, tst_verdictedges): the parts a
// workload holds at each instant, sampled at a given interval, and a one-line description of a
// verdict for failure messages.
#pragma once

#include "verdict.h"

#include <cmath>
#include <functional>
#include <random>

namespace verdicttest {

using namespace oomscope;
using namespace Qt::StringLiterals;

inline constexpr double kMiB = 1024.0 * 1024.0;
inline constexpr qint64 kT0 = 1800000000000; // epoch ms

// What the workload holds at one instant; usage = anon + file (+ kernel), as memory.stat counts.
struct Parts {
    double anon = 0;
    double file = 0; // includes shmem
    double shmem = 0;
    double inactiveFile = 0;
};

inline MemorySample makeSample(qint64 ms, const Parts &p, std::int64_t limitBytes)
{
    MemorySample s;
    s.timestampMs = ms;
    const double kernel = 2 * kMiB;
    s.anonBytes = std::int64_t(std::max(0.0, p.anon));
    s.fileBytes = std::int64_t(std::max(0.0, p.file));
    s.shmemBytes = std::int64_t(std::max(0.0, p.shmem));
    s.inactiveFileBytes = std::int64_t(std::max(0.0, p.inactiveFile));
    s.activeFileBytes = std::max<std::int64_t>(0, s.fileBytes - s.shmemBytes - s.inactiveFileBytes);
    s.kernelBytes = std::int64_t(kernel);
    s.usageBytes = s.anonBytes + s.fileBytes + s.kernelBytes;
    if (limitBytes > 0)
        s.usageBytes = std::min<std::int64_t>(s.usageBytes, limitBytes);
    s.limitBytes = limitBytes;
    return s;
}

// Samples every intervalS over durationS of the parts fn(t seconds) returns.
inline std::vector<MemorySample> series(double durationS, double intervalS, std::int64_t limitBytes,
                                        const std::function<Parts(double)> &fn, qint64 startMs = kT0)
{
    std::vector<MemorySample> out;
    for (double t = 0; t <= durationS + 1e-9; t += intervalS)
        out.push_back(makeSample(startMs + qint64(std::llround(t * 1000.0)), fn(t), limitBytes));
    return out;
}

struct Noise {
    explicit Noise(unsigned seed)
        : rng(seed)
    { }
    double operator()(double sigma) { return std::normal_distribution<double>(0.0, sigma)(rng); }
    std::mt19937 rng;
};

inline std::int64_t mib(double m)
{
    return std::int64_t(m * kMiB);
}

// Two hours at 20 s: anon climbs to a plateau at 93 % of a 768 MiB limit and stays (undersized).
inline std::vector<MemorySample> plateauUnderLimit()
{
    Noise noise(42);
    return series(2 * 3600.0, 20.0, mib(768), [&](double t) {
        Parts p;
        p.anon = std::min(0.93, 0.1 + t / 600.0) * 768 * kMiB + noise(4 * kMiB);
        p.file = 8 * kMiB;
        p.inactiveFile = 4 * kMiB;
        return p;
    });
}

inline QByteArray describe(const Verdict &v)
{
    return QString(verdictKindName(v.kind) % u" conf="_s % QString::number(v.confidence, 'f', 2)
                   % u" slope="_s % QString::number(v.evidence.slopeMiBPerHour, 'f', 1) % u"MiB/h r2="_s
                   % QString::number(v.evidence.slopeR2, 'f', 2) % u" floor="_s
                   % QString::number(v.evidence.floorSlopeMiBPerHour, 'f', 1) % u" | "_s % v.summary)
        .toUtf8();
}

} // namespace verdicttest
