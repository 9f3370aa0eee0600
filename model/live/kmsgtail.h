// SPDX-License-Identifier: GPL-3.0-or-later
// Follows the kernel log (/dev/kmsg, or any file or FIFO in its format), hands on the raw
// records, and turns each OOM-killer report into an OomEvent the moment the report ends.
#pragma once

#include "oomevent.h"

#include <QByteArray>
#include <QObject>

#include <memory>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace oomscope {

// One /dev/kmsg record ("pri,seq,usec,flags;text").
struct KmsgRecord {
    std::int64_t seq = -1;
    std::int64_t usec = -1; // printk timestamp, µs since boot (the clock dmesg shows)
    int level = 0; // 0 (emerg) .. 7 (debug)
    int facility = 0; // 0 = kernel, 1 = user (written to /dev/kmsg from user space)
    QByteArray line; // the whole record without '\n': what OomReportParser and a .kmsg log take
    QByteArray text() const; // the message after ';', escapes (\x0a) as the kernel wrote them
};

using KmsgRecordBatchPtr = std::shared_ptr<const std::vector<KmsgRecord>>;

struct KmsgTailConfig {
    QString path = QStringLiteral("/dev/kmsg");
    // false: only records written from now on (skip the ring buffer's history).
    bool fromStart = false;
    // A report whose kill line never comes (oom_kill_disable, nothing killable, records lost)
    // is parsed when no record arrived for this long.
    int quietMs = 500;
    // Regular files and FIFOs are polled (poll() reports a regular file as always readable).
    int pollIntervalMs = 50;
    // One report larger than this (a task table of ~100k processes) is parsed as it stands.
    qsizetype maxReportBytes = 32 * 1024 * 1024;
};

// Lives on a worker thread (it can share the sampler's). Only the report in progress is kept:
// records outside a report are emitted (if anyone listens to recordsRead) and dropped.
class KmsgTail : public QObject
{
    Q_OBJECT

public:
    explicit KmsgTail(KmsgTailConfig config = {}, QObject *parent = nullptr);
    ~KmsgTail() override;

    // Both may be called from any thread.
    void start();
    void stop();

    // Parses a record line; false for anything that is not "pri,seq,usec,flags;text".
    static bool parseRecord(QByteArrayView line, KmsgRecord &out);

Q_SIGNALS:
    void oomEvent(const oomscope::OomEvent &event, qint64 firstSeq);
    // The raw records (lines "pri,seq,usec,flags;text") of a report that just ended, emitted
    // right before its oomEvent()s: what a workspace imports as the event's log.
    void reportCompleted(const QByteArray &reportText, qint64 firstSeq);
    // All records of one read pass, only built while something is connected.
    void recordsRead(oomscope::KmsgRecordBatchPtr records);
    // The kernel overwrote records before they were read (EPIPE or a jump in sequence
    // numbers); count is how many, -1 if unknown.
    void recordsLost(qint64 count);
    // The log could not be opened or read; sampling goes on without it.
    void unavailable(const QString &reason);
    void opened(const QString &path);
    void statusMessage(const QString &message);

private:
    void open();
    void close();
    void readAvailable();
    void handleLine(QByteArrayView line, std::vector<KmsgRecord> *batch);
    void finishReport();

    KmsgTailConfig m_config;
    int m_fd = -1;
    bool m_isCharDevice = false;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_quietTimer = nullptr;
    QByteArray m_partial; // bytes after the last '\n' (files and FIFOs deliver arbitrary chunks)
    std::int64_t m_lastSeq = -1;
    bool m_lossPending = false;
    qint64 m_malformed = 0;

    // The report in progress.
    bool m_inReport = false;
    bool m_killSeen = false;
    bool m_groupKill = false; // more kill lines follow "memory.oom.group set": wait for quiet
    std::int64_t m_reportFirstSeq = -1;
    QByteArray m_report;
};

} // namespace oomscope

Q_DECLARE_METATYPE(oomscope::KmsgRecordBatchPtr)
