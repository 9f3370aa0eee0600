// SPDX-License-Identifier: GPL-3.0-or-later
// What the sample-store suites (tst_samplestore, tst_sampleworkloads) share: fixture paths, sample
// comparison, and a raw SQLite connection of their own on the workspace file.
#pragma once

#include "rawdb.h"
#include "samplestore.h"
#include "workspace.h"

#include <QFile>
#include <QTest>

#include <bit>
#include <sqlite3.h>

namespace samplestoretest {

using namespace oomscope;
using namespace Qt::StringLiterals;

inline constexpr std::int64_t kUnknown = MemorySample::kUnknown;
inline constexpr std::int64_t kBaseMs = 1'700'000'000'123;

inline QString dataPath(const QString &relative)
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u'/' + relative;
}

inline bool sameSample(const MemorySample &a, const MemorySample &b)
{
    return a.timestampMs == b.timestampMs && a.usageBytes == b.usageBytes && a.limitBytes == b.limitBytes
        && a.highBytes == b.highBytes && a.anonBytes == b.anonBytes && a.fileBytes == b.fileBytes
        && a.activeFileBytes == b.activeFileBytes && a.inactiveFileBytes == b.inactiveFileBytes
        && a.shmemBytes == b.shmemBytes && a.kernelBytes == b.kernelBytes && a.swapBytes == b.swapBytes
        && a.failcnt == b.failcnt && a.oomKillCount == b.oomKillCount && a.peakBytes == b.peakBytes
        && std::bit_cast<std::uint64_t>(a.boottimeSeconds) == std::bit_cast<std::uint64_t>(b.boottimeSeconds);
}

inline void compareSamples(const std::vector<MemorySample> &actual, const std::vector<MemorySample> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        if (!sameSample(actual[i], expected[i]))
            QFAIL(qPrintable(u"sample %1 differs (t %2 vs %3)"_s.arg(i)
                                 .arg(actual[i].timestampMs)
                                 .arg(expected[i].timestampMs)));
    }
}

// The series' id, 0 when it could not be stored.
inline qint64 ensure(SampleStore &store, const QString &host, const QString &path,
                     const QString &workloadKey = {})
{
    return store.ensureSeries(host, path, workloadKey).value_or(0);
}

inline void execOrFail(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    const QString text = QString::fromUtf8(message ? message : "");
    sqlite3_free(message);
    QVERIFY2(rc == SQLITE_OK, qPrintable(text));
}

inline qint64 queryInt(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
        return -1;
    const qint64 v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
}

} // namespace samplestoretest
