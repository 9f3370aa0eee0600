// SPDX-License-Identifier: GPL-3.0-or-later
#include "processgrowth.h"

#include "verdictdetail.h"

#include <algorithm>
#include <map>

namespace oomscope {

namespace {

using verdict_detail::kMiB;
using verdict_detail::Line;

constexpr int kMaxProcessBuckets = 120;
constexpr double kMinProcessR2 = 0.8;
constexpr double kMinLeaderShare = 0.75;
constexpr double kMinLeakDurationS = 5;
constexpr int kMinLeakSamples = 6;

struct PidSeries {
    std::int64_t pid = 0;
    QString comm;
    std::vector<qint64> ms;
    std::vector<double> bytes;
};

// Median per time bucket of one pid's series, t in seconds since its first sample.
void bucketise(const PidSeries &s, std::vector<double> &t, std::vector<double> &y)
{
    t.clear();
    y.clear();
    const qint64 t0 = s.ms.front();
    const qint64 span = std::max<qint64>(1, s.ms.back() - t0);
    const int buckets = int(std::min<std::size_t>(kMaxProcessBuckets, s.ms.size()));
    std::size_t i = 0;
    for (int b = 0; b < buckets && i < s.ms.size(); ++b) {
        const qint64 end = t0 + span * (b + 1) / buckets;
        std::vector<double> ts;
        std::vector<double> ys;
        while (i < s.ms.size() && (s.ms[i] <= end || b + 1 == buckets)) {
            ts.push_back(double(s.ms[i] - t0) / 1000.0);
            ys.push_back(s.bytes[i]);
            ++i;
        }
        if (!ys.empty()) {
            t.push_back(verdict_detail::median(ts));
            y.push_back(verdict_detail::median(ys));
        }
    }
}

struct PidFit {
    Line line;
    double durS = 0;
    double secondHalfSlope = 0;
    std::vector<double> t; // bucket medians, seconds since the pid's first sample
    std::vector<double> y;
};

PidFit fitPid(const PidSeries &s)
{
    PidFit f;
    f.durS = double(s.ms.back() - s.ms.front()) / 1000.0;
    bucketise(s, f.t, f.y);
    const std::vector<double> &t = f.t;
    const std::vector<double> &y = f.y;
    f.line = verdict_detail::theilSen(t, y);
    std::vector<double> t2;
    std::vector<double> y2;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i] >= f.durS / 2) {
            t2.push_back(t[i]);
            y2.push_back(y[i]);
        }
    f.secondHalfSlope = verdict_detail::theilSen(t2, y2).slope;
    return f;
}

// One series per pid and comm: a pid the kernel reused for another program is another series.
std::map<std::pair<std::int64_t, QString>, PidSeries> seriesByPid(std::span<const ProcessSample> rows,
                                                                  qint64 fromMs, qint64 toMs)
{
    std::vector<const ProcessSample *> sorted;
    for (const ProcessSample &r : rows)
        if (r.timestampMs >= fromMs && r.timestampMs <= toMs && MemorySample::known(processDemandKb(r)))
            sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(), [](const ProcessSample *a, const ProcessSample *b) {
        return a->timestampMs < b->timestampMs;
    });
    std::map<std::pair<std::int64_t, QString>, PidSeries> byPid;
    for (const ProcessSample *r : sorted) {
        PidSeries &s = byPid[{r->pid, r->comm}];
        s.pid = r->pid;
        s.comm = r->comm;
        s.ms.push_back(r->timestampMs);
        s.bytes.push_back(double(processDemandKb(*r)) * 1024.0);
    }
    return byPid;
}

// Chains of pids: a pid that starts after an earlier pid of the same comm ended continues it.
std::vector<std::vector<const PidSeries *>>
joinByComm(const std::map<std::pair<std::int64_t, QString>, PidSeries> &byPid)
{
    std::vector<const PidSeries *> order;
    for (const auto &[key, s] : byPid)
        order.push_back(&s);
    std::stable_sort(order.begin(), order.end(),
                     [](const PidSeries *a, const PidSeries *b) { return a->ms.front() < b->ms.front(); });
    std::vector<std::vector<const PidSeries *>> chains;
    for (const PidSeries *s : order) {
        std::vector<const PidSeries *> *best = nullptr;
        for (auto &chain : chains) {
            const PidSeries *last = chain.back();
            if (last->comm == s->comm && last->ms.back() < s->ms.front()
                && (!best || best->back()->ms.back() < last->ms.back()))
                best = &chain;
        }
        if (best)
            best->push_back(s);
        else
            chains.push_back({s});
    }
    return chains;
}

