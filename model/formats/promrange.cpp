// SPDX-License-Identifier: GPL-3.0-or-later
#include "promrange.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>
#include <map>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

struct Group {
    MetricSeriesIdentity identity;
    std::map<std::int64_t, CadvisorValues> points; // by time in ms
};

std::optional<double> pointValue(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    if (!v.isString())
        return std::nullopt;
    const QString text = v.toString();
    if (text.compare(u"NaN"_s, Qt::CaseInsensitive) == 0)
        return std::nan("");
    if (text == u"+Inf"_s || text == u"Inf"_s)
        return HUGE_VAL;
    if (text == u"-Inf"_s)
        return -HUGE_VAL;
    bool ok = false;
    const double d = text.toDouble(&ok);
    return ok ? std::optional<double>(d) : std::nullopt;
}

std::optional<std::int64_t> pointTimeMs(const QJsonValue &v)
{
    double seconds = 0;
    if (v.isDouble()) {
        seconds = v.toDouble();
    } else if (v.isString()) {
        bool ok = false;
        seconds = v.toString().toDouble(&ok);
        if (!ok)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    // Within ±2^53 ms, where a double still counts milliseconds exactly.
    if (!std::isfinite(seconds) || std::fabs(seconds) > 9.0e12)
        return std::nullopt;
    return std::int64_t(std::llround(seconds * 1000.0));
}

class Reader
{
public:
    Reader(const PromRangeOptions &options, PromRangeResult &result)
        : m_options(options)
        , m_result(result)
    { }

    bool answer(const QJsonValue &value, int index)
    {
        const QString where = index < 0 ? QString() : u"answer %1: "_s.arg(index + 1);
        if (!value.isObject())
            return fail(where + u"not a JSON object"_s);
        const QJsonObject root = value.toObject();
        const QString status = root.value("status"_L1).toString();
        if (status != u"success"_s) {
            if (status == u"error"_s)
                return fail(where
                            + u"Prometheus answered an error (%1): %2"_s.arg(
                                root.value("errorType"_L1).toString(), root.value("error"_L1).toString()));
            return fail(where + u"not a Prometheus API answer (no \"status\":\"success\")"_s);
        }
        const QJsonObject data = root.value("data"_L1).toObject();
        const QString type = data.value("resultType"_L1).toString();
        const bool matrix = type == u"matrix"_s;
        if (!matrix && type != u"vector"_s)
            return fail(where + u"resultType \"%1\": expected \"matrix\" (query_range)"_s.arg(type));
        const QJsonValue resultValue = data.value("result"_L1);
        if (!resultValue.isArray())
            return fail(where + u"data.result is not an array"_s);
        const QJsonArray results = resultValue.toArray();
        for (qsizetype i = 0; i < results.size(); ++i)
            series(results.at(i).toObject(), matrix, where + u"result %1"_s.arg(i + 1));
        return true;
    }

    void finish()
    {
        for (auto &[key, group] : m_groups) {
            MetricSeries s;
            s.host = group.identity.host;
            s.cgroupPath = group.identity.cgroupPath;
            s.workloadKey = group.identity.workloadKey;
            s.samples.reserve(group.points.size());
            for (const auto &[timeMs, values] : group.points)
                s.samples.push_back(sampleFromCadvisorValues(values, timeMs));
            m_result.series.push_back(std::move(s));
        }
    }

private:
    bool fail(const QString &error)
    {
        m_result.error = error;
        return false;
    }

    void skip(const QString &why)
    {
        ++m_result.skippedResults;
        if (m_result.warnings.size() < 200)
            m_result.warnings.push_back(why);
    }

    void series(const QJsonObject &entry, bool matrix, const QString &where)
    {
        const QJsonObject metric = entry.value("metric"_L1).toObject();
        QByteArray name = metric.value("__name__"_L1).toString().toUtf8();
        if (name.isEmpty())
            name = m_options.metricNameHint;
        if (name.isEmpty())
            return skip(where + u": no __name__ label and no metric name given"_s);
        const std::optional<CadvisorMetric> family = cadvisorMetricFor(name);
        if (!family)
            return skip(where + u": %1 is not a memory metric oomscope reads"_s.arg(QString::fromUtf8(name)));
        QString reason;
        const std::optional<MetricSeriesIdentity> identity =
            identifyCadvisorSeries([&](QLatin1StringView label) { return metric.value(label).toString(); },
                                   m_options.mapping, &reason);
        if (!identity)
            return skip(where + u": "_s + reason);
        QJsonArray values;
        if (matrix) {
            values = entry.value("values"_L1).toArray();
        } else {
            values.append(entry.value("value"_L1));
        }
        // Merged per (host, cgroup): the families of one cgroup share its labels but __name__,
        // and one cgroup scraped by two jobs is still one series.
        const QString key = identity->host + u'\n' + identity->cgroupPath;
        auto it = m_groups.find(key);
        if (it == m_groups.end())
            it = m_groups.emplace(key, Group {*identity, {}}).first;
        int badPoints = 0;
        for (const QJsonValue &pointValueJson : std::as_const(values)) {
            const QJsonArray point = pointValueJson.toArray();
            const std::optional<std::int64_t> timeMs =
                point.size() == 2 ? pointTimeMs(point.at(0)) : std::nullopt;
            const std::optional<double> v = point.size() == 2 ? pointValue(point.at(1)) : std::nullopt;
            if (!timeMs || !v) {
                ++badPoints;
                continue;
            }
            it->second.points[*timeMs][std::size_t(*family)] = *v;
            ++m_result.points;
        }
        if (badPoints > 0 && m_result.warnings.size() < 200)
            m_result.warnings.push_back(where + u": %1 malformed points skipped"_s.arg(badPoints));
    }

    const PromRangeOptions &m_options;
    PromRangeResult &m_result;
    std::map<QString, Group> m_groups; // ordered: the same file gives the same series order
};

} // namespace

PromRangeResult parsePromQueryRange(const QByteArray &json, const PromRangeOptions &options)
{
    PromRangeResult result;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error =
            u"not valid JSON at byte %1: %2"_s.arg(parseError.offset).arg(parseError.errorString());
        return result;
    }
    Reader reader(options, result);
    bool ok = true;
    if (doc.isArray()) {
        const QJsonArray answers = doc.array();
        if (answers.isEmpty())
            ok = reader.answer(QJsonValue(), 0);
        for (qsizetype i = 0; ok && i < answers.size(); ++i)
            ok = reader.answer(answers.at(i), int(i));
    } else {
        ok = reader.answer(doc.object(), -1);
    }
    if (!ok) {
        result.series.clear();
        result.points = 0;
        return result;
    }
    reader.finish();
    result.ok = true;
    return result;
}

} // namespace oomscope
