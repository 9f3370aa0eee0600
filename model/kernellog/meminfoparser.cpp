// SPDX-License-Identifier: GPL-3.0-or-later
// Line grammar of show_mem() (mm/page_alloc.c show_free_areas() up to 6.1, mm/show_mem.c
// __show_mem() from 6.2) and lib/show_mem.c, as in kernel-oom-formats.md §2.5.
#include "meminfoparser.h"

#include <QRegularExpression>

#include <array>
#include <limits>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr int kMaxOrder = 32; // MAX_ORDER is 11 (x86) to 14 (some arm64 configs)

std::optional<std::int64_t> toInt(QStringView s)
{
    bool ok = false;
    const qlonglong v = s.toLongLong(&ok);
    return ok ? std::optional<std::int64_t>(v) : std::nullopt;
}

std::optional<int> toNode(QStringView s)
{
    const auto v = toInt(s);
    if (!v || *v < 0 || *v > 65535)
        return std::nullopt;
    return int(*v);
}

// Every "key:NkB" / "key: NkB" / "key:NKB" field of a line.
CounterList kbFields(QStringView text)
{
    static const QRegularExpression re(u"([A-Za-z_()]+):\\s*(\\d+)[kK]B"_s);
    CounterList out;
    auto it = re.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (const auto v = toInt(m.capturedView(2)))
            out.emplace_back(m.captured(1), *v);
    }
    return out;
}

// "active_anon:761668 inactive_anon:152852 isolated_anon:0": a line of the global pages block.
bool globalFields(QStringView text, CounterList &out)
{
    CounterList found;
    for (const QStringView token : text.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype c = token.indexOf(u':');
        if (c <= 0)
            return false;
        const auto v = toInt(token.mid(c + 1));
        if (!v)
            return false;
        found.emplace_back(token.left(c).toString(), *v);
    }
    if (found.empty())
        return false;
    out.insert(out.end(), found.begin(), found.end());
    return true;
}

void setZoneField(MemInfoZone &z, const QString &key, std::int64_t kb)
{
    struct Slot {
        const char16_t *key;
        std::optional<std::int64_t> MemInfoZone::*field;
    };
    static const std::array slots {
        Slot {u"boost", &MemInfoZone::boostKb},
        Slot {u"reserved_highatomic", &MemInfoZone::reservedHighatomicKb},
        Slot {u"active_anon", &MemInfoZone::activeAnonKb},
        Slot {u"inactive_anon", &MemInfoZone::inactiveAnonKb},
        Slot {u"active_file", &MemInfoZone::activeFileKb},
        Slot {u"inactive_file", &MemInfoZone::inactiveFileKb},
        Slot {u"unevictable", &MemInfoZone::unevictableKb},
        Slot {u"writepending", &MemInfoZone::writependingKb},
        Slot {u"mlocked", &MemInfoZone::mlockedKb},
        Slot {u"free_pcp", &MemInfoZone::freePcpKb},
        Slot {u"local_pcp", &MemInfoZone::localPcpKb},
        Slot {u"free_cma", &MemInfoZone::freeCmaKb},
    };
    if (key == u"free")
        z.freeKb = kb;
    else if (key == u"min")
        z.minKb = kb;
    else if (key == u"low")
        z.lowKb = kb;
    else if (key == u"high")
        z.highKb = kb;
    else if (key == u"present")
        z.presentKb = kb;
    else if (key == u"managed")
        z.managedKb = kb;
    for (const Slot &s : slots) {
        if (key == s.key)
            z.*(s.field) = kb;
    }
}

const QString kZoneNames = u"DMA32|DMA|Normal|HighMem|Movable|Device"_s;

bool parseZoneLine(QStringView text, MemInfoSnapshot &snap)
{
    static const QRegularExpression re(u"^(?:Node (\\d+) )?("_s + kZoneNames + u") (free:.*)$"_s);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    MemInfoZone z;
    if (m.capturedLength(1) > 0)
        z.node = toNode(m.capturedView(1));
    z.zone = m.captured(2);
    z.fieldsKb = kbFields(m.capturedView(3));
    for (const auto &[key, kb] : z.fieldsKb)
        setZoneField(z, key, kb);
    z.allUnreclaimable = m.capturedView(3).contains(u"all_unreclaimable? yes");
    snap.zones.push_back(std::move(z));
    return true;
}

