// SPDX-License-Identifier: GPL-3.0-or-later
#include "rangeverdictbench.h"

#include "childrun.h"
#include "consolestreams.h"
#include "peakrss.h"
#include "rangeevaluation.h"
#include "samplestore.h"
#include "verdict.h"
#include "workspace.h"

#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <limits>
#include <random>

using namespace Qt::StringLiterals;

namespace oomscope::bench {

namespace {

constexpr double kHz = 10.0;
constexpr std::int64_t kStartMs = 1'795'825'075'000;
constexpr int kRuns = 5;

// One cgroup at 10 Hz for hours: anon leaking 40 MiB an hour from 150 MiB with 3 MiB of noise,
// 40 MiB of page cache, a 2 GiB limit; appended as a recorder does, in batches.
bool writeSeries(const QString &path, double hours)
{
    Workspace ws;
    if (!ws.open(path))
        return false;
    SampleStore store(ws);
    const Result<qint64> id = store.ensureSeries(u"bench"_s, u"/bench.slice/leak"_s);
    if (!id)
        return false;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 3.0 * 1024 * 1024);
    const auto total = qint64(hours * 3600.0 * kHz);
    std::vector<MemorySample> batch;
    for (qint64 i = 0; i < total; ++i) {
        MemorySample s;
        s.timestampMs = kStartMs + i * qint64(1000.0 / kHz);
        s.anonBytes = std::int64_t(150e6 + double(i) / kHz / 3600.0 * 40 * 1048576.0 + noise(rng));
        s.fileBytes = 40 << 20;
        s.inactiveFileBytes = 24 << 20;
        s.activeFileBytes = 16 << 20;
        s.shmemBytes = 0;
        s.usageBytes = s.anonBytes + s.fileBytes;
        s.limitBytes = std::int64_t(2) << 30;
        batch.push_back(s);
        if (batch.size() == 10'000 || i + 1 == total) {
            if (!store.append(*id, batch).ok)
                return false;
            batch.clear();
        }
    }
    return true;
}

} // namespace

int runRangeVerdictChild(const QStringList &args)
{
    if (args.size() != 2)
        return 2;
    Workspace ws;
    if (!ws.open(args[0]))
        return 1;
    const std::vector<SeriesInfo> series = SampleStore(ws).series();
    if (series.size() != 1 || !series.front().firstMs || !series.front().lastMs)
        return 1;
    RangeEvaluationRequest request;
    request.workspacePath = args[0];
    request.seriesId = series.front().id;
    request.fromMs = *series.front().firstMs;
    request.toMs = *series.front().lastMs;
    if (args[1] == u"before") { // up to 200,000 raw samples, then the stored level's last values
        request.maxSamples = 200'000;
        request.maxRawSamplesRead = 200'000;
    } else if (args[1] == u"raw") {
        request.maxSamples = std::numeric_limits<qint64>::max();
        request.maxRawSamplesRead = std::numeric_limits<qint64>::max();
    } else if (args[1] != u"now") {
        return 2;
    }
    const qint64 openRssKb = peakRssKb();
    std::vector<double> ms;
    RangeEvaluation e;
    for (int run = 0; run < kRuns; ++run) {
        QElapsedTimer timer;
        timer.start();
        e = evaluateRange(request);
        ms.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    consoleOut() << "ms=" << ms[ms.size() / 2] << " max_ms=" << ms.back() << " in_range=" << e.samplesInRange
                 << " classified=" << e.samplesClassified << " reading=" << int(e.reading)
                 << " kind=" << verdictKindName(e.verdict.kind)
                 << " slope=" << e.verdict.evidence.slopeMiBPerHour << " open_rss_kb=" << openRssKb
                 << " maxrss_kb=" << peakRssKb() << '\n';
    consoleOut().flush();
    return e.error.isEmpty() ? 0 : 1;
}

int runRangeVerdictBenchmark(const QStringList &args)
{
    std::vector<double> hours {1, 6, 24};
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == u"--hours" && i + 1 < args.size()) {
            hours.clear();
            for (const QString &h : args[++i].split(u','))
                hours.push_back(h.toDouble());
        } else {
            consoleErr() << "usage: oomscope-bench range-verdict [--hours H[,H…]]\n";
            return 2;
        }
    }
    consoleOut() << "range verdict: one series at 10 Hz leaking 40 MiB/h, the whole of it judged (median of "
                 << kRuns << " evaluations, own process each)\n"
                 << "  now: at most 20,000 thinned samples; before: raw up to 200,000, then the stored "
                    "level's last values; raw: every sample (the reference)\n";
    for (double h : hours) {
        if (h <= 0)
            return 2;
        QTemporaryDir dir;
        const QString path = dir.filePath(u"range.sqlite"_s);
        if (!writeSeries(path, h)) {
            consoleErr() << "range-verdict: cannot write the series\n";
            return 1;
        }
        for (const QString &mode : {u"now"_s, u"before"_s, u"raw"_s}) {
            const ChildRun c = runChild({u"range-verdict-child"_s, path, mode});
            if (!c.ok) {
                consoleErr() << "range-verdict: " << c.error << '\n';
                return 1;
            }
            consoleOut() << "  " << QString::number(h) << " h, " << qint64(c.number(u"in_range"_s))
                         << " samples, " << mode.leftJustified(6) << ": "
                         << QString::number(c.number(u"ms"_s), 'f', 1) << " ms (max "
                         << QString::number(c.number(u"max_ms"_s), 'f', 1) << "), "
                         << qint64(c.number(u"classified"_s)) << " classified, " << c.values.at(u"kind"_s)
                         << " at " << QString::number(c.number(u"slope"_s), 'f', 1) << " MiB/h; peak RSS "
                         << QString::number(c.number(u"maxrss_kb"_s) / 1024.0, 'f', 1) << " MiB ("
                         << QString::number(c.number(u"open_rss_kb"_s) / 1024.0, 'f', 1)
                         << " before the first)\n";
            consoleOut().flush();
        }
    }
    return 0;
}

} // namespace oomscope::bench
