// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "incidentreport.h"

#include "badnessplot.h"
#include "growthplot.h"
#include "reportpanels.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString g_sansFamily = u"DejaVu Sans"_s;
QString g_monoFamily = u"DejaVu Sans Mono"_s;

bool isDark(const ReportOptions &options)
{
    return options.theme == ReportOptions::Theme::Dark;
}

// The charts as on screen (charts/), in the report's theme and bundled fonts.
ChartStyle chartStyleOf(const ReportOptions &options)
{
    return ChartStyle::report(isDark(options), sansFont(12), sansFont(13));
}

// Lays the plot out at size, so that what depends on pixels (the verdict's region labels) fits.
void layOut(QCustomPlot &plot, QSize size)
{
    plot.setViewport(QRect(QPoint(0, 0), size));
    for (auto phase :
         {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins, QCPLayoutElement::upLayout})
        plot.plotLayout()->update(phase);
}

void drawPlot(QCPPainter &painter, QCustomPlot &plot, const QRectF &rect, bool vector)
{
    painter.save();
    painter.translate(rect.topLeft());
    painter.setMode(QCPPainter::pmVectorized, vector);
    plot.toPainter(&painter, int(rect.width()), int(rect.height()));
    painter.restore();
}

// The growth chart of a page (its samples, kills and verdict) drawn into rect.
void drawGrowthChart(QCPPainter &painter, const ReportPage &page, const ReportOptions &options,
                     const QRectF &rect, bool vector)
{
    QCustomPlot plot;
    GrowthPlot growth(&plot, chartStyleOf(options));
    const ChartSeriesSpec spec {page.seriesId, page.cgroupPath, paletteOf(options).series, page.fromMs,
                                page.toMs};
    growth.setSeries({spec}, page.kills);
    growth.setCurves(curvesFromSamples(page.seriesId, page.samples));
    for (const ChartMarker &kill : page.kills) {
        if (page.killMs && kill.timeMs == *page.killMs)
            growth.setSelectedEvent(kill.eventId);
    }
    growth.updateVisibility();
    growth.updateValueRange();
    plot.xAxis->setRange(double(page.fromMs) / 1000.0, double(page.toMs) / 1000.0);
    growth.updateTimeRange();
    layOut(plot, rect.size().toSize());
    growth.fitToPlot();
    if (page.verdict)
        growth.setVerdictOverlay(page.seriesId, *page.verdict);
    drawPlot(painter, plot, rect, vector);
}

void drawBadnessChart(QCPPainter &painter, const KillDecision &decision, const ReportOptions &options,
                      const QRectF &rect, bool vector)
{
    QCustomPlot plot;
    BadnessPlot badness(&plot, chartStyleOf(options));
    badness.setDecision(decision, options.maxTasks);
    drawPlot(painter, plot, rect, vector);
}

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

ChartPalette paletteOf(const ReportOptions &options)
{
    return isDark(options) ? ChartPalette::dark() : ChartPalette::light();
}

QFont sansFont(qreal px, bool bold)
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
    const ChartPalette p = paletteOf(options);
    const double w = options.widthPx;
    const double h = options.heightPx;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    painter.fillRect(QRectF(0, 0, w, h), p.background);
    const PageLayout l = pageLayout(w, h, page, options);
    paintHeader(painter, l.header, page, p);
    if (!page.samples.empty()) {
        drawGrowthChart(painter, page, options, l.chart, vector);
        paintVerdict(painter, l.verdict, page, p);
    } else if (page.anatomy) {
        // A log-only report: what the kernel's report says about memory, where the recording
        // would show its growth and the verdict.
        paintAnatomy(painter, l.chart, page, p);
        paintAnatomyStatements(painter, l.verdict, page, p);
    } else {
        drawPanel(painter, l.chart, u"Memory around the kill"_s, p);
        drawWrapped(painter, l.chart.adjusted(16, 40, -16, -16), page.chartNote, sansFont(14), p.muted);
        paintVerdict(painter, l.verdict, page, p);
    }
    paintExplanation(painter, l.explanation, page, p);
    paintTable(painter, l.table, page, options, p);
    if (page.decision && !page.decision->ranking.empty())
        drawBadnessChart(painter, *page.decision, options, l.bars, vector);
    else
        drawPanel(painter, l.bars, u"Badness by component"_s, p);
    paintRawLines(painter, l.raw, page, options, p);
    painter.restore();
}

namespace {

// The sheets of the pages: each page, then its anatomy sheet when it has a recording.
struct Sheet {
    const ReportPage *page = nullptr;
    bool anatomy = false;
};

std::vector<Sheet> sheetsOf(const std::vector<ReportPage> &pages)
{
    std::vector<Sheet> sheets;
    for (const ReportPage &page : pages) {
        sheets.push_back({&page, false});
        if (hasAnatomySheet(page))
            sheets.push_back({&page, true});
    }
    return sheets;
}

void paintSheet(QCPPainter &painter, const Sheet &sheet, const ReportOptions &options, bool vector)
{
    if (!sheet.anatomy) {
        IncidentReport::paintPage(painter, *sheet.page, options, vector);
        return;
    }
    const ChartPalette p = paletteOf(options);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    painter.fillRect(QRectF(0, 0, options.widthPx, options.heightPx), p.background);
    paintAnatomySheet(painter, *sheet.page, options, p);
    painter.restore();
}

} // namespace

