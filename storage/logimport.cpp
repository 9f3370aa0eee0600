// SPDX-License-Identifier: GPL-3.0-or-later
// Importing a kernel log into the workspace: one transaction per log, the source identified by
// its content hash (SourceRegistry), every parsed event stored as it arrives (EventWriter).
#include "bulkimport.h"
#include "handoff.h"
#include "logsource.h"
#include "workspace.h"
#include "workspaceprivate.h"

#include <QFileInfo>

#include <optional>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Forwards reads to the caller's device and remembers a failed read, so an I/O error in the
// middle of a file can never be mistaken for its end (which would store a truncated source).
class ReadGuardDevice : public QIODevice
{
public:
    explicit ReadGuardDevice(QIODevice &inner)
        : m_inner(inner)
    { }

    bool isSequential() const override { return true; }
    bool atEnd() const override { return QIODevice::bytesAvailable() == 0 && m_inner.atEnd(); }
    qint64 bytesAvailable() const override { return QIODevice::bytesAvailable() + m_inner.bytesAvailable(); }
    bool failed() const { return m_failed; }
    QString innerError() const { return m_inner.errorString(); }
    qint64 bytesPassed() const { return m_bytes; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_failed)
            return -1;
        qint64 n = m_inner.read(data, maxSize);
        // A sequential device with nothing buffered yet (a pipe) blocks until data or its end.
        if (n == 0 && !m_inner.atEnd() && m_inner.isSequential() && m_inner.waitForReadyRead(-1))
            n = m_inner.read(data, maxSize);
        if (n < 0) {
            m_failed = true;
            setErrorString(m_inner.errorString());
            return -1;
        }
        m_bytes += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QIODevice &m_inner;
    bool m_failed = false;
    qint64 m_bytes = 0;
};

// One import in progress: the source row (under a placeholder hash until the last byte is
// read), the streaming hash, and the events stored so far. The parser reads and hashes on the
// calling thread; the events it hands over are stored on a thread of their own, in order (on a
// report-heavy log storing is half the work), at most kEventsInFlight waiting.
struct LogImport {
    static constexpr std::size_t kEventsInFlight = 16;

    EventWriter &writer;
    ImportResult &result;
    const ImportTap &tap;
    ContentHasher hasher;
    qint64 sourceId = 0;
    std::optional<Error> storeError; // the storing thread's; read once it has finished
    // Stopped when a store failed or the parse ended early: nothing more is stored.
    std::optional<Handoff<OomEvent>> storing;

    // On the storing thread.
    void store(OomEvent &&event)
    {
        if (storing->stopped()) // handed over just before the stop
            return;
        if (Result<qint64> id = writer.store(sourceId, event)) {
            ++result.eventsAdded;
            result.newEventIds.push_back(*id);
            if (tap.onStored)
                tap.onStored(event, *id);
        } else {
            storeError = id.error();
            storing->stop();
        }
    }

    ParseSinks sinks()
    {
        ParseSinks sinks;
        sinks.onBlock = [this](const char *data, qsizetype size) {
            hasher.add(data, size);
            if (tap.onBlock)
                tap.onBlock(data, size);
        };
        sinks.onEvent = [this](OomEvent &&event) {
            storing->push(std::move(event));
        };
        return sinks;
    }

    void startStoring()
    {
        storing.emplace(kEventsInFlight, [this](OomEvent &&event) { store(std::move(event)); });
    }

    // Waits until every event handed over is stored (or dropped, once stopped).
    void finishStoring()
    {
        if (storing)
            storing->finish();
    }
};

} // namespace

ImportResult Workspace::importLogFile(const QString &filePath, const ProgressFn &progress)
{
    OpenedLog log = openLog(filePath);
    if (!log.device) {
        ImportResult result;
        result.error = log.error.isEmpty() ? u"cannot open %1"_s.arg(filePath) : log.error;
        result.errorKind = Error::Kind::NotFound;
        return result;
    }
    return importLog(*log.device,
                     log.displayName.isEmpty() ? QFileInfo(filePath).fileName() : log.displayName, progress);
}

