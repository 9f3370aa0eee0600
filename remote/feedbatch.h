// SPDX-License-Identifier: GPL-3.0-or-later
// The records of one agent feed batch as immutable values handed from the network thread to the
// storage thread. The records themselves are decoded by agentprotocol.h.
#pragma once

#include "agentprotocol.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace oomscope {

// An OOM report as the agent analysed it, with the raw kernel log records it was parsed from
// (empty when those records were not received, e.g. the report began before the resume point).
struct FeedEvent {
    qint64 seq = 0;
    qint64 kmsgSeq = 0; // the report's first kernel log record
    qint64 victimPid = 0; // from the agent's analysis, for the summary
    QByteArray reportText; // the report's /dev/kmsg records, one per line
};

// The hello of the agent instance the batch's records come from.
struct FeedOrigin {
    QString node; // the address attached to (AgentEndpoint::key())
    QString hostname;
    QString instance;
    QString kernelRelease;
    int cgroupVersion = 0;
    std::optional<qint64> bootTimeMs;
};

struct FeedBatch {
    FeedOrigin origin;
    // Every record of the batch (stored or not, e.g. raw kmsg) has a seq in (previous lastSeq,
    // lastSeq]; storing the batch moves the node's cursor to lastSeq.
    qint64 lastSeq = 0;
    qint64 recordCount = 0;
    std::vector<FeedSample> samples; // in stream order: time order per cgroup
    std::vector<FeedEvent> events;
    std::vector<FeedGap> gaps;
    // The node's pods from its newest `pods` record in the batch (the agent's --kubelet-url):
    // they replace the pods stored for that node.
    std::optional<std::vector<KubePod>> pods;
};
using FeedBatchPtr = std::shared_ptr<const FeedBatch>;

} // namespace oomscope

Q_DECLARE_METATYPE(oomscope::FeedBatchPtr)
