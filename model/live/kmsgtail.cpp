// SPDX-License-Identifier: GPL-3.0-or-later
#include "kmsgtail.h"

#include "oomreportparser.h"

#include <QFile>
#include <QMetaMethod>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// CONSOLE_EXT_LOG_MAX is 8 KiB; a smaller buffer makes read() fail with EINVAL.
constexpr size_t kReadBufferBytes = 16 * 1024;
// Bounds one wake-up so a large backlog (fromStart on a big file) cannot starve the thread's
// event loop; the rest is read on the next turn.
constexpr qsizetype kMaxBytesPerPass = 4 * 1024 * 1024;
// A line without '\n' this long is not a kmsg record; it is dropped rather than kept growing.
constexpr qsizetype kMaxPartialBytes = 64 * 1024;

bool isOomHeader(QByteArrayView text)
{
    return text.contains("invoked oom-killer");
}

bool isKillLine(QByteArrayView text)
{
    return text.contains("Killed process ");
}

bool isGroupKillLine(QByteArrayView text)
{
    return text.contains("due to memory.oom.group set");
}

bool parseNumber(QByteArrayView field, std::int64_t &out)
{
    if (field.isEmpty())
        return false;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
    return ec == std::errc() && end == field.data() + field.size() && out >= 0;
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

QByteArray KmsgRecord::text() const
{
    const qsizetype semi = line.indexOf(';');
    return semi < 0 ? QByteArray() : line.mid(semi + 1);
}

bool KmsgTail::parseRecord(QByteArrayView line, KmsgRecord &out)
{
    const qsizetype semi = line.indexOf(';');
    if (semi <= 0)
        return false;
    // "pri,seq,usec,flags[,more fields]": later kernels may append fields, so only the first
    // four are required.
    const QByteArrayView prefix = line.first(semi);
    std::int64_t fields[3] = {0, 0, 0};
    qsizetype pos = 0;
    for (int i = 0; i < 3; ++i) {
        const qsizetype comma = prefix.indexOf(',', pos);
        if (comma < 0 || !parseNumber(prefix.sliced(pos, comma - pos), fields[i]))
            return false;
        pos = comma + 1;
    }
    if (pos >= prefix.size())
        return false; // no flags field
    out.level = int(fields[0] & 7);
    out.facility = int(fields[0] >> 3);
    out.seq = fields[1];
    out.usec = fields[2];
    out.line = line.toByteArray();
    return true;
}

KmsgTail::KmsgTail(KmsgTailConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_pollTimer(new QTimer(this))
    , m_quietTimer(new QTimer(this))
{
    qRegisterMetaType<KmsgRecordBatchPtr>();
    qRegisterMetaType<KmsgRecordBatchPtr>("oomscope::KmsgRecordBatchPtr");
    qRegisterMetaType<OomEvent>("oomscope::OomEvent");
    m_quietTimer->setSingleShot(true);
    m_quietTimer->setInterval(std::max(m_config.quietMs, 1));
    connect(m_quietTimer, &QTimer::timeout, this, &KmsgTail::finishReport);
    m_pollTimer->setInterval(std::max(m_config.pollIntervalMs, 1));
    connect(m_pollTimer, &QTimer::timeout, this, &KmsgTail::readAvailable);
}

KmsgTail::~KmsgTail()
{
    close();
}

void KmsgTail::start()
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(this, &KmsgTail::start, Qt::QueuedConnection);
        return;
    }
    if (m_fd >= 0)
        return;
    open();
}

void KmsgTail::stop()
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(this, &KmsgTail::stop, Qt::QueuedConnection);
        return;
    }
    if (m_fd < 0)
        return;
    readAvailable();
    if (m_inReport)
        finishReport();
    close();
}

void KmsgTail::open()
{
    const QByteArray nativePath = QFile::encodeName(m_config.path);
    m_fd = ::open(nativePath.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0) {
        const int error = errno;
        QString reason = u"cannot read the kernel log %1: %2"_s.arg(m_config.path, errnoText(error));
        if (error == EACCES || error == EPERM)
            reason += u" (reading /dev/kmsg needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)"_s;
        reason += u"; OOM kills are still detected from the cgroup counters, without the report"_s;
        Q_EMIT unavailable(reason);
        Q_EMIT statusMessage(reason);
        return;
    }
    struct stat st {
    };
    if (::fstat(m_fd, &st) == 0)
        m_isCharDevice = S_ISCHR(st.st_mode);
    if (!m_config.fromStart && (m_isCharDevice || S_ISREG(st.st_mode))) {
        // /dev/kmsg: SEEK_END moves to the record after the newest one.
        if (::lseek(m_fd, 0, SEEK_END) < 0)
            Q_EMIT statusMessage(u"%1: cannot skip the history: %2"_s.arg(m_config.path, errnoText(errno)));
    }
    m_partial.clear();
    m_lastSeq = -1;
    m_lossPending = false;
    if (m_isCharDevice) {
        m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, &KmsgTail::readAvailable);
    } else {
        m_pollTimer->start();
    }
    Q_EMIT opened(m_config.path);
    readAvailable();
}

