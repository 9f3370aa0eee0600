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
    setWindowTitle(u"Import Recording"_s);
    auto *intro = new QLabel(u"A memory recording is a samples CSV (one row per cgroup reading), optionally "
                             u"with the per-process CSV taken alongside and the kernel log of the same "
                             u"machine: its OOM kills are then placed on the samples' timeline."_s);
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    m_samplesEdit = addFileRow(form, u"&Samples CSV:"_s, u"CSV files (*.csv);;All files (*)"_s);
    m_procsEdit = addFileRow(form, u"&Processes CSV:"_s, u"CSV files (*.csv);;All files (*)"_s);
    m_kernelLogEdit =
        addFileRow(form, u"&Kernel log:"_s,
                   u"Kernel logs (*.log *.txt *.dmesg *.gz messages* syslog* kern*);;All files (*)"_s);
    m_hostEdit = new QLineEdit;
    m_hostEdit->setPlaceholderText(u"(optional) host the samples were taken on"_s);
    form->addRow(u"&Host:"_s, m_hostEdit);
    connect(m_samplesEdit, &QLineEdit::textChanged, this, &RecordingDialog::updateOk);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(u"Import"_s);
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
    browse->setToolTip(u"Browse"_s);
    connect(browse, &QToolButton::clicked, this, [this, edit, filter] {
        const QString dir = edit->text().isEmpty() ? m_startDir : QFileInfo(edit->text()).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, u"Choose file"_s, dir, filter);
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
