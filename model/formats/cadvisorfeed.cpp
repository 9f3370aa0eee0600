// SPDX-License-Identifier: GPL-3.0-or-later
#include "cadvisorfeed.h"

#include <QHash>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// A limit this large is "no limit": cgroup v1 reports PAGE_COUNTER_MAX pages
// (9223372036854771712 bytes with 4 KiB pages), which a double cannot even hold exactly.
constexpr double kUnlimitedFromBytes = 4.0e18;

std::int64_t toBytes(const std::optional<double> &value)
{
    if (!value || !std::isfinite(*value) || *value < 0)
        return MemorySample::kUnknown;
    if (*value >= 9.2e18)
        return MemorySample::kUnlimited - 1;
    return std::int64_t(std::llround(*value));
}

QString hostFromInstance(const QString &instance)
{
    if (instance.startsWith(u'[')) {
        const qsizetype close = instance.indexOf(u']');
        return close > 0 ? instance.mid(1, close - 1) : instance;
    }
    if (instance.count(u':') == 1)
        return instance.section(u':', 0, 0);
    return instance;
}

// cAdvisor reports "no limit" as 0 (or as a huge or infinite number).
std::int64_t limitFromCadvisor(const std::optional<double> &limit)
{
    if (limit && std::isfinite(*limit) && *limit >= 0)
        return (*limit == 0 || *limit >= kUnlimitedFromBytes) ? MemorySample::kUnlimited
                                                              : std::int64_t(std::llround(*limit));
    if (limit && std::isinf(*limit) && *limit > 0)
        return MemorySample::kUnlimited;
    return MemorySample::kUnknown;
}

} // namespace

QByteArray cadvisorMetricName(CadvisorMetric metric)
{
    const std::string_view name = kCadvisorMetrics[std::size_t(metric)].name;
    return QByteArray(name.data(), qsizetype(name.size()));
}

std::optional<CadvisorMetric> cadvisorMetricFor(QByteArrayView name)
{
    for (const CadvisorMetricInfo &m : kCadvisorMetrics) {
        if (name == QByteArrayView(m.name.data(), qsizetype(m.name.size())))
            return m.id;
    }
    return std::nullopt;
}

std::vector<QByteArray> cadvisorMetricNames()
{
    std::vector<QByteArray> names;
    for (const CadvisorMetricInfo &m : kCadvisorMetrics)
        names.push_back(cadvisorMetricName(m.id));
    return names;
}

MemorySample sampleFromCadvisorValues(const CadvisorValues &values, std::int64_t timestampMs)
{
    MemorySample s;
    s.timestampMs = timestampMs;
    for (const CadvisorMetricInfo &m : kCadvisorMetrics) {
        if (!m.field)
            continue; // the working set, below
        const SampleFieldInfo &f = sampleField(*m.field);
        const std::optional<double> &value = values[std::size_t(m.id)];
        s.*f.integer = f.isLimit ? limitFromCadvisor(value) : toBytes(value);
    }
    const std::int64_t workingSet = toBytes(values[std::size_t(CadvisorMetric::WorkingSetBytes)]);
    if (MemorySample::known(workingSet)) {
        if (MemorySample::known(s.usageBytes))
            s.inactiveFileBytes = s.usageBytes > workingSet ? s.usageBytes - workingSet : 0;
        else
            s.usageBytes = workingSet;
    }
    return s;
}

std::int64_t cadvisorMetricValue(CadvisorMetric metric, const MemorySample &sample)
{
    const CadvisorMetricInfo &m = kCadvisorMetrics[std::size_t(metric)];
    if (!m.field)
        return sample.workingSetBytes();
    const SampleFieldInfo &f = sampleField(*m.field);
    const std::int64_t v = sample.*f.integer;
    return f.isLimit && v == MemorySample::kUnlimited ? 0 : v;
}

