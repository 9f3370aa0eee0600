// SPDX-License-Identifier: GPL-3.0-or-later
// The process's stdout and stderr as QTextStreams, one of each for the whole program, for the
// command-line tools (oomscope-cli, oomscope-bench).
#pragma once

#include <QTextStream>

namespace oomscope {

QTextStream &consoleOut();
QTextStream &consoleErr();

} // namespace oomscope
