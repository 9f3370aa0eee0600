// SPDX-License-Identifier: GPL-3.0-or-later
#include "fdstream.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace oomscope {

namespace {

void setNonBlocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

} // namespace

FdStream::FdStream(int readFd, int writeFd, QObject *parent)
    : QIODevice(parent)
    , m_readFd(readFd)
    , m_writeFd(writeFd)
{
    // A vanished reader must end the session with EPIPE, not kill the agent.
    ::signal(SIGPIPE, SIG_IGN);
    setNonBlocking(readFd);
    setNonBlocking(writeFd);
    m_readNotifier = new QSocketNotifier(readFd, QSocketNotifier::Read, this);
    m_writeNotifier = new QSocketNotifier(writeFd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &FdStream::onReadable);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, [this] { flush(true); });
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

FdStream::~FdStream() = default;

bool FdStream::canReadLine() const
{
    return m_readBuffer.contains('\n') || QIODevice::canReadLine();
}

void FdStream::close()
{
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    // Whatever is still queued gets one last non-blocking attempt.
    if (!m_writeBuffer.isEmpty())
        (void)::write(m_writeFd, m_writeBuffer.constData(), std::size_t(m_writeBuffer.size()));
    m_writeBuffer.clear();
    QIODevice::close();
}

qint64 FdStream::readData(char *data, qint64 maxSize)
{
    const qint64 n = std::min<qint64>(maxSize, m_readBuffer.size());
    std::memcpy(data, m_readBuffer.constData(), std::size_t(n));
    m_readBuffer.remove(0, n);
    if (n == 0 && m_eof)
        return -1;
    return n;
}

qint64 FdStream::writeData(const char *data, qint64 maxSize)
{
    m_writeBuffer.append(data, maxSize);
    flush(false);
    return maxSize;
}

void FdStream::onReadable()
{
    char chunk[65536];
    bool got = false;
    for (;;) {
        const ssize_t n = ::read(m_readFd, chunk, sizeof chunk);
        if (n > 0) {
            m_readBuffer.append(chunk, n);
            got = true;
            if (m_readBuffer.size() > 4 * 1024 * 1024)
                break; // let the reader drain (and notice an oversized line) first
            continue;
        }
        if (n == 0) {
            m_eof = true;
            m_readNotifier->setEnabled(false);
        } else if (errno == EINTR) {
            continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            m_eof = true;
            m_readNotifier->setEnabled(false);
        }
        break;
    }
    if (got)
        Q_EMIT readyRead();
    if (m_eof)
        Q_EMIT closedByPeer();
}

void FdStream::flush(bool fromNotifier)
{
    qint64 written = 0;
    while (!m_writeBuffer.isEmpty()) {
        const ssize_t n = ::write(m_writeFd, m_writeBuffer.constData(), std::size_t(m_writeBuffer.size()));
        if (n > 0) {
            m_writeBuffer.remove(0, n);
            written += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        m_writeBuffer.clear();
        m_writeNotifier->setEnabled(false);
        // Not from inside write(): the caller is still using the device.
        QTimer::singleShot(0, this, &FdStream::closedByPeer);
        return;
    }
    m_writeNotifier->setEnabled(!m_writeBuffer.isEmpty());
    // Synchronous writes need no signal: the writer is still running and sees bytesToWrite().
    if (written > 0 && fromNotifier)
        Q_EMIT bytesWritten(written);
}

} // namespace oomscope
