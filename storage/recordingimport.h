// SPDX-License-Identifier: GPL-3.0-or-later
// Imports a recording — samples CSV, optional per-process CSV and kernel logs — into a workspace
// and places the logs' OOM events on the samples' timeline. Shared by the GUI and the CLI.
#pragma once

#include "samplestore.h"
#include "workspace.h"

#include <QStringList>

#include <optional>

namespace oomscope {

struct RecordingImportRequest {
    QString samplesPath;              // may be empty: logs only
    QString procsPath;                // optional
    QStringList logPaths;             // optional kernel logs of the same node
    QString host;                     // host the samples belong to; empty = unknown
    std::optional<qint64> bootTimeMs; // explicit boot time (epoch ms), overrides boottime_s
};

struct RecordingImportResult {
    bool ok = true;        // false: error names the file that failed; earlier files stay stored
    QString error;
    bool canceled = false;
    std::optional<SamplesImportResult> samples;
    std::optional<ProcsImportResult> procs;
    std::vector<std::pair<QString, ImportResult>> logs;
    std::optional<qint64> bootTimeMs;
    QString bootTimeSource;   // "--boot-time", "boottime_s of the samples", …
    int eventsPlaced = 0;
    QStringList messages;     // one line each, for people (unplaced events and why)
};

// Each file is one transaction (a failing file adds nothing; the files before it stay).
// Placement: an event's wall time is its kernel uptime + the boot time (explicit, else the
// median of the samples' timestamp − boottime_s), else its log prefix's wall time. It goes on the
// series of this recording that cgroupIndexForEvent() (timeline.h) picks, and only when the time
// lies within that series' range ± one minute.
RecordingImportResult importRecording(Workspace &workspace, SampleStore &store,
                                      const RecordingImportRequest &request,
                                      const ProgressFn &progress = {});

} // namespace oomscope
