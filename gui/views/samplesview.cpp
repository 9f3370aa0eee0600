// SPDX-License-Identifier: GPL-3.0-or-later
#include "qcustomplotinclude.h" // must come first, see there

#include "samplesview.h"

#include "growthchart.h"
#include "livesession.h"
#include "podrows.h"
#include "predictionpanel.h"
#include "samplestore.h"
#include "seriestreemodel.h"
#include "verdictpanel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <map>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

const std::array<QColor, 6> kSeriesColors = {QColor(0x1f, 0x4e, 0x9c), QColor(0xb8, 0x56, 0x0f),
                                             QColor(0x2e, 0x7d, 0x32), QColor(0x6a, 0x1b, 0x9a),
                                             QColor(0x00, 0x83, 0x8f), QColor(0x5d, 0x40, 0x37)};

} // namespace

SamplesView::SamplesView(QWidget *parent)
    : QWidget(parent)
{
    m_treeModel = new SeriesTreeModel(this);
    m_treeView = new QTreeView;
    m_treeView->setObjectName(u"seriesTree"_s);
    m_treeView->setModel(m_treeModel);
    m_treeView->setUniformRowHeights(true);
    m_treeView->setAlternatingRowColors(true);
    // A narrow pane keeps both ends of a series' name: its number and the cgroup's last component
    // ("#12 /kub…/c7", not "#12 /kubepods…"); the tooltip has it whole.
    m_treeView->setTextElideMode(Qt::ElideMiddle);
    m_treeView->header()->setStretchLastSection(false);
    m_treeView->header()->setSectionResizeMode(SeriesTreeModel::NameColumn, QHeaderView::Stretch);
    // Sized to its contents when counts change, not by the header on every change: live counts
    // change hundreds of rows a second, and each change would measure every row's text again.
    m_treeView->header()->setSectionResizeMode(SeriesTreeModel::SamplesColumn, QHeaderView::Interactive);
    connect(m_treeModel, &SeriesTreeModel::checkedSeriesChanged, this, [this] {
        if (!m_reloading)
            refreshChart();
    });

    m_chart = new GrowthChart;
    m_chart->setObjectName(u"growthChart"_s);
    connect(m_chart, &GrowthChart::eventActivated, this, &SamplesView::eventActivated);

    m_caption = new QLabel;
    QFont captionFont = m_caption->font();
    captionFont.setBold(true);
    m_caption->setFont(captionFont);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Wraps instead of widening the chart's pane to the whole caption: with several series
    // that would squeeze the series tree beside it to a sliver.
    m_caption->setWordWrap(true);
    m_breakdownBox = new QCheckBox(tr("Breakdown"));
    m_breakdownBox->setToolTip(tr("Stacked anon, shmem, active file, inactive file and kernel memory"));
    m_breakdownBox->setChecked(true);
    connect(m_breakdownBox, &QCheckBox::toggled, m_chart, &GrowthChart::setBreakdownVisible);
    m_workingSetBox = new QCheckBox(tr("Working set"));
    m_workingSetBox->setToolTip(tr("usage − inactive_file, as cAdvisor and the kubelet count it"));
    m_workingSetBox->setChecked(true);
    connect(m_workingSetBox, &QCheckBox::toggled, m_chart, &GrowthChart::setWorkingSetVisible);
    m_trendBox = new QCheckBox(tr("Trend"));
    m_trendBox->setToolTip(tr("The verdict's fitted trend of unreclaimable memory, its forecast to the limit "
                              "and the plateau, spike and near-limit stretches it found"));
    m_trendBox->setChecked(true);
    connect(m_trendBox, &QCheckBox::toggled, m_chart, &GrowthChart::setTrendVisible);
    auto *fitButton = new QPushButton(tr("Fit All"));
    fitButton->setToolTip(tr("Show the whole recording (wheel zooms, drag pans)"));
    connect(fitButton, &QPushButton::clicked, m_chart, &GrowthChart::fitAll);

    auto *chartPane = new QWidget;
    m_chartTools = new QWidget;
    auto *tools = new QHBoxLayout(m_chartTools);
    tools->setContentsMargins(0, 0, 0, 0);
    tools->addWidget(m_breakdownBox);
    tools->addWidget(m_workingSetBox);
    tools->addWidget(m_trendBox);
    tools->addWidget(fitButton);
    auto *toolRow = new QHBoxLayout;
    toolRow->addWidget(m_caption, 1);
    toolRow->addWidget(m_chartTools);
    // Without a series to draw, no empty axes (they would span 1970): what would fill them.
    m_nothingToChart = new QLabel;
    m_nothingToChart->setObjectName(u"nothingToChart"_s);
    m_nothingToChart->setWordWrap(true);
    m_nothingToChart->setTextFormat(Qt::RichText);
    m_nothingToChart->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_nothingToChart->setMargin(12);
    m_nothingToChart->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse
                                              | Qt::LinksAccessibleByKeyboard);
    connect(m_nothingToChart, &QLabel::linkActivated, this, [this](const QString &link) {
        if (const std::optional<WayIn> way = wayInFromLink(link))
            Q_EMIT wayInRequested(*way);
    });
    m_chartStack = new QStackedWidget;
    m_chartStack->addWidget(m_chart);
    m_chartStack->addWidget(m_nothingToChart);
    auto *chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(0, 4, 0, 0);
    chartLayout->addLayout(toolRow);
    chartLayout->addWidget(m_chartStack, 1);

    m_verdictArea = new QWidget;
    m_verdictArea->setObjectName(u"verdictArea"_s);
    m_verdictLayout = new QVBoxLayout(m_verdictArea);
    m_verdictLayout->setContentsMargins(4, 4, 4, 4);
    m_verdictArea->hide();
    m_verdictPanel = new VerdictPanel;
    m_predictionPanel = new PredictionPanel;
    // The verdict scrolls when the window is short; the ranking table takes the rest.
    auto *verdictScroll = new QScrollArea;
    verdictScroll->setWidget(m_verdictPanel);
    verdictScroll->setWidgetResizable(true);
    verdictScroll->setFrameShape(QFrame::NoFrame);
    verdictScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *sideSplitter = new QSplitter(Qt::Vertical);
    sideSplitter->addWidget(verdictScroll);
    sideSplitter->addWidget(m_predictionPanel);
    sideSplitter->setStretchFactor(0, 3);
    sideSplitter->setStretchFactor(1, 2);
    sideSplitter->setChildrenCollapsible(false);
    m_verdictLayout->addWidget(sideSplitter);
    m_verdictArea->setMinimumWidth(300);

    m_evalPool.setMaxThreadCount(1);
    m_evalDebounce.setSingleShot(true);
    m_evalDebounce.setInterval(200);
    connect(&m_evalDebounce, &QTimer::timeout, this, [this] { m_evaluation.ask(); });
    connect(m_chart, &GrowthChart::visibleRangeChanged, this, &SamplesView::scheduleEvaluation);

    // The tree's sample counts follow live samples once a second, not with every batch.
    m_countTimer.setSingleShot(true);
    m_countTimer.setInterval(1000);
    connect(&m_countTimer, &QTimer::timeout, this, &SamplesView::countStoredSamples);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->addWidget(m_treeView);
    m_splitter->addWidget(chartPane);
    m_splitter->addWidget(m_verdictArea);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({210, 730, 460});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 4);
    layout->addWidget(m_splitter);
}

