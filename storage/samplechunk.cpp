// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplechunk.h"

#include <algorithm>
#include <cstring>

namespace oomscope::chunk {

namespace {

constexpr std::uint8_t kFormat = 1;

inline std::uint8_t *putVarint(std::uint8_t *p, std::uint64_t v)
{
    while (v >= 0x80) {
        *p++ = std::uint8_t(v) | 0x80;
        v >>= 7;
    }
    *p++ = std::uint8_t(v);
    return p;
}

// Returns nullptr on a truncated or overlong varint.
inline const std::uint8_t *getVarint(const std::uint8_t *p, const std::uint8_t *end, std::uint64_t &v)
{
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
        const std::uint8_t byte = *p++;
        result |= std::uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            v = result;
            return p;
        }
    }
    return nullptr;
}

// Deltas use wrapping unsigned arithmetic: kUnlimited - kUnknown overflows int64.
inline std::uint64_t zigzag(std::uint64_t delta)
{
    const auto s = std::int64_t(delta);
    return (std::uint64_t(s) << 1) ^ std::uint64_t(s >> 63);
}

inline std::uint64_t unzigzag(std::uint64_t z)
{
    return (z >> 1) ^ (~(z & 1) + 1);
}

struct Header {
    std::uint64_t rows = 0;
    std::uint64_t columns = 0;
    const std::uint8_t *body = nullptr;
    const std::uint8_t *end = nullptr;
};

bool readHeader(std::span<const char> blob, Header &h)
{
    const auto *p = reinterpret_cast<const std::uint8_t *>(blob.data());
    h.end = p + blob.size();
    if (p == h.end || *p != kFormat)
        return false;
    ++p;
    p = getVarint(p, h.end, h.rows);
    if (!p)
        return false;
    p = getVarint(p, h.end, h.columns);
    if (!p)
        return false;
    h.body = p;
    // Every value takes at least one byte: a count beyond the blob size is corrupt, and checking
    // it here keeps a corrupt count from turning into a huge allocation.
    return h.rows <= std::uint64_t(h.end - p) && h.columns <= 4096;
}

// Decodes one column's bytes [p, colEnd) of `rows` values, appending to out.
bool decodeValues(const std::uint8_t *p, const std::uint8_t *colEnd, std::uint64_t rows,
                  std::vector<std::int64_t> &out)
{
    const std::size_t base = out.size();
    out.resize(base + rows);
    std::int64_t *dst = out.data() + base;
    std::uint64_t prev = 0;
    for (std::uint64_t r = 0; r < rows; ++r) {
        std::uint64_t z;
        if (p < colEnd && *p < 0x80) { // one-byte fast path: most deltas are small
            z = *p++;
        } else {
            p = getVarint(p, colEnd, z);
            if (!p)
                return false;
        }
        prev += unzigzag(z);
        dst[r] = std::int64_t(prev);
    }
    return p == colEnd;
}

} // namespace

QByteArray encode(const ColumnBlock &block, std::size_t first, std::size_t count)
{
    const std::size_t total = block.size();
    first = std::min(first, total);
    count = std::min(count, total - first);
    const std::size_t columnCount = block.columns.size();
    // Worst case 10 bytes per value plus a length varint per column and the header.
    QByteArray out(qsizetype(1 + 20 + columnCount * (10 + count * 10)), Qt::Uninitialized);
    auto *start = reinterpret_cast<std::uint8_t *>(out.data());
    std::uint8_t *p = start;
    *p++ = kFormat;
    p = putVarint(p, count);
    p = putVarint(p, columnCount);
    std::vector<std::uint8_t> scratch(count * 10 + 1);
    for (const auto &column : block.columns) {
        std::uint8_t *q = scratch.data();
        std::uint64_t prev = 0;
        const std::int64_t *values = column.data() + first;
        for (std::size_t r = 0; r < count; ++r) {
            const auto v = std::uint64_t(values[r]);
            q = putVarint(q, zigzag(v - prev));
            prev = v;
        }
        const auto bytes = std::size_t(q - scratch.data());
        p = putVarint(p, bytes);
        std::memcpy(p, scratch.data(), bytes);
        p += bytes;
    }
    out.truncate(qsizetype(p - start));
    return out;
}

bool decodeAppend(std::span<const char> blob, ColumnBlock &out)
{
    Header h;
    // A chunk written before columns were appended to its layout has fewer: the missing ones
    // read as unknown (-1). More columns than the reader knows is a corrupt (or newer) chunk.
    if (!readHeader(blob, h) || h.columns > out.columns.size() || (h.columns == 0 && !out.columns.empty()))
        return false;
    for (std::size_t c = h.columns; c < out.columns.size(); ++c)
        out.columns[c].resize(out.columns[c].size() + h.rows, -1);
    const std::uint8_t *p = h.body;
    for (std::size_t c = 0; c < h.columns; ++c) {
        auto &column = out.columns[c];
        std::uint64_t bytes = 0;
        p = getVarint(p, h.end, bytes);
        if (!p || bytes > std::uint64_t(h.end - p))
            return false;
        if (!decodeValues(p, p + bytes, h.rows, column))
            return false;
        p += bytes;
    }
    return p == h.end;
}

bool decodeColumn(std::span<const char> blob, int column, std::vector<std::int64_t> &out)
{
    Header h;
    if (!readHeader(blob, h) || column < 0 || std::uint64_t(column) >= h.columns)
        return false;
    const std::uint8_t *p = h.body;
    for (int c = 0;; ++c) {
        std::uint64_t bytes = 0;
        p = getVarint(p, h.end, bytes);
        if (!p || bytes > std::uint64_t(h.end - p))
            return false;
        if (c == column)
            return decodeValues(p, p + bytes, h.rows, out);
        p += bytes;
    }
}

} // namespace oomscope::chunk
