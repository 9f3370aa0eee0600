// SPDX-License-Identifier: GPL-3.0-or-later
#include "gfpflags.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString gfpEraName(GfpEra era)
{
    (void)era;
    return {};
}

std::optional<GfpEra> gfpEraForRelease(const QString &release)
{
    (void)release;
    return std::nullopt;
}

GfpEra gfpEraFor(const OomEvent &event)
{
    return gfpEraForRelease(event.kernelRelease).value_or(GfpEra::V4_20);
}

GfpDecode decodeGfpMask(std::uint64_t mask, GfpEra era)
{
    GfpDecode d;
    d.parsed = true;
    d.mask = mask;
    d.era = era;
    return d;
}

GfpDecode decodeGfpText(const QString &printed, GfpEra era)
{
    (void)printed;
    GfpDecode d;
    d.era = era;
    return d;
}

TriggerFacts analyseTrigger(const OomEvent &event)
{
    TriggerFacts t;
    t.gfp = decodeGfpText(event.gfpMask, gfpEraFor(event));
    t.order = event.order;
    t.manual = event.order == -1;
    return t;
}

} // namespace oomscope
