// SPDX-License-Identifier: GPL-3.0-or-later
#include "killdecision.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr int kAdjMin = -1000; // OOM_SCORE_ADJ_MIN: never selected
constexpr int kAdjMax = 1000;
constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

// How oom_evaluate_task()/select_bad_process() of an era treats equal points (§4.3).
enum class TieRule {
    FirstMaximum, // 3.10: "points > chosen_points"
    FirstLeader, // 4.4 – 5.2: equal points replace the chosen only if it is not a group leader
    LastMaximum, // >= 5.3 and RHEL 8: only "points < chosen" is skipped
};

bool eraHasRootBonus(BadnessEra era)
{
    return era == BadnessEra::Linux310 || era == BadnessEra::Linux41to414 || era == BadnessEra::Linux415to416;
}

// Unknown is treated as the current kernel: it is what an unlabelled report most likely is.
bool eraIsSigned(BadnessEra era)
{
    return era == BadnessEra::Linux59Plus || era == BadnessEra::Unknown;
}

TieRule tieRuleFor(BadnessEra era, bool lastMaximumWins)
{
    if (lastMaximumWins)
        return TieRule::LastMaximum;
    return era == BadnessEra::Linux310 ? TieRule::FirstMaximum : TieRule::FirstLeader;
}

bool eraDefaultLastMaximum(BadnessEra era)
{
    return era == BadnessEra::Linux53to58 || era == BadnessEra::Linux59Plus || era == BadnessEra::Unknown;
}

std::int64_t pageTablePagesFor(const OomTask &task, BadnessEra era, std::int64_t pageSizeBytes)
{
    // Each era counts what it printed; a what-if era on another table uses what is there.
    if (era == BadnessEra::Linux310 && task.nrPtes)
        return *task.nrPtes;
    if (era == BadnessEra::Linux41to414 && task.nrPtes)
        return *task.nrPtes + task.nrPmds.value_or(0);
    if (task.pgtablesBytes)
        return *task.pgtablesBytes / std::max<std::int64_t>(1, pageSizeBytes);
    return task.nrPtes.value_or(0) + task.nrPmds.value_or(0);
}

struct Candidate {
    std::int64_t points = 0;
    bool eligible = false;
    bool leader = true;
};

// Replays the kernel's selection loop over the table in its printed (= iteration) order.
int selectIndex(const std::vector<Candidate> &cands, TieRule rule, bool signedBadness)
{
    int chosen = -1;
    std::int64_t chosenPoints = 0;
    for (int i = 0; i < int(cands.size()); ++i) {
        const Candidate &c = cands[size_t(i)];
        if (!c.eligible)
            continue;
        // Before 5.9 a zero badness means "unkillable" and chosen_points starts at 0.
        if (!signedBadness && c.points <= 0)
            continue;
        if (chosen >= 0) {
            if (c.points < chosenPoints)
                continue;
            if (c.points == chosenPoints) {
                if (rule == TieRule::FirstMaximum)
                    continue;
                if (rule == TieRule::FirstLeader && cands[size_t(chosen)].leader)
                    continue;
            }
        }
        chosen = i;
        chosenPoints = c.points;
    }
    return chosen;
}

struct Release {
    bool valid = false;
    int major = 0;
    int minor = 0;
    int patch = 0;
    int rhel = 0; // N of ".elN", 0 if not a RHEL-family build
};

Release parseRelease(const QString &text)
{
    Release r;
    static const QRegularExpression versionRe(u"^\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?"_s);
    const QRegularExpressionMatch m = versionRe.match(text);
    if (!m.hasMatch())
        return r;
    r.valid = true;
    r.major = m.captured(1).toInt();
    r.minor = m.captured(2).toInt();
    r.patch = m.captured(3).isEmpty() ? 0 : m.captured(3).toInt();
    static const QRegularExpression elRe(u"\\.el(\\d+)"_s);
    const QRegularExpressionMatch el = elRe.match(text);
    if (el.hasMatch())
        r.rhel = el.captured(1).toInt();
    return r;
}

struct EraChoice {
    BadnessEra era = BadnessEra::Unknown;
    bool lastMaximumWins = true;
    QString reason;
    bool fromRelease = false;
};

