// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of importing into the SQLite workspace: every fixture, round trip, warnings, idempotence
// and all-or-nothing imports (cancel, read error). The workspace file itself (schema, default
// path, refusing files that are not workspaces): tst_workspacefile.
#include "eventrows.h"
#include "logsource.h"
#include "oomreportparser.h"
#include "samplestore.h"
#include "workspace.h"
#include "workspacefixture.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>
#include <zlib.h>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace workspacetest;

namespace {

QStringList fixtureLogs()
{
    QStringList out;
    for (const QString &sub : {u"eras"_s, u"real"_s}) {
        const QDir dir(dataDir() + u'/' + sub);
        const QStringList logs = dir.entryList({u"*.log"_s}, QDir::Files, QDir::Name);
        for (const QString &log : logs)
            out.append(dir.filePath(log));
    }
    return out;
}

// Every kernel log the project commits (tests/data, which holds ../shared/fixtures' logs too, and
// the bundled demo incident), whatever its format: dmesg, syslog, journal text, raw /dev/kmsg.
QStringList allKernelLogs()
{
    QStringList out;
    for (const QString &root : {dataDir(), QStringLiteral(OOMSCOPE_SOURCE_DIR "/resources/demo")}) {
        QDirIterator it(root, {u"*.log"_s, u"*.kmsg"_s, u"*.out"_s}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            out.append(it.next());
    }
    out.sort();
    return out;
}

ParseResult parseLog(const QString &path)
{
    OpenedLog log = openLog(path);
    return log.device ? OomReportParser().parse(*log.device) : ParseResult {};
}

// A logical dump of every table (sorted), so "unchanged" means the same content, whatever
// SQLite did with its pages and WAL.
struct Dump {
    QByteArray checksum;
    QMap<QString, qint64> rowCounts;
};

Dump dumpWorkspace(sqlite3 *db)
{
    Dump dump;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QStringList tables;
    {
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &s, nullptr);
        while (sqlite3_step(s) == SQLITE_ROW)
            tables.append(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(s, 0))));
        sqlite3_finalize(s);
    }
    for (const QString &table : std::as_const(tables)) {
        const QByteArray sql = "SELECT * FROM " + table.toUtf8() + " ORDER BY 1, 2";
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db, sql.constData(), -1, &s, nullptr) != SQLITE_OK)
            continue;
        qint64 rows = 0;
        hash.addData(table.toUtf8());
        while (sqlite3_step(s) == SQLITE_ROW) {
            ++rows;
            for (int c = 0; c < sqlite3_column_count(s); ++c) {
                const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(s, c));
                hash.addData(text ? QByteArrayView(text, sqlite3_column_bytes(s, c))
                                  : QByteArrayView("<null>"));
                hash.addData(QByteArrayView("\x1f"));
            }
        }
        sqlite3_finalize(s);
        dump.rowCounts.insert(table, rows);
    }
    dump.checksum = hash.result().toHex();
    return dump;
}

