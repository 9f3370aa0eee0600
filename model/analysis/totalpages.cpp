// SPDX-License-Identifier: GPL-3.0-or-later
#include "totalpages.h"

#include "badnessera.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

void addNote(std::vector<DecisionNote> &notes, DecisionNote::Kind kind)
{
    DecisionNote n;
    n.kind = kind;
    notes.push_back(std::move(n));
}

TotalPages globalTotalPages(const OomEvent &e, BadnessEra era, const DecisionOptions &options,
                            std::int64_t pageKb)
{
    TotalPages t;
    std::optional<std::int64_t> ramPages;
    QString ramSource;
    const bool vanilla310 = era == BadnessEra::Linux310 && parseKernelRelease(e.kernelRelease).valid
        && parseKernelRelease(e.kernelRelease).rhel == 0;
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
        addNote(t.notes, DecisionNote::Kind::NoRamTotals);
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
        addNote(t.notes, DecisionNote::Kind::NoTotalSwap);
    }
    t.pages = *ramPages + swapPages;
    t.source = ramSource % u" + "_s % swapSource;
    if (e.constraint == Constraint::Cpuset || e.constraint == Constraint::MemoryPolicy) {
        t.exact = false;
        addNote(t.notes, DecisionNote::Kind::CpusetTotals);
    }
    return t;
}

} // namespace

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
        addNote(t.notes,
                e.memory.present ? DecisionNote::Kind::MemcgNoLimit : DecisionNote::Kind::MemcgLimitMissing);
        if (t.pages == 0)
            addNote(t.notes, DecisionNote::Kind::AdjTermZero);
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
        addNote(t.notes, DecisionNote::Kind::HostSwapUnknown);
    } else {
        const std::int64_t term = std::min(*roomPages, *hostSwapPages);
        t.pages = limitPages + term;
        t.source += u" + %1 swap pages"_s.arg(term);
        if (term > 0)
            addNote(t.notes, DecisionNote::Kind::SwappinessAssumed);
    }
    if (t.pages <= 0)
        t.pages = 1; // mem_cgroup_get_max() ?: 1
    return t;
}

} // namespace oomscope
