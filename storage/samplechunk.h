// SPDX-License-Identifier: GPL-3.0-or-later
// The blob format of one sample chunk: a few thousand records of N int64 columns, stored column
// by column as zigzag varints of the difference to the previous value, so that slowly moving
// counters and constant unknowns cost one or two bytes and one column (time) decodes alone.
#pragma once

#include <QByteArray>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace oomscope::chunk {

// Column-major records: columns[c][row]. All columns have the same length.
struct ColumnBlock {
    std::vector<std::vector<std::int64_t>> columns;

    explicit ColumnBlock(int columnCount = 0)
        : columns(std::size_t(columnCount))
    { }
    std::size_t size() const { return columns.empty() ? 0 : columns.front().size(); }
    bool empty() const { return size() == 0; }
    int columnCount() const { return int(columns.size()); }
    void clear()
    {
        for (auto &c : columns)
            c.clear();
    }
    void reserve(std::size_t n)
    {
        for (auto &c : columns)
            c.reserve(n);
    }
    void push(std::span<const std::int64_t> row)
    {
        for (std::size_t c = 0; c < columns.size(); ++c)
            columns[c].push_back(row[c]);
    }
    void setRow(std::size_t row, std::span<const std::int64_t> values)
    {
        for (std::size_t c = 0; c < columns.size(); ++c)
            columns[c][row] = values[c];
    }
};

// Row-major records of N int64 columns: the tails of the levels of detail, appended a bucket at
// a time and their last bucket rewritten while it fills. A record is one contiguous write here;
// in a ColumnBlock it is N writes to N arrays, each a cache miss once a hundred series' tails are
// filled in turn.
struct RowBlock {
    explicit RowBlock(int columnCount = 0)
        : width(std::size_t(columnCount))
    { }
    std::size_t size() const { return width == 0 ? 0 : values.size() / width; }
    bool empty() const { return values.empty(); }
    void clear() { values.clear(); }
    void push(std::span<const std::int64_t> record)
    {
        values.insert(values.end(), record.begin(), record.begin() + std::ptrdiff_t(width));
    }
    void setRow(std::size_t row, std::span<const std::int64_t> record)
    {
        std::copy_n(record.begin(), width, values.begin() + std::ptrdiff_t(row * width));
    }
    std::int64_t at(std::size_t row, int column) const { return values[row * width + std::size_t(column)]; }

    std::size_t width;
    std::vector<std::int64_t> values; // record after record
};

// Builds one chunk's blob as its records come: each value's zigzag varint delta goes straight
// to its column's bytes, so a record costs a few bytes per column where keeping it decoded in a
// ColumnBlock cost 15 writes to 15 arrays (each a cache miss once a hundred series' tails are
// filled in turn) and a second pass to encode it. The blob has encode()'s layout.
class ChunkBuilder
{
public:
    explicit ChunkBuilder(int columnCount = 0, std::size_t capacity = 0);

    std::size_t size() const { return m_rows; }
    bool empty() const { return m_rows == 0; }
    void clear();
    void push(std::span<const std::int64_t> record);
    std::int64_t first(int column) const { return m_first[std::size_t(column)]; }
    std::int64_t last(int column) const { return std::int64_t(m_prev[std::size_t(column)]); }
    // The blob of the records so far, into out (its capacity reused from call to call).
    void blob(QByteArray &out) const;
    // Continues a stored chunk (at most capacity records, at most this builder's columns; the
    // missing ones read as -1). false: a malformed blob, the builder empty.
    bool load(std::span<const char> blob);
    // Bytes allocated for the records (fixed by the capacity, once the first is pushed).
    std::size_t heldBytes() const { return m_bytes ? m_width * m_regionBytes : 0; }

private:
    const std::uint8_t *region(std::size_t column) const { return m_bytes.get() + column * m_regionBytes; }

    std::size_t m_width = 0;
    std::size_t m_capacity = 0;
    std::size_t m_regionBytes = 0; // per column: ten bytes (a varint's most) per record, and 8
    std::size_t m_rows = 0;
    std::unique_ptr<std::uint8_t[]> m_bytes; // column after column, m_regionBytes each; not zeroed
    std::vector<std::size_t> m_used; // bytes used per column
    std::vector<std::uint64_t> m_prev; // per column: the last value
    std::vector<std::int64_t> m_first;
};

// Layout: u8 format (1), varint row count, varint column count, then per column a varint byte
// length followed by that many bytes of zigzag varint deltas (the first value is a delta to 0).
QByteArray encode(const ColumnBlock &block, std::size_t first = 0, std::size_t count = SIZE_MAX);
QByteArray encode(const RowBlock &block);

// The number of columns of a chunk's blob; -1 when it is malformed.
int columnCountOf(std::span<const char> blob);

// The blob of a stored chunk changed at its end without decoding it: its last row dropped when
// dropLast, then `append`'s rows added. lastRow: the stored chunk's last row (what the deltas
// of the added rows start from; with dropLast, the row before it is worked out from the last
// delta). Byte for byte what encode() gives for the changed rows. Returns false when the blob
// is malformed, has another column count than `append` (a chunk from before columns were
// added: decode and encode it whole instead) or, given, another row count than storedRows;
// `out` is then unspecified.
bool spliceAppend(std::span<const char> blob, bool dropLast, std::span<const std::int64_t> lastRow,
                  const RowBlock &append, QByteArray &out, std::size_t storedRows = SIZE_MAX);

// Decodes the whole blob into `out` (columns appended to what is there). A blob with fewer
// columns than `out` (written before columns were added) fills the missing ones with -1. Returns false on a
// malformed blob, leaving `out` unspecified.
bool decodeAppend(std::span<const char> blob, ColumnBlock &out);
bool decodeAppend(std::span<const char> blob, RowBlock &out);

// Decodes column `column` only (e.g. time, column 0). Returns false on a malformed blob.
bool decodeColumn(std::span<const char> blob, int column, std::vector<std::int64_t> &out);

} // namespace oomscope::chunk
