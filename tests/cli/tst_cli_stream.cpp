// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli analyze` streams: each event is printed as soon as its report ends (seen through
// a pipe whose writer is still open), and the JSON written piece by piece is the document the
// libraries give when it is built whole (eventToJson per event with its memory anatomy, sources, warnings).
#include "eventjson.h"
#include "killdecision.h"
#include "meminfoparser.h"
#include "oomreportparser.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

QString data(const QString &rel)
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u'/' + rel;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

QStringList fixtureLogs()
{
    QStringList logs;
    for (const QString &d : {u"eras"_s, u"real"_s}) {
        const QDir dir(data(d));
        for (const QString &name : dir.entryList({u"*.log"_s}, QDir::Files, QDir::Name))
            logs.append(dir.filePath(name));
    }
    return logs;
}

// The document as `analyze --json` built it in one piece before it streamed: every event of
// every file through eventToJson with its source, then the sources and the warnings.
QJsonObject wholeDocument(const QStringList &files)
{
    QJsonArray events, sources, warnings;
    for (const QString &file : files) {
        const QString name = QFileInfo(file).fileName();
        const ParseResult result = OomReportParser().parse(readAll(file));
        for (const OomEvent &e : result.events) {
            QJsonObject o = eventToJson(e, decideKill(e), parseMemInfo(e));
            o[u"source"_s] = name;
            events.append(o);
        }
        for (const ParseWarning &w : result.warnings) {
            QJsonObject o = warningToJson(w);
            o[u"source"_s] = name;
            warnings.append(o);
        }
        sources.append(QJsonObject {{u"name"_s, name},
                                    {u"bytes"_s, result.bytesRead},
                                    {u"lines"_s, result.linesRead},
                                    {u"events"_s, qint64(result.events.size())}});
    }
    return QJsonObject {{u"events"_s, events}, {u"sources"_s, sources}, {u"warnings"_s, warnings}};
}

// Lines that belong to no report; enough of them end the linger of a finished report.
QByteArray noise(int lines)
{
    QByteArray out;
    for (int i = 0; i < lines; ++i)
        out +=
            "[  200." + QByteArray::number(100000 + i) + "] EXT4-fs (vda1): re-mounted. Quota mode: none.\n";
    return out;
}

} // namespace

class TestCliStream : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void streamedJsonEqualsWholeDocument_data()
    {
        QTest::addColumn<QStringList>("files");
        const QStringList logs = fixtureLogs();
        QVERIFY(logs.size() >= 8);
        for (const QString &log : logs)
            QTest::newRow(qPrintable(QFileInfo(log).fileName())) << QStringList {log};
        QTest::newRow("all fixtures at once") << logs;
    }

    void streamedJsonEqualsWholeDocument()
    {
        QFETCH(QStringList, files);
        QProcess p;
        p.start(QStringLiteral(OOMSCOPE_CLI_PATH), QStringList {u"analyze"_s, u"--json"_s} + files);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(p.readAllStandardOutput(), &perr);
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        const QJsonObject got = doc.object();
        const QJsonObject want = wholeDocument(files);
        QVERIFY(!want.value(u"events"_s).toArray().isEmpty());
        for (const QString &key : {u"events"_s, u"sources"_s, u"warnings"_s}) {
            QVERIFY2(got.value(key).isArray(), qPrintable(key));
            QCOMPARE(got.value(key).toArray(), want.value(key).toArray());
        }
        QCOMPARE(got.value(u"oomscope_json_version"_s).toInt(), 2);
        QVERIFY(got.value(u"deaths"_s).isArray()); // the join, printed after the events
    }

    // The first event reaches the reader while the writer of the log has not closed it: output
    // is produced incrementally, not once the input has ended.
    void firstEventArrivesBeforeInputEnds_data()
    {
        QTest::addColumn<bool>("json");
        QTest::addColumn<QByteArray>("marker");
        QTest::newRow("json") << true << QByteArray("\"victim\": {");
        QTest::newRow("text") << false << QByteArray("killed java (pid 3301)");
    }

    void firstEventArrivesBeforeInputEnds()
    {
        QFETCH(bool, json);
        QFETCH(QByteArray, marker);
        // One memcg report (5.10, /dev/kmsg) and then ordinary lines past the report's linger.
        const QByteArray report = readAll(data(u"eras/10-debian11-5.10-memcg-v2-service.kmsg.log"_s));
        QProcess p;
        QStringList args {u"analyze"_s, u"-"_s};
        if (json)
            args.insert(1, u"--json"_s);
        p.start(QStringLiteral(OOMSCOPE_CLI_PATH), args);
        QVERIFY(p.waitForStarted());
        p.write(report + noise(2500));
        QByteArray seen;
        const QDeadlineTimer deadline(30000);
        while (!seen.contains(marker) && !deadline.hasExpired() && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            seen += p.readAllStandardOutput();
        }
        QVERIFY2(p.state() == QProcess::Running, "the CLI ended before its input did");
        QVERIFY2(seen.contains(marker), seen.constData());
        // The writer is still open; now end the input and check the whole output.
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        seen += p.readAllStandardOutput();
        if (json) {
            const QJsonObject root = QJsonDocument::fromJson(seen).object();
            QCOMPARE(root.value(u"events"_s).toArray().size(), 1);
            QCOMPARE(root.value(u"sources"_s)[0][u"events"_s].toInteger(), 1);
        } else {
            QCOMPARE(seen.count(marker), 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestCliStream)
#include "tst_cli_stream.moc"
