// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of the SQLite workspace file itself: creating and migrating the schema, the default path
// under XDG_DATA_HOME, recognising workspace files, and refusing garbage, other databases and a
// newer schema without touching them.
#include "oomreportparser.h"
#include "samplestore.h"
#include "workspace.h"
#include "workspacefixture.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace workspacetest;

namespace {

QByteArray fileChecksum(const QString &path)
{
    return QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256).toHex();
}

// In another process (POSIX locks are per process), tries to take the database out of WAL mode,
// which needs an exclusive lock on the database file: true when it could.
bool otherProcessTakesExclusiveLock(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    const pid_t child = fork();
    if (child == 0) {
        sqlite3 *db = nullptr;
        sqlite3_stmt *stmt = nullptr;
        bool changed = sqlite3_open_v2(native.constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK
            && sqlite3_prepare_v2(db, "PRAGMA journal_mode=DELETE", -1, &stmt, nullptr) == SQLITE_OK
            && sqlite3_step(stmt) == SQLITE_ROW
            && qstrcmp(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)), "delete") == 0;
        if (changed) // put it back so the parent's connection finds its own database again
            changed = sqlite3_finalize(stmt) == SQLITE_OK
                && sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) == SQLITE_OK;
        _exit(changed ? 0 : 1);
    }
    int status = 0;
    return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

class TestWorkspaceFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsAndMigrates();
    void defaultPathFollowsXdg();
    void refusesGarbageFile();
    void refusesOtherDatabases();
    void recognisesWorkspaceFiles();
    void recognisingTheOpenWorkspaceKeepsItsLocks();
    void refusesNewerSchema();
};

void TestWorkspaceFile::createsAndMigrates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"ws.sqlite"_s);
    {
        Workspace ws;
        QVERIFY_OPENS(ws, path);
        QVERIFY(ws.isOpen());
        QCOMPARE(ws.path(), path);
        QVERIFY(Workspace::latestSchemaVersion() >= 1);
        QCOMPARE(ws.schemaVersion(), Workspace::latestSchemaVersion());
        QVERIFY(ws.sources().empty());
        QVERIFY(ws.events().empty());

        sqlite3_stmt *s = nullptr;
        const RawDb raw(path);
        QCOMPARE(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
        QCOMPARE(sqlite3_step(s), SQLITE_ROW);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(s, 0))), "wal");
        sqlite3_finalize(s);
        // Foreign keys are enforced on the workspace's connection: a placement cannot point at a
        // missing event.
        SampleStore store(ws);
        const Result<qint64> series = store.ensureSeries(u"h"_s, u"/fk"_s);
        QVERIFY(series);
        QVERIFY(!store.setPlacement(999, *series, 0));
    }
    // The version is in the file, seen by an independent connection.
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr),
             SQLITE_OK);
    sqlite3_stmt *s = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(s), SQLITE_ROW);
    const int version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    int tables = 0;
    QCOMPARE(sqlite3_prepare_v2(db,
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                "('sources', 'events', 'task_tables', 'raw_reports', 'warnings')",
                                -1, &s, nullptr),
             SQLITE_OK);
    QCOMPARE(sqlite3_step(s), SQLITE_ROW);
    tables = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    QCOMPARE(version, Workspace::latestSchemaVersion());
    QCOMPARE(tables, 5);

    // Reopening an up-to-date workspace migrates nothing and works.
    Workspace again;
    QVERIFY_OPENS(again, path);
    QCOMPARE(again.schemaVersion(), Workspace::latestSchemaVersion());
}

void TestWorkspaceFile::defaultPathFollowsXdg()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray old = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(dir.path()));
    const QString path = Workspace::defaultPath();
    if (old.isNull())
        qunsetenv("XDG_DATA_HOME");
    else
        qputenv("XDG_DATA_HOME", old);
    QCOMPARE(path, dir.path() + u"/oomscope/workspace.sqlite"_s);
    QVERIFY(QFileInfo(dir.path() + u"/oomscope"_s).isDir());
}

