// SPDX-License-Identifier: GPL-3.0-or-later
// GFP bit tables by kernel era. Values checked against the kernel headers:
//   3.10  include/linux/gfp.h (___GFP_WAIT 0x10u … ___GFP_WRITE 0x1000000u; GFP_* from __GFP_WAIT)
//   4.4   include/linux/gfp.h after "mm, page_alloc: distinguish between being unable to sleep,
//         unwilling to sleep and avoiding waking kswapd" (d0164adc89f6): ___GFP_ATOMIC 0x80000u,
//         ___GFP_DIRECT_RECLAIM 0x400000u, ___GFP_OTHER_NODE 0x800000u, ___GFP_WRITE 0x1000000u,
//         ___GFP_KSWAPD_RECLAIM 0x2000000u
//   4.10  __GFP_OTHER_NODE removed (41b6167e8f74): ___GFP_WRITE 0x800000u,
//         ___GFP_KSWAPD_RECLAIM 0x1000000u, ___GFP_NOLOCKDEP 0x2000000u (4.12);
//         __GFP_REPEAT became __GFP_RETRY_MAYFAIL in 4.13 (same bit); GFP_TEMPORARY gone in 4.14
//   4.15  ___GFP_COLD and ___GFP_NOTRACK removed, bits left stranded
//   4.18  "mm: fix the __GFP bits" (Shakeel Butt, 2018): ___GFP_WRITE 0x100u,
//         ___GFP_DIRECT_RECLAIM 0x200000u, ___GFP_KSWAPD_RECLAIM 0x400000u, NOLOCKDEP 0x800000u
//   5.1   "include/linux/gfp.h: shuffle GFP flags" (Alexey Dobriyan): ___GFP_ZERO 0x100u,
//         ___GFP_ATOMIC 0x200u, DIRECT 0x400u, KSWAPD 0x800u, WRITE 0x1000u … ACCOUNT 0x400000u
//   5.14  ___GFP_ZEROTAGS 0x800000u, ___GFP_SKIP_KASAN_POISON 0x1000000u (in GFP_HIGHUSER_MOVABLE)
//   5.18  KASAN bits only under CONFIG_KASAN_HW_TAGS (0 otherwise)
//   6.4   ___GFP_ATOMIC removed ("/* 0x200u unused */", include/linux/gfp_types.h)
// Print order of names: include/trace/events/mmflags.h __def_gfpflag_names (composites with most
// bits first, then single flags), matched greedily as lib/vsprintf.c format_flags() does.
#include "gfpflags.h"

#include "badnessera.h"

#include <QRegularExpression>

#include <array>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

struct Bit {
    const char *name;
    std::uint64_t value;
};

