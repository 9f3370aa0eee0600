// SPDX-License-Identifier: GPL-3.0-or-later
// The one way the live tests make memory cgroups and run processes in them: a scratch cgroup
// under the writable memory hierarchy (cgroup v1; v2 with the memory controller delegated where
// a test accepts it), its limit, processes moved into it before they exec, and the cgroup
// removed on every exit path (the destructor, which a failed QVERIFY returns through). Also the
// retry past the kernel's rate limit on OOM reports.
#pragma once

#include "result.h"

#include <QLatin1StringView>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <optional>
#include <sys/types.h>
#include <vector>

namespace oomscope::testsupport {

struct MemoryHierarchy {
    bool v1 = true;
    QString rootPath; // /sys/fs/cgroup/memory (v1) or /sys/fs/cgroup (v2)
};

struct LiveNeeds {
    bool v2Accepted = false; // else only a writable cgroup v1 memory controller will do
    bool kmsg = true; // the test reads /dev/kmsg
};

// The hierarchy to make scratch cgroups in, or why a live test cannot run here: the error's
// message is the QSKIP reason (not root, no writable memory controller, /dev/kmsg unreadable).
Result<MemoryHierarchy> liveHierarchy(const LiveNeeds &needs = {});

// How a scratch cgroup's limit treats swap (v1 memsw, v2 swap.max).
enum class SwapLimit {
    SameAsMemory, // nothing escapes into swap (where the file exists)
    SameAsMemoryIfSwapOn, // as Kubernetes on v1: no memsw limit without swap (with one, 6.18
                          // counts no failcnt at all)
    Untouched,
};

struct SpawnOptions {
    std::optional<int> oomScoreAdj; // written before the child execs
    bool quietStderr = false; // the child's stderr goes to /dev/null
};

class ScratchCgroup
{
public:
    // relativePath: below the hierarchy's root, e.g. u'/' + uniqueName("oomscope-e2e-").
    ScratchCgroup(MemoryHierarchy hierarchy, QString relativePath);
    // Kills and reaps what spawn() started and was not forgotten, then removes the directory.
    ~ScratchCgroup();
    ScratchCgroup(const ScratchCgroup &) = delete;
    ScratchCgroup &operator=(const ScratchCgroup &) = delete;

    // prefix + this process's pid + '-' + 8 random hex digits.
    static QString uniqueName(QLatin1StringView prefix);

    const QString &relativePath() const { return m_relativePath; }
    QString path() const { return m_hierarchy.rootPath + m_relativePath; }
    QString file(const QString &name) const { return path() + u'/' + name; }
    bool isV1() const { return m_hierarchy.v1; }

    // Makes the directory; with limitBytes > 0 also sets the limit, swap as asked and (v1) makes
    // sure the OOM killer is on, which a parent could have left disabled.
    Result<void> create(std::int64_t limitBytes = 0, SwapLimit swap = SwapLimit::SameAsMemory);

    // Forks; the child waits on a pipe until it is in this cgroup (and has its oom_score_adj),
    // then execs arguments[0] (a path): everything it allocates after exec is charged here. If
    // the test process dies, its children die with it.
    Result<pid_t> spawn(const QStringList &arguments, const SpawnOptions &options = {});
    // For a child the test has reaped itself.
    void forget(pid_t pid);

    // rmdir, retried while an exiting task keeps the cgroup busy; warns when it gives up.
    static bool removeDir(const QString &path);
    // Cgroups named prefix* under dir (and their children) that a run killed by a timeout left
    // behind; those that still hold tasks stay.
    static void removeStale(const QString &dir, QLatin1StringView prefix);
    // This process's cgroups named prefix<pid> or prefix<pid>-* under dir that still exist.
    static QStringList leftBehind(const QString &dir, QLatin1StringView prefix);

private:
    Result<void> setLimit(std::int64_t limitBytes, SwapLimit swap);

    MemoryHierarchy m_hierarchy;
    QString m_relativePath;
    bool m_created = false;
    std::vector<pid_t> m_children;
};

// waitpid without blocking; true once pid has exited (status filled).
bool tryReap(pid_t pid, int *status);

// cgroupfs and procfs report errors (EBUSY, EINVAL) on write(), which QFile hides behind a
// generic message; plain POSIX keeps the reason.
Result<void> writeSysFile(const QString &path, const QByteArray &value);
QByteArray readSysFile(const QString &path); // empty when it cannot be read
bool swapActive(); // /proc/swaps lists an area

// The kernel rate-limits the OOM report (dump_header: 10 per 5 s, host-wide) but never the kill
// line, so after other OOM kills on the machine a capture can hold only "Killed process". That is
// the kernel's choice, not a parser error: captureOomReport runs capture() again after the window,
// at most three times. capture() fails the test with QVERIFY (then Failed); complete() says
// whether it saw the whole report.
enum class OomCapture { Complete, Failed, RateLimited };
OomCapture captureOomReport(const std::function<void()> &capture, const std::function<bool()> &complete);
inline constexpr char kOomReportRateLimited[] =
    "the kernel suppressed the OOM report three times (dump_header rate limit: other OOM kills on "
    "this machine); only the kill line was logged";

// The message of a failed Result, empty for a value (safe to evaluate in QVERIFY2 either way).
template<typename T> QString errorOf(const Result<T> &result)
{
    return result ? QString() : result.error().message;
}

} // namespace oomscope::testsupport