void TestWorkspaceFile::refusesGarbageFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"notes.sqlite"_s);
    QByteArray garbage = "this is a shopping list, not a database\n";
    QRandomGenerator rng(7);
    for (int i = 0; i < 8192; ++i)
        garbage += char(rng.bounded(256));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(garbage);
    }
    const QByteArray checksum = fileChecksum(path);

    Workspace ws;
    QString error;
    error = openError(ws, path);
    QVERIFY(!error.isEmpty());
    QVERIFY(!error.isEmpty());
    QVERIFY(!ws.isOpen());
    QVERIFY(ws.events().empty());
    QVERIFY(!ws.importLogFile(dataDir() + u"/eras/02-al2-4.14-global-meminfo.dmesg.log"_s).ok);
    QCOMPARE(fileChecksum(path), checksum);
    QVERIFY(!QFile::exists(path + u"-wal"_s));
    QVERIFY(!QFile::exists(path + u"-journal"_s));

    // A file with SQLite's magic but a corrupt body is refused too, and left alone.
    const QString fake = dir.filePath(u"fake.sqlite"_s);
    {
        QFile f(fake);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("SQLite format 3\0", 16) + garbage);
    }
    const QByteArray fakeChecksum = fileChecksum(fake);
    error = openError(ws, fake);
    QVERIFY(!error.isEmpty());
    QVERIFY(!error.isEmpty());
    QCOMPARE(fileChecksum(fake), fakeChecksum);
}

void TestWorkspaceFile::refusesOtherDatabases()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"other.sqlite"_s);
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('a');",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);
    const QByteArray checksum = fileChecksum(path);

    Workspace ws;
    QString error;
    error = openError(ws, path);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(u"not an oomscope workspace"_s), qPrintable(error));
    QCOMPARE(fileChecksum(path), checksum);
    QVERIFY(!Workspace::isWorkspaceFile(path));
}

// A workspace is recognised by its header, whatever its name; logs and other databases are not.
void TestWorkspaceFile::recognisesWorkspaceFiles()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"incident.oomscope"_s);
    {
        Workspace ws;
        QVERIFY(ws.open(path));
    }
    QVERIFY(Workspace::isWorkspaceFile(path));
    QVERIFY(!Workspace::isWorkspaceFile(QStringLiteral(OOMSCOPE_TEST_DATA)
                                        + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s));
    QVERIFY(!Workspace::isWorkspaceFile(dir.filePath(u"missing.sqlite"_s)));
}

// Recognising a file (File › Open, an argument) must not touch the locks of the workspace this
// process has open: a plain open/close of the file would drop them all (POSIX lock semantics), and
// another process could then take the database out of WAL mode under the open connection. And a
// workspace still open has its header in the WAL, not yet in the file: only SQLite reads it right.
void TestWorkspaceFile::recognisingTheOpenWorkspaceKeepsItsLocks()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"ws.sqlite"_s);
    Workspace ws;
    QVERIFY_OPENS(ws, path);
    QVERIFY(!otherProcessTakesExclusiveLock(path)); // the open workspace holds its shared lock
    QVERIFY(Workspace::isWorkspaceFile(path));
    QVERIFY2(!otherProcessTakesExclusiveLock(path), "recognising the file dropped the workspace's locks");
}

void TestWorkspaceFile::refusesNewerSchema()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"future.sqlite"_s);
    {
        Workspace ws;
        QVERIFY_OPENS(ws, path);
        QVERIFY(ws.importLogFile(dataDir() + u"/eras/02-al2-4.14-global-meminfo.dmesg.log"_s).ok);
        const QByteArray bump =
            "PRAGMA user_version = " + QByteArray::number(Workspace::latestSchemaVersion() + 1);
        QCOMPARE(sqlite3_exec(RawDb(path), bump.constData(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
    QVERIFY(!QFile::exists(path + u"-wal"_s)); // checkpointed on close
    const QByteArray checksum = fileChecksum(path);

    Workspace ws;
    QString error;
    error = openError(ws, path);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(u"newer"_s), qPrintable(error));
    QVERIFY(!ws.isOpen());
    QCOMPARE(fileChecksum(path), checksum);
}

QTEST_GUILESS_MAIN(TestWorkspaceFile)
#include "tst_workspacefile.moc"
