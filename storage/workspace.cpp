// SPDX-License-Identifier: GPL-3.0-or-later
// Opening a workspace: recognising the file, the connection's settings and the schema
// migrations; the queries of sources and events. Importing logs is in logimport.cpp.
#include "workspace.h"

#include "eventrows.h"
#include "schema.h"
#include "sqlitestatement.h"
#include "workspacehandle.h"
#include "workspaceprivate.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <sqlite3.h>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Read-only probes: nothing writes until the file is known to be ours and not too new.
Result<void> checkOwnership(sqlite3 *db, const QString &path)
{
    auto readInt = [&](const char *sql, bool *ok) {
        SqliteStatement s;
        *ok = s.prepare(db, sql) && s.step() == SQLITE_ROW;
        return *ok ? s.int64(0) : 0;
    };
    bool ok = false;
    const qint64 tableCount = readInt("SELECT count(*) FROM sqlite_master", &ok);
    // A wrong file stays untouched: SQLite only reads its header here, and the person learns what
    // it is not. (No QFile on the path: closing any descriptor of a file drops every POSIX lock
    // this process holds on it, those of the other connections included.)
    if (!ok && (sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB)
        return fail(Error::Kind::Invalid,
                    u"%1 is not an oomscope workspace (not an SQLite database)"_s.arg(path));
    if (!ok)
        return sqliteFail(db, u"%1 is not a usable workspace: "_s.arg(path));
    const qint64 applicationId = readInt("PRAGMA application_id", &ok);
    const int version = int(readInt("PRAGMA user_version", &ok));
    if (!ok)
        return sqliteFail(db, u"cannot read the schema version of %1: "_s.arg(path));
    if ((applicationId != 0 && applicationId != schema::kApplicationId)
        || (applicationId == 0 && version == 0 && tableCount > 0))
        return fail(Error::Kind::Invalid,
                    u"%1 is an SQLite database of another program, not an oomscope workspace"_s.arg(path));
    if (version > schema::latestVersion())
        return fail(Error::Kind::TooNew,
                    u"%1 has schema version %2, newer than this oomscope supports (%3); "
                    "update oomscope to open it"_s.arg(path)
                        .arg(version)
                        .arg(schema::latestVersion()));
    return {};
}

// Why path cannot be written, in words, when the file, its folder or its file system refuses
// writes; nullopt when nothing refuses (root passes access() except on a read-only file system).
std::optional<Error> unwritable(const QString &path)
{
    const QFileInfo info(path);
    const QByteArray file = QFile::encodeName(info.absoluteFilePath());
    const QByteArray dir = QFile::encodeName(info.absolutePath());
    auto refused = [](const QString &what, int error) {
        return Error {
            Error::Kind::ReadOnly,
            u"%1 (%2); oomscope needs to write there"_s.arg(what, QString::fromLocal8Bit(strerror(error)))};
    };
    if (info.exists() && ::access(file.constData(), W_OK) != 0)
        return refused(u"the workspace file %1 is read-only"_s.arg(path), errno);
    // The folder holds the -wal and -shm files beside the workspace.
    if (::access(dir.constData(), W_OK) != 0)
        return refused(u"the folder %1 of the workspace is read-only"_s.arg(info.absolutePath()), errno);
    return std::nullopt;
}

} // namespace

int Workspace::Private::busyHandler(void *context, int count)
{
    auto *d = static_cast<Workspace::Private *>(context);
    const auto now = std::chrono::steady_clock::now();
    if (count == 0) {
        d->waitStarted = now;
        d->waitReported = false;
    }
    const LockWait &wait = d->lockWait;
    const auto waitedMs = std::chrono::duration_cast<std::chrono::milliseconds>(now - d->waitStarted).count();
    if ((wait.isCanceled && wait.isCanceled()) || (wait.limitMs >= 0 && waitedMs >= wait.limitMs))
        return 0;
    if (!d->waitReported && waitedMs >= wait.reportAfterMs) {
        d->waitReported = true;
        if (wait.onWaiting)
            wait.onWaiting();
    }
    // Short sleeps first: most waits are another writer's flush of a few milliseconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(count < 10 ? 2 : 20));
    return 1;
}

void Workspace::setLockWait(LockWait wait)
{
    d->lockWait = std::move(wait);
}

QString Workspace::lockWaitingMessage()
{
    return u"waiting for the workspace lock held by another writer\u2026"_s;
}

sqlite3 *WorkspaceHandle::of(const Workspace &workspace)
{
    return workspace.d->db;
}

