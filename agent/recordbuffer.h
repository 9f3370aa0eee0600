// SPDX-License-Identifier: GPL-3.0-or-later
// The agent's replay buffer: the newest records (samples, kernel log) as ready-to-send JSON
// lines, numbered by a sequence that only grows, bounded in count and in bytes.
#pragma once

#include <QByteArray>

#include <deque>

namespace oomscope {

class RecordBuffer
{
public:
    RecordBuffer(qint64 maxRecords, qint64 maxBytes);

    // The sequence number the next append() gets; the first record is 1.
    qint64 nextSeq() const { return m_nextSeq; }
    // Appends one line (without its seq, which the caller put into the JSON already) and drops
    // the oldest lines beyond the bounds. Returns the record's seq.
    qint64 append(QByteArray line);

    bool isEmpty() const { return m_lines.empty(); }
    qint64 size() const { return qint64(m_lines.size()); }
    qint64 bytes() const { return m_bytes; }
    qint64 capacity() const { return m_maxRecords; }
    // 0 when empty.
    qint64 oldestSeq() const { return m_lines.empty() ? 0 : m_nextSeq - qint64(m_lines.size()); }
    qint64 newestSeq() const { return m_nextSeq - 1; }
    bool contains(qint64 seq) const { return !m_lines.empty() && seq >= oldestSeq() && seq <= newestSeq(); }
    // The line of a seq that contains() says is there (ends with '\n').
    const QByteArray &at(qint64 seq) const { return m_lines[std::size_t(seq - oldestSeq())]; }

private:
    qint64 m_maxRecords;
    qint64 m_maxBytes;
    qint64 m_nextSeq = 1;
    qint64 m_bytes = 0;
    std::deque<QByteArray> m_lines;
};

} // namespace oomscope
