// SPDX-License-Identifier: GPL-3.0-or-later
// Incident grouping (model/analysis/incident.h) on real kernel logs — the 6.18 log whose second
// cgroup lost two processes 6 ms apart, an EL7 container killed twice in 3 s, a syslog of two
// pods 41 s apart — and on hand-made kills for the clock rules (gap chaining, hosts, logs).
#include "eventincidents.h"
#include "incident.h"
#include "oomreportparser.h"
#include "workspace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kThreeKills =
    QStringLiteral(OOMSCOPE_TEST_DATA "/real/linux-6.18-cgroup-v1-three-kills.dmesg.log");
const QString kEl7 =
    QStringLiteral(OOMSCOPE_TEST_DATA "/eras/01-el7-3.10-memcg-docker-sacrifice-child.messages.log");
const QString kInterleaved =
    QStringLiteral(OOMSCOPE_TEST_DATA "/eras/08-ubuntu22.04-5.15-mixed-interleaved.syslog.log");
const QString kGlobal414 = QStringLiteral(OOMSCOPE_TEST_DATA "/eras/02-al2-4.14-global-meminfo.dmesg.log");
const QString kGlobal68 =
    QStringLiteral(OOMSCOPE_TEST_DATA "/eras/06-ubuntu24.04-6.8-global-rss_anon-tie.dmesg.log");

std::vector<OomEvent> parse(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return OomReportParser().parse(file.readAll()).events;
}

std::vector<IncidentKill> killsOf(const std::vector<OomEvent> &events, qint64 sourceId = 1)
{
    std::vector<IncidentKill> kills;
    for (const OomEvent &e : events)
        kills.push_back(incidentKillOf(e, sourceId));
    return kills;
}

IncidentKill at(double uptime, const QString &scope = u"/a"_s, qint64 source = 1)
{
    IncidentKill k;
    k.scope = scope;
    k.uptimeSeconds = uptime;
    k.sourceId = source;
    return k;
}

std::vector<std::size_t> v(std::initializer_list<std::size_t> l)
{
    return l;
}

} // namespace

class TestIncident : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void threeKillsLog();
    void threeKillsThroughWorkspace();
    void el7KilledTwiceInThreeSeconds();
    void interleavedPodsAreSeparate();
    void nodeWideLogsOfTwoMachines();
    void gapChains();
    void nodeAndCgroupAreSeparate();
    void clocksOfDifferentLogs();
    void killsWithoutTime();
    void scopeRules();
};

void TestIncident::threeKillsLog()
{
    const std::vector<OomEvent> events = parse(kThreeKills);
    QCOMPARE(events.size(), 3u);
    const std::vector<Incident> incidents = groupIncidents(killsOf(events));
    // /oomlab at 106.19 s; /oomlab2 at 117.0288 s and 117.0346 s (two processes, one episode).
    QCOMPARE(incidents.size(), 2u);
    QCOMPARE(incidents[0].kills, v({0}));
    QCOMPARE(incidents[0].scope, u"/oomlab"_s);
    QCOMPARE(incidents[0].spanSeconds, 0.0);
    QCOMPARE(incidents[1].kills, v({1, 2}));
    QCOMPARE(incidents[1].scope, u"/oomlab2"_s);
    QVERIFY(!incidents[1].nodeWide());
    QVERIFY2(incidents[1].spanSeconds > 0.005 && incidents[1].spanSeconds < 0.007,
             qPrintable(QString::number(incidents[1].spanSeconds)));
    QCOMPARE(events[1].victim.pid, 2378);
    QCOMPARE(events[2].victim.pid, 2501);
    QCOMPARE(incidentIndexOfKills(incidents, 3), v({0, 1, 1}));
    // The 11 s between the two cgroups' kills do not matter: other cgroup. With a gap of 12 s and
    // one cgroup name for all, they would be one incident.
    std::vector<IncidentKill> sameScope = killsOf(events);
    for (IncidentKill &k : sameScope)
        k.scope = u"/oomlab"_s;
    QCOMPARE(groupIncidents(sameScope, {12.0}).size(), 1u);
    QCOMPARE(groupIncidents(sameScope, {10.0}).size(), 2u);
}

