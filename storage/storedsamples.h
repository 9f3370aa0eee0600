// SPDX-License-Identifier: GPL-3.0-or-later
// What one write committed to the sample store, per series in time order: a live session's flush
// or a node feed's batch. The chart appends exactly this; the window counts it.
#pragma once

#include "memorysample.h"

#include <QtGlobal>

#include <memory>
#include <utility>
#include <vector>

namespace oomscope {

struct StoredSamples {
    std::vector<std::pair<qint64, std::vector<MemorySample>>> series; // (seriesId, samples)
    qint64 processRows = 0;
};
using StoredSamplesPtr = std::shared_ptr<const StoredSamples>;

} // namespace oomscope