// A sequential device that serves the first bytes of its data and then fails, like a disk or
// network file system giving up mid-file.
class FailingDevice : public QIODevice
{
public:
    FailingDevice(QByteArray data, qint64 failAt)
        : m_data(std::move(data))
        , m_failAt(failAt)
    { }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override
    {
        return QIODevice::bytesAvailable() + (m_pos < m_failAt ? m_failAt - m_pos : 1);
    }
    bool atEnd() const override { return false; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_pos >= m_failAt) {
            setErrorString(u"simulated I/O error"_s);
            return -1;
        }
        const qint64 n = std::min(maxSize, m_failAt - m_pos);
        memcpy(data, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_failAt;
    qint64 m_pos = 0;
};

void compareKill(const KilledProcess &a, const KilledProcess &b)
{
    QCOMPARE(a.present, b.present);
    QCOMPARE(a.pid, b.pid);
    QCOMPARE(a.comm, b.comm);
    QCOMPARE(a.uid, b.uid);
    QCOMPARE(a.totalVmKb, b.totalVmKb);
    QCOMPARE(a.anonRssKb, b.anonRssKb);
    QCOMPARE(a.fileRssKb, b.fileRssKb);
    QCOMPARE(a.shmemRssKb, b.shmemRssKb);
    QCOMPARE(a.pgtablesKb, b.pgtablesKb);
    QCOMPARE(a.oomScoreAdj, b.oomScoreAdj);
    QCOMPARE(a.message, b.message);
    QCOMPARE(a.line, b.line);
}

void compareCounter(const CounterLine &a, const CounterLine &b)
{
    QCOMPARE(a.present, b.present);
    QCOMPARE(a.usageKb, b.usageKb);
    QCOMPARE(a.limitKb, b.limitKb);
    QCOMPARE(a.failcnt, b.failcnt);
}

// Field by field, so a failure names the field that did not survive storage.
void compareEvents(const OomEvent &stored, const OomEvent &parsed)
{
    QCOMPARE(stored.host, parsed.host);
    QCOMPARE(stored.uptimeSeconds, parsed.uptimeSeconds);
    QCOMPARE(stored.wallTime.has_value(), parsed.wallTime.has_value());
    if (parsed.wallTime) {
        QCOMPARE(*stored.wallTime, *parsed.wallTime);
        QCOMPARE(stored.wallTime->offsetFromUtc(), parsed.wallTime->offsetFromUtc());
    }
    QCOMPARE(stored.prefixStyle, parsed.prefixStyle);
    QCOMPARE(stored.firstLine, parsed.firstLine);
    QCOMPARE(stored.lastLine, parsed.lastLine);
    QCOMPARE(stored.triggerComm, parsed.triggerComm);
    QCOMPARE(stored.triggerPid, parsed.triggerPid);
    QCOMPARE(stored.gfpMask, parsed.gfpMask);
    QCOMPARE(stored.order, parsed.order);
    QCOMPARE(stored.triggerOomScoreAdj, parsed.triggerOomScoreAdj);
    QCOMPARE(stored.triggerUsesOldOomAdj, parsed.triggerUsesOldOomAdj);
    QCOMPARE(stored.kernelRelease, parsed.kernelRelease);
    QCOMPARE(stored.cpuset, parsed.cpuset);
    QCOMPARE(stored.memsAllowed, parsed.memsAllowed);
    QCOMPARE(stored.constraint, parsed.constraint);
    QCOMPARE(stored.oomMemcg, parsed.oomMemcg);
    QCOMPARE(stored.taskMemcg, parsed.taskMemcg);
    compareCounter(stored.memory, parsed.memory);
    compareCounter(stored.memsw, parsed.memsw);
    compareCounter(stored.kmem, parsed.kmem);
    compareCounter(stored.swap, parsed.swap);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(stored.memcgStats.size(), parsed.memcgStats.size());
    for (std::size_t i = 0; i < parsed.memcgStats.size(); ++i) {
        QCOMPARE(stored.memcgStats[i].first, parsed.memcgStats[i].first);
        QCOMPARE(stored.memcgStats[i].second, parsed.memcgStats[i].second);
    }
    QCOMPARE(stored.memcgStatsPath, parsed.memcgStatsPath);
    QCOMPARE(stored.ramPages, parsed.ramPages);
    QCOMPARE(stored.reservedPages, parsed.reservedPages);
    QCOMPARE(stored.managedKbSum, parsed.managedKbSum);
    QCOMPARE(stored.totalSwapKb, parsed.totalSwapKb);
    QCOMPARE(stored.freeSwapKb, parsed.freeSwapKb);
    QCOMPARE(stored.pageSizeBytes, parsed.pageSizeBytes);
    QCOMPARE(stored.layout, parsed.layout);
    QCOMPARE(stored.hasTasksStateLine, parsed.hasTasksStateLine);
    QCOMPARE(stored.tasks.size(), parsed.tasks.size());
    for (std::size_t i = 0; i < parsed.tasks.size(); ++i) {
        const OomTask &a = stored.tasks[i];
        const OomTask &b = parsed.tasks[i];
        QCOMPARE(a.pid, b.pid);
        QCOMPARE(a.uid, b.uid);
        QCOMPARE(a.tgid, b.tgid);
        QCOMPARE(a.totalVmPages, b.totalVmPages);
        QCOMPARE(a.rssPages, b.rssPages);
        QCOMPARE(a.rssAnonPages, b.rssAnonPages);
        QCOMPARE(a.rssFilePages, b.rssFilePages);
        QCOMPARE(a.rssShmemPages, b.rssShmemPages);
        QCOMPARE(a.nrPtes, b.nrPtes);
        QCOMPARE(a.nrPmds, b.nrPmds);
        QCOMPARE(a.pgtablesBytes, b.pgtablesBytes);
        QCOMPARE(a.swapEntsPages, b.swapEntsPages);
        QCOMPARE(a.oomScoreAdj, b.oomScoreAdj);
        QCOMPARE(a.comm, b.comm);
        QCOMPARE(a.line, b.line);
    }
    QCOMPARE(stored.selectedPid, parsed.selectedPid);
    QCOMPARE(stored.selectedComm, parsed.selectedComm);
    QCOMPARE(stored.selectedScore, parsed.selectedScore);
    QCOMPARE(stored.hasSummaryLine, parsed.hasSummaryLine);
    QCOMPARE(stored.summaryPid, parsed.summaryPid);
    QCOMPARE(stored.summaryUid, parsed.summaryUid);
    QCOMPARE(stored.summaryComm, parsed.summaryComm);
    compareKill(stored.victim, parsed.victim);
    QCOMPARE(stored.oomGroup, parsed.oomGroup);
    QCOMPARE(stored.oomGroupMemcg, parsed.oomGroupMemcg);
    QCOMPARE(stored.groupKilled.size(), parsed.groupKilled.size());
    for (std::size_t i = 0; i < parsed.groupKilled.size(); ++i) {
        compareKill(stored.groupKilled[i], parsed.groupKilled[i]);
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(stored.reapedPid, parsed.reapedPid);
    QCOMPARE(stored.complete, parsed.complete);
    QCOMPARE(stored.missing, parsed.missing);
    QCOMPARE(stored.rawLines.size(), parsed.rawLines.size());
    for (std::size_t i = 0; i < parsed.rawLines.size(); ++i) {
        QCOMPARE(stored.rawLines[i].line, parsed.rawLines[i].line);
        QCOMPARE(stored.rawLines[i].text, parsed.rawLines[i].text);
    }
    QCOMPARE(stored.kernelFormat(), parsed.kernelFormat());
}

// Kernel noise around copies of a real report, large enough for the parser to report progress
// several times ("every few MiB").
QByteArray bigLog(qint64 targetBytes, int reportCopies)
{
    const QByteArray report = readAll(dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
    QByteArray out;
    out.reserve(targetBytes + report.size() * reportCopies + 4096);
    QRandomGenerator rng(42);
    const qint64 gap = targetBytes / (reportCopies + 1);
    qint64 nextReport = gap;
    int copies = 0;
    double uptime = 200.0;
    while (out.size() < targetBytes || copies < reportCopies) {
        if (copies < reportCopies && out.size() >= nextReport) {
            out += report;
            ++copies;
            nextReport += gap;
            continue;
        }
        uptime += 0.001 * rng.bounded(1, 500);
        out += QByteArray("[") + QByteArray::number(uptime, 'f', 6).rightJustified(12, ' ') + "] EXT4-fs (sda"
            + QByteArray::number(rng.bounded(1, 9)) + "): mounted filesystem "
            + QByteArray::number(rng.generate64(), 16) + " r/w with ordered data mode. Quota mode: none.\n";
    }
    return out;
}

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importsFixtures_data();
    void importsFixtures();
    void roundTripsEvents_data();
    void roundTripsEvents();
    void readsWorkspaceOfSchema5();
    void refusesDamagedTaskTables();
    void storesWarnings();
    void reimportIsNoOp();
    void importReturnsItsEventIds();
    void cancelLeavesWorkspaceUnchanged();
    void readErrorLeavesWorkspaceUnchanged();
};

void TestWorkspace::importsFixtures_data()
{
    QTest::addColumn<QString>("logPath");
    for (const QString &log : fixtureLogs())
        QTest::newRow(qPrintable(QFileInfo(log).completeBaseName())) << log;
}

void TestWorkspace::importsFixtures()
{
    QFETCH(QString, logPath);
    QString expectedPath = logPath;
    expectedPath.replace(u".log"_s, u".expected.json"_s);
    const QJsonArray expected =
        QJsonDocument::fromJson(readAll(expectedPath)).object().value(u"events"_s).toArray();
    QVERIFY(!expected.isEmpty());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));

