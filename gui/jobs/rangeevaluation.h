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
    // The verdict classifies at most this many samples: a range with more is thinned
    // (SampleThinner) — read chunk by chunk, so a whole-session view re-judged every second
    // while it follows the newest holds this many, not the session.
    qint64 maxSamples = 20'000;
    // More raw samples than this (14 hours at 10 Hz): the stored level of detail's bucket last
    // values instead of reading them all (its 10 s buckets are then about as fine as the thinning's,
    // at a tenth of the time: oomscope-bench range-verdict).
    qint64 maxRawSamplesRead = 500'000;
    // Per-process rows: at most this many readings of the range (for the growth by process).
    qint64 maxProcessReadings = 600;
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
    enum class Reading {
        Raw, // every raw sample
        Thinned, // the extremes of each bucketMs (SampleThinner)
        LevelLast, // the stored level's last value of each bucketMs
    };
    Reading reading = Reading::Raw;
    std::int64_t bucketMs = 0; // Thinned, LevelLast
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
// the last reading at or before the range's end. How long ranges are capped: a range of more
// than maxSamples raw samples is thinned to the extremes of equal time buckets (trend, plateaus,
// spikes and the drops at kills survive; the noise around the trend looks larger); beyond
// maxRawSamplesRead, the finest stored level with at most maxSamples buckets is read and each
// bucket's last values (at its last sample's time) stand in for the samples — the trend and
// plateau survive this, the size of short jumps may not. The verdict panel says which.
RangeEvaluation evaluateRange(const RangeEvaluationRequest &request);

} // namespace oomscope
