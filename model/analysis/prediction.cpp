// SPDX-License-Identifier: GPL-3.0-or-later
#include "prediction.h"

#include "badnessera.h"
#include "predictionexplanation.h"

#include <algorithm>
#include <map>

namespace oomscope {

namespace {

constexpr int kAdjMin = -1000;
constexpr int kAdjMax = 1000;

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

void addNote(PredictedRanking &out, PredictionNote::Kind kind)
{
    PredictionNote note;
    note.kind = kind;
    out.noteFacts.push_back(note);
}

// One process row as the kernel's task-table entry (tgid = pid, uid unknown: 0).
OomTask taskOf(std::int64_t pid, const ProcessSample &row, std::int64_t pageKb)
{
    OomTask t;
    t.pid = pid;
    t.tgid = pid;
    t.uid = 0;
    t.comm = row.comm;
    t.oomScoreAdj = std::clamp(row.oomScoreAdj, kAdjMin, kAdjMax);
    const bool split = MemorySample::known(row.rssAnonKb) && MemorySample::known(row.rssFileKb)
        && MemorySample::known(row.rssShmemKb);
    if (split) {
        t.rssPages = (row.rssAnonKb + row.rssFileKb + row.rssShmemKb) / pageKb;
        t.rssAnonPages = row.rssAnonKb / pageKb;
        t.rssFilePages = row.rssFileKb / pageKb;
        t.rssShmemPages = row.rssShmemKb / pageKb;
    } else {
        t.rssPages = kbToPages(row.totalRssKb(), pageKb);
    }
    t.swapEntsPages = kbToPages(row.swapKb, pageKb);
    t.pgtablesBytes = MemorySample::known(row.pgtablesKb) ? row.pgtablesKb * 1024 : 0;
    return t;
}

// The reading as a memcg OOM event: one task per pid (its last row), in pid order — the assumed
// task-list order. Marks the pids with no rss figure in `estimated`.
OomEvent eventOfReading(std::span<const ProcessSample> atInstant, bool limited, std::int64_t limitBytes,
                        std::int64_t pageSize, PredictedRanking &out, std::map<std::int64_t, bool> &estimated)
{
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
        addNote(out, PredictionNote::Kind::NoLimit);
    }
    const std::int64_t pageKb = std::max<std::int64_t>(1, pageSize / 1024);
    for (const auto &[pid, row] : byPid) {
        event.tasks.push_back(taskOf(pid, *row, pageKb));
        estimated[pid] = !MemorySample::known(row->totalRssKb());
    }
    return event;
}

// The points of every task in table order, to ask "with which oom_score_adj would this task be
// the one selected?" by re-running the selection with one task's adj changed.
class WhatIfSearch
{
public:
    WhatIfSearch(const OomEvent &event, const KillDecision &decision, const PredictionOptions &options,
                 std::int64_t pageSize)
        : m_event(event)
        , m_era(decision.era)
        , m_totalPages(decision.totalPages)
        , m_capSysAdmin(options.assumeCapSysAdmin)
        , m_pageSize(pageSize)
        , m_lastMaximumWins(decision.lastMaximumWins)
        , m_signed(eraIsSigned(decision.era))
    {
        for (std::size_t i = 0; i < event.tasks.size(); ++i) {
            const OomTask &t = event.tasks[i];
            m_points.push_back(pointsOf(t));
            m_eligible.push_back(t.oomScoreAdj > kAdjMin);
            m_indexOfPid[t.pid] = i;
        }
    }

    // The pid the search selects with every adj as read (nullopt: none eligible).
    std::optional<std::int64_t> selectedPid() const
    {
        const int selected = selectIndex(m_points, m_eligible, m_lastMaximumWins, m_signed);
        if (selected < 0)
            return std::nullopt;
        return m_event.tasks[size_t(selected)].pid;
    }