void Workspace::Private::closeDb()
{
    eventWriter.clear();
    registry.reset();
    if (db)
        sqlite3_close_v2(db);
    db = nullptr;
    path.clear();
    schemaVersion = 0;
}

Workspace::Workspace()
    : d(std::make_unique<Private>())
{ }

Workspace::~Workspace()
{
    close();
}

bool Workspace::isWorkspaceFile(const QString &path)
{
    // Read through SQLite, not with a file of our own: closing any descriptor of a file drops
    // every POSIX lock this process holds on it, so a plain open/close of the workspace the GUI
    // has open would silently release that connection's locks. SQLite's own VFS shares one
    // descriptor per file within the process and does not.
    sqlite3 *db = nullptr;
    const QByteArray nativePath = QFile::encodeName(path);
    bool ours = false;
    if (sqlite3_open_v2(nativePath.constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt *stmt = nullptr;
        // An empty or missing database has application_id 0; a file that is not SQLite fails.
        if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &stmt, nullptr) == SQLITE_OK
            && sqlite3_step(stmt) == SQLITE_ROW)
            ours = quint32(sqlite3_column_int64(stmt, 0)) == quint32(schema::kApplicationId);
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return ours;
}

QString Workspace::defaultPath()
{
    // GenericDataLocation + our own folder, so the path does not depend on the application and
    // organisation names set by whichever executable (GUI, CLI) opens the workspace.
    const QString dir =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/oomscope"_s;
    QDir().mkpath(dir);
    return dir + u"/workspace.sqlite"_s;
}

Result<void> Workspace::open(const QString &path)
{
    close();
    Result<void> opened;
    const QByteArray nativePath = QFile::encodeName(path);
    if (opened
        && sqlite3_open_v2(nativePath.constData(), &d->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
            != SQLITE_OK) {
        opened = d->db ? sqliteFail(d->db, u"cannot open %1: "_s.arg(path))
                       : fail(Error::Kind::Internal, u"cannot open %1: out of memory"_s.arg(path));
    }
    if (opened) {
        sqlite3_extended_result_codes(d->db, 1);
        sqlite3_busy_handler(d->db, &Private::busyHandler, d.get());
        opened = checkOwnership(d->db, path);
    }
    // SQLite opens a file it may not write read-only without a word; say so before any write.
    if (opened && sqlite3_db_readonly(d->db, "main") == 1) {
        const std::optional<Error> why = unwritable(path);
        opened = tl::unexpected<Error>(
            why ? *why : Error {Error::Kind::ReadOnly, u"the workspace file %1 is read-only"_s.arg(path)});
    }
    if (opened) {
        opened =
            sqliteExec(d->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        if (!opened)
            opened.error().message = u"cannot configure %1: %2"_s.arg(path, opened.error().message);
    }
    if (opened)
        opened = schema::migrate(d->db);
    if (!opened && opened.error().kind != Error::Kind::TooNew && opened.error().kind != Error::Kind::Busy) {
        if (const std::optional<Error> why = unwritable(path))
            opened = tl::unexpected<Error>(*why);
    }
    if (!opened) {
        d->closeDb();
        return opened;
    }
    d->schemaVersion = schema::userVersion(d->db);
    d->path = path;
    d->registry = std::make_unique<SourceRegistry>(d->db);
    return {};
}

void Workspace::close()
{
    d->closeDb();
}

bool Workspace::isOpen() const
{
    return d->db != nullptr;
}

bool Workspace::fileIsGone() const
{
    int moved = 0;
    return d->db && sqlite3_file_control(d->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved;
}

QString Workspace::path() const
{
    return d->path;
}

int Workspace::schemaVersion() const
{
    return d->schemaVersion;
}

int Workspace::latestSchemaVersion()
{
    return schema::latestVersion();
}

qint64 Workspace::sqliteMemoryBytes()
{
    return sqlite3_memory_used();
}

std::vector<SourceInfo> Workspace::sources() const
{
    return d->registry ? d->registry->sources() : std::vector<SourceInfo> {};
}

std::vector<EventSummary> Workspace::events() const
{
    return readEventSummaries(d->db);
}

std::optional<OomEvent> Workspace::event(qint64 eventId) const
{
    return readEvent(d->db, eventId);
}

std::vector<qint64> Workspace::eventIds(qint64 sourceId) const
{
    return readEventIdsOfSource(d->db, sourceId);
}

std::vector<ParseWarning> Workspace::warnings(qint64 sourceId) const
{
    return d->registry ? d->registry->warnings(sourceId) : std::vector<ParseWarning> {};
}

} // namespace oomscope
