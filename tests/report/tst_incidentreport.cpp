// SPDX-License-Identifier: GPL-3.0-or-later
// The incident report: a golden image of the demo incident (with a pixel tolerance), identical
// output for identical input, the PDF's text, self-contained HTML, and the command line.
#include "incidentreport.h"
#include "recordingimport.h"
#include "samplestore.h"
#include "workspace.h"

#include <QFontDatabase>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kDemoDir = QStringLiteral(OOMSCOPE_SOURCE_DIR "/resources/demo/checkout-leak");
const QString kGolden = QStringLiteral(OOMSCOPE_TEST_DATA "/report/golden-checkout-leak.png");
const QString kReportExe = QStringLiteral(OOMSCOPE_BINARY_DIR "/report/oomscope-report");
const QString kThreeKills =
    QStringLiteral(OOMSCOPE_TEST_DATA "/real/linux-6.18-cgroup-v1-three-kills.dmesg.log");
const QString kGlobal68 =
    QStringLiteral(OOMSCOPE_TEST_DATA "/eras/06-ubuntu24.04-6.8-global-rss_anon-tie.dmesg.log");

// pdftotext -layout of a PDF, or a null string when poppler-utils is missing.
QString textOfPdf(const QString &pdf)
{
    const QString pdftotext = QStandardPaths::findExecutable(u"pdftotext"_s);
    if (pdftotext.isEmpty())
        return QString();
    QProcess process;
    process.start(pdftotext, {u"-layout"_s, pdf, u"-"_s});
    if (!process.waitForFinished(30000))
        return QString();
    return QString::fromUtf8(process.readAllStandardOutput());
}

// The demo incident imported into a fresh workspace; returns the page of its (only) kill.
std::optional<ReportPage> demoPage(QTemporaryDir &dir, const ReportOptions &options = {})
{
    Workspace ws;
    if (!ws.open(dir.filePath(u"w.sqlite"_s)))
        return std::nullopt;
    SampleStore store(ws);
    RecordingImportRequest request;
    request.samplesPath = kDemoDir + u"/samples.csv"_s;
    request.procsPath = kDemoDir + u"/procs.csv"_s;
    request.logPaths = {kDemoDir + u"/kernel.log"_s};
    const RecordingImportResult result = importRecording(ws, store, request);
    if (!result.ok || ws.events().empty())
        return std::nullopt;
    Result<ReportPage> page = reportPageForEvent(ws, ws.events().back().id, options);
    if (!page)
        return std::nullopt;
    return std::move(*page);
}

// Share of pixels differing by more than `threshold` in any channel.
double differingShare(const QImage &a, const QImage &b, int threshold)
{
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    qint64 differing = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto *p = reinterpret_cast<const QRgb *>(x.constScanLine(row));
        const auto *q = reinterpret_cast<const QRgb *>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col) {
            if (std::abs(qRed(p[col]) - qRed(q[col])) > threshold
                || std::abs(qGreen(p[col]) - qGreen(q[col])) > threshold
                || std::abs(qBlue(p[col]) - qBlue(q[col])) > threshold)
                ++differing;
        }
    }
    return double(differing) / double(qint64(x.width()) * x.height());
}

} // namespace

class TestIncidentReport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fontsAreBundled();
    void pageHasTheDemoFacts();
    void goldenImage();
    void deterministic();
    void darkThemeIsDark();
    void scaleDoublesPixels();
    void pdfText();
    void htmlIsSelfContained();
    void eventWithoutSamplesHasNote();
    void commandLine();
    void latestIncidentHasAllItsKills();
    void latestIncidentFromTheCommandLine();
    void logOnlyPageShowsTheAnatomy();
    void recordedPageHasAnAnatomySheet();
    void commandLineErrors_data();
    void commandLineErrors();
};

void TestIncidentReport::fontsAreBundled()
{
    QVERIFY(IncidentReport::loadFonts());
    QVERIFY(QFontDatabase::families().contains(IncidentReport::sansFamily()));
    QVERIFY(QFontDatabase::families().contains(IncidentReport::monoFamily()));
}