void KmsgTail::close()
{
    m_pollTimer->stop();
    m_quietTimer->stop();
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void KmsgTail::readAvailable()
{
    if (m_fd < 0)
        return;
    const bool wantRecords = isSignalConnected(QMetaMethod::fromSignal(&KmsgTail::recordsRead));
    std::vector<KmsgRecord> batch;
    std::vector<KmsgRecord> *batchPtr = wantRecords ? &batch : nullptr;
    char buffer[kReadBufferBytes];
    qsizetype passBytes = 0;
    bool more = false;
    for (;;) {
        if (passBytes >= kMaxBytesPerPass) {
            more = true;
            break;
        }
        const ssize_t got = ::read(m_fd, buffer, sizeof buffer);
        if (got > 0) {
            passBytes += got;
            m_partial.append(buffer, got);
            qsizetype start = 0;
            for (;;) {
                const qsizetype nl = m_partial.indexOf('\n', start);
                if (nl < 0)
                    break;
                handleLine(QByteArrayView(m_partial).sliced(start, nl - start), batchPtr);
                start = nl + 1;
            }
            m_partial.remove(0, start);
            if (m_partial.size() > kMaxPartialBytes) {
                ++m_malformed;
                m_partial.clear();
            }
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EPIPE) {
            // Records were overwritten before we read them; the next read() resumes at the
            // oldest one still there. The sequence jump tells how many.
            m_lossPending = true;
            continue;
        }
        if (got < 0 && errno != EAGAIN) {
            const QString reason =
                u"reading the kernel log %1 failed: %2"_s.arg(m_config.path, errnoText(errno));
            close();
            Q_EMIT unavailable(reason);
            Q_EMIT statusMessage(reason);
            break;
        }
        break; // EAGAIN, or end of a file/FIFO for now
    }
    if (!batch.empty())
        Q_EMIT recordsRead(std::make_shared<const std::vector<KmsgRecord>>(std::move(batch)));
    // The kernel prints the whole report from one context, so a report whose kill line has been
    // read is complete once the records available now are consumed (unless oom.group kills
    // follow: those wait for the quiet period).
    if (m_inReport && m_killSeen && !m_groupKill)
        finishReport();
    if (more)
        QTimer::singleShot(0, this, &KmsgTail::readAvailable);
}

void KmsgTail::handleLine(QByteArrayView line, std::vector<KmsgRecord> *batch)
{
    if (line.isEmpty() || line.front() == ' ')
        return; // dictionary lines (" SUBSYSTEM=...") belong to the record before
    KmsgRecord record;
    if (!parseRecord(line, record)) {
        if (m_malformed++ == 0)
            Q_EMIT statusMessage(u"%1: ignoring lines that are not kernel log records"_s.arg(m_config.path));
        return;
    }
    if (m_lastSeq >= 0 && record.seq > m_lastSeq + 1) {
        Q_EMIT recordsLost(record.seq - m_lastSeq - 1);
        m_lossPending = false;
    } else if (m_lossPending) {
        Q_EMIT recordsLost(-1);
    }
    m_lossPending = false;
    m_lastSeq = record.seq;

    const QByteArrayView text = line.sliced(line.indexOf(';') + 1);
    if (isOomHeader(text)) {
        if (m_inReport)
            finishReport(); // a header without its kill line (or a second OOM right after)
        m_inReport = true;
        m_reportFirstSeq = record.seq;
    } else if (!m_inReport && isKillLine(text)) {
        // The kernel rate-limits the report (dump_header) but never the kill line: a lone kill
        // line still names the victim.
        m_inReport = true;
        m_reportFirstSeq = record.seq;
    }
    if (m_inReport) {
        m_report.append(line.data(), line.size());
        m_report.append('\n');
        if (isKillLine(text))
            m_killSeen = true;
        if (isGroupKillLine(text))
            m_groupKill = true;
        m_quietTimer->start();
        if (m_report.size() > m_config.maxReportBytes) {
            Q_EMIT statusMessage(u"an OOM report exceeded %1 MiB; parsed as far as it went"_s.arg(
                m_config.maxReportBytes / (1024 * 1024)));
            finishReport();
        }
    }
    if (batch)
        batch->push_back(std::move(record));
}

void KmsgTail::finishReport()
{
    m_quietTimer->stop();
    if (!m_inReport)
        return;
    const QByteArray report = std::exchange(m_report, QByteArray());
    const std::int64_t firstSeq = m_reportFirstSeq;
    m_inReport = false;
    m_killSeen = false;
    m_groupKill = false;
    m_reportFirstSeq = -1;
    const ParseResult parsed = OomReportParser().parse(report);
    if (!parsed.events.empty())
        Q_EMIT reportCompleted(report, firstSeq);
    for (const OomEvent &event : parsed.events)
        Q_EMIT oomEvent(event, firstSeq);
}

} // namespace oomscope
