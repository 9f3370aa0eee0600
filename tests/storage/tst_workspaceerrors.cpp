// SPDX-License-Identifier: GPL-3.0-or-later
// Errors as they are: a full disk, a read-only file system, file or folder, a workspace deleted
// while open and one written by a newer oomscope each give a message naming the cause and the CLI
// exit code of that cause, and leave the workspace as it was (integrity_check, row counts).
// The small file systems are tmpfs mounts in this process's own mount namespace, made in main()
// before any thread exists; they vanish with the process on every exit path.
#include "rawdb.h"
#include "workspace.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

QString g_namespaceError; // why the private mount namespace could not be made (empty: it was)

bool writeFile(const char *path, const QByteArray &text)
{
    const int fd = ::open(path, O_WRONLY);
    const bool ok = fd >= 0 && ::write(fd, text.constData(), size_t(text.size())) == text.size();
    if (fd >= 0)
        ::close(fd);
    return ok;
}

// A mount namespace of our own (with a user namespace when not root), mounts private to it.
QString enterPrivateMountNamespace()
{
    if (::geteuid() != 0) {
        const uid_t uid = ::geteuid();
        const gid_t gid = ::getegid();
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return u"unshare(CLONE_NEWUSER|CLONE_NEWNS): %1"_s.arg(QString::fromLocal8Bit(strerror(errno)));
        if (!writeFile("/proc/self/setgroups", "deny")
            || !writeFile("/proc/self/uid_map", "0 " + QByteArray::number(uid) + " 1")
            || !writeFile("/proc/self/gid_map", "0 " + QByteArray::number(gid) + " 1"))
            return u"cannot map the user namespace"_s;
    } else if (::unshare(CLONE_NEWNS) != 0) {
        return u"unshare(CLONE_NEWNS): %1"_s.arg(QString::fromLocal8Bit(strerror(errno)));
    }
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return u"making / private: %1"_s.arg(QString::fromLocal8Bit(strerror(errno)));
    return {};
}

QString fixtureLog()
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
}

struct Snapshot {
    QByteArray integrity;
    qint64 sources = -1;
    qint64 events = -1;
    qint64 taskBytes = -1;
};

Snapshot snapshot(const QString &path)
{
    RawDb db(path);
    Snapshot s;
    auto one = [&](const char *sql) -> QByteArray {
        sqlite3_stmt *stmt = nullptr;
        QByteArray v;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            v = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return v;
    };
    s.integrity = one("PRAGMA integrity_check");
    s.sources = one("SELECT count(*) FROM sources").toLongLong();
    s.events = one("SELECT count(*) FROM events").toLongLong();
    s.taskBytes = one("SELECT sum(length(tasks)) FROM task_tables").toLongLong();
    return s;
}

#define QCOMPARE_SNAPSHOT(a, b)                                                                              \
    do {                                                                                                     \
        QCOMPARE((a).integrity, QByteArray("ok"));                                                           \
        QCOMPARE((b).integrity, QByteArray("ok"));                                                           \
        QCOMPARE((a).sources, (b).sources);                                                                  \
        QCOMPARE((a).events, (b).events);                                                                    \
        QCOMPARE((a).taskBytes, (b).taskBytes);                                                              \
    } while (false)

struct CliRun {
    int exitCode = -1;
    QString stderrText;
};

// uid: run the CLI as this user (root's writes ignore file modes); -1: as ourselves.
CliRun runCli(const QStringList &args, int uid = -1)
{
    QProcess p;
    if (uid >= 0) {
        p.setChildProcessModifier([uid] {
            if (::setgid(gid_t(uid)) != 0 || ::setuid(uid_t(uid)) != 0)
                ::_exit(99);
        });
    }
    p.start(QStringLiteral(OOMSCOPE_CLI_PATH), args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardError())};
}

