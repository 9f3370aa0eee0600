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
#include <QCoreApplication>
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

// The exports' words, composed here once.
class ExportText
{
    Q_DECLARE_TR_FUNCTIONS(ExportText)
public:
    static QString exportedTo(const QString &what) { return tr("Exported to %1").arg(what); }
    static QString failedTitle() { return tr("Export failed"); }
    static QString noSeriesShown() { return tr("no series is shown on the chart"); }
    static QString noEventSelected() { return tr("no event is selected"); }
    static QString cannotWrite() { return tr("cannot write the file"); }
    static QString selectEventFirst() { return tr("Select an event to report first"); }
    static QString unsupportedOutput(const QString &path)
    {
        return tr("%1: use .pdf, .png or .html").arg(path);
    }
};

Result<void> openWorkspace(Workspace &workspace, const QString &path)
{
    return workspace.open(path);
}

void reportResult(MainWindow *window, const QString &what, const Result<void> &result)
{
    if (result)
        window->statusBar()->showMessage(ExportText::exportedTo(what), 5000);
    else
        QMessageBox::warning(window, ExportText::failedTitle(), result.error().message);
}

// The samples of the checked series over the chart's visible range.
Result<void> writeVisibleSamples(MainWindow *window, QIODevice &out)
{
    GrowthChart *chart = window->samplesView()->chart();
    const QCPRange range = chart->plot()->xAxis->range();
    const auto fromMs = std::int64_t(std::floor(range.lower * 1000.0));
    const auto toMs = std::int64_t(std::ceil(range.upper * 1000.0));
    Workspace workspace; // a connection of this thread for a short read
    if (Result<void> opened = openWorkspace(workspace, window->workspacePath()); !opened)
        return opened;
    SampleStore store(workspace);
    std::vector<RecordedSeries> series;
    for (qint64 id : window->samplesView()->treeModel()->checkedSeries()) {
        RecordedSeries s;
        if (const std::optional<SeriesInfo> info = store.seriesInfo(id))
            s.cgroup = info->cgroupPath;
        s.samples = store.samples(id, fromMs, toMs);
        series.push_back(std::move(s));
    }
    if (series.empty())
        return fail(Error::Kind::Invalid, ExportText::noSeriesShown());
    return writeSamplesCsv(out, series);
}

bool writeRankingCsv(QIODevice &out, const KillDecision &decision)
{
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

// The ranking of the current event, as the badness chart shows it (all tasks, not just the top).
Result<void> writeRanking(MainWindow *window, QIODevice &out)
{
    Workspace workspace;
    if (Result<void> opened = openWorkspace(workspace, window->workspacePath()); !opened)
        return opened;
    const std::optional<OomEvent> event = workspace.event(window->currentEventId());
    if (!event)
        return fail(Error::Kind::NotFound, ExportText::noEventSelected());
    if (!writeRankingCsv(out, decideKill(*event)))
        return fail(Error::Kind::Io, ExportText::cannotWrite());
    return {};
}

} // namespace

Result<void> exportIncidentReport(const QString &workspacePath, qint64 eventId, const QString &outputPath)
{
    if (!IncidentReport::isSupportedOutput(outputPath))
        return fail(Error::Kind::Invalid, ExportText::unsupportedOutput(outputPath));
    Workspace workspace;
    if (Result<void> opened = openWorkspace(workspace, workspacePath); !opened)
        return opened;
    const ReportOptions options;
    Result<ReportPage> page = reportPageForEvent(workspace, eventId, options);
    if (!page)
        return tl::unexpected(page.error());
    return IncidentReport::write({std::move(*page)}, outputPath, options);
}

ReportActions installReportActions(MainWindow *window, QMenu *fileMenu)
{
    ReportActions actions;
    actions.growthExporter =
        new ChartExporter(window->samplesView()->chart()->plot(), u"growth-chart"_s, window);
    actions.growthExporter->setObjectName(u"growthChartExporter"_s);
    actions.growthExporter->setCsvWriter(
        [window](QIODevice &out) { return writeVisibleSamples(window, out); });
    actions.badnessExporter =
        new ChartExporter(window->decisionView()->chart()->plot(), u"badness-chart"_s, window);
    actions.badnessExporter->setObjectName(u"badnessChartExporter"_s);
    actions.badnessExporter->setCsvWriter([window](QIODevice &out) { return writeRanking(window, out); });
    for (ChartExporter *exporter : {actions.growthExporter, actions.badnessExporter}) {
        QObject::connect(exporter, &ChartExporter::exported, window,
                         [window](const QString &what, bool ok, const QString &error) {
                             reportResult(window, what, ok ? Result<void> {} : fail(Error::Kind::Io, error));
                         });
    }

    auto *reportAction = new QAction(ExportText::tr("&Export Incident Report…"), window);
    reportAction->setObjectName(u"exportIncidentReportAction"_s);
    reportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    reportAction->setStatusTip(ExportText::tr("The selected event as a PDF, PNG or HTML report"));
    QObject::connect(reportAction, &QAction::triggered, window, [window] {
        if (window->currentEventId() == 0) {
            window->statusBar()->showMessage(ExportText::selectEventFirst(), 5000);
            return;
        }
        const QString path = QFileDialog::getSaveFileName(
            window, ExportText::tr("Export Incident Report"), QDir::home().filePath(u"oom-incident.pdf"_s),
            ExportText::tr("PDF document (*.pdf);;PNG image (*.png);;HTML page (*.html)"));
        if (path.isEmpty())
            return;
        // On the GUI thread: the report draws its charts with QCustomPlot widgets.
        reportResult(window, path,
                     exportIncidentReport(window->workspacePath(), window->currentEventId(), path));
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
