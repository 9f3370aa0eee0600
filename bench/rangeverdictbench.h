// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-bench range-verdict`: what the Timeline's verdict of a whole long series costs — the
// time of one evaluation and the evaluating process's peak RSS — as the window does it now (at
// most 20,000 thinned samples), as it did before (every raw sample up to 200,000, then the stored
// level's last values), and with every raw sample classified: the reference, in the same run.
#pragma once

#include <QStringList>

namespace oomscope::bench {

// range-verdict [--hours H[,H…]] (default 1,6,24 at 10 Hz)
int runRangeVerdictBenchmark(const QStringList &args);
// Child phase (own peak RSS): range-verdict-child WORKSPACE now|before|raw
int runRangeVerdictChild(const QStringList &args);

} // namespace oomscope::bench
