// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli attach-metrics URL`: polls a Prometheus-format /metrics endpoint (kubelet
// /metrics/cadvisor, cAdvisor, oomscope-agent) into a workspace (remote/feedcommands.h does it).
#include "clicommon.h"
#include "commands.h"
#include "feedcommands.h"
#include "workspace.h"

#include <QCommandLineParser>

#include <optional>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

std::optional<double> seconds(const QCommandLineParser &parser, const QString &name, double fallback)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const double v = parser.value(name).toDouble(&ok);
    return ok && v >= 0 ? std::optional<double>(v) : std::nullopt;
}

} // namespace

int runAttachMetrics(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Poll a Prometheus /metrics URL (kubelet /metrics/cadvisor, cAdvisor, "
                                     "oomscope-agent) and store the cgroup memory samples."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"URL"_s, u"e.g. https://127.0.0.1:9464/metrics"_s);
    parser.addOption({u"db"_s, u"Workspace file (default: the GUI's workspace)."_s, u"FILE"_s});
    parser.addOption({u"duration"_s, u"Seconds to keep polling; 0 = one scrape (default 60)."_s, u"S"_s});
    parser.addOption({u"interval"_s, u"Seconds between scrapes (default 10)."_s, u"S"_s});
    parser.addOption({u"token-file"_s, u"File holding a bearer token."_s, u"FILE"_s});
    parser.addOption({u"ca-file"_s, u"PEM CA bundle for https."_s, u"FILE"_s});
    parser.addOption({u"insecure-skip-verify"_s, u"Do not verify the server certificate (lab clusters)."_s});
    parser.addOption(
        {u"host"_s, u"Host name to store the samples under (default: the URL's host)."_s, u"NAME"_s});
    parser.process(arguments);
    if (parser.positionalArguments().size() != 1) {
        err() << "attach: give exactly one URL" << Qt::endl;
        return 2;
    }
    AttachMetricsOptions o;
    o.scrape.url = QUrl::fromUserInput(parser.positionalArguments().first());
    o.scrape.tokenFile = parser.value(u"token-file"_s);
    o.scrape.caFile = parser.value(u"ca-file"_s);
    o.scrape.insecureSkipVerify = parser.isSet(u"insecure-skip-verify"_s);
    o.host = parser.value(u"host"_s);
    o.workspacePath = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : Workspace::defaultPath();
    const std::optional<double> duration = seconds(parser, u"duration"_s, 60);
    const std::optional<double> interval = seconds(parser, u"interval"_s, 10);
    if (!duration || !interval || *interval < 0.1 || *duration > 365.0 * 86400) {
        err() << "attach: --duration and --interval take seconds (interval at least 0.1)" << Qt::endl;
        return 2;
    }
    o.durationSeconds = int(*duration);
    o.scrape.intervalMs = int(*interval * 1000);
    const int code = oomscope::runAttachMetrics(o, out(), err());
    out().flush();
    return code;
}

} // namespace oomscope::cli
