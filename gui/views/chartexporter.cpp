// SPDX-License-Identifier: GPL-3.0-or-later
// First include: qcustomplot.h with QT_NO_FOREACH lifted (see incidentreport.cpp for why).
#ifdef QT_NO_FOREACH
#undef QT_NO_FOREACH
#define OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif
#include <qcustomplot.h>
#undef foreach
#ifdef OOMSCOPE_RESTORE_QT_NO_FOREACH
#define QT_NO_FOREACH
#undef OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif

#include "chartexporter.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QMenu>
#include <QSaveFile>
#include <QSpinBox>

#ifdef OOMSCOPE_HAVE_SVG
#include <QSvgGenerator>
#endif

using namespace Qt::StringLiterals;

namespace oomscope {

ChartExporter::ChartExporter(QCustomPlot *plot, const QString &baseName, QObject *parent)
    : QObject(parent ? parent : plot)
    , m_plot(plot)
    , m_baseName(baseName)
    , m_menu(new QMenu(plot))
{
    m_pngAction = m_menu->addAction(u"Export as &PNG…"_s, this, &ChartExporter::runPng);
    m_pdfAction = m_menu->addAction(u"Export as P&DF…"_s, this, &ChartExporter::runPdf);
    if (svgSupported())
        m_svgAction = m_menu->addAction(u"Export as &SVG…"_s, this, &ChartExporter::runSvg);
    m_copyAction = m_menu->addAction(u"&Copy Image"_s, this, &ChartExporter::runCopy);
    m_menu->addSeparator();
    m_csvAction = m_menu->addAction(u"Export &Data as CSV…"_s, this, &ChartExporter::runCsv);
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        m_csvAction->setEnabled(bool(m_csvWriter));
        m_menu->popup(m_plot->mapToGlobal(pos));
    });
}

bool ChartExporter::svgSupported()
{
#ifdef OOMSCOPE_HAVE_SVG
    return true;
#else
    return false;
#endif
}

QSize ChartExporter::currentSize() const
{
    const QSize size = m_plot->size();
    return size.isValid() && size.width() > 10 ? size : QSize(800, 450);
}

QString ChartExporter::ask(const QString &title, const QString &filter, const QString &suffix) const
{
    if (m_askPath)
        return m_askPath(title, filter, suffix);
    const QString suggested = QDir::home().filePath(m_baseName + u'.' + suffix);
    return QFileDialog::getSaveFileName(m_plot->window(), title, suggested, filter);
}

bool ChartExporter::exportPng(const QString &path, QSize size, double scale, QString *error)
{
    // savePng renders at size x scale device pixels, independent of the widget's size.
    const bool ok = m_plot->savePng(path, size.width(), size.height(), scale);
    if (!ok && error)
        *error = u"%1: cannot write the PNG"_s.arg(path);
    return ok;
}

bool ChartExporter::exportPdf(const QString &path, QSize size, QString *error)
{
    const bool ok =
        m_plot->savePdf(path, size.width(), size.height(), QCP::epNoCosmetic, u"oomscope"_s, m_baseName);
    if (!ok && error)
        *error = u"%1: cannot write the PDF"_s.arg(path);
    return ok;
}

bool ChartExporter::exportSvg(const QString &path, QSize size, QString *error)
{
#ifdef OOMSCOPE_HAVE_SVG
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(m_baseName);
    QCPPainter painter;
    if (!painter.begin(&generator)) {
        if (error)
            *error = u"%1: cannot write the SVG"_s.arg(path);
        return false;
    }
    painter.setMode(QCPPainter::pmVectorized);
    m_plot->toPainter(&painter, size.width(), size.height());
    painter.end();
    return true;
#else
    Q_UNUSED(size);
    if (error)
        *error = u"%1: SVG export needs Qt SVG, which this build lacks"_s.arg(path);
    return false;
#endif
}

bool ChartExporter::copyImage()
{
    QClipboard *clipboard = QGuiApplication::clipboard();
    if (!clipboard)
        return false;
    clipboard->setImage(m_plot->toPixmap(currentSize().width(), currentSize().height(), 2.0).toImage());
    return true;
}

bool ChartExporter::exportCsv(const QString &path, QString *error)
{
    if (!m_csvWriter) {
        if (error)
            *error = u"this chart has no data to export"_s;
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    if (!m_csvWriter(file, error)) {
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        if (error)
            *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

void ChartExporter::runPng()
{
    std::optional<PngChoice> choice;
    if (m_askPng) {
        choice = m_askPng(currentSize());
    } else {
        QDialog dialog(m_plot->window());
        dialog.setWindowTitle(u"Export PNG"_s);
        auto *form = new QFormLayout(&dialog);
        auto *width = new QSpinBox(&dialog);
        auto *height = new QSpinBox(&dialog);
        for (QSpinBox *box : {width, height}) {
            box->setRange(100, 10000);
            box->setSuffix(u" px"_s);
        }
        width->setValue(currentSize().width());
        height->setValue(currentSize().height());
        auto *hiDpi = new QCheckBox(u"2x (HiDPI)"_s, &dialog);
        hiDpi->setChecked(true);
        form->addRow(u"Width:"_s, width);
        form->addRow(u"Height:"_s, height);
        form->addRow(QString(), hiDpi);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        form->addRow(buttons);
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        if (dialog.exec() == QDialog::Accepted)
            choice = PngChoice {QSize(width->value(), height->value()), hiDpi->isChecked() ? 2.0 : 1.0};
    }
    if (!choice)
        return;
    const QString path = ask(u"Export Chart as PNG"_s, u"PNG image (*.png)"_s, u"png"_s);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = exportPng(path, choice->size, choice->scale, &error);
    emit exported(path, ok, error);
}

void ChartExporter::runPdf()
{
    const QString path = ask(u"Export Chart as PDF"_s, u"PDF document (*.pdf)"_s, u"pdf"_s);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = exportPdf(path, currentSize(), &error);
    emit exported(path, ok, error);
}

void ChartExporter::runSvg()
{
    const QString path = ask(u"Export Chart as SVG"_s, u"SVG image (*.svg)"_s, u"svg"_s);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = exportSvg(path, currentSize(), &error);
    emit exported(path, ok, error);
}

void ChartExporter::runCopy()
{
    const bool ok = copyImage();
    emit exported(u"clipboard"_s, ok, ok ? QString() : u"no clipboard"_s);
}

void ChartExporter::runCsv()
{
    const QString path = ask(u"Export Chart Data as CSV"_s, u"CSV (*.csv)"_s, u"csv"_s);
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = exportCsv(path, &error);
    emit exported(path, ok, error);
}

} // namespace oomscope
