// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-cli as a script drives it: `analyze --json` takes kernel logs, other killers' logs, a
// journal and pod JSON together (recognised by content) and prints `deaths` (JSON version 2);
// `import` stores them, and importing pod JSON later names the deaths stored before.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

using namespace Qt::StringLiterals;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// fileSizeLimit: the child may write no regular file past it (RLIMIT_FSIZE; the write fails with
// EFBIG instead of the process being killed), as a full $TMPDIR would make it fail.
Run runCli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
           rlim_t fileSizeLimit = RLIM_INFINITY)
{
    QProcess p;
    p.setProcessEnvironment(env);
    if (fileSizeLimit != RLIM_INFINITY)
        p.setChildProcessModifier([fileSizeLimit] {
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit {fileSizeLimit, fileSizeLimit};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
    p.start(QStringLiteral(OOMSCOPE_CLI_PATH), args);
    if (!p.waitForFinished(60000))
        qFatal("oomscope-cli did not finish");
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QString data(const QString &name)
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u"/deaths/"_s + name;
}

QJsonObject deathOf(const QJsonArray &deaths, const QString &killer, const QString &container)
{
    for (const QJsonValue &v : deaths) {
        const QJsonObject o = v.toObject();
        if (o.value(u"killer"_s).toString() == killer
            && (container.isEmpty() || o.value(u"container"_s).toString() == container
                || o.value(u"pod"_s).toString() == container))
            return o;
    }
    return {};
}

} // namespace

class TestCliDeaths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A container killed again and again (the kills of one log repeated 800 times: 1,600 kills,
    // past the thousand held in memory) with its pod JSON: the table streams through temporary
    // files and is still joined as one — the termination on the first kill only, the running
    // container's note on every kill of it. A temporary directory that cannot be written is exit
    // 4 naming it, the JSON document still closed.
    void manyKillsStreamThroughTemporaryFiles()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QFile in(data(u"cgroupfs-kills.kmsg"_s));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray once = in.readAll();
        const QString log = tmp.filePath(u"crashloop.kmsg"_s);
        QFile out(log);
        QVERIFY(out.open(QIODevice::WriteOnly));
        for (int i = 0; i < 800; ++i)
            out.write(once);
        out.close();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"TMPDIR"_s, tmp.path());
        const QStringList args {u"analyze"_s, u"--json"_s, log, data(u"cgroupfs-pod.json"_s)};
        const Run r = runCli(args, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray deaths = QJsonDocument::fromJson(r.out).object().value(u"deaths"_s).toArray();
        QCOMPARE(deaths.size(), 2 * 800 + 1); // each kill, and the probe's SIGKILL
        int terminated = 0, running = 0;
        for (const QJsonValue &v : deaths) {
            const QJsonObject d = v.toObject();
            terminated += d.value(u"exit_code"_s).toInt() == 137 && d.value(u"killer"_s) == u"kernel_memcg"_s;
            running += d.value(u"container"_s) == u"worker"_s
                && d.value(u"notes"_s).toArray().first().toString().contains(u"still running"_s);
        }
        QCOMPARE(terminated, 1);
        QCOMPARE(running, 800);
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), QStringList {u"crashloop.kmsg"_s}); // none left

        const QString missing = tmp.filePath(u"gone"_s);
        env.insert(u"TMPDIR"_s, missing);
        const Run failed = runCli(args, env);
        QCOMPARE(failed.exitCode, 4);
        QVERIFY2(failed.err.contains(missing.toUtf8()), failed.err.constData());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(failed.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(doc.object().value(u"events"_s).toArray().size(), 2 * 800);

        // The temporary file cannot grow (a full disk): exit 4 naming the directory and the cause.
        env.insert(u"TMPDIR"_s, tmp.path());
        const Run full = runCli(args, env, 64 * 1024);
        QCOMPARE(full.exitCode, 4);
        QVERIFY2(full.err.contains(tmp.path().toUtf8()) && full.err.contains("File too large"),
                 full.err.constData());
        QVERIFY(QJsonDocument::fromJson(full.out).isObject());
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files), QStringList {u"crashloop.kmsg"_s});
    }

    void analyzeJsonPrintsDeaths()
    {
        const Run r = runCli({u"analyze"_s, u"--json"_s, data(u"systemd-kills.kmsg"_s),
                              data(u"systemd-pod.json"_s), data(u"kubelet-eviction.log"_s),
                              data(u"evicted-pod.json"_s), data(u"public-killer-lines.log"_s)});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(root.value(u"oomscope_json_version"_s).toInt(), 2);
        QCOMPARE(root.value(u"events"_s).toArray().size(), 2);
        const QJsonArray deaths = root.value(u"deaths"_s).toArray();
        for (const QJsonValue &v : deaths) {
            const QJsonObject d = v.toObject();
            for (const char *key :
                 {"time", "killer", "node", "namespace", "pod", "container", "cgroup", "pid", "comm",
                  "exit_code", "confidence", "evidence", "event_id", "notes"})
                QVERIFY2(d.contains(QLatin1StringView(key)), key);
        }
        const QJsonObject render = deathOf(deaths, u"kernel_memcg"_s, u"render"_s);
        QCOMPARE(render.value(u"namespace"_s).toString(), u"media"_s);
        QCOMPARE(render.value(u"event_id"_s).toInt(), 1);
        QCOMPARE(render.value(u"exit_code"_s).toInt(), 137);
        const QJsonObject first = render.value(u"evidence"_s).toArray().first().toObject();
        QCOMPARE(first.value(u"source"_s).toString(), u"systemd-kills.kmsg"_s);
        QVERIFY(first.value(u"line"_s).toInt() > 0);
        QVERIFY(!deathOf(deaths, u"sigkill_other"_s, u"probe"_s).isEmpty());
        QVERIFY(!deathOf(deaths, u"kubelet_eviction"_s, u"report-5d9f"_s).isEmpty());
        QVERIFY(!deathOf(deaths, u"systemd_oomd"_s, {}).isEmpty());
        QVERIFY(!deathOf(deaths, u"earlyoom"_s, {}).isEmpty());
        QVERIFY(!deathOf(deaths, u"runtime_oom"_s, {}).isEmpty()); // containerd TaskOOM, dockerd oom
    }

    void importStoresDeathsAndNamesThemLater()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"w.sqlite"_s);
        Run r = runCli({u"import"_s, u"--db"_s, db, data(u"cgroupfs-kills.kmsg"_s)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("2 death(s) added, 0 updated"), r.out.constData());
        r = runCli(
            {u"import"_s, u"--db"_s, db, data(u"cgroupfs-kills.kmsg"_s), data(u"cgroupfs-pod.json"_s)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("1 death(s) added, 2 updated"), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliDeaths)
#include "tst_cli_deaths.moc"