bool parseBuddyLine(QStringView text, MemInfoSnapshot &snap)
{
    static const QRegularExpression re(u"^(?:Node (\\d+) )?("_s + kZoneNames + u"): (.*)$"_s);
    static const QRegularExpression item(u"(\\d+)\\*(\\d+)kB(?:\\s+\\(([A-Z]*)\\))?"_s);
    static const QRegularExpression total(u"=\\s*(\\d+)kB"_s);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    MemInfoBuddy b;
    if (m.capturedLength(1) > 0)
        b.node = toNode(m.capturedView(1));
    b.zone = m.captured(2);
    const QStringView rest = m.capturedView(3);
    bool first = true;
    auto it = item.globalMatch(rest);
    while (it.hasNext()) {
        const auto im = it.next();
        const auto count = toInt(im.capturedView(1));
        const auto sizeKb = toInt(im.capturedView(2));
        if (!count || !sizeKb || *sizeKb <= 0)
            continue;
        if (first) {
            b.pageKb = *sizeKb;
            first = false;
        }
        if (*sizeKb % b.pageKb != 0)
            continue;
        const std::int64_t pages = *sizeKb / b.pageKb;
        if ((pages & (pages - 1)) != 0)
            continue;
        int order = 0;
        while ((std::int64_t(1) << order) < pages)
            ++order;
        if (order >= kMaxOrder)
            continue;
        if (b.freeChunksByOrder.size() <= size_t(order)) {
            b.freeChunksByOrder.resize(size_t(order) + 1, 0);
            b.migrateTypesByOrder.resize(size_t(order) + 1);
        }
        b.freeChunksByOrder[size_t(order)] = *count;
        b.migrateTypesByOrder[size_t(order)] = im.captured(3);
    }
    if (const auto tm = total.match(rest); tm.hasMatch())
        b.totalKb = toInt(tm.capturedView(1));
    if (first && !b.totalKb)
        return false;
    snap.buddy.push_back(std::move(b));
    return true;
}

bool parseCountLine(QStringView text, MemInfoSnapshot &snap)
{
    static const QRegularExpression re(
        u"^(\\d+) (total pagecache pages|pages in swap cache|pages RAM|pages HighMem/MovableOnly|"
        "pages reserved|pages cma reserved|pages hwpoisoned)"_s);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    const auto v = toInt(m.capturedView(1));
    const QStringView what = m.capturedView(2);
    if (what == u"total pagecache pages")
        snap.totalPagecachePages = v;
    else if (what == u"pages in swap cache")
        snap.swapCachePages = v;
    else if (what == u"pages RAM")
        snap.ramPages = v;
    else if (what == u"pages HighMem/MovableOnly")
        snap.highMemPages = v;
    else if (what == u"pages reserved")
        snap.reservedPages = v;
    else if (what == u"pages cma reserved")
        snap.cmaReservedPages = v;
    else
        snap.hwpoisonedPages = v;
    return true;
}

bool parseOtherLine(QStringView text, MemInfoSnapshot &snap)
{
    static const QRegularExpression swap(u"^(Free|Total) swap\\s*=\\s*(-?\\d+)kB"_s);
    static const QRegularExpression huge(u"^Node (\\d+) hugepages_total=(\\d+) hugepages_free=(\\d+) "
                                         "hugepages_surp=(\\d+) hugepages_size=(\\d+)kB"_s);
    static const QRegularExpression node(u"^Node (\\d+) (active_anon:.*)$"_s);
    static const QRegularExpression reserve(u"^lowmem_reserve\\[\\]:((?:\\s+\\d+)*)"_s);
    if (const auto m = swap.match(text); m.hasMatch()) {
        (m.capturedView(1) == u"Free" ? snap.freeSwapKb : snap.totalSwapKb) = toInt(m.capturedView(2));
        return true;
    }
    if (const auto m = huge.match(text); m.hasMatch()) {
        MemInfoHugepages h;
        h.node = toNode(m.capturedView(1)).value_or(0);
        h.total = toInt(m.capturedView(2)).value_or(0);
        h.free = toInt(m.capturedView(3)).value_or(0);
        h.surplus = toInt(m.capturedView(4)).value_or(0);
        h.sizeKb = toInt(m.capturedView(5)).value_or(0);
        snap.hugepages.push_back(h);
        return true;
    }
    if (const auto m = node.match(text); m.hasMatch()) {
        MemInfoNode n;
        n.node = toNode(m.capturedView(1)).value_or(0);
        n.fieldsKb = kbFields(m.capturedView(2));
        if (m.capturedView(2).contains(u"all_unreclaimable? yes"))
            n.allUnreclaimable = true;
        else if (m.capturedView(2).contains(u"all_unreclaimable? no"))
            n.allUnreclaimable = false;
        snap.nodes.push_back(std::move(n));
        return true;
    }
    if (const auto m = reserve.match(text); m.hasMatch()) {
        if (!snap.zones.empty() && snap.zones.back().lowmemReservePages.empty()) {
            for (const QStringView v : m.capturedView(1).split(u' ', Qt::SkipEmptyParts)) {
                if (const auto n = toInt(v); n && snap.zones.back().lowmemReservePages.size() < 16)
                    snap.zones.back().lowmemReservePages.push_back(*n);
            }
        }
        return true;
    }
    return false;
}

