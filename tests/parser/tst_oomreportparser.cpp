// SPDX-License-Identifier: GPL-3.0-or-later
// OomReportParser against the fixtures' independent expectations, every prefix style and every
// task-table layout. Inputs meant to break it: tst_oomreportrobustness.
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

bool isStatLine(const QByteArray &line)
{
    static const QRegularExpression re(u"^[a-z_]+ \\d+$"_s);
    return re.match(QString::fromUtf8(line)).hasMatch();
}

struct StyleCase {
    PrefixStyle style;
    QString host;
    std::optional<double> uptime;
    std::optional<QDateTime> wall;
};

// A minimal report around a custom task table, in bare kernel text.
QByteArray tableReport(const QByteArray &tasksState, const QByteArray &header, const QList<QByteArray> &rows,
                       qint64 victim)
{
    QByteArray log = "eth0: link up\n"
                     "worker invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                     "CPU: 1 PID: 77 Comm: worker Not tainted 5.4.0-1-generic #1\n"
                     "memory: usage 1024kB, limit 1024kB, failcnt 3\n";
    if (!tasksState.isEmpty())
        log += tasksState + '\n';
    log += header + '\n';
    for (const QByteArray &row : rows)
        log += row + '\n';
    log += "Memory cgroup out of memory: Killed process " + QByteArray::number(victim)
        + " (worker) total-vm:4096kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:0kB\n";
    return log;
}

// The log prefix of style ps (variant 1: a second form of the same style) for record i.
std::function<QByteArray(int, const QByteArray &)> prefixerFor(PrefixStyle ps, int variant)
{
    using P = PrefixStyle;
    switch (ps) {
    case P::Dmesg:
        return [](int, const QByteArray &m) -> QByteArray {
            return "[  106.187285] " + m;
        };
    case P::DmesgCaller:
        return [](int, const QByteArray &m) -> QByteArray {
            return "[  106.187285][ T2298] " + m;
        };
    case P::DmesgHuman:
        return [variant](int, const QByteArray &m) -> QByteArray {
            QByteArray line(variant ? "[Mi Aug 12 14:22:31 2026] " : "[Fri Nov  6 14:22:31 2026] ");
            return line + m;
        };
    case P::DmesgIso:
        return [](int, const QByteArray &m) -> QByteArray {
            return "2026-11-27T10:15:02,100000+01:00 " + m;
        };
    case P::DmesgRaw:
        return [](int, const QByteArray &m) -> QByteArray {
            return "<4>[  106.187285] " + m;
        };
    case P::Syslog:
        return [variant](int, const QByteArray &m) -> QByteArray {
            QByteArray line("Nov 27 10:00:01 app-7 kernel: ");
            if (variant)
                line += "[  106.187285] ";
            return line + m;
        };
    case P::SyslogPrecise:
        return [](int, const QByteArray &m) -> QByteArray {
            return "Nov 27 10:00:01.482913 app-7 kernel: " + m;
        };
    case P::SyslogIso:
        return [variant](int, const QByteArray &m) -> QByteArray {
            QByteArray line(variant ? "2026-11-27T10:15:02+0100" : "2026-11-27T10:15:02+01:00");
            line += " app-7 kernel: ";
            return line + m;
        };
    case P::JournalMonotonic:
        return [](int, const QByteArray &m) -> QByteArray {
            return "[  106.187285] app-7 kernel: " + m;
        };
    case P::Kmsg:
        return [](int i, const QByteArray &m) -> QByteArray {
            QByteArray line("6,");
            line += QByteArray::number(1000 + i);
            line += ",106187285,-;";
            return line + m;
        };
    case P::Rfc5424:
        return [](int, const QByteArray &m) -> QByteArray {
            return "<4>1 2026-11-27T10:15:02.005000+01:00 app-7 kernel - - - " + m;
        };
    default:
        return [](int, const QByteArray &m) -> QByteArray {
            return m;
        };
    }
}