// A log of many reports (the real three-kill log repeated), megabytes of events to store.
QString writeBigLog(const QString &dir, int copies)
{
    QFile original(fixtureLog());
    if (!original.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = original.readAll();
    const QString path = dir + u"/big.log"_s;
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    for (int i = 0; i < copies; ++i)
        out.write(text);
    return path;
}

// A workspace at path holding the three events of the fixture log.
bool seedWorkspace(const QString &path)
{
    Workspace ws;
    return ws.open(path) && ws.importLogFile(fixtureLog()).ok;
}

// The bundled real recording (1130 samples of one cgroup at 100 ms) copied under `copies`
// cgroup names: hundreds of thousands of samples to store.
QString writeBigRecording(const QString &dir, int copies)
{
    QFile original(QStringLiteral(OOMSCOPE_SOURCE_DIR) + u"/resources/demo/checkout-leak/samples.csv"_s);
    if (!original.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = original.readAll().split('\n');
    const QByteArray header = lines.takeFirst();
    const QString path = dir + u"/big-samples.csv"_s;
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    out.write(header + '\n');
    for (int i = 0; i < copies; ++i) {
        const QByteArray cgroup = QByteArray(",/oomgt-demo-") + QByteArray::number(i) + ',';
        for (const QByteArray &line : std::as_const(lines))
            if (!line.isEmpty())
                out.write(QByteArray(line).replace(",/oomgt-demo,", cgroup) + '\n');
    }
    return path;
}

} // namespace

class TestWorkspaceErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void diskFull();
    void recordingOnAFullDisk();
    void readOnlyFileSystem();
    void readOnlyFileAndFolder();
    void deletedWhileOpen();
    void newerWorkspace();

private:
    // A tmpfs of sizeKb at a fresh directory; unmounted in cleanup().
    QString mountTmpfs(int sizeKb);

    QTemporaryDir m_dir;
    QStringList m_mounts;
};

void TestWorkspaceErrors::initTestCase()
{
    QVERIFY2(g_namespaceError.isEmpty(), qPrintable(g_namespaceError));
    QVERIFY(m_dir.isValid());
    QVERIFY(::chmod(QFile::encodeName(m_dir.path()).constData(), 0755) == 0); // nobody reaches the mounts
    QVERIFY(QFile::exists(fixtureLog()));
}

QString TestWorkspaceErrors::mountTmpfs(int sizeKb)
{
    const QString target = m_dir.filePath(u"mnt%1"_s.arg(m_mounts.size()));
    if (!QDir().mkpath(target))
        return {};
    const QByteArray options = "size=" + QByteArray::number(sizeKb) + "k,mode=0777";
    if (::mount("tmpfs", QFile::encodeName(target).constData(), "tmpfs", 0, options.constData()) != 0)
        return {};
    m_mounts << target;
    return target;
}

void TestWorkspaceErrors::cleanup()
{
    for (const QString &m : std::as_const(m_mounts))
        ::umount2(QFile::encodeName(m).constData(), MNT_DETACH);
    m_mounts.clear();
}

void TestWorkspaceErrors::diskFull()
{
    const QString mnt = mountTmpfs(512);
    QVERIFY(!mnt.isEmpty());
    const QString path = mnt + u"/full.sqlite"_s;
    QVERIFY(seedWorkspace(path));
    const Snapshot before = snapshot(path);
    QCOMPARE(before.events, 3);
    const QString big = writeBigLog(m_dir.path(), 200); // ~7 MB of reports, 600 events
    QVERIFY(!big.isEmpty());

    {
        Workspace ws;
        QVERIFY(ws.open(path));
        const ImportResult r = ws.importLogFile(big);
        QVERIFY(!r.ok);
        QCOMPARE(int(r.errorKind), int(Error::Kind::DiskFull));
        QVERIFY2(r.error.contains(u"the disk is full"_s), qPrintable(r.error));
        QVERIFY2(!r.error.contains(u"not an error"_s), qPrintable(r.error));
    }
    QCOMPARE_SNAPSHOT(snapshot(path), before);

    const CliRun cli = runCli({u"import"_s, u"--db"_s, path, big});
    QCOMPARE(cli.exitCode, 4);
    QVERIFY2(cli.stderrText.contains(u"the disk is full"_s), qPrintable(cli.stderrText));
    QCOMPARE_SNAPSHOT(snapshot(path), before);
}

// A recording's samples: the same cause, the same exit code, nothing of the recording stored.
void TestWorkspaceErrors::recordingOnAFullDisk()
{
    const QString mnt = mountTmpfs(512);
    QVERIFY(!mnt.isEmpty());
    const QString path = mnt + u"/full.sqlite"_s;
    QVERIFY(seedWorkspace(path));
    const Snapshot before = snapshot(path);
    const QString samples = writeBigRecording(m_dir.path(), 300); // 339,000 samples, 300 series
    QVERIFY(!samples.isEmpty());

    const CliRun cli = runCli({u"import"_s, u"--db"_s, path, u"--samples"_s, samples});
    QCOMPARE(cli.exitCode, 4);
    QVERIFY2(cli.stderrText.contains(u"the disk is full"_s), qPrintable(cli.stderrText));
    QVERIFY2(!cli.stderrText.contains(u"not an error"_s), qPrintable(cli.stderrText));
    QCOMPARE_SNAPSHOT(snapshot(path), before);
    RawDb db(path);
    sqlite3_stmt *stmt = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "SELECT count(*) FROM series", -1, &stmt, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
    QCOMPARE(sqlite3_column_int64(stmt, 0), 0);
    sqlite3_finalize(stmt);
}

