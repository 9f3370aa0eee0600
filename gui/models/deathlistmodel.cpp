// SPDX-License-Identifier: GPL-3.0-or-later
#include "deathlistmodel.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString timeText(const Death &d)
{
    if (d.time)
        return QLocale().toString(d.time->toLocalTime(), u"yyyy-MM-dd HH:mm:ss"_s);
    if (d.uptimeSeconds)
        return DeathListModel::tr("uptime %1 s").arg(*d.uptimeSeconds, 0, 'f', 3);
    return u"—"_s;
}

QString confidenceText(DeathConfidence c)
{
    switch (c) {
    case DeathConfidence::High:
        return DeathListModel::tr("high");
    case DeathConfidence::Medium:
        return DeathListModel::tr("medium");
    case DeathConfidence::Low:
        break;
    }
    return DeathListModel::tr("low");
}

} // namespace

DeathListModel::DeathListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void DeathListModel::setDeaths(std::vector<StoredDeath> deaths)
{
    beginResetModel();
    m_deaths = std::move(deaths);
    endResetModel();
}

const Death *DeathListModel::deathAt(int row) const
{
    return row >= 0 && std::size_t(row) < m_deaths.size() ? &m_deaths[std::size_t(row)].death : nullptr;
}

QString DeathListModel::killerTitle(Killer killer)
{
    switch (killer) {
    case Killer::KernelMemcg:
        return tr("Kernel (cgroup limit)");
    case Killer::KernelGlobal:
        return tr("Kernel (node out of memory)");
    case Killer::SystemdOomd:
        return tr("systemd-oomd");
    case Killer::Earlyoom:
        return tr("earlyoom");
    case Killer::KubeletEviction:
        return tr("kubelet eviction");
    case Killer::RuntimeOom:
        return tr("Runtime OOM");
    case Killer::SigkillOther:
        return tr("SIGKILL, not memory");
    case Killer::Unknown:
        break;
    }
    return tr("Unknown");
}

QColor DeathListModel::killerColor(Killer killer)
{
    switch (killer) {
    case Killer::KernelMemcg:
        return QColor(0xd6, 0x27, 0x28); // red
    case Killer::KernelGlobal:
        return QColor(0x8c, 0x1c, 0x13); // dark red
    case Killer::SystemdOomd:
        return QColor(0x94, 0x67, 0xbd); // purple
    case Killer::Earlyoom:
        return QColor(0xff, 0x7f, 0x0e); // orange
    case Killer::KubeletEviction:
        return QColor(0x1f, 0x77, 0xb4); // blue
    case Killer::RuntimeOom:
        return QColor(0xe3, 0x77, 0xc2); // pink
    case Killer::SigkillOther:
        return QColor(0x7f, 0x7f, 0x7f); // grey
    case Killer::Unknown:
        break;
    }
    return QColor(0xbc, 0xbd, 0x22);
}

QString DeathListModel::workloadLabel(const Death &d)
{
    if (!d.pod.isEmpty()) {
        QString label = d.namespaceName.isEmpty() ? d.pod : d.namespaceName + u'/' + d.pod;
        return d.container.isEmpty() ? label : label + u'/' + d.container;
    }
    if (!d.cgroup.isEmpty())
        return d.cgroup;
    return d.comm.isEmpty() ? tr("(unknown)") : d.comm;
}

QString DeathListModel::heading(const Death &d)
{
    const QString victim = d.pid ? tr("%1 (pid %2)").arg(d.comm.isEmpty() ? u"?"_s : d.comm).arg(*d.pid)
                                 : (d.comm.isEmpty() ? workloadLabel(d) : d.comm);
    return tr("%1 — %2 — %3").arg(killerTitle(d.killer), victim, workloadLabel(d));
}

QString DeathListModel::detailsText(const Death &d)
{
    QStringList out;
    for (const QString &note : d.notes)
        out << u"• "_s + note;
    if (!d.notes.isEmpty())
        out << QString();
    out << tr("Evidence (%1 confidence):").arg(confidenceText(d.confidence));
    for (const DeathEvidence &e : d.evidence) {
        const QString where = e.line > 0 ? tr("%1:%2").arg(e.source).arg(e.line) : e.source;
        out << u"  "_s + where + u"  "_s + e.text;
    }
    if (d.evidence.empty())
        out << tr("  (none stored)");
    return out.join(u'\n');
}

QString DeathListModel::emptyText()
{
    return tr("No deaths in this workspace yet.\n\nImport kernel logs, journal exports "
              "(journalctl -o json / -o export) or logs with systemd-oomd, earlyoom or kubelet "
              "lines, together with `kubectl get pods -o json`, and every container death by "
              "memory is listed here with who killed it.");
}

int DeathListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_deaths.size());
}

int DeathListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeathListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StoredDeath &stored = m_deaths[std::size_t(index.row())];
    const Death &d = stored.death;
    if (role == DeathIdRole)
        return stored.id;
    if (role == Qt::DecorationRole && index.column() == KillerColumn)
        return killerColor(d.killer);
    if (role == SortRole && index.column() == TimeColumn)
        return d.time ? double(d.time->toMSecsSinceEpoch()) : d.uptimeSeconds.value_or(0.0);
    if (role == Qt::ToolTipRole && index.column() == WorkloadColumn)
        return d.cgroup;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (Column(index.column())) {
    case TimeColumn:
        return timeText(d);
    case KillerColumn:
        return killerTitle(d.killer);
    case NodeColumn:
        return d.node.isEmpty() ? u"—"_s : d.node;
    case WorkloadColumn:
        return workloadLabel(d);
    case VictimColumn:
        if (!d.pid)
            return d.comm.isEmpty() ? u"—"_s : d.comm;
        return QString(d.comm + u" ("_s + QString::number(*d.pid) + u')');
    case ExitColumn:
        return d.exitCode ? QVariant(*d.exitCode) : QVariant(u"—"_s);
    case ConfidenceColumn:
        return confidenceText(d.confidence);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant DeathListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case TimeColumn:
        return tr("Time");
    case KillerColumn:
        return tr("Killer");
    case NodeColumn:
        return tr("Node");
    case WorkloadColumn:
        return tr("Pod / cgroup");
    case VictimColumn:
        return tr("Victim");
    case ExitColumn:
        return tr("Exit");
    case ConfidenceColumn:
        return tr("Confidence");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace oomscope
