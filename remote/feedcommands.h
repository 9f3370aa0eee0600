// SPDX-License-Identifier: GPL-3.0-or-later
// The CLI's metric-feed commands, as functions the CLI main dispatches to: `attach` (poll a
// /metrics URL into the workspace for a while) and `import-prometheus` (a saved query_range).
#pragma once

#include "scrapepoller.h"

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace oomscope {

struct AttachMetricsOptions {
    ScrapeConfig scrape; // url, interval, token file, CA file, insecure flag
    QString workspacePath;
    QString host; // empty: the URL's host
    int durationSeconds = 60; // 0: one successful scrape (or the first failure), then stop
};

// Needs a Q(Core)Application; runs its own event loop. Returns 0 when at least one scrape was
// stored, 1 when none was (the last error is printed), 2 on bad options.
int runAttachMetrics(const AttachMetricsOptions &options, QTextStream &out, QTextStream &err);

// Returns 0 when imported (or already imported), 1 on error; the workspace is unchanged then.
int runImportPrometheus(const QString &jsonPath, const QString &workspacePath, const QString &host,
                        const QByteArray &metricNameHint, QTextStream &out, QTextStream &err);

// Command-line front ends; arguments.first() is the program name, as after
// `args.takeAt(1)` in cli/main.cpp:
//   attach URL [--db FILE] [--duration S] [--interval S] [--token-file F] [--ca-file F]
//          [--insecure-skip-verify] [--host NAME]
//   import-prometheus FILE.json [--db FILE] [--host NAME] [--metric NAME]
int runAttachMetricsCommand(const QStringList &arguments);
int runImportPrometheusCommand(const QStringList &arguments);

} // namespace oomscope
