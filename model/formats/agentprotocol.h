// SPDX-License-Identifier: GPL-3.0-or-later
// The JSON records of the agent's stream protocol (docs/agent-protocol.md): one function per
// record type, so the server, the tests and a future client agree on one spelling.
#pragma once

#include "kmsgtail.h"
#include "sampler.h"

#include <QByteArray>
#include <QJsonObject>

namespace oomscope {

namespace AgentProtocol {
constexpr int kVersion = 1;
}

// Compact JSON plus '\n': one frame. QJsonDocument escapes control characters, so a frame never
// contains a raw newline.
QByteArray jsonLine(const QJsonObject &object);

// "sample": one cgroup of one tick, fields named like the recording CSV columns.
QJsonObject sampleRecordJson(const SampleBatch &batch, const SampledCgroup &cgroup);
// "kmsg": one raw kernel log record.
QJsonObject kmsgRecordJson(const KmsgRecord &record);
// "oom_event": an analysed OOM report (the stable event JSON of eventjson.h).
QJsonObject oomEventRecordJson(const OomEvent &event, qint64 firstKmsgSeq);

} // namespace oomscope