// Single-flag values of each era (zone modifiers are the same in all: DMA 1, HIGHMEM 2, DMA32 4,
// MOVABLE 8).
std::vector<Bit> singleBits(GfpEra era)
{
    std::vector<Bit> b {{"__GFP_DMA", 0x01},     {"__GFP_HIGHMEM", 0x02}, {"__GFP_DMA32", 0x04},
                        {"__GFP_MOVABLE", 0x08}, {"__GFP_HIGH", 0x20},    {"__GFP_IO", 0x40},
                        {"__GFP_FS", 0x80}};
    auto add = [&b](std::initializer_list<Bit> more) {
        b.insert(b.end(), more);
    };
    switch (era) {
    case GfpEra::V3_10:
        add({{"__GFP_WAIT", 0x10},
             {"__GFP_COLD", 0x100},
             {"__GFP_NOWARN", 0x200},
             {"__GFP_REPEAT", 0x400},
             {"__GFP_NOFAIL", 0x800},
             {"__GFP_NORETRY", 0x1000},
             {"__GFP_MEMALLOC", 0x2000},
             {"__GFP_COMP", 0x4000},
             {"__GFP_ZERO", 0x8000},
             {"__GFP_NOMEMALLOC", 0x10000},
             {"__GFP_HARDWALL", 0x20000},
             {"__GFP_THISNODE", 0x40000},
             {"__GFP_RECLAIMABLE", 0x80000},
             {"__GFP_KMEMCG", 0x100000},
             {"__GFP_NOTRACK", 0x200000},
             {"__GFP_NO_KSWAPD", 0x400000},
             {"__GFP_OTHER_NODE", 0x800000},
             {"__GFP_WRITE", 0x1000000}});
        break;
    case GfpEra::V4_4:
    case GfpEra::V4_10:
    case GfpEra::V4_15:
        add({{"__GFP_RECLAIMABLE", 0x10},
             {"__GFP_NOWARN", 0x200},
             {"__GFP_NOFAIL", 0x800},
             {"__GFP_NORETRY", 0x1000},
             {"__GFP_MEMALLOC", 0x2000},
             {"__GFP_COMP", 0x4000},
             {"__GFP_ZERO", 0x8000},
             {"__GFP_NOMEMALLOC", 0x10000},
             {"__GFP_HARDWALL", 0x20000},
             {"__GFP_THISNODE", 0x40000},
             {"__GFP_ATOMIC", 0x80000},
             {"__GFP_ACCOUNT", 0x100000},
             {"__GFP_DIRECT_RECLAIM", 0x400000}});
        if (era != GfpEra::V4_15)
            add({{"__GFP_COLD", 0x100}, {"__GFP_NOTRACK", 0x200000}});
        if (era == GfpEra::V4_4) {
            add({{"__GFP_REPEAT", 0x400},
                 {"__GFP_OTHER_NODE", 0x800000},
                 {"__GFP_WRITE", 0x1000000},
                 {"__GFP_KSWAPD_RECLAIM", 0x2000000}});
        } else {
            add({{"__GFP_RETRY_MAYFAIL", 0x400},
                 {"__GFP_WRITE", 0x800000},
                 {"__GFP_KSWAPD_RECLAIM", 0x1000000},
                 {"__GFP_NOLOCKDEP", 0x2000000}});
        }
        break;
    case GfpEra::V4_18:
        add({{"__GFP_RECLAIMABLE", 0x10},
             {"__GFP_WRITE", 0x100},
             {"__GFP_NOWARN", 0x200},
             {"__GFP_RETRY_MAYFAIL", 0x400},
             {"__GFP_NOFAIL", 0x800},
             {"__GFP_NORETRY", 0x1000},
             {"__GFP_MEMALLOC", 0x2000},
             {"__GFP_COMP", 0x4000},
             {"__GFP_ZERO", 0x8000},
             {"__GFP_NOMEMALLOC", 0x10000},
             {"__GFP_HARDWALL", 0x20000},
             {"__GFP_THISNODE", 0x40000},
             {"__GFP_ATOMIC", 0x80000},
             {"__GFP_ACCOUNT", 0x100000},
             {"__GFP_DIRECT_RECLAIM", 0x200000},
             {"__GFP_KSWAPD_RECLAIM", 0x400000},
             {"__GFP_NOLOCKDEP", 0x800000}});
        break;
    case GfpEra::V5_1:
    case GfpEra::V5_14:
    case GfpEra::V5_18:
    case GfpEra::V6_4:
        add({{"__GFP_RECLAIMABLE", 0x10},
             {"__GFP_ZERO", 0x100},
             {"__GFP_DIRECT_RECLAIM", 0x400},
             {"__GFP_KSWAPD_RECLAIM", 0x800},
             {"__GFP_WRITE", 0x1000},
             {"__GFP_NOWARN", 0x2000},
             {"__GFP_RETRY_MAYFAIL", 0x4000},
             {"__GFP_NOFAIL", 0x8000},
             {"__GFP_NORETRY", 0x10000},
             {"__GFP_MEMALLOC", 0x20000},
             {"__GFP_COMP", 0x40000},
             {"__GFP_NOMEMALLOC", 0x80000},
             {"__GFP_HARDWALL", 0x100000},
             {"__GFP_THISNODE", 0x200000},
             {"__GFP_ACCOUNT", 0x400000}});
        if (era != GfpEra::V6_4)
            add({{"__GFP_ATOMIC", 0x200}});
        if (era == GfpEra::V5_1)
            add({{"__GFP_NOLOCKDEP", 0x800000}});
        else
            add({{"__GFP_ZEROTAGS", 0x800000}});
        if (era == GfpEra::V5_14)
            add({{"__GFP_SKIP_KASAN_POISON", 0x1000000}, {"__GFP_NOLOCKDEP", 0x2000000}});
        break;
    }
    return b;
}

std::uint64_t bitOf(const std::vector<Bit> &bits, const char *name)
{
    for (const Bit &b : bits) {
        if (qstrcmp(b.name, name) == 0)
            return b.value;
    }
    return 0;
}

