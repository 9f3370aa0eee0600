// SPDX-License-Identifier: GPL-3.0-or-later
// kubectl JSON: Pods, Events (core/v1 and events.k8s.io/v1) and Lists of them.
#include "podjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QDateTime kubeTime(const QJsonValue &v)
{
    const QString s = v.toString();
    if (s.isEmpty())
        return QDateTime();
    // RFC 3339, and MicroTime's six fraction digits (Qt rounds them to milliseconds).
    const QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : QDateTime();
}

std::optional<int> optInt(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < -2147483648.0 || d > 2147483647.0)
        return std::nullopt;
    return int(d);
}

std::optional<std::int64_t> memoryOf(const QJsonObject &resources, const QString &which)
{
    const QJsonValue v = resources.value(which).toObject().value(u"memory");
    if (v.isString())
        return parseKubeQuantityBytes(v.toString());
    if (v.isDouble() && v.toDouble() >= 0 && v.toDouble() < 9.2e18)
        return std::int64_t(v.toDouble());
    return std::nullopt;
}

KubeTermination terminationFrom(const QJsonObject &o)
{
    KubeTermination t;
    t.reason = o.value(u"reason").toString();
    t.exitCode = optInt(o.value(u"exitCode"));
    t.signal = optInt(o.value(u"signal"));
    t.message = o.value(u"message").toString();
    t.startedAt = kubeTime(o.value(u"startedAt"));
    t.finishedAt = kubeTime(o.value(u"finishedAt"));
    t.containerId = o.value(u"containerID").toString();
    return t;
}

KubeContainerState stateFrom(const QJsonObject &o)
{
    KubeContainerState s;
    if (o.contains(u"terminated")) {
        s.kind = KubeContainerState::Kind::Terminated;
        s.terminated = terminationFrom(o.value(u"terminated").toObject());
        s.reason = s.terminated->reason;
        s.startedAt = s.terminated->startedAt;
    } else if (o.contains(u"running")) {
        s.kind = KubeContainerState::Kind::Running;
        s.startedAt = kubeTime(o.value(u"running").toObject().value(u"startedAt"));
    } else if (o.contains(u"waiting")) {
        s.kind = KubeContainerState::Kind::Waiting;
        s.reason = o.value(u"waiting").toObject().value(u"reason").toString();
    }
    return s;
}

QJsonObject stateToJson(const KubeContainerState &s)
{
    QJsonObject o;
    switch (s.kind) {
    case KubeContainerState::Kind::Terminated: {
        QJsonObject t;
        const KubeTermination term = s.terminated.value_or(KubeTermination {});
        t.insert(u"reason", term.reason);
        if (term.exitCode)
            t.insert(u"exitCode", *term.exitCode);
        if (term.signal)
            t.insert(u"signal", *term.signal);
        if (!term.message.isEmpty())
            t.insert(u"message", term.message);
        if (term.startedAt.isValid())
            t.insert(u"startedAt", term.startedAt.toUTC().toString(Qt::ISODate));
        if (term.finishedAt.isValid())
            t.insert(u"finishedAt", term.finishedAt.toUTC().toString(Qt::ISODate));
        if (!term.containerId.isEmpty())
            t.insert(u"containerID", term.containerId);
        o.insert(u"terminated", t);
        break;
    }
    case KubeContainerState::Kind::Running: {
        QJsonObject r;
        if (s.startedAt.isValid())
            r.insert(u"startedAt", s.startedAt.toUTC().toString(Qt::ISODate));
        o.insert(u"running", r);
        break;
    }
    case KubeContainerState::Kind::Waiting:
        o.insert(u"waiting", QJsonObject {{u"reason"_s, s.reason}});
        break;
    case KubeContainerState::Kind::None:
        break;
    }
    return o;
}

void readContainers(const QJsonArray &specs, bool init, KubePod &pod)
{
    for (const QJsonValue &v : specs) {
        const QJsonObject c = v.toObject();
        KubeContainer container;
        container.name = c.value(u"name").toString();
        container.init = init;
        const QJsonObject resources = c.value(u"resources").toObject();
        container.memoryRequestBytes = memoryOf(resources, u"requests"_s);
        container.memoryLimitBytes = memoryOf(resources, u"limits"_s);
        pod.containers.push_back(std::move(container));
    }
}

