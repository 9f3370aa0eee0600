// SPDX-License-Identifier: GPL-3.0-or-later
// Drives the oomscope-cli binary as a script would: exit codes, stdin, JSON fields, workspaces.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMultiMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList &args, const QByteArray &stdinData = {})
{
    QProcess p;
    p.setProgram(QStringLiteral(OOMSCOPE_CLI_PATH));
    p.setArguments(args);
    p.start();
    if (!stdinData.isNull())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000))
        qFatal("oomscope-cli did not finish");
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QString data(const QString &rel)
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u'/' + rel;
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void version()
    {
        const Run r = runCli({u"--version"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("oomscope-cli "));
    }

    void unknownCommandFails()
    {
        const Run r = runCli({u"frobnicate"_s});
        QVERIFY(r.exitCode != 0);
        QVERIFY(r.err.contains("unknown command"));
        QCOMPARE(r.err.count('\n'), 1);
    }

    void unreadableInputIsOneLineError()
    {
        const Run r = runCli({u"analyze"_s, u"/nonexistent/kern.log"_s});
        QVERIFY(r.exitCode != 0);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("/nonexistent/kern.log"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void logWithoutOomIsNotAnError()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(u"quiet.log"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[    0.000000] Linux version 6.1.0\n[    1.000000] EXT4-fs (vda): mounted\n");
        f.close();
        const Run r = runCli({u"analyze"_s, u"--json"_s, f.fileName()});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        QVERIFY(root.contains(u"events"_s));
        QCOMPARE(root.value(u"events"_s).toArray().size(), 0);
        QVERIFY(root.value(u"warnings"_s).isArray());
    }

    void analyzeJsonMatchesExpected_data()
    {
        QTest::addColumn<QString>("log");
        const QStringList dirs {u"eras"_s, u"real"_s};
        for (const QString &d : dirs) {
            const QDir dir(data(d));
            const QStringList logs = dir.entryList({u"*.log"_s}, QDir::Files, QDir::Name);
            for (const QString &log : logs)
                QTest::newRow(qPrintable(log)) << dir.filePath(log);
        }
    }

    // The documented JSON carries, per event, what the kernel did and what the recomputation says;
    // the expected files were written independently from the kernel's printk formats.
    void analyzeJsonMatchesExpected()
    {
        QFETCH(QString, log);
        const QJsonObject expected = readJson(QString(log).replace(u".log"_s, u".expected.json"_s));
        const Run r = runCli({u"analyze"_s, u"--json"_s, log});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &perr);
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        const QJsonArray events = doc.object().value(u"events"_s).toArray();
        const QJsonArray want = expected.value(u"events"_s).toArray();
        QCOMPARE(events.size(), want.size());
        static const QStringList requiredKeys {
            u"host"_s,       u"time"_s,          u"uptime_s"_s,
            u"constraint"_s, u"oom_memcg"_s,     u"task_memcg"_s,
            u"limit_kb"_s,   u"usage_kb"_s,      u"failcnt"_s,
            u"totalpages"_s, u"kernel_format"_s, u"complete"_s,
            u"victim"_s,     u"selected_pid"_s,  u"recomputed_selected_pid"_s,
            u"agrees"_s,     u"ranking"_s,       u"group_killed_pids"_s};
        for (qsizetype i = 0; i < want.size(); ++i) {
            const QJsonObject e = events.at(i).toObject();
            const QJsonObject w = want.at(i).toObject();
            for (const QString &k : requiredKeys)
                QVERIFY2(e.contains(k), qPrintable(u"missing key "_s + k));
            const QJsonObject victim = e.value(u"victim"_s).toObject();
            QCOMPARE(victim.value(u"pid"_s).toInteger(), w.value(u"victim_pid"_s).toInteger());
            QCOMPARE(victim.value(u"comm"_s).toString(), w.value(u"victim_comm"_s).toString());
            QCOMPARE(e.value(u"constraint"_s).toString(), w.value(u"constraint"_s).toString());
            if (w.contains(u"limit_kb"_s) && !w.value(u"limit_kb"_s).isNull())
                QCOMPARE(e.value(u"limit_kb"_s).toInteger(), w.value(u"limit_kb"_s).toInteger());
            QCOMPARE(e.value(u"totalpages"_s).toInteger(), w.value(u"totalpages"_s).toInteger());
            const qint64 selected = w.contains(u"selected_pid"_s) ? w.value(u"selected_pid"_s).toInteger()
                                                                  : w.value(u"victim_pid"_s).toInteger();
            QCOMPARE(e.value(u"selected_pid"_s).toInteger(), selected);
            QCOMPARE(e.value(u"recomputed_selected_pid"_s).toInteger(), selected);
            QVERIFY(e.value(u"agrees"_s).toBool());
            const QJsonArray ranking = e.value(u"ranking"_s).toArray();
            const QJsonArray wantRanking = w.value(u"ranking"_s).toArray();
            QVERIFY(ranking.size() >= wantRanking.size());
            // Points in the same order; pids compared as sets within a run of equal points,
            // because the expected files list ties in table order and the JSON lists them in
            // the order the era's tie rule prefers (the winner first).
            QMultiMap<qint64, qint64> gotPids, wantPids;
            for (qsizetype j = 0; j < wantRanking.size(); ++j) {
                const qint64 points = wantRanking.at(j)[u"points"_s].toInteger();
                QCOMPARE(ranking.at(j)[u"points"_s].toInteger(), points);
                gotPids.insert(points, ranking.at(j)[u"pid"_s].toInteger());
                wantPids.insert(points, wantRanking.at(j)[u"pid"_s].toInteger());
            }
            for (const qint64 points : wantPids.uniqueKeys()) {
                QList<qint64> got = gotPids.values(points), expectedPids = wantPids.values(points);
                std::sort(got.begin(), got.end());
                std::sort(expectedPids.begin(), expectedPids.end());
                QCOMPARE(got, expectedPids);
            }
        }
    }

    void stdinIsAccepted()
    {
        QFile f(data(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Run r = runCli({u"analyze"_s, u"--json"_s, u"-"_s}, f.readAll());
        QCOMPARE(r.exitCode, 0);
        const QJsonArray events = QJsonDocument::fromJson(r.out).object().value(u"events"_s).toArray();
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(1)[u"victim"_s][u"pid"_s].toInteger(), 2378);
    }

    void textOutputNamesVictim()
    {
        const Run r = runCli({u"analyze"_s, data(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("killed python3 (pid 2378)"), r.out.constData());
    }

    void importTwiceAddsNothing()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        const QString log = data(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
        Run r = runCli({u"import"_s, u"--db"_s, db, log});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("3 OOM event(s) added"), r.out.constData());
        r = runCli({u"import"_s, u"--db"_s, db, log});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("already in the workspace"), r.out.constData());
        r = runCli({u"events"_s, u"--db"_s, db, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(u"events"_s).toArray().size(), 3);
    }

    // A bad file among good ones: the good ones are stored, the bad one is reported, exit != 0.
    void importBadFileKeepsWorkspace()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        const QString log = data(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
        Run r = runCli({u"import"_s, u"--db"_s, db, log, dir.filePath(u"missing.log"_s)});
        QVERIFY(r.exitCode != 0);
        QVERIFY(r.err.contains("missing.log"));
        r = runCli({u"events"_s, u"--db"_s, db, u"--json"_s});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(u"events"_s).toArray().size(), 3);
    }

    // A recording with its kernel log: samples, processes and the kill placed on their timeline.
    void importRecordingPlacesKill()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        const QString rec = data(u"recordings/checkout-leak/"_s);
        const QStringList args {u"import"_s,
                                u"--db"_s,
                                db,
                                u"--samples"_s,
                                rec + u"samples.csv"_s,
                                u"--procs"_s,
                                rec + u"procs.csv"_s,
                                u"--log"_s,
                                rec + u"kernel.log"_s};
        Run r = runCli(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("1130 sample(s) in 1 series, 0 bad row(s)"), r.out.constData());
        QVERIFY2(r.out.contains("1687 process row(s)"), r.out.constData());
        QVERIFY2(r.out.contains("1 event(s) placed"), r.out.constData());
        r = runCli(args);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.count("already in the workspace"), 3);
    }

    // A file without a timestamp column is refused with its name, and nothing is stored.
    void importBadRecordingFails()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        QFile bad(dir.filePath(u"bad.csv"_s));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("usage_bytes,limit_bytes\n1,2\n");
        bad.close();
        Run r = runCli({u"import"_s, u"--db"_s, db, u"--samples"_s, bad.fileName()});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("bad.csv") && r.err.contains("timestamp"), r.err.constData());
        r = runCli({u"import"_s, u"--db"_s, db, u"--boot-time"_s, u"yesterday"_s,
                    data(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s)});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--boot-time"), r.err.constData());
    }

    // analyze --samples on the real recording: the verdict truth.json states, the kill on the
    // timeline, and the victim predicted from the last process sample before it.
    void analyzeRecordingMatchesTruth()
    {
        const QString rec = data(u"recordings/checkout-leak/"_s);
        const QJsonObject truth = readJson(rec + u"truth.json"_s);
        const Run r = runCli({u"analyze"_s, u"--json"_s, u"--samples"_s, rec + u"samples.csv"_s, u"--procs"_s,
                              rec + u"procs.csv"_s, u"--log"_s, rec + u"kernel.log"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        const QJsonArray cgroups = root.value(u"cgroups"_s).toArray();
        QCOMPARE(cgroups.size(), 1);
        const QJsonObject c = cgroups.at(0).toObject();
        QCOMPARE(c.value(u"cgroup"_s).toString(), truth.value(u"memcg"_s).toString());
        QCOMPARE(c.value(u"verdict"_s).toString(), truth.value(u"cause"_s).toString());
        QVERIFY(c.value(u"recommended_limit_bytes"_s).isNull()); // never for a leak
        for (const QString &key : {u"confidence"_s, u"evidence"_s, u"time_to_limit_s"_s})
            QVERIFY2(c.contains(key), qPrintable(key));
        const QJsonArray kills = c.value(u"kill_events"_s).toArray();
        const QJsonArray truthKills = truth.value(u"kills"_s).toArray();
        QCOMPARE(kills.size(), truthKills.size());
        const qint64 victim = truthKills.at(0)[u"pid"_s].toInteger();
        QCOMPARE(kills.at(0)[u"victim"_s][u"pid"_s].toInteger(), victim);
        QCOMPARE(kills.at(0)[u"predicted_selected_pid"_s].toInteger(), victim);
        // The kill lies inside the recording.
        const qint64 killMs = kills.at(0)[u"time_ms"_s].toInteger();
        QVERIFY(killMs > c.value(u"from_ms"_s).toInteger() && killMs < c.value(u"to_ms"_s).toInteger());
        QVERIFY(c.value(u"predicted_ranking"_s).isObject());
    }

    // `oomscope-cli report` hands its arguments to the renderer and returns its exit code.
    void reportIsForwarded()
    {
#ifndef OOMSCOPE_HAVE_REPORT
        QSKIP("oomscope-report is built with the GUI (OOMSCOPE_BUILD_GUI=OFF here)");
#else
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        QCOMPARE(
            runCli({u"import"_s, u"--db"_s, db, data(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s)})
                .exitCode,
            0);
        const QString png = dir.filePath(u"r.png"_s);
        Run r = runCli({u"report"_s, u"--db"_s, db, u"--output"_s, png, u"--width"_s, u"800"_s, u"--height"_s,
                        u"600"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // The PNG's IHDR chunk says its size (no QtGui in this test, like the CLI itself).
        QFile file(png);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray head = file.read(24);
        QVERIFY(head.startsWith("\x89PNG\r\n\x1a\n"));
        const auto be32 = [&](int at) {
            return quint32(quint8(head[at])) << 24 | quint32(quint8(head[at + 1])) << 16
                | quint32(quint8(head[at + 2])) << 8 | quint32(quint8(head[at + 3]));
        };
        QCOMPARE(be32(16), 800u);
        // Without --event the latest incident is reported: /oomlab2's two kills, one page each.
        QCOMPARE(be32(20), 1200u);
        r = runCli({u"report"_s, u"--db"_s, db, u"--output"_s, dir.filePath(u"r.txt"_s)});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unsupported output type"));
#endif
    }

    // Stored samples go back out in the recording format and analyse like the original.
    void exportRoundTrips()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        const QString rec = data(u"recordings/checkout-leak/"_s);
        QCOMPARE(runCli({u"import"_s, u"--db"_s, db, u"--samples"_s, rec + u"samples.csv"_s, u"--procs"_s,
                         rec + u"procs.csv"_s})
                     .exitCode,
                 0);
        const QString samples = dir.filePath(u"out.csv"_s), procs = dir.filePath(u"procs.csv"_s);
        Run r = runCli({u"export"_s, u"--db"_s, db, u"--output"_s, samples, u"--procs"_s, procs});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("1130 sample(s) of 1 cgroup(s)"), r.out.constData());
        r = runCli({u"analyze"_s, u"--json"_s, u"--samples"_s, samples, u"--procs"_s, procs, u"--log"_s,
                    rec + u"kernel.log"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject c =
            QJsonDocument::fromJson(r.out).object().value(u"cgroups"_s).toArray().at(0).toObject();
        QCOMPARE(c.value(u"samples"_s).toInteger(), 1130);
        QCOMPARE(c.value(u"verdict"_s).toString(), u"leak"_s);
        QCOMPARE(c.value(u"kill_events"_s).toArray().at(0)[u"predicted_selected_pid"_s].toInteger(), 23026);
        r = runCli({u"export"_s, u"--db"_s, db, u"--output"_s, samples, u"--cgroup"_s, u"/nope"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("no samples match"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