// The report in style ps between two lines of other subsystems (and a line of another program
// when withOtherProgram); kmsg renders the memory.stat dump as one record.
QByteArray prefixedLog(const QList<QByteArray> &report, PrefixStyle ps,
                       const std::function<QByteArray(int, const QByteArray &)> &prefix,
                       bool withOtherProgram)
{
    using P = PrefixStyle;
    QByteArray log;
    log += prefix(0, "usb 1-1: new high-speed USB device number 2 using xhci_hcd") + '\n';
    if (withOtherProgram)
        log += "Nov 27 10:00:00 app-7 systemd[1]: Started zoom room daemon.\n";
    if (ps == P::Kmsg) {
        // One record per printk; the memory.stat dump is a single record with \x0a escapes,
        // followed by a dictionary line.
        QByteArray stats;
        int i = 0;
        for (const QByteArray &m : report) {
            if (isStatLine(m)) {
                stats += (stats.isEmpty() ? QByteArray() : QByteArray("\\x0a")) + m;
                continue;
            }
            if (!stats.isEmpty()) {
                log += prefix(i++, stats) + "\n SUBSYSTEM=memory\n";
                stats.clear();
            }
            log += prefix(i++, m) + '\n';
        }
    } else {
        int i = 0;
        for (const QByteArray &m : report)
            log += prefix(i++, m) + '\n';
    }
    log += prefix(0, "EXT4-fs (sda1): re-mounted. Quota mode: none.") + '\n';
    return log;
}

} // namespace

class TestOomReportParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("log");
        for (const QString &sub : {u"eras"_s, u"real"_s}) {
            const QDir dir(dataDir() + u'/' + sub);
            for (const QString &name : dir.entryList({u"*.log"_s}, QDir::Files, QDir::Name))
                QTest::newRow(qPrintable(name)) << dir.filePath(name);
        }
    }

    void fixtures()
    {
        QFETCH(QString, log);
        QString expectedPath = log;
        expectedPath.replace(QRegularExpression(u"\\.log$"_s), u".expected.json"_s);
        const QJsonObject expected = QJsonDocument::fromJson(readFile(expectedPath)).object();
        QVERIFY2(!expected.isEmpty(), qPrintable(expectedPath));
        const QJsonArray events = expected.value(u"events"_s).toArray();

        OpenedLog opened = openLog(log);
        QVERIFY2(opened.device, qPrintable(opened.error));
        const ParseResult r = OomReportParser().parse(*opened.device);
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.events.size(), size_t(events.size()));

        for (qsizetype i = 0; i < events.size(); ++i) {
            const QJsonObject want = events[i].toObject();
            const OomEvent &got = r.events[size_t(i)];
            QVERIFY2(got.complete, qPrintable(got.missing.join(u", "_s)));
            QCOMPARE(got.victim.pid, want[u"victim_pid"_s].toInteger());
            QCOMPARE(got.victim.comm, want[u"victim_comm"_s].toString());
            QCOMPARE(constraintName(got.constraint), want[u"constraint"_s].toString());
            if (want[u"memcg"_s].isNull())
                QVERIFY(got.oomMemcg.isEmpty());
            else
                QCOMPARE(got.oomMemcg, want[u"memcg"_s].toString());
            if (want[u"limit_kb"_s].isNull()) {
                QVERIFY(!got.memory.present);
            } else {
                QCOMPARE(got.memory.limitKb, want[u"limit_kb"_s].toInteger());
                QCOMPARE(got.memory.usageKb, want[u"usage_kb"_s].toInteger());
            }
            std::set<qint64> pids;
            for (const OomTask &t : got.tasks)
                pids.insert(t.pid);
            for (const QJsonValue &rank : want[u"ranking"_s].toArray()) {
                const qint64 pid = rank[u"pid"_s].toInteger();
                QVERIFY2(pids.count(pid), qPrintable(u"pid %1 missing from the task table"_s.arg(pid)));
            }
            if (want.contains(u"selected_pid"_s)) {
                QCOMPARE(got.selectedPid.value_or(-1), want[u"selected_pid"_s].toInteger());
                QCOMPARE(got.kernelSelectedPid(), want[u"selected_pid"_s].toInteger());
                QCOMPARE(got.selectedScore.value_or(-1), want[u"kernel_score"_s].toInteger());
            }
            if (want.contains(u"oom_group_killed_pids"_s)) {
                QVERIFY(got.oomGroup);
                QCOMPARE(got.oomGroupMemcg, want[u"oom_group"_s].toString());
                std::vector<qint64> groupPids;
                for (const KilledProcess &k : got.groupKilled)
                    groupPids.push_back(k.pid);
                std::vector<qint64> wantPids;
                for (const QJsonValue &v : want[u"oom_group_killed_pids"_s].toArray())
                    wantPids.push_back(v.toInteger());
                QCOMPARE(groupPids, wantPids);
            } else {
                QVERIFY(!got.oomGroup);
                QVERIFY(got.groupKilled.empty());
            }
            QVERIFY(got.firstLine > 0 && got.lastLine >= got.firstLine);
            QVERIFY(!got.rawLines.empty());
            QCOMPARE(got.rawLines.front().line, got.firstLine);
            QVERIFY(got.rawLines.front().text.contains(u"invoked oom-killer"_s));
        }
    }

    // `analyze` leaves the task rows' text out (keepTaskRowLines = false): every real report then
    // gives the same events, tasks and line ranges, and the raw lines less exactly its task rows.
    void withoutTaskRowLines_data() { fixtures_data(); }
    void withoutTaskRowLines()
    {
        QFETCH(QString, log);
        const QByteArray bytes = readFile(log);
        QVERIFY(!bytes.isEmpty());
        ParseOptions lean;
        lean.keepTaskRowLines = false;
        const ParseResult all = OomReportParser().parse(bytes);
        const ParseResult rowless = OomReportParser(lean).parse(bytes);
        QCOMPARE(rowless.events.size(), all.events.size());
        QCOMPARE(rowless.warnings.size(), all.warnings.size());
        for (std::size_t i = 0; i < all.events.size(); ++i) {
            const OomEvent &a = all.events[i];
            const OomEvent &b = rowless.events[i];
            QCOMPARE(b.firstLine, a.firstLine);
            QCOMPARE(b.lastLine, a.lastLine);
            QCOMPARE(b.complete, a.complete);
            QCOMPARE(b.victim.pid, a.victim.pid);
            QCOMPARE(b.memcgStats, a.memcgStats);
            QCOMPARE(b.tasks.size(), a.tasks.size());
            std::set<qint64> rowLines;
            for (std::size_t t = 0; t < a.tasks.size(); ++t) {
                QCOMPARE(b.tasks[t].pid, a.tasks[t].pid);
                QCOMPARE(b.tasks[t].rssPages, a.tasks[t].rssPages);
                QCOMPARE(b.tasks[t].comm, a.tasks[t].comm);
                rowLines.insert(a.tasks[t].line);
            }
            std::vector<qint64> expected, got;
            for (const RawLine &l : a.rawLines)
                if (!rowLines.count(l.line))
                    expected.push_back(l.line);
            for (const RawLine &l : b.rawLines)
                got.push_back(l.line);
            QCOMPARE(got, expected);
            QVERIFY(a.tasks.empty() || b.rawLines.size() < a.rawLines.size());
        }
    }

    // Fixture 01: the kernel selected 3120 ("Kill process") but killed child 3388.
    void sacrificeChild()
    {
        const ParseResult r = parseBytes(
            readFile(dataDir() + u"/eras/01-el7-3.10-memcg-docker-sacrifice-child.messages.log"_s));
        QCOMPARE(r.events.size(), size_t(2));
        const OomEvent &e = r.events[0];
        QCOMPARE(e.selectedPid.value_or(0), 3120);
        QCOMPARE(e.selectedComm, u"java"_s);
        QCOMPARE(e.victim.pid, 3388);
        QCOMPARE(e.victim.uid.value_or(-1), 1000);
        QCOMPARE(e.victim.shmemRssKb.value_or(-1), 0);
        QCOMPARE(e.victim.totalVmKb, 280492);
        QCOMPARE(e.layout, TaskTableLayout::NrPtes);
        QCOMPARE(e.cpuset, u"7494564d3c27c1ebd2dd000c84b7ec3f702d0314d0c4d202dd7d4aa874abbf7a"_s);
        QCOMPARE(e.memsw.failcnt, 5120);
        QVERIFY(e.kmem.unlimited());
        QCOMPARE(e.kernelRelease, u"3.10.0-1160.83.1.el7.x86_64"_s);
        QCOMPARE(e.host, u"app-node-07"_s);
        QCOMPARE(e.triggerPid, 3127);
        // Single-line v1 stats are in KB: cache:64132KB.
        QCOMPARE(e.memcgStats.front().first, u"cache"_s);
        QCOMPARE(e.memcgStats.front().second, 64132 * 1024);
    }

    void globalMemInfo()
    {
        const ParseResult r =
            parseBytes(readFile(dataDir() + u"/eras/02-al2-4.14-global-meminfo.dmesg.log"_s));
        QCOMPARE(r.events.size(), size_t(1));
        const OomEvent &e = r.events[0];
        QCOMPARE(e.ramPages.value_or(0), 2097022);
        QCOMPARE(e.reservedPages.value_or(0), 49631);
        QCOMPARE(e.totalSwapKb.value_or(0), 2097148);
        QCOMPARE(e.freeSwapKb.value_or(-1), 0);
        // totalram_pages = RAM - reserved = Σ managed / 4 (kernel-oom-formats.md §2.5).
        QCOMPARE(e.managedKbSum.value_or(0) / 4, 2097022 - 49631);
        QCOMPARE(e.reapedPid.value_or(0), 4120);
        QCOMPARE(e.layout, TaskTableLayout::NrPtesNrPmds);
        QCOMPARE(e.gfpMask, u"0x14200ca(GFP_HIGHUSER_MOVABLE)"_s);
        QCOMPARE(e.uptimeSeconds.value_or(0), 861234.507122);
    }

    void prefixStyles_data()
    {
        QTest::addColumn<int>("style");
        QTest::addColumn<QString>("host");
        QTest::addColumn<double>("uptime"); // < 0: none
        QTest::addColumn<QDateTime>("wall"); // invalid: none
        const QDateTime local(QDate(2026, 11, 27), QTime(10, 0, 1), Qt::LocalTime);
        const QDateTime plusOne(QDate(2026, 11, 27), QTime(10, 15, 2), Qt::OffsetFromUTC, 3600);
        using P = PrefixStyle;
        QTest::newRow("dmesg") << int(P::Dmesg) << QString() << 106.187285 << QDateTime();
        QTest::newRow("caller") << int(P::DmesgCaller) << QString() << 106.187285 << QDateTime();
        QTest::newRow("dmesg-T") << int(P::DmesgHuman) << QString() << -1.0
                                 << QDateTime(QDate(2026, 11, 6), QTime(14, 22, 31), Qt::LocalTime);
        QTest::newRow("dmesg-T-de") << int(P::DmesgHuman) + 100 << QString() << -1.0
                                    << QDateTime(QDate(2026, 8, 12), QTime(14, 22, 31), Qt::LocalTime);
        QTest::newRow("dmesg-iso") << int(P::DmesgIso) << QString() << -1.0
                                   << QDateTime(QDate(2026, 11, 27), QTime(10, 15, 2, 100), Qt::OffsetFromUTC,
                                                3600);
        QTest::newRow("dmesg-r") << int(P::DmesgRaw) << QString() << 106.187285 << QDateTime();
        QTest::newRow("syslog") << int(P::Syslog) << u"app-7"_s << -1.0 << local;
        QTest::newRow("syslog+ts") << int(P::Syslog) + 100 << u"app-7"_s << 106.187285 << local;
        QTest::newRow("short-precise") << int(P::SyslogPrecise) << u"app-7"_s << -1.0
                                       << QDateTime(QDate(2026, 11, 27), QTime(10, 0, 1, 482), Qt::LocalTime);
        QTest::newRow("short-iso") << int(P::SyslogIso) << u"app-7"_s << -1.0 << plusOne;
        QTest::newRow("short-iso-0100") << int(P::SyslogIso) + 100 << u"app-7"_s << -1.0 << plusOne;
        QTest::newRow("short-monotonic")
            << int(P::JournalMonotonic) << u"app-7"_s << 106.187285 << QDateTime();
        QTest::newRow("kmsg") << int(P::Kmsg) << QString() << 106.187285 << QDateTime();
        QTest::newRow("rfc5424") << int(P::Rfc5424) << u"app-7"_s << -1.0
                                 << QDateTime(QDate(2026, 11, 27), QTime(10, 15, 2, 5), Qt::OffsetFromUTC,
                                              3600);
        QTest::newRow("none") << int(P::None) << QString() << -1.0 << QDateTime();
    }

    void prefixStyles()
    {
        QFETCH(int, style);
        QFETCH(QString, host);
        QFETCH(double, uptime);
        QFETCH(QDateTime, wall);
        const int variant = style / 100;
        const auto ps = PrefixStyle(style % 100);
        const QList<QByteArray> report = bareReport();
        QCOMPARE(report.size(), 79);

        const QByteArray log = prefixedLog(report, ps, prefixerFor(ps, variant), !host.isEmpty());

        ParseOptions options;
        options.assumedYear = 2026;
        const ParseResult r = parseBytes(log, options);
        QCOMPARE(r.events.size(), size_t(1));
        const OomEvent &e = r.events[0];
        QVERIFY2(e.complete, qPrintable(e.missing.join(u", "_s)));
        QCOMPARE(int(e.prefixStyle), int(ps));
        QCOMPARE(e.host, host);
        QCOMPARE(e.victim.pid, 2298);
        QCOMPARE(e.triggerPid, 2298);
        QCOMPARE(e.tasks.size(), size_t(1));
        QCOMPARE(e.tasks[0].rssAnonPages.value_or(0), 16288);
        QCOMPARE(e.memcgStatsPath, u"/oomlab"_s);
        QCOMPARE(e.memcgStats.size(), size_t(42));
        QCOMPARE(e.memory.limitKb, 65536);
        QCOMPARE(e.kernelRelease, u"6.18.44-fc-v782"_s);
        QCOMPARE(e.firstLine, qint64(host.isEmpty() ? 2 : 3));
        if (uptime < 0)
            QVERIFY(!e.uptimeSeconds);
        else
            QCOMPARE(e.uptimeSeconds.value_or(0), uptime);
        if (wall.isValid()) {
            QVERIFY(e.wallTime);
            QCOMPARE(*e.wallTime, wall);
        } else {
            QVERIFY(!e.wallTime);
        }
        QVERIFY(r.warnings.empty());
    }

    void rsyslogEscapedNewlines()
    {
        // rsyslog renders the embedded newlines of a multi-line record as "#012".
        const QByteArray log =
            "Nov 27 03:14:07 h kernel: x invoked oom-killer: gfp_mask=0xd0, order=0, oom_adj=0\n"
            "Nov 27 03:14:07 h kernel: Mem-Info:\n"
            "Nov 27 03:14:07 h kernel: active_anon:1 inactive_anon:2#012 active_file:3 inactive_file:4#012 "
            "free:5\n"
            "Nov 27 03:14:07 h kernel: Node 0 DMA32 free:4kB min:1kB present:800kB managed:400kB\n"
            "Nov 27 03:14:07 h kernel: 300 pages RAM\n"
            "Nov 27 03:14:07 h kernel: [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj "
            "name\n"
            "Nov 27 03:14:07 h kernel: [ 10]     0    10     1000      100      10        0             0 x\n"
            "Nov 27 03:14:07 h kernel: Out of memory: Kill process 10 (x) score 1 or sacrifice child\n"
            "Nov 27 03:14:07 h kernel: Killed process 10 (x) total-vm:4000kB, anon-rss:400kB, file-rss:0kB\n";
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(1));
        const OomEvent &e = r.events[0];
        QVERIFY(e.complete);
        QVERIFY(e.triggerUsesOldOomAdj);
        QCOMPARE(e.constraint, Constraint::None);
        QCOMPARE(e.managedKbSum.value_or(0), 400);
        QCOMPARE(e.ramPages.value_or(0), 300);
        const bool split = std::any_of(e.rawLines.begin(), e.rawLines.end(), [](const RawLine &l) {
            return l.text == u"active_file:3 inactive_file:4"_s;
        });
        QVERIFY(split);
    }

    void taskTableLayouts_data()
    {
        QTest::addColumn<QByteArray>("tasksState");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("row");
        QTest::addColumn<int>("layout");
        QTest::addColumn<qint64>("pid");
        QTest::addColumn<qint64>("uid");
        QTest::addColumn<qint64>("rss");
        QTest::addColumn<qint64>("pageTablePages");
        QTest::addColumn<int>("adj");
        QTest::addColumn<QString>("comm");

        QTest::newRow("nr_ptes")
            << QByteArray()
            << QByteArray("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name")
            << QByteArray("[ 3120]  1000  3120  1834221   505432    1203        7             0 java")
            << int(TaskTableLayout::NrPtes) << qint64(3120) << qint64(1000) << qint64(505432) << qint64(1203)
            << 0 << u"java"_s;
        QTest::newRow("nr_ptes+nr_pmds")
            << QByteArray()
            << QByteArray("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name")
            << QByteArray("[ 4120]  1000  4120  4520213  1505446    3921      22   365120          -900 java")
            << int(TaskTableLayout::NrPtesNrPmds) << qint64(4120) << qint64(1000) << qint64(1505446)
            << qint64(3943) << -900 << u"java"_s;
        QTest::newRow("pgtables_bytes (RHEL 8, no Tasks state)")
            << QByteArray()
            << QByteArray("[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")
            << QByteArray("[  900]     0   900    79321    28512   352256        0             0 gunicorn")
            << int(TaskTableLayout::PgtablesBytes) << qint64(900) << qint64(0) << qint64(28512) << qint64(86)
            << 0 << u"gunicorn"_s;
        QTest::newRow("pgtables_bytes with Tasks state")
            << QByteArray("Tasks state (memory values in pages):")
            << QByteArray(
                   "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")
            << QByteArray("[   4133]     0  4133    79321    28512   352256        0             0 gunicorn")
            << int(TaskTableLayout::PgtablesBytes) << qint64(4133) << qint64(0) << qint64(28512) << qint64(86)
            << 0 << u"gunicorn"_s;
        QTest::newRow("rss split") << QByteArray("Tasks state (memory values in pages):")
                                   << QByteArray("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file "
                                                 "rss_shmem pgtables_bytes swapents oom_score_adj name")
                                   << QByteArray("[   2103]  1000  2103   466211   451233   451200       33  "
                                                 "       0  1806336        0          1000 stress-ng-vm")
                                   << int(TaskTableLayout::RssSplit) << qint64(2103) << qint64(1000)
                                   << qint64(451233) << qint64(441) << 1000 << u"stress-ng-vm"_s;
        // Widths overflow: uid >= 100000 and pid >= 10^7 shift the columns; the comm has a space.
        QTest::newRow("wide uid, comm with spaces")
            << QByteArray("Tasks state (memory values in pages):")
            << QByteArray(
                   "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")
            << QByteArray("[12345678] 1000650000 12345678   119302    54400   471040        0          -998 "
                          "tmux: server")
            << int(TaskTableLayout::PgtablesBytes) << qint64(12345678) << qint64(1000650000) << qint64(54400)
            << qint64(115) << -998 << u"tmux: server"_s;
    }

    void taskTableLayouts()
    {
        QFETCH(QByteArray, tasksState);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, row);
        QFETCH(int, layout);
        QFETCH(qint64, pid);
        QFETCH(qint64, uid);
        QFETCH(qint64, rss);
        QFETCH(qint64, pageTablePages);
        QFETCH(int, adj);
        QFETCH(QString, comm);
        const ParseResult r = parseBytes(tableReport(tasksState, header, {row}, pid));
        QCOMPARE(r.events.size(), size_t(1));
        const OomEvent &e = r.events[0];
        QVERIFY2(e.complete, qPrintable(e.missing.join(u", "_s)));
        QCOMPARE(int(e.layout), layout);
        QCOMPARE(e.hasTasksStateLine, !tasksState.isEmpty());
        QCOMPARE(e.tasks.size(), size_t(1));
        const OomTask &t = e.tasks[0];
        QCOMPARE(t.pid, pid);
        QCOMPARE(t.tgid, pid);
        QCOMPARE(t.uid, uid);
        QCOMPARE(t.rssPages, rss);
        QCOMPARE(t.pageTablePages(), pageTablePages);
        QCOMPARE(t.oomScoreAdj, adj);
        QCOMPARE(t.comm, comm);
        QCOMPARE(t.line, qint64(tasksState.isEmpty() ? 6 : 7));
    }

    void summaryLineWithCommas()
    {
        // Comm and nodemask may contain commas: split from the right on the known anchors.
        QByteArray log =
            tableReport("Tasks state (memory values in pages):",
                        "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
                        {"[     77]  1000    77     1000      200     4096        0             0 a,b"}, 77);
        log.replace("Memory cgroup out of memory: Killed",
                    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=0-1,3,cpuset=/,mems_allowed=0-1,3,"
                    "oom_memcg=/x,y,task_memcg=/x,y/z,task=a,b,pid=77,uid=1000\n"
                    "Memory cgroup out of memory: Killed");
        const ParseResult r = parseBytes(log);
        QCOMPARE(r.events.size(), size_t(1));
        const OomEvent &e = r.events[0];
        QVERIFY(e.hasSummaryLine);
        QCOMPARE(e.summaryComm, u"a,b"_s);
        QCOMPARE(e.summaryPid.value_or(0), 77);
        QCOMPARE(e.summaryUid.value_or(0), 1000);
        QCOMPARE(e.oomMemcg, u"/x,y"_s);
        QCOMPARE(e.taskMemcg, u"/x,y/z"_s);
        QCOMPARE(e.memsAllowed, u"0-1,3"_s);
        QCOMPARE(e.constraint, Constraint::Memcg);
        QCOMPARE(e.tasks.at(0).comm, u"a,b"_s);
    }
};

QTEST_GUILESS_MAIN(TestOomReportParser)
#include "tst_oomreportparser.moc"