void readStatuses(const QJsonArray &statuses, bool init, KubePod &pod)
{
    for (const QJsonValue &v : statuses) {
        const QJsonObject c = v.toObject();
        KubeContainerStatus s;
        s.name = c.value(u"name").toString();
        s.containerId = c.value(u"containerID").toString();
        s.image = c.value(u"image").toString();
        s.init = init;
        s.ready = c.value(u"ready").toBool();
        s.restartCount = std::max(0, optInt(c.value(u"restartCount")).value_or(0));
        s.state = stateFrom(c.value(u"state").toObject());
        s.lastState = stateFrom(c.value(u"lastState").toObject());
        pod.statuses.push_back(std::move(s));
    }
}

QJsonObject involvedToJson(const KubeEvent &e)
{
    QJsonObject o;
    o.insert(u"kind", e.involvedKind);
    o.insert(u"name", e.involvedName);
    o.insert(u"namespace", e.namespaceName);
    if (!e.involvedUid.isEmpty())
        o.insert(u"uid", e.involvedUid);
    if (!e.fieldPath.isEmpty())
        o.insert(u"fieldPath", e.fieldPath);
    return o;
}

Result<QJsonObject> topObject(QByteArrayView bytes)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return fail(Error::Kind::Invalid,
                    u"not valid JSON at byte %1: %2"_s.arg(error.offset).arg(error.errorString()));
    if (!doc.isObject())
        return fail(Error::Kind::Invalid, u"not a Kubernetes object: the JSON is not an object"_s);
    return doc.object();
}

} // namespace

std::optional<std::int64_t> parseKubeQuantityBytes(QStringView quantity)
{
    static const QRegularExpression re(
        u"^\\+?([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]{1,3}|[KMGTPE]i|[kMGTPEmnu]?)$"_s);
    const QRegularExpressionMatch m = re.match(quantity.trimmed().toString());
    if (!m.hasMatch())
        return std::nullopt;
    bool ok = false;
    const long double number = m.captured(1).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    const QString suffix = m.captured(2);
    long double scale = 1;
    if (suffix.endsWith(u'i')) { // binary: Ki … Ei
        scale = std::pow(1024.0L, QStringView(u"KMGTPE").indexOf(suffix[0]) + 1);
    } else if (suffix.size() > 1) { // exponent: e6, E-3
        scale = std::pow(10.0L, suffix.sliced(1).toInt());
    } else if (suffix.size() == 1) {
        static const QHash<QChar, long double> decimal {{u'n', 1e-9L}, {u'u', 1e-6L}, {u'm', 1e-3L},
                                                        {u'k', 1e3L},  {u'M', 1e6L},  {u'G', 1e9L},
                                                        {u'T', 1e12L}, {u'P', 1e15L}, {u'E', 1e18L}};
        scale = decimal.value(suffix[0], 1);
    }
    const long double bytes = std::floor(number * scale);
    if (!std::isfinite(double(bytes)) || bytes < 0 || bytes > 9.2e18L)
        return std::nullopt;
    return std::int64_t(bytes);
}

bool looksLikeKubeJson(QByteArrayView bytes)
{
    const QByteArrayView head = bytes.first(std::min<qsizetype>(bytes.size(), 4096));
    if (!head.trimmed().startsWith('{'))
        return false;
    for (const char *kind : {"\"kind\": \"Pod", "\"kind\":\"Pod", "\"kind\": \"Event", "\"kind\":\"Event",
                             "\"kind\": \"List\"", "\"kind\":\"List\""}) {
        if (head.indexOf(kind) >= 0)
            return true;
    }
    // A List prints "apiVersion" and "items" first and its own "kind" last.
    return head.indexOf("\"apiVersion\"") >= 0 && head.indexOf("\"items\"") >= 0;
}

