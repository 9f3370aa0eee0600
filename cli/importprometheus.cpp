// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli import-prometheus FILE.json`: a saved Prometheus query_range answer of
// container_memory_* as sample series (remote/feedcommands.h does the work).
#include "clicommon.h"
#include "commands.h"
#include "feedcommands.h"
#include "workspace.h"

#include <QCommandLineParser>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

int runImportPrometheus(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Import a saved Prometheus query_range answer (JSON) of cAdvisor memory "
        "metrics as sample series."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"FILE"_s, u"curl '…/api/v1/query_range?query=…' > FILE.json"_s);
    parser.addOption({u"db"_s, u"Workspace file (default: the GUI's workspace)."_s, u"FILE"_s});
    parser.addOption(
        {u"host"_s, u"Store every series under this host (default: its node/instance label)."_s, u"NAME"_s});
    parser.addOption(
        {u"metric"_s, u"Metric name for results without __name__ (queries with functions)."_s, u"NAME"_s});
    parser.process(arguments);
    if (parser.positionalArguments().size() != 1) {
        err() << "import-prometheus: give exactly one JSON file" << Qt::endl;
        return 2;
    }
    const QString db = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : Workspace::defaultPath();
    const int code =
        oomscope::runImportPrometheus(parser.positionalArguments().first(), db, parser.value(u"host"_s),
                                      parser.value(u"metric"_s).toUtf8(), out(), err());
    out().flush();
    return code;
}

} // namespace oomscope::cli
