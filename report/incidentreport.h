// SPDX-License-Identifier: GPL-3.0-or-later
// Renders incident reports — one page per OOM event or cgroup time range, with the growth chart
// around the kill, the verdict, the kill decision and the raw report — to PDF, PNG and
// self-contained HTML, deterministically (bundled fonts, fixed DPI, nothing of "now").
#pragma once

#include "killdecision.h"
#include "memorysample.h"
#include "oomevent.h"
#include "verdict.h"

#include <QImage>
#include <QSizeF>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

class QCPPainter;

namespace oomscope {

class Workspace;

struct ReportOptions {
    enum class Theme { Light, Dark };
    Theme theme = Theme::Light;
    // PNG size in logical pixels; the page layout is computed in these units for every format
    // (PDF: A4 landscape at 300 dpi with the same layout scaled to the page).
    int widthPx = 1600;
    int heightPx = 1131; // A4 landscape's aspect ratio
    double scale = 1.0; // device pixels per logical pixel (2 for HiDPI)
    qint64 contextMs = 10 * 60 * 1000; // growth chart: this much either side of the kill
    int maxTasks = 10; // rows of the kill-decision table and bars of the chart
    int maxRawLines = 60; // raw report lines shown, else head, "… N more lines", tail
};

// Everything one page shows, gathered from a workspace (or built by hand in tests).
struct ReportPage {
    QString title; // "OOM kill of checkout_svc.py (23026)" or "cgroup /x, range"
    std::optional<OomEvent> event; // empty for a cgroup time range without a kill in it
    std::optional<KillDecision> decision;
    QString cgroupPath; // of the series the chart shows ("" without samples)
    std::optional<qint64> killMs; // the kill on the chart's time axis
    qint64 fromMs = 0; // the chart's time range (epoch ms)
    qint64 toMs = 0;
    std::vector<MemorySample> samples; // of that range; empty: the chart is left out
    std::vector<qint64> killTimesMs; // every placed kill of the series within the range
    std::optional<Verdict> verdict; // classify() over the range's samples
    QString chartNote; // why the chart is missing
};

// A page for one stored event: the chart from the series it is placed on (first placement).
std::optional<ReportPage> reportPageForEvent(Workspace &workspace, qint64 eventId,
                                             const ReportOptions &options, QString *error = nullptr);
// A page for one cgroup (series path, host-agnostic) over [fromMs, toMs]; the last kill placed in
// that range, if any, provides the event part.
std::optional<ReportPage> reportPageForRange(Workspace &workspace, const QString &cgroupPath, qint64 fromMs,
                                             qint64 toMs, const ReportOptions &options,
                                             QString *error = nullptr);

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

    // Writes by the extension of path: .png, .pdf, .html/.htm. False with *error on failure.
    static bool write(const std::vector<ReportPage> &pages, const QString &path, const ReportOptions &options,
                      QString *error = nullptr);
    static bool writePng(const std::vector<ReportPage> &pages, const QString &path,
                         const ReportOptions &options, QString *error = nullptr);
    static bool writePdf(const std::vector<ReportPage> &pages, const QString &path,
                         const ReportOptions &options, QString *error = nullptr);
    static QString html(const std::vector<ReportPage> &pages, const ReportOptions &options);
    static bool writeHtml(const std::vector<ReportPage> &pages, const QString &path,
                          const ReportOptions &options, QString *error = nullptr);
    static bool isSupportedOutput(const QString &path);
};

// "128.0 MiB", "1.5 GiB" (binary units, one decimal).
QString reportBytes(std::int64_t bytes);

} // namespace oomscope