void TestIncidentReport::pageHasTheDemoFacts()
{
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    QVERIFY(page->event);
    // kernel.log: "Killed process 23026 (checkout_svc.py)"; the demo's scenario is a leak.
    QCOMPARE(page->event->victim.pid, 23026);
    QVERIFY(!page->samples.empty());
    QVERIFY(page->killMs);
    QVERIFY(*page->killMs >= page->fromMs && *page->killMs <= page->toMs);
    QVERIFY(page->verdict);
    QCOMPARE(page->verdict->kind, Verdict::Kind::Leak);
    QVERIFY(!page->verdict->recommendedLimitBytes);
}

void TestIncidentReport::goldenImage()
{
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    const QImage image = IncidentReport::renderImage({*page}, ReportOptions {});
    QCOMPARE(image.size(), QSize(1600, 2 * 1131)); // the page, then its anatomy sheet
    if (qEnvironmentVariableIsSet("OOMSCOPE_UPDATE_GOLDEN")) {
        QVERIFY(image.save(kGolden));
        QSKIP("golden image written");
    }
    QImage golden(kGolden);
    QVERIFY2(!golden.isNull(),
             qPrintable(u"missing "_s + kGolden + u" (OOMSCOPE_UPDATE_GOLDEN=1 writes it)"_s));
    QCOMPARE(golden.size(), image.size());
    const double share = differingShare(image, golden, 32);
    if (share > 0.005)
        image.save(QDir::temp().filePath(u"golden-checkout-leak.actual.png"_s));
    QVERIFY2(share <= 0.005,
             qPrintable(
                 u"%1 % of the pixels differ (actual saved in %2)"_s.arg(share * 100).arg(QDir::tempPath())));
}

void TestIncidentReport::deterministic()
{
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    QCOMPARE(IncidentReport::renderImage({*page}, {}), IncidentReport::renderImage({*page}, {}));
    QCOMPARE(IncidentReport::html({*page}, {}), IncidentReport::html({*page}, {}));
    // A second import of the same input gives the same page too (nothing of "now" in it).
    QTemporaryDir other;
    const std::optional<ReportPage> again = demoPage(other);
    QVERIFY(again);
    QCOMPARE(IncidentReport::renderImage({*again}, {}), IncidentReport::renderImage({*page}, {}));
}

void TestIncidentReport::darkThemeIsDark()
{
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    ReportOptions dark;
    dark.theme = ReportOptions::Theme::Dark;
    const QImage light = IncidentReport::renderImage({*page}, {});
    const QImage image = IncidentReport::renderImage({*page}, dark);
    QVERIFY(qGray(image.pixel(5, 5)) < 64);
    QVERIFY(qGray(light.pixel(5, 5)) > 192);
}

void TestIncidentReport::scaleDoublesPixels()
{
    QTemporaryDir dir;
    ReportOptions options;
    options.widthPx = 1000;
    options.heightPx = 800;
    options.scale = 2;
    const std::optional<ReportPage> page = demoPage(dir, options);
    QVERIFY(page);
    QCOMPARE(IncidentReport::renderImage({*page}, options).size(), QSize(2000, 2 * 1600)); // + anatomy sheet
}

void TestIncidentReport::pdfText()
{
    const QString pdftotext = QStandardPaths::findExecutable(u"pdftotext"_s);
    if (pdftotext.isEmpty())
        QSKIP("pdftotext (poppler-utils) is not installed");
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    const QString pdf = dir.filePath(u"r.pdf"_s);
    const Result<void> written = IncidentReport::writePdf({*page}, pdf, {});
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5).startsWith("%PDF"));
    QProcess process;
    process.start(pdftotext, {u"-layout"_s, pdf, u"-"_s});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    const QString text = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(text.contains(u"checkout_svc.py"_s), qPrintable(text.left(500)));
    QVERIFY(text.contains(u"LEAK"_s));
    // The limit: memory.max of the demo is 134217728 bytes.
    QVERIFY(text.contains(u"128.0 MiB"_s));
    QVERIFY(text.contains(u"No limit recommended"_s));
}

