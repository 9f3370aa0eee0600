// SPDX-License-Identifier: GPL-3.0-or-later
// Every sentence about a report's memory anatomy is composed here, from the facts structs.
#include "anatomyexplanation.h"

#include "sizeformat.h"

#include <QHash>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString percent(double share)
{
    return u"%1 %"_s.arg(std::lround(share * 100.0));
}

QString whole(const MemoryAccounting &a)
{
    return a.scope == AccountingScope::Node ? u"RAM"_s : u"the limit"_s;
}

QString sizeAndShare(const AccountingCategory &c, const MemoryAccounting &a)
{
    return u"%1 (%2 of %3)"_s.arg(humanSizeKb(c.kb), percent(c.share), whole(a));
}

bool swapUsable(const MemoryAccounting &a)
{
    return a.swapRoom.value_or(false);
}

QString cgroupSwapStatement(const MemoryAccounting &a)
{
    if (!*a.memcgSwapEnabled)
        return u"The cgroup could not swap: its swap limit leaves no room, so its anonymous and tmpfs memory could not be reclaimed."_s;
    const std::int64_t used = a.swap.usedKb.value_or(0);
    if (a.swapRoom.value_or(false))
        return u"The cgroup's limits allow it to swap, and it had %1 in swap at the kill."_s.arg(
            humanSizeKb(used));
    if (used > 0 && a.swap.totalKb)
        return u"The cgroup's swap was full: %1 used of its %2 swap limit, so its anonymous and tmpfs memory could not be reclaimed."_s
            .arg(humanSizeKb(used), humanSizeKb(*a.swap.totalKb));
    return u"The cgroup's limits allow it to swap, but it had no swap in use when it ran out: the node has no swap (or none free), so its anonymous and tmpfs memory could not be reclaimed."_s;
}

QString dominantMeaning(const AccountingCategory &c, const MemoryAccounting &a)
{
    const QString what = sizeAndShare(c, a);
    if (c.name == u"slab_unreclaimable")
        return u"unreclaimable slab %1: kernel memory, no process to blame — the OOM killer killed a bystander"_s
            .arg(what);
    if (c.name == u"shmem")
        return swapUsable(a)
            ? u"tmpfs/shmem %1 counts as cache but can only be reclaimed by swapping it out"_s.arg(what)
            : u"tmpfs/shmem %1 counts as cache but cannot be reclaimed without swap"_s.arg(what);
    if (c.name == u"hugepages")
        return u"hugepages reserve %1: set aside for HugeTLB, in no process's RSS and never reclaimed"_s.arg(
            what);
    if (c.name == u"anon")
        return swapUsable(a)
            ? u"anonymous memory %1: process heaps and stacks; the task table shows who held it"_s.arg(what)
            : u"anonymous memory %1: process heaps and stacks, which cannot be reclaimed without swap; the task table shows who held it"_s
                  .arg(what);
    if (c.name == u"file_active" || c.name == u"file_inactive")
        return u"page cache %1 dominated: reclaimable in principle, so dirty or writeback pages, or reclaim too slow for the allocation rate, are the suspects"_s
            .arg(what);
    if (c.name == u"unevictable")
        return u"unevictable memory %1: mlocked or otherwise pinned pages the kernel may not reclaim"_s.arg(
            what);
    if (c.name == u"reserved")
        return u"memory reserved at boot %1: firmware, kernel image and crashkernel reservations, never usable"_s
            .arg(what);
    if (c.name == u"kernel_other" || c.name == u"slab_reclaimable" || c.name == u"kernel_stack"
        || c.name == u"percpu" || c.name == u"vmalloc")
        return u"%1 %2: kernel memory charged here, not in any process's RSS"_s.arg(
            accountingCategoryLabel(c.name), what);
    if (c.name == u"free")
        return u"%1 was free: memory was not short when the OOM killer ran"_s.arg(what);
    if (c.name == u"pagetables")
        return u"page tables %1: very many or very large address spaces"_s.arg(what);
    if (c.name == u"sock")
        return u"socket buffers %1: network data queued in the kernel"_s.arg(what);
    return u"%1 %2 dominated"_s.arg(accountingCategoryLabel(c.name), what);
}

