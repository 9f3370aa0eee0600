// SPDX-License-Identifier: GPL-3.0-or-later
// The nodes attached to recently, remembered in QSettings without secrets: addresses, the token
// *file* path and TLS choices only; a typed token lives in memory for the session.
#pragma once

#include "agentendpoint.h"

#include <QDateTime>
#include <QString>

#include <vector>

class QSettings;

namespace oomscope {

struct RecentNode {
    QString address; // AgentEndpoint::key()
    QString tokenFile;
    bool tls = false;
    QString caFile;
    QString pinnedSha256; // a certificate fingerprint is public, not a secret
    bool trustOnFirstUse = false;
    bool insecureSkipVerify = false;
    QDateTime lastUsed;

    static RecentNode fromOptions(const AgentConnectOptions &options);
    // The options to attach again; the token is left empty (tokenFile is read at connect).
    AgentConnectOptions toOptions() const;
};

namespace RecentNodes {
inline constexpr int kMaxEntries = 12;
// Most recent first.
std::vector<RecentNode> load(QSettings &settings);
// Moves (or adds) the node to the front and drops the oldest beyond kMaxEntries.
void remember(QSettings &settings, const RecentNode &node);
void forget(QSettings &settings, const QString &address);
} // namespace RecentNodes

} // namespace oomscope
