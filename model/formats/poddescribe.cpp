// SPDX-License-Identifier: GPL-3.0-or-later
// `kubectl describe pod` text: "Key:  value" lines whose indentation says what they belong to.
#include "podjson.h"

#include <QList>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

struct DescribeLine {
    int indent = 0;
    QString key; // empty when the line has no "key:"
    QString value;
    QString text; // trimmed
};

DescribeLine splitLine(const QString &raw)
{
    DescribeLine l;
    while (l.indent < raw.size() && raw[l.indent] == u' ')
        ++l.indent;
    l.text = raw.trimmed();
    const qsizetype colon = l.text.indexOf(u':');
    // "Container ID:  containerd://…" has a colon in the value; the key is before the first one.
    if (colon > 0 && !l.text.first(colon).contains(u"  ")) {
        l.key = l.text.first(colon);
        l.value = l.text.sliced(colon + 1).trimmed();
    }
    return l;
}

QDateTime describeTime(const QString &value)
{
    // "Tue, 12 Sep 2023 14:26:05 +0000" (RFC 1123 with numeric zone).
    const QDateTime t = QDateTime::fromString(value, Qt::RFC2822Date);
    return t.isValid() ? t.toUTC() : QDateTime();
}

std::optional<int> describeInt(const QString &value)
{
    bool ok = false;
    const int v = value.toInt(&ok);
    return ok ? std::optional<int>(v) : std::nullopt;
}

KubeContainerState::Kind stateKind(const QString &value)
{
    if (value.startsWith(u"Running"))
        return KubeContainerState::Kind::Running;
    if (value.startsWith(u"Terminated"))
        return KubeContainerState::Kind::Terminated;
    if (value.startsWith(u"Waiting"))
        return KubeContainerState::Kind::Waiting;
    return KubeContainerState::Kind::None;
}

// The state being read (State: or Last State:) and its indented fields.
void applyStateField(KubeContainerState &state, const DescribeLine &l, const QString &containerId)
{
    if (state.kind == KubeContainerState::Kind::Terminated && !state.terminated) {
        state.terminated = KubeTermination {};
        state.terminated->containerId = containerId;
    }
    KubeTermination *t = state.terminated ? &*state.terminated : nullptr;
    if (l.key == u"Reason") {
        state.reason = l.value;
        if (t)
            t->reason = l.value;
    } else if (l.key == u"Started") {
        state.startedAt = describeTime(l.value);
        if (t)
            t->startedAt = state.startedAt;
    } else if (t && l.key == u"Finished") {
        t->finishedAt = describeTime(l.value);
    } else if (t && l.key == u"Exit Code") {
        t->exitCode = describeInt(l.value);
    } else if (t && l.key == u"Signal") {
        t->signal = describeInt(l.value);
    } else if (t && l.key == u"Message") {
        t->message = l.value;
    }
}

class DescribeReader
{
public:
    void line(const QString &raw);
    KubeObjects finish();

private:
    enum class Section { Top, Containers, InitContainers, Events, Other };
    enum class Sub { None, State, LastState, Limits, Requests };

    void keepPod();
    void topField(const DescribeLine &l);
    void containerField(const DescribeLine &l);
    void eventRow(const DescribeLine &l);

    KubeObjects m_out;
    std::optional<KubePod> m_pod;
    Section m_section = Section::Top;
    Sub m_sub = Sub::None;
    int m_subIndent = 0;
};

void DescribeReader::line(const QString &raw)
{
    const DescribeLine l = splitLine(raw);
    if (l.text.isEmpty())
        return;
    if (l.indent == 0) {
        if (l.key == u"Name") {
            keepPod();
            // A pod without a name is no pod (a Pod object requires metadata.name): its lines are
            // skipped until the next "Name:".
            if (!l.value.isEmpty()) {
                m_pod = KubePod {};
                m_pod->name = l.value;
            }
            m_section = Section::Top;
            return;
        }
        m_section = l.key == u"Containers"          ? Section::Containers
            : l.key == u"Init Containers"           ? Section::InitContainers
            : l.key == u"Events"                    ? Section::Events
            : !l.value.isEmpty() || l.key.isEmpty() ? Section::Top
                                                    : Section::Other;
        if (m_section == Section::Top)
            topField(l);
        return;
    }
    if (!m_pod)
        return;
    if (m_section == Section::Containers || m_section == Section::InitContainers)
        containerField(l);
    else if (m_section == Section::Events)
        eventRow(l);
}

void DescribeReader::topField(const DescribeLine &l)
{
    if (!m_pod)
        return;
    if (l.key == u"Namespace")
        m_pod->namespaceName = l.value;
    else if (l.key == u"Node")
        m_pod->nodeName = l.value.section(u'/', 0, 0) == u"<none>" ? QString() : l.value.section(u'/', 0, 0);
    else if (l.key == u"Status")
        m_pod->phase = l.value;
    else if (l.key == u"Reason")
        m_pod->reason = l.value;
    else if (l.key == u"Message")
        m_pod->message = l.value;
    else if (l.key == u"QoS Class")
        m_pod->qosClass = l.value;
    else if (l.key == u"Start Time")
        m_pod->startTime = describeTime(l.value);
}

