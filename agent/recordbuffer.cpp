// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordbuffer.h"

#include <algorithm>

namespace oomscope {

RecordBuffer::RecordBuffer(qint64 maxRecords, qint64 maxBytes)
    : m_maxRecords(std::max<qint64>(1, maxRecords))
    , m_maxBytes(std::max<qint64>(1, maxBytes))
{ }

qint64 RecordBuffer::append(QByteArray line)
{
    const qint64 seq = m_nextSeq++;
    m_bytes += line.size();
    m_lines.push_back(std::move(line));
    // Keep at least the newest record even when it alone exceeds the byte bound.
    while (m_lines.size() > 1 && (qint64(m_lines.size()) > m_maxRecords || m_bytes > m_maxBytes)) {
        m_bytes -= m_lines.front().size();
        m_lines.pop_front();
    }
    return seq;
}

} // namespace oomscope