std::optional<MetricSeriesIdentity>
identifyCadvisorSeries(const std::function<QString(QLatin1StringView)> &labelValue,
                       const CadvisorMapOptions &options, QString *skipReason)
{
    auto skip = [&](const QString &why) -> std::optional<MetricSeriesIdentity> {
        if (skipReason)
            *skipReason = why;
        return std::nullopt;
    };
    MetricSeriesIdentity id;
    id.cgroupPath = labelValue("id"_L1);
    if (id.cgroupPath.isEmpty())
        return skip(u"no id label (cgroup path)"_s);
    id.host = labelValue("node"_L1);
    if (id.host.isEmpty())
        id.host = hostFromInstance(labelValue("instance"_L1));
    const QString ns = labelValue("namespace"_L1);
    const QString pod = labelValue("pod"_L1);
    // Older kubelets (before 1.16) used pod_name/container_name.
    const QString podName = pod.isEmpty() ? labelValue("pod_name"_L1) : pod;
    QString container = labelValue("container"_L1);
    if (container.isEmpty())
        container = labelValue("container_name"_L1);
    if (ns.isEmpty() || podName.isEmpty())
        return id; // Role::Cgroup: plain cAdvisor, the agent, system slices
    if (!container.isEmpty() && container != u"POD"_s) {
        id.role = MetricSeriesIdentity::Role::Container;
        id.workloadKey = u"pod/%1/%2/%3"_s.arg(ns, podName, container);
        return id;
    }
    if (container == u"POD"_s || !labelValue("image"_L1).isEmpty()) {
        id.role = MetricSeriesIdentity::Role::Pause;
        if (!options.keepPauseContainers)
            return skip(u"pause container of %1/%2"_s.arg(ns, podName));
        id.workloadKey = u"pod/%1/%2/POD"_s.arg(ns, podName);
        return id;
    }
    id.role = MetricSeriesIdentity::Role::Pod;
    if (!options.keepPodCgroups)
        return skip(u"pod cgroup of %1/%2"_s.arg(ns, podName));
    id.workloadKey = u"pod/%1/%2"_s.arg(ns, podName);
    return id;
}

ScrapeBatch mapCadvisorScrape(const PromParseResult &scrape, std::int64_t scrapeTimeMs,
                              const CadvisorMapOptions &options)
{
    ScrapeBatch batch;
    batch.scrapeTimeMs = scrapeTimeMs;
    batch.warnings = scrape.warnings;
    struct Pending {
        MetricSeriesIdentity identity;
        CadvisorValues values;
        std::optional<std::int64_t> newestMs;
    };
    std::vector<Pending> pending;
    QHash<QString, std::size_t> byPath;
    QSet<QString> skippedPaths;
    for (const PromSample &sample : scrape.samples) {
        const std::optional<CadvisorMetric> metric = cadvisorMetricFor(sample.name);
        if (!metric)
            continue;
        ++batch.parsedSamples;
        QString reason;
        const std::optional<MetricSeriesIdentity> identity = identifyCadvisorSeries(
            [&](QLatin1StringView name) { return sample.label(name); }, options, &reason);
        if (!identity) {
            const QString key = sample.label("id"_L1);
            if (!skippedPaths.contains(key)) {
                skippedPaths.insert(key);
                ++batch.skippedSeries;
            }
            continue;
        }
        // One cgroup per id: cAdvisor gives each container one label set per family.
        auto it = byPath.constFind(identity->cgroupPath);
        std::size_t index = 0;
        if (it == byPath.constEnd()) {
            index = pending.size();
            byPath.insert(identity->cgroupPath, index);
            pending.push_back({*identity, {}, {}});
        } else {
            index = *it;
        }
        Pending &p = pending[index];
        p.values[std::size_t(*metric)] = sample.value;
        if (sample.timestampMs && (!p.newestMs || *sample.timestampMs > *p.newestMs))
            p.newestMs = sample.timestampMs;
    }
    batch.series.reserve(pending.size());
    for (const Pending &p : pending) {
        MetricSeries s;
        s.host = p.identity.host;
        s.cgroupPath = p.identity.cgroupPath;
        s.workloadKey = p.identity.workloadKey;
        s.samples.push_back(sampleFromCadvisorValues(p.values, p.newestMs.value_or(scrapeTimeMs)));
        batch.series.push_back(std::move(s));
    }
    return batch;
}

ScrapeBatch parseCadvisorScrape(QByteArrayView text, std::int64_t scrapeTimeMs,
                                const CadvisorMapOptions &options)
{
    PromParseOptions parse;
    parse.keepNames = cadvisorMetricNames();
    return mapCadvisorScrape(parsePrometheusText(text, parse), scrapeTimeMs, options);
}

} // namespace oomscope