ImportResult Workspace::importLog(QIODevice &device, const QString &displayName, const ProgressFn &progress,
                                  const ImportTap &tap)
{
    ImportResult result;
    if (!d->db) {
        result.error = u"no workspace is open"_s;
        result.errorKind = Error::Kind::Internal;
        return result;
    }
    if (const Result<void> prepared = d->eventWriter.prepare(d->db); !prepared) {
        result.error = prepared.error().message;
        result.errorKind = prepared.error().kind;
        return result;
    }
    const BulkImportSettings bulk(d->db);
    SqliteTransaction transaction(d->db);
    if (const Result<void> begun = transaction.begin(); !begun) {
        result.error = u"cannot start the import: "_s + begun.error().message;
        result.errorKind = begun.error().kind;
        return result;
    }
    // kind: Invalid for what the input does wrong; storage errors pass their own kind.
    auto abandon = [&](const QString &error, Error::Kind kind = Error::Kind::Invalid) {
        transaction.rollback();
        result.error = error;
        result.errorKind = kind;
        result.eventsAdded = 0;
        result.newEventIds.clear();
        return result;
    };

    // The source row is inserted first under a placeholder hash (unique within this
    // transaction, which holds the write lock), because events reference it and the real hash
    // is only known once the last byte has been read.
    LogImport import {d->eventWriter, result, tap, {}, 0, std::nullopt, std::nullopt};
    const Result<qint64> sourceId = d->registry->add(NewSource {displayName, {"pending", 0}, 0, "log"});
    if (!sourceId)
        return abandon(sourceId.error().message, sourceId.error().kind);
    import.sourceId = *sourceId;
    if (!import.hasher.isValid())
        return abandon(u"out of memory"_s);
    ReadGuardDevice guard(device);
    if (!guard.open(QIODevice::ReadOnly))
        return abandon(u"cannot read %1"_s.arg(displayName));

    // Always passed, so a storage or read error stops the parser at its next progress call.
    const ProgressFn guardedProgress = [&](qint64 bytesDone) {
        if (import.storing->stopped() || guard.failed())
            return false;
        return progress ? progress(bytesDone) : true;
    };
    import.startStoring();
    ParseResult parsed = OomReportParser().parse(guard, guardedProgress, import.sinks());
    if (parsed.canceled || guard.failed() || !parsed.error.isEmpty())
        import.storing->stop(); // rolled back below: the events still waiting need not be stored
    import.finishStoring();
    result.bytesRead = import.hasher.bytes();

    if (guard.failed())
        return abandon(u"read error in %1: %2"_s.arg(displayName, guard.innerError()), Error::Kind::Io);
    if (import.storeError)
        return abandon(import.storeError->message, import.storeError->kind);
    if (!parsed.error.isEmpty())
        return abandon(parsed.error);
    if (parsed.canceled) {
        abandon(QString());
        result.canceled = true;
        return result;
    }
    // The content hash is the source's identity; if the parser ever handed over fewer bytes than
    // it read, storing that hash would make a different file look already imported.
    if (import.hasher.bytes() != guard.bytesPassed())
        return abandon(u"internal error: hashed %1 of %2 bytes read"_s.arg(import.hasher.bytes())
                           .arg(guard.bytesPassed()));

    const SourceContent content = import.hasher.content();
    const Result<std::optional<qint64>> seen = d->registry->find(content.hash, import.sourceId);
    if (!seen)
        return abandon(seen.error().message, seen.error().kind);
    if (*seen) {
        abandon(QString());
        result.ok = true;
        result.alreadyImported = true;
        result.sourceId = **seen;
        result.warnings = std::move(parsed.warnings);
        return result;
    }
    if (Result<void> finished = d->registry->finish(import.sourceId, content, parsed.linesRead); !finished)
        return abandon(finished.error().message, finished.error().kind);
    if (Result<void> stored = d->registry->addWarnings(import.sourceId, parsed.warnings); !stored)
        return abandon(stored.error().message, stored.error().kind);
    if (Result<void> committed = transaction.commit(); !committed)
        return abandon(u"cannot commit the import: "_s + committed.error().message, committed.error().kind);
    result.ok = true;
    result.sourceId = import.sourceId;
    result.warnings = std::move(parsed.warnings);
    return result;
}

} // namespace oomscope
