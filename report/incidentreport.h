// SPDX-License-Identifier: GPL-3.0-or-later
// Renders incident reports — one page per OOM event or cgroup time range, with the growth chart
// around the kill, the verdict, the kill decision and the raw report — to PDF, PNG and
// self-contained HTML, deterministically (bundled fonts, fixed DPI, nothing of "now").
#pragma once

#include "reportpage.h"
#include "result.h"

#include <QImage>
#include <QSize>
#include <QString>

#include <cstdint>
#include <vector>

class QCPPainter;

namespace oomscope {

class IncidentReport
{
public:
    // Registers the bundled DejaVu fonts once (needs a QGuiApplication); returns false when they
    // could not be loaded (the report then falls back to the system's fonts, not deterministic).
    static bool loadFonts();
    static QString sansFamily();
    static QString monoFamily();

    // Paints one page into a logical rectangle of options.widthPx x options.heightPx at the
    // painter's current transform (a QCPPainter: the charts are QCustomPlots drawn with
    // toPainter). `vector` keeps the charts as vector drawing (PDF).
    static void paintPage(QCPPainter &painter, const ReportPage &page, const ReportOptions &options,
                          bool vector = false);

    // The pages stacked top to bottom, widthPx*scale wide.
    static QImage renderImage(const std::vector<ReportPage> &pages, const ReportOptions &options);

    // The charts on their own, for HTML and the GUI (scale applies).
    static QImage renderGrowthChart(const ReportPage &page, const ReportOptions &options, QSize logicalSize);
    static QImage renderBadnessChart(const ReportPage &page, const ReportOptions &options, QSize logicalSize);
    static QImage renderAnatomyChart(const ReportPage &page, const ReportOptions &options, QSize logicalSize);

    // Writes by the extension of path: .png, .pdf, .html/.htm.
    static Result<void> write(const std::vector<ReportPage> &pages, const QString &path,
                              const ReportOptions &options);
    static Result<void> writePng(const std::vector<ReportPage> &pages, const QString &path,
                                 const ReportOptions &options);
    static Result<void> writePdf(const std::vector<ReportPage> &pages, const QString &path,
                                 const ReportOptions &options);
    static QString html(const std::vector<ReportPage> &pages, const ReportOptions &options);
    static Result<void> writeHtml(const std::vector<ReportPage> &pages, const QString &path,
                                  const ReportOptions &options);
    static bool isSupportedOutput(const QString &path);
};

// "128.0 MiB", "1.5 GiB" (binary units, one decimal).
QString reportBytes(std::int64_t bytes);

} // namespace oomscope
