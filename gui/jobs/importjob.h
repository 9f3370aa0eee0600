// SPDX-License-Identifier: GPL-3.0-or-later
// The background import job: imports kernel logs and memory recordings into a workspace through
// its own connection, places the logs' OOM events on the recordings' timelines, reports one
// result per file and byte progress, and stops when the promise is canceled.
#pragma once

#include "recordingimport.h"
#include "samplestore.h"
#include "workspace.h"

#include <QPromise>
#include <QStringList>

#include <vector>

namespace oomscope {

// A memory recording: a samples CSV, optionally the per-process CSV taken with it and the kernel
// logs of the same machine and time, whose events are placed on the recording's series.
struct FileImportOutcome {
    enum class Kind { KernelLog, Samples, Procs, Kubernetes }; // Kubernetes: kubectl JSON, describe
    QString filePath;
    Kind kind = Kind::KernelLog;
    // For CSVs: ok, error, canceled, alreadyImported, sourceId, and the skipped rows as
    // Malformed warnings, so the window reports every kind of file alike.
    ImportResult result;
    qint64 samplesAdded = 0; // Samples: samples stored; Procs: process rows stored
    int eventsPlaced = 0; // Samples: events of the recording's logs placed on its series
    int podsAdded = 0; // Kubernetes: pods stored (their events count in result.eventsAdded)
};

// Progress range is 0..ImportProgressMax over the bytes of all files together. Runs on a pool
// thread; opens (and closes) its own Workspace on workspacePath, since a connection must stay in
// the thread that made it. Kernel logs in `files` are imported first, then each recording (its
// samples, procs and kernel logs, then the placement of its logs' events).
inline constexpr int ImportProgressMax = 1000;
void runImportJob(QPromise<FileImportOutcome> &promise, const QString &workspacePath,
                  const QStringList &files, const std::vector<RecordingImportRequest> &recordings);

// Places the OOM events `eventIds` on the series `seriesIds` of one recording; returns how many
// placements were made. The rule (also for recordings whose cgroup was renamed on the way):
// 1. Time: the event's kernel uptime on the boot time the series' own samples give (median of
//    timestamp − boottime_s, timeline.h), else the wall time of its log line. The time must lie
//    within the series' first…last sample ± 60 s; an event without either time is not placed.
// 2. Cgroup: a series matches when its cgroup path equals the event's oom_memcg or task_memcg;
//    when no series of the recording matches that way, one whose last path component equals the
//    memcg's last component ("/oomgt-demo" for "/sys/fs/cgroup/memory/oomgt-demo": recorded
//    through another mount or cgroup namespace); when neither matches and the recording holds a
//    single series in time, the event goes there (a recording named after its service).
// 3. Host: an event with a host only goes to series of that host (or series without one).
} // namespace oomscope
