// SPDX-License-Identifier: GPL-3.0-or-later
// The journal as SREs save it, read as the parser's text: a real journal file written by
// systemd-journal-remote from an export stream (a real kernel OOM log and real unit lines), read
// through sd-journal as a file and as a copied machine-id directory, and the same journal as
// `journalctl -o json` and `-o export` print it — all four must give the same text, the kernel
// reports and the killers' lines in it.

#include "journalinput.h"
#include "killerlines.h"
#include "logsource.h"
#include "oomreportparser.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

QByteArray readData(const QString &relative)
{
    QFile f(QStringLiteral(OOMSCOPE_TEST_DATA) + u'/' + relative);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(relative));
    return f.readAll();
}

constexpr qint64 kBootUsec = 1764670000000000; // the journal's wall clock at the log's uptime 0

void textField(QByteArray &out, const char *key, const QByteArray &value)
{
    out += key;
    out += '=';
    out += value;
    out += '\n';
}

// MESSAGE with a newline must be a binary field: KEY '\n' <le64 size> <data> '\n'.
void binaryField(QByteArray &out, const char *key, const QByteArray &value)
{
    out += key;
    out += '\n';
    quint64 size = quint64(value.size());
    for (int i = 0; i < 8; ++i, size >>= 8)
        out += char(size & 0xff);
    out += value;
    out += '\n';
}

void entry(QByteArray &out, qint64 usec, const QByteArray &ident, std::optional<int> pid,
           const QByteArray &message)
{
    static int seq = 0;
    textField(out, "__REALTIME_TIMESTAMP", QByteArray::number(usec));
    textField(out, "__MONOTONIC_TIMESTAMP", QByteArray::number(++seq * 1000));
    textField(out, "_BOOT_ID", "0123456789abcdef0123456789abcdef");
    textField(out, "_HOSTNAME", "node-a");
    textField(out, "_TRANSPORT", ident == "kernel" ? "kernel" : "syslog");
    textField(out, "SYSLOG_IDENTIFIER", ident);
    if (pid)
        textField(out, "_PID", QByteArray::number(*pid));
    if (message.contains('\n'))
        binaryField(out, "MESSAGE", message);
    else
        textField(out, "MESSAGE", message);
    out += '\n';
}

// The kernel log's lines as kernel entries (uptime → wall clock), then real unit lines.
QByteArray exportStream()
{
    QByteArray out;
    for (const QByteArray &line :
         readData(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s).split('\n')) {
        const qsizetype close = line.indexOf("] ");
        if (!line.startsWith('[') || close < 0)
            continue;
        const double secs = line.mid(1, close - 1).trimmed().toDouble();
        entry(out, kBootUsec + qint64(secs * 1e6), "kernel", std::nullopt, line.mid(close + 2));
    }
    const qint64 later = kBootUsec + 600 * qint64(1000000);
    entry(out, later, "earlyoom", 1233, "low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%");
    entry(out, later + 1000, "earlyoom", 1233,
          "sending SIGTERM to process 29410 uid 1000 \"cluster\": badness 1264, VmRSS 23964 MiB");
    entry(out, later + 2000, "systemd-oomd", 840,
          "Killed /system.slice/httpd.service due to memory pressure for /system.slice being 51.07% > 50.00% "
          "for > "
          "20s with reclaim activity");
    entry(out, later + 3000, "demo", 7, "first line\nsecond line");
    return out;
}

QByteArray readAllText(const QString &path)
{
    OpenedLog log = openLog(path);
    if (!log.device)
        qWarning("%s", qPrintable(log.error));
    return log.device ? log.device->readAll() : QByteArray();
}

} // namespace

