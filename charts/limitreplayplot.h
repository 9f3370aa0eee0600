// SPDX-License-Identifier: GPL-3.0-or-later
// The limit replay (limitreplay.h) as a small curve: kills the recorded demand would have caused
// at each candidate limit (MiB), with the recorded limit and the recommended one marked; censored
// candidates (above the limit of a recording that had kills) drawn dashed. Fills a given
// QCustomPlot, for the verdict panel and reports alike.
#pragma once

#include "chartstyle.h"
#include "limitreplay.h"

class QCustomPlot;

namespace oomscope {

// Clears the plot and draws the replay; returns false (and leaves it empty) without candidates.
bool drawLimitReplay(QCustomPlot *plot, const LimitReplay &replay, const ChartStyle &style);

} // namespace oomscope
