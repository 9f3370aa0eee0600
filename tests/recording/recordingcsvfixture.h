// SPDX-License-Identifier: GPL-3.0-or-later
// What the recording CSV suites (tst_recordingcsv, tst_recordingroundtrip) share: reading a
// process CSV from bytes and comparing samples field by field (NaN equal to NaN).
#pragma once

#include "recordingcsv.h"

#include <QBuffer>

#include <cmath>

namespace recordingcsvtest {

using namespace oomscope;
using namespace Qt::StringLiterals;

inline ProcsCsvResult readProcs(const QByteArray &csv)
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    return readProcsCsv(buffer);
}

inline bool sameDouble(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

inline bool sameSample(const MemorySample &a, const MemorySample &b)
{
    return a.timestampMs == b.timestampMs && a.usageBytes == b.usageBytes && a.limitBytes == b.limitBytes
        && a.highBytes == b.highBytes && a.anonBytes == b.anonBytes && a.fileBytes == b.fileBytes
        && a.activeFileBytes == b.activeFileBytes && a.inactiveFileBytes == b.inactiveFileBytes
        && a.shmemBytes == b.shmemBytes && a.kernelBytes == b.kernelBytes && a.swapBytes == b.swapBytes
        && a.failcnt == b.failcnt && a.oomKillCount == b.oomKillCount
        && sameDouble(a.boottimeSeconds, b.boottimeSeconds);
}

inline bool sameProcess(const ProcessSample &a, const ProcessSample &b)
{
    return a.timestampMs == b.timestampMs && a.pid == b.pid && a.comm == b.comm && a.cgroup == b.cgroup
        && a.rssKb == b.rssKb && a.rssAnonKb == b.rssAnonKb && a.rssFileKb == b.rssFileKb
        && a.rssShmemKb == b.rssShmemKb && a.swapKb == b.swapKb && a.pgtablesKb == b.pgtablesKb
        && a.oomScoreAdj == b.oomScoreAdj && sameDouble(a.boottimeSeconds, b.boottimeSeconds);
}

} // namespace recordingcsvtest
