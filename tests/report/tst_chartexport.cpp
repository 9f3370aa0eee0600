// SPDX-License-Identifier: GPL-3.0-or-later
// Every export action of the main window's charts (PNG, PDF, SVG when built, clipboard, CSV) and
// File > Export Incident Report…, on the demo incident.
#include "qcustomplotinclude.h"

#include "../gui/guitestutil.h"
#include "badnesschart.h"
#include "chartexporter.h"
#include "decisionview.h"
#include "growthchart.h"
#include "mainwindow.h"
#include "recordingcsv.h"
#include "recordingimport.h"
#include "reportactions.h"
#include "samplesview.h"

#include <QClipboard>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kDemoDir = QStringLiteral(OOMSCOPE_SOURCE_DIR "/resources/demo/checkout-leak");

// Answers the dialogs: the file name by suffix in dir, PNG at 640x360 and 2x.
void automate(ChartExporter *exporter, const QString &dir, const QString &base)
{
    exporter->setPathAsker([dir, base](const QString &, const QString &, const QString &suffix) -> QString {
        return dir + u'/' + base + u'.' + suffix;
    });
    exporter->setPngAsker([](QSize) { return ChartExporter::PngChoice {QSize(640, 360), 2.0}; });
}

void checkPng(const QString &path)
{
    QImage image(path);
    QVERIFY2(!image.isNull(), qPrintable(path));
    QCOMPARE(image.size(), QSize(1280, 720));
    // Not blank: a chart has many colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY(colours.size() > 8);
}

void checkPdf(const QString &path)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.startsWith("%PDF"));
    QVERIFY(bytes.size() > 1024);
}

QStringList csvLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

class TestChartExport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyAction();
};

void TestChartExport::everyAction()
{
    QTemporaryDir dir;
    MainWindow window(dir.filePath(u"ws.sqlite"_s));
    RecordingImportRequest request;
    request.samplesPath = kDemoDir + u"/samples.csv"_s;
    request.procsPath = kDemoDir + u"/procs.csv"_s;
    request.logPaths = {kDemoDir + u"/kernel.log"_s};
    QVERIFY(guitest::showAndImport(window, request));
    GrowthChart *chart = window.samplesView()->chart();
    const std::vector<ChartMarker> markers = chart->markers();
    QCOMPARE(markers.size(), std::size_t(1));
    window.activateEvent(markers.front().eventId);
    QCOMPARE(window.currentEventId(), markers.front().eventId);
    QTRY_VERIFY(chart->levelShown(markers.front().seriesId) >= 0);
    QTRY_VERIFY(!chart->isQueryPending());

    auto *growth = window.findChild<ChartExporter *>(u"growthChartExporter"_s);
    auto *badness = window.findChild<ChartExporter *>(u"badnessChartExporter"_s);
    QVERIFY(growth);
    QVERIFY(badness);
    // The context menu is the way in.
    QCOMPARE(chart->plot()->contextMenuPolicy(), Qt::CustomContextMenu);
    QCOMPARE(window.decisionView()->chart()->plot()->contextMenuPolicy(), Qt::CustomContextMenu);
    QVERIFY(growth->menu()->actions().contains(growth->pngAction()));

    for (auto [exporter, base] : {std::pair {growth, u"growth"_s}, std::pair {badness, u"badness"_s}}) {
        automate(exporter, dir.path(), base);
        QSignalSpy exported(exporter, &ChartExporter::exported);
        const QString stem = dir.filePath(base);

        exporter->pngAction()->trigger();
        checkPng(stem + u".png"_s);
        exporter->pdfAction()->trigger();
        checkPdf(stem + u".pdf"_s);
        if (ChartExporter::svgSupported()) {
            QVERIFY(exporter->svgAction());
            exporter->svgAction()->trigger();
            QFile svg(stem + u".svg"_s);
            QVERIFY(svg.open(QIODevice::ReadOnly));
            QVERIFY(svg.readAll().contains("<svg"));
        } else {
            QVERIFY(!exporter->svgAction());
        }
        QGuiApplication::clipboard()->clear();
        exporter->copyAction()->trigger();
        const QImage copied = QGuiApplication::clipboard()->image();
        QVERIFY(!copied.isNull());
        QVERIFY(copied.width() >= 200);

        exporter->csvAction()->trigger();
        const QStringList lines = csvLines(stem + u".csv"_s);
        QVERIFY2(lines.size() >= 3, qPrintable(lines.join(u'\n')));
        for (const auto &args : exported)
            QVERIFY2(args.at(1).toBool(), qPrintable(args.at(2).toString()));
        QCOMPARE(exported.count(), ChartExporter::svgSupported() ? 5 : 4);
    }

    // Growth chart CSV: the recording format, readable again, samples within the visible range.
    QFile growthCsv(dir.filePath(u"growth.csv"_s));
    QVERIFY(growthCsv.open(QIODevice::ReadOnly));
    const SamplesCsvResult read = readSamplesCsv(growthCsv, u"x"_s);
    QVERIFY2(read.error.isEmpty(), qPrintable(read.error));
    QCOMPARE(read.series.size(), std::size_t(1));
    QVERIFY(read.series.front().samples.size() > 100);
    const QCPRange visible = chart->plot()->xAxis->range();
    for (const MemorySample &s : read.series.front().samples)
        QVERIFY(double(s.timestampMs) / 1000.0 >= visible.lower - 0.001
                && double(s.timestampMs) / 1000.0 <= visible.upper + 0.001);

    // Badness CSV: a header and one row per task of the report, the victim (23026) marked.
    const QStringList ranking = csvLines(dir.filePath(u"badness.csv"_s));
    QVERIFY(ranking.front().startsWith(u"rank,pid,comm"_s));
    QCOMPARE(ranking.size(), 3); // header + 2 tasks in the demo's table
    QVERIFY(ranking.at(1).startsWith(u"1,23026,checkout_svc.py,"_s));
    QVERIFY(ranking.at(1).endsWith(u",1"_s));

    // File > Export Incident Report… is in the menu; its work, without the file dialog.
    QVERIFY(window.findChild<QAction *>(u"exportIncidentReportAction"_s));
    for (const QString &suffix : {u"pdf"_s, u"png"_s, u"html"_s}) {
        const QString path = dir.filePath(u"incident."_s + suffix);
        const Result<void> exported =
            exportIncidentReport(window.workspacePath(), window.currentEventId(), path);
        QVERIFY2(exported, qPrintable(exported ? QString() : exported.error().message));
        QVERIFY(QFileInfo(path).size() > 1024);
    }
    // The page with the growth chart, then its anatomy sheet.
    QCOMPARE(QImage(dir.filePath(u"incident.png"_s)).size(), QSize(1600, 2 * 1131));
    const Result<void> refused =
        exportIncidentReport(window.workspacePath(), window.currentEventId(), dir.filePath(u"x.txt"_s));
    QVERIFY(!refused);
    QVERIFY(!refused.error().message.isEmpty());
}

QTEST_MAIN(TestChartExport)
#include "tst_chartexport.moc"
