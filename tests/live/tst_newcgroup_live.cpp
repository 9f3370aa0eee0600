// SPDX-License-Identifier: GPL-3.0-or-later
// A container that dies at start: a cgroup is made while the agent (discovery mode, rediscovery
// off) and a local live session (watching the cgroup's parent) run, a hog fills its 48 MiB limit
// and is OOM-killed within 3 s of the mkdir. Both must have sampled its run-up: they pick the new
// cgroup up within one interval (CgroupTreeWatch), not by a periodic rediscovery. Needs root and a
// writable cgroup v1 memory hierarchy; skips otherwise. Run it under /work/brief/oom.lock.

#include "agentprocess.h"
#include "livesession.h"
#include "samplestore.h"
#include "scratchcgroup.h"
#include "workspace.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/wait.h>
#include <vector>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomscope::testsupport;

namespace {

constexpr std::int64_t kLimitBytes = 48 * 1024 * 1024;
constexpr int kIntervalMs = 250;
const auto kNamePrefix = "oomscope-newcg-"_L1;

struct AgentSample {
    qint64 timestampMs = 0;
    qint64 usageBytes = -1;
};

} // namespace

class TestNewCgroupLive : public QObject
{
    Q_OBJECT

private:
    QByteArray m_agentBuffer;
    std::vector<QJsonObject> m_records;

    void readAgent(QProcess &agent)
    {
        m_agentBuffer += agent.readAllStandardOutput();
        qsizetype nl = 0;
        while ((nl = m_agentBuffer.indexOf('\n')) >= 0) {
            const QJsonObject o = QJsonDocument::fromJson(m_agentBuffer.left(nl)).object();
            m_agentBuffer.remove(0, nl + 1);
            if (!o.isEmpty())
                m_records.push_back(o);
        }
    }

