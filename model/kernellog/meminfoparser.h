// SPDX-License-Identifier: GPL-3.0-or-later
// Reads the `Mem-Info` block (show_mem()) and the memcg stats of one OOM report into a
// MemInfoSnapshot. Works on the report's raw lines (prefix stripped), which the workspace stores,
// so any view can recompute it from a stored event. Accepts every era 3.10 → 6.x, multi-line and
// `#012`-joined one-line forms (the joined form is split here too, in case a caller hands raw
// text). Never fails: what cannot be read is left empty.
#pragma once

#include "meminfosnapshot.h"
#include "oomevent.h"

#include <vector>

namespace oomscope {

// Mem-Info from event.rawLines plus the normalised memcgStats of the event.
MemInfoSnapshot parseMemInfo(const OomEvent &event);

// Mem-Info from lines alone (no memcg stats); lines are message text without log prefixes.
MemInfoSnapshot parseMemInfoLines(const std::vector<RawLine> &lines);

// The event's memcgStats with v2 key names and byte units (see MemcgStats); the form is told
// from the raw lines of the stats block.
MemcgStats normaliseMemcgStats(const OomEvent &event);

} // namespace oomscope
