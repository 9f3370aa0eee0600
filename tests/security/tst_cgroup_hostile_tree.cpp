// SPDX-License-Identifier: GPL-3.0-or-later
// The cgroup reader on a tree that is not cgroupfs (a copied node root, a fixture, a container's
// view) and holds traps: symbolic links to secrets and to /dev/zero, a FIFO, a huge file, and
// content that must not be echoed into errors (which the agent forwards to its clients).
#include "cgroupreader.h"
#include "fixturetree.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;
using namespace oomscope;

namespace {

const QString kFixture = QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1");
const QString kContainer = u"bf4339a9cfb4d0e9800dab873b9906458967b4132f639e6fa6271a2f332fb99f"_s;
const QByteArray kSecret = "root:$6$very-secret-hash:19000:0:99999:7:::";

} // namespace

class TestCgroupHostileTree : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_cgroup; // the trapped cgroup's directory
    QString m_secretFile;

    void replace(const char *file) { QVERIFY(QFile::remove(m_cgroup + u'/' + QLatin1StringView(file))); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(kFixture + u"/memory/memory.usage_in_bytes"_s).isFile(),
                 "committed fixture missing");
        QVERIFY(m_dir.isValid());
        QVERIFY(copyFixtureTree(kFixture, m_dir.filePath(u"v1"_s)));
        m_cgroup = m_dir.filePath(u"v1/memory/docker/"_s + kContainer);
        QVERIFY(QFileInfo(m_cgroup).isDir());
        m_secretFile = m_dir.filePath(u"shadow"_s);
        QFile secret(m_secretFile);
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write(kSecret + '\n');
    }

    void symlinkToASecretIsNotFollowed()
    {
        replace("memory.usage_in_bytes");
        QVERIFY(QFile::link(m_secretFile, m_cgroup + u"/memory.usage_in_bytes"_s));
        replace("memory.limit_in_bytes");
        QVERIFY(QFile::link(u"/dev/zero"_s, m_cgroup + u"/memory.limit_in_bytes"_s));
        const CgroupReader reader(m_dir.filePath(u"v1"_s), m_dir.filePath(u"proc"_s));
        QString error;
        const Result<CgroupSample> sRead = reader.read(u"/docker/"_s + kContainer);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.contains(u"symbolic link"_s), qPrintable(error));
        QVERIFY2(!error.contains(u"secret"_s) && !error.contains(u"root:"_s), qPrintable(error));
        QVERIFY(!s.usageBytes.has_value());
        QVERIFY(!s.limitBytes.has_value());
    }

    void fifoAndHugeFilesAreRefusedWithoutHanging()
    {
        replace("memory.failcnt");
        QCOMPARE(::mkfifo(QFile::encodeName(m_cgroup + u"/memory.failcnt"_s).constData(), 0600), 0);
        replace("memory.stat");
        QFile huge(m_cgroup + u"/memory.stat"_s);
        QVERIFY(huge.open(QIODevice::WriteOnly));
        const QByteArray line = "total_rss 4096\n";
        for (int i = 0; i < (6 << 20) / int(line.size()); ++i)
            huge.write(line);
        huge.close();
        const CgroupReader reader(m_dir.filePath(u"v1"_s), m_dir.filePath(u"proc"_s));
        // A blocking open of the FIFO would hang here.
        QString error = reader.read(u"/docker/"_s + kContainer).value().problem;
        QVERIFY2(error.contains(u"not a regular file"_s) || error.contains(u"larger than"_s)
                     || error.contains(u"symbolic link"_s),
                 qPrintable(error));
        // Each trap on its own names its cause.
        QFile::remove(m_cgroup + u"/memory.usage_in_bytes"_s);
        QFile::copy(kFixture + u"/memory/docker/"_s + kContainer + u"/memory.usage_in_bytes"_s,
                    m_cgroup + u"/memory.usage_in_bytes"_s);
        QFile::remove(m_cgroup + u"/memory.limit_in_bytes"_s);
        QFile::copy(kFixture + u"/memory/docker/"_s + kContainer + u"/memory.limit_in_bytes"_s,
                    m_cgroup + u"/memory.limit_in_bytes"_s);
        error = reader.read(u"/docker/"_s + kContainer).value().problem;
        QVERIFY2(error.contains(u"not a regular file"_s) || error.contains(u"larger than"_s),
                 qPrintable(error));
    }

    void malformedContentIsNotEchoed()
    {
        const QString path = m_dir.filePath(u"v1/memory/memory.usage_in_bytes"_s);
        QFile::remove(path);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kSecret + '\n');
        f.close();
        const CgroupReader reader(m_dir.filePath(u"v1"_s), m_dir.filePath(u"proc"_s));
        QString error;
        const Result<CgroupSample> sRead = reader.read(u"/"_s);
        QVERIFY2(sRead, qPrintable(sRead ? QString() : sRead.error().message));
        error = sRead->problem;
        const CgroupSample &s = *sRead;
        QVERIFY2(error.contains(u"memory.usage_in_bytes"_s) && error.contains(u"not the expected format"_s),
                 qPrintable(error));
        QVERIFY2(!error.contains(u"secret"_s) && !error.contains(u"root:"_s), qPrintable(error));
        QVERIFY(!s.usageBytes.has_value());
    }
};

QTEST_GUILESS_MAIN(TestCgroupHostileTree)
#include "tst_cgroup_hostile_tree.moc"
