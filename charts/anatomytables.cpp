// SPDX-License-Identifier: GPL-3.0-or-later
// The tables of a cgroup's anatomy: its accounting category by category and the counters the
// kernel printed. A memcg OOM has no zones or buddy lists; these use that room.
#include "anatomychart.h"
#include "anatomyexplanation.h"
#include "anatomytext.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

using anatomytext::kb;
using anatomytext::tr;

QString share(std::int64_t partKb, std::int64_t totalKb)
{
    if (totalKb <= 0)
        return {};
    const double s = double(partKb) / double(totalKb);
    if (s > 0 && s < 0.001)
        return u"< 0.1 %"_s;
    return QString::number(s * 100.0, 'f', s < 0.1 ? 1 : 0) + u" %"_s;
}

qreal title(QPainter &painter, const QRectF &rect, const QString &text, const AnatomyStyle &style)
{
    painter.setFont(style.titleFont);
    painter.setPen(style.palette.foreground);
    const QFontMetricsF fm(style.titleFont);
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), fm.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(text, Qt::ElideRight, rect.width()));
    return fm.height() + 4;
}

// Rows of cells in columns given as shares of the width (first column left-aligned, the others
// right-aligned); a swatch before the first cell when the row has a colour.
struct TableRow {
    QStringList cells;
    QColor swatch; // invalid: none
    bool hatched = false;
    bool muted = false;
};

qreal paintRows(QPainter &painter, const QRectF &rect, const QStringList &header,
                const std::vector<qreal> &cols, const std::vector<TableRow> &rows, const AnatomyStyle &style)
{
    const QFontMetricsF fm(style.font);
    const qreal rowH = fm.height() + 5;
    const qreal sw = fm.height() * 0.7;
    auto cellRect = [&](int i, qreal y) {
        qreal x = rect.left();
        for (int c = 0; c < i; ++c)
            x += rect.width() * cols[size_t(c)];
        return QRectF(x + (i == 0 ? sw + 6 : 0), y, rect.width() * cols[size_t(i)] - (i == 0 ? sw + 6 : 6),
                      rowH);
    };
    qreal y = rect.top();
    painter.setFont(style.smallFont);
    painter.setPen(style.palette.muted);
    for (int i = 0; i < header.size(); ++i)
        painter.drawText(cellRect(i, y), (i == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter,
                         header[i]);
    y += rowH;
    painter.setPen(QPen(style.palette.border, 1));
    painter.drawLine(QPointF(rect.left(), y - 1), QPointF(rect.right(), y - 1));
    painter.setFont(style.font);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (y + 2 * rowH > rect.bottom() + 1 && r + 1 < rows.size()) {
            painter.setPen(style.palette.muted);
            painter.drawText(cellRect(0, y), Qt::AlignLeft | Qt::AlignVCenter,
                             tr("… %1 more").arg(int(rows.size() - r)));
            y += rowH;
            break;
        }
        const TableRow &row = rows[r];
        if (row.swatch.isValid()) {
            const QRectF box(rect.left(), y + (rowH - sw) / 2, sw, sw);
            painter.fillRect(box, row.swatch);
            if (row.hatched)
                painter.fillRect(box, QBrush(withAlpha(style.palette.background, 170), Qt::BDiagPattern));
            painter.setPen(QPen(style.palette.border, 1));
            painter.drawRect(box);
        }
        painter.setPen(row.muted ? style.palette.muted : style.palette.foreground);
        for (int i = 0; i < row.cells.size() && i < int(cols.size()); ++i) {
            const QRectF cell = cellRect(i, y);
            painter.drawText(cell, (i == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter,
                             fm.elidedText(row.cells[i], Qt::ElideRight, cell.width()));
        }
        y += rowH;
    }
    return y - rect.top();
}

QString limitText(const CounterLine &c)
{
    return c.unlimited() ? tr("unlimited") : kb(c.limitKb);
}

} // namespace

std::vector<CategoryRow> categoryRows(const AnatomyData &data)
{
    const MemoryAccounting &a = data.anatomy.accounting;
    std::vector<CategoryRow> rows;
    std::vector<CategoryRow> parts;
    std::optional<CategoryRow> free;
    for (const AccountingCategory &c : a.categories) {
        CategoryRow row {
            c.name, accountingCategoryLabel(c.name), c.kb, c.share, c.reclaimable, !c.partOf.isEmpty()};
        if (row.part)
            row.label = tr("of which %1").arg(row.label);
        if (row.part)
            parts.push_back(row);
        else if (c.name == u"free")
            free = row;
        else
            rows.push_back(row);
    }
    if (a.unaccountedKb > 0)
        rows.push_back({u"unaccounted"_s, tr("in no counter"), a.unaccountedKb,
                        a.totalKb > 0 ? double(a.unaccountedKb) / double(a.totalKb) : 0.0, false, false});
    if (free)
        rows.push_back(*free);
    rows.insert(rows.end(), parts.begin(), parts.end());
    return rows;
}

qreal paintCategoryTable(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                         const AnatomyStyle &style)
{
    const MemoryAccounting &a = data.anatomy.accounting;
    qreal y = rect.top() + title(painter, rect, tr("Category by category"), style);
    std::vector<TableRow> rows;
    for (const CategoryRow &c : categoryRows(data)) {
        const bool reclaimMatters = c.name != u"free" && c.name != u"unaccounted";
        rows.push_back({{c.label, kb(c.kb), share(c.kb, a.totalKb),
                         reclaimMatters ? (c.reclaimable ? tr("yes") : tr("no")) : QString()},
                        c.part ? QColor() : accountingColor(c.name, style.palette),
                        c.reclaimable && c.name != u"free",
                        c.part});
    }
    const QString whole = a.scope == AccountingScope::Cgroup ? tr("of limit") : tr("of RAM");
    y += paintRows(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
                   {tr("Category"), tr("Size"), whole, tr("Reclaimable")}, {0.46, 0.2, 0.14, 0.2}, rows,
                   style);
    return y - rect.top();
}

qreal paintCgroupCounters(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                          const AnatomyStyle &style)
{
    qreal y = rect.top() + title(painter, rect, tr("Counters at the kill"), style);
    std::vector<TableRow> rows;
    auto add = [&](const QString &name, const CounterLine &c) {
        if (c.present)
            rows.push_back(
                {{name, kb(c.usageKb), limitText(c), QString::number(c.failcnt)}, {}, false, false});
    };
    add(tr("memory"), data.memory);
    add(tr("memory+swap"), data.memsw);
    add(tr("swap"), data.swap);
    const MemoryAccounting &a = data.anatomy.accounting;
    if (a.swap.usedKb)
        rows.push_back({{tr("swap in use"), kb(*a.swap.usedKb), QString(), QString()}, {}, false, false});
    if (a.tasksRssKb)
        rows.push_back({{tr("task table RSS"), kb(*a.tasksRssKb), QString(), QString()}, {}, false, false});
    if (a.memcgSwapEnabled) {
        const QString room = !*a.memcgSwapEnabled ? tr("no (limit)")
            : a.swapRoom.value_or(false)          ? tr("yes")
                                                  : tr("no (no swap)");
        rows.push_back({{tr("could swap"), room, QString(), QString()}, {}, false, true});
    }
    y += paintRows(painter, QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
                   {tr("Counter"), tr("Usage"), tr("Limit"), tr("Failcnt")}, {0.36, 0.26, 0.24, 0.14}, rows,
                   style);
    return y - rect.top();
}

} // namespace oomscope