    const ImportResult result = ws.importLogFile(logPath);
    QVERIFY2(result.ok, qPrintable(result.error));
    QVERIFY(!result.alreadyImported);
    QCOMPARE(result.bytesRead, QFileInfo(logPath).size());
    QCOMPARE(result.eventsAdded, int(expected.size()));

    const std::vector<SourceInfo> sources = ws.sources();
    QCOMPARE(sources.size(), std::size_t(1));
    QCOMPARE(sources[0].id, result.sourceId);
    QCOMPARE(sources[0].name, QFileInfo(logPath).fileName());
    QCOMPARE(sources[0].bytes, QFileInfo(logPath).size());
    QCOMPARE(sources[0].contentHash.size(), 32); // 128 bits in hex
    QCOMPARE(sources[0].eventCount, int(expected.size()));
    QVERIFY(sources[0].importedAt.isValid());

    const std::vector<EventSummary> events = ws.events();
    QCOMPARE(events.size(), std::size_t(expected.size()));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const QJsonObject want = expected.at(i).toObject();
        const EventSummary &got = events[std::size_t(i)];
        QCOMPARE(got.sourceId, result.sourceId);
        QCOMPARE(got.victimPid, want.value(u"victim_pid"_s).toInteger());
        QCOMPARE(got.victimComm, want.value(u"victim_comm"_s).toString());
        QCOMPARE(got.constraint, want.value(u"constraint"_s).toString());
        QVERIFY(got.complete);
        if (want.value(u"constraint"_s).toString() == u"memcg") {
            QCOMPARE(got.oomMemcg, want.value(u"memcg"_s).toString());
            QCOMPARE(got.limitKb, want.value(u"limit_kb"_s).toInteger());
            QCOMPARE(got.usageKb, want.value(u"usage_kb"_s).toInteger());
        }
        // Computed by decideKill() at import time.
        QCOMPARE(got.totalPages, want.value(u"totalpages"_s).toInteger());
        QVERIFY(got.agrees);
    }
}

