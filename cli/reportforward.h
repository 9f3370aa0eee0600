// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli report …`: runs oomscope-report (installed next to the CLI) with the same
// arguments, so the CLI itself never links Widgets or QCustomPlot.
#pragma once

#include <QStringList>

namespace oomscope {

// Path of oomscope-report beside the running executable; empty when it is not there.
QString reportExecutablePath();

// Runs it with `args` (the arguments after "report"), stdin/stdout/stderr inherited; returns its
// exit code, or 127 with a one-line error when it is absent or cannot start.
int forwardToReport(const QStringList &args);

} // namespace oomscope
