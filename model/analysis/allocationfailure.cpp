// SPDX-License-Identifier: GPL-3.0-or-later
// __zone_watermark_ok() (mm/page_alloc.c) by era:
//   3.10–4.3: min = mark; free -= (1<<order)-1; ALLOC_HIGH: min -= min/2; ALLOC_HARDER: min -= min/4;
//             fail if free <= min + lowmem_reserve[classzone]; then for each order o below the
//             request: free -= nr_free[o] << o, min >>= 1, fail if free <= min.
//   4.4–6.3:  free -= (1<<order)-1; ALLOC_HIGH: min -= min/2; not harder: free -=
//             nr_reserved_highatomic, harder: min -= min/4; fail if free <= min + reserve;
//             order 0 passes; else a free chunk of order >= the request must exist.
//   6.4+:     unusable = (1<<order)-1 (+ nr_reserved_highatomic unless ALLOC_RESERVES);
//             ALLOC_MIN_RESERVE (__GFP_HIGH): min -= min/2, and with ALLOC_NON_BLOCK (no direct
//             reclaim) min -= min/4; same comparison and chunk rule.
// ALLOC_HARDER (≤ 6.3): __GFP_ATOMIC (≤ 4.3: no __GFP_WAIT) without __GFP_NOMEMALLOC. Free CMA
// pages count only for movable allocations (ALLOC_CMA), 4.x+.
#include "allocationfailure.h"

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace oomscope {

QString allocationFailureName(AllocationFailure f)
{
    switch (f) {
    case AllocationFailure::BelowLowWatermark:
        return u"below_low_watermark"_s;
    case AllocationFailure::NoFreeChunk:
        return u"no_free_chunk"_s;
    case AllocationFailure::HighOrder:
        return u"high_order"_s;
    case AllocationFailure::Unknown:
        return u"unknown"_s;
    }
    return u"unknown"_s;
}

std::vector<QString> zoneIndexOrder(const MemInfoSnapshot &snapshot)
{
    static const std::array<std::vector<QString>, 4> layouts {{
        {u"DMA"_s, u"DMA32"_s, u"Normal"_s, u"Movable"_s, u"Device"_s},
        {u"DMA"_s, u"DMA32"_s, u"Normal"_s, u"Movable"_s},
        {u"DMA"_s, u"Normal"_s, u"HighMem"_s, u"Movable"_s},
        {u"DMA"_s, u"Normal"_s, u"Movable"_s},
    }};
    size_t reserveLength = 0;
    for (const MemInfoZone &z : snapshot.zones)
        reserveLength = std::max(reserveLength, z.lowmemReservePages.size());
    const auto fits = [&](const std::vector<QString> &layout) {
        return std::all_of(snapshot.zones.begin(), snapshot.zones.end(), [&](const MemInfoZone &z) {
            return std::find(layout.begin(), layout.end(), z.zone) != layout.end();
        });
    };
    for (const auto &layout : layouts) {
        if (fits(layout) && (reserveLength == 0 || layout.size() == reserveLength))
            return layout;
    }
    for (const auto &layout : layouts) {
        if (fits(layout))
            return layout;
    }
    return layouts.front();
}

namespace {

int indexOf(const std::vector<QString> &order, const QString &zone)
{
    const auto it = std::find(order.begin(), order.end(), zone);
    return it == order.end() ? -1 : int(it - order.begin());
}

bool allocHarder(const GfpDecode &gfp)
{
    if (gfp.era == GfpEra::V6_4)
        return false; // ALLOC_HARDER is gone; ALLOC_NON_BLOCK only acts with __GFP_HIGH
    return gfp.atomic && !gfp.flags.contains(u"__GFP_NOMEMALLOC"_s);
}

} // namespace

ZoneWatermarkCheck checkZoneWatermark(const MemInfoZone &zone, const MemInfoBuddy *buddy, int order,
                                      int targetZoneIndex, const GfpDecode &gfp, std::int64_t pageKb)
{
    ZoneWatermarkCheck c;
    c.node = zone.node;
    c.zone = zone.zone;
    const std::int64_t pk = std::max<std::int64_t>(pageKb, 1);
    order = std::clamp(order, 0, 30);
    c.freePages = zone.freeKb / pk;
    c.minPages = zone.minKb / pk;
    c.lowPages = zone.lowKb / pk;
    c.highPages = zone.highKb / pk;
    if (targetZoneIndex >= 0 && size_t(targetZoneIndex) < zone.lowmemReservePages.size())
        c.reservePages = zone.lowmemReservePages[size_t(targetZoneIndex)];
    c.markPages = c.lowPages;
    const bool modern = gfp.era == GfpEra::V6_4;
    const bool harder = allocHarder(gfp);
    const bool nonBlock = modern && !gfp.canReclaim;
    const bool reserves = modern && (gfp.highPriority || nonBlock);
    c.highReduction = gfp.highPriority;
    c.harderReduction = modern ? (gfp.highPriority && nonBlock) : harder;
    const auto reduce = [&](std::int64_t mark) {
        if (c.highReduction)
            mark -= mark / 2;
        if (c.harderReduction)
            mark -= mark / 4;
        return mark;
    };
    c.effectiveMarkPages = reduce(c.markPages);
    c.effectiveMinPages = reduce(c.minPages);
    c.unusableFreePages = (std::int64_t(1) << order) - 1;
    const bool old = gfp.era == GfpEra::V3_10;
    const bool skipHighatomic = modern ? reserves : harder;
    if (!old && !skipHighatomic)
        c.unusableFreePages += zone.reservedHighatomicKb.value_or(0) / pk;
    const bool movable = gfp.flags.contains(u"__GFP_MOVABLE"_s)
        || gfp.flags.contains(u"GFP_HIGHUSER_MOVABLE"_s) || gfp.flags.contains(u"GFP_TRANSHUGE"_s)
        || gfp.flags.contains(u"GFP_TRANSHUGE_LIGHT"_s);
    if (!old && !movable)
        c.unusableFreePages += zone.freeCmaKb.value_or(0) / pk;
    c.usableFreePages = c.freePages - c.unusableFreePages;
    c.passesOrder0 = c.usableFreePages > c.effectiveMarkPages + c.reservePages;
    c.passesMinOrder0 = c.usableFreePages > c.effectiveMinPages + c.reservePages;
    bool chunkOk = order == 0;
    if (buddy) {
        std::int64_t chunks = 0;
        std::int64_t kb = 0;
        for (size_t o = size_t(order); o < buddy->freeChunksByOrder.size(); ++o) {
            chunks += buddy->freeChunksByOrder[o];
            kb += buddy->freeChunksByOrder[o] * (buddy->pageKb << o);
        }
        c.freeChunksAtOrAbove = chunks;
        c.freeKbAtOrAbove = kb;
        if (order > 0 && !old)
            chunkOk = chunks > 0;
        if (order > 0 && old) {
            // 3.10: lower orders do not count, and the mark halves per order.
            std::int64_t free = c.usableFreePages;
            std::int64_t min = c.effectiveMarkPages;
            chunkOk = true;
            for (int o = 0; o < order && size_t(o) < buddy->freeChunksByOrder.size(); ++o) {
                free -= buddy->freeChunksByOrder[size_t(o)] << o;
                min >>= 1;
                if (free <= min)
                    chunkOk = false;
            }
        }
    } else if (order > 0) {
        chunkOk = true; // no buddy line: nothing to say against it
    }
    c.passes = c.passesOrder0 && chunkOk;
    return c;
}

namespace {

FragmentationFacts fragmentation(const std::vector<const MemInfoBuddy *> &lists)
{
    FragmentationFacts f;
    for (const MemInfoBuddy *b : lists) {
        for (size_t o = 0; o < b->freeChunksByOrder.size(); ++o) {
            const std::int64_t kb = b->freeChunksByOrder[o] * (b->pageKb << o);
            f.freeKb += kb;
            if (int(o) < kCostlyOrder) {
                f.freeKbBelowCostly += kb;
            } else {
                f.freeKbAtOrAboveCostly += kb;
                f.chunksAtOrAboveCostly += b->freeChunksByOrder[o];
            }
        }
    }
    f.shareBelowCostly = f.freeKb > 0 ? double(f.freeKbBelowCostly) / double(f.freeKb) : 0.0;
    return f;
}

} // namespace

AllocationFacts analyseAllocation(const TriggerFacts &trigger, const MemInfoSnapshot &snapshot)
{
    AllocationFacts a;
    a.order = trigger.order;
    a.sizeKb = trigger.sizeKb;
    a.zone = trigger.gfp.zone;
    a.node = trigger.node;
    a.manual = trigger.manual;
    a.pageKb = snapshot.pageKb;
    if (!snapshot.present || snapshot.zones.empty() || trigger.manual || !trigger.gfp.parsed)
        return a;
    a.applicable = true;
    const std::vector<QString> order = zoneIndexOrder(snapshot);
    int target = indexOf(order, trigger.gfp.zone);
    if (target < 0) // e.g. "Movable" not configured: the highest zone below it
        target = indexOf(order, u"Normal"_s);
    std::vector<const MemInfoBuddy *> lists;
    // Zonelist order: highest usable zone first, per node.
    for (auto it = snapshot.zones.rbegin(); it != snapshot.zones.rend(); ++it) {
        const MemInfoZone &z = *it;
        const int idx = indexOf(order, z.zone);
        if (idx < 0 || idx > target)
            continue;
        if (a.node && z.node && *z.node != *a.node && trigger.gfp.flags.contains(u"__GFP_THISNODE"_s))
            continue;
        const MemInfoBuddy *buddy = snapshot.findBuddy(z.node, z.zone);
        if (buddy)
            lists.push_back(buddy);
        a.zones.push_back(checkZoneWatermark(z, buddy, trigger.order, target, trigger.gfp, snapshot.pageKb));
    }
    if (a.zones.empty()) {
        a.failure = AllocationFailure::Unknown;
        return a;
    }
    const bool allBelow =
        std::none_of(a.zones.begin(), a.zones.end(), [](const auto &c) { return c.passesOrder0; });
    const bool anyChunk = std::any_of(a.zones.begin(), a.zones.end(), [](const auto &c) {
        return !c.freeChunksAtOrAbove || *c.freeChunksAtOrAbove > 0;
    });
    if (allBelow)
        a.failure = AllocationFailure::BelowLowWatermark;
    else if (trigger.order > 0 && !anyChunk)
        a.failure =
            trigger.order > kCostlyOrder ? AllocationFailure::HighOrder : AllocationFailure::NoFreeChunk;
    else if (trigger.order > kCostlyOrder)
        a.failure = AllocationFailure::HighOrder;
    else
        a.failure = AllocationFailure::Unknown;
    if (!lists.empty()) {
        a.fragmentation = fragmentation(lists);
        // Free memory there, but 90 % or more of it in chunks below the costly order (32 KiB
        // with 4 KiB pages): compaction would be needed for any order ≥ 3 request.
        a.fragmented = a.fragmentation->freeKb > 0 && a.fragmentation->shareBelowCostly >= 0.9;
    }
    return a;
}

} // namespace oomscope