// The names in print order, composites resolved to their bits for this era.
std::vector<Bit> printTable(GfpEra era)
{
    const std::vector<Bit> s = singleBits(era);
    auto v = [&s](const char *name) {
        return bitOf(s, name);
    };
    const bool old = era == GfpEra::V3_10;
    const std::uint64_t reclaim =
        old ? v("__GFP_WAIT") : v("__GFP_DIRECT_RECLAIM") | v("__GFP_KSWAPD_RECLAIM");
    const std::uint64_t kernel = reclaim | v("__GFP_IO") | v("__GFP_FS");
    const std::uint64_t user = kernel | v("__GFP_HARDWALL");
    const std::uint64_t highuser = user | v("__GFP_HIGHMEM");
    const std::uint64_t movable = highuser | v("__GFP_MOVABLE") | v("__GFP_SKIP_KASAN_POISON");
    const std::uint64_t atomic = v("__GFP_HIGH") | v("__GFP_ATOMIC") | v("__GFP_KSWAPD_RECLAIM");
    std::vector<Bit> t;
    if (old) {
        const std::uint64_t thp = movable | v("__GFP_COMP") | v("__GFP_NOMEMALLOC") | v("__GFP_NORETRY")
            | v("__GFP_NOWARN") | v("__GFP_NO_KSWAPD");
        t = {{"GFP_TRANSHUGE", thp},
             {"GFP_HIGHUSER_MOVABLE", movable},
             {"GFP_HIGHUSER", highuser},
             {"GFP_USER", user},
             {"GFP_TEMPORARY", kernel | v("__GFP_RECLAIMABLE")},
             {"GFP_KERNEL", kernel},
             {"GFP_NOFS", reclaim | v("__GFP_IO")},
             {"GFP_ATOMIC", v("__GFP_HIGH")},
             {"GFP_NOIO", reclaim},
             {"GFP_DMA", v("__GFP_DMA")},
             {"GFP_DMA32", v("__GFP_DMA32")}};
    } else {
        const std::uint64_t light =
            (movable | v("__GFP_COMP") | v("__GFP_NOMEMALLOC") | v("__GFP_NOWARN")) & ~reclaim;
        t = {{"GFP_TRANSHUGE", light | v("__GFP_DIRECT_RECLAIM")},
             {"GFP_TRANSHUGE_LIGHT", light},
             {"GFP_HIGHUSER_MOVABLE", movable},
             {"GFP_HIGHUSER", highuser},
             {"GFP_USER", user}};
        if (era == GfpEra::V4_4 || era == GfpEra::V4_10)
            t.push_back({"GFP_TEMPORARY", kernel | v("__GFP_RECLAIMABLE")});
        t.insert(t.end(),
                 {{"GFP_KERNEL_ACCOUNT", kernel | v("__GFP_ACCOUNT")},
                  {"GFP_KERNEL", kernel},
                  {"GFP_NOFS", reclaim | v("__GFP_IO")},
                  {"GFP_ATOMIC", atomic},
                  {"GFP_NOIO", reclaim},
                  {"GFP_NOWAIT", v("__GFP_KSWAPD_RECLAIM")},
                  {"GFP_DMA", v("__GFP_DMA")},
                  {"GFP_DMA32", v("__GFP_DMA32")}});
    }
    // Single flags in mmflags.h order (names of other eras are simply absent there).
    static const std::array order {"__GFP_HIGHMEM",
                                   "__GFP_HIGH",
                                   "__GFP_ATOMIC",
                                   "__GFP_IO",
                                   "__GFP_FS",
                                   "__GFP_COLD",
                                   "__GFP_NOWARN",
                                   "__GFP_REPEAT",
                                   "__GFP_RETRY_MAYFAIL",
                                   "__GFP_NOFAIL",
                                   "__GFP_NORETRY",
                                   "__GFP_COMP",
                                   "__GFP_ZERO",
                                   "__GFP_NOMEMALLOC",
                                   "__GFP_MEMALLOC",
                                   "__GFP_HARDWALL",
                                   "__GFP_THISNODE",
                                   "__GFP_RECLAIMABLE",
                                   "__GFP_MOVABLE",
                                   "__GFP_ACCOUNT",
                                   "__GFP_NOTRACK",
                                   "__GFP_WRITE",
                                   "__GFP_WAIT",
                                   "__GFP_RECLAIM",
                                   "__GFP_DIRECT_RECLAIM",
                                   "__GFP_KSWAPD_RECLAIM",
                                   "__GFP_OTHER_NODE",
                                   "__GFP_NO_KSWAPD",
                                   "__GFP_KMEMCG",
                                   "__GFP_ZEROTAGS",
                                   "__GFP_SKIP_KASAN_POISON",
                                   "__GFP_NOLOCKDEP",
                                   "__GFP_DMA",
                                   "__GFP_DMA32"};
    for (const char *name : order) {
        std::uint64_t value = v(name);
        if (qstrcmp(name, "__GFP_RECLAIM") == 0 && !old)
            value = reclaim;
        else if (qstrcmp(name, "GFP_DMA32") == 0)
            value = v("__GFP_DMA32");
        if (value != 0)
            t.push_back({name, value});
    }
    return t;
}

