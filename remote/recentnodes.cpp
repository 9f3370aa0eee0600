// SPDX-License-Identifier: GPL-3.0-or-later
#include "recentnodes.h"

#include <QSettings>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

const QString kGroup = u"remote/recentNodes"_s;

void save(QSettings &settings, const std::vector<RecentNode> &nodes)
{
    settings.remove(kGroup); // no stale entries past the new end
    settings.beginWriteArray(kGroup, int(nodes.size()));
    for (int i = 0; i < int(nodes.size()); ++i) {
        const RecentNode &n = nodes[std::size_t(i)];
        settings.setArrayIndex(i);
        settings.setValue(u"address"_s, n.address);
        settings.setValue(u"tokenFile"_s, n.tokenFile);
        settings.setValue(u"tls"_s, n.tls);
        settings.setValue(u"caFile"_s, n.caFile);
        settings.setValue(u"pinnedSha256"_s, n.pinnedSha256);
        settings.setValue(u"trustOnFirstUse"_s, n.trustOnFirstUse);
        settings.setValue(u"insecureSkipVerify"_s, n.insecureSkipVerify);
        settings.setValue(u"lastUsed"_s, n.lastUsed);
    }
    settings.endArray();
}

} // namespace

RecentNode RecentNode::fromOptions(const AgentConnectOptions &options)
{
    RecentNode n;
    n.address = options.endpoint.key();
    n.tokenFile = options.tokenFile;
    n.tls = options.tls;
    n.caFile = options.caFile;
    n.pinnedSha256 = options.pinnedSha256;
    n.trustOnFirstUse = options.trustOnFirstUse;
    n.insecureSkipVerify = options.insecureSkipVerify;
    n.lastUsed = QDateTime::currentDateTimeUtc();
    return n;
}

AgentConnectOptions RecentNode::toOptions() const
{
    AgentConnectOptions o;
    if (const Result<AgentEndpoint> ep = AgentEndpoint::parse(address))
        o.endpoint = *ep;
    o.tokenFile = tokenFile;
    o.tls = tls;
    o.caFile = caFile;
    o.pinnedSha256 = pinnedSha256;
    o.trustOnFirstUse = trustOnFirstUse;
    o.insecureSkipVerify = insecureSkipVerify;
    return o;
}

namespace RecentNodes {

std::vector<RecentNode> load(QSettings &settings)
{
    std::vector<RecentNode> out;
    const int n = settings.beginReadArray(kGroup);
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        RecentNode r;
        r.address = settings.value(u"address"_s).toString();
        r.tokenFile = settings.value(u"tokenFile"_s).toString();
        r.tls = settings.value(u"tls"_s).toBool();
        r.caFile = settings.value(u"caFile"_s).toString();
        r.pinnedSha256 = settings.value(u"pinnedSha256"_s).toString();
        r.trustOnFirstUse = settings.value(u"trustOnFirstUse"_s).toBool();
        r.insecureSkipVerify = settings.value(u"insecureSkipVerify"_s).toBool();
        r.lastUsed = settings.value(u"lastUsed"_s).toDateTime();
        if (!r.address.isEmpty())
            out.push_back(r);
    }
    settings.endArray();
    return out;
}

void remember(QSettings &settings, const RecentNode &node)
{
    std::vector<RecentNode> nodes = load(settings);
    std::erase_if(nodes, [&](const RecentNode &r) { return r.address == node.address; });
    nodes.insert(nodes.begin(), node);
    if (nodes.size() > std::size_t(kMaxEntries))
        nodes.resize(std::size_t(kMaxEntries));
    save(settings, nodes);
}

void forget(QSettings &settings, const QString &address)
{
    std::vector<RecentNode> nodes = load(settings);
    std::erase_if(nodes, [&](const RecentNode &r) { return r.address == address; });
    save(settings, nodes);
}

} // namespace RecentNodes

} // namespace oomscope
