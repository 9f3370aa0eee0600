// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingimport.h"

#include "timeline.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr qint64 kPlacementSlackMs = 60'000;

// The series an event belongs to (timeline.h's rule); 0 when none.
qint64 seriesForEvent(const OomEvent &event, const std::vector<SeriesInfo> &candidates)
{
    std::vector<QString> paths;
    paths.reserve(candidates.size());
    for (const SeriesInfo &s : candidates)
        paths.push_back(s.cgroupPath);
    const std::optional<std::size_t> index = cgroupIndexForEvent(event, paths);
    return index ? candidates[*index].id : 0;
}

} // namespace

RecordingImportResult importRecording(Workspace &workspace, SampleStore &store,
                                      const RecordingImportRequest &request, const ProgressFn &progress)
{
    RecordingImportResult result;
    auto failed = [&](const QString &file, const QString &error, bool canceled) {
        result.ok = false;
        result.canceled = canceled;
        result.error = canceled ? u"canceled"_s : QFileInfo(file).fileName() + u": "_s + error;
        return result;
    };

    std::vector<qint64> recordingSeries;
    if (!request.samplesPath.isEmpty()) {
        SamplesImportResult r = store.importSamplesCsv(request.samplesPath, request.host, progress);
        if (!r.ok || r.canceled)
            return failed(request.samplesPath, r.error, r.canceled);
        recordingSeries = r.seriesIds;
        result.samples = std::move(r);
    }

    std::vector<SeriesInfo> candidates;
    for (const SeriesInfo &s : store.series()) {
        const bool inRecording =
            std::find(recordingSeries.begin(), recordingSeries.end(), s.id) != recordingSeries.end();
        // A recording imported before has no new series ids: fall back to the host's series.
        if (inRecording || (recordingSeries.empty() && s.host == request.host))
            candidates.push_back(s);
    }

    if (!request.procsPath.isEmpty()) {
        auto lookup = [&](const ProcessSample &row) -> qint64 {
            if (!row.cgroup.isEmpty()) {
                if (const std::optional<qint64> id = store.findSeries(request.host, row.cgroup))
                    return *id;
            }
            return candidates.size() == 1 ? candidates.front().id : 0;
        };
        ProcsImportResult r = store.importProcsCsv(request.procsPath, lookup, progress);
        if (!r.ok || r.canceled)
            return failed(request.procsPath, r.error, r.canceled);
        if (r.rowsUnplaced > 0)
            result.messages << u"%1 process rows matched no series of the recording and were not stored"_s.arg(
                r.rowsUnplaced);
        result.procs = std::move(r);
    }

    // Boot time: explicit, else from the samples' boottime_s.
    result.bootTimeMs = request.bootTimeMs;
    if (result.bootTimeMs) {
        result.bootTimeSource = u"--boot-time"_s;
    } else {
        for (const SeriesInfo &s : candidates) {
            if (!s.firstMs || !s.lastMs)
                continue;
            const std::vector<MemorySample> samples = store.samples(s.id, *s.firstMs, *s.lastMs);
            if (const std::optional<qint64> boot = bootTimeMsFromSamples(samples)) {
                result.bootTimeMs = boot;
                result.bootTimeSource = u"boottime_s of the samples of %1"_s.arg(s.cgroupPath);
                break;
            }
        }
    }

    for (const QString &log : request.logPaths) {
        ImportResult r = workspace.importLogFile(log, progress);
        if (!r.ok || r.canceled)
            return failed(log, r.error, r.canceled);
        const qint64 sourceId = r.sourceId;
        result.logs.emplace_back(log, std::move(r));
        if (candidates.empty())
            continue;
        for (const EventSummary &summary : workspace.events()) {
            if (summary.sourceId != sourceId)
                continue;
            const std::optional<OomEvent> event = workspace.event(summary.id);
            if (!event)
                continue;
            const std::optional<qint64> wallMs = eventWallTimeMs(*event, result.bootTimeMs);
            const QString label = u"event %1 (%2)"_s.arg(summary.id).arg(summary.victimComm);
            if (!wallMs) {
                result.messages << label + u": no wall time (the log has only uptime and no boot time is known)"_s;
                continue;
            }
            const qint64 seriesId = seriesForEvent(*event, candidates);
            const auto series = std::find_if(candidates.begin(), candidates.end(),
                                             [&](const SeriesInfo &s) { return s.id == seriesId; });
            if (series == candidates.end()) {
                result.messages << label + u": its cgroup matches no series of the recording"_s;
                continue;
            }
            if (!series->firstMs || *wallMs < *series->firstMs - kPlacementSlackMs
                || *wallMs > *series->lastMs + kPlacementSlackMs) {
                result.messages << label + u": outside the time range of "_s + series->cgroupPath;
                continue;
            }
            QString error;
            if (!store.setPlacement(summary.id, seriesId, *wallMs, &error))
                return failed(log, error, false);
            ++result.eventsPlaced;
        }
    }
    return result;
}

} // namespace oomscope