void TestIncident::threeKillsThroughWorkspace()
{
    QTemporaryDir dir;
    Workspace ws;
    QVERIFY(ws.open(dir.filePath(u"w.sqlite"_s)));
    QVERIFY(ws.importLogFile(kThreeKills).ok);
    const std::vector<EventSummary> events = ws.events();
    QCOMPARE(events.size(), 3u);
    const std::vector<Incident> incidents = incidentsOf(events);
    QCOMPARE(incidents.size(), 2u);
    QCOMPARE(incidents[1].kills, v({1, 2}));
    QCOMPARE(events[incidents[1].kills[0]].victimPid, 2378);
    QCOMPARE(events[incidents[1].kills[1]].victimPid, 2501);
    QCOMPARE(incidents[1].scope, u"/oomlab2"_s);
}

void TestIncident::el7KilledTwiceInThreeSeconds()
{
    const std::vector<OomEvent> events = parse(kEl7);
    QCOMPARE(events.size(), 2u);
    QVERIFY(events[0].wallTime && events[1].wallTime);
    QVERIFY(!events[0].uptimeSeconds); // syslog: wall time only, to the second
    const std::vector<Incident> incidents = groupIncidents(killsOf(events));
    QCOMPARE(incidents.size(), 1u);
    QCOMPARE(incidents[0].kills, v({0, 1}));
    QCOMPARE(incidents[0].host, u"app-node-07"_s);
    QVERIFY(incidents[0].scope.startsWith(u"/docker/7494564d3c27"_s));
    QCOMPARE(incidents[0].spanSeconds, 3.0);
    // A stricter notion of an episode splits them.
    QCOMPARE(groupIncidents(killsOf(events), {2.0}).size(), 2u);
}

void TestIncident::interleavedPodsAreSeparate()
{
    const std::vector<OomEvent> events = parse(kInterleaved);
    QVERIFY(events.size() >= 2);
    const std::vector<Incident> incidents = groupIncidents(killsOf(events));
    // Two pods' containers, 41 s apart: never one incident, whatever the gap.
    QSet<QString> scopes;
    for (const OomEvent &e : events)
        scopes.insert(incidentScopeOf(e.constraint, e.oomMemcg, e.taskMemcg));
    QVERIFY(scopes.size() >= 2);
    QCOMPARE(qsizetype(incidents.size()), scopes.size());
    QCOMPARE(groupIncidents(killsOf(events), {3600.0}).size(), incidents.size());
    for (const Incident &incident : incidents) {
        for (std::size_t i : incident.kills)
            QCOMPARE(incidentScopeOf(events[i].constraint, events[i].oomMemcg, events[i].taskMemcg),
                     incident.scope);
    }
}

void TestIncident::nodeWideLogsOfTwoMachines()
{
    std::vector<IncidentKill> kills = killsOf(parse(kGlobal414), 1);
    const std::vector<IncidentKill> more = killsOf(parse(kGlobal68), 2);
    QCOMPARE(kills.size(), 1u);
    QCOMPARE(more.size(), 1u);
    QVERIFY(kills[0].scope.isEmpty());
    QVERIFY(more[0].scope.isEmpty());
    kills.insert(kills.end(), more.begin(), more.end());
    // Two dmesg logs (no host names): their uptimes are of different machines.
    kills[1].uptimeSeconds = *kills[0].uptimeSeconds + 1;
    const std::vector<Incident> incidents = groupIncidents(kills);
    QCOMPARE(incidents.size(), 2u);
    QVERIFY(incidents[0].nodeWide());
    // The same log: one node, one episode.
    kills[1].sourceId = 1;
    QCOMPARE(groupIncidents(kills).size(), 1u);
}

