// SPDX-License-Identifier: GPL-3.0-or-later
// PeakTracker on fixture trees (cgroup v2 memory.peak, v1 memory.max_usage_in_bytes) the test
// rewrites: the interval peak is the risen mark, or the larger usage when the mark holds; a
// fixture file is never written to (only cgroupfs gets the per-descriptor reset).

#include "../cgroup/cgroupfixtures.h"
#include "cgroupreader.h"
#include "fixturetree.h"
#include "memorysample.h"
#include "peaktracker.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

CgroupSample reading(qint64 usage, std::optional<qint64> mark)
{
    CgroupSample s;
    s.usageBytes = usage;
    s.peakBytes = mark;
    return s;
}

} // namespace

class TestPeakTracker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void markRulesWithoutReset()
    {
        PeakTracker t(u"/nonexistent"_s, CgroupVersion::V1, false);
        const QString p = u"/a"_s;
        // First reading: the mark may be old; only the usage is known to be this interval's.
        QCOMPARE(t.intervalPeak(p, reading(100, 500)), std::int64_t(100));
        // The mark holds: the interval peaked at its larger end at least.
        QCOMPARE(t.intervalPeak(p, reading(80, 500)), std::int64_t(100));
        QCOMPARE(t.intervalPeak(p, reading(90, 500)), std::int64_t(90));
        // The mark rose: a spike between the samples reached it.
        QCOMPARE(t.intervalPeak(p, reading(95, 900)), std::int64_t(900));
        QCOMPARE(t.intervalPeak(p, reading(95, 900)), std::int64_t(95));
        // Reset by another tool: the mark since that reset.
        QCOMPARE(t.intervalPeak(p, reading(95, 300)), std::int64_t(300));
        // No mark file (v2 before 5.19): the usage.
        QCOMPARE(t.intervalPeak(u"/b"_s, reading(70, std::nullopt)), std::int64_t(70));
        QCOMPARE(t.intervalPeak(u"/c"_s, CgroupSample {}), MemorySample::kUnknown);
        QVERIFY(!t.exact(p));
        // Gone and back: a fresh start.
        t.forget(p);
        QCOMPARE(t.intervalPeak(p, reading(10, 900)), std::int64_t(10));
    }

    void fixtureTreeIsReadNotReset_data()
    {
        using namespace cgroupfixtures;
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("peakFile");
        QTest::newRow("v2") << u"v2"_s
                            << u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%1.slice/"
                               "cri-containerd-%2.scope"_s.arg(kPod1Systemd, kK8s1)
                            << u"memory.peak"_s;
        QTest::newRow("v1") << u"v1"_s << kDocker1Path << u"memory.max_usage_in_bytes"_s;
    }

    void fixtureTreeIsReadNotReset()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, path);
        QFETCH(QString, peakFile);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(copyFixtureTree(cgroupfixtures::kData + u'/' + fixture, tmp.path()));
        CgroupReader reader(tmp.path(), tmp.path());
        QVERIFY(reader.version() != CgroupVersion::None);
        const QString file = reader.memoryRoot() + path + u'/' + peakFile;
        QVERIFY2(QFile::exists(file), qPrintable(file));
        // v2: the per-descriptor reset is tried on cgroupfs only, so this copy is read, never
        // written; v1 without the opt-in is never written either.
        PeakTracker t(reader.memoryRoot(), reader.version(), false);
        const CgroupSample first = reader.read(path).value();
        QVERIFY(first.usageBytes && first.peakBytes);
        QCOMPARE(t.intervalPeak(path, first), std::int64_t(*first.usageBytes));
        const QByteArray before = readFile(file);
        QVERIFY(writeFileAtomically(file, QByteArray::number(*first.peakBytes + 64 * 1024 * 1024) + '\n'));
        const CgroupSample second = reader.read(path).value();
        QCOMPARE(t.intervalPeak(path, second), std::int64_t(*first.peakBytes + 64 * 1024 * 1024));
        QVERIFY(!t.exact(path));
        QCOMPARE(readFile(file), QByteArray::number(*first.peakBytes + 64 * 1024 * 1024) + '\n');
        QVERIFY(!before.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPeakTracker)
#include "tst_peaktracker.moc"