bool SamplesView::hasSeries() const
{
    return m_treeModel->seriesCount() > 0;
}

void SamplesView::followLiveSession(LiveSession *session)
{
    // The session is the context: its connections go with it. Its new series come with
    // seriesAdded (the window reloads), so unknown ones need nothing here.
    connect(session, &LiveSession::samplesStored, m_chart,
            [this](const StoredSamplesPtr &stored) { addStoredSamples(stored); });
    connect(session, &LiveSession::earlyWarning, m_chart,
            [this, session](const EarlyWarning &warning, qint64 seriesId) {
                addWarning(warning, seriesId, session->host());
            });
}

void SamplesView::addWarning(const EarlyWarning &warning, qint64 seriesId, const QString &host)
{
    LiveWarning w;
    w.marker.seriesId = seriesId;
    w.marker.timeMs = warning.timestampMs;
    w.marker.warning = earlyWarningText(warning);
    w.host = host;
    w.cgroup = warning.cgroup;
    m_liveWarnings.push_back(w);
    if (seriesId != 0) {
        m_chart->addWarningMarker(w.marker);
        return;
    }
    if (!m_reloading && resolveWarnings())
        refreshChart();
}

// Finds the series of the warnings that had none and checks them.
bool SamplesView::resolveWarnings()
{
    bool found = false;
    const bool wasReloading = m_reloading;
    m_reloading = true; // one refresh for all of them, by the caller
    for (LiveWarning &w : m_liveWarnings) {
        if (w.marker.seriesId != 0)
            continue;
        w.marker.seriesId = m_treeModel->seriesOf(w.host, w.cgroup);
        if (w.marker.seriesId == 0)
            continue;
        found = true;
        m_treeModel->setSeriesChecked(w.marker.seriesId, true);
    }
    m_reloading = wasReloading;
    return found;
}

