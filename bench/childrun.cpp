// SPDX-License-Identifier: GPL-3.0-or-later
#include "childrun.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace Qt::StringLiterals;

namespace oomscope::bench {

ChildRun runChild(const QStringList &args)
{
    ChildRun run;
    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QCoreApplication::applicationFilePath(), args);
    if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
        run.error = QString::fromLocal8Bit(child.readAllStandardError()).trimmed();
        if (run.error.isEmpty())
            run.error = child.errorString();
        return run;
    }
    const QString output = QString::fromUtf8(child.readAllStandardOutput()).trimmed();
    for (const QString &pair : output.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(u'=');
        if (eq > 0)
            run.values[pair.left(eq)] = pair.mid(eq + 1);
    }
    run.ok = true;
    return run;
}

namespace {

qint64 vmHwmKb(const QByteArray &statusPath)
{
    const int fd = open(statusPath.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[4096];
    const ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = 0;
    const char *line = std::strstr(text, "VmHWM:");
    return line ? std::strtoll(line + 6, nullptr, 10) : 0;
}

} // namespace

ProgramRun runProgram(const QString &program, const QStringList &args)
{
    ProgramRun run;
    std::vector<QByteArray> argBytes {program.toLocal8Bit()};
    for (const QString &a : args)
        argBytes.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : argBytes)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) {
        run.error = QString::fromLocal8Bit(std::strerror(errno));
        return run;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (spawned != 0) {
        close(fds[0]);
        run.error = u"cannot start %1: %2"_s.arg(program, QString::fromLocal8Bit(std::strerror(spawned)));
        return run;
    }
    // Peak RSS from /proc/PID/status (VmHWM of the program's own image), sampled every 10 ms while
    // it runs: wait4()'s ru_maxrss would also count this process's pages, which a spawned child
    // shares until it execs.
    std::vector<char> buffer(1 << 20);
    const QByteArray statusPath = "/proc/" + QByteArray::number(pid) + "/status";
    for (;;) {
        pollfd pfd {fds[0], POLLIN, 0};
        const int ready = poll(&pfd, 1, 10);
        run.maxRssKb = std::max(run.maxRssKb, vmHwmKb(statusPath));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            continue;
        const ssize_t n = read(fds[0], buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (run.head.size() < 1024)
            run.head.append(buffer.data(), std::min<qsizetype>(n, 1024 - run.head.size()));
        run.outputBytes += n;
    }
    close(fds[0]);
    int status = 0;
    rusage usage {};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) { }
    run.seconds = double(timer.nsecsElapsed()) / 1e9;
    run.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!run.ok)
        run.error = u"%1 failed (status %2)"_s.arg(program).arg(status);
    return run;
}

} // namespace oomscope::bench
