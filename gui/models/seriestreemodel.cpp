// SPDX-License-Identifier: GPL-3.0-or-later
#include "seriestreemodel.h"

#include <QLocale>

#include <algorithm>
#include <map>
#include <set>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString lastComponent(const QString &path)
{
    QString trimmed = path;
    while (trimmed.size() > 1 && trimmed.endsWith(u'/'))
        trimmed.chop(1);
    const qsizetype slash = trimmed.lastIndexOf(u'/');
    const QString base = slash >= 0 ? trimmed.mid(slash + 1) : trimmed;
    return base.isEmpty() ? path : base;
}

QString workloadName(const WorkloadInfo &w)
{
    if (!w.unit.isEmpty())
        return w.unit;
    if (!w.containerId.isEmpty())
        return w.kind + u' ' + w.containerId.left(12);
    if (!w.podUid.isEmpty())
        return SeriesTreeModel::tr("pod %1").arg(w.podUid.left(8));
    return w.key;
}

} // namespace

SeriesTreeModel::SeriesTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

void SeriesTreeModel::setSeries(const std::vector<WorkloadInfo> &workloads,
                                const std::vector<SeriesInfo> &series, const PodDirectory &pods)
{
    const std::vector<qint64> wasChecked = checkedSeries();
    const std::set<qint64> checkedSet(wasChecked.begin(), wasChecked.end());

    beginResetModel();
    m_nodes.clear();
    m_hosts.clear();
    m_workloads = workloads;
    m_series = series;
    m_podLabels.clear();
    for (const SeriesInfo &s : series) {
        if (const std::optional<PodRef> ref = pods.byCgroupPath(s.cgroupPath))
            m_podLabels.insert(s.id, ref->label());
    }

    std::map<qint64, const WorkloadInfo *> workloadById;
    for (const WorkloadInfo &w : m_workloads)
        workloadById[w.id] = &w;
    std::map<QString, int> hostNode;
    std::map<qint64, int> workloadNode;
    auto addNode = [this](Node node) {
        const int pos = int(m_nodes.size());
        if (node.parent < 0) {
            node.row = int(m_hosts.size());
            m_hosts.push_back(pos);
        } else {
            node.row = int(m_nodes[std::size_t(node.parent)].children.size());
            m_nodes[std::size_t(node.parent)].children.push_back(pos);
        }
        m_nodes.push_back(std::move(node));
        return pos;
    };
    // series() comes by workload, then incarnation: tree order follows it.
    for (const SeriesInfo &s : m_series) {
        auto h = hostNode.find(s.host);
        if (h == hostNode.end()) {
            Node node;
            node.kind = HostNode;
            node.name = s.host.isEmpty() ? tr("(this host)") : s.host;
            node.toolTip = s.host.isEmpty() ? tr("Samples recorded without a host name") : s.host;
            h = hostNode.emplace(s.host, addNode(std::move(node))).first;
        }
        auto w = workloadNode.find(s.workloadId);
        if (w == workloadNode.end()) {
            Node node;
            node.kind = WorkloadNode;
            node.parent = h->second;
            const auto info = workloadById.find(s.workloadId);
            node.name = info != workloadById.end() ? workloadName(*info->second) : s.cgroupPath;
            if (const std::optional<PodRef> ref = pods.byCgroupPath(s.cgroupPath))
                node.name = ref->label();
            node.toolTip = info != workloadById.end()
                ? info->second->key + u" ("_s + info->second->kind + u')'
                : s.cgroupPath;
            w = workloadNode.emplace(s.workloadId, addNode(std::move(node))).first;
        }
        Node node;
        node.kind = SeriesNode;
        node.parent = w->second;
        node.seriesId = s.id;
        node.samples = s.count;
        node.name = u'#' + QString::number(s.incarnation) + u"  "_s + s.cgroupPath;
        node.toolTip = s.cgroupPath;
        node.checked = checkedSet.count(s.id) > 0;
        addNode(std::move(node));
    }
    // Workload rows sum their incarnations' samples, host rows their workloads'.
    for (Node &node : m_nodes) {
        if (node.kind == WorkloadNode) {
            for (int child : node.children)
                node.samples += m_nodes[std::size_t(child)].samples;
        }
    }
    for (Node &node : m_nodes) {
        if (node.kind == HostNode) {
            for (int child : node.children)
                node.samples += m_nodes[std::size_t(child)].samples;
        }
    }
    endResetModel();
    if (checkedSeries() != wasChecked)
        Q_EMIT checkedSeriesChanged();
}

