// SPDX-License-Identifier: GPL-3.0-or-later
#include "metricsexporter.h"

#include "cadvisorfeed.h"
#include "cgroupdiscovery.h"

namespace oomscope {

QByteArray prometheusLabelValue(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

namespace {

QByteArray labelsFor(const SampledCgroup &c, const PodDirectory *pods)
{
    const CgroupInfo info = CgroupDiscovery::classify(c.path);
    QByteArray labels = "id=\"" + prometheusLabelValue(c.path) + '"';
    // Discovery knows ids from the path; the names come from the kubelet's /pods (--kubelet-url),
    // under the label names cAdvisor uses for them.
    if (!info.podUid.isEmpty())
        labels += ",pod_uid=\"" + prometheusLabelValue(info.podUid) + '"';
    if (!info.containerId.isEmpty())
        labels += ",container_id=\"" + prometheusLabelValue(info.containerId) + '"';
    if (!info.qosClass.isEmpty())
        labels += ",qos_class=\"" + prometheusLabelValue(info.qosClass) + '"';
    if (const std::optional<PodRef> ref = pods ? pods->byCgroupPath(c.path) : std::nullopt) {
        if (!ref->namespaceName.isEmpty())
            labels += ",namespace=\"" + prometheusLabelValue(ref->namespaceName) + '"';
        if (!ref->pod.isEmpty())
            labels += ",pod=\"" + prometheusLabelValue(ref->pod) + '"';
        if (!ref->container.isEmpty())
            labels += ",container=\"" + prometheusLabelValue(ref->container) + '"';
    }
    return labels;
}

void header(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void selfMetric(QByteArray &out, const char *name, const char *type, const char *help, double value)
{
    header(out, name, type, help);
    out += name;
    out += ' ';
    out += QByteArray::number(value, 'g', 15);
    out += '\n';
}

// The cAdvisor families (cadvisorfeed.h) for every present cgroup, family after family.
void appendCgroupMetrics(QByteArray &out, const SampleBatch &batch, const PodDirectory *pods)
{
    std::vector<QByteArray> labels;
    labels.reserve(batch.cgroups.size());
    for (const SampledCgroup &c : batch.cgroups)
        labels.push_back(c.present ? labelsFor(c, pods) : QByteArray());
    out.reserve(qsizetype(batch.cgroups.size() * kCadvisorMetrics.size() * 120));
    for (const CadvisorMetricInfo &f : kCadvisorMetrics) {
        const QByteArray name(f.name.data(), qsizetype(f.name.size()));
        header(out, name.constData(), f.type, f.help);
        for (std::size_t i = 0; i < batch.cgroups.size(); ++i) {
            const SampledCgroup &c = batch.cgroups[i];
            if (!c.present)
                continue;
            const std::int64_t v = cadvisorMetricValue(f.id, c.memory);
            if (!MemorySample::known(v))
                continue;
            out += name;
            out += '{';
            out += labels[i];
            out += "} ";
            out += QByteArray::number(qint64(v));
            out += '\n';
        }
    }
}

} // namespace

QByteArray renderPrometheusMetrics(const SampleBatch *batch, const AgentSelfStats &self,
                                   const PodDirectory *pods)
{
    QByteArray out;
    if (batch)
        appendCgroupMetrics(out, *batch, pods);
    selfMetric(out, "oomscope_agent_buffer_records", "gauge", "Records in the replay buffer.",
               double(self.bufferRecords));
    selfMetric(out, "oomscope_agent_buffer_bytes", "gauge", "Bytes of records in the replay buffer.",
               double(self.bufferBytes));
    selfMetric(out, "oomscope_agent_newest_seq", "gauge", "Sequence number of the newest record.",
               double(self.newestSeq));
    selfMetric(out, "oomscope_agent_clients", "gauge", "Open client connections (streams and scrapes).",
               self.clients);
    selfMetric(out, "oomscope_agent_sample_duration_seconds", "gauge",
               "Time the last tick spent reading all cgroups.", self.lastSampleSeconds);
    selfMetric(out, "oomscope_agent_cgroups", "gauge", "Cgroups sampled.",
               batch ? double(batch->cgroups.size()) : 0.0);
    selfMetric(out, "oomscope_agent_connections_rejected_total", "counter",
               "Connections refused because of the connection limit.", double(self.connectionsRejected));
    selfMetric(out, "oomscope_agent_clients_dropped_total", "counter",
               "Stream clients dropped for falling behind.", double(self.clientsDropped));
    selfMetric(out, "oomscope_agent_auth_failures_total", "counter",
               "Requests rejected for a missing or wrong token.", double(self.authFailures));
    selfMetric(out, "oomscope_agent_kmsg_records_lost_total", "counter",
               "Kernel log records overwritten before the agent read them.", double(self.kmsgRecordsLost));
    selfMetric(out, "process_cpu_seconds_total", "counter",
               "Total user and system CPU time spent in seconds.", self.cpuSeconds);
    selfMetric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
               double(self.residentBytes));
    return out;
}

} // namespace oomscope
