// SPDX-License-Identifier: GPL-3.0-or-later
// Parses every fixture log and checks the recomputed kill decision against the fixture's
// independent .expected.json (totalpages, the full ranking, the selected and killed pids).
#include "killdecision.h"
#include "oomreportparser.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

struct Ranked {
    std::int64_t pid = 0;
    std::int64_t points = 0;
};

// Equal points may be listed in either order (the files list ties in table order, the
// decision lists them in the order the kernel's loop prefers); compare ties as sets.
std::vector<Ranked> normaliseTies(std::vector<Ranked> r)
{
    for (size_t i = 0; i < r.size();) {
        size_t j = i;
        while (j < r.size() && r[j].points == r[i].points)
            ++j;
        std::sort(r.begin() + qsizetype(i), r.begin() + qsizetype(j),
                  [](const Ranked &a, const Ranked &b) { return a.pid < b.pid; });
        i = j;
    }
    return r;
}

QString describe(const std::vector<Ranked> &r)
{
    QStringList parts;
    for (const Ranked &x : r)
        parts << u"%1:%2"_s.arg(x.pid).arg(x.points);
    return parts.join(u' ');
}

QJsonObject readExpected(const QString &logPath)
{
    QString path = logPath;
    path.replace(u".log"_s, u".expected.json"_s);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestKillDecisionFixtures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixture_data();
    void fixture();
};

void TestKillDecisionFixtures::fixture_data()
{
    QTest::addColumn<QString>("logPath");
    QTest::addColumn<int>("eventIndex");
    int rows = 0;
    for (const QString &sub : {u"eras"_s, u"real"_s}) {
        const QDir dir(QStringLiteral(OOMSCOPE_TEST_DATA) % u"/"_s % sub);
        const QStringList logs = dir.entryList({u"*.log"_s}, QDir::Files, QDir::Name);
        for (const QString &log : logs) {
            const QString path = dir.filePath(log);
            const QJsonArray events = readExpected(path).value(u"events"_s).toArray();
            for (int i = 0; i < events.size(); ++i) {
                const QString name = sub % u"/"_s % log % u"#"_s % QString::number(i + 1);
                QTest::newRow(qPrintable(name)) << path << i;
                ++rows;
            }
        }
    }
    // The fixtures are committed: none found means a broken checkout or OOMSCOPE_TEST_DATA.
    QVERIFY2(rows > 0, "no fixture logs with expected answers under " OOMSCOPE_TEST_DATA);
}

void TestKillDecisionFixtures::fixture()
{
    QFETCH(QString, logPath);
    QFETCH(int, eventIndex);

    const QJsonObject expectedFile = readExpected(logPath);
    const QJsonArray expectedEvents = expectedFile.value(u"events"_s).toArray();
    QFile log(logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const ParseResult parsed = OomReportParser().parse(log.readAll());
    QVERIFY2(!parsed.events.empty(), "the parser found no OOM event in this fixture");

    // Pair expected events with parsed ones in log order, by the killed pid; a parser may
    // report headerless oom.group kill lines as extra events, which have no task table.
    const OomEvent *event = nullptr;
    size_t cursor = 0;
    for (int i = 0; i <= eventIndex; ++i) {
        const std::int64_t victim = expectedEvents.at(i).toObject().value(u"victim_pid"_s).toInteger();
        const OomEvent *found = nullptr;
        for (size_t k = cursor; k < parsed.events.size(); ++k) {
            const OomEvent &e = parsed.events[k];
            if (e.victim.pid == victim && !e.tasks.empty()) {
                found = &e;
                cursor = k + 1;
                break;
            }
        }
        QVERIFY2(found,
                 qPrintable(
                     u"no parsed event with a task table kills pid %1 (event %2)"_s.arg(victim).arg(i + 1)));
        event = found;
    }

    const QJsonObject expected = expectedEvents.at(eventIndex).toObject();
    DecisionOptions options;
    // Follow the file's stated assumptions; uid 0 = CAP_SYS_ADMIN is already the default.
    const QString assumptions =
        expectedFile.value(u"assumptions"_s).toString() % u" "_s % expectedFile.value(u"source"_s).toString();
    if (assumptions.contains(u"no swap"_s, Qt::CaseInsensitive))
        options.totalSwapPages = 0;
    const KillDecision d = decideKill(*event, options);

    QCOMPARE(d.totalPages, expected.value(u"totalpages"_s).toInteger());

    std::vector<Ranked> want;
    for (const QJsonValue &v : expected.value(u"ranking"_s).toArray()) {
        const QJsonObject o = v.toObject();
        want.push_back({o.value(u"pid"_s).toInteger(), o.value(u"points"_s).toInteger()});
    }
    std::vector<Ranked> got;
    for (const RankedTask &r : d.ranking)
        if (r.eligible)
            got.push_back({r.task.pid, r.points});
    want = normaliseTies(want);
    got = normaliseTies(got);
    const QString wantText = describe(want);
    const QString gotText = describe(got);
    QVERIFY2(wantText == gotText,
             qPrintable(u"ranking differs\n  expected %1\n  got      %2\n  era %3 (%4)"_s.arg(
                 wantText, gotText, badnessEraName(d.era), d.eraReason)));

    const std::int64_t victim = expected.value(u"victim_pid"_s).toInteger();
    const std::int64_t selected =
        expected.contains(u"selected_pid"_s) ? expected.value(u"selected_pid"_s).toInteger() : victim;
    QCOMPARE(d.victimPid, victim);
    QCOMPARE(d.kernelSelectedPid, selected);
    QCOMPARE(d.recomputedSelectedPid, std::optional<std::int64_t>(selected));
    QVERIFY2(d.agrees, qPrintable(d.explanation));
    QVERIFY(!d.explanation.isEmpty());
    qInfo().noquote() << badnessEraName(d.era) << "|" << d.explanation;
}

QTEST_GUILESS_MAIN(TestKillDecisionFixtures)
#include "tst_killdecision_fixtures.moc"
