// SPDX-License-Identifier: GPL-3.0-or-later
// Long live session: the workbench's attach path (real oomscope-agent over a fixture tree of 200
// cgroups at 10 Hz -> AgentClient -> FeedRecorderThread -> workspace) with the growth chart
// following 8 of the series live, for --minutes (default 10). Prints the process's memory growth,
// the chart's replot time p50/p99 and the samples lost. A figure, not a test: asserts no timings.
#include "qcustomplotinclude.h" // must come first, see there

#include "agentclient.h"
#include "agentendpoint.h"
#include "agentprocess.h"
#include "feedrecorder.h"
#include "fixturetree.h"
#include "growthchart.h"
#include "samplestore.h"
#include "workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <vector>

using namespace oomscope;
using namespace Qt::StringLiterals;
using oomscope::testsupport::AgentProcess;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;

namespace {

constexpr int kCgroups = 200;
constexpr int kShown = 8; // series on the chart, as a person watching a few workloads
constexpr std::int64_t kIntervalMs = 100;

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t rank = std::size_t(std::max(1.0, std::ceil(p / 100.0 * double(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

double residentMiB()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    return statm.readAll().split(' ').value(1).toDouble() * 4096.0 / 1048576.0;
}

bool makeTree(const QString &root, const QString &procRoot)
{
    if (!copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v2"), root)
        || !copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), procRoot))
        return false;
    for (int i = 0; i < kCgroups; ++i) {
        const QString d = root + u"/soak.slice/c%1"_s.arg(i);
        if (!QDir().mkpath(d))
            return false;
        bool ok = writeFileAtomically(d + u"/memory.current"_s, QByteArray::number(1000000 + i) + '\n')
            && writeFileAtomically(d + u"/memory.max"_s, "max\n")
            && writeFileAtomically(d + u"/memory.events"_s,
                                   "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n")
            && writeFileAtomically(
                      d + u"/memory.stat"_s,
                      "anon 4096\nfile 8192\nshmem 0\ninactive_file 4096\nactive_file 4096\nkernel 0\n")
            && writeFileAtomically(d + u"/cgroup.procs"_s, "");
        if (!ok)
            return false;
    }
    return true;
}

// Ticks between a series' first and last sample without a sample: the agent's sampler skips a
// tick it starts too late (an overloaded machine); not a loss of the pipeline.
qint64 lostIn(const std::vector<MemorySample> &samples)
{
    if (samples.size() < 2)
        return 0;
    const std::int64_t span = samples.back().timestampMs - samples.front().timestampMs;
    const qint64 expected = qint64(std::llround(double(span) / double(kIntervalMs))) + 1;
    return std::max<qint64>(0, expected - qint64(samples.size()));
}

// The chart's series as the window sets them; lastShownMs: each series' last sample so far.
std::vector<ChartSeriesSpec> chartSpecs(SampleStore &store, const std::vector<qint64> &shown,
                                        std::map<qint64, std::int64_t> &lastShownMs)
{
    std::vector<ChartSeriesSpec> specs;
    for (qint64 id : shown) {
        const std::optional<SeriesInfo> info = store.seriesInfo(id);
        ChartSeriesSpec spec;
        spec.seriesId = id;
        spec.label = u"c%1"_s.arg(id);
        spec.firstMs = info ? info->firstMs.value_or(0) : 0;
        spec.lastMs = info ? info->lastMs.value_or(0) : 0;
        lastShownMs[id] = spec.lastMs;
        specs.push_back(spec);
    }
    return specs;
}

// Counts what the workspace holds and prints the figures; the process exit code.
int report(SampleStore &store, const AgentClient::Status &status, qint64 elapsedMs,
           const std::vector<double> &replotMs, const std::vector<std::pair<double, double>> &rssCurve,
           double rssStart, double rssEnd)
{
    qint64 stored = 0;
    qint64 missedTicks = 0;
    for (int i = 0; i < kCgroups; ++i) {
        const auto id = store.findSeries(status.hostname, u"/soak.slice/c%1"_s.arg(i));
        const std::vector<MemorySample> all = id
            ? store.samples(*id, 0, std::numeric_limits<std::int64_t>::max())
            : std::vector<MemorySample> {};
        stored += qint64(all.size());
        missedTicks += id ? lostIn(all) : 0;
    }
    std::printf("long session: %d cgroups at 10 Hz for %.1f min, real agent -> AgentClient -> "
                "FeedRecorderThread, growth chart of %d series following live (offscreen)\n",
                kCgroups, double(elapsedMs) / 60000.0, kShown);
    // Lost: received from the agent but not in the workspace, or never received (sequence gaps).
    const qint64 lost = std::max<qint64>(0, status.samplesReceived - stored) + status.gapCount;
    std::printf("  samples received %lld, stored %lld, lost %lld (sequence gaps %d, refused %lld), "
                "reconnects %d\n",
                status.samplesReceived, stored, lost, status.gapCount, status.samplesRefused,
                status.reconnects);
    std::printf(
        "  ticks the agent's sampler skipped (started late on a loaded machine): %lld of %lld (%.2f %%)\n",
        missedTicks, stored + missedTicks,
        stored + missedTicks > 0 ? 100.0 * double(missedTicks) / double(stored + missedTicks) : 0.0);
    std::printf("  replot p50 %.1f ms  p99 %.1f ms  max %.1f ms over %zu replots (target p99 < 50 ms)\n",
                percentile(replotMs, 50), percentile(replotMs, 99),
                replotMs.empty() ? 0.0 : *std::max_element(replotMs.begin(), replotMs.end()),
                replotMs.size());
    std::printf("  resident %.1f MiB after setup -> %.1f MiB at the end (growth %+.1f MiB); per minute:",
                rssStart, rssEnd, rssEnd - rssStart);
    for (const auto &[minute, mib] : rssCurve)
        std::printf(" %.0f:%.1f", minute, mib);
    std::printf("\n");
    return stored > 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Long live session: 200 cgroups at 10 Hz into the workbench"_s);
    parser.addHelpOption();
    const QCommandLineOption minutesOpt(u"minutes"_s, u"Session length in minutes (default 10)."_s, u"m"_s,
                                        u"10"_s);
    const QCommandLineOption agentOpt(u"agent"_s, u"The oomscope-agent binary."_s, u"path"_s,
                                      QStringLiteral(OOMSCOPE_AGENT_BINARY));
    parser.addOptions({minutesOpt, agentOpt});
    parser.process(app);
    const qint64 durationMs = qint64(std::max(0.05, parser.value(minutesOpt).toDouble()) * 60'000);

    QTemporaryDir dir;
    const QString cgroupRoot = dir.path() + u"/cg"_s;
    const QString procRoot = dir.path() + u"/proc"_s;
    if (!dir.isValid() || !writeFileAtomically(dir.path() + u"/kmsg"_s, QByteArray())
        || !makeTree(cgroupRoot, procRoot)) {
        std::fprintf(stderr, "cannot set up the fixture tree\n");
        return 1;
    }
    QStringList args {
        u"--cgroup-root"_s,      cgroupRoot,      u"--proc-root"_s, procRoot,         u"--kmsg"_s,
        dir.path() + u"/kmsg"_s, u"--interval"_s, u"100ms"_s,       u"--heartbeat"_s, u"1s"_s};
    for (int i = 0; i < kCgroups; ++i)
        args << u"--cgroup"_s << u"/soak.slice/c%1"_s.arg(i);
    AgentProcess agent(parser.value(agentOpt));
    const quint16 port = agent.listen(args);
    if (!port) {
        std::fprintf(stderr, "agent did not start: %s\n", agent.errorOutput().constData());
        return 1;
    }

    const QString dbPath = dir.path() + u"/ws.sqlite"_s;
    FeedRecorderThread recorder;
    if (const Result<void> started = recorder.start(dbPath); !started) {
        std::fprintf(stderr, "recorder: %s\n", qPrintable(started.error().message));
        return 1;
    }
    AgentConnectOptions options;
    options.endpoint = *AgentEndpoint::parse(u"127.0.0.1:%1"_s.arg(port));
    AgentClient client(options);
    client.setRecorder(recorder.recorder());
    client.start();

    Workspace ws; // the window's own reader connection
    if (!ws.open(dbPath)) {
        std::fprintf(stderr, "cannot open the workspace\n");
        return 1;
    }
    SampleStore store(ws);
    std::vector<qint64> shown;
    QElapsedTimer setup;
    setup.start();
    while (setup.elapsed() < 20000 && int(shown.size()) < kShown) {
        spin(50);
        shown.clear();
        for (int i = 0; i < kShown; ++i) {
            if (const auto id = store.findSeries(client.status().hostname, u"/soak.slice/c%1"_s.arg(i * 25)))
                shown.push_back(*id);
        }
    }
    if (int(shown.size()) < kShown) {
        std::fprintf(stderr, "no samples within 20 s: %s\n", qPrintable(client.status().message));
        return 1;
    }

    GrowthChart chart;
    chart.resize(1400, 700);
    chart.setWorkspacePath(dbPath);
    chart.show();
    std::map<qint64, std::int64_t> lastShownMs;
    const std::vector<ChartSeriesSpec> specs = chartSpecs(store, shown, lastShownMs);
    chart.setSeries(specs, {});
    spin(500);

    const double rssStart = residentMiB();
    std::vector<double> replotMs;
    std::vector<std::pair<double, double>> rssCurve; // (minute, MiB)
    QElapsedTimer run;
    run.start();
    qint64 counter = 0;
    while (run.elapsed() < durationMs) {
        // Counters move under the sampler; the chart takes the new samples once a second and
        // replots, as the window does with a live feed.
        for (int k = 0; k < 20; ++k, ++counter)
            writeFileAtomically(cgroupRoot + u"/soak.slice/c%1/memory.current"_s.arg(counter % kCgroups),
                                QByteArray::number(2000000 + (counter % 5000) * 4096) + '\n');
        spin(1000);
        for (qint64 id : shown) {
            std::vector<MemorySample> fresh =
                store.samples(id, lastShownMs[id] + 1, std::numeric_limits<std::int64_t>::max());
            if (!fresh.empty()) {
                lastShownMs[id] = fresh.back().timestampMs;
                chart.appendLiveSamples(id, fresh);
            }
        }
        spin(1);
        QElapsedTimer t;
        t.start();
        chart.replotNow();
        replotMs.push_back(double(t.nsecsElapsed()) / 1e6);
        if (run.elapsed() / 60000 >= qint64(rssCurve.size()))
            rssCurve.emplace_back(double(run.elapsed()) / 60000.0, residentMiB());
    }
    const double rssEnd = residentMiB();
    const AgentClient::Status status = client.status();
    client.detach();
    recorder.stop();
    if (!agent.terminate())
        agent.stop();

    return report(store, status, run.elapsed(), replotMs, rssCurve, rssStart, rssEnd);
}
