// SPDX-License-Identifier: GPL-3.0-or-later
// The stable JSON form of an analysed OOM event (documented in README.md, "JSON output") as a Qt
// value: the bytes of writeEventMembers() (eventjsonwriter.h) read back, so there is one
// definition of the keys and values.
#pragma once

#include "killdecision.h"
#include "meminfosnapshot.h"
#include "oomevent.h"

#include <QJsonObject>

namespace oomscope {

// `snapshot` is parseMemInfo(event) (kernellog/meminfoparser.h): the Mem-Info and memcg stats
// behind "system", "allocation" and "accounting". Without it those are null and only the
// trigger's decode is filled.
QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision);
QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision, const MemInfoSnapshot &snapshot);
QJsonObject warningToJson(const ParseWarning &warning);

} // namespace oomscope
