// SPDX-License-Identifier: GPL-3.0-or-later
// What every oomscope-cli subcommand shares: the output streams, the one-line error exit, the
// common options (--db, --json) and the size and time formats of the text output.
#pragma once

#include "result.h"

#include <QCommandLineParser>
#include <QString>
#include <QTextStream>

#include <cstdint>
#include <optional>

namespace oomscope {
class Workspace;
}

namespace oomscope::cli {

QTextStream &out();
QTextStream &err();

// The process exit codes (README, "Exit codes"): each cause its own, so scripts can retry a busy
// workspace and tell a full disk from a bad log.
enum ExitCode : int {
    ExitOk = 0,
    ExitInput = 1, // an input file is missing, unreadable or not what it should be
    ExitUsage = 2, // bad command line
    ExitBusy = 3, // the workspace stayed locked by another writer past --lock-timeout
    ExitStorage = 4, // the workspace or a file could not be written or read: disk full, read-only, I/O
    ExitTooNew = 5, // the workspace was written by a newer oomscope
};
int exitCodeFor(Error::Kind kind);

// Prints "oomscope-cli: <message>" on stderr; returns code, the process exit code.
int errorExit(const QString &message, int code = ExitUsage);

// A parser with -h/--help and, when asked, --db W.sqlite (with --lock-timeout) and --json.
void setUpParser(QCommandLineParser &parser, bool withDb, bool withJson);

// Opens --db (default: the GUI's workspace), waiting for another writer's lock (saying so once on
// stderr) up to --lock-timeout; 0, or the exit code after printing why it cannot.
int openWorkspace(Workspace &workspace, const QCommandLineParser &parser);

// The value of a time option (--boot-time, --from, --to): ISO-8601 or epoch seconds/milliseconds,
// like the CSV timestamp column; nullopt when it is neither.
std::optional<qint64> parseTimeOption(const QString &text);

// "… '<value>' is not ISO-8601 or epoch seconds/milliseconds", the one wording for bad times.
QString badTimeMessage(const QString &command, const QString &option, const QString &value);

QString humanKb(qint64 kb);
QString humanBytes(std::int64_t bytes);

} // namespace oomscope::cli
