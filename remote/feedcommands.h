// SPDX-License-Identifier: GPL-3.0-or-later
// The work behind the CLI's metric-feed commands (their options are parsed in cli/):
// `attach-metrics` (poll a /metrics URL into the workspace for a while) and `import-prometheus`
// (a saved query_range).
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

} // namespace oomscope
