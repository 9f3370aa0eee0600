// SPDX-License-Identifier: GPL-3.0-or-later
// Long live session: the workbench's main window attached to a real oomscope-agent over a fixture
// tree of --cgroups cgroups sampled at --hz, for --minutes (default 200, 10 Hz, 10 min), as
// File > Attach to Node… does (AgentClient -> FeedRecorderThread -> workspace -> the window),
// with --shown series checked on the Timeline and Fit All pressed once a minute, as a person
// watching the whole session would. Prints the process's memory over time, the points the
// chart holds, the chart's replot times (QCustomPlot's own replotTime of every replot the window
// made), how late the GUI thread's event loop ran, and the samples lost (received from the agent
// but not in the workspace, or never received). A figure, not a test: asserts no timings.
#include "qcustomplotinclude.h" // must come first, see there

#include "agentclient.h"
#include "agentendpoint.h"
#include "agentprocess.h"
#include "fixturetree.h"
#include "growthchart.h"
#include "mainwindow.h"
#include "samplestore.h"
#include "samplesview.h"
#include "seriestreemodel.h"
#include "workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

using namespace oomscope;
using namespace Qt::StringLiterals;
using oomscope::testsupport::AgentProcess;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;

namespace {

struct Options {
    int cgroups = 200;
    double hz = 10;
    double minutes = 10;
    int shown = 8; // series checked on the Timeline, as a person watching a few workloads
    QString agent;
    QString screenshot; // the window at the end, as a person would see it
    bool breakdown = false; // where a replot's time goes, at the end
};

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

// Where the resident memory is: anonymous (the heap, thread stacks), file-backed (the binary and
// libraries, mapped files), shared (SQLite's WAL index); and what malloc has handed out and not
// got back (a heap that grows without it is fragmentation, not a leak).
struct MemoryParts {
    double anonMiB = 0;
    double fileMiB = 0;
    double shmemMiB = 0;
    double heapInUseMiB = 0;
    double sqliteMiB = 0; // part of the heap in use
};

MemoryParts memoryParts()
{
    MemoryParts m;
    QFile status(u"/proc/self/status"_s);
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            const QList<QByteArray> f = line.simplified().split(' ');
            const double mib = f.value(1).toDouble() / 1024.0;
            if (f.value(0) == "RssAnon:")
                m.anonMiB = mib;
            else if (f.value(0) == "RssFile:")
                m.fileMiB = mib;
            else if (f.value(0) == "RssShmem:")
                m.shmemMiB = mib;
        }
    }
#ifdef __GLIBC__
    const struct mallinfo2 mi = mallinfo2();
    m.heapInUseMiB = double(mi.uordblks + mi.hblkhd) / 1048576.0;
#endif
    m.sqliteMiB = double(Workspace::sqliteMemoryBytes()) / 1048576.0;
    return m;
}

QString cgroupPath(int i)
{
    return u"/soak.slice/c%1"_s.arg(i);
}

