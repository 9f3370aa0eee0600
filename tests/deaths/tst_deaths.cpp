// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table over committed real data: the kernel reports tst_deaths_live captured from
// kills in cgroups named as the kubelet names them (both drivers) with the pod JSON it wrote, the
// kubelet's eviction lines with an evicted pod, earlyoom's own output; its JSON form and its rows
// in the workspace.

#include "deathjson.h"
#include "deathrows.h"
#include "deaths.h"
#include "killerlines.h"
#include "oomreportparser.h"
#include "podjson.h"
#include "workspace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

QByteArray readData(const QString &name)
{
    QFile f(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/deaths/"_s + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}

void addKernel(DeathInputs &in, const QString &name)
{
    const ParseResult r = OomReportParser().parse(readData(name));
    qint64 id = 0;
    for (const OomEvent &e : r.events)
        if (std::optional<KernelKill> k = kernelKillOf(e, ++id, name))
            in.kernel.push_back(*k);
}

void addLines(DeathInputs &in, const QString &name)
{
    const QByteArray bytes = readData(name);
    for (const KillerLine &l :
         scanKillerLines(std::string_view(bytes.constData(), size_t(bytes.size())), 2026).lines)
        in.lines.push_back({name, l});
}

void addKube(DeathInputs &in, const QString &name, const QByteArray &json)
{
    const Result<KubeObjects> o = parseKubeRecord(json);
    QVERIFY2(o, qPrintable(o ? QString() : o.error().message));
    in.kube.push_back({name, o->pods, o->events});
}

const Death *find(const std::vector<Death> &deaths, Killer killer, const QString &podOrContainer)
{
    for (const Death &d : deaths)
        if (d.killer == killer && (d.container == podOrContainer || d.pod == podOrContainer))
            return &d;
    return nullptr;
}

const QString childDied =
    u"but the container is still running (restartCount 0): a child died, nothing restarted"_s;
const QString sigkill =
    u"exit code 137 and no OOM evidence on the node: SIGKILL from elsewhere (liveness probe, "
    u"`kill -9`, the runtime)"_s;
const QString evicted =
    u"evicted by the kubelet for node memory pressure: no kernel OOM, its own limit was never reached"_s;

} // namespace

class TestDeaths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kernelKillsJoinPodJson_data()
    {
        QTest::addColumn<QString>("driver");
        QTest::newRow("systemd") << u"systemd"_s;
        QTest::newRow("cgroupfs") << u"cgroupfs"_s;
    }
    void kernelKillsJoinPodJson()
    {
        QFETCH(QString, driver);
        DeathInputs in;
        addKernel(in, driver + u"-kills.kmsg"_s);
        QCOMPARE(in.kernel.size(), std::size_t(2));
        addKube(in, driver + u"-pod.json"_s, readData(driver + u"-pod.json"_s));
        const std::vector<Death> deaths = buildDeaths(in);
        QCOMPARE(deaths.size(), std::size_t(3));

        const Death *render = find(deaths, Killer::KernelMemcg, u"render"_s);
        QVERIFY(render);
        QCOMPARE(render->namespaceName, u"media"_s);
        QCOMPARE(render->pod, u"render-7f9c"_s);
        QCOMPARE(render->node, u"node-a"_s);
        QCOMPARE(render->exitCode, std::optional<int>(137));
        QCOMPARE(render->restartCount, std::optional<int>(1));
        QCOMPARE(render->eventId, std::optional<qint64>(1));
        QCOMPARE(render->confidence, DeathConfidence::High);
        QVERIFY(render->notes.first().startsWith(
                    u"the kernel's kill ended container `render` (OOMKilled, exit code 137"_s)
                || render->notes.last().startsWith(u"the kernel's kill ended container `render`"_s));
        // Evidence: the report's lines (with their line numbers) and the pod's lastState.
        QVERIFY(render->evidence.size() >= 3);
        QVERIFY(render->evidence.front().line > 0);
        QVERIFY(
            render->evidence.back().text.contains(u"lastState.terminated reason OOMKilled, exitCode 137"_s));

        const Death *worker = find(deaths, Killer::KernelMemcg, u"worker"_s);
        QVERIFY(worker);
        QVERIFY(!worker->exitCode);
        QVERIFY2(worker->notes.first().endsWith(childDied), qPrintable(worker->notes.join(u'|')));
        QVERIFY(worker->notes.first().startsWith(u"the kernel killed `oomscope_e2e_ho` (pid "_s));

        const Death *probe = find(deaths, Killer::SigkillOther, u"probe"_s);
        QVERIFY(probe);
        QCOMPARE(probe->notes, QStringList {sigkill});
        QVERIFY(!probe->pid);
    }

    void withoutPodJsonTheKernelKillsStayUnnamed()
    {
        DeathInputs in;
        addKernel(in, u"systemd-kills.kmsg"_s);
        const std::vector<Death> deaths = buildDeaths(in);
        QCOMPARE(deaths.size(), std::size_t(2));
        for (const Death &d : deaths) {
            QVERIFY(d.pod.isEmpty());
            QCOMPARE(d.podUid.size(), 36); // from the cgroup path alone
            QCOMPARE(d.containerId.size(), 64);
        }
    }

    void evictionIsNotAnOomKill()
    {
        DeathInputs in;
        addLines(in, u"kubelet-eviction.log"_s);
        addKube(in, u"evicted-pod.json"_s, readData(u"evicted-pod.json"_s));
        const std::vector<Death> deaths = buildDeaths(in);
        // batch/report-5d9f and default/memhog for memory; logs/shipper-x2 was for disk: no death.
        QCOMPARE(deaths.size(), std::size_t(2));
        QVERIFY(!find(deaths, Killer::KubeletEviction, u"shipper-x2"_s));
        const Death *report = find(deaths, Killer::KubeletEviction, u"report-5d9f"_s);
        QVERIFY(report);
        QCOMPARE(report->namespaceName, u"batch"_s);
        QCOMPARE(report->podUid, u"0b8d7e64-2f1c-4d0e-9c3a-5e6f7a8b9c0d"_s);
        QCOMPARE(report->node, u"node-a"_s);
        QCOMPARE(report->confidence, DeathConfidence::High);
        QCOMPARE(report->evidence.size(), std::size_t(4)); // reclaim, ranked, evicted, the pod's status
        QCOMPARE(report->evidence[0].line, 1);
        QCOMPARE(report->evidence[1].line, 3);
        QCOMPARE(report->evidence[2].line, 4);
        QVERIFY(report->evidence[3].text.contains(u"status.reason Evicted"_s));
        QCOMPARE(report->notes, QStringList {evicted});
        const Death *memhog = find(deaths, Killer::KubeletEviction, u"memhog"_s);
        QVERIFY(memhog);
        QCOMPARE(memhog->podUid, u"3f2a9c1e-6d0b-4d57-9a43-1c5e2b7a8d90"_s);
        QCOMPARE(memhog->evidence.size(), std::size_t(3));
    }

    void evictionFromTheEventAlone()
    {
        // i11b's committed `kubectl get events -o json` (tests/data/kubernetes/events.json).
        QFile f(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/kubernetes/events.json"_s);
        QVERIFY(f.open(QIODevice::ReadOnly));
        DeathInputs in;
        addKube(in, u"events.json"_s, f.readAll());
        const std::vector<Death> deaths = buildDeaths(in);
        const Death *hog = find(deaths, Killer::KubeletEviction, u"memory-hog-7d9c5"_s);
        QVERIFY(hog);
        QCOMPARE(hog->namespaceName, u"batch"_s);
        QCOMPARE(hog->node, u"node-2"_s);
        QCOMPARE(hog->time, std::optional(QDateTime(QDate(2024, 3, 11), QTime(9, 14, 5), Qt::UTC)));
        QCOMPARE(hog->notes, QStringList {evicted});
        QCOMPARE(hog->confidence, DeathConfidence::Medium);
    }

    void earlyoomSigtermThenSigkillIsOneDeath()
    {
        DeathInputs in;
        addLines(in, u"earlyoom-sigterm.out"_s);
        const std::vector<Death> deaths = buildDeaths(in);
        QCOMPARE(deaths.size(), std::size_t(1));
        QCOMPARE(deaths[0].killer, Killer::Earlyoom);
        QCOMPARE(deaths[0].pid, std::optional<std::int64_t>(2));
        QCOMPARE(deaths[0].notes.size(), 1);
        QVERIFY(deaths[0].notes[0].startsWith(u"earlyoom sent `oomscope_e2e_ho` (pid 2) SIGTERM"_s));
    }

    void jsonRoundTrip()
    {
        DeathInputs in;
        addKernel(in, u"cgroupfs-kills.kmsg"_s);
        addKube(in, u"cgroupfs-pod.json"_s, readData(u"cgroupfs-pod.json"_s));
        for (const Death &d : buildDeaths(in)) {
            const QJsonObject o = deathToJson(d);
            QCOMPARE(o.value(u"killer"_s).toString(), killerKey(d.killer));
            const Result<Death> back = deathFromJson(o);
            QVERIFY(back);
            QCOMPARE(deathToJson(*back), o);
        }
        QVERIFY(!deathFromJson(QJsonObject {{u"killer"_s, u"gremlins"_s}}));
    }

    void storedInTheWorkspace()
    {
        QTemporaryDir dir;
        Workspace ws;
        QVERIFY(ws.open(dir.filePath(u"w.sqlite"_s)));
        DeathInputs in;
        addKernel(in, u"systemd-kills.kmsg"_s);
        const std::vector<Death> unnamed = buildDeaths(in);
        const Result<DeathStoreResult> first = storeDeaths(ws, unnamed);
        QVERIFY(first);
        QCOMPARE(first->added, 2);
        // Names learnt later (pod JSON) update the same rows; the kill -9 is a new one.
        addKube(in, u"systemd-pod.json"_s, readData(u"systemd-pod.json"_s));
        const Result<DeathStoreResult> second = storeDeaths(ws, buildDeaths(in));
        QVERIFY(second);
        QCOMPARE(second->added, 1);
        QCOMPARE(second->updated, 2);
        const Result<std::vector<StoredDeath>> stored = readDeaths(ws);
        QVERIFY(stored);
        QCOMPARE(stored->size(), std::size_t(3));
        int named = 0;
        for (const StoredDeath &s : *stored) {
            named += s.death.pod == u"render-7f9c"_s;
            QVERIFY(!s.death.eventId); // no events rows in this workspace: the reference is dropped
        }
        QCOMPARE(named, 3);
    }

    // A unit killed again and again (a crash-looping service, a log concatenated from many days):
    // systemd prints one "A process of this unit has been killed by the OOM killer." per kill, so
    // each line joins one kill — the nearest not yet joined — not every kill within the tolerance.
    void unitLinesJoinOneKillEach()
    {
        const QByteArray unitLine = readData(u"public-killer-lines.log"_s).split('\n').at(13);
        const std::vector<KillerLine> scanned =
            scanKillerLines(std::string_view(unitLine.constData(), std::size_t(unitLine.size())), 2026).lines;
        QCOMPARE(scanned.size(), std::size_t(1));
        QCOMPARE(scanned.front().kind, KillerLine::Kind::UnitOomKilled);
        const QDateTime start = *scanned.front().wallTime;
        DeathInputs in; // 600 kills 10 s apart, so each line is within 120 s of 25 kills
        const int kills = 600;
        for (int i = 0; i < kills; ++i) {
            KernelKill k;
            k.eventId = i + 1;
            k.source = u"kern.log"_s;
            k.wallTime = start.addSecs(10 * i);
            k.constraint = Constraint::Memcg;
            k.taskMemcg = u"/system.slice"_s;
            k.oomMemcg = k.taskMemcg;
            k.pid = 1000 + i;
            k.comm = u"worker"_s;
            in.kernel.push_back(k);
            KillerLine line = scanned.front();
            line.wallTime = start.addSecs(10 * i + 1); // systemd notices a moment later
            in.lines.push_back({u"journal"_s, line});
        }
        const std::vector<Death> deaths = buildDeaths(in);
        QCOMPARE(deaths.size(), std::size_t(kills));
        for (const Death &d : deaths) {
            QCOMPARE(d.evidence.size(), std::size_t(1));
            QCOMPARE(d.evidence.front().source, u"journal"_s);
        }
        // A second line for the same kill (the journal and syslog both given) joins it too.
        in.lines.push_back(in.lines.back());
        QCOMPARE(buildDeaths(in).back().evidence.size(), std::size_t(2));
    }

    // An OOMKilling event names the pid as a number of its own: pid 14711 is not pid 4711.
    void kubeOomEventJoinsThePidItNames()
    {
        const QDateTime at = QDateTime::fromString(u"2026-03-01T10:00:00Z"_s, Qt::ISODate);
        DeathInputs in;
        for (std::int64_t pid : {4711, 14711}) {
            KernelKill k;
            k.eventId = pid;
            k.source = u"kern.log"_s;
            k.wallTime = at;
            k.constraint = Constraint::Memcg;
            k.taskMemcg = u"/kubepods/burstable/pod1/ctr"_s;
            k.pid = pid;
            k.comm = u"worker"_s;
            in.kernel.push_back(k);
        }
        KubeEvent e;
        e.reason = u"OOMKilling"_s;
        e.message = u"Memory cgroup out of memory: Killed process 14711 (worker) total-vm:1024kB"_s;
        e.lastTimestamp = at;
        in.kube.push_back({u"events.json"_s, {}, {e}});
        const std::vector<Death> deaths = buildDeaths(in);
        QCOMPARE(deaths.size(), std::size_t(2));
        for (const Death &d : deaths)
            QCOMPARE(d.evidence.size(), std::size_t(*d.pid == 14711 ? 1 : 0));
    }
};

QTEST_GUILESS_MAIN(TestDeaths)
#include "tst_deaths.moc"
