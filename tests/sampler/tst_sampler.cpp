// SPDX-License-Identifier: GPL-3.0-or-later
// The sampler against copies of the fixture cgroup trees that the test rewrites while it runs:
// usage grows, the oom_kill counter steps, a cgroup vanishes and comes back.

#include "../cgroup/cgroupfixtures.h"
#include "cgroupdiscovery.h"
#include "cgroupreader.h"
#include "detectedkill.h"
#include "fixturetree.h"
#include "kmsgtail.h"
#include "samplemapping.h"
#include "sampler.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;
using namespace oomscope;
using cgroupfixtures::kDocker1Path;
using samplertest::Kill;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

double boottimeNow()
{
    timespec ts {};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

} // namespace

class TestSampler : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::vector<SampleBatchPtr> m_batches;
    std::vector<qint64> m_arrivalMs;
    QElapsedTimer m_clock;
    std::vector<Kill> m_kills;
    QStringList m_vanished;
    QStringList m_appeared;
    std::vector<std::pair<QString, QString>> m_replacements;
    QStringList m_status;
    // Batches queued by an earlier test's sampler may still arrive; only the current one counts.
    int m_generation = 0;

    // A fresh copy of v1/ or v2/ (and proc/); returns the cgroup root of the copy.
    QString copyFixture(const QString &version)
    {
        const QString root = m_tmp->filePath(version);
        if (!copyFixtureTree(cgroupfixtures::kData + u'/' + version, root)
            || !copyFixtureTree(cgroupfixtures::kData + u"/proc"_s, m_tmp->filePath(u"proc"_s)))
            return {};
        return root;
    }

    // Samples paths of the copy at root (see copyFixture), with its proc/, every 100 ms.
    SamplerConfig fixtureConfig(const QString &root, const QStringList &paths) const
    {
        SamplerConfig config;
        config.cgroupRoot = root;
        config.procRoot = m_tmp->filePath(u"proc"_s);
        config.paths = paths;
        config.intervalMs = 100;
        return config;
    }

    void record(Sampler *sampler)
    {
        const int generation = ++m_generation;
        const auto current = [this, generation] {
            return generation == m_generation;
        };
        connect(sampler, &Sampler::batchReady, this, [this, current](const SampleBatchPtr &batch) {
            if (!current())
                return;
            m_batches.push_back(batch);
            m_arrivalMs.push_back(m_clock.elapsed());
        });
        samplertest::collectKills(sampler, this, m_kills, current);
        connect(sampler, &Sampler::cgroupVanished, this, [this, current](const QString &path, qint64) {
            if (current())
                m_vanished << path;
        });
        connect(sampler, &Sampler::cgroupAppeared, this, [this, current](const QString &path, qint64) {
            if (current())
                m_appeared << path;
        });
        connect(sampler, &Sampler::replacementCandidate, this,
                [this, current](const QString &gone, const QString &added, qint64) {
                    if (current())
                        m_replacements.emplace_back(gone, added);
                });
        connect(sampler, &Sampler::statusMessage, this, [this, current](const QString &message) {
            if (current())
                m_status << message;
        });
    }

    const SampledCgroup *latest(const QString &path) const
    {
        return m_batches.empty() ? nullptr : m_batches.back()->find(path);
    }

