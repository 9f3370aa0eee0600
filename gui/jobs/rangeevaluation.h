// SPDX-License-Identifier: GPL-3.0-or-later
// The verdict and the predicted next victim of one series over one time range, computed off the
// GUI thread from the sample store, for the Timeline tab's side panels and the chart's trend.
#pragma once

#include "prediction.h"
#include "verdict.h"

#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace oomscope {

// What the job needs, snapshotted by value on the GUI thread.
struct RangeEvaluationRequest {
    QString workspacePath;
    qint64 seriesId = 0;
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    struct Victim {
        std::int64_t pid = 0;
        QString comm;
    };
    std::map<qint64, Victim> victimsByEventId; // the kernel's victims, from the events list
    // The OOM events of the series' node (its host), in log order: where the kernel era and page
    // size of the predictions come from when no kill is placed on the series itself.
    std::vector<qint64> nodeEventIds;
    // More raw samples than this in the range: the verdict reads the stored level of detail's
    // last values instead (see evaluateRange).
    qint64 maxSamples = 200'000;
};

// The latest kill in the range: the ranking just before it against the kernel's choice.
struct KillComparison {
    qint64 eventId = 0;
    std::int64_t killMs = 0;
    std::int64_t kernelPid = 0;
    QString kernelComm;
    std::optional<std::int64_t> predictedPid; // nullopt: no reading precedes the kill
    QString predictedComm;
    bool matches() const { return predictedPid && kernelPid != 0 && *predictedPid == kernelPid; }
};

struct RangeEvaluation {
    qint64 seriesId = 0;
    std::int64_t fromMs = 0; // the range evaluated (the visible one, clipped to the data)
    std::int64_t toMs = 0;
    QString error;

    Verdict verdict;
    qint64 samplesInRange = 0; // raw samples stored in the range
    qint64 samplesClassified = 0;
    bool fromLevelOfDetail = false; // classified on bucket "last" values, not raw samples
    std::int64_t levelBucketMs = 0;
    int killsInRange = 0;

    // The node's kernel era and page size the predictions used (predictionOptionsFromEvents).
    PredictionOptions prediction;
    // The ranking if the cgroup hit its limit at the end of the range.
    bool haveProcessSamples = false; // the series has per-process rows somewhere near the range
    std::optional<PredictedRanking> ranking;
    std::int64_t limitBytesAtEnd = 0; // the effective limit used (0: unknown or unlimited)
    std::vector<std::int64_t> excludedPids; // victims of kills before the instant, left out
    std::optional<KillComparison> latestKill;
};

// Reads the range's samples through a connection of the calling thread (one per thread and
// path, reused), classifies them with the kills placed in the range and ranks the processes of
// the last reading at or before the range's end. How long ranges are capped: when the range
// holds more than maxSamples raw samples, the finest stored level with at most maxSamples
// buckets is read and each bucket's last values (at its last sample's time) stand in for the
// samples — the trend and plateau survive this, the size of short jumps may not (said in the
// verdict's warnings).
RangeEvaluation evaluateRange(const RangeEvaluationRequest &request);

} // namespace oomscope