QStringList swapStatements(const MemoryAccounting &a)
{
    QStringList out;
    if (a.scope == AccountingScope::Node && a.swap.totalKb) {
        if (*a.swap.totalKb == 0) {
            out << u"No swap: anonymous and tmpfs/shmem memory could not be reclaimed at all."_s;
        } else {
            const std::int64_t used = a.swap.usedKb.value_or(0);
            const double share = double(used + a.swap.cacheKb.value_or(0)) / double(*a.swap.totalKb);
            out << u"Swap %1: %2 used of %3 (%4 free, %5 in swap cache)."_s.arg(
                share > 0.95 ? u"exhausted"_s : u"in use"_s, humanSizeKb(used), humanSizeKb(*a.swap.totalKb),
                humanSizeKb(a.swap.freeKb.value_or(0)), humanSizeKb(a.swap.cacheKb.value_or(0)));
        }
    } else if (a.scope == AccountingScope::Cgroup && a.memcgSwapEnabled) {
        out << cgroupSwapStatement(a);
    }
    return out;
}

QStringList accountingStatements(const MemoryAccounting &a)
{
    QStringList out;
    if (!a.present)
        return out;
    if (const QString s = accountingStatement(a); !s.isEmpty())
        out << s;
    if (a.totalKb > 0 && double(a.unaccountedKb) / double(a.totalKb) >= 0.10) {
        QString s = u"%1 (%2 of %3) is in no counter of the report"_s.arg(
            humanSizeKb(a.unaccountedKb), percent(double(a.unaccountedKb) / double(a.totalKb)), whole(a));
        s += a.scope == AccountingScope::Node
            ? u" — drivers, GPU buffers, zram, vmalloc and other kernel allocations."_s
            : a.childStatsMissing
            ? u" — this kernel prints the stats of the cgroup's own line only, not its children's."_s
            : u"."_s;
        out << s;
    }
    if (a.tasksRssKb && a.anonTotalKb && *a.anonTotalKb > 0) {
        out << u"The task table's RSS totals %1 against %2 of anonymous memory%3."_s.arg(
            humanSizeKb(*a.tasksRssKb), humanSizeKb(*a.anonTotalKb),
            *a.tasksRssKb < *a.anonTotalKb / 2 ? u": most anonymous memory belongs to no listed task"_s
                                               : QString());
    }
    if (const AccountingCategory *shmem = a.category(u"shmem"); shmem && shmem->share >= 0.10 && a.tasksRssKb
        && *a.tasksRssKb < a.anonTotalKb.value_or(0) + shmem->kb) {
        out << u"tmpfs/shmem %1 counts in no task's RSS unless a task maps it: the task table cannot show who filled it, and killing a task frees none of it."_s
                   .arg(humanSizeKb(shmem->kb));
    }
    out << swapStatements(a);
    return out;
}

QString allocationStatement(const AllocationFacts &al, const TriggerFacts &t)
{
    const QString size = al.sizeKb ? humanSizeKb(*al.sizeKb) : QString();
    const QString request =
        u"The order-%1 allocation (%2, highest zone it may use: %3)"_s.arg(al.order).arg(size, al.zone);
    switch (*al.failure) {
    case AllocationFailure::BelowLowWatermark:
        return request
            + u" failed: every zone it may use was at or below its low watermark plus the lowmem_reserve kept for it."_s;
    case AllocationFailure::NoFreeChunk:
        return request
            + u" failed although a zone passed the order-0 watermark: no free chunk of order %1 or more was left (fragmentation)."_s
                  .arg(al.order);
    case AllocationFailure::HighOrder:
        return request
            + u" asked for more than the costly order 3 (%1 contiguous); such requests fail where smaller ones would not."_s
                  .arg(size);
    case AllocationFailure::Unknown:
        break;
    }
    (void)t;
    return request
        + u" failed, yet the snapshot shows a zone passing the watermark check: memory was freed between the failure and the report, or a cpuset or memory policy kept the allocation off those nodes."_s;
}

} // namespace

QString accountingCategoryLabel(const QString &name)
{
    static const QHash<QString, QString> labels {
        {u"anon"_s, u"anonymous memory"_s},
        {u"file_active"_s, u"active page cache"_s},
        {u"file_inactive"_s, u"inactive page cache"_s},
        {u"shmem"_s, u"tmpfs/shmem"_s},
        {u"slab_reclaimable"_s, u"reclaimable slab"_s},
        {u"slab_unreclaimable"_s, u"unreclaimable slab"_s},
        {u"pagetables"_s, u"page tables"_s},
        {u"kernel_stack"_s, u"kernel stacks"_s},
        {u"percpu"_s, u"per-CPU memory"_s},
        {u"sock"_s, u"socket buffers"_s},
        {u"vmalloc"_s, u"vmalloc"_s},
        {u"zswap"_s, u"zswap"_s},
        {u"kernel_other"_s, u"other kernel memory"_s},
        {u"hugepages"_s, u"hugepages"_s},
        {u"unevictable"_s, u"unevictable memory"_s},
        {u"reserved"_s, u"reserved at boot"_s},
        {u"free"_s, u"free"_s},
        {u"file_dirty"_s, u"dirty page cache"_s},
        {u"file_writeback"_s, u"page cache under writeback"_s},
        {u"file_mapped"_s, u"mapped page cache"_s},
        {u"swap_cache"_s, u"swap cache"_s},
    };
    return labels.value(name, name);
}

