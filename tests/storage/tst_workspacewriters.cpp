// SPDX-License-Identifier: GPL-3.0-or-later
// Many writers, one workspace: two `oomscope-cli import` processes and an in-process sample
// writer write one workspace at the same time while a reader reads it. Every writer waits for the
// lock instead of failing (and says so), every row arrives exactly once, and the reader only ever
// sees whole imports: every source with all of its events, every flush with all of its samples.
#include "rawdb.h"
#include "samplestore.h"
#include "workspace.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <map>
#include <thread>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

constexpr int kLogsPerProcess = 8;
constexpr int kEventsPerLog = 3; // the real fixture's three kills
constexpr int kFlushes = 60;
constexpr int kSamplesPerFlush = 50;

QString fixtureLog()
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
}

// Copies of the real log that differ in one trailing noise line, so each is a source of its own.
QStringList writeLogCopies(const QString &dir, const QString &tag, int count)
{
    QFile original(fixtureLog());
    if (!original.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = original.readAll();
    QStringList paths;
    for (int i = 0; i < count; ++i) {
        const QString path = dir + u"/%1-%2.log"_s.arg(tag).arg(i);
        QFile out(path);
        if (!out.open(QIODevice::WriteOnly))
            return {};
        out.write(text);
        out.write("[99999.000000] oomscope test copy " + tag.toUtf8() + ' ' + QByteArray::number(i) + '\n');
        paths << path;
    }
    return paths;
}

struct ReaderTally {
    std::atomic<int> reads = 0;
    std::atomic<int> partialImports = 0; // a source seen with fewer or more events than its log has
    std::atomic<int> partialFlushes = 0; // a sample count that is not whole flushes
    std::atomic<int> errors = 0;
};

void readWhileWriting(const QString &path, const std::atomic<bool> &stop, ReaderTally &tally)
{
    Workspace ws;
    if (!ws.open(path)) {
        ++tally.errors;
        return;
    }
    SampleStore store(ws);
    while (!stop.load()) {
        std::map<qint64, int> eventsOfSource;
        for (const EventSummary &e : ws.events())
            ++eventsOfSource[e.sourceId];
        for (const auto &[source, count] : eventsOfSource) {
            if (count != kEventsPerLog)
                ++tally.partialImports;
        }
        if (const std::optional<qint64> series = store.findSeries(u"writers-test"_s, u"/writers/live"_s)) {
            const auto samples = store.samples(*series, 0, std::numeric_limits<std::int64_t>::max());
            if (samples.size() % kSamplesPerFlush != 0)
                ++tally.partialFlushes;
        }
        ++tally.reads;
    }
}

// The live session's writer in-process: its own connection, one transaction per flush.
void writeSamples(const QString &path, std::atomic<int> &flushesStored, QString &error)
{
    Workspace ws;
    if (const Result<void> opened = ws.open(path); !opened) {
        error = opened.error().message;
        return;
    }
    SampleStore store(ws);
    const Result<qint64> series = store.ensureSeries(u"writers-test"_s, u"/writers/live"_s);
    if (!series) {
        error = series.error().message;
        return;
    }
    std::int64_t t = 1'700'000'000'000;
    for (int flush = 0; flush < kFlushes; ++flush) {
        std::vector<MemorySample> rows(kSamplesPerFlush);
        for (MemorySample &s : rows) {
            s.timestampMs = t;
            s.usageBytes = t % 1'000'000;
            t += 100;
        }
        const AppendResult r = store.append(*series, rows);
        if (!r.ok) {
            error = r.error;
            return;
        }
        ++flushesStored;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace

class TestWorkspaceWriters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void threeWritersAndAReader();
};

void TestWorkspaceWriters::threeWritersAndAReader()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"shared.sqlite"_s);
    const QStringList logsA = writeLogCopies(dir.path(), u"a"_s, kLogsPerProcess);
    const QStringList logsB = writeLogCopies(dir.path(), u"b"_s, kLogsPerProcess);
    QCOMPARE(logsA.size(), kLogsPerProcess);
    QCOMPARE(logsB.size(), kLogsPerProcess);
    {
        Workspace create; // the schema exists before anybody holds the lock
        const Result<void> created = create.open(path);
        QVERIFY2(created, created ? "" : qPrintable(created.error().message));
    }

    // Someone holds the write lock while the writers start: each of them must wait, not fail.
    RawDb holder(path);
    QCOMPARE(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    auto startImport = [&](QProcess &p, const QStringList &logs) {
        p.start(QStringLiteral(OOMSCOPE_CLI_PATH), QStringList {u"import"_s, u"--db"_s, path} + logs);
        return p.waitForStarted();
    };
    QProcess importA;
    QProcess importB;
    QVERIFY(startImport(importA, logsA));
    QVERIFY(startImport(importB, logsB));

    std::atomic<bool> stopReading = false;
    ReaderTally tally;
    std::thread reader(readWhileWriting, path, std::cref(stopReading), std::ref(tally));
    std::atomic<int> flushesStored = 0;
    QString writerError;
    std::thread writer(writeSamples, path, std::ref(flushesStored), std::ref(writerError));

    QTest::qWait(1500);
    const int flushesWhileLocked = flushesStored.load();
    QCOMPARE(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);

    QVERIFY(importA.waitForFinished(60000));
    QVERIFY(importB.waitForFinished(60000));
    writer.join();
    stopReading = true;
    reader.join();

    const QString errA = QString::fromUtf8(importA.readAllStandardError());
    const QString errB = QString::fromUtf8(importB.readAllStandardError());
    QVERIFY2(importA.exitCode() == 0, qPrintable(errA));
    QVERIFY2(importB.exitCode() == 0, qPrintable(errB));
    QVERIFY2(writerError.isEmpty(), qPrintable(writerError));
    // Nothing got through while the lock was held, and the processes said once that they waited.
    QCOMPARE(flushesWhileLocked, 0);
    QCOMPARE(errA.count(Workspace::lockWaitingMessage()), 1);
    QCOMPARE(errB.count(Workspace::lockWaitingMessage()), 1);

    QVERIFY(tally.reads.load() > 0);
    QCOMPARE(tally.errors.load(), 0);
    QCOMPARE(tally.partialImports.load(), 0);
    QCOMPARE(tally.partialFlushes.load(), 0);

    // Every row once: each log a source with its three events, every flush's samples.
    Workspace check;
    const Result<void> checkOpened = check.open(path);
    QVERIFY2(checkOpened, checkOpened ? "" : qPrintable(checkOpened.error().message));
    const std::vector<SourceInfo> sources = check.sources();
    QCOMPARE(int(sources.size()), 2 * kLogsPerProcess);
    QStringList names;
    for (const SourceInfo &s : sources) {
        QCOMPARE(s.eventCount, kEventsPerLog);
        names << s.name;
    }
    names.sort();
    names.removeDuplicates();
    QCOMPARE(int(names.size()), 2 * kLogsPerProcess);
    QCOMPARE(int(check.events().size()), 2 * kLogsPerProcess * kEventsPerLog);
    SampleStore store(check);
    const std::optional<qint64> series = store.findSeries(u"writers-test"_s, u"/writers/live"_s);
    QVERIFY(series);
    const auto samples = store.samples(*series, 0, std::numeric_limits<std::int64_t>::max());
    QCOMPARE(int(samples.size()), kFlushes * kSamplesPerFlush);
    for (size_t i = 1; i < samples.size(); ++i)
        QVERIFY(samples[i].timestampMs > samples[i - 1].timestampMs);

    RawDb raw(path);
    sqlite3_stmt *stmt = nullptr;
    QCOMPARE(sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0))), QByteArray("ok"));
    sqlite3_finalize(stmt);
}

QTEST_GUILESS_MAIN(TestWorkspaceWriters)
#include "tst_workspacewriters.moc"
