// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-bench: generates large logs and measures parse and parse+store throughput and peak
// memory against `grep -c` measured in the same run (STYLE.md 18).
#include "childrun.h"
#include "consolestreams.h"
#include "loggenerator.h"
#include "oomreportparser.h"
#include "peakrss.h"
#include "samplesbench.h"
#include "workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <cstdio>
#include <map>

using namespace Qt::StringLiterals;
using namespace oomscope;
using oomscope::bench::ChildRun;
using oomscope::bench::runChild;

namespace {

int usage()
{
    consoleErr() << "usage:\n"
                    "  oomscope-bench generate --size-mb N --reports K [--seed S] [--data DIR] OUT\n"
                    "  oomscope-bench run FILE\n"
                    "  oomscope-bench samples [--count N] [--series S] [--batch B]\n"
                    "internal (one phase per child process, so each has its own peak RSS):\n"
                    "  oomscope-bench parse-only FILE\n"
                    "  oomscope-bench store FILE WORKSPACE\n"
                    "  oomscope-bench samples-query WORKSPACE\n";
    consoleErr().flush();
    return 2;
}

double mbPerSecond(qint64 bytes, double seconds)
{
    return seconds > 0 ? double(bytes) / (1024.0 * 1024.0) / seconds : 0.0;
}

int generate(const QStringList &args)
{
    bench::GeneratorOptions options;
    options.dataDir = QStringLiteral(OOMSCOPE_TEST_DATA);
    QString outPath;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (a == u"--size-mb" && hasValue)
            options.sizeBytes = args.at(++i).toLongLong() * 1024 * 1024;
        else if (a == u"--reports" && hasValue)
            options.reports = args.at(++i).toInt();
        else if (a == u"--seed" && hasValue)
            options.seed = args.at(++i).toULongLong();
        else if (a == u"--data" && hasValue)
            options.dataDir = args.at(++i);
        else if (!a.startsWith(u"--") && outPath.isEmpty())
            outPath = a;
        else
            return usage();
    }
    if (outPath.isEmpty() || options.sizeBytes <= 0)
        return usage();

    QElapsedTimer timer;
    timer.start();
    const bench::GeneratorResult result = bench::generateLog(outPath, options);
    if (!result.ok) {
        consoleErr() << "generate: " << result.error << '\n';
        return 1;
    }
    consoleOut() << "wrote " << outPath << ": " << result.bytesWritten << " bytes, " << result.linesWritten
                 << " lines, " << result.reportsWritten << " OOM reports (" << result.reportTemplates
                 << " report templates, " << result.noiseTemplates << " noise templates) in "
                 << QString::number(timer.elapsed() / 1000.0, 'f', 2) << " s\n";
    return 0;
}

// Child phase: the parser over a QFile, events counted and dropped.
int parseOnly(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        consoleErr() << "parse-only: " << file.errorString() << '\n';
        return 1;
    }
    qint64 events = 0;
    ParseSinks sinks;
    sinks.onEvent = [&](OomEvent &&) {
        ++events;
    };
    QElapsedTimer timer;
    timer.start();
    const ParseResult result = OomReportParser().parse(file, {}, sinks);
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!result.error.isEmpty()) {
        consoleErr() << "parse-only: " << result.error << '\n';
        return 1;
    }
    consoleOut() << "seconds=" << QString::number(seconds, 'f', 6) << " bytes=" << result.bytesRead
                 << " events=" << events << " warnings=" << result.warnings.size()
                 << " maxrss_kb=" << bench::peakRssKb() << '\n';
    return 0;
}

// Child phase: the full import into a fresh workspace (one transaction, commit included).
int store(const QString &path, const QString &workspacePath)
{
    Workspace ws;
    if (const Result<void> opened = ws.open(workspacePath); !opened) {
        consoleErr() << "store: " << opened.error().message << '\n';
        return 1;
    }
    QElapsedTimer timer;
    timer.start();
    const ImportResult result = ws.importLogFile(path);
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!result.ok) {
        consoleErr() << "store: " << result.error << '\n';
        return 1;
    }
    consoleOut() << "seconds=" << QString::number(seconds, 'f', 6) << " bytes=" << result.bytesRead
                 << " events=" << result.eventsAdded << " warnings=" << result.warnings.size()
                 << " maxrss_kb=" << bench::peakRssKb() << '\n';
    return 0;
}

