// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-bench samples`: ingest and chart-query figures of the sample store against plain
// row-per-sample sqlite3 inserts of the same data, measured in the same run (STYLE.md 18).
#pragma once

#include <QStringList>

namespace oomscope::bench {

// samples [--count N] [--series S] [--batch B]
int runSamplesBenchmark(const QStringList &args);
// samples-csv [--count N] [--series S] [--cli PATH]: `oomscope-cli import --samples` of a
// generated recording CSV beside sqlite3's `.import` of the same file.
int runSamplesCsvBenchmark(const QStringList &args);
// Child phase (own peak RSS): samples-query WORKSPACE
int runSamplesQuery(const QStringList &args);

} // namespace oomscope::bench
