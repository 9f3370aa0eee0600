// SPDX-License-Identifier: GPL-3.0-or-later
// The benchmarks measure each phase in a child process of their own (a fresh address space, so
// peak RSS is the phase's own), which prints its figures as key=value pairs.
#pragma once

#include <QString>
#include <QStringList>

#include <map>

namespace oomscope::bench {

struct ChildRun {
    bool ok = false;
    QString error;
    std::map<QString, QString> values;
    double number(const QString &key) const
    {
        const auto it = values.find(key);
        return it == values.end() ? 0.0 : it->second.toDouble();
    }
};

// Runs this executable with args and collects the key=value pairs it prints.
ChildRun runChild(const QStringList &args);

// Another program (grep, sqlite3, oomscope-cli) run to its end with its stdout drained through a
// pipe (never /dev/null, which lets GNU grep stop at the first match), timed from start to exit,
// with its peak RSS from wait4().
struct ProgramRun {
    bool ok = false; // started and exited with status 0
    QString error;
    double seconds = 0;
    double cpuSeconds = 0; // user + system, from wait4(): what contention for the cores does not inflate
    qint64 outputBytes = 0;
    qint64 maxRssKb = 0;
    QByteArray head; // the first KiB of its output (grep's count)
};

ProgramRun runProgram(const QString &program, const QStringList &args);

} // namespace oomscope::bench
