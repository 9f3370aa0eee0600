// SPDX-License-Identifier: GPL-3.0-or-later
#include "prediction.h"

#include <algorithm>
#include <map>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr int kAdjMin = -1000;
constexpr int kAdjMax = 1000;

bool eraIsSigned(BadnessEra era)
{
    return era == BadnessEra::Linux59Plus || era == BadnessEra::Unknown;
}

bool eraHasRootBonus(BadnessEra era)
{
    return era == BadnessEra::Linux310 || era == BadnessEra::Linux41to414 || era == BadnessEra::Linux415to416;
}

// select_bad_process() over tasks that are all thread-group leaders (one row per pid), where
// the 4.x "first leader" rule is the same as "first maximum"; mirrors killdecision.cpp.
int selectIndex(const std::vector<std::int64_t> &points, const std::vector<bool> &eligible,
                bool lastMaximumWins, bool signedBadness)
{
    int chosen = -1;
    std::int64_t chosenPoints = 0;
    for (int i = 0; i < int(points.size()); ++i) {
        if (!eligible[size_t(i)])
            continue;
        if (!signedBadness && points[size_t(i)] <= 0)
            continue;
        if (chosen >= 0) {
            if (points[size_t(i)] < chosenPoints)
                continue;
            if (points[size_t(i)] == chosenPoints && !lastMaximumWins)
                continue;
        }
        chosen = i;
        chosenPoints = points[size_t(i)];
    }
    return chosen;
}

std::int64_t kbToPages(std::int64_t kb, std::int64_t pageKb)
{
    return MemorySample::known(kb) ? kb / pageKb : 0;
}

} // namespace

PredictedRanking predictVictim(std::span<const ProcessSample> atInstant, std::int64_t limitBytes,
                               const PredictionOptions &options)
{
    PredictedRanking out;
    out.era = options.era;
    const std::int64_t pageSize = options.pageSizeBytes > 0 ? options.pageSizeBytes : 4096;
    const std::int64_t pageKb = std::max<std::int64_t>(1, pageSize / 1024);
    const bool limited = limitBytes > 0 && limitBytes != MemorySample::kUnlimited;
    out.limitBytes = limited ? limitBytes : 0;

    // Last row per pid, in pid order (the assumed task-list order).
    std::map<std::int64_t, const ProcessSample *> byPid;
    for (const ProcessSample &p : atInstant) {
        byPid[p.pid] = &p;
        out.instantMs = std::max<qint64>(out.instantMs, p.timestampMs);
    }

    OomEvent event;
    event.constraint = Constraint::Memcg;
    event.pageSizeBytes = pageSize;
    if (limited) {
        event.memory.present = true;
        event.memory.limitKb = limitBytes / 1024;
        // memory+swap equal to the limit: totalpages is the limit alone, as documented.
        event.memsw.present = true;
        event.memsw.limitKb = event.memory.limitKb;
    } else {
        out.notes << u"No limit is known: the oom_score_adj term is taken as 0."_s;
    }
    std::map<std::int64_t, bool> estimated;
    for (const auto &[pid, row] : byPid) {
        OomTask t;
        t.pid = pid;
        t.tgid = pid;
        t.uid = 0;
        t.comm = row->comm;
        t.oomScoreAdj = std::clamp(row->oomScoreAdj, kAdjMin, kAdjMax);
        const bool split = MemorySample::known(row->rssAnonKb) && MemorySample::known(row->rssFileKb)
            && MemorySample::known(row->rssShmemKb);
        if (split) {
            t.rssPages = (row->rssAnonKb + row->rssFileKb + row->rssShmemKb) / pageKb;
            t.rssAnonPages = row->rssAnonKb / pageKb;
            t.rssFilePages = row->rssFileKb / pageKb;
            t.rssShmemPages = row->rssShmemKb / pageKb;
        } else {
            t.rssPages = kbToPages(row->totalRssKb(), pageKb);
        }
        estimated[pid] = !MemorySample::known(row->totalRssKb());
        t.swapEntsPages = kbToPages(row->swapKb, pageKb);
        t.pgtablesBytes = MemorySample::known(row->pgtablesKb) ? row->pgtablesKb * 1024 : 0;
        event.tasks.push_back(std::move(t));
    }
    bool anyEstimated = false;
    for (const auto &[pid, e] : estimated)
        anyEstimated = anyEstimated || e;
    if (anyEstimated)
        out.notes << u"Some processes have no rss figure; they were counted as 0."_s;

    DecisionOptions dopt;
    dopt.era = options.era;
    dopt.uidZeroIsCapSysAdmin = options.assumeCapSysAdmin;
    const KillDecision d = decideKill(event, dopt);
    out.totalPages = d.totalPages;
    out.lastMaximumWins = d.lastMaximumWins;
    out.predictedVictimPid = d.recomputedSelectedPid;
    if (eraHasRootBonus(options.era))
        out.notes << (options.assumeCapSysAdmin
                          ? u"Every process was granted the 3 % root bonus of this era (uid unknown)."_s
                          : u"No process was granted the 3 % root bonus of this era (uid unknown)."_s);

    // Points of every task in table order, for the "what adj would make it the victim" search.
    const bool signedBadness = eraIsSigned(d.era);
    std::vector<std::int64_t> points;
    std::vector<bool> eligible;
    for (const OomTask &t : event.tasks) {
        points.push_back(badnessPoints(t, d.era, d.totalPages, options.assumeCapSysAdmin, pageSize));
        eligible.push_back(t.oomScoreAdj > kAdjMin);
    }
    const int selected = selectIndex(points, eligible, d.lastMaximumWins, signedBadness);
    if ((selected >= 0) != d.recomputedSelectedPid.has_value()
        || (selected >= 0 && event.tasks[size_t(selected)].pid != *d.recomputedSelectedPid))
        out.notes << u"Internal disagreement between the selection and its what-if search; the kill "
                     u"decision's selection is shown."_s;
    const auto winsWith = [&](std::size_t idx, int adj) {
        std::vector<std::int64_t> trial = points;
        std::vector<bool> trialEligible = eligible;
        OomTask t = event.tasks[idx];
        t.oomScoreAdj = adj;
        trial[idx] = badnessPoints(t, d.era, d.totalPages, options.assumeCapSysAdmin, pageSize);
        trialEligible[idx] = adj > kAdjMin;
        return selectIndex(trial, trialEligible, d.lastMaximumWins, signedBadness) == int(idx);
    };
    std::map<std::int64_t, std::size_t> indexOfPid;
    for (std::size_t i = 0; i < event.tasks.size(); ++i)
        indexOfPid[event.tasks[i].pid] = i;

    std::int64_t topPoints = 0;
    bool haveTop = false;
    bool tie = false;
    for (const RankedTask &r : d.ranking) {
        if (!r.eligible)
            continue;
        if (!haveTop) {
            topPoints = r.points;
            haveTop = true;
        } else if (r.points == topPoints) {
            tie = true;
        }
    }
    if (tie)
        out.notes << u"Equal points at the top: the %1 maximum in pid order wins, assuming the kernel walks "
                     u"the cgroup's tasks in pid order."_s.arg(d.lastMaximumWins ? u"last"_s : u"first"_s);

    for (const RankedTask &r : d.ranking) {
        PredictedProcess p;
        p.pid = r.task.pid;
        p.comm = r.task.comm;
        p.oomScoreAdj = r.task.oomScoreAdj;
        p.eligible = r.eligible;
        p.rssPages = r.rssPages;
        p.swapPages = r.swapPages;
        p.pageTablePages = r.pageTablePages;
        p.points = r.points;
        p.share = r.share;
        p.rank = r.rank;
        p.pointsGapToTop = haveTop && r.eligible ? topPoints - r.points : 0;
        p.rssEstimated = estimated[p.pid];
        // Winning is monotone in adj (points never fall as it rises): binary search the threshold.
        const std::size_t idx = indexOfPid[p.pid];
        if (winsWith(idx, kAdjMax)) {
            int lo = kAdjMin + 1;
            int hi = kAdjMax;
            while (lo < hi) {
                const int mid = lo + (hi - lo) / 2;
                if (winsWith(idx, mid))
                    hi = mid;
                else
                    lo = mid + 1;
            }
            p.adjToBeVictim = lo;
        }
        out.ranking.push_back(std::move(p));
    }
    return out;
}