void TestIncident::gapChains()
{
    // Each kill within 10 s of the previous one: one episode, though the first and last are 16 s apart.
    const std::vector<Incident> chained = groupIncidents({at(100), at(108), at(116), at(140)});
    QCOMPARE(chained.size(), 2u);
    QCOMPARE(chained[0].kills, v({0, 1, 2}));
    QCOMPARE(chained[0].spanSeconds, 16.0);
    QCOMPARE(chained[1].kills, v({3}));
    // Input out of time order: members come in time order, incidents by their first input row.
    const std::vector<Incident> shuffled = groupIncidents({at(140), at(116), at(100), at(108)});
    QCOMPARE(shuffled.size(), 2u);
    QCOMPARE(shuffled[0].kills, v({0}));
    QCOMPARE(shuffled[1].kills, v({2, 3, 1}));
    // Exactly the gap joins; just over it does not.
    QCOMPARE(groupIncidents({at(0), at(10)}).size(), 1u);
    QCOMPARE(groupIncidents({at(0), at(10.001)}).size(), 2u);
}

void TestIncident::nodeAndCgroupAreSeparate()
{
    const std::vector<Incident> incidents = groupIncidents({at(5, {}), at(5.1, u"/a"_s), at(5.2, {})});
    QCOMPARE(incidents.size(), 2u);
    QCOMPARE(incidents[0].kills, v({0, 2}));
    QVERIFY(incidents[0].nodeWide());
    QCOMPARE(incidents[1].kills, v({1}));
}

void TestIncident::clocksOfDifferentLogs()
{
    // Wall times of one named host agree across logs; uptimes never do.
    IncidentKill a = at(5, u"/a"_s, 1);
    IncidentKill b = at(5, u"/a"_s, 2);
    QCOMPARE(groupIncidents({a, b}).size(), 2u);
    a.host = b.host = u"node-1"_s;
    a.wallMs = 1'700'000'000'000;
    b.wallMs = 1'700'000'002'000;
    QCOMPARE(groupIncidents({a, b}).size(), 1u);
    QCOMPARE(groupIncidents({a, b})[0].spanSeconds, 2.0);
    b.host = u"node-2"_s;
    QCOMPARE(groupIncidents({a, b}).size(), 2u);
    // No host names: wall times compare within one log only.
    a.host.clear();
    b.host.clear();
    QCOMPARE(groupIncidents({a, b}).size(), 2u);
    b.sourceId = 1;
    QCOMPARE(groupIncidents({a, b}).size(), 1u);
}

void TestIncident::killsWithoutTime()
{
    IncidentKill none;
    none.scope = u"/a"_s;
    const std::vector<Incident> incidents = groupIncidents({none, at(1), none, at(2)});
    QCOMPARE(incidents.size(), 3u);
    QCOMPARE(incidents[0].kills, v({0}));
    QCOMPARE(incidents[1].kills, v({1, 3}));
    QCOMPARE(incidents[2].kills, v({2}));
    QVERIFY(groupIncidents({}).empty());
}

void TestIncident::scopeRules()
{
    QCOMPARE(incidentScopeOf(Constraint::Memcg, u"/a"_s, u"/a/b"_s), u"/a"_s);
    QCOMPARE(incidentScopeOf(Constraint::Memcg, {}, u"/a/b"_s), u"/a/b"_s);
    QCOMPARE(incidentScopeOf(Constraint::Memcg, {}, {}), u"memcg"_s);
    QCOMPARE(incidentScopeOf(Constraint::None, {}, u"/user.slice"_s), QString());
    QCOMPARE(incidentScopeOf(Constraint::Cpuset, {}, u"/a"_s), QString());
    QCOMPARE(incidentScopeOf(Constraint::Unknown, u"/x"_s, {}), u"/x"_s);
}

QTEST_GUILESS_MAIN(TestIncident)
#include "tst_incident.moc"