ProcessGrowth growthOfChain(const std::vector<const PidSeries *> &chain)
{
    ProcessGrowth g;
    double weight = 0;
    double slopeSum = 0;
    double r2Sum = 0;
    for (const PidSeries *s : chain) {
        g.pids.push_back(s->pid);
        g.samples += int(s->ms.size());
        const PidFit f = fitPid(*s);
        for (std::size_t i = 0; i < f.t.size(); ++i)
            g.curve.emplace_back(s->ms.front() + qint64(f.t[i] * 1000.0), f.y[i]);
        if (!f.line.valid)
            continue;
        const double w = std::max(f.durS, 1e-3);
        weight += w;
        slopeSum += f.line.slope * w;
        r2Sum += f.line.r2 * w;
        g.growthBytes += f.line.slope * f.durS;
        g.secondHalfSlopeBytesPerS = f.secondHalfSlope;
    }
    g.pid = chain.back()->pid;
    g.comm = chain.back()->comm;
    g.slopeBytesPerS = weight > 0 ? slopeSum / weight : 0;
    g.r2 = weight > 0 ? r2Sum / weight : 0;
    g.startKb = std::int64_t(chain.front()->bytes.front() / 1024.0);
    g.endKb = std::int64_t(chain.back()->bytes.back() / 1024.0);
    g.firstMs = chain.front()->ms.front();
    g.lastMs = chain.back()->ms.back();
    return g;
}

} // namespace

std::int64_t processDemandKb(const ProcessSample &row)
{
    if (MemorySample::known(row.rssAnonKb))
        return row.rssAnonKb + (MemorySample::known(row.rssShmemKb) ? row.rssShmemKb : 0);
    return row.totalRssKb();
}

GrowthAttribution attributeGrowth(std::span<const ProcessSample> rows, qint64 fromMs, qint64 toMs)
{
    GrowthAttribution a;
    const auto byPid = seriesByPid(rows, fromMs, toMs);
    for (const auto &chain : joinByComm(byPid))
        a.processes.push_back(growthOfChain(chain));
    for (const ProcessGrowth &g : a.processes)
        a.totalPositiveGrowthBytes += std::max(0.0, g.growthBytes);
    for (ProcessGrowth &g : a.processes)
        g.shareOfGrowth =
            a.totalPositiveGrowthBytes > 0 ? std::max(0.0, g.growthBytes) / a.totalPositiveGrowthBytes : 0;
    std::stable_sort(
        a.processes.begin(), a.processes.end(),
        [](const ProcessGrowth &x, const ProcessGrowth &y) { return x.growthBytes > y.growthBytes; });
    return a;
}

std::optional<std::size_t> findProcessLeak(const GrowthAttribution &a, double limitBytes)
{
    if (a.processes.size() < 2)
        return std::nullopt;
    const ProcessGrowth &top = a.processes.front();
    const double durS = double(top.lastMs - top.firstMs) / 1000.0;
    const double minGrowth = std::max(4.0 * kMiB, limitBytes > 0 ? 0.03 * limitBytes : 0.0);
    if (top.r2 < kMinProcessR2 || top.growthBytes < minGrowth || top.shareOfGrowth < kMinLeaderShare
        || durS < kMinLeakDurationS || top.samples < kMinLeakSamples
        || top.secondHalfSlopeBytesPerS < 0.3 * top.slopeBytesPerS)
        return std::nullopt;
    // The others hold: at least one ran beside it for half its run, and together they grew by at
    // most a third of what it grew.
    bool companion = false;
    double othersGrowth = 0;
    for (std::size_t i = 1; i < a.processes.size(); ++i) {
        const ProcessGrowth &o = a.processes[i];
        const qint64 overlap = std::min(o.lastMs, top.lastMs) - std::max(o.firstMs, top.firstMs);
        companion = companion || double(overlap) >= 0.5 * double(top.lastMs - top.firstMs);
        othersGrowth += std::max(0.0, o.growthBytes);
    }
    if (!companion || othersGrowth > top.growthBytes / 3.0)
        return std::nullopt;
    return 0;
}

QJsonObject growthEntryToJson(const ProcessGrowth &g)
{
    QJsonArray pids;
    for (std::int64_t p : g.pids)
        pids.append(qint64(p));
    return QJsonObject {
        {QStringLiteral("pid"), qint64(g.pid)},
        {QStringLiteral("pids"), pids},
        {QStringLiteral("comm"), g.comm},
        {QStringLiteral("slope_mib_per_h"), g.slopeBytesPerS * 3600.0 / kMiB},
        {QStringLiteral("share_of_growth"), g.shareOfGrowth},
        {QStringLiteral("r2"), g.r2},
        {QStringLiteral("start_kb"), qint64(g.startKb)},
        {QStringLiteral("end_kb"), qint64(g.endKb)},
        {QStringLiteral("samples"), g.samples},
    };
}

QJsonArray growthToJson(const GrowthAttribution &a)
{
    QJsonArray out;
    for (const ProcessGrowth &g : a.processes)
        out.append(growthEntryToJson(g));
    return out;
}

} // namespace oomscope
