// SPDX-License-Identifier: GPL-3.0-or-later
#include "cgroupreader.h"

#include "cgrouppath.h"
#include "pseudofile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

using live::Fd;
using live::FileBuffer;
using live::ReadStatus;

// v1 prints PAGE_COUNTER_MAX * PAGE_SIZE (9223372036854771712 with 4 KiB pages) for "no limit";
// anything from 2^62 up is treated as unlimited so other page sizes are covered too.
constexpr qint64 kUnlimitedThresholdBytes = qint64(1) << 62;

constexpr bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

bool parseInt(std::string_view s, qint64 &out)
{
    if (s.empty())
        return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

// A limit file's value: "max" or a huge number means no limit (nullopt); false if malformed.
bool parseLimit(std::string_view s, std::optional<qint64> &out)
{
    s = trimmed(s);
    if (s == "max") {
        out.reset();
        return true;
    }
    quint64 value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || end != s.data() + s.size())
        return false;
    if (ec == std::errc::result_out_of_range || value >= quint64(kUnlimitedThresholdBytes)) {
        out.reset();
        return true;
    }
    if (ec != std::errc())
        return false;
    out = qint64(value);
    return true;
}

// Calls f(key, value) for each "key value" line; false on the first malformed line.
template<typename F> bool forEachKeyValue(std::string_view text, F &&f)
{
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        line = trimmed(line);
        if (line.empty())
            continue;
        const size_t sp = line.find(' ');
        if (sp == std::string_view::npos)
            return false;
        qint64 value = 0;
        if (!parseInt(trimmed(line.substr(sp + 1)), value))
            return false;
        f(line.substr(0, sp), value);
    }
    return true;
}

using Field = std::optional<qint64> CgroupSample::*;

struct StatKey {
    std::string_view key;
    Field field;
    bool local; // v1 non-total_ line: used only when the total_ line is absent
};

constexpr StatKey kStatKeysV1[] = {
    {"total_rss", &CgroupSample::anonBytes, false},
    {"total_cache", &CgroupSample::fileBytes, false},
    {"total_shmem", &CgroupSample::shmemBytes, false},
    {"total_active_anon", &CgroupSample::activeAnonBytes, false},
    {"total_inactive_anon", &CgroupSample::inactiveAnonBytes, false},
    {"total_active_file", &CgroupSample::activeFileBytes, false},
    {"total_inactive_file", &CgroupSample::inactiveFileBytes, false},
    {"total_unevictable", &CgroupSample::unevictableBytes, false},
    {"total_mapped_file", &CgroupSample::mappedFileBytes, false},
    {"total_swap", &CgroupSample::swapBytes, false},
    {"rss", &CgroupSample::anonBytes, true},
    {"cache", &CgroupSample::fileBytes, true},
    {"shmem", &CgroupSample::shmemBytes, true},
    {"active_anon", &CgroupSample::activeAnonBytes, true},
    {"inactive_anon", &CgroupSample::inactiveAnonBytes, true},
    {"active_file", &CgroupSample::activeFileBytes, true},
    {"inactive_file", &CgroupSample::inactiveFileBytes, true},
    {"unevictable", &CgroupSample::unevictableBytes, true},
    {"mapped_file", &CgroupSample::mappedFileBytes, true},
    {"swap", &CgroupSample::swapBytes, true},
};

constexpr StatKey kStatKeysV2[] = {
    {"anon", &CgroupSample::anonBytes, false},
    {"file", &CgroupSample::fileBytes, false},
    {"kernel", &CgroupSample::kernelBytes, false},
    {"kernel_stack", &CgroupSample::kernelStackBytes, false},
    {"pagetables", &CgroupSample::pageTablesBytes, false},
    {"sock", &CgroupSample::sockBytes, false},
    {"shmem", &CgroupSample::shmemBytes, false},
    {"file_mapped", &CgroupSample::mappedFileBytes, false},
    {"inactive_anon", &CgroupSample::inactiveAnonBytes, false},
    {"active_anon", &CgroupSample::activeAnonBytes, false},
    {"inactive_file", &CgroupSample::inactiveFileBytes, false},
    {"active_file", &CgroupSample::activeFileBytes, false},
    {"unevictable", &CgroupSample::unevictableBytes, false},
    {"slab", &CgroupSample::slabBytes, false},
};

