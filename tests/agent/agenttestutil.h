// SPDX-License-Identifier: GPL-3.0-or-later
// Shared helpers of the agent tests: a fixture cgroup tree in a temporary directory and a
// line-reading stream client. The agent process itself: tests/support/agentprocess.h.
#pragma once

#include "agentprocess.h"
#include "fixturetree.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QSaveFile>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <memory>

namespace agenttest {

using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;

using namespace Qt::StringLiterals;
using oomscope::testsupport::AgentProcess;

// A v2 fixture tree (copied from tests/data/cgroupfs) plus /proc, in a temporary directory.
struct Fixture {
    QTemporaryDir dir;
    QString cgroupRoot() const { return dir.path() + u"/cg"_s; }
    QString procRoot() const { return dir.path() + u"/proc"_s; }
    QString kmsgPath() const { return dir.path() + u"/kmsg"_s; }
    bool setUp()
    {
        if (!dir.isValid())
            return false;
        writeFileAtomically(kmsgPath(),
                            QByteArray()); // an empty kernel log: no records unless a test adds some
        return copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v2"), cgroupRoot())
            && copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), procRoot());
    }
    // Adds n leaf cgroups /soak.slice/cN with plain counters.
    void addLeaves(int n)
    {
        for (int i = 0; i < n; ++i) {
            const QString d = cgroupRoot() + u"/soak.slice/c%1"_s.arg(i);
            QDir().mkpath(d);
            writeFileAtomically(d + u"/memory.current"_s, QByteArray::number(1000000 + i) + '\n');
            writeFileAtomically(d + u"/memory.max"_s, "max\n");
            writeFileAtomically(d + u"/memory.events"_s,
                                "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
            writeFileAtomically(
                d + u"/memory.stat"_s,
                "anon 4096\nfile 8192\nshmem 0\ninactive_file 4096\nactive_file 4096\nkernel 0\n");
            writeFileAtomically(d + u"/cgroup.procs"_s, "");
        }
    }
};

// Reads newline-delimited JSON frames from a socket as they come.
class StreamClient
{
public:
    explicit StreamClient(QTcpSocket *socket = new QTcpSocket)
        : m_socket(socket)
    {
        QObject::connect(m_socket.get(), &QIODevice::readyRead, m_socket.get(), [this] { readFrames(); });
        QObject::connect(m_socket.get(), &QAbstractSocket::disconnected, m_socket.get(),
                         [this] { m_disconnected = true; });
    }
    void connectTo(quint16 port) { m_socket->connectToHost(u"127.0.0.1"_s, port); }
    void send(const QByteArray &bytes) { m_socket->write(bytes); }
    void subscribe(qint64 since = -1, const QString &token = {}, const QString &instance = {})
    {
        QJsonObject o {{u"type"_s, u"subscribe"_s}};
        if (since >= 0)
            o.insert("since"_L1, since);
        if (!token.isEmpty())
            o.insert("token"_L1, token);
        if (!instance.isEmpty())
            o.insert("instance"_L1, instance);
        send(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    }
    QTcpSocket *socket() { return m_socket.get(); }
    bool disconnected() const
    {
        return m_disconnected || m_socket->state() == QAbstractSocket::UnconnectedState;
    }
    const QList<QJsonObject> &frames() const { return m_frames; }
    QByteArray raw() const { return m_raw; }
    int badFrames() const { return m_badFrames; }
    // Frames carrying a seq, in arrival order.
    QList<QJsonObject> records() const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &f : m_frames)
            if (f.contains("seq"_L1))
                out.append(f);
        return out;
    }
    qint64 lastSeq() const
    {
        const QList<QJsonObject> r = records();
        return r.isEmpty() ? -1 : r.constLast().value("seq"_L1).toInteger();
    }
    QJsonObject firstOfType(const QString &type) const
    {
        for (const QJsonObject &f : m_frames)
            if (f.value("type"_L1).toString() == type)
                return f;
        return {};
    }

private:
    void readFrames()
    {
        while (m_socket->canReadLine()) {
            const QByteArray line = m_socket->readLine();
            m_raw += line;
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (!doc.isObject())
                ++m_badFrames;
            else
                m_frames.append(doc.object());
        }
    }
    std::unique_ptr<QTcpSocket> m_socket;
    QList<QJsonObject> m_frames;
    QByteArray m_raw;
    int m_badFrames = 0;
    bool m_disconnected = false;
};

// Checks seqs are 1-apart increasing from `first`; returns an empty string or the problem.
inline QString contiguityProblem(const QList<QJsonObject> &records, qint64 first)
{
    qint64 expected = first;
    for (const QJsonObject &r : records) {
        const qint64 seq = r.value("seq"_L1).toInteger();
        if (seq != expected)
            return u"expected seq %1, got %2"_s.arg(expected).arg(seq);
        ++expected;
    }
    return {};
}

} // namespace agenttest
