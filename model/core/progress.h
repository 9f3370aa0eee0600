// SPDX-License-Identifier: GPL-3.0-or-later
// Progress and cancellation for long work (parsing, imports, queries).
#pragma once

#include <QtGlobal>

#include <functional>

namespace oomscope {

// Called every few MiB with bytes consumed so far; return false to cancel.
using ProgressFn = std::function<bool(qint64 bytesDone)>;

} // namespace oomscope