std::vector<ChartMarker> SamplesView::warningMarkers() const
{
    std::vector<ChartMarker> out;
    for (const LiveWarning &w : m_liveWarnings)
        out.push_back(w.marker);
    return out;
}

bool SamplesView::addStoredSamples(const StoredSamplesPtr &stored)
{
    if (!stored)
        return true;
    bool allKnown = true;
    for (const auto &[seriesId, samples] : stored->series) {
        m_chart->appendLiveSamples(seriesId, samples);
        allKnown = allKnown && m_treeModel->seriesInfo(seriesId) != nullptr;
    }
    m_uncounted.push_back(stored);
    if (!m_countTimer.isActive())
        m_countTimer.start();
    return allKnown;
}

void SamplesView::countStoredSamples()
{
    for (const StoredSamplesPtr &stored : m_uncounted)
        m_treeModel->addStoredSamples(*stored);
    m_uncounted.clear();
    m_treeView->resizeColumnToContents(SeriesTreeModel::SamplesColumn);
    updateCaption();
}

void SamplesView::reload(Workspace *workspace, const std::vector<EventSummary> &events)
{
    m_workspace = workspace;
    m_events = events;
    m_chart->setWorkspacePath(workspace ? workspace->path() : QString());
    std::vector<WorkloadInfo> workloads;
    std::vector<SeriesInfo> series;
    PodDirectory pods;
    std::vector<qint64> withKills;
    if (workspace && workspace->isOpen()) {
        const SampleStore store(*workspace);
        workloads = store.workloads();
        series = store.series();
        pods = readPodDirectory(*workspace);
        for (const SeriesInfo &s : series) {
            if (!store.placements(s.id).empty())
                withKills.push_back(s.id);
        }
    }
    m_reloading = true;
    m_treeModel->setSeries(workloads, series, pods);
    resolveWarnings();
    if (m_treeModel->checkedSeries().empty() && !series.empty()) {
        if (withKills.empty())
            withKills.push_back(series.front().id);
        for (qint64 id : withKills)
            m_treeModel->setSeriesChecked(id, true);
    }
    m_reloading = false;
    m_treeView->expandAll();
    m_treeView->resizeColumnToContents(SeriesTreeModel::SamplesColumn);
    refreshChart();
}

