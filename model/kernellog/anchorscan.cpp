// SPDX-License-Identifier: GPL-3.0-or-later
#include "anchorscan.h"

#include <bit>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace oomscope::anchorscan {

const char *scanAnchor(const char *p, const char *end, qint64 &newlines)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i o = _mm_set1_epi8('o');
    const __m128i m = _mm_set1_epi8('m');
    const __m128i k = _mm_set1_epi8('K');
    const __m128i i = _mm_set1_epi8('i');
    const __m128i l = _mm_set1_epi8('l');
    const __m128i zero = _mm_setzero_si128();
    __m128i counts = zero; // per-byte newline counters, folded before they can overflow
    int pending = 0;
    auto fold = [&] {
        const __m128i sums = _mm_sad_epu8(counts, zero);
        newlines += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
        counts = zero;
        pending = 0;
    };
    while (end - p >= 18) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 1));
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 2));
        const __m128i firstO = _mm_cmpeq_epi8(a, o);
        const __m128i firstK = _mm_cmpeq_epi8(a, k);
        const __m128i oom = _mm_and_si128(_mm_and_si128(firstO, _mm_cmpeq_epi8(b, o)), _mm_cmpeq_epi8(c, m));
        const __m128i kil = _mm_and_si128(_mm_and_si128(firstK, _mm_cmpeq_epi8(b, i)), _mm_cmpeq_epi8(c, l));
        const __m128i isNl = _mm_cmpeq_epi8(a, nl);
        const unsigned hit = unsigned(_mm_movemask_epi8(_mm_or_si128(oom, kil)));
        if (hit) {
            fold();
            const int idx = std::countr_zero(hit);
            const unsigned nlMask = unsigned(_mm_movemask_epi8(isNl));
            newlines += std::popcount(nlMask & ((1u << idx) - 1u));
            return p + idx;
        }
        counts = _mm_sub_epi8(counts, isNl);
        if (++pending == 255)
            fold();
        p += 16;
    }
    fold();
#endif
    for (; p < end; ++p) {
        const char ch = *p;
        if (ch == '\n') {
            ++newlines;
        } else if (end - p >= 3
                   && ((ch == 'o' && p[1] == 'o' && p[2] == 'm')
                       || (ch == 'K' && p[1] == 'i' && p[2] == 'l'))) {
            return p;
        }
    }
    return end;
}

} // namespace oomscope::anchorscan
