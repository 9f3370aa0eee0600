// SPDX-License-Identifier: GPL-3.0-or-later
#include "rangeevaluation.h"

#include "readconnections.h"
#include "samplestore.h"
#include "workspace.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A reading older than this before the instant is not "the processes now".
constexpr std::int64_t kProcessLookbackMs = 5 * 60 * 1000;
constexpr std::int64_t kUnlimitedFromBytes = std::int64_t(1) << 62;

// Bucket "last" values as samples: each at the time of its bucket's last sample.
std::vector<MemorySample> samplesOfEnvelope(const SampleEnvelope &env)
{
    std::vector<MemorySample> out(env.size());
    for (std::size_t i = 0; i < env.size(); ++i) {
        MemorySample &s = out[i];
        s.timestampMs = env.lastTimeMs[i];
        s.usageBytes = env.lastUsageBytes[i];
        s.limitBytes = env.lastLimitBytes[i];
        s.highBytes = env.lastHighBytes[i];
        s.anonBytes = env.lastAnonBytes[i];
        s.fileBytes = env.lastFileBytes[i];
        s.activeFileBytes = env.lastActiveFileBytes[i];
        s.inactiveFileBytes = env.lastInactiveFileBytes[i];
        s.shmemBytes = env.lastShmemBytes[i];
        s.kernelBytes = env.lastKernelBytes[i];
        s.swapBytes = env.lastSwapBytes[i];
        s.failcnt = env.maxFailcnt[i];
        s.oomKillCount = env.maxOomKillCount[i];
        s.peakBytes = env.maxPeakBytes[i];
    }
    return out;
}

std::int64_t limitAtOrBefore(const std::vector<MemorySample> &samples, std::int64_t ms)
{
    auto it = std::upper_bound(samples.begin(), samples.end(), ms,
                               [](std::int64_t t, const MemorySample &s) { return t < s.timestampMs; });
    while (it != samples.begin()) {
        --it;
        if (MemorySample::known(it->limitBytes))
            return it->limitBytes >= kUnlimitedFromBytes ? 0 : it->limitBytes;
    }
    // A reading from just before the range: the range's first known limit stands in.
    for (const MemorySample &s : samples) {
        if (MemorySample::known(s.limitBytes))
            return s.limitBytes >= kUnlimitedFromBytes ? 0 : s.limitBytes;
    }
    return 0;
}

// The node's kernel era and page size, as the CLI finds them: from the kills placed on the series,
// else from any report of its node; the latest report that tells its era decides. Reports are
// read newest first and only until one tells (a series may hold many kills).
PredictionOptions nodePredictionOptions(const QString &workspacePath,
                                        const std::vector<EventPlacement> &placements,
                                        const std::vector<qint64> &nodeEventIds)
{
    const Result<Workspace *> workspace = threadWorkspace(workspacePath);
    std::vector<qint64> candidates;
    for (auto it = placements.rbegin(); it != placements.rend(); ++it)
        candidates.push_back(it->eventId);
    for (auto it = nodeEventIds.rbegin(); it != nodeEventIds.rend(); ++it)
        candidates.push_back(*it);
    constexpr std::size_t kMaxReportsRead = 32;
    if (workspace) {
        for (std::size_t i = 0; i < candidates.size() && i < kMaxReportsRead; ++i) {
            const std::optional<OomEvent> event = (*workspace)->event(candidates[i]);
            if (!event)
                continue;
            const PredictionOptions options = predictionOptionsFromEvents(std::span(&*event, 1));
            if (options.basis == PredictionOptions::Basis::KernelLog)
                return options;
        }
    }
    return predictionOptionsFromEvents({});
}

} // namespace

