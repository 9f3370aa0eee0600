// SPDX-License-Identifier: GPL-3.0-or-later
// The growth chart's data: a series' samples or stored level-of-detail envelope turned into the
// QCustomPlot point containers the chart draws (built off the GUI thread for the screen).
#pragma once

#include "chartstyle.h"
#include "memorysample.h"
#include "samplestore.h"

#include <QSharedPointer>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

template<class T> class QCPDataContainer;
class QCPGraphData;
using QCPGraphDataContainer = QCPDataContainer<QCPGraphData>;

namespace oomscope {

// The curves of one series over one range, built off the GUI thread from an envelope. Values in
// bytes, keys in epoch seconds (QCustomPlot's date-time convention); unknown values are NaN so the
// lines break there.
struct SeriesCurves {
    qint64 seriesId = 0;
    int level = 0; // the envelope's level: > 0 draws min/max as a band
    QSharedPointer<QCPGraphDataContainer> usage, usageMin, usageMax, workingSet, limit, high, failRises;
    // The highest usage of each sample's interval (peak_bytes, between samples), drawn as a band
    // down to the usage line; peakAbove: somewhere it is above the usage.
    QSharedPointer<QCPGraphDataContainer> peak;
    bool peakAbove = false;
    // anon, shmem, active file, inactive file, kernel, each the cumulative sum up to it.
    std::array<QSharedPointer<QCPGraphDataContainer>, kStackCount> stack;
    std::array<bool, kStackCount> stackKnown {}; // the component was measured somewhere in the range
    double maxBytes = 0; // highest usage or limit in the range, for the value axis
    // Time of the newest sample the curves hold (a bucket's last sample); unset when empty. A
    // live chart appends what came after it.
    std::optional<std::int64_t> lastSampleMs;
};

// The limit and memory.high are step lines that rarely move: a run of equal values is drawn from
// its first and last point only (the dashes of thousands of equal steps cost a replot more than
// every other curve together). Appends to a step line the same way.
void appendStepPoints(QCPGraphDataContainer &line, const QCPGraphDataContainer &points);

SeriesCurves curvesFromEnvelope(qint64 seriesId, const SampleEnvelope &envelope);
// Raw samples as level-0 curves; a failcnt above previousFailcnt at the first sample is a rise.
SeriesCurves curvesFromSamples(qint64 seriesId, const std::vector<MemorySample> &samples,
                               std::int64_t previousFailcnt = MemorySample::kUnknown);

} // namespace oomscope
