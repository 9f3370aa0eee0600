// SPDX-License-Identifier: GPL-3.0-or-later
// The anatomy of one OOM report's memory: the decoded trigger, why the allocation failed
// (node-wide OOM), where the memory went, and the statements for users. One entry point:
//   MemInfoSnapshot snap = parseMemInfo(event);          // kernellog/meminfoparser.h
//   MemoryAnatomy anatomy = analyseMemory(event, snap);  // this file
#pragma once

#include "allocationfailure.h"
#include "gfpflags.h"
#include "meminfosnapshot.h"
#include "memoryaccounting.h"
#include "oomevent.h"

#include <QStringList>

namespace oomscope {

struct MemoryAnatomy {
    TriggerFacts trigger;
    AllocationFacts allocation;
    MemoryAccounting accounting;
    // Sentences from anatomyexplanation.cpp, most important first; statements.first() is the
    // accounting statement (what dominated) when there is one.
    QStringList statements;
    QString accountingStatement; // the one line for accounting.statement
};

MemoryAnatomy analyseMemory(const OomEvent &event, const MemInfoSnapshot &snapshot);

} // namespace oomscope
