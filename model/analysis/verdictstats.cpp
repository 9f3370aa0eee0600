// SPDX-License-Identifier: GPL-3.0-or-later
// The robust statistics of the verdict: Theil–Sen line, decimation, rolling minimum, noise.
#include "verdictdetail.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>

namespace oomscope::verdict_detail {

std::int64_t roundUpLimit(double bytes)
{
    const double stepMiB = bytes < 256 * kMiB ? 8 : bytes < 2048 * kMiB ? 32 : 128;
    const double step = stepMiB * kMiB;
    return std::int64_t(std::ceil(bytes / step) * step);
}

double quantileSorted(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return 0;
    const double pos = q * double(sorted.size() - 1);
    const auto lo = std::size_t(std::floor(pos));
    const auto hi = std::min(sorted.size() - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

double quantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return quantileSorted(v, q);
}

double median(std::vector<double> v)
{
    return quantile(std::move(v), 0.5);
}

Line theilSen(const std::vector<double> &t, const std::vector<double> &y)
{
    Line line;
    const std::size_t n = t.size();
    if (n < 2)
        return line;
    std::vector<double> slopes;
    slopes.reserve(n * (n - 1) / 2);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            if (t[j] > t[i])
                slopes.push_back((y[j] - y[i]) / (t[j] - t[i]));
    if (slopes.empty())
        return line;
    line.slope = median(std::move(slopes));
    std::vector<double> icpt(n);
    for (std::size_t i = 0; i < n; ++i)
        icpt[i] = y[i] - line.slope * t[i];
    line.intercept = median(std::move(icpt));
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / double(n);
    double ssTot = 0;
    double ssRes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ssTot += (y[i] - mean) * (y[i] - mean);
        const double r = y[i] - (line.intercept + line.slope * t[i]);
        ssRes += r * r;
    }
    // A flat series has nothing to explain; call it no fit rather than a perfect one.
    line.r2 = ssTot > 0 ? std::max(0.0, 1.0 - ssRes / ssTot) : 0.0;
    line.valid = true;
    return line;
}

// Median per time bucket, so that a million samples cost what 240 do and noise averages out.
void decimate(std::span<const Pt> pts, const std::vector<double> &values, qint64 t0Ms,
              std::vector<double> &tOut, std::vector<double> &yOut)
{
    tOut.clear();
    yOut.clear();
    if (pts.empty())
        return;
    const qint64 span = std::max<qint64>(1, pts.back().ms - pts.front().ms);
    const int buckets = int(std::min<std::size_t>(kMaxBuckets, pts.size()));
    std::size_t i = 0;
    std::vector<double> ys;
    for (int b = 0; b < buckets && i < pts.size(); ++b) {
        const qint64 end = pts.front().ms + span * (b + 1) / buckets;
        ys.clear();
        double tSum = 0;
        while (i < pts.size() && (pts[i].ms <= end || b == buckets - 1)) {
            ys.push_back(values[i]);
            tSum += double(pts[i].ms - t0Ms) / 1000.0;
            ++i;
        }
        if (ys.empty())
            continue;
        tOut.push_back(tSum / double(ys.size()));
        yOut.push_back(median(ys));
    }
}

// Trailing minimum over windowMs, by time (monotonic deque).
std::vector<double> rollingMin(std::span<const Pt> pts, qint64 windowMs)
{
    std::vector<double> out(pts.size());
    std::deque<std::size_t> q;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        while (!q.empty() && pts[q.back()].demand >= pts[i].demand)
            q.pop_back();
        q.push_back(i);
        while (pts[q.front()].ms < pts[i].ms - windowMs)
            q.pop_front();
        out[i] = pts[q.front()].demand;
    }
    return out;
}

// Robust sigma of the residuals of values around the line (at most ~20000 points looked at).
double robustNoise(std::span<const Pt> pts, const std::vector<double> &values, const Line &line, qint64 t0Ms)
{
    const std::size_t stride = std::max<std::size_t>(1, pts.size() / 20000);
    std::vector<double> res;
    for (std::size_t i = 0; i < pts.size(); i += stride) {
        const double t = double(pts[i].ms - t0Ms) / 1000.0;
        res.push_back(std::abs(values[i] - (line.intercept + line.slope * t)));
    }
    return 1.4826 * median(std::move(res));
}

} // namespace oomscope::verdict_detail
