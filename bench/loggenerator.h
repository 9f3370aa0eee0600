// SPDX-License-Identifier: GPL-3.0-or-later
// Writes large, realistic dmesg-style logs for benchmarks: varied kernel noise taken from the
// fixtures' non-OOM lines, with OOM reports of every fixture era spread through it; in report-heavy
// mode the reports carry task tables of hundreds of rows, like those of a busy node.
#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>

namespace oomscope::bench {

struct GeneratorOptions {
    qint64 sizeBytes = 20 * 1024 * 1024; // approximate output size (noise stops once reached)
    int reports = 20; // exact number of OOM reports written
    std::uint64_t seed = 0x6f6f6d73; // same seed, same file
    QString dataDir; // tests/data with eras/ and real/ fixtures
    // Report-heavy mode when tasksMax > 0: every report's task table is filled up to a random
    // size in [tasksMin, tasksMax] with rows in that report's own layout (3.10, 4.x, 4.19+, 6.8+),
    // each ranking below the template's rows, so the kernel's choice stays the recomputed one.
    int tasksMin = 0;
    int tasksMax = 0;
};

struct GeneratorResult {
    bool ok = false;
    QString error;
    qint64 bytesWritten = 0;
    qint64 linesWritten = 0;
    int reportsWritten = 0;
    int noiseTemplates = 0;
    int reportTemplates = 0;
    qint64 taskRowsWritten = 0; // rows of task tables (template and generated)
};

GeneratorResult generateLog(const QString &outPath, const GeneratorOptions &options);

} // namespace oomscope::bench
