// SPDX-License-Identifier: GPL-3.0-or-later
#include "killerlines.h"

#include "cgrouppath.h"
#include "prefixparser.h"

#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <span>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

bool has(std::string_view text, std::string_view needle)
{
    return text.find(needle) != std::string_view::npos;
}

// The words a line of each family must hold: the cheap test before any regular expression.
constexpr std::array<std::string_view, 1> kOomdWords {"due to "};
constexpr std::array<std::string_view, 2> kUnitWords {" in this unit", "by the OOM killer"};
constexpr std::array<std::string_view, 3> kEarlyoomWords {"VmRSS", "ow memory!", "ow Memory!"};
constexpr std::array<std::string_view, 4> kKubeletWords {"viction manager:", "\"Evicting pod\"",
                                                         "Got sys oom event", "OOM event in container"};
constexpr std::array<std::string_view, 5> kRuntimeWords {"TaskOOM", "exit event", "TaskExit",
                                                         "container oom ", "container die "};

bool hasAny(std::string_view text, std::span<const std::string_view> words)
{
    return std::any_of(words.begin(), words.end(), [text](std::string_view w) { return has(text, w); });
}

// Three bytes of which every word above holds one, compared with ASCII letters folded to lower
// case (byte | 0x20): KillerLineScanner looks only at the lines that hold one. Chosen rare in
// ordinary kernel and syslog text; a line they let through is merely recognised in full.
constexpr std::array<std::array<char, 3>, 8> kAnchors {{
    {'o', 'o', 'm'},
    {'x', 'i', 't'},
    {'i', 'c', 't'},
    {'d', 'u', 'e'},
    {'d', 'i', 'e'},
    {'v', 'm', 'r'},
    {'r', 'y', '!'},
    {'s', ' ', 'u'},
}};

constexpr char folded(char c)
{
    return char(c | 0x20);
}

constexpr bool holdsAnchor(std::string_view word)
{
    for (std::size_t i = 0; i + 3 <= word.size(); ++i) {
        for (const auto &a : kAnchors) {
            if (folded(word[i]) == a[0] && folded(word[i + 1]) == a[1] && folded(word[i + 2]) == a[2])
                return true;
        }
    }
    return false;
}

template<std::size_t N> constexpr bool allHoldAnchors(const std::array<std::string_view, N> &words)
{
    return std::all_of(words.begin(), words.end(), holdsAnchor);
}

static_assert(allHoldAnchors(kOomdWords) && allHoldAnchors(kUnitWords) && allHoldAnchors(kEarlyoomWords)
                  && allHoldAnchors(kKubeletWords) && allHoldAnchors(kRuntimeWords),
              "KillerLineScanner would skip lines holding this word: add an anchor it holds");

bool isAnchorAt(const char *p)
{
    for (const auto &a : kAnchors) {
        if (folded(p[0]) == a[0] && folded(p[1]) == a[1] && folded(p[2]) == a[2])
            return true;
    }
    return false;
}

// The first anchor in [p, end), adding the newlines before it to newlines; end if none. Lines end
// before end, and no anchor holds a newline, so an anchor never straddles two lines.
const char *findAnchor(const char *p, const char *end, qint64 &newlines)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i fold = _mm_set1_epi8(0x20);
    const __m128i zero = _mm_setzero_si128();
    __m128i counts = zero; // per-byte newline counters, folded before they can overflow
    int pending = 0;
    auto sumCounts = [&] {
        const __m128i sums = _mm_sad_epu8(counts, zero);
        newlines += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
        counts = zero;
        pending = 0;
    };
    while (end - p >= 18) {
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i a = _mm_or_si128(raw, fold);
        const __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 1)), fold);
        const __m128i c = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 2)), fold);
        __m128i any = zero;
        for (const auto &k : kAnchors) {
            const __m128i m = _mm_and_si128(
                _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8(k[0])), _mm_cmpeq_epi8(b, _mm_set1_epi8(k[1]))),
                _mm_cmpeq_epi8(c, _mm_set1_epi8(k[2])));
            any = _mm_or_si128(any, m);
        }
        const __m128i isNl = _mm_cmpeq_epi8(raw, nl);
        if (const unsigned hit = unsigned(_mm_movemask_epi8(any))) {
            sumCounts();
            const int idx = std::countr_zero(hit);
            newlines += std::popcount(unsigned(_mm_movemask_epi8(isNl)) & ((1u << idx) - 1u));
            return p + idx;
        }
        counts = _mm_sub_epi8(counts, isNl);
        if (++pending == 255)
            sumCounts();
        p += 16;
    }
    sumCounts();
#endif
    for (; p < end; ++p) {
        if (*p == '\n')
            ++newlines;
        else if (end - p >= 3 && isAnchorAt(p))
            return p;
    }
    return end;
}

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
    // Cheap substring tests first: almost every line of a log is none of these.
    const bool oomdLike = hasAny(message, kOomdWords);
    const bool unitLike = hasAny(message, kUnitWords);
    const bool earlyLike = hasAny(message, kEarlyoomWords);
    const bool kubeletLike = hasAny(message, kKubeletWords);
    const bool runtimeLike = hasAny(message, kRuntimeWords);
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
    : m_assumedYear(assumedYear)
    , m_maxLineBytes(maxLineBytes)
{ }

void KillerLineScanner::takeLine(std::string_view line)
{
    ++m_scan.linesRead;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
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
    // The rest of a line begun in an earlier block.
    if (!m_pending.empty()) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(size)));
        const char *pieceEnd = nl ? nl : end;
        if (!m_pendingCut) {
            const qsizetype room = std::max<qsizetype>(0, m_maxLineBytes - qsizetype(m_pending.size()));
            const qsizetype take = std::min(room, qsizetype(pieceEnd - p));
            m_pending.append(p, size_t(take));
            m_pendingCut = take < pieceEnd - p;
        }
        if (!nl)
            return;
        takeLine(m_pending);
        m_pending.clear();
        m_pendingCut = false;
        p = nl + 1;
    }
    // Whole lines: only those holding an anchor can hold a killer's words; the others are
    // counted, not split or decoded (most of a log).
    const char *wholeEnd = p;
    for (const char *q = end; q > p; --q) {
        if (q[-1] == '\n') {
            wholeEnd = q;
            break;
        }
    }
    qint64 newlines = 0;
    while (p < wholeEnd) {
        const char *anchor = findAnchor(p, wholeEnd, newlines);
        if (anchor == wholeEnd)
            break;
        const char *lineStart = anchor;
        while (lineStart > p && lineStart[-1] != '\n')
            --lineStart;
        const char *lineEnd = static_cast<const char *>(std::memchr(anchor, '\n', size_t(wholeEnd - anchor)));
        m_scan.linesRead += newlines; // the lines before this one
        newlines = 0;
        takeLine(
            std::string_view(lineStart, size_t(std::min<qsizetype>(lineEnd - lineStart, m_maxLineBytes))));
        p = lineEnd + 1;
    }
    m_scan.linesRead += newlines;
    p = std::max(p, wholeEnd);
    if (p < end) {
        const qsizetype take = std::min(std::max<qsizetype>(0, m_maxLineBytes), qsizetype(end - p));
        m_pending.append(p, size_t(take));
        m_pendingCut = take < end - p;
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