template<size_t N>
bool parseStat(std::string_view text, const StatKey (&keys)[N], CgroupSample &s, bool keepRaw)
{
    // Local v1 lines may come before or after the total_ ones; remember which fields a total_
    // line set so a local line never overrides it.
    bool setByTotal[N] = {};
    return forEachKeyValue(text, [&](std::string_view key, qint64 value) {
        if (keepRaw)
            s.stat.emplace_back(QString::fromLatin1(key.data(), qsizetype(key.size())), value);
        for (size_t i = 0; i < N; ++i) {
            if (keys[i].key != key)
                continue;
            if (keys[i].local) {
                // Find the total_ entry for the same field.
                bool overridden = false;
                for (size_t j = 0; j < N; ++j)
                    overridden |= !keys[j].local && keys[j].field == keys[i].field && setByTotal[j];
                if (!overridden)
                    s.*(keys[i].field) = value;
            } else {
                s.*(keys[i].field) = value;
                setByTotal[i] = true;
            }
            break;
        }
    });
}

bool parseEvents(std::string_view text, CgroupMemoryEvents &e)
{
    return forEachKeyValue(text, [&](std::string_view key, qint64 value) {
        if (key == "low")
            e.low = value;
        else if (key == "high")
            e.high = value;
        else if (key == "max")
            e.max = value;
        else if (key == "oom")
            e.oom = value;
        else if (key == "oom_kill")
            e.oomKill = value;
        else if (key == "oom_group_kill")
            e.oomGroupKill = value;
    });
}

// What is wrong with a file's content, without its content: a file outside cgroupfs may be
// anything, and error messages reach clients of the agent.
QString describeMalformed(std::string_view s)
{
    return u"(%1 bytes, not the expected format)"_s.arg(s.size());
}

// What read() and processes() say when a path cannot be read at all.
Error escapesRoot(const QString &relPath)
{
    return {Error::Kind::Invalid, u"cgroup path \"%1\" leaves the hierarchy root"_s.arg(relPath)};
}

