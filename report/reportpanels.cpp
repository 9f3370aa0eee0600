// SPDX-License-Identifier: GPL-3.0-or-later
#include "reportpanels.h"

#include "anatomyexplanation.h"
#include "badnessplot.h"
#include "reporttext.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace oomscope {

PageLayout pageLayout(double w, double h, const ReportPage &page, const ReportOptions &options)
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
    PageLayout l;
    l.header = QRectF(m, m, contentW, headerH);
    l.chart = QRectF(m, top, leftW, bodyH * 0.58);
    l.verdict = QRectF(m, l.chart.bottom() + gap, leftW * 0.55 - gap / 2, bodyH - l.chart.height() - gap);
    l.explanation =
        QRectF(l.verdict.right() + gap, l.verdict.top(), leftW - l.verdict.width() - gap, l.verdict.height());
    l.table = QRectF(rightX, top, rightW, bodyH * 0.50); // shrunk to its rows below
    l.bars = QRectF(rightX, l.table.bottom() + gap, rightW, bodyH - l.table.height() - gap);
    l.raw = QRectF(m, h - m - rawH, contentW, rawH);
    if (page.decision) {
        // A short ranking leaves its room to the bar chart.
        const int rows = int(shownCandidates(*page.decision, options.maxTasks).size());
        const qreal needed = 30 + 8 + 22.0 * (rows + 2) + 4;
        const qreal bottom = l.bars.bottom();
        l.table.setHeight(std::clamp<qreal>(needed, 120, l.table.height()));
        l.bars.setTop(l.table.bottom() + 16);
        l.bars.setBottom(bottom);
    }
    return l;
}

void drawPanel(QPainter &painter, const QRectF &rect, const QString &title, const ChartPalette &p)
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

