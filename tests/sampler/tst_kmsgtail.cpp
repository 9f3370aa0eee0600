// SPDX-License-Identifier: GPL-3.0-or-later
// KmsgTail fed from a regular file and a FIFO that the test appends kmsg records to in pieces,
// as the kernel would write them: one OomEvent per report, at the moment the report ends.

#include "kmsgtail.h"
#include "sampler.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kFixtureBase = QStringLiteral(OOMSCOPE_TEST_DATA) + u"/e2e/kmsg-6.18-memcg-v1-oomkill"_s;

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Appends with plain write(2): the tail reads the same file concurrently.
bool append(const QString &path, const QByteArray &bytes)
{
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, bytes.constData(), size_t(bytes.size())) == bytes.size();
    ::close(fd);
    return ok;
}

struct Expected {
    std::int64_t victimPid = 0;
    QString victimComm;
    QString memcg;
};

Expected expectedFromJson()
{
    const QJsonObject event = QJsonDocument::fromJson(readAll(kFixtureBase + u".expected.json"_s))
                                  .object()
                                  .value(u"events"_s)
                                  .toArray()
                                  .at(0)
                                  .toObject();
    return {event.value(u"victim_pid"_s).toInteger(), event.value(u"victim_comm"_s).toString(),
            event.value(u"memcg"_s).toString()};
}

QByteArray record(int seq, const QByteArray &text, int level = 6)
{
    return QByteArray::number(level) + ',' + QByteArray::number(seq) + ',' + QByteArray::number(1000000 + seq)
        + ",-;" + text + '\n';
}

} // namespace

class TestKmsgTail : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::vector<std::pair<OomEvent, qint64>> m_events;
    qint64 m_records = 0;
    std::vector<qint64> m_lost;
    QStringList m_status;
    QStringList m_unavailable;
    int m_generation = 0;

    // An empty kernel log in the test's directory, tailed from its end every 10 ms.
    QString emptyLog(KmsgTailConfig &config)
    {
        const QString path = m_tmp->filePath(u"kmsg"_s);
        if (!append(path, QByteArray()))
            qFatal("cannot create %s", qPrintable(path));
        config.path = path;
        config.pollIntervalMs = 10;
        return path;
    }

    KmsgTail *makeTail(WorkerThread &worker, const KmsgTailConfig &config)
    {
        KmsgTail *tail = worker.adopt(new KmsgTail(config));
        const int generation = ++m_generation;
        const auto current = [this, generation] {
            return generation == m_generation;
        };
        connect(tail, &KmsgTail::oomEvent, this, [this, current](const OomEvent &event, qint64 firstSeq) {
            if (current())
                m_events.emplace_back(event, firstSeq);
        });
        connect(tail, &KmsgTail::recordsRead, this, [this, current](const KmsgRecordBatchPtr &records) {
            if (current())
                m_records += qint64(records->size());
        });
        connect(tail, &KmsgTail::recordsLost, this, [this, current](qint64 count) {
            if (current())
                m_lost.push_back(count);
        });
        connect(tail, &KmsgTail::statusMessage, this, [this, current](const QString &message) {
            if (current())
                m_status << message;
        });
        connect(tail, &KmsgTail::unavailable, this, [this, current](const QString &reason) {
            if (current())
                m_unavailable << reason;
        });
        return tail;
    }

    // Appends made before the tail has opened its file would count as history and be skipped.
    void startAndWait(WorkerThread &worker, KmsgTail *tail)
    {
        bool opened = false;
        bool failed = false;
        // The lambdas hold references to these locals: disconnected before they go away.
        const QMetaObject::Connection a =
            connect(tail, &KmsgTail::opened, this, [&opened] { opened = true; });
        const QMetaObject::Connection b =
            connect(tail, &KmsgTail::unavailable, this, [&failed] { failed = true; });
        worker.start();
        tail->start();
        QTRY_VERIFY(opened || failed);
        disconnect(a);
        disconnect(b);
    }

    // Feeds the fixture to `sink` in pieces (one of them cut mid-record) and checks that the
    // event appears only with the last piece, which holds the kill line.
    void feedFixtureInPieces(const std::function<bool(const QByteArray &)> &sink)
    {
        const QByteArray fixture = readAll(kFixtureBase + u".kmsg"_s);
        QVERIFY(!fixture.isEmpty());
        const qsizetype killAt = fixture.indexOf("Killed process");
        QVERIFY(killAt > 0);
        const qsizetype lastRecord = fixture.lastIndexOf('\n', killAt) + 1;
        const qsizetype cuts[] = {0, fixture.size() / 4 + 7, fixture.size() / 2, lastRecord, fixture.size()};
        for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
            const QByteArray piece = fixture.mid(cuts[i], cuts[i + 1] - cuts[i]);
            QVERIFY(sink(piece));
            // Complete records up to here have been read (the cut record waits for its end).
            const qint64 complete = fixture.left(cuts[i + 1]).count('\n');
            QTRY_COMPARE(m_records, complete);
            if (i + 2 < std::size(cuts))
                QVERIFY2(m_events.empty(), "event before the kill line");
        }
        QTRY_COMPARE(m_events.size(), size_t(1));
        const Expected expected = expectedFromJson();
        const OomEvent &event = m_events[0].first;
        QCOMPARE(event.victim.pid, expected.victimPid);
        QCOMPARE(event.victim.comm, expected.victimComm);
        QCOMPARE(event.oomMemcg, expected.memcg);
        QCOMPARE(event.prefixStyle, PrefixStyle::Kmsg);
        QVERIFY(event.complete);
        QVERIFY(event.uptimeSeconds);
        // First record of the report: the header's sequence number, as in the file.
        QCOMPARE(m_events[0].second, fixture.left(fixture.indexOf(',', 2)).mid(2).toLongLong());
    }