// One message line (prefix already stripped, trimmed) of a report. The global pages block comes
// before the first zone line; 3.10 vanilla prints "<Zone> per-cpu:" and "CPU n: hi: …" lines
// between "Mem-Info:" and it, which match no grammar here and are passed over.
void parseLine(QStringView text, MemInfoSnapshot &snap)
{
    if (text.startsWith(u"Mem-Info:")) {
        snap.present = true;
        return;
    }
    // The task table's rows ("[ 1234] …") follow the block in global reports, hundreds of them;
    // no grammar below matches a line that starts with '['.
    if (!snap.present || text.startsWith(u'['))
        return;
    if (snap.zones.empty() && globalFields(text, snap.globalPages))
        return;
    if (parseZoneLine(text, snap) || parseBuddyLine(text, snap) || parseCountLine(text, snap))
        return;
    parseOtherLine(text, snap);
}

} // namespace

MemInfoSnapshot parseMemInfoLines(const std::vector<RawLine> &lines)
{
    MemInfoSnapshot snap;
    for (const RawLine &line : lines) {
        // rsyslog's "#012" joins the lines of one multi-line record; the report parser splits
        // them already, raw text handed here directly may still hold them.
        const QStringView text(line.text);
        if (!text.contains(u'#')) {
            parseLine(text.trimmed(), snap); // the common case, without a list of one piece
            continue;
        }
        for (const QStringView piece : text.split(u"#012"))
            parseLine(piece.trimmed(), snap);
    }
    if (!snap.buddy.empty())
        snap.pageKb = snap.buddy.front().pageKb;
    return snap;
}

MemcgStats normaliseMemcgStats(const OomEvent &event)
{
    MemcgStats stats;
    stats.path = event.memcgStatsPath;
    stats.raw = event.memcgStats;
    if (event.memcgStats.empty())
        return stats;
    bool singleLine = false;
    for (const RawLine &l : event.rawLines) {
        if (l.text.startsWith(u"Memory cgroup stats for")) {
            singleLine = l.text.contains(u"KB");
            break;
        }
    }
    const bool v1 = counterValue(event.memcgStats, u"rss") || counterValue(event.memcgStats, u"cache");
    stats.form =
        singleLine ? MemcgStatsForm::V1SingleLine : (v1 ? MemcgStatsForm::V1MultiLine : MemcgStatsForm::V2);
    if (!v1) {
        stats.bytes = event.memcgStats;
        return stats;
    }
    // v1 names → v2 names; hierarchical "total_" values (≥ 6.6 multi-line) win over local ones.
    static const std::array<std::pair<const char16_t *, const char16_t *>, 7> renames {{
        {u"rss", u"anon"},
        {u"cache", u"file"},
        {u"rss_huge", u"anon_thp"},
        {u"mapped_file", u"file_mapped"},
        {u"dirty", u"file_dirty"},
        {u"writeback", u"file_writeback"},
        {u"swapcached", u"swapcached"},
    }};
    for (const auto &[key, value] : event.memcgStats) {
        if (key.startsWith(u"total_") || key.startsWith(u"hierarchical_"))
            continue;
        const auto total = counterValue(event.memcgStats, QString(u"total_"_s + key));
        QString name = key;
        for (const auto &[from, to] : renames) {
            if (key == from)
                name = QString::fromUtf16(to);
        }
        stats.bytes.emplace_back(name, total.value_or(value));
    }
    return stats;
}

MemInfoSnapshot parseMemInfo(const OomEvent &event)
{
    MemInfoSnapshot snapshot = parseMemInfoLines(event.rawLines);
    snapshot.memcg = normaliseMemcgStats(event);
    return snapshot;
}

} // namespace oomscope
