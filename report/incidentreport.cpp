// SPDX-License-Identifier: GPL-3.0-or-later
// Debian's qcustomplot.h uses `foreach` in inline templates, which QT_NO_FOREACH forbids; lift the
// macro for that one include (the same trick as gui/qcustomplotinclude.h, which this library
// cannot include: the GUI depends on the report library, not the other way round). Must stay the
// first include.
#ifdef QT_NO_FOREACH
#undef QT_NO_FOREACH
#define OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif
#include <qcustomplot.h>
#undef foreach
#ifdef OOMSCOPE_RESTORE_QT_NO_FOREACH
#define QT_NO_FOREACH
#undef OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif

#include "incidentreport.h"
#include "samplestore.h"
#include "workspace.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

struct Palette {
    QColor background, foreground, muted, panel, border, grid, accent, usage, workingSet, demand, limit,
        trend, kill, victimRow, headerRow;
};

Palette paletteFor(ReportOptions::Theme theme)
{
    if (theme == ReportOptions::Theme::Dark)
        return {QColor(0x1e, 0x20, 0x24), QColor(0xe6, 0xe6, 0xe6), QColor(0x9a, 0xa0, 0xa8),
                QColor(0x2a, 0x2d, 0x33), QColor(0x44, 0x48, 0x50), QColor(0x3a, 0x3e, 0x46),
                QColor(0x6c, 0xa8, 0xf0), QColor(0x6c, 0xa8, 0xf0), QColor(0x5f, 0xc9, 0xb8),
                QColor(0xb0, 0x8c, 0xe8), QColor(0xff, 0x6b, 0x6b), QColor(0xf5, 0xb0, 0x41),
                QColor(0xff, 0x6b, 0x6b), QColor(0x5a, 0x2a, 0x2e), QColor(0x33, 0x37, 0x3e)};
    return {QColor(0xff, 0xff, 0xff), QColor(0x1f, 0x23, 0x28), QColor(0x5f, 0x66, 0x70),
            QColor(0xf4, 0xf6, 0xf8), QColor(0xd0, 0xd5, 0xdb), QColor(0xe3, 0xe6, 0xea),
            QColor(0x1f, 0x5f, 0xbf), QColor(0x1f, 0x5f, 0xbf), QColor(0x1a, 0x8f, 0x7e),
            QColor(0x7a, 0x4f, 0xc0), QColor(0xc6, 0x28, 0x28), QColor(0xd9, 0x82, 0x0b),
            QColor(0xc6, 0x28, 0x28), QColor(0xfd, 0xe4, 0xe4), QColor(0xe8, 0xec, 0xf0)};
}

QColor verdictColor(Verdict::Kind kind, const Palette &p)
{
    switch (kind) {
    case Verdict::Kind::Leak:
    case Verdict::Kind::Spike:
        return p.kill;
    case Verdict::Kind::Undersized:
        return p.trend;
    case Verdict::Kind::PageCache:
    case Verdict::Kind::Fits:
        return p.workingSet;
    case Verdict::Kind::InsufficientData:
        break;
    }
    return p.muted;
}

QString g_sansFamily = u"DejaVu Sans"_s;
QString g_monoFamily = u"DejaVu Sans Mono"_s;

// Pixel sizes, never point sizes: points would follow each device's DPI (screen, 300 dpi PDF).
QFont sansFont(qreal px, bool bold = false)
{
    QFont f(g_sansFamily);
    f.setPixelSize(std::max(1, int(std::lround(px))));
    f.setBold(bold);
    f.setHintingPreference(QFont::PreferNoHinting);
    f.setStyleStrategy(QFont::PreferAntialias);
    return f;
}

QFont monoFont(qreal px)
{
    QFont f(g_monoFamily);
    f.setPixelSize(std::max(1, int(std::lround(px))));
    f.setStyleHint(QFont::Monospace);
    f.setHintingPreference(QFont::PreferNoHinting);
    return f;
}

QString formatWallMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
}

QString eventTime(const OomEvent &e, std::optional<qint64> killMs)
{
    QStringList parts;
    if (killMs)
        parts << formatWallMs(*killMs);
    else if (e.wallTime)
        parts << e.wallTime->toUTC().toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
    if (e.uptimeSeconds)
        parts << u"uptime %1 s"_s.arg(*e.uptimeSeconds, 0, 'f', 3);
    return parts.isEmpty() ? u"time unknown"_s : parts.join(u" · "_s);
}

QString pagesToMiB(std::int64_t pages, std::int64_t pageSizeBytes)
{
    return QString::number(double(pages) * double(pageSizeBytes) / 1048576.0, 'f', 1);
}

QString verdictHeadline(const Verdict &v)
{
    QString word = verdictKindName(v.kind).toUpper().replace(u'_', u' ');
    return u"%1 · %2 % confidence"_s.arg(word).arg(int(std::lround(v.confidence * 100)));
}

// Verdict figures as (label, value) rows, for the page and the HTML.
std::vector<std::pair<QString, QString>> verdictRows(const Verdict &v)
{
    const Evidence &ev = v.evidence;
    std::vector<std::pair<QString, QString>> rows;
    rows.emplace_back(u"Trend of unreclaimable memory"_s,
                      u"%1 MiB/h (R² %2)"_s.arg(ev.slopeMiBPerHour, 0, 'f', 1).arg(ev.slopeR2, 0, 'f', 2));
    rows.emplace_back(u"Peak usage / limit"_s,
                      reportBytes(ev.peakUsageBytes) + u" / "_s
                          + (ev.limitBytes && *ev.limitBytes != MemorySample::kUnlimited
                                 ? reportBytes(*ev.limitBytes)
                                 : u"none"_s));
    if (ev.plateauPercentOfLimit)
        rows.emplace_back(u"Plateau (2nd half median)"_s,
                          u"%1 % of the limit"_s.arg(*ev.plateauPercentOfLimit, 0, 'f', 1));
    rows.emplace_back(u"Time at ≥ 90 % of the limit"_s, u"%1 s"_s.arg(ev.timeAtOrAbove90PercentS, 0, 'f', 1));
    if (v.timeToLimitS)
        rows.emplace_back(u"Line meets the limit"_s,
                          *v.timeToLimitS <= 0 ? u"already reached"_s : u"after %1 s"_s.arg(*v.timeToLimitS));
    rows.emplace_back(u"Kills / incarnations"_s, u"%1 / %2"_s.arg(ev.kills).arg(ev.incarnations));
    rows.emplace_back(u"Samples"_s,
                      u"%1 over %2 s (every %3 s)"_s.arg(ev.sampleCount)
                          .arg(double(ev.durationMs) / 1000.0, 0, 'f', 0)
                          .arg(ev.medianIntervalS, 0, 'g', 3));
    return rows;
}

