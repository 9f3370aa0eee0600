// SPDX-License-Identifier: GPL-3.0-or-later
#include "killerlines.h"

#include "anchorscan.h"
#include "cgrouppath.h"
#include "prefixparser.h"

#include <QRegularExpression>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// The words that make a line worth matching, per kind of killer (cheap substring tests: almost
// every line of a log is none of these).
constexpr std::string_view oomdWords[] = {"due to "};
constexpr std::string_view oomdVerbs[] = {"Killed ", "Marked "};
constexpr std::string_view unitWords[] = {" in this unit", "by the OOM killer"};
constexpr std::string_view earlyoomWords[] = {"VmRSS", "ow memory!", "ow Memory!"};
constexpr std::string_view kubeletWords[] = {"viction manager:", "\"Evicting pod\"", "Got sys oom event",
                                             "OOM event in container"};
constexpr std::string_view runtimeWords[] = {"TaskOOM", "exit event", "TaskExit", "container oom ",
                                             "container die "};

template<std::size_t N> bool hasAny(std::string_view text, const std::string_view (&words)[N])
{
    for (const std::string_view word : words) {
        if (text.find(word) != std::string_view::npos)
            return true;
    }
    return false;
}

// Whether text holds the words of any killer's line; a line (or message) without them is none.
bool holdsKillerWords(std::string_view text)
{
    return (hasAny(text, oomdWords) && hasAny(text, oomdVerbs)) || hasAny(text, unitWords)
        || hasAny(text, earlyoomWords) || hasAny(text, kubeletWords) || hasAny(text, runtimeWords);
}

// KillerLineScanner skips every line without one of anchorscan::killerAnchors, so every word must
// contain one.
template<std::size_t N> constexpr bool anchored(const std::string_view (&words)[N])
{
    for (const std::string_view word : words) {
        bool found = false;
        for (const std::string_view anchor : anchorscan::killerAnchors)
            found = found || word.find(anchor) != std::string_view::npos;
        if (!found)
            return false;
    }
    return true;
}
static_assert(anchored(oomdWords) && anchored(unitWords) && anchored(earlyoomWords) && anchored(kubeletWords)
                  && anchored(runtimeWords),
              "a word of a killer's line without an anchor would never be seen by KillerLineScanner");

QRegularExpressionMatch matchOf(const QRegularExpression &re, const QString &text)
{
    return re.match(text);
}

KillerLine make(KillerLine::Kind kind)
{
    KillerLine k;
    k.kind = kind;
    return k;
}

void takeCgroupNames(KillerLine &k)
{
    if (k.cgroup.isEmpty())
        return;
    const CgroupInfo info = classifyCgroupPath(k.cgroup);
    if (k.podUid.isEmpty())
        k.podUid = info.podUid;
    if (k.containerId.isEmpty())
        k.containerId = info.containerId;
}

// systemd-oomd 247 – 251 "Killed X due to …", 252+ "Marked X for killing due to …"; the rule is
// "memory pressure for Y being A% > B% for > T with reclaim activity" or a swap wording
// ("swap used (N) / total (M) being more than P%", 252+: "memory used … and swap used …").
std::optional<KillerLine> oomd(const QString &m)
{
    static const QRegularExpression re(u"^(?:Killed|Marked) (\\S+) (?:for killing )?due to (.+)$"_s);
    const auto match = matchOf(re, m);
    if (!match.hasMatch())
        return std::nullopt;
    KillerLine k = make(KillerLine::Kind::OomdKill);
    k.cgroup = match.captured(1);
    k.detail = match.captured(2).trimmed();
    if (k.detail.startsWith(u"memory pressure"_s))
        k.rule = u"memory pressure"_s;
    else if (k.detail.contains(u"swap used"_s) || k.detail.startsWith(u"memory used"_s))
        k.rule = u"swap"_s;
    else
        return std::nullopt;
    takeCgroupNames(k);
    return k;
}