QString accountingStatement(const MemoryAccounting &accounting)
{
    if (!accounting.present || accounting.dominant.isEmpty())
        return {};
    const AccountingCategory *c = accounting.category(accounting.dominant);
    return c ? dominantMeaning(*c, accounting) : QString();
}

QString zoneCheckStatement(const ZoneWatermarkCheck &c, std::int64_t pageKb)
{
    const auto kb = [pageKb](std::int64_t pages) {
        return humanSizeKb(pages * pageKb);
    };
    QString mark = u"low %1"_s.arg(kb(c.markPages));
    if (c.effectiveMarkPages != c.markPages) {
        mark += u" (%1 after the %2 reduction)"_s.arg(kb(c.effectiveMarkPages),
                                                      c.highReduction && c.harderReduction
                                                          ? u"__GFP_HIGH and atomic"_s
                                                          : c.highReduction ? u"__GFP_HIGH"_s
                                                                            : u"atomic"_s);
    }
    const QString node = c.node ? u"Node %1 "_s.arg(*c.node) : QString();
    QString s = u"%1%2: usable free %3 %4 %5 + lowmem_reserve %6"_s.arg(
        node, c.zone, kb(c.usableFreePages), c.passesOrder0 ? u">"_s : u"≤"_s, mark, kb(c.reservePages));
    if (c.passesOrder0)
        s += u" — passes"_s;
    else if (c.passesMinOrder0)
        s += u" — fails"_s;
    else
        s += u" — fails, below even the min watermark %1"_s.arg(kb(c.effectiveMinPages));
    if (c.freeChunksAtOrAbove)
        s += u"; %1 free chunks (%2) at or above the requested order"_s.arg(*c.freeChunksAtOrAbove)
                 .arg(humanSizeKb(c.freeKbAtOrAbove.value_or(0)));
    return s + u'.';
}

QStringList anatomyStatements(const TriggerFacts &trigger, const AllocationFacts &allocation,
                              const MemoryAccounting &accounting)
{
    QStringList out = accountingStatements(accounting);
    if (trigger.manual) {
        out << u"Manual OOM (sysrq-f, order -1): no allocation failed; someone asked the kernel to kill."_s;
    } else if (allocation.applicable && allocation.failure) {
        out << allocationStatement(allocation, trigger);
        for (const ZoneWatermarkCheck &c : allocation.zones)
            out << zoneCheckStatement(c, allocation.pageKb);
    }
    if (allocation.fragmentation && allocation.fragmented.value_or(false)) {
        const FragmentationFacts &f = *allocation.fragmentation;
        out << u"%1 of the free memory (%2 of %3) is in chunks below order 3: fragmented for any request of 32 KiB or more."_s
                   .arg(percent(f.shareBelowCostly), humanSizeKb(f.freeKbBelowCostly), humanSizeKb(f.freeKb));
    }
    if (trigger.gfp.parsed && trigger.gfp.unknownBits != 0) {
        out << u"GFP mask 0x%1 has bits no flag of kernel %2 names: 0x%3."_s.arg(
            QString::number(trigger.gfp.mask, 16), gfpEraName(trigger.gfp.era),
            QString::number(trigger.gfp.unknownBits, 16));
    }
    if (trigger.gfp.parsed && !trigger.gfp.matchesPrinted) {
        out << u"The kernel printed %1; the %2 flag table decodes %3 (a distribution backport or config-dependent bits)."_s
                   .arg(trigger.gfp.printedFlags.join(u'|'), gfpEraName(trigger.gfp.era),
                        trigger.gfp.flags.join(u'|'));
    }
    return out;
}

