// SPDX-License-Identifier: GPL-3.0-or-later
#include "meminfoparser.h"

namespace oomscope {

MemInfoSnapshot parseMemInfoLines(const std::vector<RawLine> &lines)
{
    (void)lines;
    return {}; // API commit: implemented next
}

MemcgStats normaliseMemcgStats(const OomEvent &event)
{
    MemcgStats stats;
    stats.path = event.memcgStatsPath;
    stats.raw = event.memcgStats;
    return stats;
}

MemInfoSnapshot parseMemInfo(const OomEvent &event)
{
    MemInfoSnapshot snapshot = parseMemInfoLines(event.rawLines);
    snapshot.memcg = normaliseMemcgStats(event);
    return snapshot;
}

} // namespace oomscope
