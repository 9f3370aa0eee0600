// SPDX-License-Identifier: GPL-3.0-or-later
// The `oomscope-report` command line: picks events or a cgroup range from a workspace (or from
// logs and recordings imported into a temporary one) and writes the incident report.
#pragma once

#include <QStringList>

namespace oomscope {

// args[0] is the program name. Returns the exit code (0 ok, 1 bad input, 2 usage).
// Needs a QApplication (the charts are widgets drawn off screen).
int runReportCommand(const QStringList &args);

} // namespace oomscope
