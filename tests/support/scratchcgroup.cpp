// SPDX-License-Identifier: GPL-3.0-or-later
#include "scratchcgroup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope::testsupport {

namespace {

const QString kV1Root = u"/sys/fs/cgroup/memory"_s;
const QString kV2Root = u"/sys/fs/cgroup"_s;
constexpr int kOomReportAttempts = 3;
constexpr int kRateLimitWaitMs = 5500; // DEFAULT_RATELIMIT_INTERVAL is 5 s

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

bool writable(const QString &path)
{
    return ::access(QFile::encodeName(path).constData(), W_OK) == 0;
}

// v1 first: on hybrid systems /sys/fs/cgroup is a tmpfs and the v2 mount has no controllers.
Result<MemoryHierarchy> findHierarchy(bool v2Accepted)
{
    if (QFileInfo::exists(kV1Root + u"/memory.limit_in_bytes"_s)) {
        if (!writable(kV1Root))
            return fail(Error::Kind::ReadOnly, u"%1 is not writable"_s.arg(kV1Root));
        return MemoryHierarchy {true, kV1Root};
    }
    if (!v2Accepted)
        return fail(Error::Kind::NotFound, u"no cgroup v1 memory controller at %1"_s.arg(kV1Root));
    if (!QFileInfo::exists(kV2Root + u"/cgroup.controllers"_s))
        return fail(Error::Kind::NotFound,
                    u"no memory cgroup hierarchy (neither v1 %1 nor v2 %2)"_s.arg(kV1Root, kV2Root));
    if (!readSysFile(kV2Root + u"/cgroup.subtree_control"_s).simplified().split(' ').contains("memory"))
        return fail(Error::Kind::NotFound,
                    u"cgroup v2 at %1 does not delegate the memory controller "
                    u"(no 'memory' in cgroup.subtree_control)"_s.arg(kV2Root));
    if (!writable(kV2Root))
        return fail(Error::Kind::ReadOnly, u"%1 is not writable"_s.arg(kV2Root));
    return MemoryHierarchy {false, kV2Root};
}

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void execWhenReleased(int gateFd, char *const argv[], bool quietStderr)
{
    // If the test itself is killed (CTest timeout), the children die with it, so the next run
    // can remove the then-empty cgroup; a parent that died before this point closes the gate.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    char go = 0;
    ssize_t got = 0;
    do {
        got = ::read(gateFd, &go, 1);
    } while (got < 0 && errno == EINTR);
    if (got != 1)
        ::_exit(126); // the parent gave up before moving us
    if (quietStderr) {
        const int devnull = ::open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            ::dup2(devnull, STDERR_FILENO);
    }
    ::execv(argv[0], argv);
    ::_exit(127);
}

void removeTree(const QString &dir)
{
    for (const QString &child : QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        removeTree(dir + u'/' + child);
    ::rmdir(QFile::encodeName(dir).constData()); // fails, harmlessly, while tasks are inside
}

} // namespace

Result<MemoryHierarchy> liveHierarchy(const LiveNeeds &needs)
{
    if (::geteuid() != 0)
        return fail(Error::Kind::ReadOnly,
                    needs.kmsg ? u"needs root: creates memory cgroups and reads /dev/kmsg"_s
                               : u"needs root: creates memory cgroups"_s);
    Result<MemoryHierarchy> hierarchy = findHierarchy(needs.v2Accepted);
    if (!hierarchy)
        return fail(hierarchy.error().kind, u"no writable memory cgroup: "_s + hierarchy.error().message);
    if (needs.kmsg && ::access("/dev/kmsg", R_OK) != 0)
        return fail(Error::Kind::Io, u"/dev/kmsg is not readable: "_s + errnoText(errno));
    return hierarchy;
}

ScratchCgroup::ScratchCgroup(MemoryHierarchy hierarchy, QString relativePath)
    : m_hierarchy(std::move(hierarchy))
    , m_relativePath(std::move(relativePath))
{ }

ScratchCgroup::~ScratchCgroup()
{
    for (const pid_t pid : m_children)
        ::kill(pid, SIGKILL);
    for (const pid_t pid : m_children) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    }
    if (m_created)
        removeDir(path());
}

QString ScratchCgroup::uniqueName(QLatin1StringView prefix)
{
    const quint32 salt = QRandomGenerator::global()->generate();
    return prefix + u"%1-%2"_s.arg(::getpid()).arg(qulonglong(salt), 8, 16, QChar(u'0'));
}

Result<void> ScratchCgroup::create(std::int64_t limitBytes, SwapLimit swap)
{
    if (::mkdir(QFile::encodeName(path()).constData(), 0755) != 0)
        return fail(Error::Kind::Io, u"mkdir %1: %2"_s.arg(path(), errnoText(errno)));
    m_created = true;
    if (limitBytes <= 0)
        return {};
    return setLimit(limitBytes, swap);
}