void paintHeader(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p)
{
    painter.setPen(p.foreground);
    painter.setFont(sansFont(26, true));
    painter.drawText(QRectF(r.left(), r.top(), r.width(), 36), Qt::AlignLeft | Qt::AlignVCenter, page.title);
    const auto [line1, line2] = headerLines(page);
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

void paintVerdict(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p)
{
    drawPanel(painter, r, u"Verdict on the charted range"_s, p);
    QRectF inner = r.adjusted(12, 30, -12, -10);
    if (!page.verdict) {
        drawWrapped(painter, inner, kNoVerdictText, sansFont(14), p.muted);
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

void paintExplanation(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p)
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
                const ChartPalette &p)
{
    drawPanel(painter, r, u"Kill decision (recomputed badness)"_s, p);
    const QRectF inner = r.adjusted(10, 30, -10, -8);
    if (!page.decision || page.decision->ranking.empty()) {
        drawWrapped(painter, inner, u"The report has no task table."_s, sansFont(13), p.muted);
        return;
    }
    const KillDecision &d = *page.decision;
    const std::int64_t pageSize = page.event ? page.event->pageSizeBytes : 4096;
    const std::vector<const RankedTask *> shown = shownCandidates(d, options.maxTasks);
    // Column widths as fractions of the table: rank, pid, comm, rss MiB, swap MiB, adj, points, share.
    const std::array<double, 8> widths {0.05, 0.11, 0.26, 0.12, 0.12, 0.08, 0.14, 0.12};
    const qreal rowH = std::min<qreal>(22, inner.height() / qreal(shown.size() + 2));
    auto drawRow = [&](qreal y, const std::vector<QString> &cells, bool bold) {
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
    drawRow(y, decisionHeaders(), true);
    y += rowH;
    for (const RankedTask *t : shown) {
        const bool victim = t->task.pid == d.victimPid;
        if (victim)
            painter.fillRect(QRectF(inner.left(), y, inner.width(), rowH), p.victimRow);
        painter.setPen(victim ? p.kill : p.foreground);
        drawRow(y, decisionCells(*t, victim, pageSize), victim);
        y += rowH;
    }
    const int eligible = int(
        std::count_if(d.ranking.begin(), d.ranking.end(), [](const RankedTask &t) { return t.eligible; }));
    painter.setPen(p.muted);
    painter.setFont(sansFont(12));
    const QString foot = u"%1 of %2 candidates · %3 · kernel %4 the recomputation"_s.arg(shown.size())
                             .arg(eligible)
                             .arg(badnessEraName(d.era), agreementText(d));
    painter.drawText(QRectF(inner.left(), y + 2, inner.width(), rowH), Qt::AlignLeft | Qt::AlignVCenter,
                     painter.fontMetrics().elidedText(foot, Qt::ElideRight, int(inner.width())));
}

void paintAnatomy(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p)
{
    drawPanel(painter, r, anatomyPanelTitle(page), p);
    if (!page.anatomy)
        return;
    const AnatomyStyle style = AnatomyStyle::from(p, sansFont(13));
    paintMemoryAnatomy(painter, r.adjusted(12, 32, -12, -10), *page.anatomy, style);
}

void paintAnatomyStatements(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p)
{
    drawPanel(painter, r, u"What filled the memory"_s, p);
    if (!page.anatomy)
        return;
    const AnatomyData &a = *page.anatomy;
    QRectF inner = r.adjusted(12, 30, -12, -10);
    qreal y = inner.top();
    y += drawWrapped(painter, QRectF(inner.left(), y, inner.width(), inner.bottom() - y),
                     u"Request: "_s + anatomyRequestLine(a), sansFont(13, true), p.foreground)
        + 6;
    const QFont body = sansFont(13);
    const QFontMetricsF bodyMetrics(body);
    int shown = 0;
    for (const QString &statement : a.anatomy.statements) {
        // Whole statements only; the rest is counted at the bottom.
        const QString text = u"• "_s + statement;
        const qreal h = bodyMetrics
                            .boundingRect(QRectF(0, 0, inner.width(), 10000),
                                          Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text)
                            .height();
        if (y + h > inner.bottom() - bodyMetrics.height())
            break;
        y +=
            drawWrapped(painter, QRectF(inner.left(), y, inner.width(), h + 2), text, body, p.foreground) + 4;
        ++shown;
    }
    if (shown < int(a.anatomy.statements.size())) {
        painter.setFont(sansFont(12));
        painter.setPen(p.muted);
        painter.drawText(QRectF(inner.left(), y, inner.width(), bodyMetrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         u"… %1 more in the HTML report and the GUI's Memory tab"_s.arg(
                             int(a.anatomy.statements.size()) - shown));
        return;
    }
    // The GFP flags with their meaning, as far as room allows.
    const QFont small = sansFont(12);
    const QFontMetricsF fm(small);
    for (const QString &flag : a.anatomy.trigger.gfp.flags) {
        if (y + fm.height() > inner.bottom())
            break;
        painter.setFont(small);
        painter.setPen(p.muted);
        painter.drawText(QRectF(inner.left(), y, inner.width(), fm.height()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         fm.elidedText(flag + u": "_s + gfpFlagMeaning(flag), Qt::ElideRight, inner.width()));
        y += fm.height() + 1;
    }
}

bool hasAnatomySheet(const ReportPage &page)
{
    return !page.samples.empty() && page.anatomy.has_value();
}

void paintAnatomySheet(QPainter &painter, const ReportPage &page, const ReportOptions &options,
                       const ChartPalette &p)
{
    // The margins and header of the first sheet, so the two read as one event's pages; the
    // anatomy and its statements on top, the kernel's report (as far as it fits) below.
    const double w = options.widthPx;
    const double h = options.heightPx;
    const double m = 36;
    const double gap = 16;
    const double headerH = 96;
    const double contentW = w - 2 * m;
    const double top = m + headerH + gap;
    const double bodyH = (h - top - m) * 0.60;
    const double leftW = contentW * 0.62;
    paintHeader(painter, QRectF(m, m, contentW, headerH), page, p);
    paintAnatomy(painter, QRectF(m, top, leftW, bodyH), page, p);
    paintAnatomyStatements(painter, QRectF(m + leftW + gap, top, contentW - leftW - gap, bodyH), page, p);
    paintRawLines(painter, QRectF(m, top + bodyH + gap, contentW, h - m - top - bodyH - gap), page, options,
                  p);
}

void paintRawLines(QPainter &painter, const QRectF &r, const ReportPage &page, const ReportOptions &options,
                   const ChartPalette &p)
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

} // namespace oomscope
