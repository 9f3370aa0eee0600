// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplechunk.h"

#include <algorithm>
#include <bit>
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

static_assert(std::endian::native == std::endian::little, "putVarint8 stores the first byte lowest");

// putVarint's bytes, for v < 2^56, as one eight-byte store: no branch per byte (how many bytes a
// delta takes is as good as random, and the loop's mispredictions were most of the encoding).
// p must have eight bytes of room.
inline std::uint8_t *putVarint8(std::uint8_t *p, std::uint64_t v)
{
    if (v >= std::uint64_t(1) << 56) [[unlikely]]
        return putVarint(p, v);
    const int bytes = (std::bit_width(v | 1) + 6) / 7;
    // Seven bits to a byte. Most deltas take at most four bytes; a column's deltas mostly keep
    // to one side of that, so the branch is predicted and the common side spreads four groups.
    std::uint64_t x = (v & 0x7f) | ((v << 1) & 0x7f00) | ((v << 2) & 0x7f0000) | ((v << 3) & 0x7f000000);
    if (bytes > 4)
        x |= ((v << 4) & 0x7f00000000) | ((v << 5) & 0x7f0000000000) | ((v << 6) & 0x7f000000000000)
            | ((v << 7) & 0x7f00000000000000);
    x |= 0x8080808080808080ULL & ((std::uint64_t(1) << (8 * (bytes - 1))) - 1); // continuation bits
    std::memcpy(p, &x, sizeof x);
    return p + bytes;
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

QByteArray encode(const RowBlock &block)
{
    ChunkBuilder builder(int(block.width), block.size());
    for (std::size_t r = 0; r < block.size(); ++r)
        builder.push(std::span<const std::int64_t>(block.values).subspan(r * block.width, block.width));
    QByteArray out;
    builder.blob(out);
    return out;
}

bool decodeAppend(std::span<const char> blob, RowBlock &out)
{
    ColumnBlock columns(static_cast<int>(out.width));
    if (!decodeAppend(blob, columns))
        return false;
    const std::size_t base = out.values.size();
    out.values.resize(base + columns.size() * out.width);
    for (std::size_t c = 0; c < out.width; ++c) {
        for (std::size_t r = 0; r < columns.size(); ++r)
            out.values[base + r * out.width + c] = columns.columns[c][r];
    }
    return true;
}

ChunkBuilder::ChunkBuilder(int columnCount, std::size_t capacity)
    : m_width(std::size_t(columnCount))
    , m_capacity(capacity)
    , m_regionBytes(capacity * 10 + 8) // + the room of putVarint8's last store
    , m_used(m_width, 0)
    , m_prev(m_width, 0)
    , m_first(m_width, 0)
{ }

void ChunkBuilder::clear()
{
    m_rows = 0;
    std::fill(m_used.begin(), m_used.end(), 0);
    std::fill(m_prev.begin(), m_prev.end(), 0);
}

void ChunkBuilder::push(std::span<const std::int64_t> record)
{
    Q_ASSERT(m_rows < m_capacity && record.size() >= m_width);
    if (!m_bytes) // first use: a series that is only queried never allocates
        m_bytes = std::make_unique_for_overwrite<std::uint8_t[]>(m_width * m_regionBytes);
    if (m_rows == 0)
        std::copy_n(record.begin(), m_width, m_first.begin());
    // Plain pointers: the byte stores may alias anything, so members would be loaded again
    // after each of them.
    std::uint8_t *const bytes = m_bytes.get();
    std::size_t *const used = m_used.data();
    std::uint64_t *const prev = m_prev.data();
    const std::int64_t *const values = record.data();
    const std::size_t width = m_width;
    const std::size_t regionBytes = m_regionBytes;
    for (std::size_t c = 0; c < width; ++c) {
        const auto v = std::uint64_t(values[c]);
        std::uint8_t *const start = bytes + c * regionBytes + used[c];
        // Half of a sample's columns do not change (a limit, unknowns, counters at rest), and a
        // column that does not change mostly keeps not changing: a predicted branch.
        if (v == prev[c]) {
            *start = 0;
            ++used[c];
            continue;
        }
        used[c] += std::size_t(putVarint8(start, zigzag(v - prev[c])) - start);
        prev[c] = v;
    }
    ++m_rows;
}

void ChunkBuilder::blob(QByteArray &out) const
{
    std::size_t total = 1 + 20;
    for (std::size_t c = 0; c < m_width; ++c)
        total += 10 + m_used[c];
    out.resize(qsizetype(total));
    auto *start = reinterpret_cast<std::uint8_t *>(out.data());
    std::uint8_t *p = start;
    *p++ = kFormat;
    p = putVarint(p, m_rows);
    p = putVarint(p, m_width);
    for (std::size_t c = 0; c < m_width; ++c) {
        p = putVarint(p, m_used[c]);
        if (m_used[c] > 0) // an empty builder has no bytes at all
            std::memcpy(p, region(c), m_used[c]);
        p += m_used[c];
    }
    out.resize(qsizetype(p - start));
}

bool ChunkBuilder::load(std::span<const char> blob)
{
    clear();
    // Decoded once, to know each column's first and last value; the bytes are then encoded
    // again, which also fills columns the stored chunk predates.
    ColumnBlock columns(static_cast<int>(m_width));
    if (!decodeAppend(blob, columns) || columns.size() > m_capacity)
        return false;
    std::vector<std::int64_t> record(m_width);
    for (std::size_t r = 0; r < columns.size(); ++r) {
        for (std::size_t c = 0; c < m_width; ++c)
            record[c] = columns.columns[c][r];
        push(record);
    }
    return true;
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

int columnCountOf(std::span<const char> blob)
{
    Header h;
    return readHeader(blob, h) ? int(h.columns) : -1;
}

bool spliceAppend(std::span<const char> blob, bool dropLast, std::span<const std::int64_t> lastRow,
                  const RowBlock &append, QByteArray &out, std::size_t storedRows)
{
    Header h;
    const std::size_t width = append.width;
    if (!readHeader(blob, h) || h.columns != width || lastRow.size() < width || (dropLast && h.rows == 0)
        || (storedRows != SIZE_MAX && h.rows != storedRows))
        return false;
    const std::size_t added = append.size();
    const std::uint64_t rows = h.rows - (dropLast ? 1 : 0) + added;
    // The stored bytes, and at most ten per added value and per length.
    out.resize(qsizetype(std::size_t(h.end - h.body) + 1 + 20 + width * (10 + added * 10)));
    auto *start = reinterpret_cast<std::uint8_t *>(out.data());
    std::uint8_t *p = start;
    *p++ = kFormat;
    p = putVarint(p, rows);
    p = putVarint(p, width);
    std::uint8_t scratch[10];
    const std::uint8_t *in = h.body;
    for (std::size_t c = 0; c < width; ++c) {
        std::uint64_t bytes = 0;
        in = getVarint(in, h.end, bytes);
        if (!in || bytes > std::uint64_t(h.end - in) || (dropLast && bytes == 0))
            return false;
        const std::uint8_t *colEnd = in + bytes;
        const std::uint8_t *keepEnd = colEnd;
        auto base = std::uint64_t(lastRow[c]); // what the first added delta is to
        if (dropLast) {
            // The last varint: after the last byte before the final one that ends a varint.
            const std::uint8_t *q = colEnd - 1;
            if (*q & 0x80)
                return false;
            while (q > in && (q[-1] & 0x80))
                --q;
            keepEnd = q;
            std::uint64_t z = 0;
            if (getVarint(q, colEnd, z) != colEnd)
                return false;
            base -= unzigzag(z);
        }
        // The added deltas after the kept bytes; their length first.
        std::size_t addedBytes = 0;
        std::uint64_t prev = base;
        for (std::size_t r = 0; r < added; ++r) {
            const auto v = std::uint64_t(append.at(r, int(c)));
            addedBytes += std::size_t(putVarint(scratch, zigzag(v - prev)) - scratch);
            prev = v;
        }
        const auto kept = std::size_t(keepEnd - in);
        p = putVarint(p, kept + addedBytes);
        std::memcpy(p, in, kept);
        p += kept;
        prev = base;
        for (std::size_t r = 0; r < added; ++r) {
            const auto v = std::uint64_t(append.at(r, int(c)));
            p = putVarint(p, zigzag(v - prev));
            prev = v;
        }
        in = colEnd;
    }
    if (in != h.end)
        return false;
    out.truncate(qsizetype(p - start));
    return true;
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
