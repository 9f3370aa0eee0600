// SPDX-License-Identifier: GPL-3.0-or-later
// CgroupTreeWatch on a directory tree the test changes: new directories below the followed
// subtrees are reported once, parents before children, in both modes (inotify and the walk);
// existing ones, ones outside the subtrees and ones gone again are not.

#include "cgroupwatch.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

class TestCgroupWatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reportsNewDirectories_data()
    {
        QTest::addColumn<bool>("inotify");
        QTest::newRow("inotify") << true;
        QTest::newRow("walk") << false;
    }

    void reportsNewDirectories()
    {
        QFETCH(bool, inotify);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QDir root(tmp.path());
        QVERIFY(root.mkpath(u"pods/old"_s));
        QVERIFY(root.mkpath(u"other"_s));
        CgroupTreeWatch watch(tmp.path(), inotify);
        watch.setSubtrees({u"/pods"_s});
        QCOMPARE(watch.usesInotify(), inotify);
        QVERIFY(watch.takeNew().isEmpty());

        QVERIFY(root.mkpath(u"pods/new/c1"_s));
        QVERIFY(root.mkpath(u"other/ignored"_s));
        QVERIFY(root.mkpath(u"pods/old/c2"_s));
        QVERIFY(root.mkpath(u"pods/gone"_s));
        QVERIFY(root.rmdir(u"pods/gone"_s));
        QStringList found = watch.takeNew();
        found.sort();
        QCOMPARE(found, (QStringList {u"/pods/new"_s, u"/pods/new/c1"_s, u"/pods/old/c2"_s}));
        QVERIFY(found.indexOf(u"/pods/new"_s) < found.indexOf(u"/pods/new/c1"_s));
        QVERIFY(watch.takeNew().isEmpty()); // once only

        // Removed and made again under the same name: new again (a restarted container).
        QVERIFY(root.rmdir(u"pods/old/c2"_s));
        QVERIFY(watch.takeNew().isEmpty());
        QVERIFY(root.mkpath(u"pods/old/c2"_s));
        QCOMPARE(watch.takeNew(), QStringList {u"/pods/old/c2"_s});
    }

    void wholeHierarchy()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        CgroupTreeWatch watch(tmp.path());
        watch.setSubtrees({u"/"_s});
        QVERIFY(QDir(tmp.path()).mkpath(u"a/b"_s));
        QCOMPARE(watch.takeNew(), (QStringList {u"/a"_s, u"/a/b"_s}));
    }
};

QTEST_GUILESS_MAIN(TestCgroupWatch)
#include "tst_cgroupwatch.moc"
