// SPDX-License-Identifier: GPL-3.0-or-later
// The main window's export actions: "Export…" context menus on the growth and badness charts,
// and File > Export Incident Report… (the current event through the report renderer).
#pragma once

#include "result.h"

#include <QString>

class QMenu;

namespace oomscope {

class ChartExporter;
class MainWindow;

struct ReportActions {
    ChartExporter *growthExporter = nullptr;
    ChartExporter *badnessExporter = nullptr;
};

// Installs the chart exporters and the File menu entry (placed before Quit).
ReportActions installReportActions(MainWindow *window, QMenu *fileMenu);

// Writes the incident report of an event of the workspace at workspacePath; the format follows
// the extension (.pdf, .png, .html).
Result<void> exportIncidentReport(const QString &workspacePath, qint64 eventId, const QString &outputPath);

} // namespace oomscope