Result<KubePod> podFromJson(const QJsonObject &object)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    KubePod pod;
    pod.uid = meta.value(u"uid").toString();
    pod.name = meta.value(u"name").toString();
    pod.namespaceName = meta.value(u"namespace").toString(u"default"_s);
    if (pod.name.isEmpty())
        return fail(Error::Kind::Invalid, u"a Pod without metadata.name"_s);
    const QJsonObject spec = object.value(u"spec").toObject();
    pod.nodeName = spec.value(u"nodeName").toString();
    readContainers(spec.value(u"initContainers").toArray(), true, pod);
    readContainers(spec.value(u"containers").toArray(), false, pod);
    const QJsonObject status = object.value(u"status").toObject();
    pod.qosClass = status.value(u"qosClass").toString();
    pod.phase = status.value(u"phase").toString();
    pod.reason = status.value(u"reason").toString();
    pod.message = status.value(u"message").toString();
    pod.startTime = kubeTime(status.value(u"startTime"));
    readStatuses(status.value(u"initContainerStatuses").toArray(), true, pod);
    readStatuses(status.value(u"containerStatuses").toArray(), false, pod);
    return pod;
}

QJsonObject podToJson(const KubePod &pod)
{
    QJsonObject meta {{u"uid"_s, pod.uid}, {u"name"_s, pod.name}, {u"namespace"_s, pod.namespaceName}};
    QJsonArray containers, initContainers;
    for (const KubeContainer &c : pod.containers) {
        QJsonObject requests, limits;
        if (c.memoryRequestBytes)
            requests.insert(u"memory", QString::number(*c.memoryRequestBytes));
        if (c.memoryLimitBytes)
            limits.insert(u"memory", QString::number(*c.memoryLimitBytes));
        const QJsonObject o {
            {u"name"_s, c.name},
            {u"resources"_s, QJsonObject {{u"requests"_s, requests}, {u"limits"_s, limits}}}};
        (c.init ? initContainers : containers).append(o);
    }
    QJsonObject spec {{u"containers"_s, containers}};
    if (!initContainers.isEmpty())
        spec.insert(u"initContainers", initContainers);
    if (!pod.nodeName.isEmpty())
        spec.insert(u"nodeName", pod.nodeName);
    QJsonArray statuses, initStatuses;
    for (const KubeContainerStatus &s : pod.statuses) {
        const QJsonObject o {{u"name"_s, s.name},
                             {u"containerID"_s, s.containerId},
                             {u"image"_s, s.image},
                             {u"ready"_s, s.ready},
                             {u"restartCount"_s, s.restartCount},
                             {u"state"_s, stateToJson(s.state)},
                             {u"lastState"_s, stateToJson(s.lastState)}};
        (s.init ? initStatuses : statuses).append(o);
    }
    QJsonObject status {{u"containerStatuses"_s, statuses}};
    if (!initStatuses.isEmpty())
        status.insert(u"initContainerStatuses", initStatuses);
    for (const auto &[key, value] :
         {std::pair {u"qosClass"_s, pod.qosClass}, std::pair {u"phase"_s, pod.phase},
          std::pair {u"reason"_s, pod.reason}, std::pair {u"message"_s, pod.message}}) {
        if (!value.isEmpty())
            status.insert(key, value);
    }
    if (pod.startTime.isValid())
        status.insert(u"startTime", pod.startTime.toUTC().toString(Qt::ISODate));
    return QJsonObject {{u"apiVersion"_s, u"v1"_s},
                        {u"kind"_s, u"Pod"_s},
                        {u"metadata"_s, meta},
                        {u"spec"_s, spec},
                        {u"status"_s, status}};
}

