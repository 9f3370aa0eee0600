// SPDX-License-Identifier: GPL-3.0-or-later
// Stores metric feeds (polled scrapes, saved Prometheus query_range answers) as sample series of
// the workspace: one transaction per batch or file, content-hash dedup of imported files.
#pragma once

#include "cadvisorfeed.h"
#include "promrange.h"

#include <QHash>
#include <QString>

#include <span>
#include <vector>

namespace oomscope {

class SampleStore;
class SqliteTransaction;
class Workspace;

struct MetricStoreResult {
    bool ok = false; // false: error set, workspace unchanged
    QString error;
    bool alreadyImported = false; // a file with the same content was imported before
    qint64 sourceId = 0; // file imports only
    std::vector<qint64> seriesIds; // of the series that got samples, in the batch's order
    qint64 samplesAdded = 0;
    // Samples not after the series' newest stored one: a scrape of an unchanged cAdvisor value
    // (same timestamp), or a query_range overlapping an earlier import.
    qint64 samplesSkipped = 0;
    std::vector<QString> warnings;
};

// Lives on the workspace's thread, next to the SampleStore it writes through.
class MetricFeedStore
{
public:
    MetricFeedStore(Workspace &workspace, SampleStore &store);

    // Host of a series: its own (a "node"/"instance" label of a query_range answer) unless
    // hostOverride is given, else defaultHost. One transaction for the whole batch.
    MetricStoreResult storeSeries(std::span<const MetricSeries> series, const QString &defaultHost,
                                  const QString &hostOverride = {});

    // Reads, parses and stores a saved query_range answer in one transaction; a file whose
    // bytes were imported before (sources table, kind 'prometheus') adds nothing.
    MetricStoreResult importPromRangeFile(const QString &path, const QString &defaultHost,
                                          const PromRangeOptions &options = {},
                                          const QString &hostOverride = {});

private:
    // Rolls tx back, forgets the cached newest samples it may have removed, reports error.
    MetricStoreResult rolledBack(SqliteTransaction &tx, const QString &error);

    Workspace &m_workspace;
    SampleStore &m_store;
    QHash<qint64, std::int64_t> m_lastMs; // newest stored sample per series, read once
};

} // namespace oomscope
