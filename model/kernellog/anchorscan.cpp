// SPDX-License-Identifier: GPL-3.0-or-later
#include "anchorscan.h"

#include <array>
#include <bit>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace oomscope::anchorscan {

namespace {

using Trigram = std::array<char, 3>;

constexpr std::array<Trigram, 2> reportAnchors {{{'o', 'o', 'm'}, {'K', 'i', 'l'}}};

template<std::size_t N> constexpr std::array<Trigram, N> trigrams(const std::string_view (&words)[N])
{
    std::array<Trigram, N> out {};
    for (std::size_t i = 0; i < N; ++i)
        out[i] = {words[i][0], words[i][1], words[i][2]};
    return out;
}

constexpr auto killerTrigrams = trigrams(killerAnchors);

template<std::size_t N> bool startsWithAny(const char *p, const std::array<Trigram, N> &anchors)
{
    for (const Trigram &t : anchors) {
        if (p[0] == t[0] && p[1] == t[1] && p[2] == t[2])
            return true;
    }
    return false;
}

#if defined(__SSE2__)
// Bit i set: one of the anchors starts at byte i of the 16 at a (b, c: the same bytes moved on by
// one and two). The compiler shares the comparisons several anchors have in common.
template<std::size_t N, std::size_t... I>
unsigned hitMask(__m128i a, __m128i b, __m128i c, const std::array<Trigram, N> &anchors,
                 std::index_sequence<I...>)
{
    __m128i any = _mm_setzero_si128();
    ((any = _mm_or_si128(any,
                         _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8(anchors[I][0])),
                                                     _mm_cmpeq_epi8(b, _mm_set1_epi8(anchors[I][1]))),
                                       _mm_cmpeq_epi8(c, _mm_set1_epi8(anchors[I][2]))))),
     ...);
    return unsigned(_mm_movemask_epi8(any));
}
#endif

template<std::size_t N>
const char *scanFor(const char *p, const char *end, qint64 &newlines, const std::array<Trigram, N> &anchors)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
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
        const __m128i isNl = _mm_cmpeq_epi8(a, nl);
        const unsigned hit = hitMask(a, b, c, anchors, std::make_index_sequence<N>());
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
        if (*p == '\n')
            ++newlines;
        else if (end - p >= 3 && startsWithAny(p, anchors))
            return p;
    }
    return end;
}

} // namespace

const char *scanAnchor(const char *p, const char *end, qint64 &newlines)
{
    return scanFor(p, end, newlines, reportAnchors);
}

const char *scanKillerAnchor(const char *p, const char *end, qint64 &newlines)
{
    return scanFor(p, end, newlines, killerTrigrams);
}

} // namespace oomscope::anchorscan
