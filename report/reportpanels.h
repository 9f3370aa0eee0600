// SPDX-License-Identifier: GPL-3.0-or-later
// The painted page's layout and its panels (header, verdict, explanation, kill-decision table,
// raw kernel lines), in logical pixels; the charts are drawn into their rectangles by
// IncidentReport::paintPage. Internal to the report library.
#pragma once

#include "chartstyle.h"
#include "reportpage.h"

#include <QFont>
#include <QRectF>

class QPainter;

namespace oomscope {

// The page's colours in the options' theme.
ChartPalette paletteOf(const ReportOptions &options);

// The bundled fonts at a pixel size (points would follow each device's DPI: screen, 300 dpi PDF).
QFont sansFont(qreal px, bool bold = false);
QFont monoFont(qreal px);

struct PageLayout {
    QRectF header, chart, verdict, table, bars, explanation, raw;
};
PageLayout pageLayout(double w, double h, const ReportPage &page, const ReportOptions &options);

// A rounded panel with its title in small capitals.
void drawPanel(QPainter &painter, const QRectF &rect, const QString &title, const ChartPalette &p);
// Draws wrapped text into rect, returns the height used.
qreal drawWrapped(QPainter &painter, const QRectF &rect, const QString &text, const QFont &font,
                  const QColor &color);

void paintHeader(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p);
void paintVerdict(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p);
void paintExplanation(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p);
void paintTable(QPainter &painter, const QRectF &r, const ReportPage &page, const ReportOptions &options,
                const ChartPalette &p);
// Without samples: the memory anatomy where the growth chart would be, and the anatomy's
// statements (the failed request, what dominated, the GFP flags) where the verdict would be.
void paintAnatomy(QPainter &painter, const QRectF &r, const ReportPage &page, const ChartPalette &p);
void paintAnatomyStatements(QPainter &painter, const QRectF &r, const ReportPage &page,
                            const ChartPalette &p);
// A page with a recording shows the growth chart first; the anatomy follows on a sheet of its
// own (the same header; the anatomy and its statements side by side; the kernel's report below).
bool hasAnatomySheet(const ReportPage &page);
void paintAnatomySheet(QPainter &painter, const ReportPage &page, const ReportOptions &options,
                       const ChartPalette &p);
void paintRawLines(QPainter &painter, const QRectF &r, const ReportPage &page, const ReportOptions &options,
                   const ChartPalette &p);

} // namespace oomscope