std::optional<EraChoice> eraFromRelease(const QString &releaseText)
{
    const Release r = parseRelease(releaseText);
    if (!r.valid || r.major < 3)
        return std::nullopt;
    EraChoice c;
    c.fromRelease = true;
    const QString rel = u"kernel release %1"_s.arg(releaseText.trimmed());
    const int v = r.major * 1000 + r.minor;
    if (r.rhel == 7 || r.major == 3) {
        c.era = BadnessEra::Linux310;
        c.reason = rel
            % (r.rhel == 7 ? u" (RHEL 7): 3.10 badness with the 3 % root bonus"_s
                           : u": 3.x badness with the 3 % root bonus"_s);
    } else if (r.rhel == 8 || (v == 4018 && releaseText.contains(u"el8"_s))) {
        c.era = BadnessEra::Linux417to52;
        c.reason = rel
            % u" (RHEL 8): 4.17+ badness without root bonus, but the 5.3 tie rule "
              u"(last maximum wins) is backported"_s;
        c.lastMaximumWins = true;
        return c;
    } else if (v <= 4014) {
        c.era = BadnessEra::Linux41to414;
        c.reason = rel % u": nr_ptes(+nr_pmds) badness with the 3 % root bonus"_s;
    } else if (v <= 4016) {
        c.era = BadnessEra::Linux415to416;
        c.reason = rel % u": pgtables_bytes badness, root bonus still present"_s;
    } else if (v <= 5002) {
        c.era = BadnessEra::Linux417to52;
        c.reason = rel % u": no root bonus, first maximum wins"_s;
    } else if (v <= 5008) {
        // Late 5.4.y stable trees carry the 5.9 signed badness (5.4.286 does, 5.4.59 does not).
        if (v == 5004 && r.patch > 59) {
            c.era = BadnessEra::Linux59Plus;
            c.reason = rel
                % u": late 5.4.y stable with the 5.9 signed badness backported "
                  u"(present in 5.4.286, absent in 5.4.59; releases in between are "
                  u"not verified)"_s;
        } else {
            c.era = BadnessEra::Linux53to58;
            c.reason = rel % u": last maximum wins, badness clamped to 1"_s;
            if (v == 5004)
                c.reason += u" (distribution 5.4 builds may carry the 5.9 signed badness)"_s;
        }
    } else {
        c.era = BadnessEra::Linux59Plus;
        c.reason = rel % u": signed badness, last maximum wins"_s;
    }
    c.lastMaximumWins = eraDefaultLastMaximum(c.era);
    return c;
}

bool hasStat(const OomEvent &e, QLatin1StringView key)
{
    return std::any_of(e.memcgStats.begin(), e.memcgStats.end(),
                       [&](const auto &kv) { return kv.first == key; });
}

EraChoice eraFromFormat(const OomEvent &e)
{
    EraChoice c;
    const bool sacrifice = e.selectedPid.has_value();
    switch (e.layout) {
    case TaskTableLayout::NrPtes:
        c.era = BadnessEra::Linux310;
        c.reason = u"task table with nr_ptes only (3.10 / RHEL 7 layout)"_s;
        break;
    case TaskTableLayout::NrPtesNrPmds:
        c.era = BadnessEra::Linux41to414;
        c.reason = u"task table with nr_ptes and nr_pmds (4.1 – 4.14 layout)"_s;
        break;
    case TaskTableLayout::RssSplit:
        c.era = BadnessEra::Linux59Plus;
        c.reason = u"task table with rss_anon/rss_file/rss_shmem columns (6.8+)"_s;
        break;
    case TaskTableLayout::PgtablesBytes:
        if (!e.hasTasksStateLine && e.hasSummaryLine) {
            c.era = BadnessEra::Linux417to52;
            c.reason = u"pgtables_bytes table without a \"Tasks state\" line but with an "
                       u"oom-kill: summary line: RHEL 8 (4.18), whose tie rule is last maximum"_s;
            c.lastMaximumWins = true;
            return c;
        }
        if (!e.hasTasksStateLine) {
            // Upstream 4.17/4.18 look the same; 4.15 (Ubuntu 18.04) is by far the common one.
            c.era = BadnessEra::Linux415to416;
            c.reason = u"pgtables_bytes table without a \"Tasks state\" line (4.15 – 4.18); "
                       u"assumed 4.15/4.16 with the root bonus"_s;
        } else if (sacrifice || (!e.hasSummaryLine && e.memcgStats.empty())) {
            c.era = BadnessEra::Linux417to52;
            c.reason = sacrifice ? u"\"Tasks state\" table with a \"Kill process … or sacrifice "
                                   u"child\" line (4.19 – 5.0)"_s
                                 : u"\"Tasks state\" table without an oom-kill: line (4.19)"_s;
        } else if (hasStat(e, "cache"_L1) && !hasStat(e, "total_cache"_L1)
                   && !hasStat(e, "hierarchical_memory_limit"_L1)) {
            c.era = BadnessEra::Linux417to52;
            c.reason = u"single-line \"Memory cgroup stats\" (<= 5.2)"_s;
        } else if (hasStat(e, "total_cache"_L1) || hasStat(e, "hierarchical_memory_limit"_L1)) {
            c.era = BadnessEra::Linux59Plus;
            c.reason = u"multi-line cgroup v1 memory.stat dump (6.6+)"_s;
        } else if (e.victim.present && !e.victim.oomScoreAdj) {
            c.era = BadnessEra::Linux53to58;
            c.reason = u"kill line without oom_score_adj (5.1 – 5.3)"_s;
        } else {
            c.era = BadnessEra::Linux59Plus;
            c.reason = u"pgtables_bytes table with the 5.4+ kill line; assumed 5.9+ (5.4 – 5.8 "
                       u"clamp badness to 1 instead of letting it go negative)"_s;
        }
        break;
    case TaskTableLayout::Unknown:
        if (sacrifice) {
            c.era = BadnessEra::Linux417to52;
            c.reason = u"no task table; \"or sacrifice child\" line (<= 5.0)"_s;
        } else {
            c.era = BadnessEra::Unknown;
            c.reason = u"no task table and no kernel release; modern (5.9+) rules assumed"_s;
        }
        break;
    }
    c.lastMaximumWins = eraDefaultLastMaximum(c.era);
    return c;
}