class TestJournalInput : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_journalDir;
    QString m_journalFile;
    QString m_exportFile;

    QByteArray run(const QString &program, const QStringList &args, const QByteArray &input = {})
    {
        QProcess p;
        p.start(program, args);
        if (!p.waitForStarted())
            return {};
        p.write(input);
        p.closeWriteChannel();
        p.waitForFinished(30000);
        return p.readAllStandardOutput();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString remote = u"/lib/systemd/systemd-journal-remote"_s;
        QVERIFY2(QFile::exists(remote), "systemd-journal-remote is missing (installers/install-deps.sh)");
        QVERIFY2(!QStandardPaths::findExecutable(u"journalctl"_s).isEmpty(), "journalctl is missing");
        m_exportFile = m_dir.filePath(u"made.export"_s);
        QFile e(m_exportFile);
        QVERIFY(e.open(QIODevice::WriteOnly));
        e.write(exportStream());
        e.close();
        // As SREs copy it: /var/log/journal/<machine-id>/system.journal
        m_journalDir = m_dir.filePath(u"0123456789abcdef0123456789abcdef"_s);
        QVERIFY(QDir().mkpath(m_journalDir));
        m_journalFile = m_journalDir + u"/system.journal"_s;
        run(remote, {u"--output="_s + m_journalFile, m_exportFile});
        QVERIFY2(QFile::exists(m_journalFile), "systemd-journal-remote wrote no journal");
    }

    void detectsByContent()
    {
        QCOMPARE(detectLogContent(readData(u"real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s).left(4096)),
                 LogContent::Text);
        QCOMPARE(detectLogContent(exportStream().left(4096)), LogContent::JournalExport);
        QFile f(m_journalFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(detectLogContent(f.read(8)), LogContent::JournalFile);
        QVERIFY(isJournalDirectory(m_journalDir));
        QVERIFY(!isJournalDirectory(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/deaths"_s));
    }

    void everyFormGivesTheSameText()
    {
        const QByteArray fromFile = readAllText(m_journalFile);
        QVERIFY(!fromFile.isEmpty());
        QCOMPARE(readAllText(m_journalDir), fromFile);
        QCOMPARE(readAllText(m_exportFile), fromFile);
        const QString json = m_dir.filePath(u"journal.json"_s);
        const QString exported = m_dir.filePath(u"journal.export"_s);
        QFile j(json), x(exported);
        QVERIFY(j.open(QIODevice::WriteOnly) && x.open(QIODevice::WriteOnly));
        j.write(run(u"journalctl"_s, {u"--file"_s, m_journalFile, u"-o"_s, u"json"_s}));
        x.write(run(u"journalctl"_s, {u"--file"_s, m_journalFile, u"-o"_s, u"export"_s}));
        j.close();
        x.close();
        QCOMPARE(readAllText(json), fromFile);
        QCOMPARE(readAllText(exported), fromFile);
        QVERIFY(fromFile.contains("2025-12-02T10:16:40.000000+00:00 node-a earlyoom[1233]: low memory!"));
        QVERIFY(
            fromFile.contains("node-a demo[7]: first line\n2025-12-02T10:16:40.003000+00:00 node-a demo[7]: "
                              "second line\n"));
    }

    void kernelReportsAndKillersFromTheJournal()
    {
        OpenedLog log = openLog(m_journalFile);
        QVERIFY(log.device);
        KillerLineScanner scanner;
        ParseSinks sinks;
        sinks.onBlock = [&](const char *d, qsizetype n) {
            scanner.feed(d, n);
        };
        const ParseResult r = OomReportParser().parse(*log.device, {}, sinks);
        QCOMPARE(r.events.size(), std::size_t(3)); // as in the dmesg file the journal was made from
        for (const OomEvent &e : r.events) {
            QCOMPARE(e.host, u"node-a"_s);
            QVERIFY(e.wallTime.has_value());
            QVERIFY(e.complete);
        }
        const KillerLineScan s = scanner.finish();
        QCOMPARE(s.lines.size(), std::size_t(3));
        QCOMPARE(s.lines[1].kind, KillerLine::Kind::EarlyoomKill);
        QCOMPARE(s.lines[2].kind, KillerLine::Kind::OomdKill);
        QCOMPARE(s.lines[2].host, u"node-a"_s);
    }

    void brokenExportStopsWithAnError()
    {
        // Cut inside the binary MESSAGE of the last entry: the text before it is delivered, then
        // the parser reports the read error.
        QByteArray stream = exportStream();
        stream.chop(15);
        QBuffer buffer(&stream);
        buffer.open(QIODevice::ReadOnly);
        JournalExportReader reader(buffer);
        int entries = 0;
        while (reader.next())
            ++entries;
        QVERIFY(entries > 500);
        QVERIFY2(reader.error().contains(u"ends inside field MESSAGE"_s), qPrintable(reader.error()));
    }

    void jsonLines()
    {
        const std::optional<JournalEntry> e = parseJournalJsonLine(
            R"({"MESSAGE":[104,105,255],"_HOSTNAME":"h","__REALTIME_TIMESTAMP":"5","_TRANSPORT":"kernel"})");
        QVERIFY(e);
        QCOMPARE(e->message, QByteArray("hi\xff"));
        QVERIFY(e->kernel);
        QCOMPARE(journalEntryAsText(*e), QByteArray("1970-01-01T00:00:00.000005+00:00 h kernel: hi\xff\n"));
        QVERIFY(!parseJournalJsonLine("not json"));
        QVERIFY(!parseJournalJsonLine(R"({"_HOSTNAME":"h"})"));
    }
};

QTEST_GUILESS_MAIN(TestJournalInput)
#include "tst_journalinput.moc"
