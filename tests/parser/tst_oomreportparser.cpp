// SPDX-License-Identifier: GPL-3.0-or-later
// OomReportParser against the fixtures' independent expectations, every prefix style, every
// task-table layout, and inputs meant to break it.
#include "logsource.h"
#include "oomreportparser.h"

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

namespace {

QString dataDir()
{
    return QStringLiteral(OOMSCOPE_TEST_DATA);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QString realLog()
{
    return dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
}

ParseResult parseBytes(const QByteArray &bytes, ParseOptions options = {})
{
    return OomReportParser(options).parse(bytes);
}

bool hasWarning(const ParseResult &r, ParseWarning::Kind kind)
{
    return std::any_of(r.warnings.begin(), r.warnings.end(),
                       [kind](const ParseWarning &w) { return w.kind == kind; });
}

// The kernel text of the first report of the real 6.18 log, dmesg prefix removed; the base for
// re-prefixing into every other style.
QList<QByteArray> bareReport()
{
    const QList<QByteArray> lines = readFile(realLog()).split('\n');
    QList<QByteArray> out;
    static const QRegularExpression prefix(u"^\\[\\s*\\d+\\.\\d+\\] "_s);
    for (int i = 342; i < 421 && i < lines.size(); ++i) // lines 343..421, 1-based
        out << QString::fromUtf8(lines[i]).remove(prefix).toUtf8();
    return out;
}

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

        std::function<QByteArray(int, const QByteArray &)> prefix;
        using P = PrefixStyle;
        switch (ps) {
        case P::Dmesg:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "[  106.187285] " + m;
            };
            break;
        case P::DmesgCaller:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "[  106.187285][ T2298] " + m;
            };
            break;
        case P::DmesgHuman:
            prefix = [variant](int, const QByteArray &m) -> QByteArray {
                QByteArray line(variant ? "[Mi Aug 12 14:22:31 2026] " : "[Fri Nov  6 14:22:31 2026] ");
                return line + m;
            };
            break;
        case P::DmesgIso:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "2026-11-27T10:15:02,100000+01:00 " + m;
            };
            break;
        case P::DmesgRaw:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "<4>[  106.187285] " + m;
            };
            break;
        case P::Syslog:
            prefix = [variant](int, const QByteArray &m) -> QByteArray {
                QByteArray line("Nov 27 10:00:01 app-7 kernel: ");
                if (variant)
                    line += "[  106.187285] ";
                return line + m;
            };
            break;
        case P::SyslogPrecise:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "Nov 27 10:00:01.482913 app-7 kernel: " + m;
            };
            break;
        case P::SyslogIso:
            prefix = [variant](int, const QByteArray &m) -> QByteArray {
                QByteArray line(variant ? "2026-11-27T10:15:02+0100" : "2026-11-27T10:15:02+01:00");
                line += " app-7 kernel: ";
                return line + m;
            };
            break;
        case P::JournalMonotonic:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "[  106.187285] app-7 kernel: " + m;
            };
            break;
        case P::Kmsg:
            prefix = [](int i, const QByteArray &m) -> QByteArray {
                QByteArray line("6,");
                line += QByteArray::number(1000 + i);
                line += ",106187285,-;";
                return line + m;
            };
            break;
        case P::Rfc5424:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return "<4>1 2026-11-27T10:15:02.005000+01:00 app-7 kernel - - - " + m;
            };
            break;
        default:
            prefix = [](int, const QByteArray &m) -> QByteArray {
                return m;
            };
            break;
        }

        QByteArray log;
        log += prefix(0, "usb 1-1: new high-speed USB device number 2 using xhci_hcd") + '\n';
        if (!host.isEmpty())
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

QTEST_GUILESS_MAIN(TestOomReportParser)
#include "tst_oomreportparser.moc"
