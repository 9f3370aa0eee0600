// SPDX-License-Identifier: GPL-3.0-or-later
#include "anatomyexplanation.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString accountingStatement(const MemoryAccounting &accounting)
{
    (void)accounting;
    return {};
}

QStringList anatomyStatements(const TriggerFacts &trigger, const AllocationFacts &allocation,
                              const MemoryAccounting &accounting)
{
    (void)trigger, (void)allocation, (void)accounting;
    return {};
}

QString zoneCheckStatement(const ZoneWatermarkCheck &check, std::int64_t pageKb)
{
    (void)check, (void)pageKb;
    return {};
}

QString gfpFlagMeaning(const QString &flag)
{
    (void)flag;
    return {};
}

QString accountingCategoryLabel(const QString &name)
{
    return name;
}

} // namespace oomscope