void TestWorkspace::roundTripsEvents_data()
{
    QTest::addColumn<QString>("logPath");
    const QStringList logs = allKernelLogs();
    QVERIFY(logs.size() >= 20);
    for (const QString &log : logs)
        QTest::newRow(qPrintable(QDir(QStringLiteral(OOMSCOPE_SOURCE_DIR)).relativeFilePath(log))) << log;
}

void TestWorkspace::roundTripsEvents()
{
    // What the workspace reads back is what the parser produced: every field, task and raw line.
    QFETCH(QString, logPath);
    const ParseResult parsed = parseLog(logPath);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));
    const ImportResult result = ws.importLogFile(logPath);
    QVERIFY2(result.ok, qPrintable(result.error));

    const std::vector<EventSummary> events = ws.events();
    QCOMPARE(events.size(), parsed.events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const std::optional<OomEvent> stored = ws.event(events[i].id);
        QVERIFY(stored.has_value());
        compareEvents(*stored, parsed.events[i]);
        if (QTest::currentTestFailed()) {
            qWarning("event %zu of %s differs", i, qPrintable(logPath));
            return;
        }
    }
    if (!events.empty())
        QVERIFY(!ws.event(events.back().id + 1000).has_value());
}

void TestWorkspace::readsWorkspaceOfSchema5()
{
    // A workspace an earlier oomscope wrote (a row per raw line) opens, migrates and reads back
    // every event as the parse of its log, raw lines included.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"old.sqlite"_s);
    const QByteArray dump = readAll(dataDir() + u"/workspaces/schema5-three-logs.sql"_s);
    QVERIFY(!dump.isEmpty());
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, dump.constData(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);

    Workspace ws;
    QVERIFY_OPENS(ws, path);
    QCOMPARE(ws.schemaVersion(), Workspace::latestSchemaVersion());
    QCOMPARE(dumpWorkspace(RawDb(path)).rowCounts.value(u"raw_lines"_s, -1), -1); // moved, then dropped

    const std::vector<SourceInfo> sources = ws.sources();
    QCOMPARE(sources.size(), std::size_t(3));
    std::size_t rawLines = 0;
    for (const SourceInfo &source : sources) {
        QDirIterator it(dataDir(), {source.name}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY2(it.hasNext(), qPrintable(source.name));
        const ParseResult parsed = parseLog(it.next());
        const std::vector<qint64> ids = ws.eventIds(source.id);
        QCOMPARE(ids.size(), parsed.events.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const std::optional<OomEvent> stored = ws.event(ids[i]);
            QVERIFY(stored.has_value());
            compareEvents(*stored, parsed.events[i]);
            if (QTest::currentTestFailed()) {
                qWarning("event %zu of %s differs", i, qPrintable(source.name));
                return;
            }
            rawLines += stored->rawLines.size();
        }
    }
    QCOMPARE(rawLines, std::size_t(382)); // the rows raw_lines held in the dump
}

void TestWorkspace::refusesDamagedTaskTables()
{
    // Every layout's optional columns (nr_ptes, pgtables_bytes, rss_anon…) in one table.
    std::vector<OomTask> tasks;
    for (const QString &log : fixtureLogs()) {
        for (const OomEvent &e : parseLog(log).events)
            tasks.insert(tasks.end(), e.tasks.begin(), e.tasks.end());
    }
    QVERIFY(tasks.size() > 100);
    QByteArray blob;
    QByteArray scratch;
    encodeTasks(tasks, blob, scratch);
    std::vector<OomTask> back;
    QVERIFY(decodeTasks(blob, back));
    QCOMPARE(back.size(), tasks.size());
    OomEvent a;
    OomEvent b;
    a.tasks = back;
    b.tasks = tasks;
    compareEvents(a, b);

    // A cut, lengthened or unknown blob is refused, never read past its end.
    for (qsizetype size = 0; size < blob.size(); size += 7) {
        std::vector<OomTask> part;
        QVERIFY(!decodeTasks(QByteArrayView(blob).first(size), part));
    }
    std::vector<OomTask> junk;
    QVERIFY(!decodeTasks(QByteArray(blob + "\x01"), junk));
    QByteArray future = blob;
    future[0] = char(kTaskTableFormat + 1);
    QVERIFY(!decodeTasks(future, junk));

    // Through the workspace: a damaged row makes its event unreadable, not wrongly ranked.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));
    const ImportResult result =
        ws.importLogFile(dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
    QVERIFY2(result.ok, qPrintable(result.error));
    const qint64 id = result.newEventIds.front();
    QVERIFY(ws.event(id).has_value());
    QCOMPARE(sqlite3_exec(RawDb(ws.path()), "UPDATE task_tables SET tasks = substr(tasks, 1, 20)", nullptr,
                          nullptr, nullptr),
             SQLITE_OK);
    QVERIFY(!ws.event(id).has_value());
}

void TestWorkspace::storesWarnings()
{
    // A report cut off mid-table, binary junk and an overlong line: the parser must warn.
    QByteArray log = readAll(dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
    static const char junk[] = "[  200.000000] junk \x01\x02\x00\xff\xfe binary\n";
    log += QByteArray(junk, sizeof(junk) - 1);
    log += "[  201.000000] " + QByteArray(100 * 1024, 'x') + '\n';
    const QByteArray eras = readAll(dataDir() + u"/eras/06-ubuntu24.04-6.8-global-rss_anon-tie.dmesg.log"_s);
    log += eras.left(eras.size() / 2);
    const ParseResult parsed = OomReportParser().parse(log);
    QVERIFY(!parsed.warnings.empty());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"warn.log"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(log);
    f.close();

    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));
    const ImportResult result = ws.importLogFile(path);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.warnings.size(), parsed.warnings.size());

    const std::vector<ParseWarning> stored = ws.warnings(result.sourceId);
    QCOMPARE(stored.size(), parsed.warnings.size());
    for (std::size_t i = 0; i < stored.size(); ++i) {
        QCOMPARE(stored[i].line, parsed.warnings[i].line);
        QCOMPARE(stored[i].kind, parsed.warnings[i].kind);
        QCOMPARE(stored[i].detail, parsed.warnings[i].detail);
    }
    QCOMPARE(ws.sources().at(0).warningCount, int(stored.size()));
    QVERIFY(ws.warnings(result.sourceId + 1).empty());
}

