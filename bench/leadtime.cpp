// SPDX-License-Identifier: GPL-3.0-or-later
// Lead time of the early warning on real workloads (a figure, not a test; root and a writable
// cgroup v1 memory hierarchy; run it under /work/brief/oom.lock): anon leaks at 1, 5 and 20 MiB/s
// in a scratch cgroup with a 64 MiB limit, sampled every second by the live sampler with kernel
// signals on, through the EarlyWarningMonitor the agent and live sessions use. Prints the seconds
// from the first warning (and from each source's first) to the kill, the time from the start to
// the kill as the reference, and the sampler's peak RSS; then a page-cache reader filling the same
// limit for 10 s, which must not warn. Usage: oomscope-leadtime-bench [--workload PATH]

#include "earlywarning.h"
#include "peakrss.h"
#include "sampler.h"
#include "scratchcgroup.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <map>
#include <sys/wait.h>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

struct Run {
    double killS = -1; // from the start of the workload
    double firstWarningS = -1;
    std::map<QString, double> firstBySource;
};

Run runOne(const MemoryHierarchy &h, const QString &workload, const QStringList &args, int maxSeconds)
{
    Run run;
    const QString path = u'/' + ScratchCgroup::uniqueName("oomscope-leadtime-"_L1);
    ScratchCgroup cgroup(h, path);
    if (!cgroup.create(64LL * 1024 * 1024)) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(path));
        return run;
    }
    WorkerThread worker(u"sampler"_s);
    SamplerConfig config;
    config.cgroupRoot = u"/sys/fs/cgroup"_s;
    config.paths = {path};
    config.intervalMs = 1000;
    config.kernelSignals = true;
    Sampler *sampler = worker.adopt(new Sampler(config));
    EarlyWarningMonitor monitor;
    QElapsedTimer clock;
    auto note = [&](const EarlyWarning &w) {
        const double t = double(clock.elapsed()) / 1000.0;
        if (run.firstWarningS < 0)
            run.firstWarningS = t;
        run.firstBySource.try_emplace(warningSourceName(w.source), t);
        std::printf("    %.1f s: %s\n", t, qPrintable(earlyWarningText(w)));
    };
    QObject context;
    QObject::connect(sampler, &Sampler::batchReady, &context, [&](const SampleBatchPtr &b) {
        for (const SampledCgroup &c : b->cgroups) {
            if (c.present && clock.isValid())
                if (auto w = monitor.addSample(c.path, c.memory, c.processes))
                    note(*w);
        }
    });
    QObject::connect(sampler, &Sampler::kernelSignal, &context, [&](const KernelSignal &k) {
        if (clock.isValid())
            if (auto w = monitor.addSignal(k))
                note(*w);
    });
    worker.start();
    sampler->start();
    QThread::msleep(300);
    QCoreApplication::processEvents();
    clock.start();
    const Result<pid_t> pid =
        cgroup.spawn(QStringList {workload} + args, {.oomScoreAdj = std::nullopt, .quietStderr = true});
    if (!pid)
        return run;
    int status = 0;
    while (!tryReap(*pid, &status) && clock.elapsed() < maxSeconds * 1000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(20);
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        run.killS = double(clock.elapsed()) / 1000.0;
    else if (clock.elapsed() >= maxSeconds * 1000)
        ::kill(*pid, SIGKILL), tryReap(*pid, &status);
    cgroup.forget(*pid);
    QCoreApplication::processEvents();
    sampler->stop();
    worker.stop();
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString workload = QStringLiteral(OOMSCOPE_LAB_WORKLOAD);
    const QStringList a = app.arguments();
    if (const qsizetype i = a.indexOf(u"--workload"_s); i >= 0 && i + 1 < a.size())
        workload = a[i + 1];
    const Result<MemoryHierarchy> h = liveHierarchy({.v2Accepted = false, .kmsg = false});
    if (!h) {
        std::fprintf(stderr, "cannot run: %s\n", qPrintable(h.error().message));
        return 2;
    }
    std::printf("early warning lead time, 64 MiB limit, 1 s samples, default horizon %.0f s\n",
                EarlyWarningOptions {}.horizonSeconds);
    for (const double rate : {1.0, 5.0, 20.0}) {
        std::printf("leak %.0f MiB/s:\n", rate);
        const Run r = runOne(*h, workload, {u"leak"_s, u"--rate-mibps"_s, QString::number(rate)}, 150);
        QStringList sources;
        for (const auto &[name, t] : r.firstBySource)
            sources << u"%1 %2 s"_s.arg(name).arg(r.killS - t, 0, 'f', 1);
        std::printf("  killed after %.1f s; first warning %.1f s before the kill (%.0f %% of the run-up); by "
                    "source: %s\n",
                    r.killS, r.killS - r.firstWarningS,
                    r.killS > 0 ? 100.0 * (r.killS - r.firstWarningS) / r.killS : 0.0,
                    qPrintable(sources.join(u", "_s)));
    }
    QTemporaryDir tmp(u"/var/tmp/oomscope-leadtime-XXXXXX"_s);
    const QString file = tmp.filePath(u"data"_s);
    {
        QFile f(file);
        if (f.open(QIODevice::WriteOnly)) {
            const QByteArray block(1 << 20, 'x');
            for (int i = 0; i < 256; ++i)
                f.write(block);
        }
    }
    std::printf("page cache, reading a 256 MiB file at 64 MiB/s for 10 s:\n");
    const Run cache = runOne(
        *h, workload,
        {u"pagecache"_s, u"--file"_s, file, u"--rate-mibps"_s, u"64"_s, u"--duration-s"_s, u"10"_s}, 20);
    std::printf("  %s; killed: %s\n", cache.firstWarningS < 0 ? "no warning" : "WARNED",
                cache.killS > 0 ? "yes" : "no");
    std::printf("peak RSS of the bench: %.1f MiB\n", double(bench::peakRssKb()) / 1024.0);
    return 0;
}