std::optional<KillerLine> systemdUnit(const QString &m)
{
    static const QRegularExpression oomd(
        u"^(\\S+): systemd-oomd killed (\\d+) process\\(es\\) in this unit"_s);
    static const QRegularExpression kernel(
        u"^(\\S+): A process of this unit has been killed by the OOM killer"_s);
    if (const auto match = matchOf(oomd, m); match.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::OomdUnitKilled);
        k.unit = match.captured(1);
        k.detail = match.captured(2) + u" process(es)"_s;
        return k;
    }
    if (const auto match = matchOf(kernel, m); match.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::UnitOomKilled);
        k.unit = match.captured(1);
        return k;
    }
    return std::nullopt;
}

int signalNumber(const QString &name)
{
    if (name == u"SIGKILL"_s || name == u"9"_s)
        return 9;
    if (name == u"SIGTERM"_s || name == u"15"_s)
        return 15;
    return name.toInt();
}

KillerLine earlyoomKill(const QString &pid, const QString &comm, const QString &signal,
                        const QString &badness, const QString &rss)
{
    KillerLine k = make(KillerLine::Kind::EarlyoomKill);
    k.pid = pid.toLongLong();
    k.comm = comm;
    k.signal = signalNumber(signal);
    k.badness = badness.toLongLong();
    k.vmRssMiB = rss.toLongLong();
    return k;
}

// earlyoom 1.4 – 1.8 "sending SIGTERM to process 12006 [uid 0 ]"python3": badness 209, VmRSS 2891 MiB"
// (1.8: "oom_score 1170"), 1.3 "killing process 27541 "bash" with signal 15: badness 550, VmRSS
// 7609 MiB", 1.2 "Killing process 'bash' with signal 15, pid: 5874, badness: 538, VmRSS: 3160 MiB".
std::optional<KillerLine> earlyoom(const QString &m)
{
    static const QRegularExpression sending(
        u"^sending (SIG[A-Z]+) to process (\\d+)(?: uid \\d+)? \"(.*)\": (?:badness|oom_score) (-?\\d+), VmRSS (\\d+) MiB"_s);
    static const QRegularExpression killing(
        u"^killing process (\\d+) \"(.*)\" with signal (\\d+): badness (-?\\d+), VmRSS (\\d+) MiB"_s);
    static const QRegularExpression old(
        u"^Killing process '(.*)' with signal (\\d+), pid: (\\d+), badness: (-?\\d+), VmRSS: (\\d+) MiB"_s);
    static const QRegularExpression low(u"^(?:low memory!|Low Memory!) (.*)$"_s);
    if (const auto x = matchOf(sending, m); x.hasMatch())
        return earlyoomKill(x.captured(2), x.captured(3), x.captured(1), x.captured(4), x.captured(5));
    if (const auto x = matchOf(killing, m); x.hasMatch())
        return earlyoomKill(x.captured(1), x.captured(2), x.captured(3), x.captured(4), x.captured(5));
    if (const auto x = matchOf(old, m); x.hasMatch())
        return earlyoomKill(x.captured(3), x.captured(1), x.captured(2), x.captured(4), x.captured(5));
    if (const auto x = matchOf(low, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::EarlyoomLowMemory);
        k.detail = x.captured(1).trimmed();
        return k;
    }
    return std::nullopt;
}

// "namespace/name" (structured klog) or "name_namespace(uid)" (klog before 1.21).
void takePodRef(KillerLine &k, const QString &ref)
{
    static const QRegularExpression old(u"^([^_\\s()]+)_([^_\\s()]+)\\(([0-9a-f-]+)\\)$"_s);
    if (const auto x = matchOf(old, ref); x.hasMatch()) {
        k.pod = x.captured(1);
        k.namespaceName = x.captured(2);
        k.podUid = x.captured(3);
        return;
    }
    const qsizetype slash = ref.indexOf(u'/');
    if (slash > 0) {
        k.namespaceName = ref.left(slash);
        k.pod = ref.mid(slash + 1);
    } else {
        k.pod = ref;
    }
}

