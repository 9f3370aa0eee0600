// SPDX-License-Identifier: GPL-3.0-or-later
// openLog(): plain, gzip (by magic, not by name) and error messages people can act on.
#include "fixturetree.h"
#include "logsource.h"
#include "oomreportparser.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;
using oomscope::testsupport::writeFileAtomically;

namespace {

QString fixture()
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
}

QByteArray gzip(const QByteArray &plain)
{
    QProcess p;
    p.start(u"gzip"_s, {u"-c"_s, u"-n"_s});
    if (!p.waitForStarted())
        return {};
    p.write(plain);
    p.closeWriteChannel();
    p.waitForFinished();
    return p.readAllStandardOutput();
}

QByteArray readAll(OpenedLog &log)
{
    QByteArray all;
    while (!log.device->atEnd()) {
        const QByteArray chunk = log.device->read(100000);
        if (chunk.isEmpty())
            break;
        all += chunk;
    }
    return all;
}

} // namespace

class TestLogSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingFile()
    {
        const OpenedLog log = openLog(u"/nonexistent/dir/kern.log"_s);
        QVERIFY(!log.device);
        QVERIFY(log.error.contains(u"no such file"_s));
        QVERIFY(!log.error.contains(u'\n'));
    }

    void directory()
    {
        QTemporaryDir dir;
        const OpenedLog log = openLog(dir.path());
        QVERIFY(!log.device);
        QVERIFY(log.error.contains(u"directory"_s));
    }

    void unreadable()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"secret.log"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x\n");
        f.close();
        QFile::setPermissions(path, QFileDevice::WriteOwner);
        QFile probe(path);
        if (probe.open(QIODevice::ReadOnly))
            QSKIP("running as root: permissions do not stop reading");
        const OpenedLog log = openLog(path);
        QVERIFY(!log.device);
        QVERIFY(log.error.contains(u"cannot open"_s));
    }

    void plainFile()
    {
        OpenedLog log = openLog(fixture());
        QVERIFY2(log.device, qPrintable(log.error));
        QFile f(fixture());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(log.sizeBytes, f.size());
        QCOMPARE(readAll(log), f.readAll());
    }

    void gzipEqualsPlain()
    {
        QFile f(fixture());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray plain = f.readAll();
        const QByteArray gz = gzip(plain);
        if (gz.isEmpty())
            QSKIP("gzip(1) is not available to make a compressed fixture");
        QTemporaryDir dir;
        // Named .log on purpose: detection is by magic bytes, not by the name.
        const QString path = dir.filePath(u"kern.log"_s);
        QVERIFY(writeFileAtomically(path, gz));

        OpenedLog log = openLog(path);
        QVERIFY2(log.device, qPrintable(log.error));
        // Progress counts decompressed bytes, so the size to expect is the uncompressed one.
        QCOMPARE(log.sizeBytes, qint64(plain.size()));
        QCOMPARE(readAll(log), plain);

        OpenedLog again = openLog(path);
        const ParseResult fromGz = OomReportParser().parse(*again.device);
        const ParseResult fromPlain = OomReportParser().parse(plain);
        QVERIFY(fromGz.error.isEmpty());
        QCOMPARE(fromGz.events.size(), fromPlain.events.size());
        QCOMPARE(fromGz.events.size(), size_t(3));
        for (size_t i = 0; i < fromGz.events.size(); ++i) {
            QCOMPARE(fromGz.events[i].victim.pid, fromPlain.events[i].victim.pid);
            QCOMPARE(fromGz.events[i].tasks.size(), fromPlain.events[i].tasks.size());
        }
        QCOMPARE(fromGz.linesRead, fromPlain.linesRead);
    }

    void concatenatedMembers()
    {
        const QByteArray a = "first part\n";
        const QByteArray b = "second part\n";
        const QByteArray gz = gzip(a) + gzip(b);
        if (gz.size() < 20)
            QSKIP("gzip(1) is not available");
        QTemporaryDir dir;
        const QString path = dir.filePath(u"two.gz"_s);
        QVERIFY(writeFileAtomically(path, gz));
        OpenedLog log = openLog(path);
        QVERIFY(log.device);
        QCOMPARE(readAll(log), a + b);
    }

    void truncatedGzipIsNotFatal()
    {
        QFile f(fixture());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray gz = gzip(f.readAll());
        if (gz.isEmpty())
            QSKIP("gzip(1) is not available");
        QTemporaryDir dir;
        const QString path = dir.filePath(u"cut.gz"_s);
        QVERIFY(writeFileAtomically(path, gz.left(gz.size() / 2)));
        OpenedLog log = openLog(path);
        QVERIFY(log.device);
        const ParseResult r = OomReportParser().parse(*log.device);
        QVERIFY(r.events.size() <= 3);
        QVERIFY(r.bytesRead > 0);
    }
};

QTEST_GUILESS_MAIN(TestLogSource)
#include "tst_logsource.moc"