QString limitAdvice(const Verdict &v)
{
    if (v.kind == Verdict::Kind::Leak)
        return u"No limit recommended: memory keeps growing (a leak). A bigger limit only delays the next "
               u"kill; "
               u"find what retains memory."_s;
    if (v.recommendedLimitBytes)
        return u"Recommended limit: %1 (peak demand %2 + headroom)"_s.arg(
            reportBytes(*v.recommendedLimitBytes), reportBytes(v.evidence.peakDemandBytes));
    return u"No limit advice: not enough data."_s;
}

std::vector<const RankedTask *> shownTasks(const KillDecision &d, int maxTasks)
{
    std::vector<const RankedTask *> shown;
    for (const RankedTask &r : d.ranking) {
        if (r.eligible && int(shown.size()) < maxTasks)
            shown.push_back(&r);
    }
    const bool victimShown = std::any_of(shown.begin(), shown.end(),
                                         [&](const RankedTask *r) { return r->task.pid == d.victimPid; });
    if (!victimShown) {
        for (const RankedTask &r : d.ranking) {
            if (r.task.pid == d.victimPid) {
                if (int(shown.size()) >= maxTasks && !shown.empty())
                    shown.pop_back();
                shown.push_back(&r);
                break;
            }
        }
    }
    return shown;
}

