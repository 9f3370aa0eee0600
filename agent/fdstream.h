// SPDX-License-Identifier: GPL-3.0-or-later
// A sequential QIODevice over a read fd and a write fd (stdin/stdout for `--stdio`), non-blocking
// in both directions so a slow reader on the other end of ssh never stalls the event loop.
#pragma once

#include <QByteArray>
#include <QIODevice>

class QSocketNotifier;

namespace oomscope {

class FdStream : public QIODevice
{
    Q_OBJECT

public:
    FdStream(int readFd, int writeFd, QObject *parent = nullptr);
    ~FdStream() override;

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_readBuffer.size() + QIODevice::bytesAvailable(); }
    qint64 bytesToWrite() const override { return m_writeBuffer.size(); }
    bool canReadLine() const override;
    void close() override;
    bool atEnd() const override { return m_eof && bytesAvailable() == 0; }

Q_SIGNALS:
    // The read side reached end of file or the write side failed (the peer went away).
    void closedByPeer();

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 maxSize) override;

private:
    void onReadable();
    void flush(bool fromNotifier);

    int m_readFd;
    int m_writeFd;
    bool m_eof = false;
    QByteArray m_readBuffer;
    QByteArray m_writeBuffer;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
};

} // namespace oomscope
