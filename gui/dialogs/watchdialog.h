// SPDX-License-Identifier: GPL-3.0-or-later
// File > Watch cgroups…: the memory cgroups of this machine as a tree (kind, pod and container
// ids, usage against limit) to check the ones a live session samples, with its interval.
#pragma once

#include "livesession.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace oomscope {

class WatchDialog : public QDialog
{
    Q_OBJECT
public:
    enum Column { PathColumn, KindColumn, IdColumn, UsageColumn, ColumnCount };
    static constexpr int PathRole = Qt::UserRole + 1;

    explicit WatchDialog(QWidget *parent = nullptr,
                         const QString &cgroupRoot = QStringLiteral("/sys/fs/cgroup"));

    // Re-reads the hierarchy under the root in the root field (once, on this thread: the dialog
    // opens before any session runs). Checked paths that still exist stay checked.
    void rescan();
    void setCgroupRoot(const QString &root);
    void setProcRoot(const QString &root) { m_procRoot = root; }
    void setKmsgPath(const QString &path);
    bool setPathChecked(const QString &path, bool checked); // false: no such cgroup in the tree
    void setIntervalMs(int intervalMs);
    QStringList checkedPaths() const;

    LiveSessionConfig sessionConfig() const;
    QTreeWidget *tree() const { return m_tree; }

private:
    void updateOk();

    QLineEdit *m_rootEdit = nullptr;
    QLineEdit *m_kmsgEdit = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_info = nullptr;
    QDoubleSpinBox *m_interval = nullptr;
    QCheckBox *m_processes = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_procRoot = QStringLiteral("/proc");
};

} // namespace oomscope
