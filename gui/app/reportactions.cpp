// SPDX-License-Identifier: GPL-3.0-or-later
#include "qcustomplotinclude.h"

#include "reportactions.h"

#include "badnesschart.h"
#include "chartexporter.h"
#include "decisionview.h"
#include "growthchart.h"
#include "incidentreport.h"
#include "mainwindow.h"
#include "recordingcsv.h"
#include "samplestore.h"
#include "samplesview.h"
#include "seriestreemodel.h"
#include "workspace.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QTextStream>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

void reportResult(MainWindow *window, const QString &what, bool ok, const QString &error)
{
    if (ok)
        window->statusBar()->showMessage(u"Exported to %1"_s.arg(what), 5000);
    else
        QMessageBox::warning(window, u"Export failed"_s, error);
}

// The samples of the checked series over the chart's visible range.
bool writeVisibleSamples(MainWindow *window, QIODevice &out, QString *error)
{
    GrowthChart *chart = window->samplesView()->chart();
    const QCPRange range = chart->plot()->xAxis->range();
    const auto fromMs = std::int64_t(std::floor(range.lower * 1000.0));
    const auto toMs = std::int64_t(std::ceil(range.upper * 1000.0));
    Workspace workspace; // a connection of this thread for a short read
    if (const Result<void> opened = workspace.open(window->workspacePath()); !opened) {
        if (error)
            *error = opened.error().message;
        return false;
    }
    SampleStore store(workspace);
    std::vector<RecordedSeries> series;
    for (qint64 id : window->samplesView()->treeModel()->checkedSeries()) {
        RecordedSeries s;
        if (const std::optional<SeriesInfo> info = store.seriesInfo(id))
            s.cgroup = info->cgroupPath;
        s.samples = store.samples(id, fromMs, toMs);
        series.push_back(std::move(s));
    }
    if (series.empty()) {
        if (error)
            *error = u"no series is shown on the chart"_s;
        return false;
    }
    const Result<void> written = writeSamplesCsv(out, series);
    if (!written && error)
        *error = written.error().message;
    return written.has_value();
}

// The ranking of the current event, as the badness chart shows it (all tasks, not just the top).
bool writeRanking(MainWindow *window, QIODevice &out, QString *error)
{
    Workspace workspace;
    if (const Result<void> opened = workspace.open(window->workspacePath()); !opened) {
        if (error)
            *error = opened.error().message;
        return false;
    }
    const std::optional<OomEvent> event = workspace.event(window->currentEventId());
    if (!event) {
        if (error)
            *error = u"no event is selected"_s;
        return false;
    }
    const KillDecision decision = decideKill(*event);
    QTextStream text(&out);
    text << "rank,pid,comm,eligible,rss_pages,swap_pages,pagetable_pages,root_bonus_points,adj_points,"
            "oom_score_adj,points,share,victim\n";
    for (const RankedTask &r : decision.ranking) {
        QString comm = r.task.comm;
        if (comm.contains(u',') || comm.contains(u'"'))
            comm = u'"' + comm.replace(u"\""_s, u"\"\""_s) + u'"';
        text << r.rank << ',' << r.task.pid << ',' << comm << ',' << (r.eligible ? 1 : 0) << ',' << r.rssPages
             << ',' << r.swapPages << ',' << r.pageTablePages << ',' << r.rootBonusPoints << ','
             << r.adjPoints << ',' << r.task.oomScoreAdj << ',' << r.points << ','
             << QString::number(r.share, 'f', 6) << ',' << (r.task.pid == decision.victimPid ? 1 : 0) << '\n';
    }
    text.flush();
    return text.status() == QTextStream::Ok;
}

// A CSV writer of this file as ChartExporter takes it.
Result<void> csvResult(bool (*write)(MainWindow *, QIODevice &, QString *), MainWindow *window,
                       QIODevice &out)
{
    QString error;
    if (!write(window, out, &error))
        return fail(Error::Kind::Io, error);
    return {};
}

} // namespace

bool exportIncidentReport(const QString &workspacePath, qint64 eventId, const QString &outputPath,
                          QString *error)
{
    if (!IncidentReport::isSupportedOutput(outputPath)) {
        if (error)
            *error = u"%1: use .pdf, .png or .html"_s.arg(outputPath);
        return false;
    }
    Workspace workspace;
    if (const Result<void> opened = workspace.open(workspacePath); !opened) {
        if (error)
            *error = opened.error().message;
        return false;
    }
    const ReportOptions options;
    Result<ReportPage> page = reportPageForEvent(workspace, eventId, options);
    const Result<void> written = page ? IncidentReport::write({std::move(*page)}, outputPath, options)
                                      : Result<void>(tl::unexpected(page.error()));
    if (!written && error)
        *error = written.error().message;
    return written.has_value();
}

ReportActions installReportActions(MainWindow *window, QMenu *fileMenu)
{
    ReportActions actions;
    actions.growthExporter =
        new ChartExporter(window->samplesView()->chart()->plot(), u"growth-chart"_s, window);
    actions.growthExporter->setObjectName(u"growthChartExporter"_s);
    actions.growthExporter->setCsvWriter(
        [window](QIODevice &out) { return csvResult(writeVisibleSamples, window, out); });
    actions.badnessExporter =
        new ChartExporter(window->decisionView()->chart()->plot(), u"badness-chart"_s, window);
    actions.badnessExporter->setObjectName(u"badnessChartExporter"_s);
    actions.badnessExporter->setCsvWriter(
        [window](QIODevice &out) { return csvResult(writeRanking, window, out); });
    for (ChartExporter *exporter : {actions.growthExporter, actions.badnessExporter}) {
        QObject::connect(exporter, &ChartExporter::exported, window,
                         [window](const QString &what, bool ok, const QString &error) {
                             reportResult(window, what, ok, error);
                         });
    }

    auto *reportAction = new QAction(u"&Export Incident Report…"_s, window);
    reportAction->setObjectName(u"exportIncidentReportAction"_s);
    reportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    reportAction->setStatusTip(u"The selected event as a PDF, PNG or HTML report"_s);
    QObject::connect(reportAction, &QAction::triggered, window, [window] {
        if (window->currentEventId() == 0) {
            window->statusBar()->showMessage(u"Select an event to report first"_s, 5000);
            return;
        }
        const QString path = QFileDialog::getSaveFileName(
            window, u"Export Incident Report"_s, QDir::home().filePath(u"oom-incident.pdf"_s),
            u"PDF document (*.pdf);;PNG image (*.png);;HTML page (*.html)"_s);
        if (path.isEmpty())
            return;
        QString error;
        const bool ok = exportIncidentReport(window->workspacePath(), window->currentEventId(), path, &error);
        reportResult(window, path, ok, error);
    });
    QAction *before = nullptr;
    for (QAction *a : fileMenu->actions()) {
        if (a->menuRole() == QAction::QuitRole)
            before = a;
    }
    fileMenu->insertAction(before, reportAction);
    if (before)
        fileMenu->insertSeparator(before);
    return actions;
}

} // namespace oomscope
