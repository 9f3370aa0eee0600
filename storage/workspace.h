// SPDX-License-Identifier: GPL-3.0-or-later
// A workspace: one SQLite file holding imported logs and their OOM events. One Workspace object
// owns one connection and must stay on the thread that opened it (STYLE.md 5).
#pragma once

#include "oomevent.h"
#include "oomreportparser.h"
#include "result.h"

#include <QDateTime>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace oomscope {

struct SourceInfo {
    qint64 id = 0;
    QString name; // file name as given at import
    QString contentHash; // hex of the content hash (XXH3-128 of the uncompressed bytes)
    qint64 bytes = 0;
    QDateTime importedAt;
    int eventCount = 0;
    int warningCount = 0;
};

// One row of the events list: what the GUI's event table and `import` summaries need.
struct EventSummary {
    qint64 id = 0;
    qint64 sourceId = 0;
    QString host;
    std::optional<QDateTime> wallTime;
    std::optional<double> uptimeSeconds;
    QString constraint; // constraintName()
    QString oomMemcg;
    QString taskMemcg;
    qint64 limitKb = 0; // 0 when not known (global OOM: see totalPages)
    qint64 usageKb = 0;
    qint64 totalPages = 0;
    qint64 victimPid = 0;
    QString victimComm;
    std::optional<int> victimAdj;
    bool agrees = false;
    bool complete = false;
    QString kernelFormat;
};

struct ImportResult {
    bool ok = false; // false: error set, workspace unchanged
    QString error;
    Error::Kind errorKind = Error::Kind::Internal; // when !ok: what failed (input, disk, lock…)
    bool canceled = false; // canceled: workspace unchanged
    bool alreadyImported = false; // same content seen before: nothing added
    qint64 sourceId = 0;
    int eventsAdded = 0;
    std::vector<qint64> newEventIds; // the events this import stored, in the log's order
    qint64 bytesRead = 0;
    std::vector<ParseWarning> warnings;
};

// What an import shows its caller in the same single read of the log: every byte read (in order,
// as the parser gets it) and every event as it is stored, with its new id. An import that fails
// or finds its content already stored has still shown them: the caller keeps what it gathered only
// when the ImportResult says the events were added. onBlock runs on the calling thread, onStored on
// the import's storing thread (in order, one at a time; done when importLog() returns), so the two
// must not share state without a lock.
struct ImportTap {
    std::function<void(const char *data, qsizetype size)> onBlock;
    std::function<void(const OomEvent &event, qint64 eventId)> onStored;
};

// How a connection waits while another writer (another process or thread) holds the workspace's
// write lock: it waits instead of failing, says once that it waits, and stops when canceled or
// after limitMs.
struct LockWait {
    std::function<void()> onWaiting; // once per wait longer than reportAfterMs, on the waiting thread
    std::function<bool()> isCanceled; // polled while waiting; true: give up (the call fails as Busy)
    int limitMs = -1; // -1: wait until canceled
    int reportAfterMs = 300;
};

class Workspace
{
public:
    Workspace();
    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    // $XDG_DATA_HOME/oomscope/workspace.sqlite (QStandardPaths::AppDataLocation).
    static QString defaultPath();

    // True when the file is an oomscope workspace (SQLite header and our application_id), so a
    // workspace given where logs are expected (a file manager's "open with") is opened instead.
    static bool isWorkspaceFile(const QString &path);

    // Opens or creates the file and runs pending migrations. WAL mode. A file that cannot be
    // written (read-only file, directory or file system) or was written by a newer oomscope is
    // refused with an Error naming that cause (ReadOnly, TooNew) and left untouched.
    Result<void> open(const QString &path);
    // Applies to this connection's waits for the lock from now on (open() included).
    void setLockWait(LockWait wait);
    // The one wording of "this writer waits", for the CLI's stderr and the GUI's progress.
    static QString lockWaitingMessage();
    void close();
    bool isOpen() const;
    // True when the open file was deleted or moved away since open() (what is written from now on
    // would be lost with the last connection).
    bool fileIsGone() const;
    QString path() const;
    int schemaVersion() const;
    static int latestSchemaVersion();
    // The heap SQLite holds in this process, all connections together (page caches, statements):
    // what a long session's memory figures are read beside.
    static qint64 sqliteMemoryBytes();

    // One transaction per import: an error or cancel leaves the workspace as it was. Sources are
    // identified by content hash, so importing the same bytes twice adds nothing.
    ImportResult importLogFile(const QString &filePath, const ProgressFn &progress = {});
    ImportResult importLog(QIODevice &device, const QString &displayName, const ProgressFn &progress = {},
                           const ImportTap &tap = {});

    std::vector<SourceInfo> sources() const;
    std::vector<EventSummary> events() const; // ordered by source, then first line
    std::optional<OomEvent> event(qint64 eventId) const; // full event: tasks, raw lines
    std::vector<qint64> eventIds(qint64 sourceId) const; // in the order of events()
    std::vector<ParseWarning> warnings(qint64 sourceId) const;

private:
    // The raw connection stays inside storage/ (workspacehandle.h).
    friend struct WorkspaceHandle;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace oomscope