bool makeTree(const QString &root, const QString &procRoot, int cgroups)
{
    if (!copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v2"), root)
        || !copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), procRoot))
        return false;
    for (int i = 0; i < cgroups; ++i) {
        const QString d = root + cgroupPath(i);
        if (!QDir().mkpath(d))
            return false;
        bool ok = writeFileAtomically(d + u"/memory.current"_s, QByteArray::number(1000000 + i) + '\n')
            && writeFileAtomically(d + u"/memory.max"_s, QByteArray::number(64 << 20) + '\n')
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

// Moves the counters under the sampler from its own thread (the GUI thread only shows): each
// cgroup's usage climbs and falls back like a sawtooth workload.
class CounterWriter
{
public:
    CounterWriter(QString root, int cgroups)
        : m_root(std::move(root))
        , m_cgroups(cgroups)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~CounterWriter()
    {
        m_stop = true;
        m_thread.join();
    }

private:
    void run()
    {
        for (qint64 counter = 0; !m_stop; ++counter) {
            for (int k = 0; k < 20 && !m_stop; ++k) {
                const qint64 n = counter * 20 + k;
                const int i = int(n % m_cgroups);
                const qint64 usage = (8 << 20) + (n / m_cgroups % 400) * (128 << 10) + i * 4096;
                writeFileAtomically(m_root + cgroupPath(i) + u"/memory.current"_s,
                                    QByteArray::number(usage) + '\n');
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    QString m_root;
    int m_cgroups;
    std::atomic<bool> m_stop {false};
    std::thread m_thread;
};

double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct Figures {
    std::vector<double> replotMs;
    std::vector<double> replotCpuMs; // the GUI thread's CPU time in each replot
    std::vector<double> lateMs; // how much later than asked a 10 ms timer fired
    std::vector<double> busyMs; // the GUI thread's CPU time between two of its ticks
    struct Minute {
        double minute = 0;
        double rssMiB = 0;
        qint64 points = 0;
        MemoryParts parts = memoryParts();
    };
    std::vector<Minute> curve;
    qint64 maxPoints = 0;

    // The per-tick figures above are the bench's own memory, not the window's: reserved for the
    // whole run up front (growing by doubling they were steps in the heap at minutes 11, 23 and
    // 46 — taken once for the window's), and left out of every memory figure.
    void reserve(qint64 durationMs)
    {
        const auto ticks = std::size_t(durationMs / 10 + 6000); // a 10 ms timer; replots: at most one a frame
        for (std::vector<double> *v : {&replotMs, &replotCpuMs, &lateMs, &busyMs})
            v->reserve(ticks);
    }
    double reservedMiB() const // in malloc's heap from the start
    {
        return double((replotMs.capacity() + replotCpuMs.capacity() + lateMs.capacity() + busyMs.capacity())
                      * sizeof(double))
            / 1048576.0;
    }
    double touchedMiB() const // resident by now (pages are made resident as they are written)
    {
        return double((replotMs.size() + replotCpuMs.size() + lateMs.size() + busyMs.size()) * sizeof(double))
            / 1048576.0;
    }
    // The window's memory now, the bench's own figures left out.
    void readMemory(double minute, qint64 points)
    {
        Minute m {minute, residentMiB() - touchedMiB(), points};
        m.parts.anonMiB -= touchedMiB();
        m.parts.heapInUseMiB -= reservedMiB();
        curve.push_back(m);
    }
};

// Counts what the workspace holds; the samples the agent's sampler skipped are ticks between a
// series' first and last sample without one (it skips a tick it starts too late on a loaded
// machine), not losses of the pipeline.
void printStored(const QString &dbPath, const QString &host, const Options &o,
                 const AgentClient::Status &status)
{
    Workspace ws;
    if (!ws.open(dbPath))
        return;
    SampleStore store(ws);
    qint64 stored = 0;
    qint64 skipped = 0;
    const double intervalMs = 1000.0 / o.hz;
    for (int i = 0; i < o.cgroups; ++i) {
        const std::optional<qint64> id = store.findSeries(host, cgroupPath(i));
        const std::optional<SeriesInfo> info = id ? store.seriesInfo(*id) : std::nullopt;
        if (!info || !info->firstMs || !info->lastMs)
            continue;
        stored += info->count;
        const qint64 expected = qint64(std::llround(double(*info->lastMs - *info->firstMs) / intervalMs)) + 1;
        skipped += std::max<qint64>(0, expected - info->count);
    }
    const qint64 lost = std::max<qint64>(0, status.samplesReceived - stored) + status.gapCount;
    std::printf("  samples received %lld, stored %lld, lost %lld (sequence gaps %d, refused %lld), "
                "reconnects %d\n",
                status.samplesReceived, stored, lost, status.gapCount, status.samplesRefused,
                status.reconnects);
    std::printf("  ticks the agent's sampler skipped (started late on a loaded machine): %lld of %lld "
                "(%.2f %%)\n",
                skipped, stored + skipped,
                stored + skipped > 0 ? 100.0 * double(skipped) / double(stored + skipped) : 0.0);
}

void printFigures(const Figures &f, double rssStart, double rssEnd)
{
    std::printf("  replot p50 %.1f ms  p99 %.1f ms  max %.1f ms over %zu replots (target p99 < 50 ms)\n",
                percentile(f.replotMs, 50), percentile(f.replotMs, 99),
                f.replotMs.empty() ? 0.0 : *std::max_element(f.replotMs.begin(), f.replotMs.end()),
                f.replotMs.size());
    std::printf(
        "  replot CPU time p50 %.1f ms  p99 %.1f ms (the rest of the wall time: waiting for a core)\n",
        percentile(f.replotCpuMs, 50), percentile(f.replotCpuMs, 99));
    std::printf("  GUI event loop late by p50 %.1f ms  p99 %.1f ms  max %.1f ms (a 10 ms timer)\n",
                percentile(f.lateMs, 50), percentile(f.lateMs, 99),
                f.lateMs.empty() ? 0.0 : *std::max_element(f.lateMs.begin(), f.lateMs.end()));
    std::printf("  GUI thread's CPU time between two ticks p99 %.1f ms  max %.1f ms (its longest work; the "
                "rest of the lateness: waiting for a core)\n",
                percentile(f.busyMs, 99),
                f.busyMs.empty() ? 0.0 : *std::max_element(f.busyMs.begin(), f.busyMs.end()));
    // The slope over the second half: what a longer session would add.
    double slope = 0;
    if (f.curve.size() >= 3) {
        const Figures::Minute &mid = f.curve[f.curve.size() / 2];
        const Figures::Minute &last = f.curve.back();
        slope = last.minute > mid.minute ? (last.rssMiB - mid.rssMiB) / (last.minute - mid.minute) : 0;
    }
    std::printf("  memory below: the window's, without the bench's own per-tick figures (%.1f MiB reserved "
                "up front, %.1f MiB of it written by the end)\n",
                f.reservedMiB(), f.touchedMiB());
    std::printf("  resident %.1f MiB after setup -> %.1f MiB at the end (growth %+.1f MiB, second half "
                "%+.2f MiB/min)\n",
                rssStart, rssEnd, rssEnd - rssStart, slope);
    std::printf("  minute: resident MiB / points the chart holds:");
    for (const Figures::Minute &m : f.curve)
        std::printf(" %.1f:%.1f/%lld", m.minute, m.rssMiB, m.points);
    std::printf("\n  minute: resident anon / file / shmem MiB, malloc in use MiB (of it SQLite's):");
    for (const Figures::Minute &m : f.curve)
        std::printf(" %.1f:%.1f/%.1f/%.1f,%.1f(%.1f)", m.minute, m.parts.anonMiB, m.parts.fileMiB,
                    m.parts.shmemMiB, m.parts.heapInUseMiB, m.parts.sqliteMiB);
    std::printf("\n  points the chart held at most: %lld\n", f.maxPoints);
}

// Where a replot's CPU time goes: the whole chart, then with one kind of graph after another
// hidden (the graphs stay hidden: call last).
void printReplotBreakdown(GrowthChart &chart)
{
    QCustomPlot *plot = chart.plot();
    auto measure = [plot](const char *what) {
        std::vector<double> cpuMs;
        for (int i = 0; i < 30; ++i) {
            const double before = threadCpuMs();
            plot->replot(QCustomPlot::rpImmediateRefresh);
            cpuMs.push_back(threadCpuMs() - before);
        }
        std::printf("  replot CPU p50 %5.1f ms  %s\n", percentile(cpuMs, 50), what);
    };
    auto hide = [plot](const auto &which) {
        for (int g = 0; g < plot->graphCount(); ++g) {
            if (which(plot->graph(g)))
                plot->graph(g)->setVisible(false);
        }
    };
    measure("the chart as shown");
    plot->setNotAntialiasedElements(QCP::aePlottables | QCP::aeFills);
    measure("  lines not antialiased");
    plot->setNotAntialiasedElements(QCP::aeFills);
    hide([](const QCPGraph *g) { return g->name() == u"limit"_s || g->name() == u"memory.high"_s; });
    measure("- limit and memory.high");
    hide(
        [](const QCPGraph *g) { return g->brush().style() != Qt::NoBrush && g->name().contains(u"file"_s); });
    hide([](const QCPGraph *g) {
        return g->name() == u"anon"_s || g->name() == u"shmem"_s || g->name() == u"kernel"_s;
    });
    measure("- breakdown");
    plot->legend->setVisible(false);
    measure("- legend");
    hide([](const QCPGraph *g) { return g->name().startsWith(u"working set"_s); });
    measure("- working set");
    hide([](const QCPGraph *) { return true; });
    measure("- usage (axes, grid and markers only)");
}

// The chart after a last Fit All: from the session's first sample to its last, from the store.
void printCoverage(MainWindow &window, const std::vector<qint64> &shown)
{
    GrowthChart *chart = window.samplesView()->chart();
    chart->fitAll();
    QElapsedTimer wait;
    wait.start();
    spin(100);
    while (chart->isQueryPending() && wait.elapsed() < 10000)
        spin(20);
    const QCPGraph *usage = chart->usageGraph(shown.front());
    const auto [firstMs, lastMs] = chart->dataRangeMs();
    if (!usage || usage->data()->isEmpty())
        return;
    std::printf("  Fit All at the end: the chart draws %.1f min of the %.1f min session at level %d "
                "(%d points of usage)\n",
                (usage->data()->constEnd() - 1)->key / 60.0 - usage->data()->constBegin()->key / 60.0,
                double(lastMs - firstMs) / 60000.0, chart->levelShown(shown.front()), usage->dataCount());
}

Options parseOptions(QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Long live session: the workbench attached to an agent"_s);
    parser.addHelpOption();
    const QCommandLineOption minutesOpt(u"minutes"_s, u"Session length in minutes (default 10)."_s, u"m"_s,
                                        u"10"_s);
    const QCommandLineOption cgroupsOpt(u"cgroups"_s, u"Cgroups the agent samples (default 200)."_s, u"n"_s,
                                        u"200"_s);
    const QCommandLineOption hzOpt(u"hz"_s, u"Samples per second and cgroup (default 10)."_s, u"hz"_s,
                                   u"10"_s);
    const QCommandLineOption shownOpt(u"shown"_s, u"Series checked on the Timeline (default 8)."_s, u"n"_s,
                                      u"8"_s);
    const QCommandLineOption agentOpt(u"agent"_s, u"The oomscope-agent binary."_s, u"path"_s,
                                      QStringLiteral(OOMSCOPE_AGENT_BINARY));
    const QCommandLineOption shotOpt(u"screenshot"_s, u"Save the window at the end as this PNG."_s,
                                     u"file"_s);
    const QCommandLineOption breakdownOpt(
        u"breakdown"_s, u"At the end, a replot's CPU time with one kind of graph after another hidden."_s);
    parser.addOptions({minutesOpt, cgroupsOpt, hzOpt, shownOpt, agentOpt, shotOpt, breakdownOpt});
    parser.process(app);
    Options o;
    o.minutes = std::max(0.05, parser.value(minutesOpt).toDouble());
    o.cgroups = std::max(1, parser.value(cgroupsOpt).toInt());
    o.hz = std::clamp(parser.value(hzOpt).toDouble(), 0.1, 100.0);
    o.shown = std::clamp(parser.value(shownOpt).toInt(), 1, o.cgroups);
    o.agent = parser.value(agentOpt);
    o.screenshot = parser.value(shotOpt);
    o.breakdown = parser.isSet(breakdownOpt);
    return o;
}

// Checks the shown series (the ones spread over the tree) and nothing else, once the window's
// tree has them all; empty when they did not come within 30 s.
std::vector<qint64> checkShown(MainWindow &window, const QString &host, const Options &o)
{
    SeriesTreeModel *tree = window.samplesView()->treeModel();
    std::vector<qint64> shown;
    QElapsedTimer setup;
    setup.start();
    while (setup.elapsed() < 30000 && int(shown.size()) < o.shown) {
        spin(100);
        shown.clear();
        for (int i = 0; i < o.shown; ++i) {
            if (const qint64 id = tree->seriesOf(host, cgroupPath(i * (o.cgroups / o.shown))))
                shown.push_back(id);
        }
    }
    if (int(shown.size()) < o.shown)
        return {};
    for (qint64 id : tree->checkedSeries())
        tree->setSeriesChecked(id, false);
    for (qint64 id : shown)
        tree->setSeriesChecked(id, true);
    return shown;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir dir;
    // The window keeps its geometry and recent files in the settings: not the user's.
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(dir.path() + u"/config"_s));
    QApplication app(argc, argv);
    const Options o = parseOptions(app);
    const qint64 durationMs = qint64(o.minutes * 60'000);

    const QString cgroupRoot = dir.path() + u"/cg"_s;
    const QString procRoot = dir.path() + u"/proc"_s;
    if (!dir.isValid() || !writeFileAtomically(dir.path() + u"/kmsg"_s, QByteArray())
        || !makeTree(cgroupRoot, procRoot, o.cgroups)) {
        std::fprintf(stderr, "cannot set up the fixture tree\n");
        return 1;
    }
    QStringList args {u"--cgroup-root"_s, cgroupRoot,
                      u"--proc-root"_s,   procRoot,
                      u"--kmsg"_s,        dir.path() + u"/kmsg"_s,
                      u"--interval"_s,    u"%1ms"_s.arg(std::llround(1000.0 / o.hz)),
                      u"--heartbeat"_s,   u"1s"_s};
    for (int i = 0; i < o.cgroups; ++i)
        args << u"--cgroup"_s << cgroupPath(i);
    AgentProcess agent(o.agent);
    const quint16 port = agent.listen(args);
    if (!port) {
        std::fprintf(stderr, "agent did not start: %s\n", agent.errorOutput().constData());
        return 1;
    }
    const QString dbPath = dir.path() + u"/ws.sqlite"_s;
    auto window = std::make_unique<MainWindow>(dbPath);
    window->resize(1600, 1000);
    window->show();
    AgentConnectOptions options;
    options.endpoint = *AgentEndpoint::parse(u"127.0.0.1:%1"_s.arg(port));
    AgentClient *client = window->attachNode(options);
    CounterWriter counters(cgroupRoot, o.cgroups);
    QElapsedTimer setup;
    setup.start();
    while (client && client->status().hostname.isEmpty() && setup.elapsed() < 20000)
        spin(50);
    const QString host = client ? client->status().hostname : QString();
    const std::vector<qint64> shown = checkShown(*window, host, o);
    if (shown.empty()) {
        std::fprintf(stderr, "the series did not reach the window within 30 s: %s\n",
                     client ? qPrintable(client->status().message) : "no client");
        return 1;
    }
    GrowthChart *chart = window->samplesView()->chart();
    chart->fitAll();
    spin(1000);

    Figures f;
    f.reserve(durationMs);
    double cpuAtReplot = 0;
    const QMetaObject::Connection before = QObject::connect(chart->plot(), &QCustomPlot::beforeReplot, chart,
                                                            [&cpuAtReplot] { cpuAtReplot = threadCpuMs(); });
    const QMetaObject::Connection after =
        QObject::connect(chart->plot(), &QCustomPlot::afterReplot, chart, [&f, &cpuAtReplot, chart] {
            f.replotMs.push_back(chart->plot()->replotTime());
            f.replotCpuMs.push_back(threadCpuMs() - cpuAtReplot);
        });
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QElapsedTimer sinceProbe;
    sinceProbe.start();
    double cpuAtProbe = threadCpuMs();
    QObject::connect(&probe, &QTimer::timeout, [&] {
        f.lateMs.push_back(std::max(0.0, double(sinceProbe.nsecsElapsed()) / 1e6 - 10.0));
        sinceProbe.restart();
        const double cpu = threadCpuMs();
        f.busyMs.push_back(cpu - cpuAtProbe);
        cpuAtProbe = cpu;
    });
    probe.start();

    f.readMemory(0, chart->pointCount());
    const double rssStart = f.curve.back().rssMiB;
    QElapsedTimer run;
    run.start();
    qint64 nextFitMs = 60'000;
    qint64 nextReadMs = 30'000;
    while (run.elapsed() < durationMs) {
        spin(int(std::min<qint64>(1000, durationMs - run.elapsed())));
        f.maxPoints = std::max(f.maxPoints, chart->pointCount());
        // Once a minute a look at the whole session so far; the view then follows the newest.
        if (run.elapsed() >= nextFitMs) {
            chart->fitAll();
            nextFitMs += 60'000;
        }
        // The memory is read half-way between two Fit Alls: no query in flight, the view following
        // the newest (what the session holds, not what one query holds for a moment).
        if (run.elapsed() >= nextReadMs) {
            f.readMemory(double(run.elapsed()) / 60000.0, chart->pointCount());
            nextReadMs += 60'000;
        }
    }
    probe.stop();
    QObject::disconnect(before);
    QObject::disconnect(after); // the replots below are the bench's own
    f.readMemory(double(run.elapsed()) / 60000.0, chart->pointCount());
    const double rssEnd = f.curve.back().rssMiB;
    if (!o.screenshot.isEmpty())
        window->grab().save(o.screenshot);

    std::printf("long session: %d cgroups at %.3g Hz for %.1f min, real agent -> the workbench's window "
                "(AgentClient -> FeedRecorderThread -> workspace -> Timeline), %zu series charted, "
                "Fit All once a minute (%s)\n",
                o.cgroups, o.hz, double(run.elapsed()) / 60000.0, shown.size(),
                qPrintable(QGuiApplication::platformName()));
    printCoverage(*window, shown);
    if (o.breakdown)
        printReplotBreakdown(*chart);
    const AgentClient::Status status = client->status(); // final: close() detaches and deletes it
    window->close(); // what was received is stored, the recorder joined
    window.reset();
    if (!agent.terminate())
        agent.stop();
    printStored(dbPath, host, o, status);
    printFigures(f, rssStart, rssEnd);
    return 0;
}
