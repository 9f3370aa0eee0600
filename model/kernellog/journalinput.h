// SPDX-License-Identifier: GPL-3.0-or-later
// The systemd journal as SREs save it, turned into the syslog-style text the OOM parser and the
// killer-line scanner read: `journalctl -o json`, `journalctl -o export`, and journal files or a
// whole copied /var/log/journal/<machine-id>/ directory (read through libsystemd's sd-journal).
// Kernel and unit messages alike become "2026-11-27T10:15:02.123456+00:00 host ident[pid]: text"
// lines, one per message line, streamed (memory does not grow with the journal).
#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QString>

#include <memory>
#include <optional>

namespace oomscope {

enum class LogContent {
    Text, // a log as text (dmesg, syslog, journalctl short-*, kmsg) — the parser handles it
    JournalJson, // journalctl -o json (one object per line)
    JournalExport, // journalctl -o export (KEY=value blocks, binary fields length-prefixed)
    JournalFile, // a binary journal file ("LPKSHHRH")
};

// Recognises the content from its first bytes (after gzip is undone).
LogContent detectLogContent(QByteArrayView head);
QString logContentName(LogContent content); // "text", "journal-json", "journal-export", "journal-file"

struct JournalEntry {
    QByteArray message;
    QByteArray host;
    QByteArray identifier; // SYSLOG_IDENTIFIER, else _COMM; "kernel" for kernel messages
    std::optional<qint64> pid;
    std::optional<qint64> realtimeUsec; // __REALTIME_TIMESTAMP
    bool kernel = false; // _TRANSPORT=kernel
};

// The syslog-style text of one entry (one line per message line, each ending in '\n').
QByteArray journalEntryAsText(const JournalEntry &entry);

// One line of `journalctl -o json`; nullopt for a line that is not a journal object.
std::optional<JournalEntry> parseJournalJsonLine(QByteArrayView line);

// Reads `journalctl -o export` entries one at a time from a device. Binary fields larger than
// maxFieldBytes, or a stream cut inside a field, end the reading with an error.
class JournalExportReader
{
public:
    explicit JournalExportReader(QIODevice &device, qint64 maxFieldBytes = 64 * 1024 * 1024);
    // The next entry; nullopt at the end or on error (see error()).
    std::optional<JournalEntry> next();
    QString error() const { return m_error; }

private:
    QIODevice &m_device;
    qint64 m_maxFieldBytes;
    QString m_error;
};

// Wraps a device holding journal JSON or export text into one that yields syslog-style text.
std::unique_ptr<QIODevice> journalStreamAsText(std::unique_ptr<QIODevice> source, LogContent content);

// Opens journal files (one file, or every *.journal file below a directory, interleaved by time
// as sd-journal does) as a device that yields syslog-style text.
Result<std::unique_ptr<QIODevice>> openJournalFiles(const QString &fileOrDirectory);

// True when the directory holds journal files (a copied /var/log/journal/<machine-id>/).
bool isJournalDirectory(const QString &path);

} // namespace oomscope