bool SeriesTreeModel::addStoredSamples(const StoredSamples &stored)
{
    QHash<qint64, int> nodeOfSeries;
    for (std::size_t pos = 0; pos < m_nodes.size(); ++pos) {
        if (m_nodes[pos].kind == SeriesNode)
            nodeOfSeries.insert(m_nodes[pos].seriesId, int(pos));
    }
    bool allKnown = true;
    std::set<int> changed;
    for (const auto &[seriesId, samples] : stored.series) {
        const auto node = nodeOfSeries.constFind(seriesId);
        const auto info = std::find_if(m_series.begin(), m_series.end(),
                                       [id = seriesId](const SeriesInfo &s) { return s.id == id; });
        if (node == nodeOfSeries.constEnd() || info == m_series.end()) {
            allKnown = false;
            continue;
        }
        // Samples of a series are stored in time order: the ones after the newest known are new
        // to the tree (a reload may have read some of them already).
        const auto fresh = info->lastMs
            ? std::find_if(samples.begin(), samples.end(),
                           [last = *info->lastMs](const MemorySample &m) { return m.timestampMs > last; })
            : samples.begin();
        const qint64 added = qint64(std::distance(fresh, samples.end()));
        if (added == 0)
            continue;
        info->count += added;
        info->firstMs = info->firstMs.value_or(fresh->timestampMs);
        info->lastMs = samples.back().timestampMs;
        for (int pos = *node; pos >= 0; pos = m_nodes[std::size_t(pos)].parent) {
            m_nodes[std::size_t(pos)].samples += added;
            changed.insert(pos);
        }
    }
    for (int pos : changed) {
        const QModelIndex index =
            createIndex(m_nodes[std::size_t(pos)].row, SamplesColumn, quintptr(pos + 1));
        Q_EMIT dataChanged(index, index, {Qt::DisplayRole});
    }
    return allKnown;
}

std::vector<qint64> SeriesTreeModel::checkedSeries() const
{
    std::vector<qint64> out;
    for (const Node &node : m_nodes) {
        if (node.kind == SeriesNode && node.checked)
            out.push_back(node.seriesId);
    }
    return out;
}

void SeriesTreeModel::setSeriesChecked(qint64 seriesId, bool checked)
{
    const QModelIndex index = indexOfSeries(seriesId);
    if (index.isValid())
        setData(index, checked ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
}

QModelIndex SeriesTreeModel::indexOfSeries(qint64 seriesId) const
{
    for (std::size_t pos = 0; pos < m_nodes.size(); ++pos) {
        if (m_nodes[pos].kind == SeriesNode && m_nodes[pos].seriesId == seriesId)
            return createIndex(m_nodes[pos].row, 0, quintptr(pos + 1));
    }
    return {};
}

const SeriesInfo *SeriesTreeModel::seriesInfo(qint64 seriesId) const
{
    const auto it = std::find_if(m_series.begin(), m_series.end(),
                                 [seriesId](const SeriesInfo &s) { return s.id == seriesId; });
    return it != m_series.end() ? &*it : nullptr;
}

qint64 SeriesTreeModel::seriesOf(const QString &host, const QString &cgroupPath) const
{
    const SeriesInfo *best = nullptr;
    for (const SeriesInfo &s : m_series) {
        if (s.host == host && s.cgroupPath == cgroupPath && (!best || s.incarnation > best->incarnation))
            best = &s;
    }
    return best ? best->id : 0;
}

QString SeriesTreeModel::seriesLabel(qint64 seriesId) const
{
    const SeriesInfo *info = seriesInfo(seriesId);
    if (!info)
        return QString::number(seriesId);
    const QString pod = m_podLabels.value(seriesId);
    const int incarnations = int(std::count_if(m_series.begin(), m_series.end(), [info](const SeriesInfo &s) {
        return s.workloadId == info->workloadId;
    }));
    QString label = pod.isEmpty() ? lastComponent(info->cgroupPath) : pod;
    if (incarnations > 1)
        label += u" #"_s + QString::number(info->incarnation);
    return label;
}

const SeriesTreeModel::Node *SeriesTreeModel::nodeOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == 0
        || index.internalId() > m_nodes.size())
        return nullptr;
    return &m_nodes[std::size_t(index.internalId() - 1)];
}