EraChoice chooseEra(const OomEvent &e, const DecisionOptions &options)
{
    EraChoice c;
    if (options.era) {
        c.era = *options.era;
        c.reason = u"era forced to %1"_s.arg(badnessEraName(c.era));
        c.lastMaximumWins = eraDefaultLastMaximum(c.era);
    } else if (const auto fromRelease = eraFromRelease(e.kernelRelease)) {
        c = *fromRelease;
        const EraChoice fromFormat = eraFromFormat(e);
        if (e.layout != TaskTableLayout::Unknown && fromFormat.era != c.era)
            c.reason += u"; the report's format suggests %1 (%2), the release was preferred"_s.arg(
                badnessEraName(fromFormat.era), fromFormat.reason);
    } else {
        c = eraFromFormat(e);
    }
    if (options.lastMaximumWins) {
        c.lastMaximumWins = *options.lastMaximumWins;
        c.reason += u"; tie rule forced"_s;
    }
    return c;
}

struct TotalPages {
    std::int64_t pages = 0;
    bool exact = true;
    QString source;
    QStringList notes;
};

TotalPages globalTotalPages(const OomEvent &e, BadnessEra era, const DecisionOptions &options,
                            std::int64_t pageKb)
{
    TotalPages t;
    std::optional<std::int64_t> ramPages;
    QString ramSource;
    const bool vanilla310 = era == BadnessEra::Linux310 && parseRelease(e.kernelRelease).valid
        && parseRelease(e.kernelRelease).rhel == 0;
    // 3.10 vanilla counts PageReserved pages per PFN, so only Σ managed is totalram there.
    if (e.managedKbSum && (vanilla310 || !(e.ramPages && e.reservedPages))) {
        ramPages = *e.managedKbSum / pageKb;
        ramSource = u"Σ zone managed %1 kB"_s.arg(*e.managedKbSum);
    } else if (e.ramPages && e.reservedPages) {
        ramPages = *e.ramPages - *e.reservedPages;
        ramSource = u"%1 pages RAM − %2 reserved"_s.arg(*e.ramPages).arg(*e.reservedPages);
    } else if (e.ramPages) {
        ramPages = *e.ramPages;
        ramSource = u"%1 pages RAM (reserved not printed)"_s.arg(*e.ramPages);
        t.exact = false;
    }
    if (!ramPages) {
        t.exact = false;
        t.source = u"no Mem-Info totals printed"_s;
        t.notes << u"The report prints no RAM totals, so the oom_score_adj term could not be "
                   u"computed (taken as 0)."_s;
        return t;
    }
    std::int64_t swapPages = 0;
    QString swapSource;
    if (e.totalSwapKb) {
        swapPages = *e.totalSwapKb / pageKb;
        swapSource = u"Total swap %1 kB"_s.arg(*e.totalSwapKb);
    } else if (options.totalSwapPages) {
        swapPages = *options.totalSwapPages;
        swapSource = u"%1 swap pages (given)"_s.arg(swapPages);
    } else {
        t.exact = false;
        swapSource = u"no swap assumed"_s;
        t.notes << u"\"Total swap\" was not printed; the host is assumed to have no swap."_s;
    }
    t.pages = *ramPages + swapPages;
    t.source = ramSource % u" + "_s % swapSource;
    if (e.constraint == Constraint::Cpuset || e.constraint == Constraint::MemoryPolicy) {
        t.exact = false;
        t.notes << u"A cpuset/mempolicy OOM counts only the allowed nodes' pages, which the log "
                   u"does not total; the whole machine was used instead."_s;
    }
    return t;
}

