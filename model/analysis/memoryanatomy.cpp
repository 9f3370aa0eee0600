// SPDX-License-Identifier: GPL-3.0-or-later
#include "memoryanatomy.h"

#include "anatomyexplanation.h"

namespace oomscope {

MemoryAnatomy analyseMemory(const OomEvent &event, const MemInfoSnapshot &snapshot)
{
    MemoryAnatomy a;
    a.trigger = analyseTrigger(event);
    a.allocation = analyseAllocation(a.trigger, snapshot);
    a.accounting = accountMemory(event, snapshot);
    a.accountingStatement = accountingStatement(a.accounting);
    a.statements = anatomyStatements(a.trigger, a.allocation, a.accounting);
    return a;
}

} // namespace oomscope
