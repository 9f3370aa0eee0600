// SPDX-License-Identifier: GPL-3.0-or-later
// What the workspace keeps of attached remote nodes: each node's resume cursor (remote_nodes),
// the gaps its agents reported (remote_gaps), and the storing of one batch of a node's feed —
// its samples on the node's series, its new OOM events placed there, its gaps and the moved
// cursor — in one transaction.
#pragma once

#include "memorysample.h"
#include "oomevent.h"
#include "result.h"
#include "storedsamples.h"

#include <QHash>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace oomscope {

class SampleStore;
class Workspace;

// What the workspace knows about one attached node (the remote_nodes table).
struct NodeCursor {
    QString node;
    QString hostname;
    QString instance;
    qint64 lastSeq = 0;
    qint64 samplesStored = 0;
    qint64 eventsStored = 0;
};

struct StoredGap {
    QString instance;
    qint64 fromSeq = 0;
    qint64 toSeq = 0;
    qint64 detectedMs = 0;
};

// One batch of a node's feed, already freed of records at or below the stored cursor.
struct NodeBatch {
    NodeCursor cursor; // the node's cursor after the batch (counters without this batch's samples)
    QString host; // the series' host: the node's hostname, else its address
    std::optional<qint64> bootTimeMs;
    QString kernelRelease;
    int cgroupVersion = 0;

    struct Series {
        QString cgroup;
        std::vector<MemorySample> samples; // in time order
        std::vector<std::vector<ProcessSample>> processes; // per sample, stored with it
    };
    std::vector<Series> series;

    // Events already imported (Workspace::importLog) to be placed on the node's series.
    struct Event {
        qint64 eventId = 0;
        qint64 wallMs = 0;
        OomEvent event;
    };
    std::vector<Event> events;

    struct Gap {
        qint64 fromSeq = 0;
        qint64 toSeq = 0;
    };
    std::vector<Gap> gaps;
};

struct NodeBatchStored {
    NodeCursor cursor; // as stored
    qint64 samplesStored = 0;
    StoredSamples samples; // what was appended, per series: what a live chart shows next
    qint64 samplesSkipped = 0; // older than the series' newest stored sample
    int gaps = 0;
};

// Lives on the workspace's thread; keeps each node's cursor and each series' newest sample
// after reading them once.
class NodeFeedStore
{
public:
    explicit NodeFeedStore(Workspace &workspace);
    ~NodeFeedStore();
    NodeFeedStore(const NodeFeedStore &) = delete;
    NodeFeedStore &operator=(const NodeFeedStore &) = delete;

    // The stored cursor (an empty one with lastSeq 0 for a node never stored); nullopt when
    // the workspace is closed or cannot be read.
    std::optional<NodeCursor> cursor(const QString &node);
    std::vector<NodeCursor> nodes(); // by node
    std::vector<StoredGap> gaps(const QString &node) const; // in the order reported

    // Samples (a node clock stepped back makes older samples skipped, not the batch rejected),
    // event placements, gaps and cursor, all or nothing.
    Result<NodeBatchStored> storeBatch(const NodeBatch &batch);
    // OOM events a node's agent sent carry only the kernel's uptime and no host (raw /dev/kmsg
    // records): gives them the node's host and, from its boot time, their wall-clock time, so
    // kills of two attached nodes are told apart. Events that already have a host keep theirs.
    Result<void> stampNodeEvents(const std::vector<qint64> &eventIds, const QString &host,
                                 std::optional<qint64> bootTimeMs);
    // Forgets where the node's feed was: instance and last seq (counts and gaps stay).
    Result<void> resetCursor(const QString &node);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace oomscope
