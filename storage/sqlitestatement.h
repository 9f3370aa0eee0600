// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/ (the only library that speaks SQL): a thin RAII wrapper over a prepared
// sqlite3 statement, bound and reset in a loop (STYLE.md 5), transactions, and SQLite errors as
// Error values.
#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>

#include <concepts>
#include <cstdint>
#include <optional>
#include <sqlite3.h>
#include <utility>

namespace oomscope {

// The Error::Kind of an SQLite result code (extended codes included).
inline Error::Kind sqliteErrorKind(int code)
{
    if (code == SQLITE_READONLY_DBMOVED)
        return Error::Kind::NotFound;
    switch (code & 0xff) {
    case SQLITE_FULL:
        return Error::Kind::DiskFull;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Error::Kind::Busy;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return Error::Kind::ReadOnly;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return Error::Kind::Io;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Error::Kind::Invalid;
    default:
        return Error::Kind::Internal;
    }
}

// SQLite's message with its cause in words first: "the disk is full (database or disk is full)".
inline QString sqliteCauseMessage(int code, const QString &sqliteMessage)
{
    QString cause;
    if (code == SQLITE_READONLY_DBMOVED)
        cause = QStringLiteral("the workspace file was deleted or moved while it was open");
    else if ((code & 0xff) == SQLITE_FULL)
        cause = QStringLiteral("the disk is full");
    else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        cause = QStringLiteral("the workspace is locked by another writer");
    else if ((code & 0xff) == SQLITE_READONLY || (code & 0xff) == SQLITE_PERM)
        cause = QStringLiteral("the workspace cannot be written (read-only)");
    else if ((code & 0xff) == SQLITE_IOERR)
        cause = QStringLiteral("reading or writing the workspace file failed");
    else if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
        cause = QStringLiteral("the workspace file is damaged");
    return cause.isEmpty() ? sqliteMessage
                           : cause + QStringLiteral(" (") + sqliteMessage + QStringLiteral(")");
}

// The error of the last failed step on this thread. SQLite clears a connection's error code when
// a statement is bound again (so a loop that binds its next row after a failed step would read
// "not an error" from sqlite3_errmsg); SqliteStatement keeps the failure here when it happens.
struct SqliteStepFailure {
    sqlite3 *db = nullptr;
    int code = SQLITE_OK;
    QString message;
};
inline SqliteStepFailure &lastStepFailure()
{
    thread_local SqliteStepFailure failure;
    return failure;
}
inline void recordStepFailure(sqlite3_stmt *stmt)
{
    sqlite3 *db = sqlite3_db_handle(stmt);
    lastStepFailure() =
        SqliteStepFailure {db, sqlite3_extended_errcode(db), QString::fromUtf8(sqlite3_errmsg(db))};
}

// The connection's last error message, for people.
inline QString sqliteLastError(sqlite3 *db)
{
    return QString::fromUtf8(sqlite3_errmsg(db));
}

// The connection's last error as an Error, its message prefixed with what was being done. When
// the connection no longer holds an error but a step on it failed, that step's error.
inline Error sqliteError(sqlite3 *db, const QString &doing = {})
{
    int code = sqlite3_extended_errcode(db);
    QString message = sqliteLastError(db);
    if (code == SQLITE_OK && lastStepFailure().db == db && lastStepFailure().code != SQLITE_OK) {
        code = lastStepFailure().code;
        message = lastStepFailure().message;
    }
    return Error {sqliteErrorKind(code), doing + sqliteCauseMessage(code, message)};
}

// `return sqliteFail(db, u"cannot store the source: "_s);` from a function returning Result<T>.
inline tl::unexpected<Error> sqliteFail(sqlite3 *db, const QString &doing = {})
{
    return tl::unexpected<Error>(sqliteError(db, doing));
}

// Runs one or more statements without results.
inline Result<void> sqliteExec(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return {};
    const int code = sqlite3_extended_errcode(db) != SQLITE_OK ? sqlite3_extended_errcode(db) : rc;
    Error error {sqliteErrorKind(code),
                 sqliteCauseMessage(code, QString::fromUtf8(message ? message : sqlite3_errmsg(db)))};
    sqlite3_free(message);
    return tl::unexpected<Error>(std::move(error));
}

// BEGIN IMMEDIATE … COMMIT, or a savepoint when the caller already holds a transaction, so
// storage functions compose; rolled back unless commit() was reached, so every early return
// leaves the workspace as it was.
class SqliteTransaction
{
public:
    // savepoint: the name used when nested (a plain identifier).
    explicit SqliteTransaction(sqlite3 *db, const char *savepoint = "oomscope")
        : m_db(db)
        , m_savepoint(savepoint)
    { }
    ~SqliteTransaction() { rollback(); }
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    Result<void> begin()
    {
        m_nested = !sqlite3_get_autocommit(m_db);
        // Writing on into an unlinked file would lose everything written from now on.
        int moved = 0;
        if (!m_nested && sqlite3_file_control(m_db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK
            && moved)
            return tl::unexpected<Error>(Error {
                Error::Kind::NotFound,
                QStringLiteral("the workspace file was deleted or moved while it was open; nothing more "
                               "can be stored in it (open or create a workspace again)")});
        Result<void> begun = m_nested ? savepoint("SAVEPOINT") : sqliteExec(m_db, "BEGIN IMMEDIATE");
        m_active = begun.has_value();
        return begun;
    }
    Result<void> commit()
    {
        Result<void> done = m_nested ? savepoint("RELEASE") : sqliteExec(m_db, "COMMIT");
        if (done)
            m_active = false;
        return done;
    }
    void rollback()
    {
        if (!m_active)
            return;
        if (m_nested) {
            (void)savepoint("ROLLBACK TO");
            (void)savepoint("RELEASE");
        } else {
            (void)sqliteExec(m_db, "ROLLBACK");
        }
        m_active = false;
    }
    bool isActive() const { return m_active; }

private:
    Result<void> savepoint(const char *verb)
    {
        const QByteArray sql = QByteArray(verb) + ' ' + m_savepoint;
        return sqliteExec(m_db, sql.constData());
    }

    sqlite3 *m_db;
    const char *m_savepoint;
    bool m_nested = false;
    bool m_active = false;
};

// For the storage functions that report failure in a result struct's `error` string rather than
// in a Result: begins scope, or puts why not (after prefix) into result.error and returns false.
template<typename R> bool beginOrReport(SqliteTransaction &scope, R &result, const QString &prefix = {})
{
    const Result<void> begun = scope.begin();
    if (!begun) {
        result.error = prefix + begun.error().message;
        if constexpr (requires { result.errorKind; })
            result.errorKind = begun.error().kind;
    }
    return begun.has_value();
}

class SqliteStatement
{
public:
    SqliteStatement() = default;
    ~SqliteStatement() { sqlite3_finalize(m_stmt); }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;
    SqliteStatement(SqliteStatement &&other) noexcept
        : m_stmt(std::exchange(other.m_stmt, nullptr))
    { }
    SqliteStatement &operator=(SqliteStatement &&other) noexcept
    {
        std::swap(m_stmt, other.m_stmt);
        return *this;
    }

