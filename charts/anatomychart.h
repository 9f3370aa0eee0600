// SPDX-License-Identifier: GPL-3.0-or-later
// The memory anatomy of one OOM report drawn with a QPainter, the same way on screen (the GUI's
// Memory tab) and in reports: where the memory went (a stacked bar against the limit or RAM),
// each zone's free memory against its watermarks, the buddy allocator's free lists with the
// requested order marked, and swap. Only what the report contained is drawn; what it did not
// contain is said in words (anatomyGaps), never shown as an empty table or axis.
#pragma once

#include "chartstyle.h"
#include "meminfosnapshot.h"
#include "memoryanatomy.h"
#include "oomevent.h"

#include <QFont>
#include <QRectF>
#include <QStringList>

#include <optional>

class QPainter;

namespace oomscope {

// The facts one drawing needs, gathered from a stored event (parse and analysis are cheap).
struct AnatomyData {
    MemInfoSnapshot snapshot;
    MemoryAnatomy anatomy;
    bool memcgOom = false; // the limit of a cgroup was hit (no zones or buddy lists apply)
    QString memcgPath;
    CounterLine memory; // the cgroup's counters as the report printed them
    CounterLine memsw;
    CounterLine swap;
    QString gfpMaskText; // as printed
};

AnatomyData anatomyOf(const OomEvent &event);

// Which parts have something to draw.
struct AnatomySections {
    bool accounting = false;
    bool zones = false;
    bool buddy = false;
    bool swap = false;
};
AnatomySections anatomySections(const AnatomyData &data);

// What the report did not contain, one plain sentence each ("No Mem-Info: …").
QStringList anatomyGaps(const AnatomyData &data);

// One line on the failed request: "order 0 (4 KiB) · zone Normal · node 0 · GFP_KERNEL".
QString anatomyRequestLine(const AnatomyData &data);

struct AnatomyStyle {
    ChartPalette palette;
    QFont font; // values and labels
    QFont smallFont; // legends, axis labels
    QFont titleFont; // section titles (bold)
    // A style from a base font (screen: the widget's; report: the bundled sans at pixel size).
    static AnatomyStyle from(const ChartPalette &palette, const QFont &base);
};

// The colour of an accounting category ("anon", "slab_unreclaimable", …, "unaccounted").
QColor accountingColor(const QString &category, const ChartPalette &palette);

// The whole drawing laid out in rect: accounting on top; swap; zones and buddy lists side by
// side (node-wide OOM), or the category and counter tables (cgroup OOM); then the gaps. Returns the height
// used.
qreal paintMemoryAnatomy(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                         const AnatomyStyle &style);

// The parts, each in its rect; each returns the height it used.
qreal paintAccountingBar(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                         const AnatomyStyle &style);
qreal paintZoneTable(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                     const AnatomyStyle &style);
qreal paintBuddyHistogram(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                          const AnatomyStyle &style);
qreal paintSwapGauges(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                      const AnatomyStyle &style);

// Without zones or buddy lists (a cgroup OOM), the room below goes to tables: the accounting
// category by category (kB, share of the limit or RAM, reclaimable; subsets after the top-level
// ones) and the counters the kernel printed (usage, limit, failcnt; swap in use; task RSS).
struct CategoryRow {
    QString name; // category name, or "unaccounted"
    QString label;
    std::int64_t kb = 0;
    double share = 0;
    bool reclaimable = false;
    bool part = false; // a subset of a top-level category ("of which dirty page cache")
};
std::vector<CategoryRow> categoryRows(const AnatomyData &data);
qreal paintCategoryTable(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                         const AnatomyStyle &style);
qreal paintCgroupCounters(QPainter &painter, const QRectF &rect, const AnatomyData &data,
                          const AnatomyStyle &style);

// The zones table's rows as text (also what a test reads): zone, free, min, low, high, reserve,
// state ("below min", "below low", "below high", "ok") and the request's check when the zone
// was usable ("fails", "passes", "").
struct ZoneRow {
    QString zone; // "Normal", or "N1 Normal" on a NUMA machine
    std::int64_t freeKb = 0, minKb = 0, lowKb = 0, highKb = 0;
    std::optional<std::int64_t> reserveKb; // lowmem_reserve for the request's zone
    QString state;
    QString check;
};
std::vector<ZoneRow> zoneRows(const AnatomyData &data);

} // namespace oomscope
