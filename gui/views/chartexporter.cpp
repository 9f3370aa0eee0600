// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

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
    m_pngAction = m_menu->addAction(tr("Export as &PNG…"), this, &ChartExporter::runPng);
    m_pdfAction = m_menu->addAction(tr("Export as P&DF…"), this, &ChartExporter::runPdf);
    if (svgSupported())
        m_svgAction = m_menu->addAction(tr("Export as &SVG…"), this, &ChartExporter::runSvg);
    m_copyAction = m_menu->addAction(tr("&Copy Image"), this, &ChartExporter::runCopy);
    m_menu->addSeparator();
    m_csvAction = m_menu->addAction(tr("Export &Data as CSV…"), this, &ChartExporter::runCsv);
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

Result<void> ChartExporter::exportPng(const QString &path, QSize size, double scale)
{
    // savePng renders at size x scale device pixels, independent of the widget's size.
    if (!m_plot->savePng(path, size.width(), size.height(), scale))
        return fail(Error::Kind::Io, tr("%1: cannot write the PNG").arg(path));
    return {};
}

Result<void> ChartExporter::exportPdf(const QString &path, QSize size)
{
    if (!m_plot->savePdf(path, size.width(), size.height(), QCP::epNoCosmetic, u"oomscope"_s, m_baseName))
        return fail(Error::Kind::Io, tr("%1: cannot write the PDF").arg(path));
    return {};
}

Result<void> ChartExporter::exportSvg(const QString &path, QSize size)
{
#ifdef OOMSCOPE_HAVE_SVG
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(m_baseName);
    QCPPainter painter;
    if (!painter.begin(&generator))
        return fail(Error::Kind::Io, tr("%1: cannot write the SVG").arg(path));
    painter.setMode(QCPPainter::pmVectorized);
    m_plot->toPainter(&painter, size.width(), size.height());
    painter.end();
    return {};
#else
    Q_UNUSED(size);
    return fail(Error::Kind::Invalid, tr("%1: SVG export needs Qt SVG, which this build lacks").arg(path));
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

Result<void> ChartExporter::exportCsv(const QString &path)
{
    if (!m_csvWriter)
        return fail(Error::Kind::Invalid, tr("this chart has no data to export"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Error::Kind::Io, u"%1: %2"_s.arg(path, file.errorString()));
    if (Result<void> written = m_csvWriter(file); !written) {
        file.cancelWriting();
        return written;
    }
    if (!file.commit())
        return fail(Error::Kind::Io, u"%1: %2"_s.arg(path, file.errorString()));
    return {};
}

void ChartExporter::report(const QString &path, const Result<void> &result)
{
    Q_EMIT exported(path, result.has_value(), result ? QString() : result.error().message);
}

void ChartExporter::runPng()
{
    std::optional<PngChoice> choice;
    if (m_askPng) {
        choice = m_askPng(currentSize());
    } else {
        QDialog dialog(m_plot->window());
        dialog.setWindowTitle(tr("Export PNG"));
        auto *form = new QFormLayout(&dialog);
        auto *width = new QSpinBox(&dialog);
        auto *height = new QSpinBox(&dialog);
        for (QSpinBox *box : {width, height}) {
            box->setRange(100, 10000);
            box->setSuffix(tr(" px"));
        }
        width->setValue(currentSize().width());
        height->setValue(currentSize().height());
        auto *hiDpi = new QCheckBox(tr("2x (HiDPI)"), &dialog);
        hiDpi->setChecked(true);
        form->addRow(tr("Width:"), width);
        form->addRow(tr("Height:"), height);
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
    const QString path = ask(tr("Export Chart as PNG"), tr("PNG image (*.png)"), u"png"_s);
    if (path.isEmpty())
        return;
    report(path, exportPng(path, choice->size, choice->scale));
}

void ChartExporter::runPdf()
{
    const QString path = ask(tr("Export Chart as PDF"), tr("PDF document (*.pdf)"), u"pdf"_s);
    if (path.isEmpty())
        return;
    report(path, exportPdf(path, currentSize()));
}

void ChartExporter::runSvg()
{
    const QString path = ask(tr("Export Chart as SVG"), tr("SVG image (*.svg)"), u"svg"_s);
    if (path.isEmpty())
        return;
    report(path, exportSvg(path, currentSize()));
}

void ChartExporter::runCopy()
{
    const bool ok = copyImage();
    Q_EMIT exported(u"clipboard"_s, ok, ok ? QString() : tr("no clipboard"));
}

void ChartExporter::runCsv()
{
    const QString path = ask(tr("Export Chart Data as CSV"), tr("CSV (*.csv)"), u"csv"_s);
    if (path.isEmpty())
        return;
    report(path, exportCsv(path));
}

} // namespace oomscope
