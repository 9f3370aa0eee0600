// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-bench: generates large logs (sparse or report-heavy) and measures the parser, `oomscope-cli
// analyze` (text and JSON) and `import`: throughput and peak RSS against `grep -c` measured in the
// same run (STYLE.md 18).
#include "childrun.h"
#include "consolestreams.h"
#include "loggenerator.h"
#include "oomreportparser.h"
#include "peakrss.h"
#include "rangeverdictbench.h"
#include "samplesbench.h"

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
    consoleErr()
        << "usage:\n"
           "  oomscope-bench generate --size-mb N --reports K [--tasks MIN-MAX] [--seed S] [--data DIR] OUT\n"
           "  oomscope-bench run [--cli PATH] FILE\n"
           "  oomscope-bench samples [--count N] [--series S] [--batch B]\n"
           "  oomscope-bench samples-csv [--count N] [--series S] [--cli PATH]\n"
           "  oomscope-bench range-verdict [--hours H[,H...]]\n"
           "internal (one phase per child process, so each has its own peak RSS):\n"
           "  oomscope-bench parse-only FILE\n"
           "  oomscope-bench samples-query WORKSPACE\n"
           "  oomscope-bench range-verdict-child WORKSPACE now|before|raw\n";
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
        else if (a == u"--tasks" && hasValue) {
            const QStringList range = args.at(++i).split(u'-');
            options.tasksMin = range.value(0).toInt();
            options.tasksMax = range.value(range.size() - 1).toInt();
            if (options.tasksMin <= 0 || options.tasksMax < options.tasksMin)
                return usage();
        } else if (a == u"--seed" && hasValue)
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
                 << " lines, " << result.reportsWritten << " OOM reports with " << result.taskRowsWritten
                 << " task rows (" << result.reportTemplates << " report templates, " << result.noiseTemplates
                 << " noise templates) in " << QString::number(timer.elapsed() / 1000.0, 'f', 2) << " s\n";
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

// One measured phase beside the grep run made just before it (the machine is shared, so each
// ratio compares two runs made seconds apart).
struct Phase {
    QString label;
    double seconds = 0;
    double maxRssMb = 0;
    qint64 outputBytes = -1;
    double grepMbs = 0;
    double cpuSeconds = 0; // 0: not measured (the in-process parse phase)
    double grepCpuSeconds = 0;
};