void SamplesView::refreshChart()
{
    const std::vector<qint64> checked = m_treeModel->checkedSeries();
    std::vector<ChartSeriesSpec> specs;
    std::vector<ChartMarker> markers;
    std::map<qint64, const EventSummary *> eventById;
    for (const EventSummary &e : m_events)
        eventById[e.id] = &e;
    if (m_workspace && m_workspace->isOpen()) {
        const SampleStore store(*m_workspace);
        for (qint64 id : checked) {
            const SeriesInfo *info = m_treeModel->seriesInfo(id);
            if (!info)
                continue;
            ChartSeriesSpec spec;
            spec.seriesId = id;
            spec.label = m_treeModel->seriesLabel(id);
            spec.color = kSeriesColors[specs.size() % kSeriesColors.size()];
            spec.firstMs = info->firstMs.value_or(0);
            spec.lastMs = info->lastMs.value_or(0);
            specs.push_back(spec);
            for (const EventPlacement &p : store.placements(id)) {
                ChartMarker marker;
                marker.eventId = p.eventId;
                marker.seriesId = id;
                marker.timeMs = p.timeMs;
                const auto e = eventById.find(p.eventId);
                marker.victim = e != eventById.end()
                    ? QString(e->second->victimComm + u" ("_s + QString::number(e->second->victimPid) + u')')
                    : tr("event %1").arg(p.eventId);
                markers.push_back(marker);
            }
        }
    }
    m_chartStack->setCurrentWidget(specs.empty() ? static_cast<QWidget *>(m_nothingToChart) : m_chart);
    m_chartTools->setVisible(!specs.empty());
    if (specs.empty() && hasSeries()) {
        m_nothingToChart->setText(tr("<p>Check a series in the tree on the left to chart its memory.</p>"));
    } else if (specs.empty()) {
        m_nothingToChart->setText(
            tr("<p>The Timeline charts memory climbing toward the limit, so that a leak can be told from "
               "a limit that is too small. It needs memory samples:</p><ul>"
               "<li><a href=\"%1\"><b>Import a recording…</b></a> (Ctrl+Shift+O): a samples CSV, with "
               "its processes CSV and kernel log if you have them.</li>"
               "<li><a href=\"%2\"><b>Watch cgroups…</b></a> (Ctrl+W): sample this machine's memory "
               "cgroups live.</li>"
               "<li><a href=\"%3\"><b>Attach to a node…</b></a> (Ctrl+Shift+A): record a node's "
               "oomscope-agent feed.</li></ul>"
               "<p>A kernel log alone has no samples: its kills are explained on the Decision and Memory "
               "tabs (<a href=\"%4\">open kernel logs…</a>).</p>")
                .arg(wayInLink(WayIn::ImportRecording), wayInLink(WayIn::WatchCgroups),
                     wayInLink(WayIn::AttachToNode), wayInLink(WayIn::OpenLogs)));
    }
    m_captionKills = int(markers.size());
    updateCaption();
    for (const LiveWarning &w : m_liveWarnings) {
        if (std::any_of(specs.begin(), specs.end(),
                        [&w](const ChartSeriesSpec &s) { return s.seriesId == w.marker.seriesId; }))
            markers.push_back(w.marker);
    }
    m_chart->setSeries(specs, markers);
    m_verdictArea->setVisible(hasSeries());
    m_evaluation.forget(); // a running evaluation was for the old selection
    if (specs.empty()) {
        m_evalDebounce.stop();
        m_evaluatedSeries = 0;
        m_verdictPanel->showMessage(tr("Check a series in the tree to judge its visible range."));
        m_predictionPanel->showMessage(QString());
    } else {
        scheduleEvaluation();
    }
    Q_EMIT checkedSeriesChanged(checked);
}

void SamplesView::updateCaption()
{
    QStringList names;
    qint64 samples = 0;
    for (qint64 id : m_treeModel->checkedSeries()) {
        if (const SeriesInfo *info = m_treeModel->seriesInfo(id)) {
            names << m_treeModel->seriesLabel(id);
            samples += info->count;
        }
    }
    if (names.isEmpty()) {
        m_caption->setText(hasSeries() ? tr("No series checked")
                                       : tr("No memory recording in this workspace"));
        return;
    }
    const QString kills = m_captionKills == 1 ? tr("1 kill") : tr("%1 kills").arg(m_captionKills);
    m_caption->setText(
        tr("Memory of %1 — %2 samples, %3").arg(names.join(u", "_s), QLocale().toString(samples), kills));
}