void TestWorkspaceErrors::readOnlyFileSystem()
{
    const QString mnt = mountTmpfs(4096);
    QVERIFY(!mnt.isEmpty());
    const QString path = mnt + u"/ro.sqlite"_s;
    QVERIFY(seedWorkspace(path));
    const Snapshot before = snapshot(path);
    QCOMPARE(::mount(nullptr, QFile::encodeName(mnt).constData(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr),
             0);

    Workspace ws;
    const Result<void> opened = ws.open(path);
    QVERIFY(!opened);
    QCOMPARE(int(opened.error().kind), int(Error::Kind::ReadOnly));
    QVERIFY2(opened.error().message.contains(u"read-only"_s), qPrintable(opened.error().message));
    const CliRun cli = runCli({u"import"_s, u"--db"_s, path, fixtureLog()});
    QCOMPARE(cli.exitCode, 4);
    QVERIFY2(cli.stderrText.contains(u"read-only"_s), qPrintable(cli.stderrText));

    QCOMPARE(::mount(nullptr, QFile::encodeName(mnt).constData(), nullptr, MS_REMOUNT, nullptr), 0);
    QCOMPARE_SNAPSHOT(snapshot(path), before);
}

void TestWorkspaceErrors::readOnlyFileAndFolder()
{
    // Root writes whatever the modes say, so the CLI runs as nobody when we are root.
    const int uid = ::geteuid() == 0 ? 65534 : -1;
    const QString mnt = mountTmpfs(4096);
    QVERIFY(!mnt.isEmpty());
    const QString folder = mnt + u"/folder"_s;
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + u"/ws.sqlite"_s;
    QVERIFY(seedWorkspace(path));
    const Snapshot before = snapshot(path);
    QVERIFY(!QFile::exists(path + u"-wal"_s));
    // The log copy the CLI reads must be readable by nobody too.
    const QString log = mnt + u"/more.log"_s;
    QVERIFY(QFile::copy(writeBigLog(m_dir.path(), 2), log));
    QVERIFY(
        QFile::setPermissions(log, QFileDevice::ReadOwner | QFileDevice::ReadOther | QFileDevice::ReadGroup));

    // The file read-only, its folder writable.
    QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0777) == 0);
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0444) == 0);
    CliRun cli = runCli({u"import"_s, u"--db"_s, path, log}, uid);
    QCOMPARE(cli.exitCode, 4);
    QVERIFY2(cli.stderrText.contains(u"the workspace file %1 is read-only"_s.arg(path)),
             qPrintable(cli.stderrText));
    QCOMPARE_SNAPSHOT(snapshot(path), before);

    // The folder read-only (no -wal or -shm can be made beside it), the file writable.
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0666) == 0);
    QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0555) == 0);
    cli = runCli({u"import"_s, u"--db"_s, path, log}, uid);
    QCOMPARE(cli.exitCode, 4);
    QVERIFY2(cli.stderrText.contains(u"the folder %1 of the workspace is read-only"_s.arg(folder)),
             qPrintable(cli.stderrText));
    QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0777) == 0);
    QCOMPARE_SNAPSHOT(snapshot(path), before);
}

void TestWorkspaceErrors::deletedWhileOpen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"gone.sqlite"_s);
    Workspace ws;
    QVERIFY(ws.open(path));
    QVERIFY(ws.importLogFile(fixtureLog()).ok);
    QVERIFY(QFile::remove(path));
    const ImportResult r = ws.importLogFile(writeBigLog(dir.path(), 2));
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(u"deleted or moved while it was open"_s), qPrintable(r.error));
    QVERIFY(!QFile::exists(path));
}

void TestWorkspaceErrors::newerWorkspace()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"future.sqlite"_s);
    QVERIFY(seedWorkspace(path));
    const QByteArray bump =
        "PRAGMA user_version = " + QByteArray::number(Workspace::latestSchemaVersion() + 1);
    QCOMPARE(sqlite3_exec(RawDb(path), bump.constData(), nullptr, nullptr, nullptr), SQLITE_OK);
    const Snapshot before = snapshot(path);
    const CliRun cli = runCli({u"import"_s, u"--db"_s, path, fixtureLog()});
    QCOMPARE(cli.exitCode, 5);
    QVERIFY2(cli.stderrText.contains(u"newer than this oomscope"_s), qPrintable(cli.stderrText));
    QCOMPARE_SNAPSHOT(snapshot(path), before);
}

int main(int argc, char **argv)
{
    g_namespaceError = enterPrivateMountNamespace(); // before QCoreApplication starts any thread
    QCoreApplication app(argc, argv);
    TestWorkspaceErrors test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_workspaceerrors.moc"
