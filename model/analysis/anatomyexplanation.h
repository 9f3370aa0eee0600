// SPDX-License-Identifier: GPL-3.0-or-later
// The one place that turns the anatomy facts (trigger, allocation, accounting) into sentences.
#pragma once

#include "allocationfailure.h"
#include "gfpflags.h"
#include "memoryaccounting.h"

#include <QString>
#include <QStringList>

namespace oomscope {

// "unreclaimable slab 11 GiB (68 % of RAM): kernel memory, no process to blame — …"
QString accountingStatement(const MemoryAccounting &accounting);
// All statements: accounting first, then swap, allocation/watermarks, fragmentation, trigger.
QStringList anatomyStatements(const TriggerFacts &trigger, const AllocationFacts &allocation,
                              const MemoryAccounting &accounting);
// One line per zone check: "Normal: free 41 MiB < low 52 MiB + reserve 0 → fails".
QString zoneCheckStatement(const ZoneWatermarkCheck &check, std::int64_t pageKb);
// What one GFP flag means, one line ("__GFP_FS: may call into the filesystem to reclaim").
QString gfpFlagMeaning(const QString &flag);
// A label for a category name ("slab_unreclaimable" → "unreclaimable slab").
QString accountingCategoryLabel(const QString &name);

} // namespace oomscope