TotalPages computeTotalPages(const OomEvent &e, BadnessEra era, const DecisionOptions &options)
{
    const std::int64_t pageKb = std::max<std::int64_t>(1, e.pageSizeBytes / 1024);
    const bool memcg = e.constraint == Constraint::Memcg
        || (e.constraint == Constraint::Unknown && (e.memory.present || !e.oomMemcg.isEmpty()));
    if (!memcg)
        return globalTotalPages(e, era, options, pageKb);

    if (!e.memory.present || e.memory.unlimited()) {
        // A memcg OOM needs a limit; without one the report is damaged. Fall back gracefully.
        TotalPages t;
        if (e.ramPages || e.managedKbSum)
            t = globalTotalPages(e, era, options, pageKb);
        t.exact = false;
        t.notes << (e.memory.present ? u"The memcg \"memory:\" line shows no limit, which a memcg OOM cannot "
                                       u"have; the limit was not used."_s
                                     : u"The memcg \"memory:\" line is missing; the limit is unknown."_s);
        if (t.pages == 0)
            t.notes << u"Without a limit the oom_score_adj term is taken as 0."_s;
        return t;
    }

    TotalPages t;
    const std::int64_t limitPages = e.memory.limitKb / pageKb;
    t.source = u"memcg limit %1 kB / %2 kB pages"_s.arg(e.memory.limitKb).arg(pageKb);

    std::optional<std::int64_t> hostSwapPages = options.totalSwapPages;
    if (!hostSwapPages && e.totalSwapKb)
        hostSwapPages = *e.totalSwapKb / pageKb;

    // Room the memcg has for swap: min(limit + total_swap, memsw) == limit + min(room, swap).
    std::optional<std::int64_t> roomPages; // nullopt: no swap term possible
    QString roomWhy;
    if (e.swap.present) {
        if (e.swap.limitKb == 0) {
            roomWhy = u"swap.max is 0"_s;
        } else {
            roomPages = e.swap.unlimited() ? kNoLimit : e.swap.limitKb / pageKb;
        }
    } else if (e.memsw.present) {
        if (!e.memsw.unlimited() && e.memsw.limitKb <= e.memory.limitKb)
            roomWhy = u"memory+swap limit equals the memory limit"_s;
        else
            roomPages = e.memsw.unlimited() ? kNoLimit : (e.memsw.limitKb - e.memory.limitKb) / pageKb;
    } else {
        roomPages = kNoLimit;
    }

    if (!roomPages) {
        t.source += u" (no swap term: %1)"_s.arg(roomWhy);
        t.pages = limitPages;
    } else if (!hostSwapPages) {
        t.exact = false;
        t.pages = limitPages;
        t.source += u" (host swap unknown, assumed 0)"_s;
        t.notes << u"The memcg could use swap but a memcg report does not print the host's swap "
                   u"size; no swap was assumed (the kernel adds min(swap room, total swap) when "
                   u"vm.swappiness > 0)."_s;
    } else {
        const std::int64_t term = std::min(*roomPages, *hostSwapPages);
        t.pages = limitPages + term;
        t.source += u" + %1 swap pages"_s.arg(term);
        if (term > 0)
            t.notes << u"The swap term assumes vm.swappiness > 0 for this cgroup."_s;
    }
    if (t.pages <= 0)
        t.pages = 1; // mem_cgroup_get_max() ?: 1
    return t;
}

QString groupDigits(std::int64_t value)
{
    const bool negative = value < 0;
    QString digits = QString::number(negative ? -value : value);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, u',');
    return negative ? u"-"_s % digits : digits;
}

QString formatBytes(double bytes)
{
    static const char16_t *const units[] = {u"B", u"KiB", u"MiB", u"GiB", u"TiB", u"PiB"};
    int unit = 0;
    double value = bytes < 0 ? -bytes : bytes;
    while (value >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    QString number;
    if (value < 10 && std::abs(value - std::round(value)) >= 0.05)
        number = QString::number(value, 'f', 1);
    else
        number = QString::number(std::llround(value));
    return (bytes < 0 ? u"-"_s : QString()) % number % u" "_s % QString::fromUtf16(units[unit]);
}

QString label(const OomTask &task)
{
    return u"`%1` (pid %2)"_s.arg(task.comm).arg(task.pid);
}

int findRow(const std::vector<OomTask> &tasks, std::int64_t pid, bool *viaTgid = nullptr)
{
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (tasks[i].pid == pid) {
            if (viaTgid)
                *viaTgid = false;
            return int(i);
        }
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (tasks[i].tgid == pid) {
            if (viaTgid)
                *viaTgid = true;
            return int(i);
        }
    }
    return -1;
}

