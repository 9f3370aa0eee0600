// SPDX-License-Identifier: GPL-3.0-or-later
// Other killers' lines, recognised from real lines (tests/data/deaths/public-killer-lines.log and
// earlyoom's own output captured by tst_deaths_live; sources in tests/data/README.md): every
// systemd-oomd wording (247 "Killed … due to memory pressure", 250 swap rule "memory used …",
// 254+ "Marked … for killing"), earlyoom 1.1 – 1.8, containerd, dockerd, systemd units, the
// kubelet's eviction manager (structured and pre-1.21 klog), and lines that must not match.

#include "killerlines.h"
#include "prefixparser.h"

#include <QDirIterator>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

QByteArray readData(const QString &name)
{
    QFile f(QStringLiteral(OOMSCOPE_TEST_DATA) + u"/deaths/"_s + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}

KillerLineScan scan(const QByteArray &bytes)
{
    return scanKillerLines(std::string_view(bytes.constData(), size_t(bytes.size())), 2026);
}

// What the scanner must find, the slow way: every line (cut at maxLineBytes, without its \r)
// through the prefix parser and recogniseKillerLine. Pairs of line number and kind.
std::vector<std::pair<qint64, KillerLine::Kind>> lineByLine(const QByteArray &bytes, qsizetype maxLineBytes)
{
    std::vector<std::pair<qint64, KillerLine::Kind>> out;
    qint64 number = 0;
    for (const QByteArray &whole : bytes.split('\n')) {
        ++number;
        QByteArrayView line = QByteArrayView(whole).first(std::min(whole.size(), maxLineBytes));
        if (line.endsWith('\r'))
            line.chop(1);
        const LinePrefix prefix = parseLinePrefix(std::string_view(line.data(), size_t(line.size())));
        if (const std::optional<KillerLine> k = recogniseKillerLine(prefix.message))
            out.emplace_back(number, k->kind);
    }
    if (bytes.endsWith('\n') || bytes.isEmpty())
        out.erase(std::remove_if(out.begin(), out.end(), [&](const auto &p) { return p.first == number; }),
                  out.end());
    return out;
}

} // namespace

