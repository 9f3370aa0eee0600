// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the recording CSV readers, samples and processes, as a user hands them a
// file. A samples file is read twice, through the fast path for plain rows in read blocks of a
// size the input chooses and through the general field splitter alone in large blocks: what comes
// out must be the same to the bit (the fast path may only take rows the general path reads the
// same way).
#include "recordingcsv.h"

#include <QBuffer>

#include <bit>
#include <cstddef>
#include <cstdint>

using namespace oomscope;

namespace {

SamplesCsvResult readSamples(const QByteArray &bytes, qsizetype blockBytes, bool generalRowsOnly)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    CsvReadOptions options;
    options.blockBytes = blockBytes;
    options.generalRowsOnly = generalRowsOnly;
    return readSamplesCsv(buffer, QStringLiteral("default"), {}, options);
}

bool identical(const MemorySample &a, const MemorySample &b)
{
    return a.timestampMs == b.timestampMs && a.usageBytes == b.usageBytes && a.limitBytes == b.limitBytes
        && a.highBytes == b.highBytes && a.anonBytes == b.anonBytes && a.fileBytes == b.fileBytes
        && a.activeFileBytes == b.activeFileBytes && a.inactiveFileBytes == b.inactiveFileBytes
        && a.shmemBytes == b.shmemBytes && a.kernelBytes == b.kernelBytes && a.swapBytes == b.swapBytes
        && a.failcnt == b.failcnt && a.oomKillCount == b.oomKillCount && a.peakBytes == b.peakBytes
        && std::bit_cast<std::uint64_t>(a.boottimeSeconds) == std::bit_cast<std::uint64_t>(b.boottimeSeconds);
}

bool same(const SamplesCsvResult &a, const SamplesCsvResult &b)
{
    if (a.error != b.error || a.rows != b.rows || a.skippedRows != b.skippedRows
        || a.ignoredColumns != b.ignoredColumns || a.series.size() != b.series.size()
        || a.skipped.size() != b.skipped.size())
        return false;
    for (std::size_t i = 0; i < a.skipped.size(); ++i) {
        if (a.skipped[i].line != b.skipped[i].line || a.skipped[i].detail != b.skipped[i].detail)
            return false;
    }
    for (std::size_t s = 0; s < a.series.size(); ++s) {
        if (a.series[s].cgroup != b.series[s].cgroup
            || a.series[s].samples.size() != b.series[s].samples.size())
            return false;
        for (std::size_t i = 0; i < a.series[s].samples.size(); ++i) {
            if (!identical(a.series[s].samples[i], b.series[s].samples[i]))
                return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    // Every byte is CSV (the seeds stay valid files); the block size comes from the length.
    const qsizetype blockBytes = 1 + qsizetype(size % 61);
    // The reference in 64 KiB blocks: a 1 MiB buffer per input (the default) is most of a run
    // under ASan.
    const SamplesCsvResult general = readSamples(bytes, qsizetype(1) << 16, true);
    const SamplesCsvResult fast = readSamples(bytes, blockBytes, false);
    if (!same(general, fast))
        __builtin_trap();

    QBuffer procs;
    procs.setData(bytes);
    procs.open(QIODevice::ReadOnly);
    (void)readProcsCsv(procs);
    return 0;
}