QImage IncidentReport::renderImage(const std::vector<ReportPage> &pages, const ReportOptions &options)
{
    loadFonts();
    const ChartPalette p = paletteOf(options);
    const std::vector<Sheet> sheets = sheetsOf(pages);
    const int count = std::max<int>(1, int(sheets.size()));
    QImage image = newImage(QSize(options.widthPx, options.heightPx * count), options.scale, p.background);
    QCPPainter painter(&image);
    // Text sizes are fixed: a narrow page is laid out 1400 wide and scaled down to fit.
    const double fit = std::min(1.0, double(options.widthPx) / 1400.0);
    ReportOptions layout = options;
    layout.widthPx = int(std::lround(options.widthPx / fit));
    layout.heightPx = int(std::lround(options.heightPx / fit));
    painter.scale(options.scale * fit, options.scale * fit);
    for (int i = 0; i < int(sheets.size()); ++i) {
        painter.save();
        painter.translate(0, double(i) * layout.heightPx);
        paintSheet(painter, sheets[size_t(i)], layout, false);
        painter.restore();
    }
    painter.end();
    return image;
}

namespace {

// A chart on its own: an image of logicalSize x scale in the page's background.
template<typename Draw>
QImage renderChart(const ReportOptions &options, QSize logicalSize, bool empty, Draw draw)
{
    IncidentReport::loadFonts();
    QImage image = newImage(logicalSize, options.scale, paletteOf(options).background);
    if (empty)
        return image;
    QCPPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.scale(options.scale, options.scale);
    draw(painter, QRectF(QPointF(0, 0), QSizeF(logicalSize)));
    return image;
}

} // namespace

QImage IncidentReport::renderGrowthChart(const ReportPage &page, const ReportOptions &options,
                                         QSize logicalSize)
{
    return renderChart(options, logicalSize, page.samples.empty(),
                       [&](QCPPainter &painter, const QRectF &rect) {
                           drawGrowthChart(painter, page, options, rect, false);
                       });
}

QImage IncidentReport::renderBadnessChart(const ReportPage &page, const ReportOptions &options,
                                          QSize logicalSize)
{
    return renderChart(options, logicalSize, !page.decision, [&](QCPPainter &painter, const QRectF &rect) {
        drawBadnessChart(painter, *page.decision, options, rect, false);
    });
}

QImage IncidentReport::renderAnatomyChart(const ReportPage &page, const ReportOptions &options,
                                          QSize logicalSize)
{
    return renderChart(options, logicalSize, !page.anatomy, [&](QCPPainter &painter, const QRectF &rect) {
        const AnatomyStyle style = AnatomyStyle::from(paletteOf(options), sansFont(13));
        paintMemoryAnatomy(painter, rect.adjusted(8, 8, -8, -8), *page.anatomy, style);
    });
}

bool IncidentReport::isSupportedOutput(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"png"_s || suffix == u"pdf"_s || suffix == u"html"_s || suffix == u"htm"_s;
}

Result<void> IncidentReport::write(const std::vector<ReportPage> &pages, const QString &path,
                                   const ReportOptions &options)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"png"_s)
        return writePng(pages, path, options);
    if (suffix == u"pdf"_s)
        return writePdf(pages, path, options);
    if (suffix == u"html"_s || suffix == u"htm"_s)
        return writeHtml(pages, path, options);
    return fail(Error::Kind::Invalid,
                u"%1: unsupported output type '.%2' (use .png, .pdf or .html)"_s.arg(path, suffix));
}

Result<void> IncidentReport::writePng(const std::vector<ReportPage> &pages, const QString &path,
                                      const ReportOptions &options)
{
    const QImage image = renderImage(pages, options);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit())
        return fail(Error::Kind::Io, u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    return {};
}

Result<void> IncidentReport::writePdf(const std::vector<ReportPage> &pages, const QString &path,
                                      const ReportOptions &options)
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
    if (!painter.begin(&writer))
        return fail(Error::Kind::Io, u"%1: cannot write the PDF"_s.arg(path));
    painter.setMode(QCPPainter::pmVectorized);
    const double factor = double(device.width()) / double(pdfOptions.widthPx);
    const std::vector<Sheet> sheets = sheetsOf(pages);
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        if (i > 0)
            writer.newPage();
        painter.save();
        painter.scale(factor, factor);
        paintSheet(painter, sheets[i], pdfOptions, true);
        painter.restore();
    }
    painter.end();
    if (QFileInfo(path).size() == 0)
        return fail(Error::Kind::Io, u"%1: cannot write the PDF"_s.arg(path));
    return {};
}

} // namespace oomscope
