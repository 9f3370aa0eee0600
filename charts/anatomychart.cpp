// SPDX-License-Identifier: GPL-3.0-or-later
#include "anatomychart.h"

#include "anatomyexplanation.h"
#include "anatomytext.h"
#include "meminfoparser.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

using anatomytext::kb;
using anatomytext::tr;

QString percent(double share)
{
    if (share > 0 && share < 0.001)
        return u"< 0.1 %"_s;
    return QString::number(share * 100.0, 'f', share < 0.1 ? 1 : 0) + u" %"_s;
}

// "132 KiB", "41.2 MiB": table cells, where a column is narrow.
QString compactKb(std::int64_t sizeKb)
{
    const double bytes = double(sizeKb) * 1024.0;
    if (std::abs(bytes) < 1024.0 * 1024.0)
        return QString::number(sizeKb) + u" KiB"_s;
    const double mib = bytes / (1024.0 * 1024.0);
    if (std::abs(mib) < 1024.0)
        return QString::number(mib, 'f', mib < 100 ? 1 : 0) + u" MiB"_s;
    const double gib = mib / 1024.0;
    return QString::number(gib, 'f', gib < 100 ? 2 : 0) + u" GiB"_s;
}

// "N1 Normal": short, for narrow table columns and legends of NUMA machines.
QString zoneName(std::optional<int> node, const QString &zone)
{
    return node ? u"N%1 %2"_s.arg(*node).arg(zone) : zone;
}

// "4k", "8k", … "4M" for a buddy order.
QString orderSize(int order, std::int64_t pageKb)
{
    const std::int64_t sizeKb = pageKb << order;
    return sizeKb >= 1024 ? u"%1M"_s.arg(sizeKb / 1024) : u"%1k"_s.arg(sizeKb);
}

qreal titleRow(QPainter &painter, const QRectF &rect, const QString &title, const AnatomyStyle &style)
{
    painter.setFont(style.titleFont);
    painter.setPen(style.palette.foreground);
    const QFontMetricsF fm(style.titleFont);
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), fm.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(title, Qt::ElideRight, rect.width()));
    return fm.height() + 4;
}

// Top-level categories in drawing order (largest first, free last) and the unaccounted rest.
struct Segment {
    QString name;
    std::int64_t kb = 0;
    bool reclaimable = false;
};

std::vector<Segment> segmentsOf(const MemoryAccounting &a)
{
    std::vector<Segment> segments;
    std::optional<Segment> free;
    for (const AccountingCategory &c : a.categories) {
        if (!c.partOf.isEmpty() || c.kb <= 0)
            continue;
        if (c.name == u"free"_s)
            free = Segment {c.name, c.kb, true};
        else
            segments.push_back({c.name, c.kb, c.reclaimable});
    }
    if (a.unaccountedKb > 0)
        segments.push_back({u"unaccounted"_s, a.unaccountedKb, false});
    if (free)
        segments.push_back(*free);
    return segments;
}

QString categoryLabel(const QString &name)
{
    if (name == u"unaccounted"_s)
        return tr("no counter");
    return accountingCategoryLabel(name);
}

// Legend entries flowing in rows under the bar; returns the height used.
qreal paintLegend(QPainter &painter, const QRectF &rect, const std::vector<Segment> &segments,
                  std::int64_t totalKb, const AnatomyStyle &style)
{
    painter.setFont(style.smallFont);
    const QFontMetricsF fm(style.smallFont);
    const qreal rowH = fm.height() + 4;
    const qreal swatch = fm.height() * 0.7;
    qreal x = rect.left();
    qreal y = rect.top();
    for (const Segment &s : segments) {
        const QString text =
            u"%1 %2 (%3)"_s.arg(categoryLabel(s.name), kb(s.kb),
                                percent(double(s.kb) / double(std::max<std::int64_t>(1, totalKb))));
        const qreal w = swatch + 4 + fm.horizontalAdvance(text) + 14;
        if (x + w > rect.right() && x > rect.left()) {
            x = rect.left();
            y += rowH;
        }
        if (y + rowH > rect.bottom() + 1)
            break;
        const QRectF box(x, y + (rowH - swatch) / 2, swatch, swatch);
        painter.fillRect(box, accountingColor(s.name, style.palette));
        if (s.reclaimable && s.name != u"free"_s)
            painter.fillRect(box, QBrush(withAlpha(style.palette.background, 170), Qt::BDiagPattern));
        painter.setPen(QPen(style.palette.border, 1));
        painter.drawRect(box);
        painter.setPen(style.palette.foreground);
        painter.drawText(QRectF(x + swatch + 4, y, w, rowH), Qt::AlignLeft | Qt::AlignVCenter, text);
        x += w;
    }
    return y + rowH - rect.top();
}

