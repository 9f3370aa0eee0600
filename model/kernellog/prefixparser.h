// SPDX-License-Identifier: GPL-3.0-or-later
// Recognises the per-line prefix a log tool put before kernel text (dmesg, syslog, journal, kmsg,
// RFC 5424) without allocating, so the OOM parser can strip it and learn host and timestamps.
#pragma once

#include "oomevent.h"

#include <QDateTime>

#include <optional>
#include <string_view>

namespace oomscope {

struct LinePrefix {
    PrefixStyle style = PrefixStyle::None;
    std::string_view host; // syslog/journal/RFC 5424 host; empty otherwise
    std::string_view message; // the text after the prefix
    bool kernel = true; // false for syslog/journal lines of another program

    bool hasUptime = false;
    double uptimeSeconds = 0;

    // Wall-clock parts, when the prefix has them. year 0 = not printed (classic syslog).
    bool hasWallTime = false;
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int microsecond = 0;
    bool hasUtcOffset = false;
    int utcOffsetSeconds = 0;
};

// Splits one line (without its newline) into prefix and message.
LinePrefix parseLinePrefix(std::string_view line);

// The year a time printed without one is read in: assumedYear, or (0) the current year. Ask once
// per log, not per line: each ask reads the time zone.
int yearForUndated(int assumedYear);

// Builds the wall-clock time of a prefix; assumedYear (0 = current year) fills in a missing year.
std::optional<QDateTime> wallTimeOf(const LinePrefix &prefix, int assumedYear);

} // namespace oomscope