int runBenchmark(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile()) {
        consoleErr() << "run: no such file " << path << '\n';
        return 1;
    }
    const qint64 size = info.size();
    const double sizeMb = double(size) / (1024.0 * 1024.0);
    consoleOut() << "file:             " << path << '\n';
    consoleOut() << "size:             " << size << " bytes (" << QString::number(sizeMb, 'f', 1)
                 << " MiB)\n";
    consoleOut().flush();

    // Warm the page cache so every phase below reads from memory, as grep's figure assumes.
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            consoleErr() << "run: " << file.errorString() << '\n';
            return 1;
        }
        QByteArray block(4 * 1024 * 1024, Qt::Uninitialized);
        QElapsedTimer timer;
        timer.start();
        while (file.read(block.data(), block.size()) > 0) { }
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        consoleOut() << "read() warm-up:   " << QString::number(mbPerSecond(size, seconds), 'f', 0)
                     << " MB/s\n";
    }

    // Output to a pipe: GNU grep stops at the first match when stdout is /dev/null.
    QProcess grep;
    grep.setProcessChannelMode(QProcess::SeparateChannels);
    QElapsedTimer grepTimer;
    grepTimer.start();
    grep.start(u"grep"_s, {u"-c"_s, u"invoked oom-killer"_s, path});
    if (!grep.waitForFinished(-1) || grep.exitStatus() != QProcess::NormalExit) {
        consoleErr() << "run: grep failed: " << grep.errorString() << '\n';
        return 1;
    }
    const double grepSeconds = double(grepTimer.nsecsElapsed()) / 1e9;
    const qint64 grepCount = QString::fromUtf8(grep.readAllStandardOutput()).trimmed().toLongLong();
    const double grepMbs = mbPerSecond(size, grepSeconds);
    consoleOut() << "grep -c:          " << QString::number(grepMbs, 'f', 0) << " MB/s ("
                 << QString::number(grepSeconds, 'f', 3) << " s, " << grepCount
                 << " 'invoked oom-killer' lines) [reference]\n";
    consoleOut().flush();

    const ChildRun parse = runChild({u"parse-only"_s, path});
    if (!parse.ok) {
        consoleErr() << "run: parse-only phase failed: " << parse.error << '\n';
        return 1;
    }
    const double parseMbs = mbPerSecond(size, parse.number(u"seconds"_s));
    consoleOut() << "parse only:       " << QString::number(parseMbs, 'f', 0) << " MB/s ("
                 << QString::number(parse.number(u"seconds"_s), 'f', 3) << " s, "
                 << qint64(parse.number(u"events"_s)) << " events, " << qint64(parse.number(u"warnings"_s))
                 << " warnings) = " << QString::number(100.0 * parseMbs / grepMbs, 'f', 1) << " % of grep\n";
    consoleOut().flush();

    QTemporaryDir dir;
    if (!dir.isValid()) {
        consoleErr() << "run: cannot create a temporary directory\n";
        return 1;
    }
    const QString workspacePath = dir.filePath(u"bench.sqlite"_s);
    const ChildRun stored = runChild({u"store"_s, path, workspacePath});
    if (!stored.ok) {
        consoleErr() << "run: store phase failed: " << stored.error << '\n';
        return 1;
    }
    const double storeMbs = mbPerSecond(size, stored.number(u"seconds"_s));
    const qint64 workspaceBytes = QFileInfo(workspacePath).size();
    consoleOut() << "parse + store:    " << QString::number(storeMbs, 'f', 0) << " MB/s ("
                 << QString::number(stored.number(u"seconds"_s), 'f', 3) << " s, "
                 << qint64(stored.number(u"events"_s)) << " events stored, workspace "
                 << QString::number(double(workspaceBytes) / (1024.0 * 1024.0), 'f', 1)
                 << " MiB) = " << QString::number(100.0 * storeMbs / grepMbs, 'f', 1) << " % of grep\n";

    const double parseRssMb = parse.number(u"maxrss_kb"_s) / 1024.0;
    const double storeRssMb = stored.number(u"maxrss_kb"_s) / 1024.0;
    consoleOut() << "peak RSS parse:   " << QString::number(parseRssMb, 'f', 1) << " MiB ("
                 << QString::number(parseRssMb / sizeMb * 100.0, 'f', 2) << " % of file size)\n";
    consoleOut() << "peak RSS store:   " << QString::number(storeRssMb, 'f', 1) << " MiB ("
                 << QString::number(storeRssMb / sizeMb * 100.0, 'f', 2) << " % of file size)\n";
    consoleOut() << "ratios:           parse/grep " << QString::number(100.0 * parseMbs / grepMbs, 'f', 1)
                 << " % (target >= 25 %), store/grep " << QString::number(100.0 * storeMbs / grepMbs, 'f', 1)
                 << " % (target >= 20 %), store/parse throughput "
                 << QString::number(100.0 * storeMbs / parseMbs, 'f', 1) << " %, store/parse RSS "
                 << QString::number(storeRssMb / parseRssMb, 'f', 2) << "x\n";
    if (qint64(parse.number(u"events"_s)) != grepCount || qint64(stored.number(u"events"_s)) != grepCount)
        consoleOut() << "note:             event counts differ from grep's report count\n";
    consoleOut().flush();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (args.isEmpty())
        return usage();
    const QString command = args.takeFirst();
    if (command == u"generate")
        return generate(args);
    if (command == u"run" && args.size() == 1)
        return runBenchmark(args.at(0));
    if (command == u"parse-only" && args.size() == 1)
        return parseOnly(args.at(0));
    if (command == u"store" && args.size() == 2)
        return store(args.at(0), args.at(1));
    if (command == u"samples")
        return bench::runSamplesBenchmark(args);
    if (command == u"samples-query")
        return bench::runSamplesQuery(args);
    return usage();
}