    // Persistent statements are kept for the life of the connection (import inserts).
    bool prepare(sqlite3 *db, const QByteArray &sql, bool persistent = false)
    {
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
        return sqlite3_prepare_v3(db, sql.constData(), int(sql.size()),
                                  persistent ? SQLITE_PREPARE_PERSISTENT : 0, &m_stmt, nullptr)
            == SQLITE_OK;
    }
    bool isValid() const { return m_stmt != nullptr; }
    sqlite3_stmt *get() const { return m_stmt; }

    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }

    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            recordStepFailure(m_stmt);
        return rc;
    }
    // Steps a statement that returns no rows and resets it for the next use.
    bool run()
    {
        const int rc = step();
        sqlite3_reset(m_stmt);
        if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
            lastStepFailure().db = nullptr;
            return true;
        }
        return false;
    }

    // 1-based parameter index, as in sqlite3_bind_*.
    // Any integer type (qint64 and std::int64_t differ on LP64), bool as 0/1.
    template<std::integral T> void bind(int index, T value)
    {
        sqlite3_bind_int64(m_stmt, index, sqlite3_int64(value));
    }
    void bind(int index, double value) { sqlite3_bind_double(m_stmt, index, value); }
    void bind(int index, const QString &value)
    {
        const QByteArray utf8 = value.toUtf8();
        sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    void bind(int index, const QByteArray &utf8)
    {
        sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    void bindNull(int index) { sqlite3_bind_null(m_stmt, index); }
    template<typename T> void bind(int index, const std::optional<T> &value)
    {
        if (value)
            bind(index, *value);
        else
            bindNull(index);
    }

    // 0-based column index, as in sqlite3_column_*.
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    std::int64_t int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    int integer(int col) const { return sqlite3_column_int(m_stmt, col); }
    bool boolean(int col) const { return sqlite3_column_int(m_stmt, col) != 0; }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    QString text(int col) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
        return data ? QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, col)) : QString();
    }
    // The column's bytes (text or blob), valid until the next step or reset.
    QByteArrayView bytes(int col) const
    {
        const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
        return QByteArrayView(data, sqlite3_column_bytes(m_stmt, col));
    }
    std::optional<std::int64_t> optInt64(int col) const
    {
        return isNull(col) ? std::nullopt : std::optional<std::int64_t>(int64(col));
    }
    std::optional<int> optInt(int col) const
    {
        return isNull(col) ? std::nullopt : std::optional<int>(integer(col));
    }
    std::optional<double> optReal(int col) const
    {
        return isNull(col) ? std::nullopt : std::optional<double>(real(col));
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
};

} // namespace oomscope
