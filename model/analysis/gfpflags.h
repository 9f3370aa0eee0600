// SPDX-License-Identifier: GPL-3.0-or-later
// The GFP mask of the failed allocation, decoded with the bit values of the kernel era that
// printed it (include/linux/gfp.h, from 4.19 on gfp_types.h, changed several times). Names come
// out as the kernel's show_gfp_flags() / __def_gfpflag_names prints them: composite names
// (GFP_KERNEL, GFP_HIGHUSER_MOVABLE, …) first, then the remaining single flags; bits no name covers
// are reported as unknown.
#pragma once

#include "oomevent.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace oomscope {

// One table of bit values; see gfpflags.cpp for the kernel versions and header lines each one
// was checked against.
enum class GfpEra {
    V3_10, // 3.10 – 4.3 (__GFP_WAIT, __GFP_COLD, …; RHEL 7)
    V4_4, // 4.4 – 4.9 (__GFP_ATOMIC, __GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM)
    V4_10, // 4.10 – 4.19 (no __GFP_OTHER_NODE; __GFP_WRITE moved)
    V4_20, // 4.20 – 5.x (no __GFP_COLD; __GFP_RETRY_MAYFAIL; __GFP_ACCOUNT …)
    V6_0, // 6.0 – 6.x (__GFP_SKIP_ZERO/KASAN bits, __GFP_ZEROTAGS …)
    V6_4, // 6.4+ (__GFP_ATOMIC removed)
};

QString gfpEraName(GfpEra era); // e.g. "4.20–5.19"

// The era for a kernel release string ("5.15.0-91-generic", "3.10.0-1160.el7.x86_64"); when the
// release is unknown, guessed from the report's format (task table layout, summary line).
GfpEra gfpEraFor(const OomEvent &event);
std::optional<GfpEra> gfpEraForRelease(const QString &release);

struct GfpDecode {
    bool parsed = false; // a hex mask was found in the gfp_mask text
    std::uint64_t mask = 0;
    GfpEra era = GfpEra::V4_20;
    QStringList flags; // composite names first, then single flags, in the kernel's print order
    std::uint64_t unknownBits = 0; // bits of the mask no flag of this era covers
    QStringList printedFlags; // the names the kernel printed in parentheses (4.x+), if any
    bool matchesPrinted = true; // our decode names the same flags the kernel printed
    // Highest zone the allocation may use (gfp_zone()): "DMA", "DMA32", "Normal", "HighMem",
    // "Movable". Index into the node's zone list as lowmem_reserve[] counts them.
    QString zone;
    int zoneIndex = 0;
    bool highPriority = false; // __GFP_HIGH: may dip to min/2
    bool atomic = false; // __GFP_ATOMIC (< 6.4) or no direct reclaim: ALLOC_HARDER/ALLOC_NON_BLOCK
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
