// SPDX-License-Identifier: GPL-3.0-or-later
// Value types for the memory state an OOM report printed at the kill: the node's `Mem-Info`
// block (show_mem(): global counters, node lines, zone lines with watermarks, buddy free lists,
// hugepages, swap, page totals) and the OOM memcg's `memory.stat` snapshot, with units and key
// names normalised. Filled by parseMemInfo() (kernellog/meminfoparser.h) from an OomEvent's raw
// lines; interpreted by analyseMemory() (analysis/memoryanatomy.h).
#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace oomscope {

// An ordered key → value list as the kernel printed it (order kept for display).
using CounterList = std::vector<std::pair<QString, std::int64_t>>;

// The value of `key` in `list`, if printed.
std::optional<std::int64_t> counterValue(const CounterList &list, QStringView key);

// "Node 0 active_anon:123kB inactive_anon:… all_unreclaimable? no" (4.9+).
struct MemInfoNode {
    int node = 0;
    CounterList fieldsKb; // every "key:NkB" of the line, in kB, keys as printed ("shmem_thp")
    std::optional<bool> allUnreclaimable; // "all_unreclaimable? yes|no"
};

// "[Node 0 ]Normal free:123kB boost:0kB min:…kB low:…kB high:…kB … present:…kB managed:…kB …"
// followed by "lowmem_reserve[]: 0 1234 5678 5678 [5678]". Sizes in kB as printed.
struct MemInfoZone {
    std::optional<int> node; // absent without CONFIG_NUMA ("Normal free:…")
    QString zone; // "DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"
    std::int64_t freeKb = 0;
    std::optional<std::int64_t> boostKb; // 5.0+ (watermark boosting)
    std::int64_t minKb = 0;
    std::int64_t lowKb = 0;
    std::int64_t highKb = 0;
    std::optional<std::int64_t> reservedHighatomicKb; // 4.5+
    std::optional<std::int64_t> activeAnonKb;
    std::optional<std::int64_t> inactiveAnonKb;
    std::optional<std::int64_t> activeFileKb;
    std::optional<std::int64_t> inactiveFileKb;
    std::optional<std::int64_t> unevictableKb;
    std::optional<std::int64_t> writependingKb;
    std::int64_t presentKb = 0;
    std::int64_t managedKb = 0;
    std::optional<std::int64_t> mlockedKb;
    std::optional<std::int64_t> freePcpKb;
    std::optional<std::int64_t> localPcpKb;
    std::optional<std::int64_t> freeCmaKb;
    CounterList fieldsKb; // every "key:NkB" of the line (3.10–4.8 also slab, kernel_stack, …)
    bool allUnreclaimable = false; // "all_unreclaimable? yes" on 3.10–4.8 zone lines
    // lowmem_reserve[i]: pages this zone keeps back from allocations whose highest allowed zone
    // is the i-th zone of the node (index = zone index: DMA, DMA32, Normal, Movable, …).
    std::vector<std::int64_t> lowmemReservePages;
};

// "[Node 0 ]Normal: 12*4kB (UME) 3*8kB (M) … = 1234kB" — the buddy allocator's free lists.
struct MemInfoBuddy {
    std::optional<int> node;
    QString zone;
    std::vector<std::int64_t> freeChunksByOrder; // index = order; count of free chunks
    std::vector<QString> migrateTypesByOrder; // "UME" letters per order ("" when none printed)
    std::int64_t pageKb = 4; // size of an order-0 chunk, from the first bucket
    std::optional<std::int64_t> totalKb; // the printed "= NkB"
};

// "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB"
struct MemInfoHugepages {
    int node = 0;
    std::int64_t total = 0;
    std::int64_t free = 0;
    std::int64_t surplus = 0;
    std::int64_t sizeKb = 0;
};

enum class MemcgStatsForm {
    None, // no "Memory cgroup stats for" block
    V1SingleLine, // 3.10 – 5.2: " cache:123KB rss:…KB …" on the header line
    V1MultiLine, // ≥ 6.6 on cgroup v1: "cache 1234" lines (memcg1_stat_format)
    V2, // 5.3+: cgroup-v2 memory.stat text ("anon 1234" lines), printed for v1 too on 5.3–6.1
};

QString memcgStatsFormName(MemcgStatsForm form); // "v1_single_line", "v1_multi_line", "v2", "none"

// The OOM memcg's memory.stat, normalised: memory sizes in bytes under the cgroup-v2 key names
// (v1 "rss" → "anon", "cache" → "file", "mapped_file" → "file_mapped", "dirty" → "file_dirty",
// "writeback" → "file_writeback", "rss_huge" → "anon_thp", "swap" stays "swap"); event counts
// (pgfault, …) as printed. Keys the kernel printed that have no v2 name keep their name.
struct MemcgStats {
    MemcgStatsForm form = MemcgStatsForm::None;
    QString path;
    CounterList bytes; // normalised keys, byte values for sizes
    CounterList raw; // as the OomEvent holds them (memcgStats)
    std::optional<std::int64_t> value(QStringView key) const { return counterValue(bytes, key); }
};

// The whole `Mem-Info` block of one report. Fields the kernel of that era did not print stay
// empty. Page counts are in pages of pageKb.
struct MemInfoSnapshot {
    bool present = false; // a "Mem-Info:" block was seen
    std::int64_t pageKb = 4;
    CounterList globalPages; // "active_anon:123 inactive_anon:… free_cma:0" (pages)
    std::vector<MemInfoNode> nodes;
    std::vector<MemInfoZone> zones;
    std::vector<MemInfoBuddy> buddy;
    std::vector<MemInfoHugepages> hugepages;
    std::optional<std::int64_t> totalPagecachePages;
    std::optional<std::int64_t> swapCachePages; // "N pages in swap cache"
    std::optional<std::int64_t> freeSwapKb;
    std::optional<std::int64_t> totalSwapKb;
    std::optional<std::int64_t> ramPages;
    std::optional<std::int64_t> highMemPages; // "pages HighMem/MovableOnly"
    std::optional<std::int64_t> reservedPages;
    std::optional<std::int64_t> cmaReservedPages;
    std::optional<std::int64_t> hwpoisonedPages;
    MemcgStats memcg; // the "Memory cgroup stats" block of a memcg OOM (independent of Mem-Info)

    std::optional<std::int64_t> global(QStringView key) const { return counterValue(globalPages, key); }
    // The zone line / buddy line of (node, zone); node nullopt matches a line without node.
    const MemInfoZone *findZone(std::optional<int> node, QStringView zone) const;
    const MemInfoBuddy *findBuddy(std::optional<int> node, QStringView zone) const;
};

} // namespace oomscope