// One era's tables, built once: decoding runs per report (and per era tried when the release is
// unknown), and building them was most of its cost.
struct EraTables {
    std::vector<Bit> single;
    std::vector<Bit> print;
    std::uint64_t known = 0; // every single bit
};

const EraTables &tablesOf(GfpEra era)
{
    constexpr std::size_t eras = std::size_t(GfpEra::V6_4) + 1;
    static const std::array<EraTables, eras> all = [] {
        std::array<EraTables, eras> t;
        for (std::size_t i = 0; i < eras; ++i) {
            t[i].single = singleBits(GfpEra(i));
            t[i].print = printTable(GfpEra(i));
            for (const Bit &b : t[i].single)
                t[i].known |= b.value;
        }
        return t;
    }();
    return all[std::size_t(era)];
}

void fillZone(GfpDecode &d, const std::vector<Bit> &bits)
{
    const auto has = [&](const char *name) {
        const std::uint64_t b = bitOf(bits, name);
        return b != 0 && (d.mask & b) == b;
    };
    if (has("__GFP_DMA")) {
        d.zone = u"DMA"_s;
        d.zoneIndex = 0;
    } else if (has("__GFP_DMA32")) {
        d.zone = u"DMA32"_s;
        d.zoneIndex = 1;
    } else if (has("__GFP_MOVABLE") && has("__GFP_HIGHMEM")) {
        d.zone = u"Movable"_s;
        d.zoneIndex = 3;
    } else {
        d.zone = u"Normal"_s; // also __GFP_HIGHMEM alone: ZONE_HIGHMEM is Normal on 64-bit
        d.zoneIndex = 2;
    }
    d.highPriority = has("__GFP_HIGH");
    d.canIo = has("__GFP_IO");
    d.canFs = has("__GFP_FS");
    d.canReclaim = d.era == GfpEra::V3_10 ? has("__GFP_WAIT") : has("__GFP_DIRECT_RECLAIM");
    d.atomic = bitOf(bits, "__GFP_ATOMIC") != 0 ? has("__GFP_ATOMIC") : !d.canReclaim;
}

} // namespace

QString gfpEraName(GfpEra era)
{
    switch (era) {
    case GfpEra::V3_10:
        return u"3.10–4.3"_s;
    case GfpEra::V4_4:
        return u"4.4–4.9"_s;
    case GfpEra::V4_10:
        return u"4.10–4.14"_s;
    case GfpEra::V4_15:
        return u"4.15–4.17"_s;
    case GfpEra::V4_18:
        return u"4.18–5.0"_s;
    case GfpEra::V5_1:
        return u"5.1–5.13"_s;
    case GfpEra::V5_14:
        return u"5.14–5.17"_s;
    case GfpEra::V5_18:
        return u"5.18–6.3"_s;
    case GfpEra::V6_4:
        return u"6.4+"_s;
    }
    return {};
}

std::optional<GfpEra> gfpEraForRelease(const QString &release)
{
    const KernelRelease r = parseKernelRelease(release);
    if (!r.valid)
        return std::nullopt;
    const int v = r.major * 1000 + r.minor;
    if (v < 3000 || v > 99000)
        return std::nullopt;
    if (v < 4004)
        return GfpEra::V3_10;
    if (v < 4010)
        return GfpEra::V4_4;
    if (v < 4015)
        return GfpEra::V4_10;
    if (v < 4018)
        return GfpEra::V4_15;
    if (v < 5001)
        return GfpEra::V4_18;
    if (v < 5014)
        return GfpEra::V5_1;
    if (v < 5018)
        return GfpEra::V5_14;
    if (v < 6004)
        return GfpEra::V5_18;
    return GfpEra::V6_4;
}

GfpDecode decodeGfpMask(std::uint64_t mask, GfpEra era)
{
    GfpDecode d;
    d.parsed = true;
    d.mask = mask;
    d.era = era;
    const EraTables &tables = tablesOf(era);
    std::uint64_t rest = mask;
    for (const Bit &t : tables.print) {
        if (rest == 0)
            break;
        if ((rest & t.value) == t.value) {
            d.flags << QString::fromLatin1(t.name);
            rest &= ~t.value;
        }
    }
    d.unknownBits = mask & ~tables.known;
    fillZone(d, tables.single);
    return d;
}

