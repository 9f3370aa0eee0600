// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordingdialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace oomscope {

RecordingDialog::RecordingDialog(const QString &startDir, QWidget *parent)
    : QDialog(parent)
    , m_startDir(startDir)
{
    setWindowTitle(tr("Import Recording"));
    auto *intro =
        new QLabel(tr("A memory recording is a samples CSV (one row per cgroup reading), optionally "
                      "with the per-process CSV taken alongside and the kernel log of the same "
                      "machine: its OOM kills are then placed on the samples' timeline."));
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    m_samplesEdit = addFileRow(form, tr("&Samples CSV:"), tr("CSV files (*.csv);;All files (*)"));
    m_procsEdit = addFileRow(form, tr("&Processes CSV:"), tr("CSV files (*.csv);;All files (*)"));
    m_kernelLogEdit =
        addFileRow(form, tr("&Kernel log:"),
                   tr("Kernel logs (*.log *.txt *.dmesg *.gz messages* syslog* kern*);;All files (*)"));
    m_hostEdit = new QLineEdit;
    m_hostEdit->setPlaceholderText(tr("(optional) host the samples were taken on"));
    form->addRow(tr("&Host:"), m_hostEdit);
    connect(m_samplesEdit, &QLineEdit::textChanged, this, &RecordingDialog::updateOk);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    resize(640, sizeHint().height());
    updateOk();
}

QLineEdit *RecordingDialog::addFileRow(QFormLayout *form, const QString &label, const QString &filter)
{
    auto *edit = new QLineEdit;
    auto *browse = new QToolButton;
    browse->setText(u"…"_s);
    browse->setToolTip(tr("Browse"));
    connect(browse, &QToolButton::clicked, this, [this, edit, filter] {
        const QString dir = edit->text().isEmpty() ? m_startDir : QFileInfo(edit->text()).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose file"), dir, filter);
        if (path.isEmpty())
            return;
        if (edit == m_samplesEdit)
            setSamplesPath(path);
        else
            edit->setText(path);
    });
    auto *row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(label, row);
    return edit;
}

void RecordingDialog::setSamplesPath(const QString &path)
{
    m_samplesEdit->setText(path);
    const QDir dir = QFileInfo(path).absoluteDir();
    if (m_procsEdit->text().isEmpty() && dir.exists(u"procs.csv"_s))
        m_procsEdit->setText(dir.absoluteFilePath(u"procs.csv"_s));
    if (m_kernelLogEdit->text().isEmpty()) {
        for (const QString &name : {u"kernel.log"_s, u"dmesg.log"_s, u"dmesg.txt"_s}) {
            if (dir.exists(name)) {
                m_kernelLogEdit->setText(dir.absoluteFilePath(name));
                break;
            }
        }
    }
}

void RecordingDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_samplesEdit->text().trimmed().isEmpty());
}

RecordingImportRequest RecordingDialog::request() const
{
    RecordingImportRequest r;
    r.samplesPath = QFileInfo(m_samplesEdit->text().trimmed()).absoluteFilePath();
    if (!m_procsEdit->text().trimmed().isEmpty())
        r.procsPath = QFileInfo(m_procsEdit->text().trimmed()).absoluteFilePath();
    if (!m_kernelLogEdit->text().trimmed().isEmpty())
        r.logPaths << QFileInfo(m_kernelLogEdit->text().trimmed()).absoluteFilePath();
    r.host = m_hostEdit->text().trimmed();
    return r;
}

} // namespace oomscope