QModelIndex SeriesTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const std::vector<int> *children = &m_hosts;
    if (parent.isValid()) {
        const Node *node = nodeOf(parent);
        if (!node || parent.column() != 0)
            return {};
        children = &node->children;
    }
    if (row >= int(children->size()))
        return {};
    return createIndex(row, column, quintptr((*children)[std::size_t(row)] + 1));
}

QModelIndex SeriesTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeOf(child);
    if (!node || node->parent < 0)
        return {};
    const Node &parentNode = m_nodes[std::size_t(node->parent)];
    return createIndex(parentNode.row, 0, quintptr(node->parent + 1));
}

int SeriesTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_hosts.size());
    if (parent.column() != 0)
        return 0;
    const Node *node = nodeOf(parent);
    return node ? int(node->children.size()) : 0;
}

int SeriesTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::CheckState SeriesTreeModel::checkStateOf(const Node &node) const
{
    if (node.kind == SeriesNode)
        return node.checked ? Qt::Checked : Qt::Unchecked;
    bool any = false;
    bool all = true;
    for (int child : node.children) {
        const Qt::CheckState state = checkStateOf(m_nodes[std::size_t(child)]);
        any = any || state != Qt::Unchecked;
        all = all && state == Qt::Checked;
    }
    if (node.children.empty() || !any)
        return Qt::Unchecked;
    return all ? Qt::Checked : Qt::PartiallyChecked;
}

QVariant SeriesTreeModel::data(const QModelIndex &index, int role) const
{
    const Node *node = nodeOf(index);
    if (!node)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NameColumn)
            return node->name;
        return QLocale().toString(node->samples);
    case Qt::ToolTipRole:
        return node->toolTip;
    case Qt::CheckStateRole:
        if (index.column() == NameColumn && node->kind != HostNode)
            return checkStateOf(*node);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == SamplesColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case SeriesIdRole:
        return node->seriesId;
    case NodeKindRole:
        return int(node->kind);
    default:
        return {};
    }
}

bool SeriesTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const Node *constNode = nodeOf(index);
    if (!constNode || role != Qt::CheckStateRole || index.column() != NameColumn
        || constNode->kind == HostNode)
        return false;
    const bool checked = value.value<Qt::CheckState>() != Qt::Unchecked;
    const int pos = int(index.internalId() - 1);
    bool changed = false;
    // A workload's box checks or clears all its incarnations.
    std::vector<int> targets;
    if (constNode->kind == SeriesNode)
        targets.push_back(pos);
    else
        targets = constNode->children;
    for (int target : targets) {
        Node &node = m_nodes[std::size_t(target)];
        if (node.checked != checked) {
            node.checked = checked;
            changed = true;
            emitCheckChanged(target);
        }
    }
    if (changed) {
        emitCheckChanged(m_nodes[std::size_t(targets.front())].parent);
        Q_EMIT checkedSeriesChanged();
    }
    return true;
}

void SeriesTreeModel::emitCheckChanged(int nodePos)
{
    if (nodePos < 0)
        return;
    const QModelIndex index = createIndex(m_nodes[std::size_t(nodePos)].row, 0, quintptr(nodePos + 1));
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
}

Qt::ItemFlags SeriesTreeModel::flags(const QModelIndex &index) const
{
    const Node *node = nodeOf(index);
    if (!node)
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == NameColumn && node->kind != HostNode)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

QVariant SeriesTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Series");
    case SamplesColumn:
        return tr("Samples");
    default:
        return {};
    }
}

} // namespace oomscope