QString gfpFlagMeaning(const QString &flag)
{
    static const QHash<QString, QString> meanings {
        {u"GFP_KERNEL"_s,
         u"ordinary kernel allocation: may sleep, reclaim, start I/O and call into filesystems"_s},
        {u"GFP_KERNEL_ACCOUNT"_s, u"GFP_KERNEL, charged to the memory cgroup"_s},
        {u"GFP_USER"_s, u"allocation for user space that the kernel also accesses; cpuset enforced"_s},
        {u"GFP_HIGHUSER"_s, u"user-space page that may come from high memory"_s},
        {u"GFP_HIGHUSER_MOVABLE"_s,
         u"user-space page (anonymous or page cache) that can be migrated or reclaimed"_s},
        {u"GFP_TRANSHUGE"_s, u"transparent huge page with direct reclaim/compaction"_s},
        {u"GFP_TRANSHUGE_LIGHT"_s, u"transparent huge page without reclaim; fails fast"_s},
        {u"GFP_TEMPORARY"_s, u"short-lived reclaimable kernel allocation"_s},
        {u"GFP_NOFS"_s, u"may reclaim and do I/O, but not recurse into filesystems"_s},
        {u"GFP_NOIO"_s, u"may reclaim, but not start any I/O"_s},
        {u"GFP_ATOMIC"_s, u"cannot sleep; may use part of the reserves below the min watermark"_s},
        {u"GFP_NOWAIT"_s, u"cannot sleep; only wakes kswapd"_s},
        {u"GFP_DMA"_s, u"must come from ZONE_DMA (lowest 16 MiB on x86)"_s},
        {u"GFP_DMA32"_s, u"must come from below 4 GiB (ZONE_DMA32)"_s},
        {u"__GFP_DMA"_s, u"must come from ZONE_DMA"_s},
        {u"__GFP_DMA32"_s, u"must come from ZONE_DMA32"_s},
        {u"__GFP_HIGHMEM"_s, u"may come from high memory"_s},
        {u"__GFP_MOVABLE"_s, u"page can be migrated or reclaimed (ZONE_MOVABLE allowed)"_s},
        {u"__GFP_RECLAIMABLE"_s, u"reclaimable slab page (shrinkers can free it)"_s},
        {u"__GFP_HIGH"_s, u"high priority: may dip to half of the min watermark"_s},
        {u"__GFP_ATOMIC"_s, u"atomic context: may dip further into reserves (ALLOC_HARDER)"_s},
        {u"__GFP_IO"_s, u"may start physical I/O to reclaim"_s},
        {u"__GFP_FS"_s, u"may call into filesystems to reclaim"_s},
        {u"__GFP_WAIT"_s, u"may sleep and reclaim directly (3.x name of __GFP_DIRECT_RECLAIM)"_s},
        {u"__GFP_DIRECT_RECLAIM"_s, u"may sleep and reclaim directly"_s},
        {u"__GFP_KSWAPD_RECLAIM"_s, u"wakes kswapd when below the low watermark"_s},
        {u"__GFP_RECLAIM"_s, u"direct reclaim and kswapd both allowed"_s},
        {u"__GFP_COLD"_s, u"cache-cold page wanted"_s},
        {u"__GFP_NOWARN"_s, u"no allocation-failure warning"_s},
        {u"__GFP_REPEAT"_s, u"retry harder before failing"_s},
        {u"__GFP_RETRY_MAYFAIL"_s, u"retry reclaim, but may fail instead of invoking the OOM killer"_s},
        {u"__GFP_NOFAIL"_s, u"must not fail: retries forever"_s},
        {u"__GFP_NORETRY"_s, u"light reclaim only, fails early"_s},
        {u"__GFP_MEMALLOC"_s, u"may use all memory reserves"_s},
        {u"__GFP_NOMEMALLOC"_s, u"must not use emergency reserves"_s},
        {u"__GFP_COMP"_s, u"compound (multi-page) allocation"_s},
        {u"__GFP_ZERO"_s, u"page returned zeroed"_s},
        {u"__GFP_HARDWALL"_s, u"cpuset memory policy enforced"_s},
        {u"__GFP_THISNODE"_s, u"only from the requested NUMA node, no fallback"_s},
        {u"__GFP_ACCOUNT"_s, u"charged to the memory cgroup (kmemcg)"_s},
        {u"__GFP_WRITE"_s, u"page will be dirtied; spread across zones"_s},
        {u"__GFP_NOTRACK"_s, u"not tracked by kmemcheck"_s},
        {u"__GFP_NO_KSWAPD"_s, u"do not wake kswapd (3.x)"_s},
        {u"__GFP_OTHER_NODE"_s, u"allocated on behalf of another node (statistics)"_s},
        {u"__GFP_KMEMCG"_s, u"charged to the memory cgroup (3.x kmemcg)"_s},
        {u"__GFP_ZEROTAGS"_s, u"zero memory tags together with the page (arm64 MTE)"_s},
        {u"__GFP_SKIP_KASAN_POISON"_s, u"KASAN skips poisoning (user-space page)"_s},
        {u"__GFP_NOLOCKDEP"_s, u"lockdep does not track this allocation"_s},
    };
    return meanings.value(flag);
}

} // namespace oomscope