void TestIncidentReport::htmlIsSelfContained()
{
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    const QString html = IncidentReport::html({*page}, {});
    QVERIFY(html.startsWith(u"<!DOCTYPE html>"_s));
    QVERIFY(!html.contains(u"src=\"http"_s));
    QVERIFY(!html.contains(u"href=\"http"_s));
    QVERIFY(!html.contains(u"<link"_s));
    QVERIFY(!html.contains(u"url("_s));
    // The growth chart, the memory anatomy (the demo's memcg stats) and the badness chart.
    QCOMPARE(html.count(u"src=\"data:image/png;base64,"_s), 3);
    QVERIFY(html.contains(u"Memory at the kill"_s));
    QVERIFY(html.contains(u"checkout_svc.py"_s));
    QVERIFY(html.contains(u"LEAK"_s));
    // The embedded chart decodes.
    const qsizetype start = html.indexOf(u"base64,"_s) + 7;
    const QByteArray png =
        QByteArray::fromBase64(html.mid(start, html.indexOf(u'"', start) - start).toLatin1());
    QImage chart;
    QVERIFY(chart.loadFromData(png, "PNG"));
    QCOMPARE(chart.size(), QSize(1920, 840));
}

void TestIncidentReport::eventWithoutSamplesHasNote()
{
    QTemporaryDir dir;
    Workspace ws;
    QVERIFY(ws.open(dir.filePath(u"w.sqlite"_s)));
    QVERIFY(ws.importLogFile(kDemoDir + u"/kernel.log"_s).ok);
    const Result<ReportPage> page = reportPageForEvent(ws, ws.events().back().id, {});
    QVERIFY(page);
    QVERIFY(page->samples.empty());
    QVERIFY(!page->verdict);
    QVERIFY(page->chartNote.contains(u"No memory samples"_s));
    const QImage image = IncidentReport::renderImage({*page}, {});
    QCOMPARE(image.size(), QSize(1600, 1131));
    const Result<ReportPage> missing = reportPageForEvent(ws, 999999, {});
    QVERIFY(!missing);
    QCOMPARE(missing.error().kind, Error::Kind::NotFound);
    QVERIFY(missing.error().message.contains(u"999999"_s));
}

