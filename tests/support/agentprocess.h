// SPDX-License-Identifier: GPL-3.0-or-later
// The one way the tests (and the latency bench) run the real oomscope-agent binary: listening on a
// free loopback port or on --stdio, ready when it says so, and stopped on every exit path.
#pragma once

#include <QProcess>
#include <QStringList>

namespace oomscope::testsupport {

class AgentProcess
{
public:
    // program: the agent binary (defaultAgentBinary() when empty).
    explicit AgentProcess(QString program = {});
    ~AgentProcess(); // stop()
    AgentProcess(const AgentProcess &) = delete;
    AgentProcess &operator=(const AgentProcess &) = delete;

    // The oomscope-agent of this build.
    static QString defaultAgentBinary();

    // Starts `--listen 127.0.0.1:<port>` (0: a free port the agent picks) and args, and waits
    // until it says it listens. Returns the port, or 0 (errorOutput() says why).
    quint16 listen(const QStringList &args, quint16 port = 0);
    // Starts `--stdio` and args; true once it runs. Its stdout is the protocol.
    bool startStdio(const QStringList &args);
    // Kills it (continued first, should a test have stopped it) and waits for it.
    void stop();
    // SIGTERM, then waits up to timeoutMs; true when it has exited.
    bool terminate(int timeoutMs = 5000);

    QProcess &process() { return m_process; }
    qint64 pid() const { return m_process.processId(); }
    // Its stderr read while waiting for it to listen.
    const QByteArray &errorOutput() const { return m_stderr; }

private:
    QString m_program;
    QProcess m_process;
    QByteArray m_stderr;
};

// A loopback TCP port that was free a moment ago (for servers that cannot pick their own).
quint16 freeLoopbackPort();

} // namespace oomscope::testsupport
