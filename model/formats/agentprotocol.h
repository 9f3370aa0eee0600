// SPDX-License-Identifier: GPL-3.0-or-later
// The oomscope-agent stream protocol (docs/agent-protocol.md) in one place: every frame type the
// agent writes and the workbench reads has its encoder and its decoder here, side by side, so the
// two ends agree on one spelling. Sample fields come from the field table (samplefields.h).
#pragma once

#include "earlywarning.h"
#include "kubernetes.h"
#include "oomevent.h"
#include "samplebatch.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace oomscope {

namespace AgentProtocol {
constexpr int kVersion = 1;
}

// Compact JSON plus '\n': one frame. QJsonDocument escapes control characters, so a frame never
// contains a raw newline.
QByteArray jsonLine(const QJsonObject &object);

// ---- hello: who the agent is (sent before any record) -------------------------------------

struct AgentHello {
    int protocol = AgentProtocol::kVersion;
    QString agentVersion;
    QString instance; // sequence numbers restart with each instance
    QString hostname;
    QString kernelRelease;
    std::optional<qint64> bootTimeMs; // CLOCK_REALTIME − CLOCK_BOOTTIME, ms since the epoch
    qint64 timestampMs = 0;
    double boottimeSeconds = 0;
    int cgroupVersion = 0; // 1, 2 or 0 (no memory controller)
    QString cgroupRoot;
    qint64 cgroups = 0;
    int intervalMs = 0;
    int heartbeatMs = 5000; // also what a hello without heartbeat_ms decodes to
    bool kmsg = false;
    qint64 oldestSeq = 0;
    qint64 newestSeq = 0;
    qint64 bufferCapacity = 0;
};

QJsonObject helloFrameJson(const AgentHello &hello);
AgentHello helloFromJson(const QJsonObject &frame);

// ---- sample: one cgroup of one tick --------------------------------------------------------

struct FeedSample {
    qint64 seq = 0;
    QString cgroup;
    MemorySample sample;
    std::vector<ProcessSample> processes; // with the agent's --processes only
};

// Fields named like the recording CSV columns (kSampleFields' wire keys); a field the agent did
// not measure is absent, a limit that is not set is null.
QJsonObject sampleRecordJson(const SampleBatch &batch, const SampledCgroup &cgroup);
// nullopt when the cgroup was absent (present: false) or the record has no timestamp. Fields
// the agent did not measure stay MemorySample::kUnknown.
std::optional<FeedSample> feedSampleFromJson(const QJsonObject &record);

// ---- kmsg: one raw kernel log record -------------------------------------------------------

struct KmsgFrame {
    qint64 kmsgSeq = -1;
    qint64 usec = -1; // printk timestamp, µs since boot
    int level = 0;
    int facility = 0;
    QByteArray line; // the whole /dev/kmsg record without '\n'
};

QJsonObject kmsgRecordJson(const KmsgFrame &record);
KmsgFrame kmsgFromJson(const QJsonObject &record);

// ---- oom_event: an analysed OOM report -----------------------------------------------------

// The event is the stable per-event JSON of eventjson.h.
QJsonObject oomEventRecordJson(const OomEvent &event, qint64 firstKmsgSeq);

// What a client needs of an oom_event record to file it with its kernel log records.
struct OomEventFrame {
    qint64 kmsgSeq = 0; // the report's first kernel log record
    qint64 victimPid = 0;
    int lastLine = 0; // lines of the report counted from kmsgSeq; 0 = unknown
};
OomEventFrame oomEventFromJson(const QJsonObject &record);

// ---- gap: records from..to are gone --------------------------------------------------------

struct FeedGap {
    qint64 fromSeq = 0;
    qint64 toSeq = 0;
};

QJsonObject gapFrameJson(const FeedGap &gap);
FeedGap gapFromJson(const QJsonObject &frame);

// ---- warning: an OOM kill looks near (earlywarning.h) ------------------------------------

QJsonObject warningRecordJson(const EarlyWarning &warning);
// nullopt when the record is not a warning this client understands (an unknown source).
std::optional<EarlyWarning> warningFromJson(const QJsonObject &record);

// ---- pods: the node's pods as its kubelet lists them (--kubelet-url) -------------------------

// Every pod of the node, in the podjson subset (podToJson); sent when the set changes.
QJsonObject podsRecordJson(const std::vector<KubePod> &pods, qint64 timestampMs);
// The pods a record carries; entries that are not pods are skipped, at most maxPods kept.
std::vector<KubePod> podsFromJson(const QJsonObject &record, std::size_t maxPods = 10000);

} // namespace oomscope