QString qosSentence(QosTier tier, int adj, bool kubepods)
{
    // Outside kubepods cgroups the value only resembles a tier, so say so.
    const QString marks = kubepods ? u"marks a Kubernetes"_s : u"is what Kubernetes gives a"_s;
    switch (tier) {
    case QosTier::Guaranteed:
        return u"The victim's oom_score_adj -997 %1 Guaranteed pod, normally the last to be killed."_s.arg(
            marks);
    case QosTier::Burstable:
        return u"The victim's oom_score_adj %1 %2 Burstable pod (the kubelet sets 2–999 from the memory "
               u"request: the smaller the request, the higher the value)."_s.arg(adj)
                   .arg(marks);
    case QosTier::BestEffort:
        return u"The victim's oom_score_adj 1000 %1 BestEffort pod (no memory request), which is killed "
               u"first."_s.arg(marks);
    case QosTier::NeverKill:
        return u"The victim's oom_score_adj -1000 should have made it unkillable."_s;
    case QosTier::None:
    case QosTier::Other:
        break;
    }
    return {};
}

} // namespace

QString badnessEraName(BadnessEra era)
{
    switch (era) {
    case BadnessEra::Unknown:
        return u"unknown"_s;
    case BadnessEra::Linux310:
        return u"3.10 / RHEL 7"_s;
    case BadnessEra::Linux41to414:
        return u"4.1 – 4.14"_s;
    case BadnessEra::Linux415to416:
        return u"4.15 – 4.16"_s;
    case BadnessEra::Linux417to52:
        return u"4.17 – 5.2"_s;
    case BadnessEra::Linux53to58:
        return u"5.3 – 5.8"_s;
    case BadnessEra::Linux59Plus:
        return u"5.9+"_s;
    }
    return u"unknown"_s;
}

QString qosTierName(QosTier tier)
{
    switch (tier) {
    case QosTier::None:
        return u"none"_s;
    case QosTier::Guaranteed:
        return u"Guaranteed"_s;
    case QosTier::Burstable:
        return u"Burstable"_s;
    case QosTier::BestEffort:
        return u"BestEffort"_s;
    case QosTier::NeverKill:
        return u"never killed"_s;
    case QosTier::Other:
        return u"other"_s;
    }
    return u"none"_s;
}

QosTier qosTierForAdj(int oomScoreAdj)
{
    if (oomScoreAdj == kAdjMin)
        return QosTier::NeverKill;
    if (oomScoreAdj == -997)
        return QosTier::Guaranteed;
    if (oomScoreAdj == kAdjMax)
        return QosTier::BestEffort;
    if (oomScoreAdj >= 2 && oomScoreAdj <= 999)
        return QosTier::Burstable;
    if (oomScoreAdj == 0)
        return QosTier::None;
    return QosTier::Other;
}

std::int64_t badnessPoints(const OomTask &task, BadnessEra era, std::int64_t totalPages, bool capSysAdmin,
                           std::int64_t pageSizeBytes)
{
    // The kernel returns 0 (LONG_MIN from 5.9) for these; 0 keeps callers' arithmetic sane.
    if (task.oomScoreAdj <= kAdjMin)
        return 0;
    std::int64_t points = task.rssPages + task.swapEntsPages + pageTablePagesFor(task, era, pageSizeBytes);
    if (eraHasRootBonus(era) && capSysAdmin)
        points -= points * 3 / 100;
    points += std::int64_t(task.oomScoreAdj) * (totalPages / 1000);
    if (!eraIsSigned(era))
        return points > 0 ? points : 1;
    return points;
}