private Q_SLOTS:
    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
        m_events.clear();
        m_records = 0;
        m_lost.clear();
        m_status.clear();
        m_unavailable.clear();
        ++m_generation;
    }

    void parsesRecords()
    {
        KmsgRecord r;
        QVERIFY(KmsgTail::parseRecord("6,123,4567890,-;hello; world", r));
        QCOMPARE(r.level, 6);
        QCOMPARE(r.facility, 0);
        QCOMPARE(r.seq, std::int64_t(123));
        QCOMPARE(r.usec, std::int64_t(4567890));
        QCOMPARE(r.text(), QByteArray("hello; world"));
        // Facility 1 (user space), and the caller-id field newer kernels append.
        QVERIFY(KmsgTail::parseRecord("14,5,6,c,caller=T1;x", r));
        QCOMPARE(r.level, 6);
        QCOMPARE(r.facility, 1);
        for (const char *bad : {"", ";", "6,1,2;no flags", "x,1,2,-;text", "6,1,-2,-;neg", "6,1,2,-",
                                "random text", "6,,2,-;empty seq"})
            QVERIFY2(!KmsgTail::parseRecord(QByteArrayView(bad), r), bad);
    }

    void fixtureFromRegularFileInPieces()
    {
        const QString path = m_tmp->filePath(u"kmsg"_s);
        // History before the tail starts is skipped (fromStart = false): the report in it must
        // not come out a second time.
        QVERIFY(append(path, readAll(kFixtureBase + u".kmsg"_s)));
        KmsgTailConfig config;
        config.path = path;
        config.pollIntervalMs = 10;
        WorkerThread worker(u"kmsg"_s);
        KmsgTail *tail = makeTail(worker, config);
        startAndWait(worker, tail);
        feedFixtureInPieces([&](const QByteArray &piece) { return append(path, piece); });
        QVERIFY(m_lost.empty());
        QVERIFY(m_unavailable.empty());
    }

    void fixtureFromFifo()
    {
        const QString path = m_tmp->filePath(u"kmsg.fifo"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        KmsgTailConfig config;
        config.path = path;
        config.pollIntervalMs = 10;
        WorkerThread worker(u"kmsg"_s);
        KmsgTail *tail = makeTail(worker, config);
        startAndWait(worker, tail);
        // The reader is there, so a non-blocking open for writing succeeds.
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY2(fd >= 0, std::strerror(errno));
        feedFixtureInPieces([fd](const QByteArray &piece) {
            return ::write(fd, piece.constData(), size_t(piece.size())) == piece.size();
        });
        ::close(fd);
    }

    void fromStartReadsHistory()
    {
        const QString path = m_tmp->filePath(u"kmsg"_s);
        QVERIFY(append(path, readAll(kFixtureBase + u".kmsg"_s)));
        KmsgTailConfig config;
        config.path = path;
        config.fromStart = true;
        WorkerThread worker(u"kmsg"_s);
        KmsgTail *tail = makeTail(worker, config);
        startAndWait(worker, tail);
        QTRY_COMPARE(m_events.size(), size_t(1));
        QCOMPARE(m_events[0].first.victim.pid, expectedFromJson().victimPid);
    }

    // Garbage between and inside the records does not crash the tail or hide the report.
    void garbageIsSurvived()
    {
        KmsgTailConfig config;
        const QString path = emptyLog(config);
        WorkerThread worker(u"kmsg"_s);
        startAndWait(worker, makeTail(worker, config));
        QByteArray junk;
        junk += "not a record at all\n";
        junk += QByteArray("\x00\x01\xff\xfe;;;,,,\n", 12);
        junk += "6,abc,1,-;bad sequence\n";
        junk += "6,1,2;no flags\n";
        junk += " SUBSYSTEM=dictionary line\n";
        junk += QByteArray(200 * 1024, 'x') + '\n'; // longer than any record
        junk += "6,9,10,-;Killed process garbage (unparsable\n";
        junk += "4,10,11,-;invoked oom-killer: but nothing else\n";
        junk += "\n\n\n";
        QVERIFY(append(path, junk));
        const QByteArray fixture = readAll(kFixtureBase + u".kmsg"_s);
        QVERIFY(append(path, fixture));
        QTRY_VERIFY(std::any_of(m_events.begin(), m_events.end(), [](const auto &e) {
            return e.first.victim.pid == expectedFromJson().victimPid;
        }));
        QVERIFY(!m_status.isEmpty()); // the non-records were reported (once)
        QCOMPARE(m_status.filter(u"not kernel log records"_s).size(), 1);
    }

    // A report whose kill line never comes (oom_kill_disable, records lost) is still parsed
    // after the quiet period.
    void reportWithoutKillLineAfterQuietPeriod()
    {
        KmsgTailConfig config;
        const QString path = emptyLog(config);
        config.quietMs = 200;
        WorkerThread worker(u"kmsg"_s);
        startAndWait(worker, makeTail(worker, config));
        QByteArray fixture = readAll(kFixtureBase + u".kmsg"_s);
        fixture.truncate(fixture.indexOf("oom-kill:constraint"));
        fixture.truncate(fixture.lastIndexOf('\n') + 1);
        QVERIFY(append(path, fixture));
        QTRY_COMPARE(m_events.size(), size_t(1));
        QVERIFY(!m_events[0].first.victim.present);
        QCOMPARE(m_events[0].first.triggerPid, expectedFromJson().victimPid);
    }

    // dump_header() is rate-limited, the kill line is not: a lone kill line still names a
    // victim. Records missing from the sequence are reported.
    void loneKillLineAndLostRecords()
    {
        KmsgTailConfig config;
        const QString path = emptyLog(config);
        WorkerThread worker(u"kmsg"_s);
        startAndWait(worker, makeTail(worker, config));
        QByteArray text = record(100, "eth0: link up");
        text += record(101,
                       "Memory cgroup out of memory: Killed process 4242 (stress) total-vm:1000kB, "
                       "anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0",
                       3);
        text += record(140, "after a gap of 38 records");
        QVERIFY(append(path, text));
        QTRY_COMPARE(m_events.size(), size_t(1));
        QCOMPARE(m_events[0].first.victim.pid, std::int64_t(4242));
        QCOMPARE(m_events[0].first.victim.comm, u"stress"_s);
        QCOMPARE(m_events[0].second, qint64(101));
        QTRY_COMPARE(m_lost, std::vector<qint64> {38});
    }

    // Two reports back to back (the second header ends the first, which lost its kill line).
    void consecutiveReports()
    {
        const QString path = m_tmp->filePath(u"kmsg"_s);
        QVERIFY(append(path, QByteArray()));
        KmsgTailConfig config;
        config.path = path;
        config.pollIntervalMs = 10;
        config.quietMs = 60000; // only the second header or the kill line may end a report
        WorkerThread worker(u"kmsg"_s);
        KmsgTail *tail = makeTail(worker, config);
        startAndWait(worker, tail);
        const QByteArray fixture = readAll(kFixtureBase + u".kmsg"_s);
        QByteArray truncated = fixture.left(fixture.indexOf("oom-kill:constraint"));
        truncated.truncate(truncated.lastIndexOf('\n') + 1);
        QVERIFY(append(path, truncated));
        QTRY_VERIFY(m_records > 0);
        QVERIFY(m_events.empty());
        QVERIFY(append(path, fixture));
        QTRY_COMPARE(m_events.size(), size_t(2));
        QVERIFY(!m_events[0].first.victim.present);
        QCOMPARE(m_events[1].first.victim.pid, expectedFromJson().victimPid);
    }

    void unreadablePathIsReported()
    {
        KmsgTailConfig config;
        config.path = m_tmp->filePath(u"missing"_s);
        WorkerThread worker(u"kmsg"_s);
        KmsgTail *tail = makeTail(worker, config);
        startAndWait(worker, tail);
        QTRY_COMPARE(m_unavailable.size(), 1);
        QVERIFY(m_unavailable[0].contains(config.path));
        QVERIFY(m_events.empty());
    }
};

QTEST_GUILESS_MAIN(TestKmsgTail)
#include "tst_kmsgtail.moc"
