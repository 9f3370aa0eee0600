// SPDX-License-Identifier: GPL-3.0-or-later
// Predicts whom the OOM killer would pick if a cgroup hit its limit now: the per-process samples
// of one instant scored with the same badness code as the kill-decision view (decideKill).
//
// Each process becomes an OomTask: rss = (rss_anon + rss_file + rss_shmem) kB / page kB (or
// rss_kb when the split is absent), swap kB / page kB, pgtables kB * 1024 bytes; tgid = pid. The
// tasks are ordered by pid — the kernel walks the cgroup's task list, whose order a sampler
// cannot see, so ties between equal points are resolved on that assumption (and said in notes).
// totalpages = the effective limit in pages, without a swap term. oom_score_adj -1000 is never
// eligible.
#pragma once

#include "killdecision.h"
#include "memorysample.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <span>
#include <vector>

namespace oomscope {

struct PredictionOptions {
    BadnessEra era = BadnessEra::Linux59Plus; // the running kernel's formula
    std::int64_t pageSizeBytes = 4096;
    // Where era and page size came from, said in the notes (Given: as the caller set them, no note).
    enum class Basis { Given, KernelLog, Default };
    Basis basis = Basis::Given;
    // ProcessSample has no uid; for eras with the 3 % root bonus say whether to grant it to all.
    bool assumeCapSysAdmin = false;
    // Rows up to this much older than the newest one still belong to the same reading (a sampler
    // stamps each process as it reads it).
    qint64 instantToleranceMs = 50;
};

struct PredictedProcess {
    std::int64_t pid = 0;
    QString comm;
    int oomScoreAdj = 0;
    bool eligible = true; // false: oom_score_adj -1000
    std::int64_t rssPages = 0;
    std::int64_t swapPages = 0;
    std::int64_t pageTablePages = 0;
    std::int64_t points = 0;
    double share = 0; // of the sum of positive points
    int rank = 0; // 1 = predicted victim
    std::int64_t pointsGapToTop = 0; // top.points - points (0 for the top)
    // Smallest oom_score_adj with which this process would be the victim, all else unchanged;
    // nullopt when even 1000 would not do it.
    std::optional<int> adjToBeVictim;
    bool rssEstimated = false; // no rss figure at all: counted as 0
};

// An assumption or observation the prediction rests on; predictionexplanation.h words it.
struct PredictionNote {
    enum class Kind {
        NoLimit, // no limit known: the oom_score_adj term is taken as 0
        RssUnknown, // some processes have no rss figure: counted as 0
        RootBonusGranted, // era with the 3 % root bonus: granted to every process (uid unknown)
        RootBonusWithheld, // era with the 3 % root bonus: granted to none (uid unknown)
        SelectionDisagreement, // the what-if search disagrees with the kill decision's selection
        TopTie, // equal points at the top: the tie rule in pid order decides
        EarlierVictimsExcluded, // victims of earlier kills were left out of the reading
        EraFromKernelLog, // era and pageSizeBytes from the node's kernel reports
        EraDefault, // no kernel report: the default era (5.9+) and 4 KiB pages
    };
    Kind kind = Kind::NoLimit;
    BadnessEra era = BadnessEra::Linux59Plus; // EraFromKernelLog / EraDefault
    std::int64_t pageSizeBytes = 4096;
    bool lastMaximumWins = true; // TopTie
    std::size_t count = 0; // EarlierVictimsExcluded: how many pids
};

struct PredictedRanking {
    qint64 instantMs = 0; // timestamp of the reading used
    std::int64_t limitBytes = 0;
    std::int64_t totalPages = 0;
    BadnessEra era = BadnessEra::Linux59Plus;
    bool lastMaximumWins = true;
    std::vector<PredictedProcess> ranking; // eligible first, highest points first
    std::optional<std::int64_t> predictedVictimPid;
    std::vector<PredictionNote> noteFacts; // assumptions made, in order
    QStringList notes; // predictionNotes(*this): noteFacts in words
};

// The node's kernel era and page size for predictions, from the kernel reports of that node or
// cgroup (in log order): the latest report whose era its release (or, failing that, its format)
// tells (badnessera.h chooseEra), with its page size; without one the documented default —
// 5.9+ and 4 KiB. The basis is said in the prediction's notes.
PredictionOptions predictionOptionsFromEvents(std::span<const OomEvent> events, PredictionOptions base = {});

// Ranks the processes of one reading (if a pid appears twice, its last row counts). limitBytes
// <= 0 or kUnlimited: no limit known, the oom_score_adj term is taken as 0 (noted).
PredictedRanking predictVictim(std::span<const ProcessSample> atInstant, std::int64_t limitBytes,
                               const PredictionOptions &options = {});

// The rows of the last reading at or before killWallMs (epoch ms), of `cgroup` when it is not
// empty (rows with no cgroup are kept), without the pids in excludedPids (victims of earlier
// kills that the reading still shows: two kills can fall between two readings).
std::vector<ProcessSample> readingAtOrBefore(std::span<const ProcessSample> allRows, qint64 killWallMs,
                                             std::span<const std::int64_t> excludedPids = {},
                                             const QString &cgroup = {}, qint64 instantToleranceMs = 50);

// predictVictim on readingAtOrBefore; nullopt when no reading precedes the kill.
std::optional<PredictedRanking> predictVictimAtKill(std::span<const ProcessSample> allRows, qint64 killWallMs,
                                                    std::int64_t limitBytes,
                                                    std::span<const std::int64_t> excludedPids = {},
                                                    const PredictionOptions &options = {},
                                                    const QString &cgroup = {});

// For kills in time order: each one's predicted victim pid (nullopt where no reading precedes
// it), excluding the victims of the earlier kills — knownVictimPids[i] when given and not 0 (the
// kernel's victim from the log), else the pid predicted for kill i.
std::vector<std::optional<std::int64_t>>
predictVictimsForKills(std::span<const ProcessSample> allRows, std::span<const qint64> killWallMs,
                       std::int64_t limitBytes, std::span<const std::int64_t> knownVictimPids = {},
                       const PredictionOptions &options = {}, const QString &cgroup = {});

} // namespace oomscope