QString accountingTitle(const AnatomyData &data)
{
    const MemoryAccounting &a = data.anatomy.accounting;
    if (a.scope == AccountingScope::Cgroup) {
        const bool unlimited = data.memory.unlimited() || !data.memory.present;
        QString title = unlimited ? tr("Where the memory went: cgroup usage %1").arg(kb(a.totalKb))
                                  : tr("Where the memory went: the cgroup's limit of %1").arg(kb(a.totalKb));
        if (a.usageKb && !unlimited)
            title += tr(" (usage %1)").arg(kb(*a.usageKb));
        return title;
    }
    return tr("Where the memory went: the node's RAM, %1").arg(kb(a.totalKb));
}

// One gauge: a bar of parts against a total, with a label on the left and a text on the right.
struct GaugePart {
    std::int64_t kb = 0;
    QColor color;
};

qreal paintGauge(QPainter &painter, const QRectF &rect, const QString &label, std::int64_t totalKb,
                 const std::vector<GaugePart> &parts, const QString &text, const AnatomyStyle &style)
{
    const QFontMetricsF fm(style.font);
    const qreal h = fm.height() + 6;
    const qreal labelW = std::min(rect.width() * 0.22, fm.horizontalAdvance(u"Cgroup swap"_s) + 16);
    const qreal textW = rect.width() * 0.5;
    const QRectF bar(rect.left() + labelW, rect.top() + 3, rect.width() - labelW - textW - 8, h - 6);
    painter.setFont(style.font);
    painter.setPen(style.palette.foreground);
    painter.drawText(QRectF(rect.left(), rect.top(), labelW, h), Qt::AlignLeft | Qt::AlignVCenter, label);
    if (totalKb <= 0) {
        // Nothing to measure against (no swap, no swap limit): the words alone, no empty bar.
        painter.drawText(QRectF(bar.left(), rect.top(), rect.right() - bar.left(), h),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(text, Qt::ElideRight, rect.right() - bar.left()));
        return h + 2;
    }
    painter.fillRect(bar, style.palette.grid);
    qreal x = bar.left();
    for (const GaugePart &part : parts) {
        if (totalKb <= 0 || part.kb <= 0)
            continue;
        const qreal w = std::min(bar.right() - x, bar.width() * double(part.kb) / double(totalKb));
        painter.fillRect(QRectF(x, bar.top(), w, bar.height()), part.color);
        x += w;
    }
    painter.setPen(QPen(style.palette.border, 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    painter.setPen(style.palette.foreground);
    painter.drawText(QRectF(bar.right() + 8, rect.top(), textW, h), Qt::AlignLeft | Qt::AlignVCenter,
                     fm.elidedText(text, Qt::ElideRight, textW));
    return h + 2;
}

} // namespace

AnatomyData anatomyOf(const OomEvent &event)
{
    AnatomyData d;
    d.snapshot = parseMemInfo(event);
    d.anatomy = analyseMemory(event, d.snapshot);
    d.memcgOom = event.constraint == Constraint::Memcg;
    d.memcgPath = event.oomMemcg.isEmpty() ? event.taskMemcg : event.oomMemcg;
    d.memory = event.memory;
    d.memsw = event.memsw;
    d.swap = event.swap;
    d.gfpMaskText = event.gfpMask;
    return d;
}

AnatomySections anatomySections(const AnatomyData &data)
{
    AnatomySections s;
    s.accounting = data.anatomy.accounting.present && data.anatomy.accounting.totalKb > 0;
    s.zones = !data.memcgOom && !data.snapshot.zones.empty();
    s.buddy = !data.memcgOom
        && std::any_of(data.snapshot.buddy.begin(), data.snapshot.buddy.end(),
                       [](const MemInfoBuddy &b) { return !b.freeChunksByOrder.empty(); });
    const SwapFacts &sw = data.anatomy.accounting.swap;
    s.swap = sw.totalKb.has_value() || (data.memcgOom && (data.swap.present || data.memsw.present));
    return s;
}

QStringList anatomyGaps(const AnatomyData &data)
{
    QStringList gaps;
    const AnatomySections s = anatomySections(data);
    if (data.memcgOom) {
        gaps << tr("A cgroup OOM: the cgroup reached its limit while the node may have had memory to "
                   "spare, so the kernel printed no zones, watermarks or buddy free lists for it.");
        if (!s.accounting)
            gaps << tr("The report has no \"Memory cgroup stats\" block (or too little of it), so "
                       "where the cgroup's memory went is not known.");
    } else {
        if (!data.snapshot.present)
            gaps << tr("The report has no Mem-Info block (cut off, or filtered from the log), so there "
                       "are no zones, free lists or node counters to show.");
        else if (!s.zones)
            gaps << tr("The Mem-Info block has no zone lines: the watermark check cannot be made.");
        if (data.snapshot.present && !s.buddy)
            gaps << tr("The Mem-Info block has no buddy free lists: fragmentation cannot be judged.");
        if (data.snapshot.present && !s.accounting)
            gaps << tr("Too few Mem-Info counters to account for the RAM.");
    }
    if (!s.swap)
        gaps << tr("The report says nothing about swap.");
    return gaps;
}

QString anatomyRequestLine(const AnatomyData &data)
{
    const TriggerFacts &t = data.anatomy.trigger;
    if (t.manual)
        return tr("Manual OOM (sysrq-f): no allocation failed");
    QStringList parts;
    parts << (t.sizeKb ? tr("order %1 (%2)").arg(t.order).arg(kb(*t.sizeKb)) : tr("order %1").arg(t.order));
    if (!t.gfp.zone.isEmpty())
        parts << tr("zone %1").arg(t.gfp.zone);
    if (t.node)
        parts << tr("node %1").arg(*t.node);
    if (t.gfp.parsed && !t.gfp.flags.isEmpty())
        parts << t.gfp.flags.join(u'|');
    else if (!data.gfpMaskText.isEmpty())
        parts << data.gfpMaskText;
    return parts.join(u"  ·  "_s);
}

AnatomyStyle AnatomyStyle::from(const ChartPalette &palette, const QFont &base)
{
    AnatomyStyle s;
    s.palette = palette;
    s.font = base;
    s.smallFont = scaledFont(base, 0.9);
    s.titleFont = base;
    s.titleFont.setBold(true);
    return s;
}

QColor accountingColor(const QString &category, const ChartPalette &p)
{
    static const std::vector<std::pair<QString, QColor>> colors = {
        {u"anon"_s, QColor(0xf4, 0xa2, 0x61)},
        {u"shmem"_s, QColor(0xb3, 0x9d, 0xdb)},
        {u"file_active"_s, QColor(0x81, 0xc7, 0x84)},
        {u"file_inactive"_s, QColor(0xc5, 0xe1, 0xa5)},
        {u"file"_s, QColor(0xa3, 0xd4, 0x95)},
        {u"slab_reclaimable"_s, QColor(0x80, 0xcb, 0xc4)},
        {u"slab_unreclaimable"_s, QColor(0xc0, 0x5a, 0x4e)},
        {u"pagetables"_s, QColor(0x79, 0x86, 0xcb)},
        {u"kernel_stack"_s, QColor(0x5c, 0x6b, 0xc0)},
        {u"percpu"_s, QColor(0x90, 0xa4, 0xae)},
        {u"sock"_s, QColor(0x4d, 0xb6, 0xac)},
        {u"vmalloc"_s, QColor(0xa1, 0x88, 0x7f)},
        {u"zswap"_s, QColor(0xce, 0x93, 0xd8)},
        {u"kernel_other"_s, QColor(0x78, 0x90, 0x9c)},
        {u"kernel"_s, QColor(0x78, 0x90, 0x9c)},
        {u"hugepages"_s, QColor(0xff, 0xca, 0x28)},
        {u"unevictable"_s, QColor(0xf0, 0x62, 0x92)},
        {u"reserved"_s, QColor(0x61, 0x61, 0x61)},
        {u"unaccounted"_s, QColor(0xbd, 0xbd, 0xbd)},
    };
    if (category == u"free"_s)
        return p.background;
    for (const auto &[name, color] : colors) {
        if (name == category)
            return color;
    }
    return p.stack[kStackCount - 1];
}

qreal paintAccountingBar(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                         const AnatomyStyle &style)
{
    const MemoryAccounting &a = data.anatomy.accounting;
    qreal y = rect.top() + titleRow(painter, rect, accountingTitle(data), style);
    const std::vector<Segment> segments = segmentsOf(a);
    std::int64_t sum = 0;
    for (const Segment &s : segments)
        sum += s.kb;
    // Counters that overlap can add up to more than the total: the bar then runs past the limit
    // line, which is drawn where the total is.
    const std::int64_t scaleKb = std::max<std::int64_t>({sum, a.totalKb, 1});
    const QFontMetricsF fm(style.font);
    const QRectF bar(rect.left(), y, rect.width() - 2, std::max<qreal>(20, fm.height() * 1.6));
    qreal x = bar.left();
    for (const Segment &s : segments) {
        const qreal w = bar.width() * double(s.kb) / double(scaleKb);
        const QRectF part(x, bar.top(), w, bar.height());
        painter.fillRect(part, accountingColor(s.name, style.palette));
        if (s.reclaimable && s.name != u"free"_s)
            painter.fillRect(part, QBrush(withAlpha(style.palette.background, 170), Qt::BDiagPattern));
        painter.setPen(QPen(style.palette.background, 1));
        painter.drawLine(QPointF(x + w, bar.top()), QPointF(x + w, bar.bottom()));
        // The name inside the segment when it fits.
        const QString inside = categoryLabel(s.name);
        if (fm.horizontalAdvance(inside) + 8 < w) {
            painter.setFont(style.font);
            painter.setPen(style.palette.foreground);
            painter.drawText(part, Qt::AlignCenter, inside);
        }
        x += w;
    }
    painter.setPen(QPen(style.palette.border, 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    // The limit (or RAM) line.
    const qreal limitX = bar.left() + bar.width() * double(a.totalKb) / double(scaleKb);
    painter.setPen(QPen(style.palette.kill, 2, Qt::DashLine));
    painter.drawLine(QPointF(limitX, bar.top() - 3), QPointF(limitX, bar.bottom() + 3));
    y = bar.bottom() + 6;
    y += paintLegend(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y), segments, a.totalKb,
                     style);
    painter.setFont(style.smallFont);
    painter.setPen(style.palette.muted);
    const QFontMetricsF small(style.smallFont);
    QString foot = tr("hatched: the kernel can reclaim it · dashed line: %1")
                       .arg(a.scope == AccountingScope::Cgroup ? tr("the limit") : tr("RAM"));
    if (a.tasksRssKb)
        foot += tr(" · task table RSS %1").arg(kb(*a.tasksRssKb));
    if (a.anonTotalKb)
        foot += tr(" against anon %1").arg(kb(*a.anonTotalKb));
    if (y + small.height() <= rect.bottom() + 1) {
        painter.drawText(QRectF(rect.left(), y, rect.width(), small.height()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         small.elidedText(foot, Qt::ElideRight, rect.width()));
        y += small.height() + 2;
    }
    return y - rect.top();
}

std::vector<ZoneRow> zoneRows(const AnatomyData &data)
{
    std::vector<ZoneRow> rows;
    const std::int64_t pageKb = data.snapshot.pageKb;
    // One NUMA node: its number says nothing.
    const bool oneNode = std::all_of(data.snapshot.zones.begin(), data.snapshot.zones.end(),
                                     [](const MemInfoZone &z) { return z.node.value_or(0) == 0; });
    for (const MemInfoZone &z : data.snapshot.zones) {
        if (z.managedKb == 0 && z.presentKb == 0)
            continue; // a zone the machine does not have (Movable, DMA on some arches)
        ZoneRow row;
        row.zone = oneNode ? z.zone : zoneName(z.node, z.zone);
        row.freeKb = z.freeKb;
        row.minKb = z.minKb;
        row.lowKb = z.lowKb;
        row.highKb = z.highKb;
        if (z.freeKb < z.minKb)
            row.state = tr("below min");
        else if (z.freeKb < z.lowKb)
            row.state = tr("below low");
        else if (z.freeKb < z.highKb)
            row.state = tr("below high");
        else
            row.state = tr("ok");
        for (const ZoneWatermarkCheck &c : data.anatomy.allocation.zones) {
            if (c.node == z.node && c.zone == z.zone) {
                row.reserveKb = c.reservePages * pageKb;
                row.check = c.passes ? tr("passes") : tr("fails");
            }
        }
        rows.push_back(row);
    }
    return rows;
}

qreal paintZoneTable(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                     const AnatomyStyle &style)
{
    const ChartPalette &p = style.palette;
    qreal y = rect.top() + titleRow(painter, rect, tr("Zones: free memory against the watermarks"), style);
    const QFontMetricsF fm(style.smallFont);
    const qreal rowH = fm.height() + 5;
    const std::array<double, 7> widths {0.19, 0.14, 0.13, 0.13, 0.13, 0.14, 0.14};
    const QStringList headers {tr("zone"), tr("free"),    tr("min"),    tr("low"),
                               tr("high"), tr("reserve"), tr("request")};
    auto drawRow = [&](qreal top, const QStringList &cells, const QColor &color, bool bold) {
        QFont f = style.smallFont;
        f.setBold(bold);
        painter.setFont(f);
        painter.setPen(color);
        qreal x = rect.left();
        for (int c = 0; c < cells.size(); ++c) {
            const qreal w = rect.width() * widths[size_t(c)];
            const Qt::Alignment align = (c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter;
            painter.drawText(QRectF(x + 3, top, w - 6, rowH), align,
                             QFontMetricsF(f).elidedText(cells[c], Qt::ElideRight, w - 6));
            x += w;
        }
    };
    painter.fillRect(QRectF(rect.left(), y, rect.width(), rowH), p.headerRow);
    drawRow(y, headers, p.foreground, true);
    y += rowH;
    for (const ZoneRow &r : zoneRows(data)) {
        if (y + rowH > rect.bottom() + 1)
            break;
        const bool belowLow = r.state == tr("below min") || r.state == tr("below low");
        const bool belowHigh = r.state == tr("below high");
        if (belowLow)
            painter.fillRect(QRectF(rect.left(), y, rect.width(), rowH), p.victimRow);
        const QColor freeColor = belowLow ? p.kill : (belowHigh ? p.warning : p.foreground);
        const bool fails = r.check == tr("fails");
        drawRow(y,
                {r.zone, QString(), compactKb(r.minKb), compactKb(r.lowKb), compactKb(r.highKb),
                 r.reserveKb ? compactKb(*r.reserveKb) : u"—"_s,
                 fails ? QString() : (r.check.isEmpty() ? u"—"_s : r.check)},
                p.foreground, false);
        // The free figure in the colour of its state, with the state beside the zone's name.
        QFont bold = style.smallFont;
        bold.setBold(belowLow || belowHigh);
        painter.setFont(bold);
        painter.setPen(freeColor);
        const qreal fx = rect.left() + rect.width() * widths[0];
        painter.drawText(QRectF(fx + 3, y, rect.width() * widths[1] - 6, rowH),
                         Qt::AlignRight | Qt::AlignVCenter, compactKb(r.freeKb));
        if (fails) {
            painter.setPen(p.kill);
            const qreal cx = rect.right() - rect.width() * widths[6];
            painter.drawText(QRectF(cx + 3, y, rect.width() * widths[6] - 6, rowH),
                             Qt::AlignRight | Qt::AlignVCenter, r.check);
        }
        y += rowH;
    }
    painter.setFont(style.smallFont);
    painter.setPen(p.muted);
    if (y + rowH <= rect.bottom() + 1) {
        painter.drawText(QRectF(rect.left(), y, rect.width(), rowH), Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(tr("red: below low · amber: below high · reserve: "
                                          "lowmem_reserve for the request's zone"),
                                       Qt::ElideRight, rect.width()));
        y += rowH;
    }
    return y - rect.top();
}

namespace {

// The zones whose free lists the histogram shows: those the request could use (highest first),
// else every zone with a buddy line; at most four.
std::vector<const MemInfoBuddy *> shownBuddies(const AnatomyData &data)
{
    std::vector<const MemInfoBuddy *> shown;
    for (const ZoneWatermarkCheck &c : data.anatomy.allocation.zones) {
        if (const MemInfoBuddy *b = data.snapshot.findBuddy(c.node, c.zone);
            b && !b->freeChunksByOrder.empty())
            shown.push_back(b);
    }
    if (shown.empty()) {
        for (const MemInfoBuddy &b : data.snapshot.buddy) {
            if (!b.freeChunksByOrder.empty())
                shown.push_back(&b);
        }
    }
    if (shown.size() > 4)
        shown.resize(4);
    return shown;
}

} // namespace

qreal paintBuddyHistogram(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                          const AnatomyStyle &style)
{
    const ChartPalette &p = style.palette;
    const std::vector<const MemInfoBuddy *> zones = shownBuddies(data);
    qreal y = rect.top() + titleRow(painter, rect, tr("Free lists: free memory by chunk size"), style);
    if (zones.empty())
        return y - rect.top();
    const QFontMetricsF fm(style.smallFont);
    int orders = 0;
    double maxKb = 1;
    for (const MemInfoBuddy *b : zones) {
        orders = std::max(orders, int(b->freeChunksByOrder.size()));
        for (std::size_t o = 0; o < b->freeChunksByOrder.size(); ++o)
            maxKb = std::max(maxKb, double(b->freeChunksByOrder[o]) * double(b->pageKb << o));
    }
    const qreal legendH = fm.height() + 4;
    // Room for the order labels and two legend lines below the bars.
    const qreal axisW = fm.horizontalAdvance(kb(std::int64_t(maxKb))) + 8;
    const QRectF plot(rect.left() + axisW, y + 4, rect.width() - axisW - 4,
                      std::max<qreal>(30, rect.bottom() - y - fm.height() - 2 * legendH - 10));
    const int order = data.anatomy.trigger.manual ? -1 : data.anatomy.trigger.order;
    const qreal slot = plot.width() / std::max(1, orders);
    // The requested order and everything above it (what would satisfy the request) shaded;
    // the costly order as a dashed line.
    if (order > 0 && order < orders)
        painter.fillRect(
            QRectF(plot.left() + slot * order, plot.top(), slot * (orders - order), plot.height()),
            withAlpha(p.series, 28));
    painter.setPen(QPen(p.grid, 1));
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.drawLine(plot.topLeft(), plot.bottomLeft());
    painter.setFont(style.smallFont);
    painter.setPen(p.muted);
    painter.drawText(QRectF(rect.left(), plot.top() - fm.height() / 2, axisW - 4, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, kb(std::int64_t(maxKb)));
    painter.drawText(QRectF(rect.left(), plot.bottom() - fm.height() / 2, axisW - 4, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, u"0"_s);
    const qreal barW = slot * 0.8 / qreal(zones.size());
    for (std::size_t z = 0; z < zones.size(); ++z) {
        const MemInfoBuddy &b = *zones[z];
        const QColor color = p.badness[z % p.badness.size()];
        for (std::size_t o = 0; o < b.freeChunksByOrder.size(); ++o) {
            const double freeKb = double(b.freeChunksByOrder[o]) * double(b.pageKb << o);
            const qreal h = plot.height() * freeKb / maxKb;
            // A list with some chunks stays visible as a sliver; an empty one is a gap.
            const qreal shown = freeKb > 0 ? std::max<qreal>(1.5, h) : 0;
            painter.fillRect(QRectF(plot.left() + slot * qreal(o) + slot * 0.1 + barW * qreal(z),
                                    plot.bottom() - shown, barW, shown),
                             color);
        }
    }
    const std::int64_t pageKb = zones.front()->pageKb;
    for (int o = 0; o < orders; ++o) {
        painter.setPen(o == order ? p.kill : p.muted);
        QFont f = style.smallFont;
        f.setBold(o == order);
        painter.setFont(f);
        painter.drawText(QRectF(plot.left() + slot * o, plot.bottom() + 2, slot, fm.height()),
                         Qt::AlignCenter, orderSize(o, pageKb));
    }
    if (kCostlyOrder < orders) {
        const qreal cx = plot.left() + slot * kCostlyOrder;
        painter.setPen(QPen(p.muted, 1, Qt::DashLine));
        painter.drawLine(QPointF(cx, plot.top()), QPointF(cx, plot.bottom()));
    }
    y = plot.bottom() + fm.height() + 4;
    // Legend: the zones, the request, the costly order.
    painter.setFont(style.smallFont);
    qreal x = rect.left() + axisW;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        const bool oneNode = std::all_of(zones.begin(), zones.end(),
                                         [](const MemInfoBuddy *b) { return b->node.value_or(0) == 0; });
        const QString name = oneNode ? zones[z]->zone : zoneName(zones[z]->node, zones[z]->zone);
        const qreal entryW = fm.height() + fm.horizontalAdvance(name) + 12;
        if (x + entryW > rect.right() && x > rect.left() + axisW) {
            x = rect.left() + axisW;
            y += legendH;
        }
        painter.fillRect(QRectF(x, y + 4, fm.height() * 0.7, fm.height() * 0.7),
                         p.badness[z % p.badness.size()]);
        painter.setPen(p.foreground);
        painter.drawText(QPointF(x + fm.height(), y + fm.ascent() + 2), name);
        x += fm.height() + fm.horizontalAdvance(name) + 12;
    }
    painter.setPen(p.muted);
    QString note = tr("dashed: costly order 3");
    if (order > 0)
        note = tr("shaded: chunks that fit the request · ") + note;
    else if (order == 0)
        note = tr("red: the request's size · ") + note;
    // Beside the zones when it fits, else on a line of its own.
    if (fm.horizontalAdvance(note) > rect.right() - x) {
        x = rect.left() + axisW;
        y += legendH;
    }
    painter.drawText(QRectF(x, y, rect.right() - x, legendH), Qt::AlignLeft | Qt::AlignVCenter,
                     fm.elidedText(note, Qt::ElideRight, std::max<qreal>(0, rect.right() - x)));
    return y + legendH - rect.top();
}

qreal paintSwapGauges(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                      const AnatomyStyle &style)
{
    const ChartPalette &p = style.palette;
    const SwapFacts &sw = data.anatomy.accounting.swap;
    qreal y = rect.top();
    const QRectF row(rect.left(), y, rect.width(), rect.height());
    if (sw.totalKb) {
        if (*sw.totalKb == 0) {
            y += paintGauge(painter, row, tr("Swap"), 0, {}, tr("none configured"), style);
        } else {
            const std::int64_t used = sw.usedKb.value_or(0);
            const std::int64_t cache = sw.cacheKb.value_or(0);
            const QString text = tr("%1 used · %2 cache · %3 free of %4")
                                     .arg(kb(used), kb(cache), kb(sw.freeKb.value_or(0)), kb(*sw.totalKb));
            y += paintGauge(painter, row, tr("Swap"), *sw.totalKb, {{used, p.kill}, {cache, p.warning}}, text,
                            style);
        }
    }
    if (data.memcgOom) {
        const QRectF next(rect.left(), y, rect.width(), rect.bottom() - y);
        const std::optional<bool> enabled = data.anatomy.accounting.memcgSwapEnabled;
        if (data.swap.present && !data.swap.unlimited() && data.swap.limitKb >= 0) {
            y += paintGauge(
                painter, next, tr("Cgroup swap"), data.swap.limitKb, {{data.swap.usageKb, p.kill}},
                data.swap.limitKb == 0 ? tr("swap.max is 0: the cgroup cannot swap")
                                       : tr("%1 of %2").arg(kb(data.swap.usageKb), kb(data.swap.limitKb)),
                style);
        } else if (data.memsw.present && !data.memsw.unlimited()) {
            y += paintGauge(painter, next, tr("Memory+swap"), data.memsw.limitKb,
                            {{data.memsw.usageKb, p.kill}},
                            tr("%1 of %2").arg(kb(data.memsw.usageKb), kb(data.memsw.limitKb)), style);
        } else if (enabled && !anatomySections(data).accounting) { // else in the counters table
            y += paintGauge(painter, next, tr("Cgroup swap"), 0, {},
                            !*enabled ? tr("the cgroup cannot swap")
                                : data.anatomy.accounting.swapRoom.value_or(false)
                                ? tr("the cgroup may swap (no swap limit)")
                                : tr("no swap limit, but no swap to use"),
                            style);
        }
    }
    return y - rect.top();
}

qreal paintMemoryAnatomy(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                         const AnatomyStyle &style)
{
    painter.save();
    const AnatomySections s = anatomySections(data);
    const QFontMetricsF fm(style.font);
    const qreal gap = 12;
    qreal y = rect.top();
    if (s.accounting)
        y += paintAccountingBar(painter, QRectF(rect.left(), y, rect.width(), rect.height() * 0.42), data,
                                style)
            + gap;
    if (s.swap)
        y += paintSwapGauges(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y), data, style)
            + gap / 2;
    const QStringList gaps = anatomyGaps(data);
    const qreal gapsH = gaps.isEmpty() ? 0 : (fm.height() + 2) * 2.2 * qreal(gaps.size());
    if (s.zones || s.buddy) {
        const qreal h = std::max<qreal>(60, rect.bottom() - y - gapsH);
        const bool both = s.zones && s.buddy;
        const qreal leftW = both ? rect.width() * 0.5 - gap / 2 : rect.width();
        qreal used = 0;
        if (s.zones)
            used = paintZoneTable(painter, QRectF(rect.left(), y, leftW, h), data, style);
        if (s.buddy) {
            const QRectF r = both ? QRectF(rect.left() + leftW + gap, y, rect.width() - leftW - gap, h)
                                  : QRectF(rect.left(), y, rect.width(), h);
            used = std::max(used, paintBuddyHistogram(painter, r, data, style));
        }
        y += std::max(used, both ? h : used) + gap / 2;
    } else if (s.accounting) {
        const qreal h = std::max<qreal>(60, rect.bottom() - y - gapsH);
        const qreal leftW = rect.width() * 0.56 - gap / 2;
        const qreal used = std::max(
            paintCategoryTable(painter, QRectF(rect.left(), y, leftW, h), data, style),
            paintCgroupCounters(painter, QRectF(rect.left() + leftW + gap, y, rect.width() - leftW - gap, h),
                                data, style));
        y += used + gap / 2;
    }
    painter.setFont(style.font);
    painter.setPen(style.palette.muted);
    for (const QString &g : gaps) {
        if (y >= rect.bottom())
            break;
        QRectF used;
        painter.drawText(QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
                         Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, g, &used);
        y += used.height() + 4;
    }
    painter.restore();
    return std::min(y, rect.bottom()) - rect.top();
}

} // namespace oomscope
