// SPDX-License-Identifier: GPL-3.0-or-later
#include "watchdialog.h"

#include "cgroupdiscovery.h"
#include "cgroupreader.h"
#include "sampler.h"
#include "sizeformat.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

#include <cmath>
#include <map>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Reading usage and limit costs a handful of files per cgroup; a node with thousands of
// cgroups gets the tree without them rather than a dialog that takes seconds to open.
constexpr std::size_t kMaxUsageReads = 400;

// Empty when the cgroup cannot be read (it may have gone since the walk).
QString usageText(const Result<CgroupSample> &read)
{
    if (!read || !read->usageBytes)
        return {};
    const CgroupSample &s = *read;
    QString text = humanSizeKb(*s.usageBytes / 1024);
    if (s.effectiveLimitBytes)
        text += u" / "_s + humanSizeKb(*s.effectiveLimitBytes / 1024);
    else
        text += WatchDialog::tr(" / no limit");
    return text;
}

} // namespace

WatchDialog::WatchDialog(QWidget *parent, const QString &cgroupRoot)
    : QDialog(parent)
{
    setWindowTitle(tr("Watch cgroups"));
    m_rootEdit = new QLineEdit(cgroupRoot);
    m_rootEdit->setObjectName(u"cgroupRoot"_s);
    m_rootEdit->setToolTip(tr("Where the cgroup hierarchy is mounted (a copy or another mount for tests)"));
    auto *rescanButton = new QPushButton(tr("Rescan"));
    connect(rescanButton, &QPushButton::clicked, this, &WatchDialog::rescan);
    connect(m_rootEdit, &QLineEdit::returnPressed, this, &WatchDialog::rescan);
    auto *rootRow = new QHBoxLayout;
    rootRow->addWidget(new QLabel(tr("Cgroup root:")));
    rootRow->addWidget(m_rootEdit, 1);
    rootRow->addWidget(rescanButton);

    m_tree = new QTreeWidget;
    m_tree->setObjectName(u"cgroupTree"_s);
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Cgroup"), tr("Kind"), tr("Pod / container"), tr("Usage / limit")});
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    connect(m_tree, &QTreeWidget::itemChanged, this, &WatchDialog::updateOk);
    m_info = new QLabel;
    m_info->setWordWrap(true);

    m_interval = new QDoubleSpinBox;
    m_interval->setObjectName(u"interval"_s);
    m_interval->setRange(SamplerConfig::kMinIntervalMs / 1000.0, 10.0);
    m_interval->setDecimals(1);
    m_interval->setSingleStep(0.1);
    m_interval->setSuffix(u" s"_s);
    m_interval->setValue(SamplerConfig::kDefaultIntervalMs / 1000.0);
    m_processes = new QCheckBox(tr("Sample processes (for the predicted victim)"));
    m_processes->setChecked(true);
    m_kmsgEdit = new QLineEdit(u"/dev/kmsg"_s);
    m_kmsgEdit->setToolTip(tr("The kernel log the OOM reports are read from; empty: counters only"));
    auto *form = new QFormLayout;
    form->addRow(tr("Interval:"), m_interval);
    form->addRow(QString(), m_processes);
    form->addRow(tr("Kernel log:"), m_kmsgEdit);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(rootRow);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_info);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    resize(820, 560);
    rescan();
}

void WatchDialog::setCgroupRoot(const QString &root)
{
    m_rootEdit->setText(root);
    rescan();
}

void WatchDialog::setKmsgPath(const QString &path)
{
    m_kmsgEdit->setText(path);
}

void WatchDialog::setIntervalMs(int intervalMs)
{
    m_interval->setValue(intervalMs / 1000.0);
}

void WatchDialog::rescan()
{
    const QStringList keep = checkedPaths();
    const QSignalBlocker blocker(m_tree);
    m_tree->clear();
    const CgroupReader reader(m_rootEdit->text(), m_procRoot);
    if (reader.version() == CgroupVersion::None) {
        m_info->setText(tr("No memory cgroup hierarchy under %1.").arg(m_rootEdit->text()));
        updateOk();
        return;
    }
    const std::vector<CgroupInfo> infos = CgroupDiscovery(reader).discover();
    const bool readUsage = infos.size() <= kMaxUsageReads;
    std::map<QString, QTreeWidgetItem *> itemOfPath;
    for (const CgroupInfo &info : infos) {
        const QString parentPath = info.path.section(u'/', 0, -2);
        const auto parent = itemOfPath.find(parentPath.isEmpty() ? u"/"_s : parentPath);
        auto *item = parent != itemOfPath.end() && info.path != u"/" ? new QTreeWidgetItem(parent->second)
                                                                     : new QTreeWidgetItem(m_tree);
        item->setText(PathColumn, info.path == u"/" ? u"/"_s : info.path.section(u'/', -1));
        item->setToolTip(PathColumn, info.path);
        item->setData(PathColumn, PathRole, info.path);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(PathColumn, keep.contains(info.path) ? Qt::Checked : Qt::Unchecked);
        item->setText(KindColumn,
                      info.kind == CgroupInfo::Kind::Other ? QString() : cgroupKindName(info.kind));
        QStringList ids;
        if (!info.podUid.isEmpty())
            ids << tr("pod %1").arg(info.podUid);
        if (!info.containerId.isEmpty())
            ids << info.containerId.left(12);
        if (ids.isEmpty() && !info.unit.isEmpty())
            ids << info.unit;
        item->setText(IdColumn, ids.join(u", "_s));
        if (readUsage)
            item->setText(UsageColumn, usageText(reader.read(info.path)));
        itemOfPath[info.path] = item;
    }
    m_tree->expandToDepth(1);
    m_tree->resizeColumnToContents(KindColumn);
    m_tree->resizeColumnToContents(IdColumn);
    m_tree->resizeColumnToContents(UsageColumn);
    m_info->setText(tr("%1 memory cgroups (cgroup v%2) under %3%4")
                        .arg(infos.size())
                        .arg(int(reader.version()))
                        .arg(reader.memoryRoot())
                        .arg(readUsage ? QString() : tr("; usage not shown for this many")));
    updateOk();
}

bool WatchDialog::setPathChecked(const QString &path, bool checked)
{
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        if ((*it)->data(PathColumn, PathRole).toString() == path) {
            (*it)->setCheckState(PathColumn, checked ? Qt::Checked : Qt::Unchecked);
            return true;
        }
    }
    return false;
}

QStringList WatchDialog::checkedPaths() const
{
    QStringList paths;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        if ((*it)->checkState(PathColumn) == Qt::Checked)
            paths << (*it)->data(PathColumn, PathRole).toString();
    }
    return paths;
}

void WatchDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!checkedPaths().isEmpty());
}

LiveSessionConfig WatchDialog::sessionConfig() const
{
    LiveSessionConfig config;
    config.cgroupRoot = m_rootEdit->text();
    config.procRoot = m_procRoot;
    config.paths = checkedPaths();
    config.intervalMs = int(std::lround(m_interval->value() * 1000.0));
    config.sampleProcesses = m_processes->isChecked();
    config.kmsgPath = m_kmsgEdit->text().trimmed();
    return config;
}

} // namespace oomscope