QStringList rankedPods(const QString &list)
{
    static const QRegularExpression structured(u"\"?([a-z0-9][a-z0-9.-]*/[A-Za-z0-9][A-Za-z0-9._-]*)\"?"_s);
    static const QRegularExpression old(u"([^\\s,_()\\[\\]\"]+_[^\\s,_()\\[\\]\"]+\\([0-9a-f-]+\\))"_s);
    QStringList pods;
    for (const auto &re : {old, structured}) {
        auto it = re.globalMatch(list);
        while (it.hasNext()) {
            // "name_namespace(uid)" of klog before 1.21 becomes "namespace/name" as later.
            KillerLine k;
            takePodRef(k, it.next().captured(1));
            pods.append(k.namespaceName.isEmpty() ? k.pod : k.namespaceName + u'/' + k.pod);
        }
        if (!pods.isEmpty())
            break;
    }
    return pods;
}

std::optional<KillerLine> kubelet(const QString &m)
{
    static const QRegularExpression reclaim(
        u"[Ee]viction manager: attempting to reclaim(?:\" resourceName=\"| )([A-Za-z.-]+)"_s);
    static const QRegularExpression ranked(
        u"[Ee]viction manager: pods ranked for eviction(?:\" pods=|: )(.*)$"_s);
    static const QRegularExpression evicted(
        u"[Ee]viction manager: pod is evicted successfully\" pod=\"([^\"]+)\""_s);
    static const QRegularExpression evictedOld(u"[Ee]viction manager: pod (\\S+) is evicted successfully"_s);
    static const QRegularExpression evicting(
        u"\"Evicting pod\" pod=\"([^\"]+)\"(?: podUID=\"([0-9a-f-]+)\")?(?: message=\"(.*)\")?"_s);
    if (const auto x = matchOf(reclaim, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::KubeletReclaim);
        k.rule = x.captured(1);
        return k;
    }
    if (const auto x = matchOf(ranked, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::KubeletRanked);
        k.rankedPods = rankedPods(x.captured(1));
        return k;
    }
    for (const auto *re : {&evicted, &evictedOld}) {
        if (const auto x = matchOf(*re, m); x.hasMatch()) {
            KillerLine k = make(KillerLine::Kind::KubeletEvicted);
            takePodRef(k, x.captured(1));
            return k;
        }
    }
    if (const auto x = matchOf(evicting, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::KubeletEvicted);
        takePodRef(k, x.captured(1));
        if (!x.captured(2).isEmpty())
            k.podUid = x.captured(2);
        k.detail = x.captured(3);
        return k;
    }
    return std::nullopt;
}

// dockerd's "docker events" labels: io.kubernetes.pod.namespace=…, io.kubernetes.pod.name=…
void takeDockerLabels(KillerLine &k, const QString &m)
{
    static const QRegularExpression label(u"(io\\.kubernetes\\.[a-z.]+|exitCode)=([^,)]*)"_s);
    auto it = label.globalMatch(m);
    while (it.hasNext()) {
        const auto x = it.next();
        const QString key = x.captured(1);
        const QString value = x.captured(2).trimmed();
        if (key == u"io.kubernetes.pod.namespace"_s)
            k.namespaceName = value;
        else if (key == u"io.kubernetes.pod.name"_s)
            k.pod = value;
        else if (key == u"io.kubernetes.container.name"_s)
            k.container = value;
        else if (key == u"io.kubernetes.pod.uid"_s)
            k.podUid = value;
        else if (key == u"exitCode"_s)
            k.exitCode = value.toInt();
    }
}

