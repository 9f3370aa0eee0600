// SPDX-License-Identifier: GPL-3.0-or-later
// Where the memory went at the kill: an accounting of the node's RAM (global OOM, from Mem-Info)
// or of the cgroup's limit (memcg OOM, from memory.stat), in categories that add up, plus what
// no counter accounts for; the task table's RSS against the anon total; swap. Facts only.
#pragma once

#include "meminfosnapshot.h"
#include "oomevent.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace oomscope {

enum class AccountingScope { Cgroup, Node };
QString accountingScopeName(AccountingScope s); // "cgroup" | "node"

// Category names (stable, used as JSON values): "anon", "file_active", "file_inactive",
// "shmem", "slab_reclaimable", "slab_unreclaimable", "pagetables", "kernel_stack", "percpu",
// "sock", "vmalloc", "zswap", "kernel_other", "hugepages", "unevictable", "reserved", "free".
// Subsets of a top-level category name it in partOf ("file_dirty", "file_writeback" of the
// file categories, "swap_cache" of anon/shmem, "mlocked" …); they are not added to the total.
struct AccountingCategory {
    QString name;
    std::int64_t kb = 0;
    double share = 0; // kb / total
    bool reclaimable = false; // can the kernel free it without a kill (anon/shmem: swapRoom)?
    QString partOf; // empty for a top-level category
};

struct SwapFacts {
    std::optional<std::int64_t> totalKb;
    std::optional<std::int64_t> freeKb;
    std::optional<std::int64_t> cacheKb; // pages in swap cache
    std::optional<std::int64_t> usedKb; // total − free − cache
};

struct MemoryAccounting {
    bool present = false; // enough counters to account anything
    AccountingScope scope = AccountingScope::Node;
    std::int64_t totalKb = 0; // RAM ("pages RAM") or the cgroup limit (usage when unlimited)
    std::optional<std::int64_t> usageKb; // cgroup usage at the kill
    std::vector<AccountingCategory> categories; // top-level ones first, largest first
    std::int64_t unaccountedKb = 0; // total − free − Σ top-level (clamped at 0)
    std::int64_t overAccountedKb = 0; // Σ top-level − total when counters overlap (else 0)
    QString dominant; // largest top-level category other than free; "free" when half or more was free
    std::optional<std::int64_t> tasksRssKb; // Σ rss of the task table
    std::optional<std::int64_t> tasksAnonKb; // Σ rss_anon (6.8+ tables only)
    std::optional<std::int64_t> anonTotalKb; // anon of the node / cgroup counters
    SwapFacts swap;
    std::optional<bool> memcgSwapEnabled; // could the cgroup swap at all (null: not told)
    // Could anonymous memory be swapped out at the kill: swap exists and has room. Node: "Free
    // swap" > 0. Cgroup: its limits allow swap and it had swap in use (below a v2 swap limit);
    // a cgroup that may swap but used none when it ran out had no swap to use (node without
    // swap, or none free). Null when the report tells neither.
    std::optional<bool> swapRoom;
    bool childStatsMissing = false; // v1 single-line: only the OOM memcg's own line was kept

    const AccountingCategory *category(QStringView name) const;
};

MemoryAccounting accountMemory(const OomEvent &event, const MemInfoSnapshot &snapshot);

// Could the cgroup swap (v2 swap limit > 0; v1 memory+swap limit above the memory limit)?
std::optional<bool> memcgSwapEnabled(const OomEvent &event);

} // namespace oomscope