// A cgroup directory that did not open: gone (or never there) is NotFound, anything else Io.
Error cannotOpen(const QString &path, int err)
{
    return {err == ENOENT || err == ENOTDIR ? Error::Kind::NotFound : Error::Kind::Io,
            u"cannot open cgroup %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(err)))};
}

std::string toNative(const QString &path)
{
    const QByteArray bytes = QFile::encodeName(path);
    return std::string(bytes.constData(), size_t(bytes.size()));
}

qint64 boottimeUsNow()
{
    timespec ts {};
    if (::clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        return 0;
    return qint64(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Appends the pids of dirFd's cgroup.procs and, if recursive, of every descendant.
bool collectPids(int dirFd, bool recursive, FileBuffer &buf, std::vector<qint64> &pids, int depth)
{
    if (buf.readAt(dirFd, "cgroup.procs", true) == ReadStatus::Ok) {
        std::string_view text = buf.view();
        while (!text.empty()) {
            const size_t nl = text.find('\n');
            const std::string_view line = trimmed(text.substr(0, nl));
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
            qint64 pid = 0;
            if (line.empty())
                continue;
            if (!parseInt(line, pid) || pid <= 0)
                return false;
            pids.push_back(pid);
        }
    }
    // Cgroup trees are shallow; the bound only guards against a pathological fixture.
    if (!recursive || depth > 64)
        return true;
    const int dupFd = ::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dupFd < 0)
        return true;
    DIR *dir = ::fdopendir(dupFd);
    if (!dir) {
        ::close(dupFd);
        return true;
    }
    bool ok = true;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN)
            continue;
        const Fd child(::openat(dirFd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
        if (child.fd < 0)
            continue; // not a directory, or removed meanwhile
        ok = collectPids(child.fd, true, buf, pids, depth + 1) && ok;
    }
    ::closedir(dir);
    return ok;
}

std::optional<ProcessReading> readProcess(const std::string &procRoot, qint64 pid, FileBuffer &buf)
{
    char pidText[24];
    const auto [pidEnd, ec] = std::to_chars(pidText, pidText + sizeof pidText, pid);
    Q_UNUSED(ec);
    // std::string appends: QT_USE_QSTRINGBUILDER would turn operator+ into a QStringBuilder.
    std::string dirPath = procRoot;
    dirPath.append(1, '/').append(pidText, size_t(pidEnd - pidText));
    const Fd dir(::open(dirPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.fd < 0)
        return std::nullopt;
    if (buf.readAt(dir.fd, "status") != ReadStatus::Ok)
        return std::nullopt;

    ProcessReading p;
    p.pid = pid;
    std::string_view text = buf.view();
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string_view key = line.substr(0, colon);
        std::string_view value = trimmed(line.substr(colon + 1));
        if (key == "Name") {
            p.comm = QString::fromUtf8(value.data(), qsizetype(value.size()));
            continue;
        }
        if (key == "State") {
            p.state = value.empty() ? char(0) : value.front();
            continue;
        }
        std::optional<qint64> *field = nullptr;
        if (key == "VmRSS")
            field = &p.vmRssKb;
        else if (key == "RssAnon")
            field = &p.rssAnonKb;
        else if (key == "RssFile")
            field = &p.rssFileKb;
        else if (key == "RssShmem")
            field = &p.rssShmemKb;
        else if (key == "VmSwap")
            field = &p.swapKb;
        if (!field)
            continue;
        if (value.size() > 3 && value.substr(value.size() - 3) == " kB")
            value = trimmed(value.substr(0, value.size() - 3));
        qint64 kb = 0;
        if (parseInt(value, kb))
            *field = kb;
    }

    const auto readSmallInt = [&](const char *name, std::optional<int> &out) {
        qint64 v = 0;
        if (buf.readAt(dir.fd, name) == ReadStatus::Ok && parseInt(trimmed(buf.view()), v))
            out = int(v);
    };
    readSmallInt("oom_score_adj", p.oomScoreAdj);
    readSmallInt("oom_score", p.oomScore);
    return p;
}

// The files of one cgroup directory being read into one sample: keeps the first error in words
// (later ones are dropped) and reuses one buffer for every file.
class SampleFiles
{
public:
    SampleFiles(int dirFd, const QString &path)
        : m_dirFd(dirFd)
        , m_path(path)
    { }

    FileBuffer &buffer() { return m_buf; }
    const QString &firstError() const { return m_firstError; }

    void fail(const QString &message)
    {
        if (m_firstError.isEmpty())
            m_firstError = message;
    }

    void malformed(const char *name)
    {
        fail(u"%1/%2: malformed content %3"_s.arg(m_path == u"/" ? QString() : m_path,
                                                  QLatin1StringView(name), describeMalformed(m_buf.view())));
    }

    // True when the file was read; a missing file is no error.
    bool readFile(const char *name)
    {
        const ReadStatus st = m_buf.readAt(m_dirFd, name);
        if (st == ReadStatus::Failed)
            fail(u"%1/%2: %3"_s.arg(m_path, QLatin1StringView(name), m_buf.failure()));
        return st == ReadStatus::Ok;
    }

    void readCounter(const char *name, std::optional<qint64> &out)
    {
        if (!readFile(name))
            return;
        qint64 v = 0;
        if (parseInt(trimmed(m_buf.view()), v) && v >= 0)
            out = v;
        else
            malformed(name);
    }

    void readLimit(const char *name, std::optional<qint64> &out)
    {
        if (readFile(name) && !parseLimit(m_buf.view(), out))
            malformed(name);
    }

    template<size_t N> void readStat(const StatKey (&keys)[N], CgroupSample &s, bool keepRaw)
    {
        if (readFile("memory.stat") && !parseStat(m_buf.view(), keys, s, keepRaw))
            malformed("memory.stat");
    }

private:
    int m_dirFd;
    QString m_path;
    FileBuffer m_buf;
    QString m_firstError;
};

constexpr const char *kLimitFileV1 = "memory.limit_in_bytes";
constexpr const char *kLimitFileV2 = "memory.max";

// v1 OOM state: memory.oom_control (oom_kill counts kills in this cgroup only).
void readOomControlV1(SampleFiles &files, CgroupSample &s)
{
    if (!files.readFile("memory.oom_control"))
        return;
    const bool ok = forEachKeyValue(files.buffer().view(), [&](std::string_view key, qint64 value) {
        if (key == "oom_kill_disable")
            s.oomKillDisable = value != 0;
        else if (key == "under_oom")
            s.underOom = value != 0;
        else if (key == "oom_kill")
            s.oomKillCount = value;
    });
    if (!ok)
        files.malformed("memory.oom_control");
}

void readFilesV1(SampleFiles &files, CgroupSample &s, bool keepRawStat)
{
    files.readCounter("memory.usage_in_bytes", s.usageBytes);
    files.readLimit(kLimitFileV1, s.limitBytes);
    files.readCounter("memory.max_usage_in_bytes", s.peakBytes);
    files.readCounter("memory.failcnt", s.failcnt);
    files.readCounter("memory.memsw.usage_in_bytes", s.memswUsageBytes);
    files.readLimit("memory.memsw.limit_in_bytes", s.memswLimitBytes);
    files.readCounter("memory.memsw.max_usage_in_bytes", s.memswPeakBytes);
    files.readCounter("memory.memsw.failcnt", s.memswFailcnt);
    files.readCounter("memory.kmem.usage_in_bytes", s.kernelBytes);
    readOomControlV1(files, s);
    files.readStat(kStatKeysV1, s, keepRawStat);
}

void readEventsV2(SampleFiles &files, const char *name, std::optional<CgroupMemoryEvents> &out)
{
    if (!files.readFile(name))
        return;
    CgroupMemoryEvents e;
    if (parseEvents(files.buffer().view(), e))
        out = e;
    else
        files.malformed(name);
}

// v2 OOM state: memory.oom.group and memory.events (hierarchical) / memory.events.local.
void readOomStateV2(SampleFiles &files, CgroupSample &s)
{
    std::optional<qint64> oomGroup;
    files.readCounter("memory.oom.group", oomGroup);
    s.oomGroup = oomGroup.value_or(0) != 0;
    readEventsV2(files, "memory.events", s.events);
    readEventsV2(files, "memory.events.local", s.eventsLocal);
    if (s.events) {
        s.oomKillCount = s.events->oomKill;
        s.oomEvents = s.events->oom;
    }
}

void readFilesV2(SampleFiles &files, CgroupSample &s, bool keepRawStat)
{
    files.readCounter("memory.current", s.usageBytes);
    files.readLimit(kLimitFileV2, s.limitBytes);
    files.readLimit("memory.high", s.highBytes);
    files.readCounter("memory.peak", s.peakBytes);
    files.readCounter("memory.swap.current", s.swapBytes);
    files.readLimit("memory.swap.max", s.swapLimitBytes);
    readOomStateV2(files, s);
    files.readStat(kStatKeysV2, s, keepRawStat);
}

// Walks up from absDir to the memory root; the cgroup's own limit is the first candidate. Ties
// keep the deeper cgroup, which is the one a person would look at first.
void walkEffectiveLimit(SampleFiles &files, CgroupSample &s, const std::string &absDir,
                        const std::string &memoryRoot, const char *limitFile)
{
    if (s.limitBytes) {
        s.effectiveLimitBytes = s.limitBytes;
        s.effectiveLimitPath = s.path;
    }
    FileBuffer &buf = files.buffer();
    size_t end = absDir.size();
    while (end > memoryRoot.size()) {
        end = absDir.rfind('/', end - 1);
        if (end == std::string::npos || end < memoryRoot.size())
            break;
        std::string file = absDir.substr(0, end);
        file.append(1, '/').append(limitFile);
        const ReadStatus st = buf.readAt(AT_FDCWD, file.c_str());
        if (st != ReadStatus::Ok)
            continue; // the v2 root has no memory.max
        std::optional<qint64> parentLimit;
        if (!parseLimit(buf.view(), parentLimit)) {
            files.fail(u"%1: malformed content %2"_s.arg(QFile::decodeName(file.c_str()),
                                                         describeMalformed(buf.view())));
            continue;
        }
        if (parentLimit && (!s.effectiveLimitBytes || *parentLimit < *s.effectiveLimitBytes)) {
            s.effectiveLimitBytes = parentLimit;
            const std::string rel = absDir.substr(memoryRoot.size(), end - memoryRoot.size());
            s.effectiveLimitPath = rel.empty() ? u"/"_s : QFile::decodeName(rel.c_str());
        }
    }
}

} // namespace

std::optional<CgroupMemoryEvents> parseMemoryEvents(std::string_view text)
{
    CgroupMemoryEvents e;
    if (!parseEvents(text, e))
        return std::nullopt;
    return e;
}

CgroupReader::CgroupReader(const QString &cgroupRoot, const QString &procRoot)
    : m_cgroupRoot(cgroupRoot)
    , m_procRoot(procRoot)
    , m_memoryRoot(cgroupRoot)
{
    // Trailing slashes would double up when paths are appended.
    while (m_cgroupRoot.size() > 1 && m_cgroupRoot.endsWith(u'/'))
        m_cgroupRoot.chop(1);
    while (m_procRoot.size() > 1 && m_procRoot.endsWith(u'/'))
        m_procRoot.chop(1);
    detectVersion();
}

CgroupVersion CgroupReader::detectVersion()
{
    if (QFileInfo::exists(m_cgroupRoot + u"/cgroup.controllers"_s)) {
        m_version = CgroupVersion::V2;
        m_memoryRoot = m_cgroupRoot;
    } else if (QFileInfo::exists(m_cgroupRoot + u"/memory/memory.usage_in_bytes"_s)) {
        m_version = CgroupVersion::V1;
        m_memoryRoot = m_cgroupRoot + u"/memory"_s;
    } else if (QFileInfo::exists(m_cgroupRoot + u"/memory.usage_in_bytes"_s)) {
        m_version = CgroupVersion::V1;
        m_memoryRoot = m_cgroupRoot;
    } else {
        m_version = CgroupVersion::None;
        m_memoryRoot = m_cgroupRoot;
    }
    return m_version;
}

std::optional<QString> CgroupReader::normalizePath(const QString &relPath)
{
    return normalizeCgroupPath(relPath);
}

Result<CgroupSample> CgroupReader::read(const QString &relPath) const
{
    CgroupSample s;
    s.timestampMs = QDateTime::currentMSecsSinceEpoch();
    s.boottimeUs = boottimeUsNow();
    s.version = int(m_version);
    const std::optional<QString> normalized = normalizePath(relPath);
    if (!normalized)
        return tl::unexpected(escapesRoot(relPath));
    s.path = *normalized;
    if (m_version == CgroupVersion::None)
        return fail(Error::Kind::NotFound, u"no cgroup memory controller found under %1"_s.arg(m_cgroupRoot));

    const std::string absDir = toNative(s.path == u"/" ? m_memoryRoot : m_memoryRoot + s.path);
    const Fd dir(::open(absDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.fd < 0)
        return tl::unexpected(cannotOpen(s.path, errno));

    SampleFiles files(dir.fd, s.path);
    if (m_version == CgroupVersion::V1)
        readFilesV1(files, s, m_keepRawStat);
    else
        readFilesV2(files, s, m_keepRawStat);
    walkEffectiveLimit(files, s, absDir, toNative(m_memoryRoot),
                       m_version == CgroupVersion::V1 ? kLimitFileV1 : kLimitFileV2);
    s.problem = files.firstError();
    return s;
}

Result<std::vector<ProcessReading>> CgroupReader::processes(const QString &relPath, bool recursive) const
{
    std::vector<ProcessReading> result;
    const std::optional<QString> normalized = normalizePath(relPath);
    if (!normalized)
        return tl::unexpected(escapesRoot(relPath));
    const std::string absDir = toNative(*normalized == u"/" ? m_memoryRoot : m_memoryRoot + *normalized);
    const Fd dir(::open(absDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.fd < 0)
        return tl::unexpected(cannotOpen(*normalized, errno));
    FileBuffer buf;
    std::vector<qint64> pids;
    if (!collectPids(dir.fd, recursive, buf, pids, 0))
        return fail(Error::Kind::Invalid, u"%1: malformed cgroup.procs"_s.arg(*normalized));
    std::sort(pids.begin(), pids.end());
    pids.erase(std::unique(pids.begin(), pids.end()), pids.end());

    const std::string procRoot = toNative(m_procRoot);
    result.reserve(pids.size());
    for (const qint64 pid : pids) {
        if (std::optional<ProcessReading> p = readProcess(procRoot, pid, buf))
            result.push_back(std::move(*p));
    }
    return result;
}

std::optional<ProcessReading> CgroupReader::process(qint64 pid) const
{
    FileBuffer buf;
    return readProcess(toNative(m_procRoot), pid, buf);
}

std::optional<QString> CgroupReader::cgroupOfProcess(qint64 pid) const
{
    QFile file(m_procRoot + u'/' + QString::number(pid) + u"/cgroup"_s);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray content = file.readAll();
    std::optional<QString> unified;
    for (const QByteArray &line : content.split('\n')) {
        // "hierarchy-id:controller-list:path"; the path itself may contain ':'.
        const qsizetype first = line.indexOf(':');
        const qsizetype second = first < 0 ? -1 : line.indexOf(':', first + 1);
        if (second < 0)
            continue;
        const QByteArray controllers = line.sliced(first + 1, second - first - 1);
        const QString path = QString::fromUtf8(line.sliced(second + 1));
        if (controllers.isEmpty() && line.first(first) == "0") {
            unified = path;
            continue;
        }
        bool hasMemory = false;
        for (const QByteArray &c : controllers.split(','))
            hasMemory |= c == "memory";
        if (hasMemory && m_version != CgroupVersion::V2)
            return path;
    }
    // On a v1 (or hybrid) system the "0::" path names a cgroup of the unified hierarchy, which
    // has no memory controller: it must not be mistaken for a memory cgroup.
    if (m_version == CgroupVersion::V1)
        return std::nullopt;
    return unified;
}

} // namespace oomscope