private Q_SLOTS:
    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
        m_batches.clear();
        m_arrivalMs.clear();
        m_kills.clear();
        m_vanished.clear();
        m_appeared.clear();
        m_replacements.clear();
        m_status.clear();
        ++m_generation;
        m_clock.start();
    }

    void mapsV1Sample()
    {
        const QString root = copyFixture(u"v1"_s);
        QVERIFY(!root.isEmpty());
        const QString dir = root + u"/memory/batch.slice/report.service"_s;
        QVERIFY(writeFileAtomically(dir + u"/memory.usage_in_bytes"_s, "52428800\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.failcnt"_s, "7\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.kmem.usage_in_bytes"_s, "1048576\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.oom_control"_s,
                                    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"));
        // Local lines first and different, so taking them instead of total_* would show.
        QVERIFY(
            writeFileAtomically(dir + u"/memory.stat"_s,
                                "cache 1\nrss 2\nshmem 3\ninactive_file 4\nactive_file 5\nswap 6\n"
                                "total_cache 40960\ntotal_rss 8192000\ntotal_shmem 4096\n"
                                "total_inactive_file 12288\ntotal_active_file 28672\ntotal_swap 65536\n"));
        // The parent's 100 MiB binds before the service's own 200 MiB.
        QVERIFY(writeFileAtomically(root + u"/memory/batch.slice/memory.limit_in_bytes"_s, "104857600\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.limit_in_bytes"_s, "209715200\n"));

        const double before = boottimeNow();
        const CgroupReader reader(root, m_tmp->filePath(u"proc"_s));
        const MemorySample m = toMemorySample(reader.read(u"/batch.slice/report.service"_s).value());
        QCOMPARE(m.usageBytes, std::int64_t(52428800));
        QCOMPARE(m.limitBytes, std::int64_t(104857600));
        QCOMPARE(m.highBytes, MemorySample::kUnknown); // v1 has no memory.high
        QCOMPARE(m.anonBytes, std::int64_t(8192000));
        QCOMPARE(m.fileBytes, std::int64_t(40960));
        QCOMPARE(m.shmemBytes, std::int64_t(4096));
        QCOMPARE(m.inactiveFileBytes, std::int64_t(12288));
        QCOMPARE(m.activeFileBytes, std::int64_t(28672));
        QCOMPARE(m.swapBytes, std::int64_t(65536));
        QCOMPARE(m.kernelBytes, std::int64_t(1048576));
        QCOMPARE(m.failcnt, std::int64_t(7));
        QCOMPARE(m.oomKillCount, std::int64_t(3));
        QVERIFY(m.hasBoottime());
        QVERIFY(m.boottimeSeconds >= before && m.boottimeSeconds <= boottimeNow());
        QCOMPARE(m.workingSetBytes(), std::int64_t(52428800 - 12288));

        // No limit on the path (v1 prints PAGE_COUNTER_MAX): unlimited, not unknown.
        QVERIFY(writeFileAtomically(root + u"/memory/batch.slice/memory.limit_in_bytes"_s,
                                    "9223372036854771712\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.limit_in_bytes"_s, "9223372036854771712\n"));
        QVERIFY(writeFileAtomically(root + u"/memory/memory.limit_in_bytes"_s, "9223372036854771712\n"));
        QCOMPARE(toMemorySample(reader.read(u"/batch.slice/report.service"_s).value()).limitBytes,
                 MemorySample::kUnlimited);

        // A cgroup that is not there: no sample at all, not even "unlimited".
        const Result<CgroupSample> gone = reader.read(u"/no/such/cgroup"_s);
        QVERIFY(!gone);
        QCOMPARE(gone.error().kind, Error::Kind::NotFound);
    }

    void mapsV2Sample()
    {
        const QString root = copyFixture(u"v2"_s);
        QVERIFY(!root.isEmpty());
        const QString dir = root + kDocker1Path;
        QVERIFY(writeFileAtomically(dir + u"/memory.current"_s, "300000000\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.max"_s, "max\n"));
        QVERIFY(writeFileAtomically(root + u"/docker/memory.max"_s, "max\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.high"_s, "268435456\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.swap.current"_s, "8192\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.events"_s,
                                    "low 0\nhigh 12\nmax 34\noom 2\noom_kill 2\noom_group_kill 0\n"));
        // No "kernel" line (before 5.18): its parts are summed.
        QVERIFY(writeFileAtomically(
            dir + u"/memory.stat"_s,
            "anon 200000000\nfile 90000000\nkernel_stack 16384\npagetables 65536\n"
            "shmem 1000000\ninactive_file 50000000\nactive_file 40000000\nslab 2000000\n"));

        const CgroupReader reader(root, m_tmp->filePath(u"proc"_s));
        const MemorySample m = toMemorySample(reader.read(kDocker1Path).value());
        QCOMPARE(m.usageBytes, std::int64_t(300000000));
        QCOMPARE(m.limitBytes, MemorySample::kUnlimited);
        QCOMPARE(m.highBytes, std::int64_t(268435456));
        QCOMPARE(m.anonBytes, std::int64_t(200000000));
        QCOMPARE(m.fileBytes, std::int64_t(90000000));
        QCOMPARE(m.shmemBytes, std::int64_t(1000000));
        QCOMPARE(m.kernelBytes, std::int64_t(2000000 + 16384 + 65536));
        QCOMPARE(m.swapBytes, std::int64_t(8192));
        QCOMPARE(m.failcnt, std::int64_t(34)); // memory.events "max"
        QCOMPARE(m.oomKillCount, std::int64_t(2));
        QCOMPARE(m.unreclaimableBytes(), std::int64_t(200000000 + 1000000 + 2000000 + 16384 + 65536));

        QVERIFY(writeFileAtomically(dir + u"/memory.stat"_s, "anon 1\nkernel 4096\nslab 2000000\n"));
        QVERIFY(writeFileAtomically(dir + u"/memory.high"_s, "max\n"));
        QVERIFY(writeFileAtomically(root + u"/docker/memory.max"_s, "536870912\n"));
        const MemorySample m2 = toMemorySample(reader.read(kDocker1Path).value());
        QCOMPARE(m2.kernelBytes, std::int64_t(4096));
        QCOMPARE(m2.highBytes, MemorySample::kUnlimited);
        QCOMPARE(m2.limitBytes, std::int64_t(536870912)); // the parent's
    }

    void mapsProcess()
    {
        ProcessReading r;
        r.pid = 4321;
        r.comm = u"java"_s;
        r.vmRssKb = 1000;
        r.rssAnonKb = 900;
        r.rssFileKb = 90;
        r.rssShmemKb = 10;
        r.swapKb = 5;
        r.oomScoreAdj = -998;
        const ProcessSample p = toProcessSample(r, 1234, 56.5, u"/docker/x"_s);
        QCOMPARE(p.pid, std::int64_t(4321));
        QCOMPARE(p.comm, u"java"_s);
        QCOMPARE(p.cgroup, u"/docker/x"_s);
        QCOMPARE(p.timestampMs, std::int64_t(1234));
        QCOMPARE(p.boottimeSeconds, 56.5);
        QCOMPARE(p.rssKb, std::int64_t(1000));
        QCOMPARE(p.rssAnonKb, std::int64_t(900));
        QCOMPARE(p.rssFileKb, std::int64_t(90));
        QCOMPARE(p.rssShmemKb, std::int64_t(10));
        QCOMPARE(p.swapKb, std::int64_t(5));
        QCOMPARE(p.oomScoreAdj, -998);
        // A zombie has no memory lines and no oom_score_adj.
        ProcessReading zombie;
        zombie.pid = 1;
        const ProcessSample z = toProcessSample(zombie, 0, std::nan(""), QString());
        QCOMPARE(z.rssKb, MemorySample::kUnknown);
        QCOMPARE(z.totalRssKb(), MemorySample::kUnknown);
        QCOMPARE(z.oomScoreAdj, 0);
    }

    void growthKillsAndVanish_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("v1") << u"v1"_s;
        QTest::newRow("v2") << u"v2"_s;
    }

    void growthKillsAndVanish()
    {
        QFETCH(QString, version);
        const QString root = copyFixture(version);
        QVERIFY(!root.isEmpty());
        const bool v1 = version == u"v1";
        const QString memoryRoot = v1 ? root + u"/memory"_s : root;
        const QString dir = memoryRoot + kDocker1Path;
        const QString usageFile = dir + (v1 ? u"/memory.usage_in_bytes"_s : u"/memory.current"_s);
        const auto writeKills = [&](int kills) {
            if (v1)
                return writeFileAtomically(dir + u"/memory.oom_control"_s,
                                           "oom_kill_disable 0\nunder_oom 0\noom_kill "
                                               + QByteArray::number(kills) + '\n');
            return writeFileAtomically(dir + u"/memory.events"_s,
                                       "low 0\nhigh 0\nmax 9\noom " + QByteArray::number(kills)
                                           + "\noom_kill " + QByteArray::number(kills)
                                           + "\noom_group_kill 0\n");
        };
        QVERIFY(writeKills(0));
        // A copy of the container directory, to bring it back or put a "new" one beside it.
        const QString spare = m_tmp->filePath(u"spare"_s);
        QVERIFY(copyFixtureTree(dir, spare));

        SamplerConfig config = fixtureConfig(root, {kDocker1Path});
        config.sampleProcesses = false;
        WorkerThread worker(u"sampler"_s);
        Sampler *sampler = worker.adopt(new Sampler(config));
        record(sampler);
        worker.start();
        sampler->start();

        // Usage grows between ticks; every value shows up in a batch, in order.
        std::vector<std::int64_t> written;
        for (std::int64_t mib : {10, 20, 40, 80}) {
            const std::int64_t bytes = mib * 1024 * 1024;
            QVERIFY(writeFileAtomically(usageFile, QByteArray::number(bytes) + '\n'));
            written.push_back(bytes);
            QTRY_VERIFY(latest(kDocker1Path) && latest(kDocker1Path)->memory.usageBytes == bytes);
        }
        std::vector<std::int64_t> seen;
        for (const SampleBatchPtr &b : m_batches) {
            const SampledCgroup *c = b->find(kDocker1Path);
            QVERIFY(c && c->present);
            QCOMPARE(b->cgroups.size(), size_t(1));
            if (seen.empty() || seen.back() != c->memory.usageBytes)
                seen.push_back(c->memory.usageBytes);
        }
        // The fixture's own value may come first.
        QVERIFY(seen.size() >= written.size());
        QVERIFY(std::equal(written.begin(), written.end(), seen.end() - qsizetype(written.size())));
        QVERIFY(m_kills.empty());

        // The kill counter steps: one report per step, with its size.
        QVERIFY(writeKills(1));
        QTRY_COMPARE(m_kills.size(), size_t(1));
        QCOMPARE(m_kills[0].path, kDocker1Path);
        QCOMPARE(m_kills[0].count, qint64(1));
        QVERIFY(writeKills(3));
        QTRY_COMPARE(m_kills.size(), size_t(2));
        QCOMPARE(m_kills[1].count, qint64(2));
        // The batch that saw the step carries it and arrived first.
        const auto batchAt = [&](qint64 timestampMs) -> const SampledCgroup * {
            for (const SampleBatchPtr &b : m_batches) {
                const SampledCgroup *c = b->find(kDocker1Path);
                if (c && c->memory.timestampMs == timestampMs)
                    return c;
            }
            return nullptr;
        };
        QVERIFY(batchAt(m_kills[1].timestampMs));
        QCOMPARE(batchAt(m_kills[1].timestampMs)->oomKillDelta, std::int64_t(2));
        QCOMPARE(batchAt(m_kills[1].timestampMs)->memory.oomKillCount, std::int64_t(3));

        // The container goes away.
        QVERIFY(QDir(dir).removeRecursively());
        QTRY_COMPARE(m_vanished, QStringList {kDocker1Path});
        QTRY_VERIFY(latest(kDocker1Path) && !latest(kDocker1Path)->present);
        QCOMPARE(latest(kDocker1Path)->memory.usageBytes, MemorySample::kUnknown);
        QVERIFY(!latest(kDocker1Path)->error.isEmpty());

        // A new container appears beside it: reported once as a possible replacement.
        const QString newPath = u"/docker/0123456789abcdef"_s;
        QVERIFY(copyFixtureTree(spare, memoryRoot + newPath));
        QTRY_COMPARE(m_replacements.size(), size_t(1));
        QCOMPARE(m_replacements[0].first, kDocker1Path);
        QCOMPARE(m_replacements[0].second, newPath);

        // The old path comes back (a restarted unit): a new cgroup, so the counter's value is
        // a new baseline and not a kill.
        QVERIFY(copyFixtureTree(spare, dir));
        QVERIFY(writeKills(5));
        QTRY_COMPARE(m_appeared, QStringList {kDocker1Path});
        const size_t batchesNow = m_batches.size();
        QTRY_VERIFY(m_batches.size() >= batchesNow + 2);
        QCOMPARE(m_kills.size(), size_t(2));
        QCOMPARE(m_vanished.size(), 1);
        QCOMPARE(m_replacements.size(), size_t(1));
        QVERIFY(latest(kDocker1Path)->present);
        // A counter that goes backwards means the cgroup was recreated between two ticks.
        QVERIFY(writeKills(1));
        QTRY_COMPARE(m_appeared.size(), 2);
        QCOMPARE(m_kills.size(), size_t(2));
        sampler->stop();
    }

    void samplesProcesses()
    {
        const QString root = copyFixture(u"v1"_s);
        QVERIFY(!root.isEmpty());
        const QString path = u"/batch.slice/report.service"_s;
        SamplerConfig config = fixtureConfig(root, {path});
        WorkerThread worker(u"sampler"_s);
        Sampler *sampler = worker.adopt(new Sampler(config));
        record(sampler);
        worker.start();
        sampler->sampleNow();
        QTRY_COMPARE(m_batches.size(), size_t(1));
        QCOMPARE(m_batches[0]->tick, std::int64_t(-1));
        const SampledCgroup *c = m_batches[0]->find(path);
        QVERIFY(c);

        // Expectations from the fixture files themselves: every listed pid whose /proc entry
        // exists, with its status values.
        std::vector<std::int64_t> expectedPids;
        for (const QByteArray &line : readFile(root + u"/memory"_s + path + u"/cgroup.procs"_s).split('\n')) {
            if (!line.trimmed().isEmpty()
                && QFile::exists(
                    m_tmp->filePath(u"proc/"_s + QString::fromLatin1(line.trimmed()) + u"/status"_s)))
                expectedPids.push_back(line.trimmed().toLongLong());
        }
        QVERIFY(!expectedPids.empty());
        QCOMPARE(c->processes.size(), expectedPids.size());
        for (const ProcessSample &p : c->processes) {
            QVERIFY(std::find(expectedPids.begin(), expectedPids.end(), p.pid) != expectedPids.end());
            const QString status =
                QString::fromUtf8(readFile(m_tmp->filePath(u"proc/%1/status"_s.arg(p.pid))));
            const QRegularExpressionMatch name =
                QRegularExpression(u"^Name:\\s*(\\S+)"_s, QRegularExpression::MultilineOption).match(status);
            QVERIFY(name.hasMatch());
            QCOMPARE(p.comm, name.captured(1));
            const QRegularExpressionMatch rss =
                QRegularExpression(u"^VmRSS:\\s*(\\d+) kB"_s, QRegularExpression::MultilineOption)
                    .match(status);
            QCOMPARE(p.rssKb, rss.hasMatch() ? rss.captured(1).toLongLong() : MemorySample::kUnknown);
            QCOMPARE(p.cgroup, path);
            QCOMPARE(p.timestampMs, c->memory.timestampMs);
        }

        // Switching processes off takes effect on the next tick.
        sampler->setSampleProcesses(false);
        sampler->sampleNow();
        QTRY_COMPARE(m_batches.size(), size_t(2));
        QVERIFY(m_batches[1]->find(path)->processes.empty());
    }

    void intervalIsHonoured()
    {
        const QString root = copyFixture(u"v2"_s);
        QVERIFY(!root.isEmpty());
        SamplerConfig config = fixtureConfig(root, {kDocker1Path, u"/system.slice/nginx.service"_s});
        WorkerThread worker(u"sampler"_s);
        Sampler *sampler = worker.adopt(new Sampler(config));
        QCOMPARE(sampler->config().intervalMs, 100);
        record(sampler);
        worker.start();
        sampler->start();
        QTRY_VERIFY(!m_batches.empty());
        const qint64 first = m_arrivalMs.front();
        QTRY_VERIFY_WITH_TIMEOUT(m_arrivalMs.back() - first >= 1000, 5000);
        const auto inWindow = std::count_if(m_arrivalMs.begin(), m_arrivalMs.end(),
                                            [&](qint64 t) { return t <= first + 1000; });
        // Nominally 11 (0, 100, ..., 1000 ms); a loaded machine may skip a few slots.
        QVERIFY2(inWindow >= 6 && inWindow <= 12, qPrintable(QString::number(inWindow)));
        QCOMPARE(m_batches.front()->tick, std::int64_t(0));
        for (size_t i = 1; i < m_batches.size(); ++i)
            QVERIFY(m_batches[i]->tick > m_batches[i - 1]->tick);
        // Steady schedule: tick n starts at n * 100 ms however long reading took; lateness of
        // one wake-up does not add up.
        const SampleBatchPtr &last = m_batches.back();
        const qint64 drift = (last->timestampMs - m_batches.front()->timestampMs) - last->tick * 100;
        QVERIFY2(std::abs(drift) < 100, qPrintable(QString::number(drift)));

        // Below the minimum is clamped; the default is 1 s.
        sampler->setIntervalMs(20);
        QTRY_COMPARE(sampler->config().intervalMs, SamplerConfig::kMinIntervalMs);
        QCOMPARE(SamplerConfig().intervalMs, 1000);

        // Paths change while running; a path leaving the root is refused with a message.
        sampler->setPaths({u"/system.slice/nginx.service"_s, u"/../etc"_s});
        QTRY_VERIFY(m_batches.back()->cgroups.size() == 1
                    && m_batches.back()->cgroups[0].path == u"/system.slice/nginx.service"_s);
        QVERIFY(std::any_of(m_status.begin(), m_status.end(),
                            [](const QString &s) { return s.contains(u"/../etc"_s); }));

        sampler->stop();
        const size_t stoppedAt = m_batches.size();
        // Nothing arrives after stop (wait for a few intervals' worth of events).
        QTest::qWait(350);
        QVERIFY(m_batches.size() <= stoppedAt + 1); // one may have been queued already
    }

    void unreadableKmsgDoesNotStopSampling()
    {
        const QString root = copyFixture(u"v2"_s);
        QVERIFY(!root.isEmpty());
        SamplerConfig config = fixtureConfig(root, {kDocker1Path});
        KmsgTailConfig kmsgConfig;
        kmsgConfig.path = m_tmp->filePath(u"no-kmsg-here"_s);
        WorkerThread worker(u"sampler"_s);
        Sampler *sampler = worker.adopt(new Sampler(config));
        KmsgTail *tail = worker.adopt(new KmsgTail(kmsgConfig));
        QStringList unavailable;
        connect(tail, &KmsgTail::unavailable, this, [&](const QString &reason) { unavailable << reason; });
        record(sampler);
        worker.start();
        tail->start();
        sampler->start();
        QTRY_COMPARE(unavailable.size(), 1);
        QVERIFY2(unavailable[0].contains(kmsgConfig.path) && unavailable[0].contains(u"cgroup counters"_s),
                 qPrintable(unavailable[0]));
        const size_t batches = m_batches.size();
        QTRY_VERIFY(m_batches.size() >= batches + 3);
    }

    // Not a check: the cost figure for the report, on the fixture trees.
    void benchFixtureCost_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("processes");
        QTest::newRow("v1") << u"v1"_s << false;
        QTest::newRow("v1+processes") << u"v1"_s << true;
        QTest::newRow("v2") << u"v2"_s << false;
        QTest::newRow("v2+processes") << u"v2"_s << true;
    }

    void benchFixtureCost()
    {
        QFETCH(QString, version);
        QFETCH(bool, processes);
        const QString root = copyFixture(version);
        QVERIFY(!root.isEmpty());
        const CgroupReader reader(root, m_tmp->filePath(u"proc"_s));
        QStringList paths;
        for (const CgroupInfo &info : CgroupDiscovery(reader).discover())
            paths << info.path;
        QVERIFY(paths.size() > 10);
        SamplerConfig config;
        config.cgroupRoot = root;
        config.procRoot = m_tmp->filePath(u"proc"_s);
        config.paths = paths;
        config.sampleProcesses = processes;
        config.processesRecursive = false;
        Sampler sampler(config); // on this thread: sampleNow() runs synchronously
        std::int64_t costUs = 0;
        int rounds = 0;
        connect(&sampler, &Sampler::batchReady, this, [&](const SampleBatchPtr &b) {
            QCOMPARE(b->cgroups.size(), size_t(paths.size()));
            costUs += b->readCostUs;
            ++rounds;
        });
        constexpr int kRounds = 200;
        for (int i = 0; i < kRounds; ++i)
            sampler.sampleNow();
        QCOMPARE(rounds, kRounds);
        qInfo("sampler cost, fixture %s%s: %.1f µs per cgroup per sample (%lld cgroups)", qPrintable(version),
              processes ? " with processes" : "", double(costUs) / (double(kRounds) * double(paths.size())),
              qlonglong(paths.size()));
    }
};

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