double mib(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

void printPhase(const Phase &p, qint64 size, const QString &extra = {})
{
    const double mbs = mbPerSecond(size, p.seconds);
    consoleOut() << QString(p.label + u':').leftJustified(18) << QString::number(mbs, 'f', 0) << " MB/s ("
                 << QString::number(p.seconds, 'f', 3)
                 << " s) = " << QString::number(100.0 * mbs / p.grepMbs, 'f', 1) << " % of grep ("
                 << QString::number(p.grepMbs, 'f', 0) << " MB/s beside it), peak RSS "
                 << QString::number(p.maxRssMb, 'f', 1) << " MiB";
    if (p.outputBytes >= 0)
        consoleOut() << ", output " << QString::number(mib(double(p.outputBytes)), 'f', 1) << " MiB";
    if (p.cpuSeconds > 0)
        consoleOut() << "; CPU " << QString::number(p.cpuSeconds, 'f', 2)
                     << " s = " << QString::number(100.0 * p.grepCpuSeconds / p.cpuSeconds, 'f', 1)
                     << " % of grep's CPU";
    consoleOut() << extra << '\n';
    consoleOut().flush();
}

// grep -c over the file, output to a pipe; false after printing why it failed.
bool runGrep(const QString &path, qint64 size, double &mbs, qint64 &count, double &rssMb, double &cpu)
{
    const bench::ProgramRun grep = bench::runProgram(u"grep"_s, {u"-c"_s, u"invoked oom-killer"_s, path});
    if (!grep.ok) {
        consoleErr() << "run: grep: " << grep.error << '\n';
        return false;
    }
    mbs = mbPerSecond(size, grep.seconds);
    count = grep.head.trimmed().toLongLong();
    rssMb = double(grep.maxRssKb) / 1024.0;
    cpu = grep.cpuSeconds;
    return true;
}

struct RunOptions {
    QString path;
    QString cli = QStringLiteral(OOMSCOPE_CLI_PATH);
};

int runBenchmark(const RunOptions &options)
{
    const QString &path = options.path;
    const QFileInfo info(path);
    if (!info.isFile()) {
        consoleErr() << "run: no such file " << path << '\n';
        return 1;
    }
    const qint64 size = info.size();
    consoleOut() << "file:             " << path << '\n';
    consoleOut() << "size:             " << size << " bytes (" << QString::number(mib(double(size)), 'f', 1)
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
    QTemporaryDir dir;
    if (!dir.isValid()) {
        consoleErr() << "run: cannot create a temporary directory\n";
        return 1;
    }
    const QString workspacePath = dir.filePath(u"bench.sqlite"_s);

    double grepMbs = 0, grepRssMb = 0, grepCpu = 0;
    qint64 grepCount = 0;
    std::vector<Phase> phases;
    qint64 events = -1;
    bool countsDiffer = false;
    const std::vector<std::pair<QString, QStringList>> cliPhases {
        {u"analyze (text)"_s, {u"analyze"_s, path}},
        {u"analyze --json"_s, {u"analyze"_s, u"--json"_s, path}},
        {u"import"_s, {u"import"_s, u"--db"_s, workspacePath, path}},
    };
    for (int i = -1; i < int(cliPhases.size()); ++i) {
        if (!runGrep(path, size, grepMbs, grepCount, grepRssMb, grepCpu))
            return 1;
        if (i == -1) {
            consoleOut() << "grep -c:          " << QString::number(grepMbs, 'f', 0) << " MB/s (CPU "
                         << QString::number(grepCpu, 'f', 2) << " s), peak RSS "
                         << QString::number(grepRssMb, 'f', 1) << " MiB, " << grepCount
                         << " 'invoked oom-killer' lines [reference, run again before each phase]\n";
            const ChildRun parse = runChild({u"parse-only"_s, path});
            if (!parse.ok) {
                consoleErr() << "run: parse-only phase failed: " << parse.error << '\n';
                return 1;
            }
            events = qint64(parse.number(u"events"_s));
            countsDiffer = events != grepCount;
            printPhase({u"parse only"_s, parse.number(u"seconds"_s), parse.number(u"maxrss_kb"_s) / 1024.0,
                        -1, grepMbs},
                       size,
                       u" (%1 events, %2 warnings)"_s.arg(events).arg(qint64(parse.number(u"warnings"_s))));
            continue;
        }
        const auto &[label, args] = cliPhases[size_t(i)];
        const bench::ProgramRun run = bench::runProgram(options.cli, args);
        if (!run.ok) {
            consoleErr() << "run: " << label << ": " << run.error << '\n';
            return 1;
        }
        Phase p {label,          run.seconds, double(run.maxRssKb) / 1024.0, run.outputBytes, grepMbs,
                 run.cpuSeconds, grepCpu};
        printPhase(p, size,
                   label == u"import"_s
                       ? u", workspace %1 MiB"_s.arg(mib(double(QFileInfo(workspacePath).size())), 0, 'f', 1)
                       : QString());
        phases.push_back(p);
    }
    auto percent = [&](const Phase &p) {
        return QString::number(100.0 * mbPerSecond(size, p.seconds) / p.grepMbs, 'f', 1);
    };
    consoleOut() << "targets:          analyze --json " << percent(phases[1])
                 << " % of grep (>= 50 %), peak RSS " << QString::number(phases[1].maxRssMb, 'f', 1)
                 << " MiB (< 64 MB); import " << percent(phases[2]) << " % (>= 25 %)\n";
    if (countsDiffer)
        consoleOut() << "note:             " << events << " events parsed, grep counts " << grepCount << '\n';
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
    if (command == u"run" && (args.size() == 1 || (args.size() == 3 && args.at(0) == u"--cli")))
        return runBenchmark(
            RunOptions {args.last(), args.size() == 3 ? args.at(1) : QStringLiteral(OOMSCOPE_CLI_PATH)});
    if (command == u"parse-only" && args.size() == 1)
        return parseOnly(args.at(0));
    if (command == u"samples")
        return bench::runSamplesBenchmark(args);
    if (command == u"samples-csv")
        return bench::runSamplesCsvBenchmark(args);
    if (command == u"samples-query")
        return bench::runSamplesQuery(args);
    if (command == u"range-verdict")
        return bench::runRangeVerdictBenchmark(args);
    if (command == u"range-verdict-child")
        return bench::runRangeVerdictChild(args);
    return usage();
}