Result<KubeEvent> kubeEventFromJson(const QJsonObject &o)
{
    KubeEvent e;
    // events.k8s.io/v1 says "regarding", "note", "deprecated*"; core/v1 "involvedObject", "message".
    const bool v1 = o.contains(u"regarding");
    const QJsonObject involved = o.value(v1 ? u"regarding" : u"involvedObject").toObject();
    e.involvedKind = involved.value(u"kind").toString();
    e.involvedName = involved.value(u"name").toString();
    e.involvedUid = involved.value(u"uid").toString();
    e.fieldPath = involved.value(u"fieldPath").toString();
    e.namespaceName =
        involved.value(u"namespace").toString(o.value(u"metadata").toObject().value(u"namespace").toString());
    e.type = o.value(u"type").toString();
    e.reason = o.value(u"reason").toString();
    e.message = o.value(v1 ? u"note" : u"message").toString();
    const QJsonObject source = o.value(v1 ? u"deprecatedSource" : u"source").toObject();
    e.sourceComponent =
        source.value(u"component")
            .toString(o.value(v1 ? u"reportingController" : u"reportingComponent").toString());
    e.sourceHost = source.value(u"host").toString(o.value(u"reportingInstance").toString());
    e.firstTimestamp = kubeTime(o.value(v1 ? u"deprecatedFirstTimestamp" : u"firstTimestamp"));
    e.lastTimestamp = kubeTime(o.value(v1 ? u"deprecatedLastTimestamp" : u"lastTimestamp"));
    const QDateTime eventTime = kubeTime(o.value(u"eventTime"));
    if (!e.firstTimestamp.isValid())
        e.firstTimestamp = eventTime;
    if (!e.lastTimestamp.isValid()) {
        const QDateTime seriesLast = kubeTime(o.value(u"series").toObject().value(u"lastObservedTime"));
        e.lastTimestamp = seriesLast.isValid() ? seriesLast : e.firstTimestamp;
    }
    const std::optional<int> count = optInt(o.value(v1 ? u"deprecatedCount" : u"count"));
    const std::optional<int> seriesCount = optInt(o.value(u"series").toObject().value(u"count"));
    e.count = std::max(1, count.value_or(seriesCount.value_or(1)));
    if (e.reason.isEmpty() && e.message.isEmpty())
        return fail(Error::Kind::Invalid, u"an Event without reason or message"_s);
    return e;
}

QJsonObject kubeEventToJson(const KubeEvent &e)
{
    QJsonObject o {
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Event"_s},
        {u"metadata"_s, QJsonObject {{u"namespace"_s, e.namespaceName}}},
        {u"involvedObject"_s, involvedToJson(e)},
        {u"type"_s, e.type},
        {u"reason"_s, e.reason},
        {u"message"_s, e.message},
        {u"source"_s, QJsonObject {{u"component"_s, e.sourceComponent}, {u"host"_s, e.sourceHost}}},
        {u"count"_s, e.count}};
    if (e.firstTimestamp.isValid())
        o.insert(u"firstTimestamp", e.firstTimestamp.toUTC().toString(Qt::ISODate));
    if (e.lastTimestamp.isValid())
        o.insert(u"lastTimestamp", e.lastTimestamp.toUTC().toString(Qt::ISODate));
    return o;
}

Result<KubeObjects> parseKubeJson(QByteArrayView bytes)
{
    Result<QJsonObject> top = topObject(bytes);
    if (!top)
        return tl::unexpected(top.error());
    KubeObjects out;
    QJsonArray items;
    const QString kind = top->value(u"kind").toString();
    if (top->contains(u"items") && top->value(u"items").isArray())
        items = top->value(u"items").toArray();
    else if (!kind.isEmpty())
        items.append(*top);
    else
        return fail(Error::Kind::Invalid, u"not a Kubernetes object: no \"kind\" and no \"items\""_s);
    const bool eventList = kind == u"EventList";
    const bool podList = kind == u"PodList";
    for (const QJsonValue &item : std::as_const(items)) {
        const QJsonObject o = item.toObject();
        const QString itemKind = o.value(u"kind").toString(eventList     ? u"Event"_s
                                                               : podList ? u"Pod"_s
                                                                         : QString());
        if (itemKind == u"Pod") {
            if (Result<KubePod> pod = podFromJson(o))
                out.pods.push_back(std::move(*pod));
        } else if (itemKind == u"Event") {
            if (Result<KubeEvent> event = kubeEventFromJson(o))
                out.events.push_back(std::move(*event));
        }
    }
    if (out.isEmpty() && !items.isEmpty())
        return fail(Error::Kind::Invalid,
                    u"no Pod or Event in this Kubernetes JSON (kind \"%1\")"_s.arg(kind));
    return out;
}

Result<KubeObjects> parseKubeRecord(QByteArrayView bytes)
{
    if (looksLikeKubeJson(bytes))
        return parseKubeJson(bytes);
    if (looksLikeDescribePod(bytes))
        return parseDescribePod(bytes);
    return fail(Error::Kind::Invalid,
                u"neither kubectl JSON (Pod, Event, List) nor `kubectl describe pod` text"_s);
}

} // namespace oomscope
