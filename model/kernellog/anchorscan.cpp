// SPDX-License-Identifier: GPL-3.0-or-later
#include "anchorscan.h"

#include <array>
#include <bit>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#define OOMSCOPE_HAVE_AVX2_PATH 1
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

#if defined(OOMSCOPE_HAVE_AVX2_PATH)
// The AVX2 paths, for the CPUs that have it (chosen at run time: the build targets baseline
// x86-64). A matcher gives, for 32 positions, the bit mask of those where an anchor starts (a, b,
// c: the bytes at p, p + 1, p + 2).

// Compares with each anchor in turn: cheap for a few anchors.
template<std::size_t N> struct CompareMatcher {
    const std::array<Trigram, N> &anchors;

    template<std::size_t... I>
    __attribute__((target("avx2"))) unsigned hits(__m256i a, __m256i b, __m256i c,
                                                  std::index_sequence<I...>) const
    {
        __m256i any = _mm256_setzero_si256();
        ((any = _mm256_or_si256(
              any,
              _mm256_and_si256(_mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8(anchors[I][0])),
                                                _mm256_cmpeq_epi8(b, _mm256_set1_epi8(anchors[I][1]))),
                               _mm256_cmpeq_epi8(c, _mm256_set1_epi8(anchors[I][2]))))),
         ...);
        return unsigned(_mm256_movemask_epi8(any));
    }
    __attribute__((target("avx2"))) unsigned operator()(__m256i a, __m256i b, __m256i c) const
    {
        return hits(a, b, c, std::make_index_sequence<N>());
    }
};

// Up to eight groups of anchors at once by table look-up (the "Teddy" technique of Hyperscan):
// for each of the three positions, a byte's low and high nibble each select the set of groups
// that have such a nibble there; a group matches where all six sets hold it. Exact when the
// anchors of a group differ only in case (as "oom" and "OOM" do).
struct NibbleTables {
    std::array<std::array<unsigned char, 16>, 3> low {};
    std::array<std::array<unsigned char, 16>, 3> high {};
};

// killerAnchors in groups: "oom" and "OOM" share the first, each other anchor has its own.
constexpr NibbleTables killerNibbles = [] {
    static_assert(std::size(killerAnchors) == 9 && killerAnchors[0] == "oom" && killerAnchors[1] == "OOM");
    NibbleTables t;
    for (std::size_t i = 0; i < std::size(killerAnchors); ++i) {
        const unsigned group = i == 0 ? 0 : unsigned(i - 1);
        for (std::size_t at = 0; at < 3; ++at) {
            const auto byte = static_cast<unsigned char>(killerAnchors[i][at]);
            t.low[at][byte & 15] |= static_cast<unsigned char>(1u << group);
            t.high[at][byte >> 4] |= static_cast<unsigned char>(1u << group);
        }
    }
    return t;
}();

__attribute__((target("avx2"))) inline __m256i table(const std::array<unsigned char, 16> &bytes)
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(bytes.data())));
}

struct NibbleMatcher {
    const NibbleTables &tables;

    __attribute__((target("avx2"))) static __m256i groups(__m256i x, __m256i low, __m256i high)
    {
        const __m256i nibble = _mm256_set1_epi8(15);
        return _mm256_and_si256(_mm256_shuffle_epi8(low, _mm256_and_si256(x, nibble)),
                                _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble)));
    }
    __attribute__((target("avx2"))) unsigned operator()(__m256i a, __m256i b, __m256i c) const
    {
        const __m256i all =
            _mm256_and_si256(_mm256_and_si256(groups(a, table(tables.low[0]), table(tables.high[0])),
                                              groups(b, table(tables.low[1]), table(tables.high[1]))),
                             groups(c, table(tables.low[2]), table(tables.high[2])));
        return ~unsigned(_mm256_movemask_epi8(_mm256_cmpeq_epi8(all, _mm256_setzero_si256())));
    }
};

// Returns where it stopped: at a hit (hit set), or with fewer than 34 bytes left for the 16-byte
// loop and the byte loop.
template<typename Matcher>
__attribute__((target("avx2"))) const char *scanAvx2(const char *p, const char *end, qint64 &newlines,
                                                     const Matcher &matcher, bool &hit)
{
    const __m256i nl = _mm256_set1_epi8('\n');
    __m256i counts = _mm256_setzero_si256();
    int pending = 0;
    // (A lambda would not inherit the target attribute.)
#define OOMSCOPE_FOLD_COUNTS()                                                                               \
    do {                                                                                                     \
        const __m256i sums = _mm256_sad_epu8(counts, _mm256_setzero_si256());                                \
        newlines += _mm256_extract_epi64(sums, 0) + _mm256_extract_epi64(sums, 1)                            \
            + _mm256_extract_epi64(sums, 2) + _mm256_extract_epi64(sums, 3);                                 \
        counts = _mm256_setzero_si256();                                                                     \
        pending = 0;                                                                                         \
    } while (false)
    while (end - p >= 34) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
        const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 1));
        const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 2));
        const __m256i isNl = _mm256_cmpeq_epi8(a, nl);
        const unsigned hits = matcher(a, b, c);
        if (hits) {
            OOMSCOPE_FOLD_COUNTS();
            const int idx = std::countr_zero(hits);
            const unsigned nlMask = unsigned(_mm256_movemask_epi8(isNl));
            newlines += std::popcount(nlMask & ((1u << idx) - 1u));
            hit = true;
            return p + idx;
        }
        counts = _mm256_sub_epi8(counts, isNl);
        if (++pending == 255)
            OOMSCOPE_FOLD_COUNTS();
        p += 32;
    }
    OOMSCOPE_FOLD_COUNTS();
#undef OOMSCOPE_FOLD_COUNTS
    return p;
}

bool haveAvx2()
{
    static const bool have = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return have;
}
#endif

// The 16-byte SSE2 loop and the byte loop (also the tail of the AVX2 one).
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
#if defined(OOMSCOPE_HAVE_AVX2_PATH)
    if (haveAvx2()) {
        bool hit = false;
        p = scanAvx2(p, end, newlines, CompareMatcher<2> {reportAnchors}, hit);
        if (hit)
            return p;
    }
#endif
    return scanFor(p, end, newlines, reportAnchors);
}

const char *scanKillerAnchor(const char *p, const char *end, qint64 &newlines)
{
#if defined(OOMSCOPE_HAVE_AVX2_PATH)
    if (haveAvx2()) {
        bool hit = false;
        p = scanAvx2(p, end, newlines, NibbleMatcher {killerNibbles}, hit);
        if (hit)
            return p;
    }
#endif
    return scanFor(p, end, newlines, killerTrigrams);
}

} // namespace oomscope::anchorscan
