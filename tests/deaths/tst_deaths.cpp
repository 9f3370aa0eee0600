// SPDX-License-Identifier: GPL-3.0-or-later
// The deaths table over committed real data: the kernel reports tst_deaths_live captured from
// kills in cgroups named as the kubelet names them (both drivers) with the pod JSON it wrote, the
// kubelet's eviction lines with an evicted pod, earlyoom's own output; its JSON form and its rows
// in the workspace.

#include "deathjson.h"
#include "deathrows.h"
#include "deaths.h"
#include "deathtables.h"
#include "killerlines.h"
#include "oomreportparser.h"
#include "podjson.h"
#include "workspace.h"

#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using oomscope::testsupport::tableJson;

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

// Random inputs over a few pods, containers, units and pids, so that every join has candidates:
// kills with and without wall times, runtime lines, unit lines, pod terminations, OOM events.
DeathInputs randomInputs(quint32 seed)
{
    QRandomGenerator rng(seed);
    const QDateTime base = QDateTime::fromString(u"2026-03-01T10:00:00Z"_s, Qt::ISODate);
    auto chance = [&rng](int percent) {
        return int(rng.bounded(100)) < percent;
    };
    auto time = [&]() -> std::optional<QDateTime> {
        if (chance(25))
            return std::nullopt;
        return base.addSecs(rng.bounded(900));
    };
    const QStringList uids = {u"0a0a0a0a-0000-4000-8000-000000000001"_s,
                              u"0a0a0a0a-0000-4000-8000-000000000002"_s,
                              u"0a0a0a0a-0000-4000-8000-000000000003"_s};
    auto containerId = [](int pod, int c) {
        return QString(64, QChar(u'a' + pod * 2 + c));
    };
    auto cgroupOf = [&](int pod, int c) -> QString {
        if (pod >= uids.size())
            return c == 0 ? u"/system.slice/worker.service"_s : u"/user.slice"_s;
        if (c == 2) // the pod's own cgroup: a pod UID, no container ID
            return u"/kubepods/burstable/pod"_s + uids[pod];
        return u"/kubepods/burstable/pod"_s + uids[pod] + u'/' + containerId(pod, c);
    };
    DeathInputs in;
    const int kills = 10 + int(rng.bounded(50));
    for (int i = 0; i < kills; ++i) {
        KernelKill k;
        k.eventId = i + 1;
        k.source = chance(80) ? u"kern.log"_s : u"node2.log"_s;
        k.wallTime = time();
        k.uptimeSeconds = 100.0 + i;
        k.constraint = chance(80) ? Constraint::Memcg : Constraint::None;
        const int pod = int(rng.bounded(4));
        const int c = int(rng.bounded(3));
        k.taskMemcg = cgroupOf(pod, c);
        k.oomMemcg = k.constraint == Constraint::Memcg ? k.taskMemcg : u"/"_s;
        k.pid = 100 + rng.bounded(20);
        k.comm = u"w"_s + QString::number(k.pid);
        if (chance(10))
            k.groupKilled.emplace_back(k.pid + 1, u"sibling"_s);
        k.evidence.push_back({k.source, i + 1, u"Killed process %1"_s.arg(k.pid)});
        in.kernel.push_back(k);
    }
    const int lines = int(rng.bounded(12));
    for (int i = 0; i < lines; ++i) {
        KillerLine l;
        l.line = i + 1;
        l.text = u"line %1"_s.arg(i);
        l.wallTime = time();
        const int pod = int(rng.bounded(3));
        switch (rng.bounded(4)) {
        case 0:
            l.kind = KillerLine::Kind::RuntimeOom;
            l.containerId = chance(70) ? containerId(pod, int(rng.bounded(2))) : QString();
            l.podUid = chance(50) ? uids[pod] : QString();
            break;
        case 1:
            l.kind = KillerLine::Kind::RuntimeExit;
            l.containerId = containerId(pod, int(rng.bounded(2)));
            l.exitCode = chance(70) ? 137 : 0;
            break;
        case 2:
            l.kind = KillerLine::Kind::UnitOomKilled;
            l.unit = chance(50) ? u"worker.service"_s : containerId(pod, 0);
            break;
        default:
            l.kind = KillerLine::Kind::EarlyoomKill;
            l.pid = 100 + rng.bounded(20);
            l.signal = chance(50) ? 9 : 15;
            break;
        }
        in.lines.push_back({u"journal"_s, l});
    }
    if (chance(70)) {
        KubeRecordInput record {u"pods.json"_s, {}, {}};
        for (int pod = 0; pod < uids.size(); ++pod) {
            KubePod p;
            p.uid = uids[pod];
            p.namespaceName = u"shop"_s;
            p.name = u"pod-%1"_s.arg(pod);
            p.nodeName = u"node1"_s;
            for (int c = 0; c < 2; ++c) {
                KubeContainerStatus s;
                s.name = u"c%1"_s.arg(c);
                if (chance(80)) // not yet given while the container is created
                    s.containerId = u"containerd://"_s + containerId(pod, c);
                s.restartCount = int(rng.bounded(5));
                auto state = [&]() {
                    KubeContainerState st;
                    if (chance(40)) {
                        st.kind = KubeContainerState::Kind::Running;
                        if (std::optional<QDateTime> t = time())
                            st.startedAt = *t;
                    } else if (chance(70)) {
                        st.kind = KubeContainerState::Kind::Terminated;
                        KubeTermination t;
                        t.reason = chance(60) ? u"OOMKilled"_s : u"Error"_s;
                        t.exitCode = chance(70) ? 137 : 1;
                        if (std::optional<QDateTime> f = time())
                            t.finishedAt = *f;
                        if (chance(30))
                            t.containerId = u"containerd://"_s + containerId(pod, 1 - c);
                        st.terminated = t;
                    }
                    return st;
                };
                s.state = state();
                s.lastState = state();
                p.statuses.push_back(s);
            }
            record.pods.push_back(p);
        }
        for (int i = int(rng.bounded(4)); i > 0; --i) {
            KubeEvent e;
            e.reason = u"OOMKilling"_s;
            e.involvedKind = u"Node"_s;
            e.message = u"Memory cgroup out of memory: Killed process %1 (w)"_s.arg(100 + rng.bounded(20));
            if (std::optional<QDateTime> t = time())
                e.lastTimestamp = *t;
            record.events.push_back(e);
        }
        in.kube.push_back(record);
    }
    return in;
}

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

    // The table streams the kills no other input names (finished at once, not held for the
    // joins): on random inputs whose joins all have candidates, it is the table built holding
    // every kill, whether the kills come in the inputs or one at a time from a stream.
    void streamedTableIsTheHeldOne()
    {
        int finishedAtOnce = 0;
        int held = 0;
        for (quint32 seed = 1; seed <= 1000; ++seed) {
            const DeathInputs in = randomInputs(seed);
            DeathStreams holdAll;
            holdAll.holdEveryKill = true;
            std::vector<OrderedDeath> all = buildDeaths(in, holdAll);
            QVERIFY(std::is_sorted(all.begin(), all.end(), deathBefore));
            std::vector<Death> expected;
            for (OrderedDeath &d : all)
                expected.push_back(std::move(d.death));
            const QJsonArray want = tableJson(expected);
            if (tableJson(buildDeaths(in)) != want)
                QFAIL(qPrintable(u"seed %1: the table differs from the one holding every kill"_s.arg(seed)));

            DeathInputs rest = in;
            rest.kernel.clear();
            std::size_t next = 0;
            std::vector<OrderedDeath> rows;
            DeathStreams streams;
            streams.nextKill = [&](KernelKill &k) {
                if (next == in.kernel.size())
                    return false;
                k = in.kernel[next++];
                return true;
            };
            streams.finished = [&](OrderedDeath &&d) {
                rows.push_back(std::move(d));
            };
            std::vector<OrderedDeath> kept = buildDeaths(rest, streams);
            finishedAtOnce += int(rows.size());
            held += int(kept.size());
            std::move(kept.begin(), kept.end(), std::back_inserter(rows));
            std::sort(rows.begin(), rows.end(), deathBefore);
            std::vector<Death> streamed;
            for (OrderedDeath &d : rows)
                streamed.push_back(std::move(d.death));
            if (tableJson(streamed) != want)
                QFAIL(qPrintable(u"seed %1: the streamed table differs"_s.arg(seed)));
        }
        // Both ways were taken, many times.
        QVERIFY2(finishedAtOnce > 1000 && held > 1000,
                 qPrintable(u"finished at once %1, held %2"_s.arg(finishedAtOnce).arg(held)));
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
