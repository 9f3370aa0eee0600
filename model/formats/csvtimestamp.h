// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to the recording CSV: the timestamp forms recordingcsv.h describes (epoch seconds or
// milliseconds, with or without a fraction, ISO 8601 with an optional offset).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace oomscope::csv {

// Epoch milliseconds (UTC) of one trimmed field. unitIsMs: the column is declared as
// milliseconds (timestamp_ms, ts_epoch_ms); otherwise integers above 1e11 are milliseconds.
std::optional<std::int64_t> parseTimestamp(std::string_view text, bool unitIsMs);

} // namespace oomscope::csv
