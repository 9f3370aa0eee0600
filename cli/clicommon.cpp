// SPDX-License-Identifier: GPL-3.0-or-later
#include "clicommon.h"

#include "consolestreams.h"
#include "recordingcsv.h"
#include "workspace.h"

#include <QLocale>

#include <atomic>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

QTextStream &out()
{
    return consoleOut();
}

QTextStream &err()
{
    return consoleErr();
}

int exitCodeFor(Error::Kind kind)
{
    switch (kind) {
    case Error::Kind::Busy:
        return ExitBusy;
    case Error::Kind::DiskFull:
    case Error::Kind::ReadOnly:
    case Error::Kind::Io:
        return ExitStorage;
    case Error::Kind::TooNew:
        return ExitTooNew;
    default:
        return ExitInput;
    }
}

int errorExit(const QString &message, int code)
{
    err() << "oomscope-cli: " << message << Qt::endl;
    return code;
}

void setUpParser(QCommandLineParser &parser, bool withDb, bool withJson)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addHelpOption();
    if (withDb) {
        parser.addOption({u"db"_s, u"Workspace file."_s, u"W.sqlite"_s});
        parser.addOption({u"lock-timeout"_s,
                          u"Give up (exit 3) when another writer holds the workspace longer than this "
                          u"(default: wait until interrupted)."_s,
                          u"SECONDS"_s});
    }
    if (withJson)
        parser.addOption({u"json"_s, u"Print JSON instead of text."_s});
}

int openWorkspace(Workspace &workspace, const QCommandLineParser &parser)
{
    const QString path = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : Workspace::defaultPath();
    LockWait wait;
    if (parser.isSet(u"lock-timeout"_s)) {
        bool ok = false;
        const double seconds = parser.value(u"lock-timeout"_s).toDouble(&ok);
        if (!ok || seconds < 0)
            return errorExit(
                u"--lock-timeout '%1' is not a number of seconds"_s.arg(parser.value(u"lock-timeout"_s)));
        wait.limitMs = int(seconds * 1000);
    }
    wait.onWaiting = [] {
        static std::atomic<bool> said = false;
        if (!said.exchange(true))
            err() << Workspace::lockWaitingMessage() << Qt::endl;
    };
    workspace.setLockWait(std::move(wait));
    if (const Result<void> opened = workspace.open(path); !opened)
        return errorExit(u"cannot open workspace %1: %2"_s.arg(path, opened.error().message),
                         exitCodeFor(opened.error().kind));
    return ExitOk;
}

std::optional<qint64> parseTimeOption(const QString &text)
{
    return parseCsvTimestampMs(text.toUtf8());
}

QString badTimeMessage(const QString &command, const QString &option, const QString &value)
{
    return u"%1: --%2 '%3' is not ISO-8601 or epoch seconds/milliseconds"_s.arg(command, option, value);
}

QString humanKb(qint64 kb)
{
    return QLocale::c().formattedDataSize(kb * 1024, 1, QLocale::DataSizeTraditionalFormat);
}

QString humanBytes(std::int64_t bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace oomscope::cli
