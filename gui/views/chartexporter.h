// SPDX-License-Identifier: GPL-3.0-or-later
// "Export…" for a QCustomPlot chart: PNG (size and scale), vector PDF, SVG when built with
// Qt SVG, the image to the clipboard, and the chart's data as CSV; offered as a context menu.
#pragma once

#include "result.h"

#include <QObject>
#include <QSize>
#include <QString>

#include <functional>
#include <optional>

class QAction;
class QCustomPlot;
class QIODevice;
class QMenu;

namespace oomscope {

class ChartExporter : public QObject
{
    Q_OBJECT
public:
    struct PngChoice {
        QSize size;
        double scale = 1.0;
    };
    // Writes the chart's data.
    using CsvWriter = std::function<Result<void>(QIODevice &out)>;
    // Asks for a file name (title, filter, default suffix); empty: canceled.
    using PathAsker =
        std::function<QString(const QString &title, const QString &filter, const QString &suffix)>;
    using PngAsker = std::function<std::optional<PngChoice>(QSize current)>;

    // Adds a context menu to the plot; baseName names the suggested files ("growth-chart").
    ChartExporter(QCustomPlot *plot, const QString &baseName, QObject *parent = nullptr);

    static bool svgSupported();

    void setCsvWriter(const CsvWriter &writer) { m_csvWriter = writer; }
    // For tests and scripted use: replace the file and size dialogs.
    void setPathAsker(const PathAsker &asker) { m_askPath = asker; }
    void setPngAsker(const PngAsker &asker) { m_askPng = asker; }

    QMenu *menu() const { return m_menu; }
    QAction *pngAction() const { return m_pngAction; }
    QAction *pdfAction() const { return m_pdfAction; }
    QAction *svgAction() const { return m_svgAction; } // nullptr without Qt SVG
    QAction *copyAction() const { return m_copyAction; }
    QAction *csvAction() const { return m_csvAction; }

    // The non-interactive operations behind the actions.
    Result<void> exportPng(const QString &path, QSize size, double scale);
    Result<void> exportPdf(const QString &path, QSize size);
    Result<void> exportSvg(const QString &path, QSize size);
    bool copyImage();
    Result<void> exportCsv(const QString &path);

Q_SIGNALS:
    // After an action finished: what was written (or copied), or the error.
    void exported(const QString &pathOrClipboard, bool ok, const QString &error);

private:
    void report(const QString &path, const Result<void> &result);
    void runPng();
    void runPdf();
    void runSvg();
    void runCopy();
    void runCsv();
    QSize currentSize() const;
    QString ask(const QString &title, const QString &filter, const QString &suffix) const;

    QCustomPlot *m_plot;
    QString m_baseName;
    CsvWriter m_csvWriter;
    PathAsker m_askPath;
    PngAsker m_askPng;
    QMenu *m_menu = nullptr;
    QAction *m_pngAction = nullptr;
    QAction *m_pdfAction = nullptr;
    QAction *m_svgAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_csvAction = nullptr;
};

} // namespace oomscope
