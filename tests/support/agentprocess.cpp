// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentprocess.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QTcpServer>

#include <csignal>

using namespace Qt::StringLiterals;

namespace oomscope::testsupport {

namespace {

constexpr int kStartTimeoutMs = 5000;
constexpr int kReadyPolls = 100; // of 100 ms each

} // namespace

AgentProcess::AgentProcess(QString program)
    : m_program(program.isEmpty() ? defaultAgentBinary() : std::move(program))
{ }

AgentProcess::~AgentProcess()
{
    stop();
}

QString AgentProcess::defaultAgentBinary()
{
    return QStringLiteral(OOMSCOPE_AGENT_BINARY);
}

quint16 AgentProcess::listen(const QStringList &args, quint16 port)
{
    m_stderr.clear();
    m_process.setProgram(m_program);
    m_process.setArguments(QStringList {u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)} + args);
    m_process.start();
    if (!m_process.waitForStarted(kStartTimeoutMs))
        return 0;
    static const QRegularExpression re(u"listening on 127\\.0\\.0\\.1:(\\d+)"_s);
    for (int i = 0; i < kReadyPolls; ++i) {
        m_process.waitForReadyRead(100);
        m_stderr += m_process.readAllStandardError();
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_stderr));
        if (m.hasMatch())
            return quint16(m.captured(1).toUInt());
        if (m_process.state() != QProcess::Running)
            break;
    }
    return 0;
}

bool AgentProcess::startStdio(const QStringList &args)
{
    m_process.setProgram(m_program);
    m_process.setArguments(QStringList {u"--stdio"_s} + args);
    m_process.start();
    return m_process.waitForStarted(kStartTimeoutMs);
}

void AgentProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(m_process.processId()), SIGCONT);
    m_process.kill();
    m_process.waitForFinished(kStartTimeoutMs);
}

bool AgentProcess::terminate(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    m_process.terminate();
    return m_process.waitForFinished(timeoutMs);
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace oomscope::testsupport
