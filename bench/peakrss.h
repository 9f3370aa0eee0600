// SPDX-License-Identifier: GPL-3.0-or-later
// Peak resident memory of this process, for the benchmarks' memory figures.
#pragma once

#include <QtGlobal>

namespace oomscope::bench {

// VmHWM of this address space. Not getrusage(): Linux carries ru_maxrss over exec, so a child
// would report the parent's resident size at fork time when that was larger.
qint64 peakRssKb();

} // namespace oomscope::bench
