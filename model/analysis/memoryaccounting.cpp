// SPDX-License-Identifier: GPL-3.0-or-later
#include "memoryaccounting.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString accountingScopeName(AccountingScope s)
{
    return s == AccountingScope::Cgroup ? u"cgroup"_s : u"node"_s;
}

const AccountingCategory *MemoryAccounting::category(QStringView name) const
{
    for (const AccountingCategory &c : categories) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

std::optional<bool> memcgSwapEnabled(const OomEvent &event)
{
    (void)event;
    return std::nullopt;
}

MemoryAccounting accountMemory(const OomEvent &event, const MemInfoSnapshot &snapshot)
{
    (void)event, (void)snapshot;
    return {};
}

} // namespace oomscope
