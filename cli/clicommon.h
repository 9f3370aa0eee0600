// SPDX-License-Identifier: GPL-3.0-or-later
// What every oomscope-cli subcommand shares: the output streams, the one-line error exit, the
// common options (--db, --json) and the size and time formats of the text output.
#pragma once

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

// Prints "oomscope-cli: <message>" on stderr; returns code, the process exit code.
int errorExit(const QString &message, int code = 2);

// A parser with -h/--help and, when asked, --db W.sqlite and --json.
void setUpParser(QCommandLineParser &parser, bool withDb, bool withJson);

// Opens --db (default: the GUI's workspace); false after printing why it cannot.
bool openWorkspace(Workspace &workspace, const QCommandLineParser &parser);

// The value of a time option (--boot-time, --from, --to): ISO-8601 or epoch seconds/milliseconds,
// like the CSV timestamp column; nullopt when it is neither.
std::optional<qint64> parseTimeOption(const QString &text);

// "… '<value>' is not ISO-8601 or epoch seconds/milliseconds", the one wording for bad times.
QString badTimeMessage(const QString &command, const QString &option, const QString &value);

QString humanKb(qint64 kb);
QString humanBytes(std::int64_t bytes);

} // namespace oomscope::cli
