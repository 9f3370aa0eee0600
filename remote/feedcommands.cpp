// SPDX-License-Identifier: GPL-3.0-or-later
#include "feedcommands.h"

#include "feedimport.h"
#include "samplestore.h"
#include "workspace.h"

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
    if (const Result<void> started = poller.start(); !started) {
        err << "attach: " << started.error().message << Qt::endl;
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

} // namespace oomscope
