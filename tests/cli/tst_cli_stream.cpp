// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli analyze` streams: each event is printed as soon as its report ends (seen through
// a pipe whose writer is still open), and the JSON written piece by piece is the document the
// libraries give when it is built whole (eventToJson per event with its memory anatomy, sources,
// warnings), compared as parsed values over every committed kernel log (and ../shared/fixtures
// when present). Text no ASCII-only fixture has — control characters, quotes, backslashes,
// non-ASCII, bytes that are not UTF-8 — comes out as JSON that reads back equal.
#include "eventjson.h"
#include "killdecision.h"
#include "meminfoparser.h"
#include "memoryanatomy.h"
#include "oomreportparser.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

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

// Every kernel log committed under tests/data (any era, prefix style and killer), and those of
// ../shared/fixtures beside the checkout when it is there (the committed copies are the same
// bytes; the shared ones are read as well so a fixture added there is covered at once).
QStringList fixtureLogs()
{
    QStringList logs;
    const QStringList roots {QStringLiteral(OOMSCOPE_TEST_DATA),
                             QStringLiteral(OOMSCOPE_SOURCE_DIR) + u"/../shared/fixtures"_s};
    for (const QString &root : roots) {
        QStringList found;
        QDirIterator it(root, {u"*.log"_s, u"*.kmsg"_s, u"*.out"_s}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            found.append(it.next());
        found.sort();
        logs += found;
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
        QVERIFY(logs.size() >= 20);
        for (const QString &log : logs)
            QTest::newRow(qPrintable(QDir(QStringLiteral(OOMSCOPE_SOURCE_DIR)).relativeFilePath(log)))
                << QStringList {log};
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
        if (files.size() > 1)
            QVERIFY(want.value(u"events"_s).toArray().size() >= 30);
        for (const QString &key : {u"events"_s, u"sources"_s, u"warnings"_s}) {
            QVERIFY2(got.value(key).isArray(), qPrintable(key));
            QCOMPARE(got.value(key).toArray(), want.value(key).toArray());
        }
        QCOMPARE(got.value(u"oomscope_json_version"_s).toInt(), 2);
        QVERIFY(got.value(u"deaths"_s).isArray()); // the join, printed after the events
    }

    // A task name the kernel printed with a tab, a quote, a backslash, an é, a control byte (the
    // parser drops it) and a byte that is no UTF-8 (comm is any 16 bytes): the document stays
    // valid JSON and reads back as the parser decoded it, in the stream, in eventToJson() and in the deaths
    // table; the doubles (uptime, shares) read back to the same value.
    void awkwardTextReadsBackEqual()
    {
        const QByteArray comm = "we\"i\\rd\t\xc3\xa9\x01\xff";
        QByteArray log = readAll(data(u"eras/06-ubuntu24.04-6.8-global-rss_anon-tie.dmesg.log"_s));
        QVERIFY(log.count("stress-ng-vm") >= 4); // invoked, task row, oom-kill and kill lines
        log.replace("stress-ng-vm", comm);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"awkward.log"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(log);
        f.close();

        const ParseResult parsed = OomReportParser().parse(log);
        QCOMPARE(parsed.events.size(), std::size_t(1));
        const OomEvent &e = parsed.events.front();
        const QString decoded = e.victim.comm;
        for (const QString &part : {u"\""_s, u"\\"_s, u"\t"_s, u"\u00e9"_s, u"\ufffd"_s})
            QVERIFY2(decoded.contains(part), qPrintable(part)); // the parser kept them all

        QProcess p;
        p.start(QStringLiteral(OOMSCOPE_CLI_PATH), {u"analyze"_s, u"--json"_s, path});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QJsonParseError perr;
        const QJsonObject root = QJsonDocument::fromJson(p.readAllStandardOutput(), &perr).object();
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        const QJsonObject event = root.value(u"events"_s)[0].toObject();
        QCOMPARE(event.value(u"victim"_s)[u"comm"_s].toString(), decoded);
        QCOMPARE(event.value(u"trigger"_s)[u"comm"_s].toString(), e.triggerComm);
        QVERIFY(e.triggerComm.contains(u'\t'));
        bool ranked = false;
        for (const QJsonValue row : event.value(u"ranking"_s).toArray())
            ranked = ranked || row[u"comm"_s].toString() == decoded;
        QVERIFY(ranked);
        QCOMPARE(root.value(u"deaths"_s)[0][u"comm"_s].toString(), decoded);

        // The in-memory form reads back the same, and so do the doubles.
        const MemInfoSnapshot snapshot = parseMemInfo(e);
        QJsonObject whole = eventToJson(e, decideKill(e), snapshot);
        whole[u"source"_s] = u"awkward.log"_s;
        QCOMPARE(event, whole);
        QVERIFY(e.uptimeSeconds);
        QCOMPARE(event.value(u"uptime_s"_s).toDouble(), *e.uptimeSeconds);
        const std::vector<AccountingCategory> &categories = analyseMemory(e, snapshot).accounting.categories;
        const QJsonArray shares = event.value(u"accounting"_s)[u"categories"_s].toArray();
        QCOMPARE(shares.size(), qsizetype(categories.size()));
        QVERIFY(!categories.empty());
        for (qsizetype i = 0; i < shares.size(); ++i)
            QCOMPARE(shares[i][u"share"_s].toDouble(),
                     std::round(categories[size_t(i)].share * 10000.0) / 10000.0);
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