std::vector<ProcessSample> readingAtOrBefore(std::span<const ProcessSample> allRows, qint64 killWallMs,
                                             std::span<const std::int64_t> excludedPids,
                                             const QString &cgroup, qint64 instantToleranceMs)
{
    const auto wanted = [&](const ProcessSample &p) {
        if (p.timestampMs > killWallMs)
            return false;
        if (!cgroup.isEmpty() && !p.cgroup.isEmpty() && p.cgroup != cgroup)
            return false;
        return std::find(excludedPids.begin(), excludedPids.end(), p.pid) == excludedPids.end();
    };
    std::optional<std::int64_t> newest;
    for (const ProcessSample &p : allRows)
        if (wanted(p))
            newest = std::max(newest.value_or(p.timestampMs), p.timestampMs);
    std::vector<ProcessSample> out;
    if (!newest)
        return out;
    // Latest row per pid within the reading.
    std::map<std::int64_t, const ProcessSample *> byPid;
    for (const ProcessSample &p : allRows)
        if (wanted(p) && p.timestampMs >= *newest - instantToleranceMs) {
            auto &slot = byPid[p.pid];
            if (!slot || slot->timestampMs <= p.timestampMs)
                slot = &p;
        }
    for (const auto &[pid, row] : byPid)
        out.push_back(*row);
    return out;
}

std::optional<PredictedRanking> predictVictimAtKill(std::span<const ProcessSample> allRows, qint64 killWallMs,
                                                    std::int64_t limitBytes,
                                                    std::span<const std::int64_t> excludedPids,
                                                    const PredictionOptions &options, const QString &cgroup)
{
    const std::vector<ProcessSample> reading =
        readingAtOrBefore(allRows, killWallMs, excludedPids, cgroup, options.instantToleranceMs);
    if (reading.empty())
        return std::nullopt;
    PredictedRanking r = predictVictim(reading, limitBytes, options);
    if (!excludedPids.empty())
        r.notes << u"Left out as victims of earlier kills: %1 pid(s)."_s.arg(excludedPids.size());
    return r;
}

std::vector<std::optional<std::int64_t>>
predictVictimsForKills(std::span<const ProcessSample> allRows, std::span<const qint64> killWallMs,
                       std::int64_t limitBytes, std::span<const std::int64_t> knownVictimPids,
                       const PredictionOptions &options, const QString &cgroup)
{
    std::vector<std::optional<std::int64_t>> out;
    std::vector<std::int64_t> gone;
    for (std::size_t i = 0; i < killWallMs.size(); ++i) {
        const std::optional<PredictedRanking> r =
            predictVictimAtKill(allRows, killWallMs[i], limitBytes, gone, options, cgroup);
        out.push_back(r ? r->predictedVictimPid : std::nullopt);
        const std::int64_t known = i < knownVictimPids.size() ? knownVictimPids[i] : 0;
        if (known != 0)
            gone.push_back(known);
        else if (out.back())
            gone.push_back(*out.back());
    }
    return out;
}

} // namespace oomscope