class TestKillerLines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publicLines()
    {
        const KillerLineScan s = scan(readData(u"public-killer-lines.log"_s));
        QCOMPARE(s.linesRead, 16);
        QCOMPARE(s.lines.size(), std::size_t(16));
        using K = KillerLine::Kind;
        const auto &l = s.lines;
        QCOMPARE(l[0].kind, K::OomdKill);
        QCOMPARE(l[0].rule, u"memory pressure"_s);
        QVERIFY(l[0].cgroup.endsWith(u"/vte-spawn-dbb4a75e-031f-480d-924b-5de5af7579d2.scope"_s));
        QVERIFY(l[0].detail.contains(u"51.07% > 50.00% for > 20s"_s));
        QCOMPARE(l[0].host, u"user-desktop"_s);
        QCOMPARE(l[0].wallTime->date(), QDate(2026, 12, 18));
        QCOMPARE(l[1].kind, K::OomdUnitKilled);
        QCOMPARE(l[1].unit, u"vte-spawn-dbb4a75e-031f-480d-924b-5de5af7579d2.scope"_s);
        QCOMPARE(l[2].kind, K::OomdKill);
        QCOMPARE(l[2].rule, u"swap"_s);
        QCOMPARE(l[2].cgroup, u"/system.slice/httpd.service"_s);
        QCOMPARE(l[3].kind, K::OomdKill);
        QCOMPARE(l[3].cgroup, u"/system.slice/systemd-journald.service"_s);
        QCOMPARE(l[3].rule, u"memory pressure"_s);
        QCOMPARE(l[4].kind, K::OomdUnitKilled);
        QCOMPARE(l[5].kind, K::EarlyoomLowMemory);
        QCOMPARE(l[6].kind, K::EarlyoomKill);
        QCOMPARE(l[6].pid, std::optional<std::int64_t>(29410));
        QCOMPARE(l[6].comm, u"cluster"_s);
        QCOMPARE(l[6].signal, std::optional<int>(15));
        QCOMPARE(l[6].badness, std::optional<std::int64_t>(1264));
        QCOMPARE(l[6].vmRssMiB, std::optional<std::int64_t>(23964));
        QCOMPARE(l[7].pid, std::optional<std::int64_t>(12006));
        QCOMPARE(l[7].comm, u"python3"_s);
        QCOMPARE(l[8].pid, std::optional<std::int64_t>(27541));
        QCOMPARE(l[8].signal, std::optional<int>(15));
        QCOMPARE(l[9].pid, std::optional<std::int64_t>(5874));
        QCOMPARE(l[9].comm, u"bash"_s);
        QCOMPARE(l[9].vmRssMiB, std::optional<std::int64_t>(3160));
        QCOMPARE(l[10].pid, std::optional<std::int64_t>(906175));
        QCOMPARE(l[10].badness, std::optional<std::int64_t>(1170));
        QCOMPARE(l[11].kind, K::RuntimeOom);
        QCOMPARE(l[11].containerId, u"4bcba7fc4369fee4d7d2e6263b58fce52cfc928c6a31cfac4d43c838708991ce"_s);
        QCOMPARE(l[12].kind, K::RuntimeOom);
        QCOMPARE(l[12].namespaceName, u"jhub-prod"_s);
        QCOMPARE(l[12].container, u"notebook"_s);
        QCOMPARE(l[12].podUid, u"efa75591-6e89-11e9-bf85-001a4a16016d"_s);
        QCOMPARE(l[13].kind, K::UnitOomKilled);
        QCOMPARE(l[13].unit, u"system.slice"_s);
        QCOMPARE(l[14].kind, K::RuntimeOom);
        QCOMPARE(l[14].cgroup, u"/"_s);
        // containerd 2.1 leaves a zero exit_status out: an exit, not a SIGKILL.
        QCOMPARE(l[15].kind, K::RuntimeExit);
        QCOMPARE(l[15].containerId, u"a63d55fffc860bf75715774c3b302a970fc4df138d6ef041df53d040c4b52f04"_s);
        QCOMPARE(l[15].pid, std::optional<std::int64_t>(131544));
        QCOMPARE(l[15].exitCode, std::optional<int>(0));
        for (std::size_t i = 0; i < l.size(); ++i)
            QCOMPARE(l[i].line, qint64(i + 1));
    }

    void earlyoomOwnOutput_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << u"earlyoom-sigterm.out"_s << 15;
        QTest::newRow("SIGKILL") << u"earlyoom-sigkill.out"_s << 9;
    }
    void earlyoomOwnOutput()
    {
        QFETCH(QString, file);
        QFETCH(int, signal);
        const KillerLineScan s = scan(readData(file));
        QVERIFY(s.lines.size() >= 2);
        QCOMPARE(s.lines[0].kind, KillerLine::Kind::EarlyoomLowMemory);
        QCOMPARE(s.lines[1].kind, KillerLine::Kind::EarlyoomKill);
        QCOMPARE(s.lines[1].signal, std::optional<int>(signal));
        QCOMPARE(s.lines[1].pid, std::optional<std::int64_t>(2));
        QCOMPARE(s.lines[1].comm, u"oomscope_e2e_ho"_s);
    }

    void kubeletEviction()
    {
        const KillerLineScan s = scan(readData(u"kubelet-eviction.log"_s));
        using K = KillerLine::Kind;
        std::vector<K> kinds;
        for (const KillerLine &l : s.lines)
            kinds.push_back(l.kind);
        QCOMPARE(kinds,
                 (std::vector<K> {K::KubeletReclaim, K::KubeletRanked, K::KubeletEvicted, K::KubeletReclaim,
                                  K::KubeletRanked, K::KubeletEvicted, K::KubeletReclaim, K::KubeletRanked,
                                  K::KubeletEvicted}));
        QCOMPARE(s.lines[0].rule, u"memory"_s);
        QCOMPARE(s.lines[1].rankedPods,
                 (QStringList {u"batch/report-5d9f"_s, u"media/render-7f9c"_s,
                               u"kube-system/coredns-5d78c9869d-8xq2k"_s}));
        QCOMPARE(s.lines[2].namespaceName, u"batch"_s);
        QCOMPARE(s.lines[2].pod, u"report-5d9f"_s);
        QCOMPARE(s.lines[3].rule, u"ephemeral-storage"_s);
        QCOMPARE(s.lines[6].rule, u"memory"_s);
        QCOMPARE(s.lines[7].rankedPods.size(), 2);
        QCOMPARE(s.lines[8].pod, u"memhog"_s);
        QCOMPARE(s.lines[8].namespaceName, u"default"_s);
        QCOMPARE(s.lines[8].podUid, u"3f2a9c1e-6d0b-4d57-9a43-1c5e2b7a8d90"_s);
    }

    void notKillerLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        // Lines near the wordings that are no kill (real lines of the same sources).
        QTest::newRow("oomd considered") << QByteArray(
            "mars 01 14:37:27 systemd-oomd[666]: Considered 145 cgroups for killing, top candidates were:");
        QTest::newRow("oomd pressure") << QByteArray(
            "Sep 10 14:59:49 image systemd-oomd[34]: Memory pressure for /testsuite.slice/testsuite-55.slice/"
            "testsuite-55-workload.slice is 64.15% > 1.00% for > 30s with reclaim activity");
        QTest::newRow("earlyoom avail")
            << QByteArray("mem avail:  9700 of 13855 MiB (70 %), swap free:    0 of    0 MiB ( 0 %)");
        QTest::newRow("kubelet housekeeping")
            << QByteArray("I1215 19:22:27.075748   77158 eviction_manager.go:243] eviction manager: "
                          "synchronize housekeeping");
        QTest::newRow("kernel kill line") << QByteArray(
            "[ 1234.567890] Memory cgroup out of memory: Killed process 4711 (worker) total-vm:71256kB");
        QTest::newRow("dockerd die without exit code") << QByteArray(
            "container die 29d72966e0beb17d9b0b9fbcbfc734e2df2eb5428690115f9b24430357de08e5 (name=x)");
    }
    void notKillerLines()
    {
        QFETCH(QByteArray, line);
        QVERIFY(scan(line).lines.empty());
    }

    void blocksOfAnySize()
    {
        // The scanner sees the parser's raw blocks: a line cut anywhere must still be found once.
        const QByteArray all = readData(u"public-killer-lines.log"_s);
        for (const qsizetype step : {1, 7, 64, 4096}) {
            KillerLineScanner scanner(2026);
            for (qsizetype i = 0; i < all.size(); i += step)
                scanner.feed(all.constData() + i, std::min(step, all.size() - i));
            QCOMPARE(scanner.finish().lines.size(), std::size_t(16));
        }
    }

    void sameLinesAsLineByLine_data()
    {
        QTest::addColumn<QString>("path");
        QDirIterator it(QStringLiteral(OOMSCOPE_TEST_DATA), {u"*.log"_s}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QTest::newRow(qPrintable(path.mid(int(qstrlen(OOMSCOPE_TEST_DATA)) + 1))) << path;
        }
    }

    void sameLinesAsLineByLine()
    {
        // The scanner skips the lines that hold none of its anchors without decoding them: that
        // must drop no line recogniseKillerLine takes, with \r\n endings and lines cut too.
        QFETCH(QString, path);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray lf = f.readAll() + readData(u"public-killer-lines.log"_s);
        QByteArray crlf = lf;
        crlf.replace("\n", "\r\n");
        for (const QByteArray &bytes : {lf, crlf}) {
            for (const qsizetype maxLineBytes : {qsizetype(64 * 1024), qsizetype(40)}) {
                const auto want = lineByLine(bytes, maxLineBytes);
                QVERIFY(maxLineBytes < 1024 || want.size() >= 16);
                for (const qsizetype step : {qsizetype(5), qsizetype(4093), bytes.size()}) {
                    KillerLineScanner scanner(2026, maxLineBytes);
                    for (qsizetype i = 0; i < bytes.size(); i += step)
                        scanner.feed(bytes.constData() + i, std::min(step, bytes.size() - i));
                    const KillerLineScan got = scanner.finish();
                    std::vector<std::pair<qint64, KillerLine::Kind>> gotPairs;
                    for (const KillerLine &k : got.lines)
                        gotPairs.emplace_back(k.line, k.kind);
                    QCOMPARE(gotPairs, want);
                    QCOMPARE(got.linesRead, bytes.count('\n') + (bytes.endsWith('\n') ? 0 : 1));
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestKillerLines)
#include "tst_killerlines.moc"