void styleAxis(QCPAxis *axis, const Palette &p)
{
    axis->setBasePen(QPen(p.muted, 1));
    axis->setTickPen(QPen(p.muted, 1));
    axis->setSubTickPen(QPen(p.muted, 1));
    axis->setTickLabelColor(p.foreground);
    axis->setLabelColor(p.foreground);
    axis->setTickLabelFont(sansFont(12));
    axis->setLabelFont(sansFont(13));
    axis->grid()->setPen(QPen(p.grid, 1, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

void styleLegend(QCustomPlot &plot, const Palette &p)
{
    plot.legend->setVisible(true);
    plot.legend->setFont(sansFont(12));
    plot.legend->setTextColor(p.foreground);
    QColor bg = p.background;
    bg.setAlpha(225);
    plot.legend->setBrush(bg);
    plot.legend->setBorderPen(QPen(p.border, 1));
}

// Builds the growth chart of a page into `plot` (not shown; drawn with toPainter).
void buildGrowthChart(QCustomPlot &plot, const ReportPage &page, const Palette &p)
{
    plot.setBackground(p.background);
    plot.axisRect()->setBackground(p.background);
    styleAxis(plot.xAxis, p);
    styleAxis(plot.yAxis, p);
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setTimeZone(QTimeZone::utc());
    ticker->setDateTimeFormat(u"HH:mm:ss"_s);
    ticker->setTickCount(6);
    plot.xAxis->setTicker(ticker);
    plot.xAxis->setLabel(u"time (UTC)"_s);
    plot.yAxis->setLabel(u"MiB"_s);

    auto addGraph = [&](const QString &name, const QColor &color, Qt::PenStyle style, double width) {
        QCPGraph *g = plot.addGraph();
        g->setName(name);
        g->setPen(QPen(color, width, style));
        g->setAdaptiveSampling(true);
        return g;
    };
    QCPGraph *demand = addGraph(u"unreclaimable (anon+shmem+kernel)"_s, p.demand, Qt::SolidLine, 1.2);
    QColor fill = p.demand;
    fill.setAlpha(50);
    demand->setBrush(fill);
    QCPGraph *usage = addGraph(u"usage"_s, p.usage, Qt::SolidLine, 2.0);
    QCPGraph *workingSet = addGraph(u"working set"_s, p.workingSet, Qt::DashLine, 1.4);
    QCPGraph *limit = addGraph(u"limit"_s, p.limit, Qt::DashLine, 1.6);
    limit->setLineStyle(QCPGraph::lsStepLeft);

    constexpr double kMiB = 1048576.0;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double maxMiB = 1;
    bool anyDemand = false;
    bool anyWorkingSet = false;
    bool anyLimit = false;
    for (const MemorySample &s : page.samples) {
        const double key = double(s.timestampMs) / 1000.0;
        auto value = [&](std::int64_t bytes) {
            return MemorySample::known(bytes) ? double(bytes) / kMiB : nan;
        };
        usage->addData(key, value(s.usageBytes));
        const std::int64_t ws = s.workingSetBytes();
        const std::int64_t un = s.unreclaimableBytes();
        workingSet->addData(key, value(ws));
        demand->addData(key, value(un));
        anyWorkingSet = anyWorkingSet || MemorySample::known(ws);
        anyDemand = anyDemand || MemorySample::known(un);
        const bool limited = MemorySample::known(s.limitBytes) && s.limitBytes != MemorySample::kUnlimited;
        limit->addData(key, limited ? double(s.limitBytes) / kMiB : nan);
        anyLimit = anyLimit || limited;
        for (std::int64_t v : {s.usageBytes, limited ? s.limitBytes : MemorySample::kUnknown})
            if (MemorySample::known(v))
                maxMiB = std::max(maxMiB, double(v) / kMiB);
    }
    if (!anyDemand)
        demand->removeFromLegend();
    if (!anyWorkingSet)
        workingSet->removeFromLegend();
    if (!anyLimit)
        limit->removeFromLegend();

    if (page.verdict && page.verdict->trend.valid) {
        const TrendLine &t = page.verdict->trend;
        QCPGraph *trend =
            addGraph(u"trend (%1)"_s.arg(verdictKindName(page.verdict->kind)), p.trend, Qt::DotLine, 2.0);
        const qint64 from = std::max(t.startMs, page.fromMs);
        const qint64 to = std::min(t.endMs, page.toMs);
        if (from < to) {
            trend->addData(double(from) / 1000.0, t.valueAt(from) / kMiB);
            trend->addData(double(to) / 1000.0, t.valueAt(to) / kMiB);
        }
    }

    for (qint64 killMs : page.killTimesMs) {
        const bool selected = page.killMs && *page.killMs == killMs;
        auto *line = new QCPItemStraightLine(&plot);
        line->point1->setCoords(double(killMs) / 1000.0, 0);
        line->point2->setCoords(double(killMs) / 1000.0, 1);
        line->setPen(QPen(p.kill, selected ? 2.2 : 1.2, selected ? Qt::SolidLine : Qt::DashLine));
        if (selected) {
            auto *label = new QCPItemText(&plot);
            label->setClipToAxisRect(false);
            label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            label->position->setCoords(double(killMs) / 1000.0, 0.0);
            // Beside the line, on the side with more room.
            const bool rightHalf = double(killMs - page.fromMs) > 0.5 * double(page.toMs - page.fromMs);
            label->setPositionAlignment((rightHalf ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
            label->setPadding(rightHalf ? QMargins(4, 4, 6, 2) : QMargins(6, 4, 4, 2));
            label->setColor(p.kill);
            label->setFont(sansFont(12, true));
            label->setText(page.event && page.event->victim.present
                               ? u"OOM kill: "_s + page.event->victim.comm
                               : u"OOM kill"_s);
        }
    }

    plot.xAxis->setRange(double(page.fromMs) / 1000.0, double(page.toMs) / 1000.0);
    plot.yAxis->setRange(0, maxMiB * 1.08);
    styleLegend(plot, p);
    // Below the axis rect, in one row: inside it, it would hide the climb or the kill label.
    plot.axisRect()->insetLayout()->take(plot.legend);
    plot.plotLayout()->addElement(1, 0, plot.legend);
    plot.plotLayout()->setRowStretchFactor(1, 0.001);
    plot.legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot.legend->setBorderPen(Qt::NoPen);
    plot.legend->setBrush(Qt::NoBrush);
    plot.legend->setMargins(QMargins(4, 0, 4, 2));
}

void buildBadnessChart(QCustomPlot &plot, const KillDecision &d, int maxTasks, const Palette &p)
{
    plot.setBackground(p.background);
    plot.axisRect()->setBackground(p.background);
    styleAxis(plot.xAxis, p);
    styleAxis(plot.yAxis, p);
    plot.yAxis->setRangeReversed(true);
    plot.yAxis->grid()->setVisible(false);
    plot.yAxis->setTickLength(0, 0);
    plot.yAxis->setSubTicks(false);
    plot.xAxis->setLabel(u"badness points (1 point = 1 page)"_s);
    plot.xAxis->setNumberFormat(u"f"_s);
    plot.xAxis->setNumberPrecision(0);

    auto addBars = [&](const QString &name, const QColor &color) {
        auto *bars = new QCPBars(plot.yAxis, plot.xAxis);
        bars->setName(name);
        bars->setWidth(0.62);
        bars->setPen(QPen(color.darker(125), 0.8));
        bars->setBrush(color);
        bars->setStackingGap(0);
        return bars;
    };
    QCPBars *rss = addBars(u"RSS"_s, QColor(0x42, 0x7a, 0xc9));
    QCPBars *swap = addBars(u"Swap"_s, QColor(0x8e, 0x5e, 0xc2));
    QCPBars *pgtables = addBars(u"Page tables"_s, QColor(0x2a, 0x9d, 0x8f));
    QCPBars *adj = addBars(u"oom_score_adj"_s, QColor(0xf0, 0x8c, 0x2e));
    QCPBars *bonus = addBars(u"Root bonus"_s, QColor(0x9e, 0x9e, 0x9e));
    swap->moveAbove(rss);
    pgtables->moveAbove(swap);
    adj->moveAbove(pgtables);
    bonus->moveAbove(adj);

    const std::vector<const RankedTask *> shown = shownTasks(d, maxTasks);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double maxValue = 1;
    double minValue = 0;
    for (int i = 0; i < int(shown.size()); ++i) {
        const RankedTask &r = *shown[size_t(i)];
        const double key = i + 1;
        rss->addData(key, double(r.rssPages));
        swap->addData(key, double(r.swapPages));
        pgtables->addData(key, double(r.pageTablePages));
        adj->addData(key, double(r.adjPoints));
        bonus->addData(key, double(r.rootBonusPoints));
        maxValue = std::max({maxValue,
                             double(r.rssPages + r.swapPages + r.pageTablePages)
                                 + double(std::max<std::int64_t>(0, r.adjPoints)),
                             double(r.points)});
        minValue = std::min(
            {minValue,
             double(std::min<std::int64_t>(0, r.adjPoints) + std::min<std::int64_t>(0, r.rootBonusPoints))});
        QString label = r.task.comm + u" ("_s + QString::number(r.task.pid) + u')';
        if (r.task.pid == d.victimPid)
            label = u"▶ "_s + label;
        ticker->addTick(key, label);
    }
    plot.legend->clearItems();
    for (QCPBars *bars : {rss, swap, pgtables, adj, bonus}) {
        bool any = false;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            any = any || it->value != 0;
        if (any)
            bars->addToLegend();
    }
    plot.yAxis->setTicker(ticker);
    plot.yAxis->setTickLabelFont(sansFont(12));
    plot.yAxis->setRange(0.4, double(std::max<std::size_t>(1, shown.size())) + 0.6);
    const double span = std::max(1.0, maxValue - minValue);
    plot.xAxis->setRange(minValue - (minValue < 0 ? span * 0.04 : 0), maxValue + span * 0.06);
    styleLegend(plot, p);
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
}

void drawPlot(QCPPainter &painter, QCustomPlot &plot, const QRectF &rect, bool vector)
{
    painter.save();
    painter.translate(rect.topLeft());
    painter.setMode(QCPPainter::pmVectorized, vector);
    plot.toPainter(&painter, int(rect.width()), int(rect.height()));
    painter.restore();
}

struct Layout {
    QRectF header, chart, verdict, table, bars, explanation, raw;
};

Layout layoutFor(double w, double h)
{
    const double m = 36;
    const double gap = 16;
    const double headerH = 96;
    const double contentW = w - 2 * m;
    const double leftW = contentW * 0.58;
    const double rightW = contentW - leftW - gap;
    const double rightX = m + leftW + gap;
    const double top = m + headerH + gap;
    const double rawH = std::max(150.0, (h - top - m) * 0.30);
    const double bodyH = h - top - m - rawH - gap;
    Layout l;
    l.header = QRectF(m, m, contentW, headerH);
    l.chart = QRectF(m, top, leftW, bodyH * 0.58);
    l.verdict = QRectF(m, l.chart.bottom() + gap, leftW * 0.55 - gap / 2, bodyH - l.chart.height() - gap);
    l.explanation =
        QRectF(l.verdict.right() + gap, l.verdict.top(), leftW - l.verdict.width() - gap, l.verdict.height());
    l.table = QRectF(rightX, top, rightW, bodyH * 0.50); // shrunk to its rows in paintPage
    l.bars = QRectF(rightX, l.table.bottom() + gap, rightW, bodyH - l.table.height() - gap);
    l.raw = QRectF(m, h - m - rawH, contentW, rawH);
    return l;
}

void drawPanel(QPainter &painter, const QRectF &rect, const QString &title, const Palette &p)
{
    painter.setPen(QPen(p.border, 1));
    painter.setBrush(p.panel);
    painter.drawRoundedRect(rect, 6, 6);
    if (!title.isEmpty()) {
        painter.setPen(p.muted);
        painter.setFont(sansFont(12, true));
        painter.drawText(rect.adjusted(12, 8, -12, 0), Qt::AlignLeft | Qt::AlignTop, title.toUpper());
    }
}

// Draws wrapped text into rect, returns the height used.
qreal drawWrapped(QPainter &painter, const QRectF &rect, const QString &text, const QFont &font,
                  const QColor &color)
{
    painter.setFont(font);
    painter.setPen(color);
    QRectF used;
    painter.drawText(rect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text, &used);
    return std::min(used.height(), rect.height());
}

void paintHeader(QPainter &painter, const QRectF &r, const ReportPage &page, const Palette &p)
{
    painter.setPen(p.foreground);
    painter.setFont(sansFont(26, true));
    painter.drawText(QRectF(r.left(), r.top(), r.width(), 36), Qt::AlignLeft | Qt::AlignVCenter, page.title);
    QStringList line1;
    QStringList line2;
    if (page.event) {
        const OomEvent &e = *page.event;
        line1 << u"Host: "_s + (e.host.isEmpty() ? u"unknown"_s : e.host);
        const QString cgroup =
            !e.oomMemcg.isEmpty() ? e.oomMemcg : (!e.taskMemcg.isEmpty() ? e.taskMemcg : page.cgroupPath);
        line1 << u"cgroup: "_s + (cgroup.isEmpty() ? u"(global OOM)"_s : cgroup);
        line1 << u"Time: "_s + eventTime(e, page.killMs);
        line2 << u"Kernel: "_s + (e.kernelRelease.isEmpty() ? u"release not printed"_s : e.kernelRelease);
        line2 << u"Format: "_s + e.kernelFormat();
        line2 << u"Constraint: "_s + constraintName(e.constraint);
        if (e.memory.present && !e.memory.unlimited())
            line2 << u"usage %1 of limit %2"_s.arg(reportBytes(e.memory.usageKb * 1024),
                                                   reportBytes(e.memory.limitKb * 1024));
        line2 << u"Triggered by: "_s + (e.triggerComm.isEmpty() ? u"?"_s : e.triggerComm);
    } else {
        line1 << u"cgroup: "_s + page.cgroupPath;
        line1 << u"From "_s + formatWallMs(page.fromMs) + u" to "_s + formatWallMs(page.toMs);
        line2 << u"No OOM kill placed in this range"_s;
    }
    painter.setFont(sansFont(14));
    painter.setPen(p.foreground);
    painter.drawText(QRectF(r.left(), r.top() + 42, r.width(), 22), Qt::AlignLeft | Qt::AlignVCenter,
                     line1.join(u"   ·   "_s));
    painter.setPen(p.muted);
    painter.drawText(QRectF(r.left(), r.top() + 66, r.width(), 22), Qt::AlignLeft | Qt::AlignVCenter,
                     line2.join(u"   ·   "_s));
    painter.setPen(QPen(p.border, 1));
    painter.drawLine(QPointF(r.left(), r.bottom() + 4), QPointF(r.right(), r.bottom() + 4));
}

void paintVerdict(QPainter &painter, const QRectF &r, const ReportPage &page, const Palette &p)
{
    drawPanel(painter, r, u"Verdict on the charted range"_s, p);
    QRectF inner = r.adjusted(12, 30, -12, -10);
    if (!page.verdict) {
        drawWrapped(painter, inner, u"No verdict: no memory samples for this cgroup around the kill."_s,
                    sansFont(14), p.muted);
        return;
    }
    const Verdict &v = *page.verdict;
    // The verdict word as a coloured pill.
    const QString headline = verdictHeadline(v);
    painter.setFont(sansFont(17, true));
    const QFontMetricsF fm(painter.font());
    const QRectF pill(inner.left(), inner.top(), fm.horizontalAdvance(headline) + 20, 28);
    painter.setPen(Qt::NoPen);
    painter.setBrush(verdictColor(v.kind, p));
    painter.drawRoundedRect(pill, 14, 14);
    painter.setPen(Qt::white);
    painter.drawText(pill, Qt::AlignCenter, headline);
    qreal y = pill.bottom() + 8;

    painter.setFont(sansFont(13));
    const qreal rowH = 19;
    for (const auto &[label, value] : verdictRows(v)) {
        if (y + rowH > inner.bottom() - 44)
            break;
        painter.setPen(p.muted);
        painter.drawText(QRectF(inner.left(), y, inner.width() * 0.52, rowH),
                         Qt::AlignLeft | Qt::AlignVCenter, label);
        painter.setPen(p.foreground);
        painter.drawText(QRectF(inner.left() + inner.width() * 0.52, y, inner.width() * 0.48, rowH),
                         Qt::AlignLeft | Qt::AlignVCenter, value);
        y += rowH;
    }
    y += 4;
    const QColor adviceColor = v.kind == Verdict::Kind::Leak ? p.kill : p.foreground;
    drawWrapped(painter, QRectF(inner.left(), y, inner.width(), inner.bottom() - y), limitAdvice(v),
                sansFont(13, true), adviceColor);
}

void paintExplanation(QPainter &painter, const QRectF &r, const ReportPage &page, const Palette &p)
{
    drawPanel(painter, r, u"Why this process"_s, p);
    const QRectF inner = r.adjusted(12, 30, -12, -10);
    QString text;
    if (page.decision)
        text = page.decision->explanation;
    if (page.verdict && !page.verdict->summary.isEmpty())
        text += (text.isEmpty() ? QString() : u"\n\n"_s) + page.verdict->summary;
    if (text.isEmpty())
        text = u"No kill in this range."_s;
    drawWrapped(painter, inner, text, sansFont(13), p.foreground);
}

void paintTable(QPainter &painter, const QRectF &r, const ReportPage &page, const ReportOptions &options,
                const Palette &p)
{
    drawPanel(painter, r, u"Kill decision (recomputed badness)"_s, p);
    const QRectF inner = r.adjusted(10, 30, -10, -8);
    if (!page.decision || page.decision->ranking.empty()) {
        drawWrapped(painter, inner, u"The report has no task table."_s, sansFont(13), p.muted);
        return;
    }
    const KillDecision &d = *page.decision;
    const std::int64_t pageSize = page.event ? page.event->pageSizeBytes : 4096;
    const std::vector<const RankedTask *> shown = shownTasks(d, options.maxTasks);
    // Column widths as fractions of the table: rank, pid, comm, rss MiB, swap MiB, adj, points, share.
    const std::array<double, 8> widths {0.05, 0.11, 0.26, 0.12, 0.12, 0.08, 0.14, 0.12};
    const std::array<QString, 8> headers {u"#"_s,        u"pid"_s, u"comm"_s,   u"rss MiB"_s,
                                          u"swap MiB"_s, u"adj"_s, u"points"_s, u"share"_s};
    const qreal rowH = std::min<qreal>(22, inner.height() / qreal(shown.size() + 2));
    auto drawRow = [&](qreal y, const std::array<QString, 8> &cells, bool bold) {
        qreal x = inner.left();
        painter.setFont(sansFont(std::min<qreal>(13, rowH * 0.62), bold));
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const qreal cw = inner.width() * widths[c];
            const Qt::Alignment align = (c == 2 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter;
            const QString text = painter.fontMetrics().elidedText(cells[c], Qt::ElideRight, int(cw - 8));
            painter.drawText(QRectF(x + 4, y, cw - 8, rowH), align, text);
            x += cw;
        }
    };
    qreal y = inner.top();
    painter.fillRect(QRectF(inner.left(), y, inner.width(), rowH), p.headerRow);
    painter.setPen(p.foreground);
    drawRow(y, headers, true);
    y += rowH;
    for (const RankedTask *t : shown) {
        const bool victim = t->task.pid == d.victimPid;
        if (victim)
            painter.fillRect(QRectF(inner.left(), y, inner.width(), rowH), p.victimRow);
        painter.setPen(victim ? p.kill : p.foreground);
        drawRow(y,
                {QString::number(t->rank), QString::number(t->task.pid),
                 (victim ? u"▶ "_s : QString()) + t->task.comm, pagesToMiB(t->rssPages, pageSize),
                 pagesToMiB(t->swapPages, pageSize), QString::number(t->task.oomScoreAdj),
                 QString::number(t->points), QString::number(t->share * 100, 'f', 1) + u" %"_s},
                victim);
        y += rowH;
    }
    const int eligible = int(
        std::count_if(d.ranking.begin(), d.ranking.end(), [](const RankedTask &t) { return t.eligible; }));
    painter.setPen(p.muted);
    painter.setFont(sansFont(12));
    const QString foot = u"%1 of %2 candidates · %3 · kernel %4 the recomputation"_s.arg(shown.size())
                             .arg(eligible)
                             .arg(badnessEraName(d.era), d.agrees ? u"agrees with"_s : u"disagrees with"_s);
    painter.drawText(QRectF(inner.left(), y + 2, inner.width(), rowH), Qt::AlignLeft | Qt::AlignVCenter,
                     painter.fontMetrics().elidedText(foot, Qt::ElideRight, int(inner.width())));
}

void paintRawLines(QPainter &painter, const QRectF &r, const ReportPage &page, const ReportOptions &options,
                   const Palette &p)
{
    drawPanel(painter, r, u"Kernel report (raw lines)"_s, p);
    const QRectF inner = r.adjusted(12, 30, -12, -8);
    if (!page.event) {
        drawWrapped(painter, inner, u"No kill in this range."_s, sansFont(13), p.muted);
        return;
    }
    const QFont font = monoFont(11);
    painter.setFont(font);
    const QFontMetricsF fm(font);
    const qreal lineH = fm.height();
    // Two columns: the report is long and narrow, the panel wide and low.
    const int perColumn = std::max(1, int(inner.height() / lineH));
    const int capacity = std::max(3, std::min(options.maxRawLines, perColumn * 2));
    const auto &lines = page.event->rawLines;
    const int total = int(lines.size());
    // Too long: the first lines (who invoked the killer, the kernel) and the end (task table,
    // kill line) matter most; the cut in between is the stack trace and Mem-Info.
    std::vector<QString> shown;
    QString cut;
    if (total <= capacity) {
        for (const RawLine &l : lines)
            shown.push_back(l.text);
    } else {
        const int head = std::min(3, capacity / 4);
        const int tail = capacity - head - 1;
        for (int i = 0; i < head; ++i)
            shown.push_back(lines[size_t(i)].text);
        cut = u"… %1 more lines"_s.arg(total - head - tail);
        shown.push_back(cut);
        for (int i = total - tail; i < total; ++i)
            shown.push_back(lines[size_t(i)].text);
    }
    const qreal colW = (inner.width() - 16) / 2;
    for (int i = 0; i < int(shown.size()); ++i) {
        const int col = i / perColumn;
        const int row = i % perColumn;
        const bool isCut = !cut.isEmpty() && shown[size_t(i)] == cut && i == std::min(3, capacity / 4);
        painter.setPen(isCut ? p.muted : p.foreground);
        painter.drawText(QPointF(inner.left() + col * (colW + 16), inner.top() + row * lineH + fm.ascent()),
                         fm.elidedText(shown[size_t(i)], Qt::ElideRight, colW));
    }
}

} // namespace

QString reportBytes(std::int64_t bytes)
{
    const double b = double(bytes);
    if (std::abs(b) >= 1024.0 * 1048576.0)
        return QString::number(b / (1024.0 * 1048576.0), 'f', 2) + u" GiB"_s;
    if (std::abs(b) >= 1048576.0)
        return QString::number(b / 1048576.0, 'f', 1) + u" MiB"_s;
    return QString::number(b / 1024.0, 'f', 0) + u" KiB"_s;
}

// ---- Gathering --------------------------------------------------------------------------------

namespace {

void fillChart(SampleStore &store, ReportPage &page, qint64 seriesId, qint64 fromMs, qint64 toMs)
{
    // A kill near the end of a short recording would leave most of the chart empty: keep to the
    // data, with a little room either side.
    if (const auto range = store.timeRange(seriesId)) {
        const qint64 pad = std::max<qint64>(1000, (range->second - range->first) / 40);
        fromMs = std::max(fromMs, range->first - pad);
        toMs = std::min(toMs, range->second + pad);
    }
    page.fromMs = fromMs;
    page.toMs = toMs;
    page.samples = store.samples(seriesId, fromMs, toMs);
    for (const EventPlacement &pl : store.placements(seriesId)) {
        if (pl.timeMs >= fromMs && pl.timeMs <= toMs)
            page.killTimesMs.push_back(pl.timeMs);
    }
    if (page.samples.empty()) {
        page.chartNote = u"No memory samples of %1 in this range."_s.arg(page.cgroupPath);
        return;
    }
    page.verdict = classify(page.samples, {}, page.killTimesMs);
}

} // namespace

std::optional<ReportPage> reportPageForEvent(Workspace &workspace, qint64 eventId,
                                             const ReportOptions &options, QString *error)
{
    std::optional<OomEvent> event = workspace.event(eventId);
    if (!event) {
        if (error)
            *error = u"no event with id %1 in the workspace"_s.arg(eventId);
        return std::nullopt;
    }
    ReportPage page;
    page.decision = decideKill(*event);
    page.title = event->victim.present
        ? u"OOM kill of %1 (pid %2)"_s.arg(event->victim.comm).arg(event->victim.pid)
        : u"OOM report without a kill"_s;
    SampleStore store(workspace);
    const std::vector<EventPlacement> placements = store.placementsOfEvent(eventId);
    if (!placements.empty()) {
        const EventPlacement &pl = placements.front();
        if (const std::optional<SeriesInfo> info = store.seriesInfo(pl.seriesId))
            page.cgroupPath = info->cgroupPath;
        page.killMs = pl.timeMs;
        page.event = std::move(event);
        fillChart(store, page, pl.seriesId, pl.timeMs - options.contextMs, pl.timeMs + options.contextMs);
    } else {
        page.event = std::move(event);
        page.chartNote =
            u"No memory samples: this event is not placed on a recorded cgroup. Import the recording "
            u"(--samples) together with the log to see memory growth."_s;
    }
    return page;
}

std::optional<ReportPage> reportPageForRange(Workspace &workspace, const QString &cgroupPath, qint64 fromMs,
                                             qint64 toMs, const ReportOptions &options, QString *error)
{
    Q_UNUSED(options);
    SampleStore store(workspace);
    std::optional<SeriesInfo> found;
    for (const SeriesInfo &s : store.series()) {
        if (s.cgroupPath == cgroupPath
            && (!found || (s.firstMs && s.lastMs && *s.firstMs <= toMs && *s.lastMs >= fromMs)))
            found = s;
    }
    if (!found) {
        if (error)
            *error = u"no recorded cgroup '%1' in the workspace"_s.arg(cgroupPath);
        return std::nullopt;
    }
    if (fromMs >= toMs) {
        if (error)
            *error = u"empty time range (--from must be before --to)"_s;
        return std::nullopt;
    }
    ReportPage page;
    page.cgroupPath = cgroupPath;
    page.title = u"Memory of %1"_s.arg(cgroupPath);
    std::optional<EventPlacement> last;
    for (const EventPlacement &pl : store.placements(found->id)) {
        if (pl.timeMs >= fromMs && pl.timeMs <= toMs)
            last = pl;
    }
    if (last) {
        page.event = workspace.event(last->eventId);
        if (page.event) {
            page.decision = decideKill(*page.event);
            page.killMs = last->timeMs;
            if (page.event->victim.present)
                page.title =
                    u"OOM kill of %1 (pid %2)"_s.arg(page.event->victim.comm).arg(page.event->victim.pid);
        }
    }
    fillChart(store, page, found->id, fromMs, toMs);
    return page;
}

// ---- Rendering --------------------------------------------------------------------------------

bool IncidentReport::loadFonts()
{
    static int loaded = -1;
    if (loaded >= 0)
        return loaded == 1;
    bool ok = true;
    for (const QString &file :
         {u":/oomscope/fonts/DejaVuSans.ttf"_s, u":/oomscope/fonts/DejaVuSans-Bold.ttf"_s,
          u":/oomscope/fonts/DejaVuSansMono.ttf"_s}) {
        const int id = QFontDatabase::addApplicationFont(file);
        ok = ok && id >= 0;
        if (id >= 0 && file.contains(u"Mono"_s) && !QFontDatabase::applicationFontFamilies(id).isEmpty())
            g_monoFamily = QFontDatabase::applicationFontFamilies(id).constFirst();
        else if (id >= 0 && !QFontDatabase::applicationFontFamilies(id).isEmpty())
            g_sansFamily = QFontDatabase::applicationFontFamilies(id).constFirst();
    }
    loaded = ok ? 1 : 0;
    return ok;
}

QString IncidentReport::sansFamily()
{
    return g_sansFamily;
}

QString IncidentReport::monoFamily()
{
    return g_monoFamily;
}

void IncidentReport::paintPage(QCPPainter &painter, const ReportPage &page, const ReportOptions &options,
                               bool vector)
{
    loadFonts();
    const Palette p = paletteFor(options.theme);
    const double w = options.widthPx;
    const double h = options.heightPx;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    painter.fillRect(QRectF(0, 0, w, h), p.background);
    Layout l = layoutFor(w, h);
    if (page.decision) {
        // A short ranking leaves its room to the bar chart.
        const int rows = int(shownTasks(*page.decision, options.maxTasks).size());
        const qreal needed = 30 + 8 + 22.0 * (rows + 2) + 4;
        const qreal bottom = l.bars.bottom();
        l.table.setHeight(std::clamp<qreal>(needed, 120, l.table.height()));
        l.bars.setTop(l.table.bottom() + 16);
        l.bars.setBottom(bottom);
    }

    paintHeader(painter, l.header, page, p);

    if (!page.samples.empty()) {
        QCustomPlot plot;
        buildGrowthChart(plot, page, p);
        drawPlot(painter, plot, l.chart, vector);
    } else {
        drawPanel(painter, l.chart, u"Memory around the kill"_s, p);
        drawWrapped(painter, l.chart.adjusted(16, 40, -16, -16), page.chartNote, sansFont(14), p.muted);
    }
    paintVerdict(painter, l.verdict, page, p);
    paintExplanation(painter, l.explanation, page, p);
    paintTable(painter, l.table, page, options, p);
    if (page.decision && !page.decision->ranking.empty()) {
        QCustomPlot plot;
        buildBadnessChart(plot, *page.decision, options.maxTasks, p);
        drawPlot(painter, plot, l.bars, vector);
    } else {
        drawPanel(painter, l.bars, u"Badness by component"_s, p);
    }
    paintRawLines(painter, l.raw, page, options, p);
    painter.restore();
}

namespace {

QImage newImage(QSize logical, double scale, const QColor &background)
{
    QImage image(QSize(int(std::lround(logical.width() * scale)), int(std::lround(logical.height() * scale))),
                 QImage::Format_RGB32);
    // A fixed resolution, so nothing depends on the screen (96 dpi times the scale).
    image.setDotsPerMeterX(int(std::lround(3780 * scale)));
    image.setDotsPerMeterY(int(std::lround(3780 * scale)));
    image.fill(background);
    return image;
}

} // namespace

QImage IncidentReport::renderImage(const std::vector<ReportPage> &pages, const ReportOptions &options)
{
    loadFonts();
    const Palette p = paletteFor(options.theme);
    const int count = std::max<int>(1, int(pages.size()));
    QImage image = newImage(QSize(options.widthPx, options.heightPx * count), options.scale, p.background);
    QCPPainter painter(&image);
    // Text sizes are fixed: a narrow page is laid out 1400 wide and scaled down to fit.
    const double fit = std::min(1.0, double(options.widthPx) / 1400.0);
    ReportOptions layout = options;
    layout.widthPx = int(std::lround(options.widthPx / fit));
    layout.heightPx = int(std::lround(options.heightPx / fit));
    painter.scale(options.scale * fit, options.scale * fit);
    for (int i = 0; i < int(pages.size()); ++i) {
        painter.save();
        painter.translate(0, double(i) * layout.heightPx);
        paintPage(painter, pages[size_t(i)], layout, false);
        painter.restore();
    }
    painter.end();
    return image;
}

QImage IncidentReport::renderGrowthChart(const ReportPage &page, const ReportOptions &options,
                                         QSize logicalSize)
{
    loadFonts();
    const Palette p = paletteFor(options.theme);
    QImage image = newImage(logicalSize, options.scale, p.background);
    if (page.samples.empty())
        return image;
    QCustomPlot plot;
    buildGrowthChart(plot, page, p);
    QCPPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.scale(options.scale, options.scale);
    drawPlot(painter, plot, QRectF(QPointF(0, 0), QSizeF(logicalSize)), false);
    return image;
}

QImage IncidentReport::renderBadnessChart(const ReportPage &page, const ReportOptions &options,
                                          QSize logicalSize)
{
    loadFonts();
    const Palette p = paletteFor(options.theme);
    QImage image = newImage(logicalSize, options.scale, p.background);
    if (!page.decision)
        return image;
    QCustomPlot plot;
    buildBadnessChart(plot, *page.decision, options.maxTasks, p);
    QCPPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.scale(options.scale, options.scale);
    drawPlot(painter, plot, QRectF(QPointF(0, 0), QSizeF(logicalSize)), false);
    return image;
}

bool IncidentReport::isSupportedOutput(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"png"_s || suffix == u"pdf"_s || suffix == u"html"_s || suffix == u"htm"_s;
}

bool IncidentReport::write(const std::vector<ReportPage> &pages, const QString &path,
                           const ReportOptions &options, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"png"_s)
        return writePng(pages, path, options, error);
    if (suffix == u"pdf"_s)
        return writePdf(pages, path, options, error);
    if (suffix == u"html"_s || suffix == u"htm"_s)
        return writeHtml(pages, path, options, error);
    if (error)
        *error = u"%1: unsupported output type '.%2' (use .png, .pdf or .html)"_s.arg(path, suffix);
    return false;
}

bool IncidentReport::writePng(const std::vector<ReportPage> &pages, const QString &path,
                              const ReportOptions &options, QString *error)
{
    const QImage image = renderImage(pages, options);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        if (error)
            *error = u"%1: cannot write: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

bool IncidentReport::writePdf(const std::vector<ReportPage> &pages, const QString &path,
                              const ReportOptions &options, QString *error)
{
    loadFonts();
    QPdfWriter writer(path);
    writer.setResolution(300);
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape, QMarginsF(0, 0, 0, 0)));
    writer.setCreator(u"oomscope " OOMSCOPE_VERSION ""_s);
    writer.setTitle(pages.empty() ? u"OOM incident report"_s : pages.front().title);
    // The page is laid out in the same logical units as the PNG, with A4's aspect ratio.
    ReportOptions pdfOptions = options;
    const QRect device = writer.pageLayout().fullRectPixels(writer.resolution());
    pdfOptions.heightPx = int(std::lround(double(options.widthPx) * device.height() / device.width()));
    QCPPainter painter;
    if (!painter.begin(&writer)) {
        if (error)
            *error = u"%1: cannot write the PDF"_s.arg(path);
        return false;
    }
    painter.setMode(QCPPainter::pmVectorized);
    const double factor = double(device.width()) / double(pdfOptions.widthPx);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        if (i > 0)
            writer.newPage();
        painter.save();
        painter.scale(factor, factor);
        paintPage(painter, pages[i], pdfOptions, true);
        painter.restore();
    }
    painter.end();
    if (QFileInfo(path).size() == 0) {
        if (error)
            *error = u"%1: cannot write the PDF"_s.arg(path);
        return false;
    }
    return true;
}

QString IncidentReport::html(const std::vector<ReportPage> &pages, const ReportOptions &options)
{
    const Palette p = paletteFor(options.theme);
    auto esc = [](const QString &s) -> QString {
        return s.toHtmlEscaped();
    };
    auto png64 = [](const QImage &image) -> QString {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        return u"data:image/png;base64,"_s + QString::fromLatin1(bytes.toBase64());
    };
    QString out;
    out += u"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"_s
        + esc(pages.empty() ? u"OOM incident report"_s : pages.front().title) + u"</title>\n<style>\n"_s;
    out += u"body{background:%1;color:%2;font-family:'DejaVu Sans',sans-serif;margin:24px;}\n"
           u".muted{color:%3}\n.panel{background:%4;border:1px solid %5;border-radius:6px;padding:10px "
           u"14px;margin:12px 0}\n"
           u"h1{font-size:24px;margin:0 0 6px}\nh2{font-size:13px;text-transform:uppercase;color:%3;margin:0 "
           u"0 8px}\n"
           u"table{border-collapse:collapse;font-size:13px}\nth,td{padding:3px 8px;text-align:right}\n"
           u"th{background:%6}\ntd.comm,th.comm{text-align:left}\ntr.victim "
           u"td{background:%7;color:%8;font-weight:bold}\n"
           u".pill{display:inline-block;color:#fff;border-radius:14px;padding:3px 12px;font-weight:bold}\n"
           u"pre{font-family:'DejaVu Sans Mono',monospace;font-size:11px;white-space:pre-wrap;margin:0}\n"
           u"img{max-width:100%;height:auto}\nsection{page-break-after:always}\n"_s.arg(
               p.background.name(), p.foreground.name(), p.muted.name(), p.panel.name(), p.border.name(),
               p.headerRow.name(), p.victimRow.name(), p.kill.name());
    out += u"</style>\n</head>\n<body>\n"_s;
    ReportOptions chartOptions = options;
    chartOptions.scale = 2; // sharp on HiDPI screens, shown at half size
    for (const ReportPage &page : pages) {
        out += u"<section>\n<h1>"_s + esc(page.title) + u"</h1>\n"_s;
        if (page.event) {
            const OomEvent &e = *page.event;
            out += u"<p class=\"muted\">Host: "_s + esc(e.host.isEmpty() ? u"unknown"_s : e.host)
                + u" · cgroup: "_s
                + esc(!e.oomMemcg.isEmpty() ? e.oomMemcg
                                            : (e.taskMemcg.isEmpty() ? page.cgroupPath : e.taskMemcg))
                + u" · Time: "_s + esc(eventTime(e, page.killMs)) + u"<br>Kernel: "_s
                + esc(e.kernelRelease.isEmpty() ? u"release not printed"_s : e.kernelRelease)
                + u" · Format: "_s + esc(e.kernelFormat()) + u" · Constraint: "_s
                + esc(constraintName(e.constraint)) + u"</p>\n"_s;
        } else {
            out += u"<p class=\"muted\">cgroup: "_s + esc(page.cgroupPath) + u" · "_s
                + esc(formatWallMs(page.fromMs)) + u" – "_s + esc(formatWallMs(page.toMs)) + u"</p>\n"_s;
        }
        out += u"<div class=\"panel\"><h2>Memory around the kill</h2>"_s;
        if (!page.samples.empty()) {
            const QSize size(960, 420);
            out += u"<img alt=\"growth chart\" width=\"%1\" height=\"%2\" src=\"%3\">"_s.arg(size.width())
                       .arg(size.height())
                       .arg(png64(renderGrowthChart(page, chartOptions, size)));
        } else {
            out += u"<p class=\"muted\">"_s + esc(page.chartNote) + u"</p>"_s;
        }
        out += u"</div>\n<div class=\"panel\"><h2>Verdict on the charted range</h2>"_s;
        if (page.verdict) {
            const Verdict &v = *page.verdict;
            out += u"<p><span class=\"pill\" style=\"background:%1\">%2</span></p><table>"_s.arg(
                verdictColor(v.kind, p).name(), esc(verdictHeadline(v)));
            for (const auto &[label, value] : verdictRows(v))
                out += u"<tr><td class=\"comm muted\">"_s + esc(label) + u"</td><td class=\"comm\">"_s
                    + esc(value) + u"</td></tr>"_s;
            out += u"</table><p><b>"_s + esc(limitAdvice(v)) + u"</b></p>"_s;
            if (!v.summary.isEmpty())
                out += u"<p>"_s + esc(v.summary) + u"</p>"_s;
        } else {
            out += u"<p class=\"muted\">No verdict: no memory samples for this cgroup around the kill.</p>"_s;
        }
        out += u"</div>\n"_s;
        if (page.decision && !page.decision->ranking.empty()) {
            const KillDecision &d = *page.decision;
            const std::int64_t pageSize = page.event ? page.event->pageSizeBytes : 4096;
            out += u"<div class=\"panel\"><h2>Kill decision (recomputed "
                   u"badness)</h2><table><tr><th>#</th><th>pid</th>"
                   u"<th class=\"comm\">comm</th><th>rss MiB</th><th>swap MiB</th><th>adj</th><th>points</th>"
                   u"<th>share</th></tr>\n"_s;
            for (const RankedTask *t : shownTasks(d, options.maxTasks)) {
                const bool victim = t->task.pid == d.victimPid;
                out += (victim ? u"<tr class=\"victim\">"_s : u"<tr>"_s)
                    + u"<td>%1</td><td>%2</td><td class=\"comm\">%3</td>"
                      u"<td>%4</td><td>%5</td><td>%6</td><td>%7</td>"
                      u"<td>%8 %</td></tr>\n"_s.arg(t->rank)
                          .arg(t->task.pid)
                          .arg(esc((victim ? u"▶ "_s : QString()) + t->task.comm),
                               pagesToMiB(t->rssPages, pageSize), pagesToMiB(t->swapPages, pageSize))
                          .arg(t->task.oomScoreAdj)
                          .arg(t->points)
                          .arg(t->share * 100, 0, 'f', 1);
            }
            out += u"</table><p class=\"muted\">"_s + esc(badnessEraName(d.era)) + u" · kernel "_s
                + (d.agrees ? u"agrees with"_s : u"disagrees with"_s) + u" the recomputation</p>"_s;
            out += u"<img alt=\"badness chart\" width=\"760\" height=\"340\" src=\"%1\">"_s.arg(
                png64(renderBadnessChart(page, chartOptions, QSize(760, 340))));
            out += u"<h2>Why this process</h2><p>"_s + esc(d.explanation) + u"</p></div>\n"_s;
        }
        if (page.event) {
            out += u"<div class=\"panel\"><h2>Kernel report (raw lines)</h2><pre>"_s;
            const auto &lines = page.event->rawLines;
            // HTML has no page size: a longer cut than the printed page.
            const int limit = std::max(options.maxRawLines, 200);
            for (int i = 0; i < int(lines.size()) && i < limit; ++i)
                out += esc(lines[size_t(i)].text) + u'\n';
            if (int(lines.size()) > limit)
                out += u"… %1 more lines\n"_s.arg(int(lines.size()) - limit);
            out += u"</pre></div>\n"_s;
        }
        out += u"</section>\n"_s;
    }
    out += u"</body>\n</html>\n"_s;
    return out;
}

bool IncidentReport::writeHtml(const std::vector<ReportPage> &pages, const QString &path,
                               const ReportOptions &options, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(html(pages, options).toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = u"%1: cannot write: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace oomscope