RangeEvaluation evaluateRange(const RangeEvaluationRequest &request)
{
    RangeEvaluation r;
    r.seriesId = request.seriesId;
    r.fromMs = request.fromMs;
    r.toMs = request.toMs;
    const Result<SampleStore *> opened = threadSampleStore(request.workspacePath);
    if (!opened) {
        r.error = opened.error().message;
        return r;
    }
    SampleStore *store = *opened;

    r.samplesInRange = store->levelCount(request.seriesId, 0, request.fromMs, request.toMs);
    std::vector<MemorySample> samples;
    if (r.samplesInRange > request.maxRawSamplesRead) {
        const SampleEnvelope env =
            store->envelope(request.seriesId, request.fromMs, request.toMs, int(request.maxSamples));
        samples = samplesOfEnvelope(env);
        r.reading = RangeEvaluation::Reading::LevelLast;
        r.bucketMs = env.bucketMs;
    } else {
        SampleStore::Thinned thinned =
            store->thinnedSamples(request.seriesId, request.fromMs, request.toMs, request.maxSamples);
        samples = std::move(thinned.samples);
        if (thinned.bucketMs > 0) {
            r.reading = RangeEvaluation::Reading::Thinned;
            r.bucketMs = thinned.bucketMs;
        }
    }
    r.samplesClassified = qint64(samples.size());

    const std::vector<EventPlacement> placements = store->placements(request.seriesId); // by time
    std::vector<qint64> killTimesInRange;
    std::vector<const EventPlacement *> killsInRange;
    for (const EventPlacement &p : placements) {
        if (p.timeMs >= request.fromMs && p.timeMs <= request.toMs) {
            killTimesInRange.push_back(p.timeMs);
            killsInRange.push_back(&p);
        }
    }
    r.killsInRange = int(killsInRange.size());
    // The range's per-process rows, for the growth by process.
    const std::vector<ProcessSample> rangeRows =
        store->processSamples(request.seriesId, request.fromMs, request.toMs, request.maxProcessReadings);
    ClassifyOptions options;
    options.minGapMs = 2 * r.bucketMs; // thinned or bucketed: steps within two buckets are not gaps
    r.verdict = classify(samples, options, killTimesInRange, rangeRows);

    auto victimOf = [&](qint64 eventId) {
        const auto it = request.victimsByEventId.find(eventId);
        return it != request.victimsByEventId.end() ? it->second : RangeEvaluationRequest::Victim {};
    };

    // The ranking if the cgroup hit its limit at the end of the range. Processes the kernel
    // already killed by then are left out: a reading taken between two kills may still list them.
    for (const EventPlacement &p : placements) {
        if (p.timeMs <= request.toMs) {
            const std::int64_t pid = victimOf(p.eventId).pid;
            if (pid != 0)
                r.excludedPids.push_back(pid);
        }
    }
    std::vector<ProcessSample> rows =
        store->processSamples(request.seriesId, request.toMs - kProcessLookbackMs, request.toMs);
    r.prediction = nodePredictionOptions(request.workspacePath, placements, request.nodeEventIds);
    r.haveProcessSamples = !rows.empty() || !rangeRows.empty();
    if (!rows.empty()) {
        const std::vector<ProcessSample> reading = readingAtOrBefore(rows, request.toMs, r.excludedPids);
        if (!reading.empty()) {
            r.limitBytesAtEnd = limitAtOrBefore(samples, reading.front().timestampMs);
            r.ranking = predictVictim(reading, r.limitBytesAtEnd, r.prediction);
        }
    }

    // The latest kill in the range: what the ranking said just before it, the victims of all
    // earlier kills of the series excluded (the kernel's, known from the log).
    if (!killsInRange.empty()) {
        const EventPlacement &latest = *killsInRange.back();
        std::vector<qint64> killTimes;
        std::vector<std::int64_t> knownVictims;
        for (const EventPlacement &p : placements) {
            if (p.timeMs > latest.timeMs)
                break;
            killTimes.push_back(p.timeMs);
            knownVictims.push_back(victimOf(p.eventId).pid);
        }
        KillComparison c;
        c.eventId = latest.eventId;
        c.killMs = latest.timeMs;
        c.kernelPid = victimOf(latest.eventId).pid;
        c.kernelComm = victimOf(latest.eventId).comm;
        const std::vector<ProcessSample> before =
            store->processSamples(request.seriesId, latest.timeMs - kProcessLookbackMs, latest.timeMs);
        if (!before.empty()) {
            const std::int64_t limitBytes = limitAtOrBefore(samples, latest.timeMs);
            const std::vector<std::optional<std::int64_t>> predicted =
                predictVictimsForKills(before, killTimes, limitBytes, knownVictims, r.prediction);
            if (!predicted.empty() && predicted.back()) {
                c.predictedPid = *predicted.back();
                for (auto it = before.rbegin(); it != before.rend(); ++it) {
                    if (it->pid == *c.predictedPid) {
                        c.predictedComm = it->comm;
                        break;
                    }
                }
            }
        }
        r.latestKill = c;
    }
    return r;
}

} // namespace oomscope
