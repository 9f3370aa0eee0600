// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli analyze --samples S.csv [--procs P.csv] [--log kernel.log]… [--boot-time T]`:
// a verdict per cgroup of a recording, its kills on the timeline and, given per-process samples,
// the victim the OOM killer's formula predicted before each kill.
#pragma once

#include <QCommandLineParser>

namespace oomscope::cli {

int analyzeRecording(const QCommandLineParser &parser, bool json);

} // namespace oomscope::cli