std::optional<KillerLine> runtime(const QString &m)
{
    // containerd: TaskOOM event container_id:\"<id>\" (1.5+) or &TaskOOM{ContainerID:<id>,…} (1.2 – 1.4).
    static const QRegularExpression taskOom(
        u"TaskOOM event[^\\\\\"]*?(?:container_id:\\\\?\"|&TaskOOM\\{ContainerID:)([0-9a-f]{64})"_s);
    // containerd: "received exit event container_id:\"<id>\" id:… pid:N exit_status:137 …" (1.5+),
    // "TaskExit event in podsandbox handler container_id:…" (2.x), "&TaskExit{ContainerID:<id>,…,Pid:N,
    // ExitStatus:137,…}" (1.2 – 1.4). Protobuf text leaves a zero exit_status out.
    static const QRegularExpression taskExit(
        u"(?:[Rr]eceived exit event |TaskExit "
        u"event[^\\\\\"]*?)(?:container_id:\\\\?\"|&TaskExit\\{ContainerID:)([0-9a-f]{64})"
        u".*?(?:pid:|Pid:)(\\d+)(?:.*?(?:exit_status:|ExitStatus:)(\\d+))?"_s);
    static const QRegularExpression docker(u"container (oom|die) ([0-9a-f]{64}) \\((.*)\\)"_s);
    static const QRegularExpression sysOom(
        u"Got sys oom event.*?Pid:(\\d+) ProcessName:(\\S+).*?VictimContainerName:(\\S+?)[,}\\s]"_s);
    if (const auto x = matchOf(taskOom, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::RuntimeOom);
        k.containerId = x.captured(1);
        return k;
    }
    if (const auto x = matchOf(taskExit, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::RuntimeExit);
        k.containerId = x.captured(1);
        k.pid = x.captured(2).toLongLong();
        k.exitCode = x.captured(3).isEmpty() ? 0 : x.captured(3).toInt();
        return k;
    }
    if (const auto x = matchOf(docker, m); x.hasMatch()) {
        KillerLine k =
            make(x.captured(1) == u"oom"_s ? KillerLine::Kind::RuntimeOom : KillerLine::Kind::RuntimeExit);
        k.containerId = x.captured(2);
        takeDockerLabels(k, x.captured(3));
        if (k.kind == KillerLine::Kind::RuntimeExit && !k.exitCode)
            return std::nullopt;
        return k;
    }
    // cAdvisor inside the kubelet (before 1.16): Created an OOM event in container "/kubepods/…" at …
    static const QRegularExpression cadvisor(u"Created an OOM event in container \"([^\"]*)\""_s);
    if (const auto x = matchOf(cadvisor, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::RuntimeOom);
        k.cgroup = x.captured(1);
        takeCgroupNames(k);
        return k;
    }
    if (const auto x = matchOf(sysOom, m); x.hasMatch()) {
        KillerLine k = make(KillerLine::Kind::RuntimeOom);
        k.pid = x.captured(1).toLongLong();
        k.comm = x.captured(2);
        k.cgroup = x.captured(3);
        takeCgroupNames(k);
        return k;
    }
    return std::nullopt;
}

} // namespace

std::optional<KillerLine> recogniseKillerLine(std::string_view message)
{
    // Kernel lines say "due to" too ("crng reseeded due to virtual machine fork"): oomd's begin
    // with "Killed " or "Marked ", checked before the line is converted and matched.
    const bool oomdLike = hasAny(message, oomdWords) && hasAny(message, oomdVerbs);
    const bool unitLike = hasAny(message, unitWords);
    const bool earlyLike = hasAny(message, earlyoomWords);
    const bool kubeletLike = hasAny(message, kubeletWords);
    const bool runtimeLike = hasAny(message, runtimeWords);
    if (!(oomdLike || unitLike || earlyLike || kubeletLike || runtimeLike))
        return std::nullopt;
    QString m = QString::fromUtf8(message.data(), qsizetype(message.size()));
    // Prefixes the log-prefix parser does not know keep the program's "name[pid]: " (a syslog line
    // without host, journalctl -o short-monotonic of a unit): the message starts after it.
    static const QRegularExpression ident(u"^.{0,60}?(?:^|\\s)[A-Za-z0-9_.@-]+\\[\\d+\\]: "_s);
    if (const auto x = ident.match(m); x.hasMatch())
        m.remove(0, x.capturedLength());
    std::optional<KillerLine> k;
    if (oomdLike)
        k = oomd(m);
    if (!k && unitLike)
        k = systemdUnit(m);
    if (!k && earlyLike)
        k = earlyoom(m);
    if (!k && kubeletLike)
        k = kubelet(m);
    if (!k && kubeletLike)
        k = runtime(m);
    if (!k && runtimeLike)
        k = runtime(m);
    return k;
}

