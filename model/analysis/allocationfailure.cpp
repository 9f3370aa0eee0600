// SPDX-License-Identifier: GPL-3.0-or-later
#include "allocationfailure.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString allocationFailureName(AllocationFailure f)
{
    switch (f) {
    case AllocationFailure::BelowLowWatermark:
        return u"below_low_watermark"_s;
    case AllocationFailure::NoFreeChunk:
        return u"no_free_chunk"_s;
    case AllocationFailure::HighOrder:
        return u"high_order"_s;
    case AllocationFailure::Unknown:
        return u"unknown"_s;
    }
    return u"unknown"_s;
}

ZoneWatermarkCheck checkZoneWatermark(const MemInfoZone &zone, const MemInfoBuddy *buddy, int order,
                                      int targetZoneIndex, const GfpDecode &gfp, std::int64_t pageKb)
{
    (void)buddy, (void)order, (void)targetZoneIndex, (void)gfp, (void)pageKb;
    ZoneWatermarkCheck c;
    c.node = zone.node;
    c.zone = zone.zone;
    return c;
}

AllocationFacts analyseAllocation(const TriggerFacts &trigger, const MemInfoSnapshot &snapshot)
{
    (void)snapshot;
    AllocationFacts a;
    a.order = trigger.order;
    a.sizeKb = trigger.sizeKb;
    a.zone = trigger.gfp.zone;
    a.node = trigger.node;
    a.manual = trigger.manual;
    return a;
}

} // namespace oomscope
