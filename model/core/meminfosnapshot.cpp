// SPDX-License-Identifier: GPL-3.0-or-later
#include "meminfosnapshot.h"

using namespace Qt::StringLiterals;

namespace oomscope {

std::optional<std::int64_t> counterValue(const CounterList &list, QStringView key)
{
    for (const auto &[k, v] : list) {
        if (k == key)
            return v;
    }
    return std::nullopt;
}

QString memcgStatsFormName(MemcgStatsForm form)
{
    switch (form) {
    case MemcgStatsForm::None:
        return u"none"_s;
    case MemcgStatsForm::V1SingleLine:
        return u"v1_single_line"_s;
    case MemcgStatsForm::V1MultiLine:
        return u"v1_multi_line"_s;
    case MemcgStatsForm::V2:
        return u"v2"_s;
    }
    return u"none"_s;
}

const MemInfoZone *MemInfoSnapshot::findZone(std::optional<int> node, QStringView zone) const
{
    for (const MemInfoZone &z : zones) {
        if (z.node == node && z.zone == zone)
            return &z;
    }
    return nullptr;
}

const MemInfoBuddy *MemInfoSnapshot::findBuddy(std::optional<int> node, QStringView zone) const
{
    for (const MemInfoBuddy &b : buddy) {
        if (b.node == node && b.zone == zone)
            return &b;
    }
    return nullptr;
}

} // namespace oomscope
