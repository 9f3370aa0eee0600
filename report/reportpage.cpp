// SPDX-License-Identifier: GPL-3.0-or-later
#include "reportpage.h"

#include "eventincidents.h"
#include "podrows.h"
#include "reporttext.h"
#include "samplestore.h"
#include "workspace.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// The kills placed on the series within [fromMs, toMs], named by their victims.
std::vector<ChartMarker> killsInRange(const Workspace &workspace, SampleStore &store, qint64 seriesId,
                                      qint64 fromMs, qint64 toMs)
{
    std::vector<ChartMarker> kills;
    for (const EventPlacement &pl : store.placements(seriesId)) {
        if (pl.timeMs < fromMs || pl.timeMs > toMs)
            continue;
        ChartMarker marker {pl.eventId, seriesId, pl.timeMs, QString(), QString()};
        if (const std::optional<OomEvent> e = workspace.event(pl.eventId); e && e->victim.present)
            marker.victim = victimName(e->victim.comm, e->victim.pid);
        kills.push_back(marker);
    }
    return kills;
}

void fillChart(const Workspace &workspace, SampleStore &store, ReportPage &page, qint64 seriesId,
               qint64 fromMs, qint64 toMs)
{
    // A kill near the end of a short recording would leave most of the chart empty: keep to the
    // data, with a little room either side.
    if (const auto range = store.timeRange(seriesId)) {
        const qint64 pad = std::max<qint64>(1000, (range->second - range->first) / 40);
        fromMs = std::max(fromMs, range->first - pad);
        toMs = std::min(toMs, range->second + pad);
    }
    page.seriesId = seriesId;
    page.fromMs = fromMs;
    page.toMs = toMs;
    page.samples = store.samples(seriesId, fromMs, toMs);
    page.kills = killsInRange(workspace, store, seriesId, fromMs, toMs);
    if (page.samples.empty()) {
        page.chartNote = u"No memory samples of %1 in this range."_s.arg(page.cgroupPath);
        return;
    }
    std::vector<qint64> killTimesMs;
    for (const ChartMarker &kill : page.kills)
        killTimesMs.push_back(kill.timeMs);
    page.verdict = classify(page.samples, {}, killTimesMs, store.processSamples(seriesId, fromMs, toMs));
}

// The Kubernetes names of the page's cgroup, when the workspace holds its pod; in the title too.
void nameThePod(const Workspace &workspace, ReportPage &page)
{
    const PodDirectory pods = readPodDirectory(workspace);
    if (pods.isEmpty())
        return;
    QStringList cgroups {page.cgroupPath};
    if (page.event)
        cgroups = QStringList {page.event->taskMemcg, page.event->oomMemcg, page.cgroupPath};
    for (const QString &cgroup : std::as_const(cgroups)) {
        if (cgroup.isEmpty())
            continue;
        if (const std::optional<PodRef> ref = pods.byCgroupPath(cgroup)) {
            page.podLabel = ref->label();
            page.title += u" in "_s + page.podLabel;
            return;
        }
    }
}

} // namespace

Result<ReportPage> reportPageForEvent(Workspace &workspace, qint64 eventId, const ReportOptions &options)
{
    std::optional<OomEvent> event = workspace.event(eventId);
    if (!event)
        return fail(Error::Kind::NotFound, u"no event with id %1 in the workspace"_s.arg(eventId));
    ReportPage page;
    page.decision = decideKill(*event);
    page.title = killTitle(*event);
    page.anatomy = anatomyOf(*event);
    SampleStore store(workspace);
    const std::vector<EventPlacement> placements = store.placementsOfEvent(eventId);
    page.event = std::move(event);
    if (placements.empty()) {
        nameThePod(workspace, page);
        page.chartNote =
            u"No memory samples: this event is not placed on a recorded cgroup. Import the recording "
            u"(--samples) together with the log to see memory growth."_s;
        return page;
    }
    const EventPlacement &pl = placements.front();
    if (const std::optional<SeriesInfo> info = store.seriesInfo(pl.seriesId))
        page.cgroupPath = info->cgroupPath;
    page.killMs = pl.timeMs;
    nameThePod(workspace, page);
    fillChart(workspace, store, page, pl.seriesId, pl.timeMs - options.contextMs,
              pl.timeMs + options.contextMs);
    return page;
}

Result<std::vector<ReportPage>> reportPagesForLatestIncident(Workspace &workspace,
                                                             const ReportOptions &options)
{
    const std::vector<EventSummary> events = workspace.events();
    if (events.empty())
        return fail(Error::Kind::NotFound, u"no OOM events in the workspace"_s);
    const std::vector<Incident> incidents = incidentsOf(events);
    const std::vector<std::size_t> incidentOf = incidentIndexOfKills(incidents, events.size());
    const Incident &latest = incidents[incidentOf.back()];
    std::vector<ReportPage> pages;
    for (std::size_t i = 0; i < latest.kills.size(); ++i) {
        Result<ReportPage> page = reportPageForEvent(workspace, events[latest.kills[i]].id, options);
        if (!page)
            return tl::unexpected(page.error());
        page->incident =
            ReportIncident {int(i) + 1, int(latest.kills.size()), latest.spanSeconds, latest.scope};
        pages.push_back(std::move(*page));
    }
    return pages;
}

Result<ReportPage> reportPageForRange(Workspace &workspace, const QString &cgroupPath, qint64 fromMs,
                                      qint64 toMs, const ReportOptions &options)
{
    Q_UNUSED(options);
    SampleStore store(workspace);
    std::optional<SeriesInfo> found;
    for (const SeriesInfo &s : store.series()) {
        if (s.cgroupPath == cgroupPath
            && (!found || (s.firstMs && s.lastMs && *s.firstMs <= toMs && *s.lastMs >= fromMs)))
            found = s;
    }
    if (!found)
        return fail(Error::Kind::NotFound, u"no recorded cgroup '%1' in the workspace"_s.arg(cgroupPath));
    if (fromMs >= toMs)
        return fail(Error::Kind::Invalid, u"empty time range (--from must be before --to)"_s);
    ReportPage page;
    page.cgroupPath = cgroupPath;
    page.title = u"Memory of %1"_s.arg(cgroupPath);
    std::optional<EventPlacement> last;
    for (const EventPlacement &pl : store.placements(found->id)) {
        if (pl.timeMs >= fromMs && pl.timeMs <= toMs)
            last = pl;
    }
    if (last) {
        page.event = workspace.event(last->eventId);
        if (page.event) {
            page.decision = decideKill(*page.event);
            page.anatomy = anatomyOf(*page.event);
            page.killMs = last->timeMs;
            if (page.event->victim.present)
                page.title = killTitle(*page.event);
        }
    }
    nameThePod(workspace, page);
    fillChart(workspace, store, page, found->id, fromMs, toMs);
    return page;
}

} // namespace oomscope