void TestIncidentReport::commandLine()
{
    if (!QFileInfo(kReportExe).isExecutable())
        QSKIP("oomscope-report is not built");
    QTemporaryDir dir;
    const QString out = dir.filePath(u"r.png"_s);
    QProcess process;
    // No platform given: the program must pick offscreen itself.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"QT_QPA_PLATFORM"_s);
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    process.setProcessEnvironment(env);
    process.start(kReportExe,
                  {u"--samples"_s, kDemoDir + u"/samples.csv"_s, u"--procs"_s, kDemoDir + u"/procs.csv"_s,
                   kDemoDir + u"/kernel.log"_s, u"--output"_s, out, u"--width"_s, u"1200"_s, u"--height"_s,
                   u"900"_s, u"--scale"_s, u"2"_s, u"--theme"_s, u"dark"_s});
    QVERIFY(process.waitForFinished(60000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QImage image(out);
    QCOMPARE(image.size(), QSize(2400, 2 * 1800)); // the page and its anatomy sheet
    QVERIFY(qGray(image.pixel(4, 4)) < 64);
}

void TestIncidentReport::latestIncidentHasAllItsKills()
{
    // The real 6.18 log: /oomlab lost one process at 106.19 s, /oomlab2 two at 117.029 s and
    // 117.035 s. The latest incident is /oomlab2's, with both its kills.
    QTemporaryDir dir;
    Workspace ws;
    QVERIFY(ws.open(dir.filePath(u"w.sqlite"_s)));
    QVERIFY(ws.importLogFile(kThreeKills).ok);
    const Result<std::vector<ReportPage>> pages = reportPagesForLatestIncident(ws, {});
    QVERIFY2(pages, pages ? "" : qPrintable(pages.error().message));
    QCOMPARE(pages->size(), 2u);
    const ReportPage &first = pages->at(0);
    const ReportPage &second = pages->at(1);
    QVERIFY(first.event && second.event);
    QCOMPARE(first.event->victim.pid, 2378);
    QCOMPARE(second.event->victim.pid, 2501);
    QVERIFY(first.incident && second.incident);
    QCOMPARE(first.incident->position, 1);
    QCOMPARE(second.incident->position, 2);
    QCOMPARE(second.incident->count, 2);
    QCOMPARE(second.incident->scope, u"/oomlab2"_s);
    QVERIFY(second.incident->spanSeconds > 0.005 && second.incident->spanSeconds < 0.007);
    const QString html = IncidentReport::html(*pages, {});
    QVERIFY(html.contains(u"OOM kill of python3 (pid 2378)"_s));
    QVERIFY(html.contains(u"OOM kill of python3 (pid 2501)"_s));
    QVERIFY(html.contains(u"Incident: kill 2 of 2 within 5.7 ms"_s));
    QVERIFY(!html.contains(u"pid 2298"_s)); // the other cgroup's kill, 11 s earlier
    QCOMPARE(IncidentReport::renderImage(*pages, {}).size(), QSize(1600, 2 * 1131));

    Workspace empty;
    QVERIFY(empty.open(dir.filePath(u"empty.sqlite"_s)));
    const Result<std::vector<ReportPage>> none = reportPagesForLatestIncident(empty, {});
    QVERIFY(!none);
    QCOMPARE(none.error().kind, Error::Kind::NotFound);
}

void TestIncidentReport::latestIncidentFromTheCommandLine()
{
    if (!QFileInfo(kReportExe).isExecutable())
        QFAIL("oomscope-report is not built");
    QTemporaryDir dir;
    const QString out = dir.filePath(u"r.pdf"_s);
    QProcess process;
    process.start(kReportExe, {kThreeKills, u"-o"_s, out});
    QVERIFY(process.waitForFinished(60000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QVERIFY(QString::fromUtf8(process.readAllStandardOutput()).contains(u"2 page(s)"_s));
    const QString text = textOfPdf(out);
    if (text.isNull())
        QSKIP("pdftotext (poppler-utils) is not installed");
    QVERIFY2(text.contains(u"pid 2378"_s), qPrintable(text.left(800)));
    QVERIFY(text.contains(u"pid 2501"_s));
    QVERIFY(text.contains(u"kill 1 of 2"_s));
    QVERIFY(text.contains(u"kill 2 of 2"_s));
    // --event still reports exactly one kill.
    QProcess one;
    one.start(kReportExe, {kThreeKills, u"--event"_s, u"1"_s, u"-o"_s, dir.filePath(u"one.pdf"_s)});
    QVERIFY(one.waitForFinished(60000));
    QCOMPARE(one.exitCode(), 0);
    QVERIFY(QString::fromUtf8(one.readAllStandardOutput()).contains(u"1 page(s)"_s));
}

void TestIncidentReport::logOnlyPageShowsTheAnatomy()
{
    // A node-wide OOM (6.8, Mem-Info with zones and buddy lists) and no recording: the page shows
    // the memory at the kill where the growth chart would be, not a note about missing samples.
    QTemporaryDir dir;
    Workspace ws;
    QVERIFY(ws.open(dir.filePath(u"w.sqlite"_s)));
    QVERIFY(ws.importLogFile(kGlobal68).ok);
    const Result<ReportPage> page = reportPageForEvent(ws, ws.events().back().id, {});
    QVERIFY(page);
    QVERIFY(page->samples.empty());
    QVERIFY(page->anatomy);
    const AnatomySections s = anatomySections(*page->anatomy);
    QVERIFY(s.accounting && s.zones && s.buddy && s.swap);
    const QString pdf = dir.filePath(u"node.pdf"_s);
    QVERIFY(IncidentReport::writePdf({*page}, pdf, {}));
    const QString text = textOfPdf(pdf);
    if (text.isNull())
        QSKIP("pdftotext (poppler-utils) is not installed");
    QVERIFY2(text.contains(u"Where the memory went"_s), qPrintable(text.left(1500)));
    QVERIFY(text.contains(u"Zones: free memory against the watermarks"_s));
    QVERIFY(text.contains(u"Free lists"_s));
    QVERIFY(text.contains(u"GFP_HIGHUSER_MOVABLE"_s));
    QVERIFY(text.contains(u"WHAT FILLED THE MEMORY"_s));
    // The first of the anatomy's statements is on the page as the analysis wrote it.
    const QString firstWords = page->anatomy->anatomy.statements.value(0).section(u' ', 0, 2);
    QVERIFY2(!firstWords.isEmpty() && text.contains(firstWords), qPrintable(firstWords));
    QVERIFY(!text.contains(u"No memory samples"_s));
    const QString html = IncidentReport::html({*page}, {});
    QVERIFY(html.contains(u"Zones: free memory"_s) || html.contains(u"memory anatomy"_s));
    for (const QString &statement : page->anatomy->anatomy.statements)
        QVERIFY2(html.contains(statement.toHtmlEscaped()), qPrintable(statement));
}

void TestIncidentReport::recordedPageHasAnAnatomySheet()
{
    // The demo has a recording: the growth chart is on the first sheet, the memory at the kill
    // (the cgroup's memory.stat: accounting bar, category and counter tables) on the second.
    QTemporaryDir dir;
    const std::optional<ReportPage> page = demoPage(dir);
    QVERIFY(page);
    QVERIFY(!page->samples.empty());
    QVERIFY(page->anatomy);
    const QString pdf = dir.filePath(u"demo.pdf"_s);
    QVERIFY(IncidentReport::writePdf({*page}, pdf, {}));
    const QString text = textOfPdf(pdf);
    if (text.isNull())
        QSKIP("pdftotext (poppler-utils) is not installed");
    const QStringList sheets = text.split(u'\f', Qt::SkipEmptyParts);
    QVERIFY2(sheets.size() >= 2, qPrintable(text.left(500)));
    QVERIFY(sheets[0].contains(u"LEAK"_s));
    QVERIFY(!sheets[0].contains(u"Where the memory went"_s));
    QVERIFY2(sheets[1].contains(u"Where the memory went: the cgroup's limit of 128.0 MiB"_s),
             qPrintable(sheets[1].left(1500)));
    QVERIFY(sheets[1].contains(u"Category by category"_s));
    QVERIFY(sheets[1].contains(u"Counters at the kill"_s));
    QVERIFY(sheets[1].contains(u"WHAT FILLED THE MEMORY"_s));
    const QString firstWords = page->anatomy->anatomy.statements.value(0).section(u' ', 0, 2);
    QVERIFY2(!firstWords.isEmpty() && sheets[1].contains(firstWords), qPrintable(firstWords));
    // Each category of the accounting is a row of the table, with its size.
    const std::vector<CategoryRow> rows = categoryRows(*page->anatomy);
    QVERIFY(!rows.empty());
    QCOMPARE(rows.front().name, page->anatomy->anatomy.accounting.dominant);
    QVERIFY(sheets[1].contains(rows.front().label));
}

void TestIncidentReport::commandLineErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString log = kDemoDir + u"/kernel.log"_s;
    QTest::newRow("unknown event") << QStringList {log, u"--event"_s, u"4242"_s, u"-o"_s, u"%OUT%.png"_s}
                                   << u"no event with id 4242"_s;
    QTest::newRow("bad extension") << QStringList {log, u"-o"_s, u"%OUT%.docx"_s}
                                   << u"unsupported output type"_s;
    QTest::newRow("no events") << QStringList {QStringLiteral(OOMSCOPE_SOURCE_DIR "/LICENSE"), u"-o"_s,
                                               u"%OUT%.png"_s}
                               << u"no OOM events"_s;
    QTest::newRow("no input") << QStringList {u"-o"_s, u"%OUT%.png"_s} << u"nothing to report"_s;
}

void TestIncidentReport::commandLineErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    if (!QFileInfo(kReportExe).isExecutable())
        QSKIP("oomscope-report is not built");
    QTemporaryDir dir;
    for (QString &a : args)
        a.replace(u"%OUT%"_s, dir.filePath(u"r"_s));
    QProcess process;
    process.start(kReportExe, args);
    QVERIFY(process.waitForFinished(60000));
    QVERIFY(process.exitCode() != 0);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(message), qPrintable(err));
    // One line of ours (Qt may add its own warnings, e.g. about XDG_RUNTIME_DIR).
    QCOMPARE(err.count(u"oomscope-report: "_s), 1);
    QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
}

QTEST_MAIN(TestIncidentReport)
#include "tst_incidentreport.moc"
