// SPDX-License-Identifier: GPL-3.0-or-later
// Imports a recording — samples CSV, optional per-process CSV and kernel logs — into a workspace
// and places the logs' OOM events on the samples' timeline. Shared by the GUI and the CLI.
#pragma once

#include "samplestore.h"
#include "workspace.h"

#include <QStringList>

#include <functional>
#include <optional>

namespace oomscope {

struct RecordingImportRequest {
    QString samplesPath; // may be empty: logs only
    QString procsPath; // optional
    QStringList logPaths; // optional kernel logs of the same node
    QString host; // host the samples belong to; empty = unknown
    std::optional<qint64> bootTimeMs; // explicit boot time (epoch ms), overrides boottime_s
};

// Per-file progress for callers that report across several files (the GUI's progress bar).
struct RecordingImportHooks {
    std::function<ProgressFn(const QString &path)> progressFor; // called before each file
    std::function<void(const QString &path)> fileDone; // called after each file
};

struct RecordingImportResult {
    bool ok = true; // false: error names the file that failed; earlier files stay stored
    QString error;
    Error::Kind errorKind = Error::Kind::Invalid; // with error
    bool canceled = false;
    std::optional<SamplesImportResult> samples;
    std::optional<ProcsImportResult> procs;
    std::vector<std::pair<QString, ImportResult>> logs;
    std::optional<qint64> bootTimeMs;
    QString bootTimeSource; // "--boot-time", "boottime_s of the samples", …
    int eventsPlaced = 0;
    QStringList messages; // one line each, for people (unplaced events and why)
};

// Each file is one transaction (a failing file adds nothing; the files before it stay).
// Placement: an event's wall time is its kernel uptime + the boot time (explicit, else the
// median of timestamp − boottime_s over the first ten minutes of that series' own samples),
// else its log prefix's wall time. Among the recording's series on the event's host whose range
// ± one minute holds that time, it goes on the one cgroupIndexForEvent() (timeline.h) picks.
// Finally SampleStore::placeEventsByMemcg() places wall-clock events of other logs too.
RecordingImportResult importRecording(Workspace &workspace, SampleStore &store,
                                      const RecordingImportRequest &request,
                                      const RecordingImportHooks &hooks = {});

// Places already stored events on the given series by the rule above; returns how many.
int placeEventsOnSeries(Workspace &workspace, SampleStore &store, const std::vector<qint64> &seriesIds,
                        const std::vector<qint64> &eventIds, std::optional<qint64> bootTimeMs = {});

} // namespace oomscope