KillDecision decideKill(const OomEvent &event, const DecisionOptions &options)
{
    KillDecision d;
    const EraChoice eraChoice = chooseEra(event, options);
    d.era = eraChoice.era;
    d.eraReason = eraChoice.reason;
    d.lastMaximumWins = eraChoice.lastMaximumWins;
    const TieRule rule = tieRuleFor(d.era, d.lastMaximumWins);
    const bool signedBadness = eraIsSigned(d.era);
    const std::int64_t pageSize = event.pageSizeBytes > 0 ? event.pageSizeBytes : 4096;

    const TotalPages total = computeTotalPages(event, d.era, options);
    d.totalPages = total.pages;
    d.totalPagesExact = total.exact;
    d.totalPagesSource = total.source;
    d.notes << total.notes;

    // The pid the kernel chose by badness: "Kill process P" (<= 5.0), else the victim.
    if (event.selectedPid)
        d.kernelSelectedPid = *event.selectedPid;
    else if (event.victim.present)
        d.kernelSelectedPid = event.victim.pid;
    else
        d.kernelSelectedPid = event.summaryPid.value_or(0);
    d.victimPid = event.victim.present ? event.victim.pid : event.summaryPid.value_or(0);

    // Score every task in table (iteration) order.
    const bool bonusEra = eraHasRootBonus(d.era);
    bool bonusApplied = false;
    std::vector<RankedTask> rows;
    std::vector<Candidate> cands;
    rows.reserve(event.tasks.size());
    cands.reserve(event.tasks.size());
    for (const OomTask &task : event.tasks) {
        RankedTask r;
        r.task = task;
        r.eligible = task.oomScoreAdj > kAdjMin;
        r.rssPages = task.rssPages;
        r.swapPages = task.swapEntsPages;
        r.pageTablePages = pageTablePagesFor(task, d.era, pageSize);
        r.basePoints = r.rssPages + r.swapPages + r.pageTablePages;
        const bool capSysAdmin = options.uidZeroIsCapSysAdmin && task.uid == 0;
        if (bonusEra && capSysAdmin) {
            r.rootBonusPoints = -(r.basePoints * 3 / 100);
            bonusApplied = bonusApplied || r.eligible;
        }
        r.adjPoints = std::int64_t(task.oomScoreAdj) * (d.totalPages / 1000);
        r.points = badnessPoints(task, d.era, d.totalPages, capSysAdmin, pageSize);
        Candidate c;
        c.points = r.points;
        c.eligible = r.eligible;
        c.leader = task.tgid == 0 || task.tgid == task.pid;
        rows.push_back(std::move(r));
        cands.push_back(c);
    }
    if (bonusApplied)
        d.notes << u"uid 0 was counted as CAP_SYS_ADMIN for the 3 % root bonus; processes in "
                   u"containers usually lack it, which would raise their points."_s;

    const int selected = selectIndex(cands, rule, signedBadness);

    // Ranking: eligible by points, ties in the order the era's loop would prefer them.
    std::vector<int> order;
    for (int i = 0; i < int(rows.size()); ++i)
        if (rows[size_t(i)].eligible)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const std::int64_t pa = rows[size_t(a)].points;
        const std::int64_t pb = rows[size_t(b)].points;
        if (pa != pb)
            return pa > pb;
        return rule == TieRule::LastMaximum ? a > b : a < b;
    });
    if (selected >= 0) {
        // The 4.x leader rule can let a later equal task win; keep rank 1 = the selection.
        const auto it = std::find(order.begin(), order.end(), selected);
        if (it != order.end())
            std::rotate(order.begin(), it, it + 1);
    }
    std::int64_t positiveSum = 0;
    for (int i : order)
        positiveSum += std::max<std::int64_t>(0, rows[size_t(i)].points);
    for (int i = 0; i < int(rows.size()); ++i)
        if (!rows[size_t(i)].eligible)
            order.push_back(i);
    for (size_t pos = 0; pos < order.size(); ++pos) {
        RankedTask r = rows[size_t(order[pos])];
        r.rank = int(pos) + 1;
        if (r.eligible && positiveSum > 0)
            r.share = double(std::max<std::int64_t>(0, r.points)) / double(positiveSum);
        d.ranking.push_back(std::move(r));
    }

    if (selected >= 0)
        d.recomputedSelectedPid = rows[size_t(selected)].task.pid;

    // Does the kernel's choice match the recomputation?
    bool viaTgid = false;
    const int kernelRow = findRow(event.tasks, d.kernelSelectedPid, &viaTgid);
    if (selected >= 0 && d.kernelSelectedPid != 0) {
        if (kernelRow >= 0) {
            d.agrees = kernelRow == selected;
            if (viaTgid)
                d.notes << u"The kernel's pid %1 is not a task-table pid; it was matched to the "
                           u"row with tgid %1."_s.arg(d.kernelSelectedPid);
        } else {
            const RankedTask &rec = rows[size_t(selected)];
            const bool commOk = event.selectedComm.isEmpty() || event.selectedComm == rec.task.comm;
            bool scoreOk = false;
            if (event.selectedScore && d.totalPages > 0)
                scoreOk = std::max<std::int64_t>(0, rec.points) * 1000 / d.totalPages == *event.selectedScore;
            d.agrees = commOk && scoreOk;
            d.notes << (d.agrees ? u"The kernel selected pid %1, which is not in the task table (a "
                                   u"thread id, as on 3.10/4.x memcg OOMs); it was matched to %2 by "
                                   u"comm and the printed score."_s.arg(d.kernelSelectedPid)
                                       .arg(label(rec.task))
                                 : u"The kernel selected pid %1, which is not in the task table (a "
                                   u"thread id, or the table was cut short)."_s.arg(d.kernelSelectedPid));
        }
    }
    if (selected >= 0 && event.selectedScore && d.totalPages > 0 && kernelRow == selected) {
        const std::int64_t score =
            std::max<std::int64_t>(0, rows[size_t(selected)].points) * 1000 / d.totalPages;
        if (score != *event.selectedScore)
            d.notes << u"The kernel printed score %1 but the recomputation gives %2, so "
                       u"totalpages (%3) is probably off (swap term?)."_s.arg(*event.selectedScore)
                           .arg(score)
                           .arg(d.totalPages);
    }

    // Margin: what would have flipped the outcome.
    if (selected >= 0 && d.ranking.size() >= 2 && d.ranking[1].eligible) {
        const RankedTask &runner = d.ranking[1];
        const int runnerIdx = order[1]; // table row, exact even with duplicate pids
        d.runnerUpPid = runner.task.pid;
        d.pointsMargin = d.ranking[0].points - runner.points;
        const auto capFor = [&](const OomTask &t) {
            return options.uidZeroIsCapSysAdmin && t.uid == 0;
        };
        // Would task `idx` be selected with this adj, everything else unchanged?
        const auto winsWith = [&](int idx, int adj) {
            std::vector<Candidate> trial = cands;
            OomTask t = rows[size_t(idx)].task;
            t.oomScoreAdj = adj;
            trial[size_t(idx)].points = badnessPoints(t, d.era, d.totalPages, capFor(t), pageSize);
            trial[size_t(idx)].eligible = adj > kAdjMin;
            return selectIndex(trial, rule, signedBadness) == idx;
        };
        // Points never fall as adj rises and more points never lose a selection, so winning is
        // monotone in adj and a binary search finds the exact threshold (tables can be long).
        int lo = std::max(kAdjMin + 1, runner.task.oomScoreAdj);
        int hi = kAdjMax;
        if (winsWith(runnerIdx, hi)) {
            while (lo < hi) {
                const int mid = lo + (hi - lo) / 2;
                if (winsWith(runnerIdx, mid))
                    hi = mid;
                else
                    lo = mid + 1;
            }
            d.runnerUpAdjToWin = lo;
        }
        // Largest adj at which the selected task loses; at -1000 it is never eligible.
        lo = kAdjMin;
        hi = rows[size_t(selected)].task.oomScoreAdj;
        while (lo < hi) {
            const int mid = lo + (hi - lo + 1) / 2;
            if (winsWith(selected, mid))
                hi = mid - 1;
            else
                lo = mid;
        }
        d.selectedAdjToLose = lo;
    }

    // Victim QoS from its own adj.
    const int victimRow = findRow(event.tasks, d.victimPid);
    std::optional<int> victimAdj;
    if (victimRow >= 0)
        victimAdj = event.tasks[size_t(victimRow)].oomScoreAdj;
    else if (event.victim.oomScoreAdj)
        victimAdj = *event.victim.oomScoreAdj;
    if (victimAdj)
        d.victimQos = qosTierForAdj(*victimAdj);

    // Plain-language explanation.
    QStringList text;
    const bool isMemcg = event.constraint == Constraint::Memcg
        || (event.constraint == Constraint::Unknown && event.memory.present);
    const QString scope = isMemcg && event.memory.present && !event.memory.unlimited()
        ? u"the %1 limit"_s.arg(formatBytes(double(event.memory.limitKb) * 1024))
        : u"the %1 of RAM + swap"_s.arg(formatBytes(double(d.totalPages) * double(pageSize)));
    const QString atScope = isMemcg && event.memory.present && !event.memory.unlimited()
        ? u"at a %1 limit"_s.arg(formatBytes(double(event.memory.limitKb) * 1024))
        : u"with %1 of RAM + swap"_s.arg(formatBytes(double(d.totalPages) * double(pageSize)));
    if (event.tasks.empty()) {
        text << u"The report has no task table, so the kernel's choice cannot be recomputed."_s;
        if (event.victim.present)
            text << u"The kernel killed `%1` (pid %2)."_s.arg(event.victim.comm).arg(event.victim.pid);
    } else if (selected < 0) {
        text << u"No task in the table was eligible (every one has oom_score_adj -1000), so "
                u"the recomputation selects nobody."_s;
    } else {
        const RankedTask &sel = d.ranking[0];
        const bool selIsVictim = victimRow == selected;
        const RankedTask *largest = nullptr;
        for (const RankedTask &r : d.ranking)
            if (r.eligible && (!largest || r.basePoints > largest->basePoints))
                largest = &r;
        const QString used = formatBytes(double(sel.basePoints) * double(pageSize));
        const QString pct = QString::number(std::llround(sel.share * 100));
        if (largest == &sel || largest->basePoints == sel.basePoints) {
            // rss counts shared file pages too, so a task can appear to exceed its limit.
            const bool overScope = sel.basePoints > d.totalPages;
            QString s = overScope
                ? u"%1 used the most memory: %2 as the kernel counts it (rss including shared "
                  u"file pages, swap, page tables) against %3 (%4 % of all points)."_s.arg(label(sel.task),
                                                                                           used, scope, pct)
                : u"%1 used the most memory: %2 of %3 (%4 % of all points)."_s.arg(label(sel.task), used,
                                                                                   scope, pct);
            if (sel.adjPoints != 0)
                s += u" Its oom_score_adj %1 %2 %3 points."_s.arg(sel.task.oomScoreAdj)
                         .arg(sel.adjPoints > 0 ? u"added"_s : u"removed"_s)
                         .arg(groupDigits(std::abs(sel.adjPoints)));
            text << s;
        } else {
            const double ratio =
                double(largest->basePoints) / double(std::max<std::int64_t>(1, sel.basePoints));
            QStringList why;
            if (sel.adjPoints > largest->adjPoints && sel.adjPoints > 0)
                why << u"its oom_score_adj %1 added %2 points %3"_s.arg(sel.task.oomScoreAdj)
                           .arg(groupDigits(sel.adjPoints), atScope);
            if (largest->adjPoints < 0 && largest->adjPoints < sel.adjPoints)
                why << u"%1's oom_score_adj %2 removed %3 points"_s.arg(
                    label(largest->task), QString::number(largest->task.oomScoreAdj),
                    groupDigits(-largest->adjPoints));
            if (largest->rootBonusPoints < sel.rootBonusPoints)
                why << u"the 3 % root bonus took %1 points off %2"_s.arg(
                    groupDigits(-largest->rootBonusPoints), label(largest->task));
            if (why.isEmpty())
                why << u"the badness formula of this kernel ranked it higher"_s;
            text << u"%1 was %2 although %3 used %4x more memory, because %5."_s.arg(
                label(sel.task), selIsVictim ? u"killed"_s : u"selected"_s, label(largest->task),
                QString::number(ratio, 'f', 1), why.join(u" and "_s));
        }
        // The kernel's choice as a table row: direct, or matched by comm and score above.
        const int kernelChoiceRow = kernelRow >= 0 ? kernelRow : (d.agrees ? selected : -1);
        if (event.selectedPid && d.victimPid != 0 && kernelChoiceRow >= 0 && victimRow != kernelChoiceRow) {
            text << u"The kernel selected `%1` (pid %2%3) but killed `%4` (pid %5) instead: "
                    u"kernels up to 5.0 sacrifice a child that has its own memory."_s.arg(
                        event.selectedComm.isEmpty() ? sel.task.comm : event.selectedComm,
                        QString::number(*event.selectedPid),
                        event.selectedScore ? u", score %1"_s.arg(*event.selectedScore) : QString(),
                        event.victim.comm, QString::number(d.victimPid));
        }
        if (d.runnerUpPid && d.pointsMargin == 0) {
            text << u"%1 and %2 had exactly the same badness (%3 points); this kernel picks the "
                    u"%4 of equal tasks in the table, which decided it."_s.arg(
                        label(sel.task), label(d.ranking[1].task), groupDigits(sel.points),
                        d.lastMaximumWins ? u"last"_s : u"first"_s);
        } else if (d.runnerUpPid) {
            QString s = u"The runner-up %1 had %2 fewer points"_s.arg(label(d.ranking[1].task),
                                                                      groupDigits(d.pointsMargin));
            if (d.runnerUpAdjToWin)
                s += u" and would have been chosen with oom_score_adj %1 or more"_s.arg(*d.runnerUpAdjToWin);
            else
                s += u"; not even oom_score_adj 1000 would have made it the choice"_s;
            text << s % u"."_s;
        }
        if (!d.agrees && d.kernelSelectedPid != 0) {
            QString s = u"The recomputation picks %1, but the kernel selected pid %2"_s.arg(
                label(sel.task), QString::number(d.kernelSelectedPid));
            if (!d.totalPagesExact)
                s += u"; the assumed totalpages (%1) may be wrong"_s.arg(d.totalPages);
            else if (bonusApplied)
                s += u"; the root-bonus assumption may be wrong"_s;
            text << s % u"."_s;
        }
    }
    if (event.oomGroup) {
        qsizetype others = 0;
        for (const KilledProcess &k : event.groupKilled)
            if (k.pid != d.victimPid)
                ++others;
        text << u"memory.oom.group is set, so the kernel also killed the cgroup's other tasks "
                u"(%1 more)."_s.arg(others);
    }
    if (victimAdj) {
        const bool kubepods =
            event.oomMemcg.contains(u"kubepods"_s) || event.taskMemcg.contains(u"kubepods"_s);
        const QString q = qosSentence(d.victimQos, *victimAdj, kubepods);
        if (!q.isEmpty())
            text << q;
    }
    d.explanation = text.join(u' ');
    return d;
}

} // namespace oomscope