KillerLineScanner::KillerLineScanner(int assumedYear, qsizetype maxLineBytes)
    : m_assumedYear(yearForUndated(assumedYear)) // asked once
    , m_maxLineBytes(maxLineBytes)
{ }

void KillerLineScanner::takeLine(std::string_view line)
{
    ++m_scan.linesRead;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    // The message is part of the line: without the words in the whole line there is no need to
    // take the prefix apart (most lines the anchor scan hands over are such).
    if (!holdsKillerWords(line))
        return;
    const LinePrefix prefix = parseLinePrefix(line);
    std::optional<KillerLine> k = recogniseKillerLine(prefix.message);
    if (!k)
        return;
    k->line = m_scan.linesRead;
    k->text = QString::fromUtf8(line.data(), qsizetype(line.size()));
    k->host = QString::fromUtf8(prefix.host.data(), qsizetype(prefix.host.size()));
    k->wallTime = wallTimeOf(prefix, m_assumedYear);
    if (prefix.hasUptime)
        k->uptimeSeconds = prefix.uptimeSeconds;
    m_scan.lines.push_back(std::move(*k));
}

void KillerLineScanner::feed(const char *data, qsizetype size)
{
    const char *p = data;
    const char *const end = data + size;
    // A line begun in an earlier block ends at the first newline of this one.
    if (!m_pending.empty()) {
        const char *nl = anchorscan::findByte(p, end, '\n');
        const char *stop = nl ? nl : end;
        if (!m_pendingCut) {
            const qsizetype room = m_maxLineBytes - qsizetype(m_pending.size());
            const qsizetype take = std::min<qsizetype>(std::max<qsizetype>(0, room), stop - p);
            m_pending.append(p, size_t(take));
            m_pendingCut = take < stop - p;
        }
        if (!nl)
            return;
        takeLine(m_pending);
        m_pending.clear();
        m_pendingCut = false;
        p = nl + 1;
    }
    // Whole lines: only those holding an anchor are split off and recognised; the others are
    // counted. A line without an anchor cannot be a killer's line (see anchored() above).
    const char *lastNl = p < end ? static_cast<const char *>(memrchr(p, '\n', size_t(end - p))) : nullptr;
    const char *const linesEnd = lastNl ? lastNl + 1 : p;
    while (p < linesEnd) {
        qint64 newlines = 0;
        const char *anchor = anchorscan::scanKillerAnchor(p, linesEnd, newlines);
        m_scan.linesRead += newlines;
        if (anchor == linesEnd)
            break;
        const char *before = anchorscan::findLastByte(p, anchor, '\n');
        const char *lineStart = before ? before + 1 : p;
        const char *nl = anchorscan::findByte(anchor, linesEnd, '\n');
        const std::string_view line(lineStart, size_t(nl - lineStart));
        takeLine(line.substr(0, size_t(m_maxLineBytes)));
        p = nl + 1;
    }
    // The start of a line that ends in a later block, cut as takeLine() would cut it.
    if (linesEnd < end) {
        const qsizetype take = std::min<qsizetype>(m_maxLineBytes, end - linesEnd);
        m_pending.assign(linesEnd, size_t(std::max<qsizetype>(0, take)));
        m_pendingCut = take < end - linesEnd;
    }
}

KillerLineScan KillerLineScanner::finish()
{
    if (!m_pending.empty())
        takeLine(m_pending);
    m_pending.clear();
    m_pendingCut = false;
    return std::exchange(m_scan, {});
}

KillerLineScan scanKillerLines(std::string_view text, int assumedYear)
{
    KillerLineScanner scanner(assumedYear);
    scanner.feed(text.data(), qsizetype(text.size()));
    return scanner.finish();
}

} // namespace oomscope
