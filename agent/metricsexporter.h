// SPDX-License-Identifier: GPL-3.0-or-later
// Renders the newest sample of every cgroup and the agent's own figures as Prometheus text
// exposition format 0.0.4, with cAdvisor's metric names so existing dashboards work.
#pragma once

#include "agentserver.h"
#include "kubernetes.h"
#include "sampler.h"

#include <QByteArray>

namespace oomscope {

// pods (from the kubelet, may be null): namespace, pod and container labels where a cgroup resolves.
QByteArray renderPrometheusMetrics(const SampleBatch *lastBatch, const AgentSelfStats &self,
                                   const PodDirectory *pods = nullptr);

// Escapes a label value (backslash, double quote, newline) as the text format requires.
QByteArray prometheusLabelValue(const QString &value);

} // namespace oomscope