    // Smallest adj with which `pid` is selected. Winning is monotone in adj (points never fall as
    // it rises): binary search the threshold.
    std::optional<int> adjToBeVictim(std::int64_t pid) const
    {
        const std::size_t idx = m_indexOfPid.at(pid);
        if (!winsWith(idx, kAdjMax))
            return std::nullopt;
        int lo = kAdjMin + 1;
        int hi = kAdjMax;
        while (lo < hi) {
            const int mid = lo + (hi - lo) / 2;
            if (winsWith(idx, mid))
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

private:
    std::int64_t pointsOf(const OomTask &t) const
    {
        return badnessPoints(t, m_era, m_totalPages, m_capSysAdmin, m_pageSize);
    }

    bool winsWith(std::size_t idx, int adj) const
    {
        std::vector<std::int64_t> trial = m_points;
        std::vector<bool> trialEligible = m_eligible;
        OomTask t = m_event.tasks[idx];
        t.oomScoreAdj = adj;
        trial[idx] = pointsOf(t);
        trialEligible[idx] = adj > kAdjMin;
        return selectIndex(trial, trialEligible, m_lastMaximumWins, m_signed) == int(idx);
    }

    const OomEvent &m_event;
    BadnessEra m_era;
    std::int64_t m_totalPages;
    bool m_capSysAdmin;
    std::int64_t m_pageSize;
    bool m_lastMaximumWins;
    bool m_signed;
    std::vector<std::int64_t> m_points;
    std::vector<bool> m_eligible;
    std::map<std::int64_t, std::size_t> m_indexOfPid;
};

struct TopOfRanking {
    std::optional<std::int64_t> points; // of the first eligible task
    bool tie = false; // another eligible task has the same points
};

TopOfRanking topOfRanking(const std::vector<RankedTask> &ranking)
{
    TopOfRanking top;
    for (const RankedTask &r : ranking) {
        if (!r.eligible)
            continue;
        if (!top.points)
            top.points = r.points;
        else if (r.points == *top.points)
            top.tie = true;
    }
    return top;
}

PredictedProcess predictedProcess(const RankedTask &r, const TopOfRanking &top, bool rssEstimated,
                                  const WhatIfSearch &search)
{
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
    p.pointsGapToTop = top.points && r.eligible ? *top.points - r.points : 0;
    p.rssEstimated = rssEstimated;
    p.adjToBeVictim = search.adjToBeVictim(p.pid);
    return p;
}

} // namespace

PredictedRanking predictVictim(std::span<const ProcessSample> atInstant, std::int64_t limitBytes,
                               const PredictionOptions &options)
{
    PredictedRanking out;
    out.era = options.era;
    const std::int64_t pageSize = options.pageSizeBytes > 0 ? options.pageSizeBytes : 4096;
    const bool limited = limitBytes > 0 && limitBytes != MemorySample::kUnlimited;
    out.limitBytes = limited ? limitBytes : 0;

    std::map<std::int64_t, bool> estimated;
    const OomEvent event = eventOfReading(atInstant, limited, limitBytes, pageSize, out, estimated);
    if (std::any_of(estimated.begin(), estimated.end(), [](const auto &e) { return e.second; }))
        addNote(out, PredictionNote::Kind::RssUnknown);

    DecisionOptions dopt;
    dopt.era = options.era;
    dopt.uidZeroIsCapSysAdmin = options.assumeCapSysAdmin;
    const KillDecision d = decideKill(event, dopt);
    out.totalPages = d.totalPages;
    out.lastMaximumWins = d.lastMaximumWins;
    out.predictedVictimPid = d.recomputedSelectedPid;
    if (eraHasRootBonus(options.era))
        addNote(out,
                options.assumeCapSysAdmin ? PredictionNote::Kind::RootBonusGranted
                                          : PredictionNote::Kind::RootBonusWithheld);

    const WhatIfSearch search(event, d, options, pageSize);
    if (search.selectedPid() != d.recomputedSelectedPid)
        addNote(out, PredictionNote::Kind::SelectionDisagreement);

    const TopOfRanking top = topOfRanking(d.ranking);
    if (top.tie) {
        PredictionNote note;
        note.kind = PredictionNote::Kind::TopTie;
        note.lastMaximumWins = d.lastMaximumWins;
        out.noteFacts.push_back(note);
    }

    if (options.basis != PredictionOptions::Basis::Given) {
        PredictionNote note;
        note.kind = options.basis == PredictionOptions::Basis::KernelLog
            ? PredictionNote::Kind::EraFromKernelLog
            : PredictionNote::Kind::EraDefault;
        note.era = options.era;
        note.pageSizeBytes = pageSize;
        out.noteFacts.push_back(note);
    }

    for (const RankedTask &r : d.ranking)
        out.ranking.push_back(predictedProcess(r, top, estimated[r.task.pid], search));
    out.notes = predictionNotes(out);
    return out;
}

PredictionOptions predictionOptionsFromEvents(std::span<const OomEvent> events, PredictionOptions base)
{
    const OomEvent *latest = nullptr;
    EraChoice latestChoice;
    for (const OomEvent &e : events) {
        const EraChoice choice = chooseEra(e, {});
        if (choice.era == BadnessEra::Unknown)
            continue;
        latest = &e; // the reports come in log order: the last one is the latest
        latestChoice = choice;
    }
    if (!latest) {
        base.era = BadnessEra::Linux59Plus;
        base.pageSizeBytes = 4096;
        base.basis = PredictionOptions::Basis::Default;
        return base;
    }
    base.era = latestChoice.era;
    base.pageSizeBytes = latest->pageSizeBytes > 0 ? latest->pageSizeBytes : 4096;
    base.basis = PredictionOptions::Basis::KernelLog;
    return base;
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
    if (!excludedPids.empty()) {
        PredictionNote note;
        note.kind = PredictionNote::Kind::EarlierVictimsExcluded;
        note.count = excludedPids.size();
        r.noteFacts.push_back(note);
        r.notes = predictionNotes(r);
    }
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
