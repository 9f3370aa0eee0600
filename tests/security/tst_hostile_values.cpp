// SPDX-License-Identifier: GPL-3.0-or-later
// Values at the edge of their type from a file or a node (code-only findings of the review):
// the sample store must neither overflow (UBSan aborts the sanitizer run on it) nor lose the
// ordinary samples stored beside them.
#include "samplestore.h"
#include "workspace.h"

#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace oomscope;

class TestHostileValues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void extremeTimestampsDoNotOverflowTheLevels()
    {
        QTemporaryDir dir;
        Workspace ws;
        QVERIFY(ws.open(dir.filePath(u"w.sqlite"_s)));
        SampleStore store(ws);
        const Result<qint64> id = store.ensureSeries(u"node"_s, u"/app"_s);
        QVERIFY(id);
        constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
        std::vector<MemorySample> samples;
        for (const std::int64_t t : {kMin, kMin + 1, kMin + 999, std::int64_t(-1), std::int64_t(0),
                                     std::int64_t(1'795'825'075'000)}) {
            MemorySample s;
            s.timestampMs = t;
            s.usageBytes = 4096;
            samples.push_back(s);
        }
        const AppendResult appended = store.append(*id, samples);
        QVERIFY2(appended.ok, qPrintable(appended.error));
        const std::vector<MemorySample> back =
            store.samples(*id, kMin, std::numeric_limits<std::int64_t>::max());
        QCOMPARE(back.size(), samples.size());
        QCOMPARE(back.back().timestampMs, std::int64_t(1'795'825'075'000));
    }
};

QTEST_GUILESS_MAIN(TestHostileValues)
#include "tst_hostile_values.moc"
