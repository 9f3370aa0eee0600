// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-cli: the workbench's analysis for scripts and CI, on the same libraries as the GUI.
// This file only dispatches; each subcommand lives in its own file (commands.h).
#include "clicommon.h"
#include "commands.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

const char *const usageText = R"(Usage: oomscope-cli <command> [options]

Commands:
  analyze [--json] FILE…        Find every OOM kill in saved kernel logs and explain it.
                                FILE may be gzip-compressed; "-" reads standard input.
  analyze [--json] --samples S.csv [--procs P.csv] [--log kernel.log] [--boot-time T]
                                Leak or undersized limit? A verdict per cgroup of a
                                recording, its kills on the timeline, the predicted victims.
  import [--db W.sqlite] FILE…  Import logs into a workspace (default: the GUI's workspace).
                                Importing the same content again adds nothing.
  import [--db W.sqlite] --samples S.csv [--procs P.csv] [--log kernel.log] [--host H]
         [--boot-time T]        Import a recording; its kernel log's events are placed on
                                the samples' timeline (by boottime_s or --boot-time).
  events [--db W.sqlite] [--json]
                                List the events stored in a workspace.
  export [--db W.sqlite] --output S.csv [--procs P.csv] [--cgroup PATH]… [--host H]
         [--from T] [--to T]      Write stored samples in the recording format (re-importable).
  report --db W.sqlite|FILE… [--event ID|--all|--cgroup X --from T --to T]
         --output report.{png,pdf,html} [--width W --height H --scale S --theme light|dark]
                                Render an incident report headlessly (runs oomscope-report).
  attach HOST:PORT|ssh://user@host[:port]|exec:/path/to/oomscope-agent [--db W.sqlite]
         [--duration S] [--token-file F] [--tls] [--ca-file F] [--pin-sha256 H]
         [--insecure-skip-verify] [--agent-arg A]…
                                Record an oomscope-agent feed (samples and OOM reports) into a
                                workspace; resumes where the workspace's data for that node ends.
  attach-metrics URL [--db W.sqlite] [--duration S] [--interval S] [--token-file F]
         [--ca-file F] [--insecure-skip-verify] [--host H]
                                Poll a Prometheus-format /metrics endpoint (kubelet
                                /metrics/cadvisor, cAdvisor, oomscope-agent) into a workspace.
  import-prometheus FILE.json [--db W.sqlite] [--host H] [--metric NAME]
                                Import a Prometheus query_range answer of container_memory_*.

Options:
  -h, --help       Show this help.
  -v, --version    Show the version.
)";

struct Command {
    const char *name;
    int (*run)(const QStringList &arguments);
};

constexpr Command kCommands[] = {
    {"analyze", oomscope::cli::runAnalyze},
    {"import", oomscope::cli::runImport},
    {"events", oomscope::cli::runEvents},
    {"export", oomscope::cli::runExport},
    {"report", oomscope::cli::runReport},
    {"attach", oomscope::cli::runAttach},
    {"attach-metrics", oomscope::cli::runAttachMetrics},
    {"import-prometheus", oomscope::cli::runImportPrometheus},
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"oomscope"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(OOMSCOPE_VERSION));

    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args.at(1) == u"-h"_s || args.at(1) == u"--help"_s || args.at(1) == u"help"_s) {
        std::fputs(usageText, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args.at(1) == u"-v"_s || args.at(1) == u"--version"_s) {
        oomscope::cli::out() << "oomscope-cli " << QCoreApplication::applicationVersion() << Qt::endl;
        return 0;
    }
    const QString command = args.takeAt(1);
    for (const Command &c : kCommands) {
        if (command == QLatin1StringView(c.name))
            return c.run(args);
    }
    return oomscope::cli::errorExit(u"unknown command '%1' (see oomscope-cli --help)"_s.arg(command));
}
