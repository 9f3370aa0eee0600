// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope --bench-chart N`: stores N synthetic samples in a scratch workspace and times opening
// and drawing them in the growth chart, a zoomed redraw, and the process's resident memory.
#pragma once

#include <QtGlobal>

class QTextStream;

namespace oomscope {

// Needs a QApplication. Returns the process exit code.
int runChartBench(qint64 sampleCount, QTextStream &out);

} // namespace oomscope