    std::vector<AgentSample> agentSamples(const QString &path) const
    {
        std::vector<AgentSample> out;
        for (const QJsonObject &o : m_records) {
            if (o.value(u"type"_s) == u"sample"_s && o.value(u"cgroup"_s) == path
                && o.value(u"present"_s).toBool())
                out.push_back({o.value(u"timestamp"_s).toInteger(), o.value(u"usage_bytes"_s).toInteger(-1)});
        }
        return out;
    }

private Q_SLOTS:
    void runUpOfAContainerKilledAtStart()
    {
        ScratchCgroup::removeStale(u"/sys/fs/cgroup/memory"_s, kNamePrefix);
        const Result<MemoryHierarchy> hierarchy = liveHierarchy({.v2Accepted = false, .kmsg = false});
        if (!hierarchy)
            QSKIP(qPrintable(hierarchy.error().message));
        const QString hog = QStringLiteral(OOMSCOPE_E2E_HOG);
        QVERIFY2(QFileInfo(hog).isExecutable(), qPrintable(hog));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString ws = tmp.filePath(u"ws.sqlite"_s);

        const QString parentPath = u'/' + ScratchCgroup::uniqueName(kNamePrefix);
        ScratchCgroup parent(*hierarchy, parentPath);
        QVERIFY2(parent.create(), "cannot create the parent cgroup");
        const QString childPath = parentPath + u"/container"_s;
        ScratchCgroup child(*hierarchy, childPath);

        AgentProcess agent;
        QVERIFY2(agent.startStdio({u"--cgroup-root"_s, u"/sys/fs/cgroup"_s, u"--interval"_s,
                                   u"%1ms"_s.arg(kIntervalMs), u"--rediscover"_s, u"0"_s, u"--kmsg"_s,
                                   tmp.filePath(u"no-kmsg"_s), u"--heartbeat"_s, u"1s"_s}),
                 agent.errorOutput().constData());
        connect(&agent.process(), &QProcess::readyReadStandardOutput, this,
                [this, &agent] { readAgent(agent.process()); });
        agent.process().write("{\"type\":\"subscribe\",\"since\":0}\n");

        qint64 seriesId = 0;
        qint64 killedAtMs = 0;
        qint64 createdAtMs = 0;
        {
            LiveSessionConfig config;
            config.paths = {parentPath};
            config.intervalMs = kIntervalMs;
            config.kmsgPath.clear();
            LiveSession session(config, ws);
            session.start();
            QTRY_VERIFY(session.samplesStoredCount() >= 2);
            QTRY_VERIFY(!agentSamples(parentPath).empty()); // the agent discovered the parent

            QElapsedTimer sinceCreation;
            const Result<void> created = child.create(kLimitBytes);
            sinceCreation.start();
            createdAtMs = QDateTime::currentMSecsSinceEpoch();
            QVERIFY2(created, qPrintable(errorOf(created)));
            // 2 MiB every 50 ms: the 48 MiB fill in about 1.3 s.
            const Result<pid_t> spawned = child.spawn({hog, u"2"_s, u"512"_s, u"50"_s});
            QVERIFY2(spawned, qPrintable(errorOf(spawned)));
            int status = 0;
            bool reaped = false;
            QTRY_VERIFY_WITH_TIMEOUT(reaped || (reaped = tryReap(*spawned, &status)), 10000);
            const qint64 lifeMs = sinceCreation.elapsed();
            killedAtMs = QDateTime::currentMSecsSinceEpoch();
            child.forget(*spawned);
            QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the hog was not OOM-killed");
            QVERIFY2(lifeMs < 3000, qPrintable(u"killed %1 ms after the mkdir (want < 3 s)"_s.arg(lifeMs)));
            qInfo("the container lived %lld ms", qlonglong(lifeMs));

            QTRY_VERIFY(session.seriesOfPaths().contains(childPath));
            seriesId = session.seriesOfPaths().value(childPath);
            const qint64 stored = session.samplesStoredCount();
            QTRY_VERIFY(session.samplesStoredCount() > stored);
            session.stop();
        }

        // The agent: samples of the new cgroup from before the kill, usage climbing.
        QTRY_VERIFY(std::any_of(m_records.begin(), m_records.end(), [&](const QJsonObject &o) {
            return o.value(u"type"_s) == u"cgroup"_s && o.value(u"cgroup"_s) == childPath
                && o.value(u"state"_s) == u"created"_s;
        }));
        const std::vector<AgentSample> fromAgent = agentSamples(childPath);
        std::vector<AgentSample> runUp;
        std::copy_if(fromAgent.begin(), fromAgent.end(), std::back_inserter(runUp),
                     [&](const AgentSample &s) { return s.timestampMs < killedAtMs && s.usageBytes > 0; });
        QVERIFY2(runUp.size() >= 2, qPrintable(u"agent: %1 run-up samples"_s.arg(runUp.size())));
        QVERIFY2(runUp.front().timestampMs - createdAtMs <= kIntervalMs + 100,
                 qPrintable(u"agent: first sample %1 ms after the mkdir"_s.arg(runUp.front().timestampMs
                                                                               - createdAtMs)));
        // The climb, not the last sample: killedAtMs is taken when the test reaps the hog, which
        // on a loaded machine is after the kill, and the samples in between show the memory freed.
        const auto agentPeak =
            std::max_element(runUp.begin(), runUp.end(), [](const AgentSample &a, const AgentSample &b) {
                return a.usageBytes < b.usageBytes;
            });
        QVERIFY2(agentPeak->usageBytes >= kLimitBytes / 4 && agentPeak->usageBytes > runUp.front().usageBytes,
                 qPrintable(u"agent: run-up from %1 to at most %2 bytes"_s.arg(runUp.front().usageBytes)
                                .arg(agentPeak->usageBytes)));
        agent.stop();

        // The local watcher: the same run-up stored in the workspace.
        Workspace w;
        QVERIFY(w.open(ws));
        const SampleStore store(w);
        QVERIFY(seriesId != 0);
        const std::vector<MemorySample> samples = store.samples(seriesId, 0, killedAtMs);
        QVERIFY2(samples.size() >= 2, qPrintable(u"stored: %1 run-up samples"_s.arg(samples.size())));
        QVERIFY(samples.front().timestampMs - createdAtMs <= kIntervalMs + 100);
        const auto peak = std::max_element(samples.begin(), samples.end(), [](const auto &a, const auto &b) {
            return a.usageBytes < b.usageBytes;
        });
        QVERIFY2(peak->usageBytes >= kLimitBytes / 4,
                 qPrintable(u"stored peak %1 bytes"_s.arg(peak->usageBytes)));
        qInfo("agent: %zu run-up samples, workspace: %zu", runUp.size(), samples.size());
    }
};

QTEST_GUILESS_MAIN(TestNewCgroupLive)
#include "tst_newcgroup_live.moc"
