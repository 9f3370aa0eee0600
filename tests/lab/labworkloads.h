// SPDX-License-Identifier: GPL-3.0-or-later
// The lab's workloads (tst_lab): what each one is, drawn from the seed, what it should be judged
// as, and what the lab recorded of it, described for the test log.
#pragma once

#include "memorysample.h"
#include "oomevent.h"
#include "verdict.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace oomscope::lab {

constexpr std::int64_t kMiB = 1024 * 1024;

// What one workload is and what it should be judged as.
struct Spec {
    QString name; // also the child cgroup's name
    QString expected; // verdictKindName
    std::int64_t limitBytes = 0;
    QStringList args; // after the program path
    std::vector<QStringList> extraProcesses; // more processes in the same cgroup (victim lab)
    bool expectKill = false;
    double stopAfterS = 0; // the driver ends it (not killed by the kernel) after this long
    double realRateMiBps = 0; // for leaks: the rate it really grows (the floor's for a sawtooth)
    int leakerProcess = -1; // several processes: which one leaks (0 = args, 1.. = extraProcesses)
    QString cacheFile; // page-cache workloads: the file it reads, written by the lab first
    std::int64_t cacheFileBytes = 0;
    QString description;
};

// What the lab recorded for one workload.
struct Recording {
    Spec spec;
    QString path; // cgroup path relative to the memory root ("/oomscope-lab-…/name")
    std::vector<pid_t> pids;
    qint64 spawnMs = 0;
    qint64 endMs = 0; // end of the recording window
    bool done = false;
    bool killedByKernel = false; // some process of it died of SIGKILL that the driver did not send
    bool stoppedByDriver = false;
    std::optional<int> brokenExit; // wait status of a process that ended other than by SIGKILL
    std::vector<std::pair<pid_t, int>> exits; // pid, wait status
    std::vector<MemorySample> samples;
    std::vector<ProcessSample> processes;
    std::vector<OomEvent> events; // kmsg events whose victim is one of its pids
    std::vector<qint64> killTimesMs;
    std::optional<Verdict> verdict;
};

// The workloads of one lab run, sizes and rates drawn from seed. Page-cache workloads read a
// file under cacheDir (Spec::cacheFile, to be written first). Without negativeAdj (no
// CAP_SYS_RESOURCE) the victim lab uses 500/1000/0 instead of 0/500/-500, and the several-process
// leak only adj >= 0. issueShapes adds the two fixed shapes of issue 12 (issue12-fast-leak: 128
// MiB, four processes, one growing 4 MiB/s from its third second; issue12-backup: a 7 s page-cache
// backup in 64 MiB), from which tests/data/recordings were made.
std::vector<Spec> makeSpecs(quint64 seed, const QString &cacheDir, bool negativeAdj,
                            bool issueShapes = false);

// The recording and its verdict in a few lines, for the log and lab.txt.
QString describe(const Recording &r);

} // namespace oomscope::lab
