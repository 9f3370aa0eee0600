// SPDX-License-Identifier: GPL-3.0-or-later
// Soak: the agent binary samples 200 fixture cgroups at 10 Hz for ~30 s into one loopback client;
// nothing may be lost. Prints the agent's CPU and resident memory (no timing asserts).
#include "agenttestutil.h"

#include <QElapsedTimer>
#include <QtTest>

#include <unistd.h>

using namespace agenttest;
using namespace Qt::StringLiterals;

class TestAgentSoak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoHundredCgroupsAtTenHertz()
    {
        Fixture f;
        QVERIFY(f.setUp());
        const int cgroups = 200;
        f.addLeaves(cgroups);
        QStringList args {u"--cgroup-root"_s, f.cgroupRoot(), u"--proc-root"_s, f.procRoot(),
                          u"--kmsg"_s,        f.kmsgPath(),   u"--interval"_s,  u"100ms"_s,
                          u"--heartbeat"_s,   u"1s"_s};
        for (int i = 0; i < cgroups; ++i)
            args << u"--cgroup"_s << u"/soak.slice/c%1"_s.arg(i);
        AgentProcess agent;
        const quint16 port = agent.listen(args);
        QVERIFY(port != 0);

        StreamClient client;
        client.connectTo(port);
        client.subscribe(0);
        const int seconds = qEnvironmentVariableIntValue("OOMSCOPE_SOAK_SECONDS") > 0
            ? qEnvironmentVariableIntValue("OOMSCOPE_SOAK_SECONDS")
            : 30;
        QElapsedTimer t;
        t.start();
        qint64 counter = 0;
        while (t.elapsed() < seconds * 1000) {
            // Move a few counters so the files change under the sampler.
            writeFileAtomically(f.cgroupRoot() + u"/soak.slice/c%1/memory.current"_s.arg(counter % cgroups),
                                QByteArray::number(2000000 + counter) + '\n');
            ++counter;
            QTest::qWait(50);
            QVERIFY(!client.disconnected());
        }
        const qint64 newest = client.lastSeq();
        QVERIFY(newest > 0);

        const QList<QJsonObject> records = client.records();
        QCOMPARE(client.badFrames(), 0);
        QCOMPARE(contiguityProblem(records, 1), QString());
        // Every tick delivered all its cgroups (the last one may still be arriving).
        QMap<qint64, int> perTick;
        for (const QJsonObject &r : records)
            if (r.value("type"_L1).toString() == u"sample")
                ++perTick[r.value("tick"_L1).toInteger()];
        QVERIFY(perTick.size() > seconds * 5);
        for (auto it = perTick.cbegin(); it != std::prev(perTick.cend()); ++it)
            QCOMPARE(it.value(), cgroups);
        const qint64 missedTicks = perTick.lastKey() + 1 - perTick.size();

        // CPU and RSS of the agent process from /proc (independent of the agent's own metrics).
        QFile stat(u"/proc/%1/stat"_s.arg(agent.pid()));
        QVERIFY(stat.open(QIODevice::ReadOnly));
        const QByteArray statLine = stat.readAll();
        const QList<QByteArray> fields = statLine.mid(statLine.lastIndexOf(')') + 2).split(' ');
        const double ticksPerSecond = double(::sysconf(_SC_CLK_TCK));
        const double cpuSeconds = (fields.at(11).toDouble() + fields.at(12).toDouble()) / ticksPerSecond;
        QFile statm(u"/proc/%1/statm"_s.arg(agent.pid()));
        QVERIFY(statm.open(QIODevice::ReadOnly));
        const double rssMiB =
            statm.readAll().split(' ').at(1).toDouble() * double(::sysconf(_SC_PAGESIZE)) / 1048576.0;
        const double elapsedS = double(t.elapsed()) / 1000.0;
        std::printf(
            "soak: %d cgroups at 10 Hz for %.1f s: %lld records, %lld ticks (%lld skipped by the sampler), "
            "no loss\n",
            cgroups, elapsedS, qint64(records.size()), qint64(perTick.size()), missedTicks);
        std::printf(
            "soak: agent CPU %.2f s = %.1f %% of one core; %.2f %% per 100 cgroups at 1 Hz; RSS %.1f MiB\n",
            cpuSeconds, 100.0 * cpuSeconds / elapsedS,
            100.0 * cpuSeconds / elapsedS / 10.0 / (cgroups / 100.0), rssMiB);
        QVERIFY(agent.terminate());
        QCOMPARE(agent.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.process().exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAgentSoak)
#include "tst_agent_soak.moc"
