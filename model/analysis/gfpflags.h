// SPDX-License-Identifier: GPL-3.0-or-later
// The GFP mask of the failed allocation, decoded with the bit values of the kernel era that
// printed it (include/linux/gfp.h, from 6.0 on gfp_types.h; the values changed several times).
// Names come out as the kernel's show_gfp_flags() / __def_gfpflag_names prints them: composite
// names (GFP_KERNEL, GFP_HIGHUSER_MOVABLE, …) first, then the remaining single flags; bits no name
// of that era covers are reported as unknown. gfpflags.cpp cites the header of every table.
#pragma once

#include "oomevent.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace oomscope {

// One table of bit values.
enum class GfpEra {
    V3_10, // 3.10 – 4.3: __GFP_WAIT, __GFP_COLD, __GFP_NO_KSWAPD (RHEL 7)
    V4_4, // 4.4 – 4.9: __GFP_ATOMIC, __GFP_DIRECT_RECLAIM 0x400000, __GFP_KSWAPD_RECLAIM 0x2000000
    V4_10, // 4.10 – 4.14: no __GFP_OTHER_NODE; __GFP_WRITE 0x800000, __GFP_KSWAPD_RECLAIM 0x1000000
    V4_15, // 4.15 – 4.17: __GFP_COLD and __GFP_NOTRACK gone
    V4_18, // 4.18 – 5.0: __GFP_WRITE 0x100, __GFP_DIRECT_RECLAIM 0x200000 (RHEL 8)
    V5_1, // 5.1 – 5.13: the reordered layout, GFP_KERNEL = 0xcc0
    V5_14, // 5.14 – 5.17: __GFP_ZEROTAGS, __GFP_SKIP_KASAN_POISON 0x1000000 in GFP_HIGHUSER_MOVABLE
    V5_18, // 5.18 – 6.3: KASAN bits only with CONFIG_KASAN_HW_TAGS
    V6_4, // 6.4+: __GFP_ATOMIC removed
};

QString gfpEraName(GfpEra era); // e.g. "5.1–5.13"

// The era of a kernel release string ("5.15.0-91-generic", "3.10.0-1160.el7.x86_64").
std::optional<GfpEra> gfpEraForRelease(const QString &release);
// The release's era; without a release, the era whose decode gives the names the kernel printed;
// else a guess from the report's format (task table layout, summary line).
GfpEra gfpEraFor(const OomEvent &event);

struct GfpDecode {
    bool parsed = false; // a hex mask was found in the gfp_mask text
    std::uint64_t mask = 0;
    GfpEra era = GfpEra::V5_1;
    QStringList flags; // composite names first, then single flags, in the kernel's print order
    std::uint64_t unknownBits = 0; // bits of the mask no flag of this era covers
    QStringList printedFlags; // the names the kernel printed in parentheses (4.x+), if any
    bool matchesPrinted = true; // our decode names the same flags the kernel printed
    // Highest zone the allocation may use (gfp_zone()): "DMA", "DMA32", "Normal", "Movable"
    // ("HighMem" on 32-bit is reported as "Normal"+highmem flag). zoneIndex counts zones as
    // lowmem_reserve[] does on x86-64 (DMA 0, DMA32 1, Normal 2, Movable 3).
    QString zone;
    int zoneIndex = 0;
    bool highPriority = false; // __GFP_HIGH: may dip to min/2
    bool atomic = false; // __GFP_ATOMIC (< 6.4), or no direct reclaim (6.4+ ALLOC_NON_BLOCK)
    bool canReclaim = false; // __GFP_DIRECT_RECLAIM (__GFP_WAIT on 3.10)
    bool canFs = false; // __GFP_FS
    bool canIo = false; // __GFP_IO
};

GfpDecode decodeGfpMask(std::uint64_t mask, GfpEra era);
// From the printed text "0x6200ca(GFP_HIGHUSER_MOVABLE)" or "0x201da".
GfpDecode decodeGfpText(const QString &printed, GfpEra era);

// What the trigger line says beyond the mask.
struct TriggerFacts {
    GfpDecode gfp;
    int order = 0;
    std::optional<std::int64_t> sizeKb; // PAGE_SIZE << order; none for a manual OOM
    bool manual = false; // sysrq-f / "echo f > /proc/sysrq-trigger": order == -1
    // NUMA node of the request: from nodemask= of the trigger line when it names one node,
    // else from mems_allowed= when it names one node; none when any node would do.
    std::optional<int> node;
    QString nodemask; // as printed ("(null)", "0", "0-1"), empty when not printed
};

TriggerFacts analyseTrigger(const OomEvent &event);

} // namespace oomscope
