// SPDX-License-Identifier: GPL-3.0-or-later
// What one page of an incident report shows, and how it is gathered from a workspace: the event
// and its kill decision, the samples of the series it is placed on around the kill, the kills on
// that series and the verdict over the charted range.
#pragma once

#include "anatomychart.h"
#include "growthplot.h" // ChartMarker
#include "killdecision.h"
#include "memorysample.h"
#include "oomevent.h"
#include "result.h"
#include "verdict.h"

#include <QString>

#include <optional>
#include <vector>

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

// Where a page's kill stands in its incident (kills of one cgroup or the node seconds apart).
struct ReportIncident {
    int position = 1; // 1-based, in time order
    int count = 1;
    double spanSeconds = 0; // first to last kill
    QString scope; // the cgroup, empty: node-wide
};

// Everything one page shows, gathered from a workspace (or built by hand in tests).
struct ReportPage {
    QString title; // "OOM kill of checkout_svc.py (23026)" or "cgroup /x, range"
    std::optional<OomEvent> event; // empty for a cgroup time range without a kill in it
    std::optional<KillDecision> decision;
    qint64 seriesId = 0; // the series the chart shows
    QString cgroupPath; // of that series ("" without samples)
    QString podLabel; // "namespace/pod/container" of the event's (or series') cgroup, "" unknown
    std::optional<qint64> killMs; // the kill on the chart's time axis
    qint64 fromMs = 0; // the chart's time range (epoch ms)
    qint64 toMs = 0;
    std::vector<MemorySample> samples; // of that range; empty: the chart is left out
    std::vector<ChartMarker> kills; // every placed kill of the series within the range
    std::optional<Verdict> verdict; // classify() over the range's samples
    QString chartNote; // why the chart is missing
    // The memory at the kill, read from the report itself (Mem-Info, memcg stats); drawn where
    // the growth chart would be when there are no samples, and in the HTML of every event.
    std::optional<AnatomyData> anatomy;
    std::optional<ReportIncident> incident; // set for the pages of an incident report
};

// A page for one stored event: the chart from the series it is placed on (first placement).
Result<ReportPage> reportPageForEvent(Workspace &workspace, qint64 eventId, const ReportOptions &options);
// The pages of the latest incident — the one holding the workspace's last event — one per kill
// in time order, each told its place in the incident.
Result<std::vector<ReportPage>> reportPagesForLatestIncident(Workspace &workspace,
                                                             const ReportOptions &options);
// A page for one cgroup (series path, host-agnostic) over [fromMs, toMs]; the last kill placed in
// that range, if any, provides the event part.
Result<ReportPage> reportPageForRange(Workspace &workspace, const QString &cgroupPath, qint64 fromMs,
                                      qint64 toMs, const ReportOptions &options);

} // namespace oomscope
