// SPDX-License-Identifier: GPL-3.0-or-later
#include "logsource.h"

#include "journalinput.h"

#include <QFile>
#include <QFileInfo>

#include <cstdio>
#include <vector>
#include <zlib.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Inflates a gzip stream (also several concatenated members, as `cat a.gz b.gz` makes) from an
// underlying device it owns. Sequential; read-only.
class GzipDevice : public QIODevice
{
public:
    explicit GzipDevice(std::unique_ptr<QIODevice> source)
        : m_source(std::move(source))
        , m_input(256 * 1024)
    {
        // 15 + 32: accept gzip and zlib headers, detected automatically.
        m_ok = inflateInit2(&m_stream, 15 + 32) == Z_OK;
    }

    ~GzipDevice() override
    {
        if (m_ok)
            inflateEnd(&m_stream);
    }

    bool isSequential() const override { return true; }
    bool atEnd() const override { return m_finished && QIODevice::bytesAvailable() == 0; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (!m_ok) {
            setErrorString(u"cannot initialise zlib"_s);
            return -1;
        }
        if (m_finished || maxSize <= 0)
            return 0;
        m_stream.next_out = reinterpret_cast<Bytef *>(data);
        m_stream.avail_out = uInt(std::min<qint64>(maxSize, 1 << 30));
        const uInt wanted = m_stream.avail_out;
        while (m_stream.avail_out > 0) {
            if (m_stream.avail_in == 0) {
                const qint64 n = m_source->read(m_input.data(), qint64(m_input.size()));
                if (n < 0) {
                    setErrorString(m_source->errorString());
                    return -1;
                }
                if (n == 0) {
                    if (m_midMember) {
                        setErrorString(u"compressed data ends early (truncated .gz file)"_s);
                        m_finished = true;
                        // Hand over what was inflated; the parser sees a truncated log.
                        const qint64 produced = qint64(wanted - m_stream.avail_out);
                        return produced > 0 ? produced : -1;
                    }
                    m_finished = true;
                    break;
                }
                m_stream.next_in = reinterpret_cast<Bytef *>(m_input.data());
                m_stream.avail_in = uInt(n);
            }
            m_midMember = true;
            const int rc = inflate(&m_stream, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                m_midMember = false;
                ++m_membersDone;
                inflateReset(&m_stream);
                // Trailing zero padding after the last member is common on tapes and in some tools.
                continue;
            }
            if (rc == Z_BUF_ERROR && m_stream.avail_in == 0)
                continue;
            if (rc != Z_OK) {
                if (m_membersDone > 0 && m_stream.total_out == 0) {
                    // Garbage after a complete member: stop cleanly instead of failing the import.
                    m_finished = true;
                    break;
                }
                setErrorString(u"corrupt compressed data: %1"_s.arg(
                    QString::fromLatin1(m_stream.msg ? m_stream.msg : "inflate error")));
                m_finished = true;
                const qint64 produced = qint64(wanted - m_stream.avail_out);
                return produced > 0 ? produced : -1;
            }
        }
        return qint64(wanted - m_stream.avail_out);
    }

    qint64 writeData(const char *, qint64) override { return -1; }

private:
    std::unique_ptr<QIODevice> m_source;
    std::vector<char> m_input;
    z_stream m_stream {};
    bool m_ok = false;
    bool m_finished = false;
    bool m_midMember = false;
    int m_membersDone = 0;
};

// Journal JSON or export text becomes syslog-style text; anything else is read as it is.
OpenedLog convertIfJournal(OpenedLog log)
{
    const LogContent content = detectLogContent(log.device->peek(4096));
    if (content == LogContent::JournalJson || content == LogContent::JournalExport) {
        log.content = content;
        log.sizeBytes = -1; // the text made from it has another size
        log.device = journalStreamAsText(std::move(log.device), content);
    } else if (content == LogContent::JournalFile) {
        log.device.reset();
        log.error =
            u"%1: a compressed journal file; uncompress it and give the .journal file"_s.arg(log.displayName);
    }
    return log;
}

OpenedLog wrapIfGzip(std::unique_ptr<QIODevice> device, OpenedLog log)
{
    const QByteArray magic = device->peek(2);
    if (magic.size() == 2 && quint8(magic[0]) == 0x1f && quint8(magic[1]) == 0x8b) {
        // Progress counts decompressed bytes, so estimate the total from the gzip trailer (ISIZE:
        // the last member's size mod 2^32); exact for the usual single-member file under 4 GiB.
        log.sizeBytes = -1;
        const qint64 compressed = device->isSequential() ? -1 : device->size();
        if (compressed >= 18 && device->seek(compressed - 4)) {
            const QByteArray trailer = device->read(4);
            if (trailer.size() == 4) {
                qint64 isize = qint64(quint8(trailer[0])) | qint64(quint8(trailer[1])) << 8
                    | qint64(quint8(trailer[2])) << 16 | qint64(quint8(trailer[3])) << 24;
                while (isize < compressed)
                    isize += qint64(1) << 32;
                log.sizeBytes = isize;
            }
            device->seek(0);
        }
        auto gz = std::make_unique<GzipDevice>(std::move(device));
        gz->open(QIODevice::ReadOnly);
        log.device = std::move(gz);
    } else {
        log.device = std::move(device);
    }
    return convertIfJournal(std::move(log));
}

OpenedLog openJournal(const QString &path, OpenedLog log)
{
    Result<std::unique_ptr<QIODevice>> journal = openJournalFiles(path);
    if (!journal) {
        log.error = journal.error().message;
        return log;
    }
    log.device = std::move(*journal);
    log.content = LogContent::JournalFile;
    log.sizeBytes = -1;
    return log;
}

} // namespace

OpenedLog openLog(const QString &path)
{
    OpenedLog log;
    if (path == u"-"_s) {
        log.displayName = u"<stdin>"_s;
        auto file = std::make_unique<QFile>();
        if (!file->open(stdin, QIODevice::ReadOnly)) {
            log.error = u"cannot read standard input: %1"_s.arg(file->errorString());
            return log;
        }
        return wrapIfGzip(std::move(file), std::move(log));
    }
    const QFileInfo info(path);
    log.displayName = info.fileName().isEmpty() ? path : info.fileName();
    if (!info.exists()) {
        log.error = u"%1: no such file"_s.arg(path);
        return log;
    }
    if (info.isDir()) {
        if (!isJournalDirectory(path)) {
            log.error = u"%1: is a directory, not a log file nor a journal directory"_s.arg(path);
            return log;
        }
        return openJournal(path, std::move(log));
    }
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly)) {
        log.error = u"%1: cannot open: %2"_s.arg(path, file->errorString());
        return log;
    }
    log.sizeBytes = file->size();
    if (detectLogContent(file->peek(8)) == LogContent::JournalFile) {
        file.reset();
        return openJournal(path, std::move(log));
    }
    return wrapIfGzip(std::move(file), std::move(log));
}

} // namespace oomscope