void TestWorkspace::reimportIsNoOp()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));

    const QString real = dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
    const QString era = dataDir() + u"/eras/02-al2-4.14-global-meminfo.dmesg.log"_s;
    const ImportResult first = ws.importLogFile(real);
    QVERIFY2(first.ok, qPrintable(first.error));
    const ImportResult second = ws.importLogFile(era);
    QVERIFY2(second.ok, qPrintable(second.error));
    QVERIFY(first.sourceId != second.sourceId);
    const Dump before = dumpWorkspace(RawDb(ws.path()));
    QCOMPARE(before.rowCounts.value(u"sources"_s), 2);

    const ImportResult again = ws.importLogFile(real);
    QVERIFY2(again.ok, qPrintable(again.error));
    QVERIFY(again.alreadyImported);
    QCOMPARE(again.sourceId, first.sourceId);
    QCOMPARE(again.eventsAdded, 0);

    // The same bytes under another name are the same source.
    const QString copy = dir.filePath(u"renamed-copy.txt"_s);
    QVERIFY(QFile::copy(real, copy));
    const ImportResult renamed = ws.importLogFile(copy);
    QVERIFY2(renamed.ok, qPrintable(renamed.error));
    QVERIFY(renamed.alreadyImported);
    QCOMPARE(renamed.sourceId, first.sourceId);

    // The hash is over the uncompressed bytes: a gzip of the same log is the same source.
    const QString gzipped = dir.filePath(u"archived.log.gz"_s);
    {
        const QByteArray bytes = readAll(real);
        gzFile gz = gzopen(QFile::encodeName(gzipped).constData(), "wb");
        QVERIFY(gz);
        QCOMPARE(gzwrite(gz, bytes.constData(), unsigned(bytes.size())), int(bytes.size()));
        QCOMPARE(gzclose(gz), Z_OK);
    }
    const ImportResult fromGzip = ws.importLogFile(gzipped);
    QVERIFY2(fromGzip.ok, qPrintable(fromGzip.error));
    QVERIFY(fromGzip.alreadyImported);
    QCOMPARE(fromGzip.sourceId, first.sourceId);

    const Dump after = dumpWorkspace(RawDb(ws.path()));
    QCOMPARE(after.rowCounts, before.rowCounts);
    QCOMPARE(after.checksum, before.checksum);

    // One byte more is a different source.
    QFile f(copy);
    QVERIFY(f.open(QIODevice::Append));
    f.write("\n");
    f.close();
    const ImportResult changed = ws.importLogFile(copy);
    QVERIFY2(changed.ok, qPrintable(changed.error));
    QVERIFY(!changed.alreadyImported);
    QCOMPARE(ws.sources().size(), std::size_t(3));
}

