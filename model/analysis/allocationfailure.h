// SPDX-License-Identifier: GPL-3.0-or-later
// Why a node-wide allocation failed, from the Mem-Info snapshot: the watermark check of each zone
// the allocation could use, done the way __zone_watermark_ok() (mm/page_alloc.c) does it — free
// pages against the low watermark plus the target zone's lowmem_reserve, the __GFP_HIGH and
// ALLOC_HARDER reductions, the requested order's free chunks — and fragmentation judged at the
// costly order (PAGE_ALLOC_COSTLY_ORDER = 3). Facts only; words in anatomyexplanation.cpp.
#pragma once

#include "gfpflags.h"
#include "meminfosnapshot.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace oomscope {

inline constexpr int kCostlyOrder = 3; // PAGE_ALLOC_COSTLY_ORDER

enum class AllocationFailure {
    BelowLowWatermark, // every usable zone is below low + lowmem_reserve
    NoFreeChunk, // a zone passes order 0, but no usable zone has a free chunk ≥ order
    HighOrder, // order > costly order: the kernel itself gives up on those more readily
    Unknown, // the snapshot shows a zone that would pass (memory freed meanwhile, cpuset, …)
};

QString allocationFailureName(AllocationFailure f); // "below_low_watermark", "no_free_chunk", …

// The check of one zone, in pages (of the snapshot's page size).
struct ZoneWatermarkCheck {
    std::optional<int> node;
    QString zone;
    int zoneIndex = 0; // index in the node's zone list
    std::int64_t freePages = 0;
    std::int64_t minPages = 0;
    std::int64_t lowPages = 0;
    std::int64_t highPages = 0;
    std::int64_t reservePages = 0; // lowmem_reserve[target zone index] of this zone
    std::int64_t markPages = 0; // low watermark, before reductions
    std::int64_t effectiveMarkPages = 0; // after the __GFP_HIGH / ALLOC_HARDER reductions
    bool highReduction = false; // __GFP_HIGH: mark − mark/2
    bool harderReduction = false; // ALLOC_HARDER: mark − mark/4 (3.10–6.3), ALLOC_NON_BLOCK 6.4+
    std::int64_t unusableFreePages = 0; // (1 << order) − 1 + reserved_highatomic (when not harder)
    std::int64_t usableFreePages = 0; // freePages − unusableFreePages
    bool passesOrder0 = false; // usable free > effective mark + reserve (low watermark)
    std::int64_t effectiveMinPages = 0; // min watermark after the same reductions (slow path)
    bool passesMinOrder0 = false; // usable free > effective min + reserve
    // From the zone's buddy list: free chunks at or above the requested order.
    std::optional<std::int64_t> freeChunksAtOrAbove;
    std::optional<std::int64_t> freeKbAtOrAbove;
    bool passes = false; // the whole __zone_watermark_ok() for the requested order
};

struct FragmentationFacts {
    std::int64_t freeKb = 0; // all free memory in the buddy lists of the usable zones
    std::int64_t freeKbBelowCostly = 0; // in chunks below order 3
    std::int64_t freeKbAtOrAboveCostly = 0; // in chunks of order ≥ 3
    std::int64_t chunksAtOrAboveCostly = 0;
    double shareBelowCostly = 0; // freeKbBelowCostly / freeKb
};

struct AllocationFacts {
    bool applicable = false; // a node-wide OOM with Mem-Info zone lines
    int order = 0;
    std::optional<std::int64_t> sizeKb;
    QString zone; // highest usable zone of the request
    std::optional<int> node;
    bool manual = false;
    std::int64_t pageKb = 4; // page size of the snapshot, for the pages of the zone checks
    std::vector<ZoneWatermarkCheck> zones; // usable zones, highest first (zonelist order)
    std::optional<AllocationFailure> failure; // none when not applicable
    std::optional<FragmentationFacts> fragmentation; // with buddy lists
    std::optional<bool> fragmented; // free memory there, but (almost) none at order ≥ 3
};

AllocationFacts analyseAllocation(const TriggerFacts &trigger, const MemInfoSnapshot &snapshot);

// The zones of a node as lowmem_reserve[] indexes them, told from the zone names the snapshot
// holds and the length of its lowmem_reserve[] lines (x86-64: DMA DMA32 Normal Movable Device;
// 32-bit: DMA Normal HighMem Movable; arm64 without DMA32: DMA Normal Movable).
std::vector<QString> zoneIndexOrder(const MemInfoSnapshot &snapshot);

// The watermark check alone, for tests and the GUI's zone table.
ZoneWatermarkCheck checkZoneWatermark(const MemInfoZone &zone, const MemInfoBuddy *buddy, int order,
                                      int targetZoneIndex, const GfpDecode &gfp, std::int64_t pageKb);

} // namespace oomscope
