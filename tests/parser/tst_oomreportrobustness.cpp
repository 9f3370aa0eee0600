// SPDX-License-Identifier: GPL-3.0-or-later
// OomReportParser on inputs meant to break it: interleaved hosts, kill lines without a header, a
// ratelimited storm, truncated reports, garbage, binary and huge lines, CRLF, cancelling, sinks,
// empty and closed devices, and megabytes of noise.
#include "logsource.h"
#include "oomreportparser.h"
#include "oomreportparserfixture.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <functional>
#include <set>

using namespace Qt::StringLiterals;
using namespace oomscope;
using namespace oomreportparsertest;

namespace {

bool hasWarning(const ParseResult &r, ParseWarning::Kind kind)
{
    return std::any_of(r.warnings.begin(), r.warnings.end(),
                       [kind](const ParseWarning &w) { return w.kind == kind; });
}

} // namespace

class TestOomReportRobustness : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void interleavedHosts()
    {
        // Two hosts' reports interleaved line by line in one syslog file, plus noise.
        const QList<QByteArray> report = bareReport();
        QByteArray log;
        for (const QByteArray &m : report) {
            log += "Nov 27 10:00:01 alpha kernel: " + m + '\n';
            log += "Nov 27 10:00:01 beta kubelet[12]: I1127 pod oom watcher tick\n";
            log += "Nov 27 10:00:01 beta kernel: " + m + '\n';
            log += "Nov 27 10:00:01 beta kernel: IPv4: martian source 10.0.0.1 from 10.0.0.2\n";
        }
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(2));
        QCOMPARE(r.events[0].host, u"alpha"_s);
        QCOMPARE(r.events[1].host, u"beta"_s);
        for (const OomEvent &e : r.events) {
            QVERIFY(e.complete);
            QCOMPARE(e.rawLines.size(), size_t(report.size())); // no noise line was taken in
            QCOMPARE(e.tasks.size(), size_t(1));
        }
    }

    void headerlessKillLine()
    {
        const QByteArray log =
            "[  1.000000] boot\n"
            "[  2.000000] Out of memory: Killed process 42 (hog) total-vm:100kB, anon-rss:90kB, "
            "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
            "[  2.100000] oom_reaper: reaped process 42 (hog), now anon-rss:0kB, file-rss:0kB, "
            "shmem-rss:0kB\n";
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(1));
        const OomEvent &e = r.events[0];
        QVERIFY(!e.complete);
        QVERIFY(e.missing.contains(u"header"_s));
        QCOMPARE(e.victim.pid, 42);
        QCOMPARE(e.reapedPid.value_or(0), 42);
        QCOMPARE(e.victim.pgtablesKb.value_or(0), 4);
        QCOMPARE(e.constraint, Constraint::None);
        QVERIFY(hasWarning(r, ParseWarning::Kind::Orphan));
    }

    void ratelimitedStorm()
    {
        // dump_header() is ratelimited, kill lines are not: thousands of bare kill lines, some in
        // the 3.10 "Kill process … score" + "Killed process" pair form.
        QByteArray log;
        for (int i = 0; i < 5000; ++i) {
            const QByteArray pid = QByteArray::number(1000 + i);
            if (i % 2)
                log += "[ 5.000000] Memory cgroup out of memory: Kill process " + pid
                    + " (w) score 5 or sacrifice child\n";
            log += "[ 5.000001] Killed process " + pid + " (w) total-vm:8kB, anon-rss:4kB, file-rss:0kB\n";
            log += "[ 5.000002] audit: noise\n";
        }
        log += "[ 6.000000] oom_kill_process: 4990 callbacks suppressed\n";
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(5000));
        for (size_t i = 0; i < r.events.size(); ++i) {
            const OomEvent &e = r.events[i];
            QVERIFY(!e.complete);
            QCOMPARE(e.victim.pid, qint64(1000 + i));
            QCOMPARE(e.selectedPid.has_value(), bool(i % 2));
            QCOMPARE(e.constraint, i % 2 ? Constraint::Memcg : Constraint::Unknown);
        }
    }

    void newHeaderClosesOpenReport()
    {
        const QList<QByteArray> report = bareReport();
        QByteArray log;
        for (int i = 0; i < 30; ++i) // cut inside the stack
            log += report[i] + '\n';
        for (const QByteArray &m : report)
            log += m + '\n';
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(2));
        QVERIFY(!r.events[0].complete);
        QVERIFY(r.events[0].missing.contains(u"kill line"_s));
        QVERIFY(r.events[1].complete);
        QVERIFY(hasWarning(r, ParseWarning::Kind::Truncated));
    }

    void truncationByLine()
    {
        const QList<QByteArray> lines = readFile(realLog()).split('\n');
        for (int k = 0; k <= lines.size(); ++k) {
            const QByteArray cut = lines.mid(0, k).join('\n');
            const ParseResult r = parseBytes(cut);
            QVERIFY(r.events.size() <= 3);
            for (const OomEvent &e : r.events) {
                if (!e.victim.present) {
                    QVERIFY(!e.complete);
                    QVERIFY(hasWarning(r, ParseWarning::Kind::Truncated));
                }
            }
        }
    }

    void truncationByByte()
    {
        const QByteArray all = readFile(realLog());
        for (qsizetype cut = 0; cut < all.size(); cut += 97) {
            const ParseResult r = parseBytes(all.left(cut));
            QVERIFY(r.events.size() <= 3);
            QCOMPARE(r.bytesRead, cut);
            for (const OomEvent &e : r.events) {
                if (!e.victim.present)
                    QVERIFY(!e.complete);
            }
        }
    }

    void randomGarbage()
    {
        const QByteArray all = readFile(realLog());
        QRandomGenerator rng(20261127);
        for (int round = 0; round < 40; ++round) {
            QByteArray mangled = all;
            const int inserts = 1 + int(rng.bounded(20));
            for (int i = 0; i < inserts; ++i) {
                QByteArray garbage(1 + int(rng.bounded(300)), Qt::Uninitialized);
                for (char &c : garbage)
                    c = char(rng.bounded(256));
                mangled.insert(qsizetype(rng.bounded(quint32(mangled.size()))), garbage);
            }
            const ParseResult r = parseBytes(mangled);
            QVERIFY(r.events.size() <= 3 + size_t(inserts));
            QCOMPARE(r.bytesRead, mangled.size());
        }
    }

    void binaryLinesAreWarnedAndCapped()
    {
        QByteArray log = readFile(realLog());
        // NUL runs inside a report, as after an unclean shutdown.
        log.replace("[  106.187798] memory: usage", QByteArray("\0\0\0\0[  106.187798] memory: usage", 33));
        for (int i = 0; i < 50; ++i)
            log += QByteArray("\x01\x02oom\x03\n");
        ParseOptions options;
        options.maxWarnings = 10;
        const ParseResult r = parseBytes(log, options);
        QCOMPARE(r.events.size(), size_t(3));
        QVERIFY(r.events[0].complete);
        QCOMPARE(r.events[0].memory.limitKb, 65536); // the line survived its NUL bytes
        QVERIFY(hasWarning(r, ParseWarning::Kind::Binary));
        QVERIFY(r.warnings.size() <= size_t(options.maxWarnings) + 2);
        QVERIFY(r.warnings.back().detail.contains(u"further warnings"_s));
    }

    void hugeLine()
    {
        QByteArray log = readFile(realLog());
        const qsizetype at = log.indexOf("[  117.028840]");
        QVERIFY(at > 0);
        QByteArray big(10 * 1024 * 1024, 'A');
        big.replace(5000000, 3, "oom");
        log.insert(at, big + '\n');
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(3));
        for (const OomEvent &e : r.events)
            QVERIFY(e.complete);
        QVERIFY(hasWarning(r, ParseWarning::Kind::LongLine));
        QCOMPARE(r.linesRead, parseBytes(readFile(realLog())).linesRead + 1);
    }

    void crlfEqualsLf()
    {
        for (const QString &path : QStringList {
                 realLog(), dataDir() + u"/eras/08-ubuntu22.04-5.15-mixed-interleaved.syslog.log"_s}) {
            const QByteArray lf = readFile(path);
            QByteArray crlf = lf;
            crlf.replace("\n", "\r\n");
            const ParseResult a = parseBytes(lf);
            const ParseResult b = parseBytes(crlf);
            QCOMPARE(a.events.size(), b.events.size());
            QCOMPARE(a.linesRead, b.linesRead);
            for (size_t i = 0; i < a.events.size(); ++i) {
                const OomEvent &x = a.events[i];
                const OomEvent &y = b.events[i];
                QCOMPARE(x.victim.pid, y.victim.pid);
                QCOMPARE(x.victim.comm, y.victim.comm);
                QCOMPARE(x.tasks.size(), y.tasks.size());
                QCOMPARE(x.tasks.back().comm, y.tasks.back().comm);
                QCOMPARE(x.oomMemcg, y.oomMemcg);
                QCOMPARE(x.rawLines.size(), y.rawLines.size());
                for (size_t j = 0; j < x.rawLines.size(); ++j)
                    QCOMPARE(x.rawLines[j].text, y.rawLines[j].text);
            }
        }
    }

    void cancel()
    {
        QByteArray log = readFile(realLog());
        while (log.size() < 20 * 1024 * 1024)
            log += log;
        QBuffer buffer(&log);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        int calls = 0;
        const ParseResult r = OomReportParser().parse(buffer, [&calls](qint64 done) {
            ++calls;
            return done < 5 * 1024 * 1024;
        });
        QVERIFY(r.canceled);
        QVERIFY(r.bytesRead < log.size());
        QVERIFY(calls >= 2);
    }

    void sinks()
    {
        QByteArray log = readFile(realLog());
        log = log + log + log;
        std::vector<qint64> firstLines;
        qint64 blockBytes = 0;
        ParseSinks sinks;
        sinks.onEvent = [&firstLines](OomEvent &&e) {
            firstLines.push_back(e.firstLine);
        };
        sinks.onBlock = [&blockBytes](const char *, qsizetype n) {
            blockBytes += n;
        };
        QBuffer buffer(&log);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        const ParseResult r = OomReportParser().parse(buffer, {}, sinks);
        QVERIFY(r.events.empty());
        QCOMPARE(firstLines.size(), size_t(9));
        QVERIFY(std::is_sorted(firstLines.begin(), firstLines.end()));
        QCOMPARE(blockBytes, log.size());
    }

    void emptyInput()
    {
        const ParseResult r = parseBytes(QByteArray());
        QVERIFY(r.events.empty());
        QVERIFY(r.error.isEmpty());
        QVERIFY(r.warnings.empty());
        QCOMPARE(r.linesRead, 0);
        QVERIFY(!r.canceled);
    }

    void closedDevice()
    {
        QBuffer buffer;
        const ParseResult r = OomReportParser().parse(buffer);
        QVERIFY(!r.error.isEmpty());
    }

    // Large noise-only input goes through the fast skip path: no events, every line counted.
    // Throughput itself is measured by oomscope-bench, never asserted in a unit test.
    void largeNoiseSkipped()
    {
        const QList<QByteArray> lines = readFile(realLog()).split('\n');
        const QByteArray noise = lines.mid(0, 342).join('\n') + '\n';
        QByteArray log;
        qint64 copies = 0;
        while (log.size() < 64 * 1024 * 1024) {
            log += noise;
            ++copies;
        }
        const ParseResult r = parseBytes(log);
        QVERIFY(r.events.empty());
        QCOMPARE(r.linesRead, copies * 342);
        QCOMPARE(r.bytesRead, qint64(log.size()));
    }
};

QTEST_GUILESS_MAIN(TestOomReportRobustness)
#include "tst_oomreportrobustness.moc"