void SamplesView::scheduleEvaluation()
{
    if (m_treeModel->checkedSeries().empty())
        return;
    // Debounced, so a zoom gesture is judged once at its end; but never postponed for more than
    // a second, or a live view that follows new samples would never be judged.
    if (!m_evalDebounce.isActive())
        m_evalPendingSince.start();
    if (!m_evalDebounce.isActive() || m_evalPendingSince.elapsed() < 1000)
        m_evalDebounce.start();
}

std::optional<QFuture<RangeEvaluation>> SamplesView::evaluationTask()
{
    const std::vector<qint64> checked = m_treeModel->checkedSeries();
    if (checked.empty() || !m_workspace || !m_workspace->isOpen())
        return std::nullopt;
    // The first checked series: the chart draws it first, with its breakdown.
    const qint64 seriesId = checked.front();
    const SeriesInfo *info = m_treeModel->seriesInfo(seriesId);
    if (!info || !info->firstMs || !info->lastMs) {
        m_verdictPanel->showMessage(tr("The series has no samples."));
        m_predictionPanel->showMessage(QString());
        return std::nullopt;
    }
    const auto [visibleFromMs, visibleToMs] = m_chart->visibleRangeMs();
    RangeEvaluationRequest request;
    request.workspacePath = m_workspace->path();
    request.seriesId = seriesId;
    request.fromMs = std::max<std::int64_t>(visibleFromMs, *info->firstMs);
    request.toMs = std::min<std::int64_t>(
        visibleToMs, std::max<std::int64_t>(*info->lastMs, m_chart->dataRangeMs().second));
    if (request.fromMs > request.toMs) {
        m_verdictPanel->showMessage(
            tr("%1 has no samples in the visible range.").arg(m_treeModel->seriesLabel(seriesId)));
        m_predictionPanel->showMessage(QString());
        return std::nullopt;
    }
    for (const EventSummary &e : m_events) {
        request.victimsByEventId[e.id] = {e.victimPid, e.victimComm};
        if (e.host == info->host)
            request.nodeEventIds.push_back(e.id);
    }
    std::sort(request.nodeEventIds.begin(), request.nodeEventIds.end()); // ids grow with import order
    m_verdictPanel->setPending(true);
    return QtConcurrent::run(&m_evalPool, &evaluateRange, request);
}

void SamplesView::applyEvaluation(const RangeEvaluation &evaluation)
{
    m_evaluatedSeries = evaluation.seriesId;
    m_verdictPanel->setEvaluation(evaluation, m_treeModel->seriesLabel(evaluation.seriesId));
    m_predictionPanel->setEvaluation(evaluation);
    if (evaluation.error.isEmpty())
        m_chart->setVerdictOverlay(evaluation.seriesId, evaluation.verdict);
    else
        m_chart->clearVerdictOverlay();
    Q_EMIT rangeEvaluated();
}

void SamplesView::setSelectedEvent(qint64 eventId)
{
    m_chart->setSelectedEvent(eventId);
}

bool SamplesView::revealEvent(qint64 eventId)
{
    if (!m_workspace || !m_workspace->isOpen())
        return false;
    const SampleStore store(*m_workspace);
    const std::vector<EventPlacement> placements = store.placementsOfEvent(eventId);
    if (placements.empty())
        return false;
    const std::vector<qint64> checked = m_treeModel->checkedSeries();
    const bool shown = std::any_of(placements.begin(), placements.end(), [&](const EventPlacement &p) {
        return std::find(checked.begin(), checked.end(), p.seriesId) != checked.end();
    });
    if (!shown)
        m_treeModel->setSeriesChecked(placements.front().seriesId, true);
    m_chart->setSelectedEvent(eventId);
    return true;
}

} // namespace oomscope
