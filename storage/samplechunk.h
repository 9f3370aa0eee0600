// SPDX-License-Identifier: GPL-3.0-or-later
// The blob format of one sample chunk: a few thousand records of N int64 columns, stored column
// by column as zigzag varints of the difference to the previous value, so that slowly moving
// counters and constant unknowns cost one or two bytes and one column (time) decodes alone.
#pragma once

#include <QByteArray>

#include <cstdint>
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

// Layout: u8 format (1), varint row count, varint column count, then per column a varint byte
// length followed by that many bytes of zigzag varint deltas (the first value is a delta to 0).
QByteArray encode(const ColumnBlock &block, std::size_t first = 0, std::size_t count = SIZE_MAX);

// Decodes the whole blob into `out` (columns appended to what is there). A blob with fewer
// columns than `out` (written before columns were added) fills the missing ones with -1. Returns false on a
// malformed blob, leaving `out` unspecified.
bool decodeAppend(std::span<const char> blob, ColumnBlock &out);

// Decodes column `column` only (e.g. time, column 0). Returns false on a malformed blob.
bool decodeColumn(std::span<const char> blob, int column, std::vector<std::int64_t> &out);

} // namespace oomscope::chunk