void DescribeReader::containerField(const DescribeLine &l)
{
    const bool init = m_section == Section::InitContainers;
    if (l.indent == 2 && l.text.endsWith(u':') && l.value.isEmpty()) {
        KubeContainer c;
        c.name = l.text.chopped(1);
        c.init = init;
        m_pod->containers.push_back(c);
        KubeContainerStatus s;
        s.name = c.name;
        s.init = init;
        m_pod->statuses.push_back(s);
        m_sub = Sub::None;
        return;
    }
    if (m_pod->statuses.empty() || l.key.isEmpty())
        return;
    KubeContainerStatus &s = m_pod->statuses.back();
    KubeContainer &c = m_pod->containers.back();
    if (m_sub != Sub::None && l.indent > m_subIndent) {
        if (m_sub == Sub::State || m_sub == Sub::LastState)
            applyStateField(m_sub == Sub::State ? s.state : s.lastState, l, s.containerId);
        else if (l.key == u"memory")
            (m_sub == Sub::Limits ? c.memoryLimitBytes : c.memoryRequestBytes) =
                parseKubeQuantityBytes(l.value);
        return;
    }
    m_sub = Sub::None;
    m_subIndent = l.indent;
    if (l.key == u"Container ID") {
        s.containerId = l.value;
    } else if (l.key == u"Image") {
        s.image = l.value;
    } else if (l.key == u"Ready") {
        s.ready = l.value == u"True";
    } else if (l.key == u"Restart Count") {
        s.restartCount = std::max(0, describeInt(l.value).value_or(0));
    } else if (l.key == u"State" || l.key == u"Last State") {
        m_sub = l.key == u"State" ? Sub::State : Sub::LastState;
        KubeContainerState &state = m_sub == Sub::State ? s.state : s.lastState;
        state.kind = stateKind(l.value); // its fields follow, indented: "Started:", "Reason:", …
    } else if (l.key == u"Limits") {
        m_sub = Sub::Limits;
    } else if (l.key == u"Requests") {
        m_sub = Sub::Requests;
    }
}

void DescribeReader::eventRow(const DescribeLine &l)
{
    // "  Warning  OOMKilling  2m (x3 over 5m)  kubelet  Memory cgroup out of memory: …"
    static const QRegularExpression row(u"^(Normal|Warning)\\s+(\\S+)\\s+(.*?)\\s{2,}(\\S.*?)\\s{2,}(.*)$"_s);
    const QRegularExpressionMatch m = row.match(l.text);
    if (!m.hasMatch())
        return;
    KubeEvent e;
    e.namespaceName = m_pod->namespaceName;
    e.involvedKind = u"Pod"_s;
    e.involvedName = m_pod->name;
    e.type = m.captured(1);
    e.reason = m.captured(2);
    static const QRegularExpression times(u"\\(x(\\d+) over"_s);
    const QRegularExpressionMatch count = times.match(m.captured(3));
    if (count.hasMatch())
        e.count = std::max(1, count.captured(1).toInt());
    QString from = m.captured(4);
    // "kubelet, node-1" (old kubectl) or "kubelet" with the host elsewhere.
    e.sourceComponent = from.section(u',', 0, 0).trimmed();
    e.sourceHost = from.section(u',', 1).trimmed();
    if (e.sourceHost.isEmpty() && e.sourceComponent == u"kubelet")
        e.sourceHost = m_pod->nodeName;
    e.message = m.captured(5);
    m_out.events.push_back(std::move(e));
}

void DescribeReader::keepPod()
{
    if (m_pod)
        m_out.pods.push_back(std::move(*m_pod));
    m_pod.reset();
}

KubeObjects DescribeReader::finish()
{
    keepPod();
    for (KubePod &pod : m_out.pods) {
        if (pod.namespaceName.isEmpty())
            pod.namespaceName = u"default"_s;
        for (KubeEvent &e : m_out.events) {
            if (e.involvedName == pod.name && e.namespaceName.isEmpty())
                e.namespaceName = pod.namespaceName;
        }
    }
    return std::move(m_out);
}

} // namespace

bool looksLikeDescribePod(QByteArrayView bytes)
{
    const QString head = QString::fromUtf8(bytes.first(std::min<qsizetype>(bytes.size(), 2048)));
    static const QRegularExpression re(u"^Name:\\s+\\S+\\s*\\nNamespace:\\s+\\S+"_s);
    return re.match(head.trimmed()).hasMatch();
}

Result<KubeObjects> parseDescribePod(QByteArrayView bytes)
{
    if (!looksLikeDescribePod(bytes))
        return fail(Error::Kind::Invalid,
                    u"not `kubectl describe pod` output: it starts with \"Name:\" then \"Namespace:\""_s);
    DescribeReader reader;
    const QString text = QString::fromUtf8(bytes);
    for (const QStringView raw : QStringView(text).split(u'\n'))
        reader.line(raw.toString().remove(u'\r').replace(u'\t', u"        "_s));
    return reader.finish();
}

} // namespace oomscope
