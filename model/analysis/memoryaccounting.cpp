// SPDX-License-Identifier: GPL-3.0-or-later
#include "memoryaccounting.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

QString accountingScopeName(AccountingScope s)
{
    return s == AccountingScope::Cgroup ? u"cgroup"_s : u"node"_s;
}

const AccountingCategory *MemoryAccounting::category(QStringView name) const
{
    for (const AccountingCategory &c : categories) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

std::optional<bool> memcgSwapEnabled(const OomEvent &event)
{
    if (event.swap.present) // cgroup v2, >= 5.3: memory.swap.max
        return event.swap.limitKb > 0;
    if (event.memsw.present && event.memory.present) // cgroup v1: memory.memsw.limit_in_bytes
        return event.memsw.unlimited() || event.memsw.limitKb > event.memory.limitKb;
    return std::nullopt;
}

namespace {

struct Builder {
    MemoryAccounting &acc;
    void add(const QString &name, std::optional<std::int64_t> kb, bool reclaimable,
             const QString &partOf = {})
    {
        if (!kb || *kb < 0)
            return;
        if (*kb == 0 && !partOf.isEmpty())
            return;
        acc.categories.push_back(AccountingCategory {name, *kb, 0.0, reclaimable, partOf});
    }
};

std::optional<std::int64_t> pagesKb(const MemInfoSnapshot &s, QStringView key)
{
    const auto v = s.global(key);
    return v ? std::optional<std::int64_t>(*v * s.pageKb) : std::nullopt;
}

std::int64_t sumOpt(std::initializer_list<std::optional<std::int64_t>> values)
{
    std::int64_t sum = 0;
    for (const auto &v : values)
        sum += v.value_or(0);
    return sum;
}

// kernel_stack: per node line (4.9+) or per zone line (3.10–4.8).
std::optional<std::int64_t> kernelStackKb(const MemInfoSnapshot &s)
{
    std::optional<std::int64_t> sum;
    for (const MemInfoNode &n : s.nodes) {
        if (const auto v = counterValue(n.fieldsKb, u"kernel_stack"))
            sum = sum.value_or(0) + *v;
    }
    if (sum)
        return sum;
    for (const MemInfoZone &z : s.zones) {
        if (const auto v = counterValue(z.fieldsKb, u"kernel_stack"))
            sum = sum.value_or(0) + *v;
    }
    return sum;
}

void accountNode(const OomEvent &event, const MemInfoSnapshot &s, MemoryAccounting &acc)
{
    acc.scope = AccountingScope::Node;
    std::int64_t managed = 0;
    for (const MemInfoZone &z : s.zones)
        managed += z.managedKb;
    acc.totalKb = s.ramPages ? *s.ramPages * s.pageKb : managed;
    if (s.freeSwapKb)
        acc.swapRoom = *s.freeSwapKb > 0;
    const bool swapAvailable = acc.swapRoom.value_or(false);
    const std::int64_t shmem = pagesKb(s, u"shmem").value_or(0);
    const std::int64_t anonLru =
        sumOpt({pagesKb(s, u"active_anon"), pagesKb(s, u"inactive_anon"), pagesKb(s, u"isolated_anon")});
    Builder b {acc};
    b.add(u"anon"_s, std::max<std::int64_t>(0, anonLru - shmem), swapAvailable);
    b.add(u"shmem"_s, pagesKb(s, u"shmem"), swapAvailable);
    b.add(u"file_active"_s, pagesKb(s, u"active_file"), true);
    b.add(u"file_inactive"_s, sumOpt({pagesKb(s, u"inactive_file"), pagesKb(s, u"isolated_file")}), true);
    b.add(u"unevictable"_s, pagesKb(s, u"unevictable"), false);
    b.add(u"slab_reclaimable"_s, pagesKb(s, u"slab_reclaimable"), true);
    b.add(u"slab_unreclaimable"_s, pagesKb(s, u"slab_unreclaimable"), false);
    if (s.global(u"pagetables"))
        b.add(u"pagetables"_s, sumOpt({pagesKb(s, u"pagetables"), pagesKb(s, u"sec_pagetables")}), false);
    b.add(u"kernel_stack"_s, kernelStackKb(s), false);
    std::int64_t huge = 0;
    for (const MemInfoHugepages &h : s.hugepages)
        huge += h.total * h.sizeKb;
    b.add(u"hugepages"_s, huge, false);
    if (s.reservedPages)
        b.add(u"reserved"_s, *s.reservedPages * s.pageKb, false);
    if (s.global(u"free"))
        b.add(u"free"_s, sumOpt({pagesKb(s, u"free"), pagesKb(s, u"free_pcp")}), false);
    b.add(u"file_dirty"_s, pagesKb(s, u"dirty"), false, u"file"_s);
    b.add(u"file_writeback"_s, pagesKb(s, u"writeback"), false, u"file"_s);
    b.add(u"file_mapped"_s, pagesKb(s, u"mapped"), true, u"file"_s);
    if (s.swapCachePages)
        b.add(u"swap_cache"_s, *s.swapCachePages * s.pageKb, true, u"anon"_s);
    acc.anonTotalKb = std::max<std::int64_t>(0, anonLru - shmem);
    acc.swap.totalKb = s.totalSwapKb;
    acc.swap.freeKb = s.freeSwapKb;
    if (s.swapCachePages)
        acc.swap.cacheKb = *s.swapCachePages * s.pageKb;
    if (s.totalSwapKb && s.freeSwapKb)
        acc.swap.usedKb =
            std::max<std::int64_t>(0, *s.totalSwapKb - *s.freeSwapKb - acc.swap.cacheKb.value_or(0));
    (void)event;
}

std::optional<std::int64_t> statKb(const MemcgStats &m, QStringView key)
{
    const auto v = m.value(key);
    return v ? std::optional<std::int64_t>(*v / 1024) : std::nullopt;
}

// The cgroup's swap usage at the kill (v2 "swap: usage", v1 memory+swap − memory).
std::optional<std::int64_t> cgroupSwapUsedKb(const OomEvent &event)
{
    if (event.swap.present)
        return event.swap.usageKb;
    if (event.memsw.present && event.memory.present)
        return std::max<std::int64_t>(0, event.memsw.usageKb - event.memory.usageKb);
    return std::nullopt;
}

// Anon of a cgroup is reclaimable only if swap exists and has room. A memcg report prints no
// node swap counters, but the kernel swaps before it kills: a cgroup allowed to swap that had
// none in use when it ran out found no swap to use (no swap on the node, or none free).
std::optional<bool> cgroupSwapRoom(const OomEvent &event, const MemInfoSnapshot &s)
{
    const std::optional<bool> allowed = memcgSwapEnabled(event);
    if (!allowed || !*allowed)
        return allowed;
    if (s.freeSwapKb && *s.freeSwapKb == 0)
        return false;
    const std::optional<std::int64_t> used = cgroupSwapUsedKb(event);
    if (!used)
        return s.freeSwapKb ? std::optional<bool>(true) : std::nullopt;
    if (*used == 0)
        return false;
    if (event.swap.present && !event.swap.unlimited())
        return *used < event.swap.limitKb;
    return true;
}

void accountCgroup(const OomEvent &event, const MemInfoSnapshot &s, MemoryAccounting &acc)
{
    const MemcgStats &m = s.memcg;
    acc.scope = AccountingScope::Cgroup;
    const CounterLine &limit = event.memory.present && !event.memory.unlimited() ? event.memory : event.memsw;
    if (event.memory.present)
        acc.usageKb = event.memory.usageKb;
    acc.totalKb = limit.present && !limit.unlimited() ? limit.limitKb : acc.usageKb.value_or(0);
    acc.swapRoom = cgroupSwapRoom(event, s);
    const bool swap = acc.swapRoom.value_or(false);
    Builder b {acc};
    b.add(u"anon"_s, statKb(m, u"anon"), swap);
    b.add(u"shmem"_s, statKb(m, u"shmem"), swap);
    if (m.value(u"active_file") || m.value(u"inactive_file")) {
        b.add(u"file_active"_s, statKb(m, u"active_file"), true);
        b.add(u"file_inactive"_s, statKb(m, u"inactive_file"), true);
    } else if (const auto file = statKb(m, u"file")) {
        b.add(u"file_inactive"_s, std::max<std::int64_t>(0, *file - statKb(m, u"shmem").value_or(0)), true);
    }
    b.add(u"slab_reclaimable"_s, statKb(m, u"slab_reclaimable"), true);
    b.add(u"slab_unreclaimable"_s, statKb(m, u"slab_unreclaimable"), false);
    if (m.value(u"pagetables"))
        b.add(u"pagetables"_s, sumOpt({statKb(m, u"pagetables"), statKb(m, u"sec_pagetables")}), false);
    b.add(u"kernel_stack"_s, statKb(m, u"kernel_stack"), false);
    b.add(u"percpu"_s, statKb(m, u"percpu"), false);
    b.add(u"sock"_s, statKb(m, u"sock"), false);
    b.add(u"vmalloc"_s, statKb(m, u"vmalloc"), false);
    b.add(u"zswap"_s, statKb(m, u"zswap"), false);
    if (const auto kernel = statKb(m, u"kernel")) {
        const std::int64_t parts =
            sumOpt({statKb(m, u"slab_reclaimable"), statKb(m, u"slab_unreclaimable"),
                    statKb(m, u"pagetables"), statKb(m, u"sec_pagetables"), statKb(m, u"kernel_stack"),
                    statKb(m, u"percpu"), statKb(m, u"vmalloc")});
        if (*kernel > parts)
            b.add(u"kernel_other"_s, *kernel - parts, false);
    } else if (m.form != MemcgStatsForm::V2 && event.kmem.present && event.kmem.usageKb > 0) {
        b.add(u"kernel_other"_s, event.kmem.usageKb, false); // v1: slab, stacks, page tables together
    }
    if (acc.usageKb && acc.totalKb > *acc.usageKb)
        b.add(u"free"_s, acc.totalKb - *acc.usageKb, false);
    b.add(u"file_dirty"_s, statKb(m, u"file_dirty"), false, u"file"_s);
    b.add(u"file_writeback"_s, statKb(m, u"file_writeback"), false, u"file"_s);
    b.add(u"swap_cache"_s, statKb(m, u"swapcached"), true, u"anon"_s);
    b.add(u"unevictable"_s, statKb(m, u"unevictable"), false, u"anon"_s);
    acc.anonTotalKb = statKb(m, u"anon");
    acc.childStatsMissing = m.form == MemcgStatsForm::V1SingleLine;
    if (event.swap.present && event.swap.limitKb > 0 && !event.swap.unlimited())
        acc.swap.totalKb = event.swap.limitKb;
    acc.swap.usedKb = cgroupSwapUsedKb(event);
}

void finish(const OomEvent &event, MemoryAccounting &acc)
{
    std::int64_t sum = 0;
    for (AccountingCategory &c : acc.categories) {
        c.share = acc.totalKb > 0 ? double(c.kb) / double(acc.totalKb) : 0.0;
        if (c.partOf.isEmpty())
            sum += c.kb;
    }
    acc.unaccountedKb = std::max<std::int64_t>(0, acc.totalKb - sum);
    acc.overAccountedKb = std::max<std::int64_t>(0, sum - acc.totalKb);
    std::stable_sort(acc.categories.begin(), acc.categories.end(), [](const auto &a, const auto &b) {
        if (a.partOf.isEmpty() != b.partOf.isEmpty())
            return a.partOf.isEmpty();
        return a.kb > b.kb;
    });
    // Free memory dominates only when it is the largest part outright (memory was not short,
    // e.g. a manual OOM); otherwise the largest used category is what filled the memory.
    std::int64_t best = -1;
    for (const AccountingCategory &c : acc.categories) {
        if (c.partOf.isEmpty() && c.name != u"free" && c.kb > best) {
            best = c.kb;
            acc.dominant = c.name;
        }
    }
    if (const AccountingCategory *free = acc.category(u"free"); free && free->share >= 0.5)
        acc.dominant = free->name;
    const std::int64_t pageKb = event.pageSizeBytes / 1024;
    if (!event.tasks.empty()) {
        std::int64_t rss = 0;
        std::int64_t anon = 0;
        bool haveAnon = true;
        for (const OomTask &t : event.tasks) {
            rss += t.rssPages * pageKb;
            if (t.rssAnonPages)
                anon += *t.rssAnonPages * pageKb;
            else
                haveAnon = false;
        }
        acc.tasksRssKb = rss;
        if (haveAnon)
            acc.tasksAnonKb = anon;
    }
}

} // namespace

MemoryAccounting accountMemory(const OomEvent &event, const MemInfoSnapshot &snapshot)
{
    MemoryAccounting acc;
    acc.memcgSwapEnabled = memcgSwapEnabled(event);
    if (event.constraint == Constraint::Memcg || (!snapshot.present && !snapshot.memcg.bytes.empty())) {
        if (snapshot.memcg.bytes.empty()) // no "Memory cgroup stats" block: nothing to split
            return acc;
        accountCgroup(event, snapshot, acc);
    } else if (snapshot.present && (!snapshot.globalPages.empty() || !snapshot.zones.empty())) {
        accountNode(event, snapshot, acc);
    } else {
        return acc;
    }
    acc.present = acc.totalKb > 0;
    finish(event, acc);
    return acc;
}

} // namespace oomscope
