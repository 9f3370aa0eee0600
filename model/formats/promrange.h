// SPDX-License-Identifier: GPL-3.0-or-later
// Reads a saved Prometheus HTTP API query_range answer (a "matrix" of cAdvisor memory metrics)
// into per-cgroup series of MemorySamples, merging the metric families of each cgroup by time.
#pragma once

#include "cadvisorfeed.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace oomscope {

struct PromRangeOptions {
    // The family of results whose metric carries no __name__ (a query that applied a function
    // drops it); results without a name and without this hint are skipped with a warning.
    QByteArray metricNameHint;
    CadvisorMapOptions mapping;
};

struct PromRangeResult {
    bool ok = false; // false: error set and series empty
    QString error;
    std::vector<MetricSeries> series; // one per (host, cgroup path), samples in time order
    std::vector<QString> warnings; // skipped results and points
    qint64 points = 0; // values read (all families)
    int skippedResults = 0;
};

// Accepts one API answer ({"status":"success","data":{"resultType":"matrix","result":[…]}}),
// or a JSON array of such answers (one per metric queried). Timestamps are float seconds,
// values strings ("NaN" and "+Inf" allowed). "vector" answers are read as one-point matrices.
PromRangeResult parsePromQueryRange(const QByteArray &json, const PromRangeOptions &options = {});

} // namespace oomscope
