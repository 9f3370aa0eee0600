// SPDX-License-Identifier: GPL-3.0-or-later
// Peaks between samples on a real cgroup v1: a workload holds 8 MiB and bursts 48 MiB more for
// ~120 ms every 1.7 s, sampled once a second, so most bursts fall between two samples. Without
// the opt-in the shared memory.max_usage_in_bytes is only read (the first burst raises it and is
// caught, the mark is left as it was); with resetV1Peak every burst is caught and the mark is
// reset. Needs root and a writable v1 memory hierarchy; skips otherwise. Run under the oom lock.

#include "sampler.h"
#include "scratchcgroup.h"

#include <QFileInfo>
#include <QTest>

#include <sys/wait.h>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
const auto kNamePrefix = "oomscope-peak-"_L1;

} // namespace

class TestPeakLive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstsBetweenSamples_data()
    {
        QTest::addColumn<bool>("reset");
        QTest::newRow("read only") << false;
        QTest::newRow("reset opt-in") << true;
    }

    void burstsBetweenSamples()
    {
        QFETCH(bool, reset);
        ScratchCgroup::removeStale(u"/sys/fs/cgroup/memory"_s, kNamePrefix);
        const Result<MemoryHierarchy> hierarchy = liveHierarchy({.v2Accepted = false, .kmsg = false});
        if (!hierarchy)
            QSKIP(qPrintable(hierarchy.error().message));
        const QString workload = QStringLiteral(OOMSCOPE_LAB_WORKLOAD);
        QVERIFY2(QFileInfo(workload).isExecutable(), qPrintable(workload));
        const QString path = u'/' + ScratchCgroup::uniqueName(kNamePrefix);
        ScratchCgroup cgroup(*hierarchy, path);
        const Result<void> created = cgroup.create(256 * kMiB);
        QVERIFY2(created, qPrintable(errorOf(created)));

        std::vector<MemorySample> samples;
        {
            WorkerThread worker(u"sampler"_s);
            SamplerConfig config;
            config.cgroupRoot = u"/sys/fs/cgroup"_s;
            config.paths = {path};
            config.intervalMs = 1000;
            config.sampleProcesses = false;
            config.resetV1Peak = reset;
            Sampler *sampler = worker.adopt(new Sampler(config));
            connect(sampler, &Sampler::batchReady, this, [&samples](const SampleBatchPtr &batch) {
                if (!batch->cgroups.empty() && batch->cgroups[0].present)
                    samples.push_back(batch->cgroups[0].memory);
            });
            worker.start();
            sampler->start();
            const Result<pid_t> spawned = cgroup.spawn(
                {workload, u"plateau"_s, u"--base-mib"_s, u"8"_s, u"--burst-mib"_s, u"48"_s,
                 u"--burst-every-s"_s, u"1.7"_s, u"--burst-s"_s, u"0.12"_s, u"--duration-s"_s, u"11"_s},
                {.oomScoreAdj = std::nullopt, .quietStderr = true});
            QVERIFY2(spawned, qPrintable(errorOf(spawned)));
            int status = 0;
            bool reaped = false;
            QTRY_VERIFY_WITH_TIMEOUT(reaped || (reaped = tryReap(*spawned, &status)), 30000);
            cgroup.forget(*spawned);
            QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the workload failed");
            sampler->stop();
            worker.stop();
        }
        // A burst caught between samples: the interval's peak is 40+ MiB above both its ends.
        int caught = 0;
        for (std::size_t i = 1; i < samples.size(); ++i) {
            const std::int64_t ends = std::max(samples[i].usageBytes, samples[i - 1].usageBytes);
            if (samples[i].peakBytes >= ends + 40 * kMiB)
                ++caught;
            QVERIFY(samples[i].peakBytes >= samples[i].usageBytes);
        }
        const std::int64_t markAfter =
            readSysFile(cgroup.file(u"memory.max_usage_in_bytes"_s)).trimmed().toLongLong();
        qInfo("%zu samples, %d bursts caught between samples, mark after: %lld MiB", samples.size(), caught,
              qlonglong(markAfter / kMiB));
        QVERIFY(samples.size() >= 10);
        if (reset) {
            QVERIFY2(caught >= 3, qPrintable(u"%1 bursts caught"_s.arg(caught)));
            QVERIFY2(markAfter < 40 * kMiB, "the mark was not reset");
        } else {
            QVERIFY2(caught >= 1, "no burst caught");
            QVERIFY2(markAfter >= 48 * kMiB, "the shared mark was reset without the opt-in");
        }
    }
};

QTEST_GUILESS_MAIN(TestPeakLive)
#include "tst_peak_live.moc"