Result<void> ScratchCgroup::setLimit(std::int64_t limitBytes, SwapLimit swap)
{
    const QByteArray limit = QByteArray::number(limitBytes);
    const bool limitSwap =
        swap == SwapLimit::SameAsMemory || (swap == SwapLimit::SameAsMemoryIfSwapOn && swapActive());
    if (!m_hierarchy.v1) {
        if (Result<void> r = writeSysFile(file(u"memory.max"_s), limit); !r)
            return r;
        if (limitSwap && QFileInfo::exists(file(u"memory.swap.max"_s)))
            return writeSysFile(file(u"memory.swap.max"_s), "0");
        return {};
    }
    // memsw must stay >= the memory limit, so the memory limit goes first.
    if (Result<void> r = writeSysFile(file(u"memory.limit_in_bytes"_s), limit); !r)
        return r;
    if (limitSwap && QFileInfo::exists(file(u"memory.memsw.limit_in_bytes"_s))) {
        if (Result<void> r = writeSysFile(file(u"memory.memsw.limit_in_bytes"_s), limit); !r)
            return r;
    }
    return writeSysFile(file(u"memory.oom_control"_s), "0");
}

Result<pid_t> ScratchCgroup::spawn(const QStringList &arguments, const SpawnOptions &options)
{
    std::vector<QByteArray> argStorage;
    for (const QString &argument : arguments)
        argStorage.push_back(QFile::encodeName(argument));
    std::vector<char *> argv;
    for (QByteArray &arg : argStorage)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    int gate[2];
    if (::pipe2(gate, O_CLOEXEC) != 0)
        return fail(Error::Kind::Io, u"pipe2: %1"_s.arg(errnoText(errno)));
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int forkErrno = errno;
        ::close(gate[0]);
        ::close(gate[1]);
        return fail(Error::Kind::Io, u"fork: %1"_s.arg(errnoText(forkErrno)));
    }
    if (pid == 0) {
        ::close(gate[1]);
        execWhenReleased(gate[0], argv.data(), options.quietStderr);
    }
    ::close(gate[0]);
    m_children.push_back(pid);
    Result<void> placed = writeSysFile(file(u"cgroup.procs"_s), QByteArray::number(pid));
    if (placed && options.oomScoreAdj)
        placed = writeSysFile(u"/proc/%1/oom_score_adj"_s.arg(pid), QByteArray::number(*options.oomScoreAdj));
    if (placed && ::write(gate[1], "g", 1) != 1)
        placed = fail(Error::Kind::Io, u"releasing child %1: %2"_s.arg(pid).arg(errnoText(errno)));
    ::close(gate[1]); // without the byte, the child exits 126
    if (!placed)
        return tl::unexpected(placed.error());
    return pid;
}

void ScratchCgroup::forget(pid_t pid)
{
    std::erase(m_children, pid);
}

bool ScratchCgroup::removeDir(const QString &path)
{
    // An exiting task can keep the cgroup busy for a moment after waitpid returns.
    const QByteArray nativePath = QFile::encodeName(path);
    for (int attempt = 0; attempt < 300; ++attempt) {
        if (::rmdir(nativePath.constData()) == 0 || errno == ENOENT)
            return true;
        if (errno != EBUSY)
            break;
        QTest::qSleep(10);
    }
    qWarning("could not remove cgroup %s: %s", nativePath.constData(), std::strerror(errno));
    return false;
}

void ScratchCgroup::removeStale(const QString &dir, QLatin1StringView prefix)
{
    const QDir root(dir);
    for (const QString &name : root.entryList({prefix + u'*'}, QDir::Dirs | QDir::NoDotAndDotDot))
        removeTree(root.filePath(name));
}

QStringList ScratchCgroup::leftBehind(const QString &dir, QLatin1StringView prefix)
{
    const QString mine = prefix + QString::number(::getpid());
    return QDir(dir).entryList({mine, mine + u"-*"_s}, QDir::Dirs | QDir::NoDotAndDotDot);
}

bool tryReap(pid_t pid, int *status)
{
    pid_t got = 0;
    do {
        got = ::waitpid(pid, status, WNOHANG);
    } while (got < 0 && errno == EINTR);
    return got == pid;
}

Result<void> writeSysFile(const QString &path, const QByteArray &value)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(Error::Kind::Io, u"open %1: %2"_s.arg(path, errnoText(errno)));
    const ssize_t written = ::write(fd, value.constData(), size_t(value.size()));
    const int writeErrno = errno;
    ::close(fd);
    if (written != value.size())
        return fail(Error::Kind::Io,
                    u"write '%1' to %2: %3"_s.arg(QString::fromLatin1(value), path, errnoText(writeErrno)));
    return {};
}

QByteArray readSysFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool swapActive()
{
    // /proc/swaps: a header line, then one line per active swap area.
    return readSysFile(u"/proc/swaps"_s).trimmed().count('\n') > 0;
}

OomCapture captureOomReport(const std::function<void()> &capture, const std::function<bool()> &complete)
{
    for (int attempt = 1;; ++attempt) {
        capture();
        if (QTest::currentTestFailed())
            return OomCapture::Failed;
        if (complete())
            return OomCapture::Complete;
        if (attempt == kOomReportAttempts)
            return OomCapture::RateLimited;
        qWarning("attempt %d: the kernel rate-limited the OOM report; retrying in %.1f s", attempt,
                 kRateLimitWaitMs / 1000.0);
        QTest::qWait(kRateLimitWaitMs);
    }
}

} // namespace oomscope::testsupport
