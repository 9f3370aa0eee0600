// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingimport.h"

#include "timeline.h"

#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr qint64 kPlacementSlackMs = 60'000;
// Ten minutes of samples give a robust boot-time median without reading a long recording whole.
constexpr qint64 kBootTimeWindowMs = 600'000;

} // namespace

int placeEventsOnSeries(Workspace &workspace, SampleStore &store, const std::vector<qint64> &seriesIds,
                        const std::vector<qint64> &eventIds, std::optional<qint64> bootTimeMs)
{
    struct Candidate {
        SeriesInfo info;
        std::optional<qint64> bootTimeMs;
    };
    std::vector<Candidate> candidates;
    for (qint64 id : seriesIds) {
        std::optional<SeriesInfo> info = store.seriesInfo(id);
        if (!info || !info->firstMs || !info->lastMs)
            continue;
        std::optional<qint64> boot = bootTimeMs;
        if (!boot)
            boot =
                bootTimeMsFromSamples(store.samples(id, *info->firstMs, *info->firstMs + kBootTimeWindowMs));
        candidates.push_back(Candidate {*info, boot});
    }
    int placed = 0;
    for (qint64 eventId : eventIds) {
        const std::optional<OomEvent> event = workspace.event(eventId);
        if (!event)
            continue;
        // Candidates on the event's host whose range holds the event's time on their clock.
        std::vector<const Candidate *> inTime;
        std::vector<qint64> times;
        std::vector<QString> paths;
        for (const Candidate &c : candidates) {
            if (!event->host.isEmpty() && !c.info.host.isEmpty() && event->host != c.info.host)
                continue;
            const std::optional<qint64> timeMs = eventWallTimeMs(*event, c.bootTimeMs);
            if (!timeMs || *timeMs < *c.info.firstMs - kPlacementSlackMs
                || *timeMs > *c.info.lastMs + kPlacementSlackMs)
                continue;
            inTime.push_back(&c);
            times.push_back(*timeMs);
            paths.push_back(c.info.cgroupPath);
        }
        // A lone series in time only takes an event by default when the recording has one series.
        if (candidates.size() > 1 && paths.size() == 1)
            paths.push_back(QString());
        const std::optional<std::size_t> index = cgroupIndexForEvent(*event, paths);
        if (index && *index < inTime.size()
            && store.setPlacement(eventId, inTime[*index]->info.id, times[*index]))
            ++placed;
    }
    return placed;
}

RecordingImportResult importRecording(Workspace &workspace, SampleStore &store,
                                      const RecordingImportRequest &request,
                                      const RecordingImportHooks &hooks)
{
    RecordingImportResult result;
    auto failed = [&](const QString &file, const QString &error, bool canceled, Error::Kind kind) {
        result.ok = false;
        result.canceled = canceled;
        result.errorKind = canceled ? Error::Kind::Canceled : kind;
        result.error = canceled ? u"canceled"_s : QFileInfo(file).fileName() + u": "_s + error;
        return result;
    };
    auto progressFor = [&](const QString &file) {
        return hooks.progressFor ? hooks.progressFor(file) : ProgressFn();
    };
    auto fileDone = [&](const QString &file) {
        if (hooks.fileDone)
            hooks.fileDone(file);
    };

    std::vector<qint64> seriesIds;
    if (!request.samplesPath.isEmpty()) {
        SamplesImportResult r =
            store.importSamplesCsv(request.samplesPath, request.host, progressFor(request.samplesPath));
        fileDone(request.samplesPath);
        if (!r.ok || r.canceled)
            return failed(request.samplesPath, r.error, r.canceled, r.errorKind);
        seriesIds = r.seriesIds;
        // A recording imported before does not name its series again: take the host's series;
        // the placement rule's time and cgroup checks pick the right ones.
        if (r.alreadyImported) {
            for (const SeriesInfo &s : store.series()) {
                if (s.host == request.host)
                    seriesIds.push_back(s.id);
            }
        }
        result.samples = std::move(r);
    }

    if (!request.procsPath.isEmpty()) {
        const qint64 onlySeries = seriesIds.size() == 1 ? seriesIds.front() : 0;
        auto lookup = [&](const ProcessSample &row) -> qint64 {
            if (row.cgroup.isEmpty())
                return onlySeries;
            return store.findSeries(request.host, row.cgroup).value_or(0);
        };
        ProcsImportResult r = store.importProcsCsv(request.procsPath, lookup, progressFor(request.procsPath));
        fileDone(request.procsPath);
        if (!r.ok || r.canceled)
            return failed(request.procsPath, r.error, r.canceled, r.errorKind);
        if (r.rowsUnplaced > 0)
            result.messages << u"%1 process rows matched no series of the recording and were not stored"_s
                                   .arg(r.rowsUnplaced);
        result.procs = std::move(r);
    }

    if (request.bootTimeMs) {
        result.bootTimeMs = request.bootTimeMs;
        result.bootTimeSource = u"--boot-time"_s;
    } else if (!seriesIds.empty()) {
        if (const std::optional<SeriesInfo> info = store.seriesInfo(seriesIds.front());
            info && info->firstMs) {
            result.bootTimeMs = bootTimeMsFromSamples(
                store.samples(info->id, *info->firstMs, *info->firstMs + kBootTimeWindowMs));
            if (result.bootTimeMs)
                result.bootTimeSource = u"boottime_s of the samples of %1"_s.arg(info->cgroupPath);
        }
    }

    // The logs' events: the ones each import added, or for a log imported before its events.
    std::vector<qint64> eventIds;
    for (const QString &log : request.logPaths) {
        ImportResult r = workspace.importLogFile(log, progressFor(log));
        fileDone(log);
        if (!r.ok || r.canceled)
            return failed(log, r.error, r.canceled, r.errorKind);
        const std::vector<qint64> logEvents =
            r.alreadyImported ? workspace.eventIds(r.sourceId) : r.newEventIds;
        eventIds.insert(eventIds.end(), logEvents.begin(), logEvents.end());
        result.logs.emplace_back(log, std::move(r));
    }
    // A log named twice is one source: its events count once.
    std::sort(eventIds.begin(), eventIds.end());
    eventIds.erase(std::unique(eventIds.begin(), eventIds.end()), eventIds.end());
    if (!seriesIds.empty() && !eventIds.empty()) {
        result.eventsPlaced = placeEventsOnSeries(workspace, store, seriesIds, eventIds, request.bootTimeMs);
        if (result.eventsPlaced < int(eventIds.size()))
            result.messages
                << u"%1 of %2 events of the logs lie outside the recording or match none of its cgroups"_s
                       .arg(eventIds.size() - size_t(result.eventsPlaced))
                       .arg(eventIds.size());
    }
    // Logs with wall-clock prefixes match by cgroup path too.
    if (!seriesIds.empty())
        store.placeEventsByMemcg();
    return result;
}

} // namespace oomscope
