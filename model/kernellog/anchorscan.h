// SPDX-License-Identifier: GPL-3.0-or-later
// The fast paths of the log scanners: finding, in raw log bytes, the lines that can start or end
// an OOM report, or be another killer's line, without decoding the lines between them. Internal
// to oomscope_kernellog.
#pragma once

#include <QtGlobal>

#include <cstddef>
#include <cstring>
#include <string_view>

namespace oomscope::anchorscan {

// Finds the first "oom" or "Kil" in [p, end) — every line that can start or end a report
// contains one — and adds the newlines before it to newlines. Everything between anchors is
// skipped without decoding; this is what makes the parser run near memory speed. end if none.
const char *scanAnchor(const char *p, const char *end, qint64 &newlines);

// Three-byte anchors of the other killers' lines: every word recogniseKillerLine()
// (killerlines.cpp) looks for contains one of them, which killerlines.cpp checks at compile time.
// They are chosen rare in ordinary kernel and system logs. At most eight groups (the AVX2 scan
// matches eight at once): "oom" and "OOM" form one, first.
inline constexpr std::string_view killerAnchors[] = {"oom", "OOM", "ict", "due", "his",
                                                     "VmR", "ry!", "xit", "die"};

// As scanAnchor(), for the first of killerAnchors.
const char *scanKillerAnchor(const char *p, const char *end, qint64 &newlines);

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
