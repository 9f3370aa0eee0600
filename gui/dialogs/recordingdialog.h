// SPDX-License-Identifier: GPL-3.0-or-later
// File > Import Recording…: picks a samples CSV and, optionally, the procs CSV and kernel log
// taken with it, and the host the samples are stored under.
#pragma once

#include "importjob.h"

#include <QDialog>

class QDialogButtonBox;
class QFormLayout;
class QLineEdit;

namespace oomscope {

class RecordingDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RecordingDialog(const QString &startDir, QWidget *parent = nullptr);

    RecordingImportRequest request() const;
    // Sets the samples file and fills the procs CSV and kernel log from files lying beside it
    // (procs.csv, kernel.log, dmesg*.log) when those fields are still empty.
    void setSamplesPath(const QString &path);

    QLineEdit *samplesEdit() const { return m_samplesEdit; }
    QLineEdit *procsEdit() const { return m_procsEdit; }
    QLineEdit *kernelLogEdit() const { return m_kernelLogEdit; }
    QLineEdit *hostEdit() const { return m_hostEdit; }

private:
    QLineEdit *addFileRow(QFormLayout *form, const QString &label, const QString &filter);
    void updateOk();

    QString m_startDir;
    QLineEdit *m_samplesEdit = nullptr;
    QLineEdit *m_procsEdit = nullptr;
    QLineEdit *m_kernelLogEdit = nullptr;
    QLineEdit *m_hostEdit = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace oomscope
