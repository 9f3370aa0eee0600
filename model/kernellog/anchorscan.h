// SPDX-License-Identifier: GPL-3.0-or-later
// The fast path of the OOM-report parser: finding, in raw log bytes, the lines that can start or
// end a report without decoding the lines between them. Internal to oomscope_kernellog.
#pragma once

#include <QtGlobal>

#include <cstddef>
#include <cstring>

namespace oomscope::anchorscan {

// Finds the first "oom" or "Kil" in [p, end) — every line that can start or end a report
// contains one — and adds the newlines before it to newlines. Everything between anchors is
// skipped without decoding; this is what makes the parser run near memory speed. end if none.
const char *scanAnchor(const char *p, const char *end, qint64 &newlines);

inline const char *findByte(const char *p, const char *end, char c)
{
    return static_cast<const char *>(std::memchr(p, c, size_t(end - p)));
}

inline const char *findLastByte(const char *p, const char *end, char c)
{
    for (const char *q = end; q > p; --q) {
        if (q[-1] == c)
            return q - 1;
    }
    return nullptr;
}

} // namespace oomscope::anchorscan