// An import names exactly the events it stored (so callers need not rescan the workspace), and
// a duplicate import names none.
void TestWorkspace::importReturnsItsEventIds()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));
    const QString era = dataDir() + u"/eras/02-al2-4.14-global-meminfo.dmesg.log"_s;
    const QString real = dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;

    const ImportResult first = ws.importLogFile(era);
    QVERIFY2(first.ok, qPrintable(first.error));
    const ImportResult second = ws.importLogFile(real);
    QVERIFY2(second.ok, qPrintable(second.error));
    QVERIFY(second.eventsAdded > 1);

    for (const ImportResult *r : {&first, &second}) {
        std::vector<qint64> stored;
        for (const EventSummary &e : ws.events()) {
            if (e.sourceId == r->sourceId)
                stored.push_back(e.id);
        }
        QCOMPARE(r->newEventIds, stored);
        QCOMPARE(int(r->newEventIds.size()), r->eventsAdded);
        QCOMPARE(ws.eventIds(r->sourceId), stored);
    }

    const ImportResult again = ws.importLogFile(real);
    QVERIFY2(again.ok, qPrintable(again.error));
    QVERIFY(again.alreadyImported);
    QVERIFY(again.newEventIds.empty());
    QCOMPARE(ws.eventIds(again.sourceId), second.newEventIds);
}

