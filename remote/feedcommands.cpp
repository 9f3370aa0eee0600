// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedcommands.h"

#include "feedimport.h"
#include "samplestore.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace oomscope {

int runAttachMetrics(const AttachMetricsOptions &options, QTextStream &out, QTextStream &err)
{
    Workspace workspace;
    if (const Result<void> opened = workspace.open(options.workspacePath); !opened) {
        err << "cannot open workspace " << options.workspacePath << ": " << opened.error().message
            << Qt::endl;
        return 1;
    }
    SampleStore samples(workspace);
    MetricFeedStore feed(workspace, samples);
    const QString host = options.host.isEmpty() ? options.scrape.url.host() : options.host;

    ScrapePoller poller(options.scrape);
    QEventLoop loop;
    qint64 stored = 0;
    qint64 skipped = 0;
    int scrapesStored = 0;
    QString lastError;
    const bool once = options.durationSeconds <= 0;
    QObject::connect(&poller, &ScrapePoller::batchReady, &loop,
                     [&](const std::shared_ptr<const ScrapeBatch> &batch) {
                         // A scrape carries no node label: every cgroup belongs to this host.
                         const MetricStoreResult r = feed.storeSeries(batch->series, host, host);
                         if (!r.ok) {
                             lastError = r.error;
                             err << "cannot store the scrape: " << r.error << Qt::endl;
                             loop.exit(1);
                             return;
                         }
                         ++scrapesStored;
                         stored += r.samplesAdded;
                         skipped += r.samplesSkipped;
                         if (batch->parsedSamples == 0)
                             err << "warning: " << options.scrape.url.toDisplayString()
                                 << " serves no container_memory_* metrics" << Qt::endl;
                         if (once)
                             loop.exit(0);
                     });
    QObject::connect(&poller, &ScrapePoller::scrapeFailed, &loop, [&](const QString &message, int retryMs) {
        lastError = message;
        if (once) {
            err << message << Qt::endl;
            loop.exit(1);
            return;
        }
        err << message << " (retrying in " << QString::number(retryMs / 1000.0, 'f', 1) << " s)" << Qt::endl;
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] { loop.exit(0); });
    QString error;
    if (!poller.start(&error)) {
        err << "attach: " << error << Qt::endl;
        return 2;
    }
    if (!once)
        deadline.start(options.durationSeconds * 1000);
    const int code = loop.exec();
    poller.stop();
    out << "attach " << options.scrape.url.toDisplayString() << " as host " << host << ": " << scrapesStored
        << " scrapes, " << stored << " samples stored";
    if (skipped > 0)
        out << ", " << skipped << " unchanged samples skipped";
    out << Qt::endl;
    if (code != 0 || scrapesStored == 0) {
        if (scrapesStored == 0 && !lastError.isEmpty() && !once)
            err << "no scrape succeeded; last error: " << lastError << Qt::endl;
        return 1;
    }
    return 0;
}

int runImportPrometheus(const QString &jsonPath, const QString &workspacePath, const QString &host,
                        const QByteArray &metricNameHint, QTextStream &out, QTextStream &err)
{
    Workspace workspace;
    if (const Result<void> opened = workspace.open(workspacePath); !opened) {
        err << "cannot open workspace " << workspacePath << ": " << opened.error().message << Qt::endl;
        return 1;
    }
    SampleStore samples(workspace);
    MetricFeedStore feed(workspace, samples);
    PromRangeOptions options;
    options.metricNameHint = metricNameHint;
    // --host overrides; without it each series keeps its node/instance label.
    const MetricStoreResult r = feed.importPromRangeFile(jsonPath, u"prometheus"_s, options, host);
    if (!r.ok) {
        err << "import-prometheus: " << r.error << Qt::endl;
        return 1;
    }
    if (r.alreadyImported) {
        out << jsonPath << ": already imported (source " << r.sourceId << ")" << Qt::endl;
        return 0;
    }
    out << jsonPath << ": " << r.samplesAdded << " samples in " << r.seriesIds.size() << " series";
    if (r.samplesSkipped > 0)
        out << ", " << r.samplesSkipped << " already stored";
    out << Qt::endl;
    for (const QString &w : r.warnings)
        err << "warning: " << w << Qt::endl;
    return 0;
}

namespace {

struct Streams {
    QTextStream out {stdout};
    QTextStream err {stderr};
};

std::optional<double> seconds(const QCommandLineParser &parser, const QString &name, double fallback)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const double v = parser.value(name).toDouble(&ok);
    return ok && v >= 0 ? std::optional<double>(v) : std::nullopt;
}

} // namespace

int runAttachMetricsCommand(const QStringList &arguments)
{
    Streams s;
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
        s.err << "attach: give exactly one URL" << Qt::endl;
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
        s.err << "attach: --duration and --interval take seconds (interval at least 0.1)" << Qt::endl;
        return 2;
    }
    o.durationSeconds = int(*duration);
    o.scrape.intervalMs = int(*interval * 1000);
    return runAttachMetrics(o, s.out, s.err);
}

int runImportPrometheusCommand(const QStringList &arguments)
{
    Streams s;
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
        s.err << "import-prometheus: give exactly one JSON file" << Qt::endl;
        return 2;
    }
    const QString db = parser.isSet(u"db"_s) ? parser.value(u"db"_s) : Workspace::defaultPath();
    return runImportPrometheus(parser.positionalArguments().first(), db, parser.value(u"host"_s),
                               parser.value(u"metric"_s).toUtf8(), s.out, s.err);
}

} // namespace oomscope
