// SPDX-License-Identifier: GPL-3.0-or-later
#include "csvtimestamp.h"

#include <array>
#include <charconv>

namespace oomscope::csv {

namespace {

constexpr std::int64_t kEpochMsThreshold = 100'000'000'000; // 1e11

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

unsigned daysInMonth(int y, unsigned m)
{
    static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

std::optional<std::int64_t> parseIsoMs(std::string_view s)
{
    std::size_t i = 0;
    auto digits = [&](std::size_t count, int &out) {
        if (i + count > s.size())
            return false;
        int v = 0;
        for (std::size_t k = 0; k < count; ++k) {
            const char c = s[i + k];
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        out = v;
        i += count;
        return true;
    };
    auto take = [&](char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(4, year) || !take('-') || !digits(2, month) || !take('-') || !digits(2, day))
        return std::nullopt;
    if (!(take('T') || take('t') || take(' ')))
        return std::nullopt;
    if (!digits(2, hour) || !take(':') || !digits(2, minute))
        return std::nullopt;
    if (take(':') && !digits(2, second))
        return std::nullopt;
    std::int64_t fracMs = 0;
    if (take('.') || take(',')) {
        const std::size_t start = i;
        std::array<int, 4> frac = {0, 0, 0, 0};
        for (std::size_t k = 0; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++k) {
            if (k < frac.size())
                frac[k] = s[i] - '0';
        }
        if (i == start)
            return std::nullopt;
        fracMs = frac[0] * 100 + frac[1] * 10 + frac[2] + (frac[3] >= 5 ? 1 : 0);
    }
    take(' ');
    int offsetMinutes = 0;
    if (take('Z') || take('z')) {
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        const int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int oh = 0, om = 0;
        if (!digits(2, oh))
            return std::nullopt;
        if (take(':')) {
            if (!digits(2, om))
                return std::nullopt;
        } else if (i < s.size() && !digits(2, om)) {
            return std::nullopt;
        }
        if (oh > 23 || om > 59)
            return std::nullopt;
        offsetMinutes = sign * (oh * 60 + om);
    }
    if (i != s.size())
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || unsigned(day) > daysInMonth(year, unsigned(month)) || hour > 23
        || minute > 59 || second > 60)
        return std::nullopt;
    const std::int64_t days = daysFromCivil(year, unsigned(month), unsigned(day));
    return days * 86'400'000 + std::int64_t(hour) * 3'600'000 + std::int64_t(minute) * 60'000
        + std::int64_t(second) * 1000 + fracMs - std::int64_t(offsetMinutes) * 60'000;
}

} // namespace

std::optional<std::int64_t> parseTimestamp(std::string_view s, bool unitIsMs)
{
    if (s.size() >= 10 && s[4] == '-')
        return parseIsoMs(s);
    const char *p = s.data();
    const char *e = p + s.size();
    bool negative = false;
    if (p != e && *p == '-') {
        negative = true;
        ++p;
    }
    if (p == e || *p < '0' || *p > '9')
        return std::nullopt;
    std::uint64_t whole = 0;
    auto [q, ec] = std::from_chars(p, e, whole);
    if (ec != std::errc() || whole > 100'000'000'000'000'000ULL) // 1e17: beyond any clock
        return std::nullopt;
    int frac[4] = {0, 0, 0, 0};
    if (q != e) {
        if (*q != '.')
            return std::nullopt;
        ++q;
        for (int k = 0; q != e; ++q, ++k) {
            if (*q < '0' || *q > '9')
                return std::nullopt;
            if (k < 4)
                frac[k] = *q - '0';
        }
    }
    const bool ms = unitIsMs || whole > std::uint64_t(kEpochMsThreshold);
    std::int64_t value = 0;
    if (ms) {
        value = std::int64_t(whole) + (frac[0] >= 5 ? 1 : 0);
    } else {
        value = std::int64_t(whole) * 1000 + frac[0] * 100 + frac[1] * 10 + frac[2] + (frac[3] >= 5 ? 1 : 0);
    }
    return negative ? -value : value;
}

} // namespace oomscope::csv