GfpDecode decodeGfpText(const QString &printed, GfpEra era)
{
    static const QRegularExpression re(u"^\\s*(0x[0-9a-fA-F]+|[0-9]+)\\s*(?:\\(([^)]*)\\))?"_s);
    const auto m = re.match(printed);
    if (!m.hasMatch()) {
        GfpDecode d;
        d.era = era;
        return d;
    }
    bool ok = false;
    const std::uint64_t mask = m.captured(1).toULongLong(&ok, 0);
    GfpDecode d = ok ? decodeGfpMask(mask, era) : GfpDecode {};
    d.era = era;
    const QString names = m.captured(2).trimmed();
    if (!names.isEmpty() && names != u"none"_s) {
        d.printedFlags = names.split(u'|', Qt::SkipEmptyParts);
        for (QString &n : d.printedFlags)
            n = n.trimmed();
        d.matchesPrinted = d.printedFlags == d.flags;
    }
    return d;
}

namespace {

bool namesMatch(const QString &printed, GfpEra era)
{
    const GfpDecode d = decodeGfpText(printed, era);
    return d.parsed && !d.printedFlags.isEmpty() && d.matchesPrinted && d.unknownBits == 0;
}

// The era nearest to `near` whose decode gives the names the kernel printed: distribution kernels
// backport the bit layout of later releases (RHEL 8's 4.18 prints 5.x masks such as 0x100cca).
std::optional<GfpEra> eraMatchingPrinted(const QString &printed, GfpEra near)
{
    if (!printed.contains(u'('))
        return std::nullopt;
    constexpr int last = int(GfpEra::V6_4);
    for (int distance = 0; distance <= last; ++distance) {
        for (const int i : {int(near) + distance, int(near) - distance}) {
            if (i >= int(GfpEra::V4_4) && i <= last && namesMatch(printed, GfpEra(i)))
                return GfpEra(i);
        }
    }
    return std::nullopt;
}

} // namespace

GfpEra gfpEraFor(const OomEvent &event)
{
    if (const auto era = gfpEraForRelease(event.kernelRelease)) {
        if (!event.gfpMask.contains(u'(') || namesMatch(event.gfpMask, *era))
            return *era;
        return eraMatchingPrinted(event.gfpMask, *era).value_or(*era);
    }
    // No release: the era whose names equal what the kernel printed, newest first.
    if (const auto era = eraMatchingPrinted(event.gfpMask, GfpEra::V6_4))
        return *era;
    switch (event.layout) {
    case TaskTableLayout::RssSplit:
        return GfpEra::V6_4;
    case TaskTableLayout::PgtablesBytes:
        return event.hasSummaryLine ? GfpEra::V5_1 : GfpEra::V4_18;
    case TaskTableLayout::NrPtesNrPmds:
        return GfpEra::V4_10;
    case TaskTableLayout::NrPtes:
        return GfpEra::V3_10;
    case TaskTableLayout::Unknown:
        break;
    }
    return event.gfpMask.contains(u'(') ? GfpEra::V5_1 : GfpEra::V3_10;
}

TriggerFacts analyseTrigger(const OomEvent &event)
{
    TriggerFacts t;
    t.gfp = decodeGfpText(event.gfpMask, gfpEraFor(event));
    t.order = event.order;
    t.manual = event.order < 0;
    if (!t.manual && event.order < 20)
        t.sizeKb = (event.pageSizeBytes / 1024) << event.order;
    // nodemask= from the trigger line (4.x: "nodemask=(null)", 5.x+: in the summary line).
    static const QRegularExpression nodemaskRe(u"nodemask=([^,\\s]+)"_s);
    for (const RawLine &l : event.rawLines) {
        // Literal tests first (a '=' is found by a vector scan, the word is not): the summary
        // line comes after the task table, hundreds of rows a regular expression need not read.
        if (!l.text.contains(u'=') || !l.text.contains(u"nodemask="))
            continue;
        const auto m = nodemaskRe.match(l.text);
        if (m.hasMatch()) {
            t.nodemask = m.captured(1);
            break;
        }
    }
    static const QRegularExpression single(u"^\\d+$"_s);
    if (single.match(t.nodemask).hasMatch())
        t.node = t.nodemask.toInt();
    else if (t.nodemask.isEmpty() || t.nodemask == u"(null)"_s) {
        if (single.match(event.memsAllowed).hasMatch())
            t.node = event.memsAllowed.toInt();
    }
    return t;
}

} // namespace oomscope