void TestWorkspace::cancelLeavesWorkspaceUnchanged()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString wsPath = dir.filePath(u"ws.sqlite"_s);
    const QString bigPath = dir.filePath(u"big.log"_s);
    {
        QFile f(bigPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bigLog(24 * 1024 * 1024, 3));
    }

    Workspace ws;
    QVERIFY_OPENS(ws, wsPath);
    const ImportResult seed =
        ws.importLogFile(dataDir() + u"/eras/04-ubuntu20.04-5.4-memcg-v1-docker.journal-short-precise.log"_s);
    QVERIFY2(seed.ok, qPrintable(seed.error));
    const Dump before = dumpWorkspace(RawDb(ws.path()));

    int calls = 0;
    const ImportResult canceled = ws.importLogFile(bigPath, [&](qint64) { return ++calls < 1; });
    QCOMPARE(calls, 1);
    QVERIFY(canceled.canceled);
    QVERIFY(!canceled.ok);
    QCOMPARE(canceled.eventsAdded, 0);
    const Dump afterCancel = dumpWorkspace(RawDb(ws.path()));
    QCOMPARE(afterCancel.rowCounts, before.rowCounts);
    QCOMPARE(afterCancel.checksum, before.checksum);

    // The same file imported to the end is reported in several steps and adds its reports, so
    // the cancel above really stopped a multi-step import.
    int fullCalls = 0;
    qint64 lastDone = 0;
    const ImportResult full = ws.importLogFile(bigPath, [&](qint64 done) {
        ++fullCalls;
        lastDone = done;
        return true;
    });
    QVERIFY2(full.ok, qPrintable(full.error));
    QVERIFY(fullCalls >= 2);
    QVERIFY(lastDone > 0);
    QCOMPARE(full.eventsAdded, 9);
    QCOMPARE(full.bytesRead, QFileInfo(bigPath).size());
}

void TestWorkspace::readErrorLeavesWorkspaceUnchanged()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws;
    QVERIFY_OPENS(ws, dir.filePath(u"ws.sqlite"_s));
    const ImportResult seed = ws.importLogFile(dataDir() + u"/eras/02-al2-4.14-global-meminfo.dmesg.log"_s);
    QVERIFY2(seed.ok, qPrintable(seed.error));
    const Dump before = dumpWorkspace(RawDb(ws.path()));

    // Fails after the first two reports have been handed over, mid-way through the third.
    const QByteArray real = readAll(dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
    const qint64 failAt = real.indexOf("[  117.034569]") + 2000;
    FailingDevice device(real, failAt);
    QVERIFY(device.open(QIODevice::ReadOnly));
    const ImportResult failed = ws.importLog(device, u"flaky.log"_s);
    QVERIFY(!failed.ok);
    QVERIFY(!failed.canceled);
    QVERIFY(!failed.error.isEmpty());
    QCOMPARE(failed.eventsAdded, 0);

    const Dump after = dumpWorkspace(RawDb(ws.path()));
    QCOMPARE(after.rowCounts, before.rowCounts);
    QCOMPARE(after.checksum, before.checksum);

    // The workspace still works afterwards.
    const ImportResult next =
        ws.importLogFile(dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s);
    QVERIFY2(next.ok, qPrintable(next.error));
    QCOMPARE(next.eventsAdded, 3);
}

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
