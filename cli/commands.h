// SPDX-License-Identifier: GPL-3.0-or-later
// The subcommands of oomscope-cli, one file each. Every one takes the arguments as
// QCoreApplication gives them minus the command word (arguments.first() is the program) and
// returns the process exit code: 0 done, 1 the work failed, 2 bad options or input.
#pragma once

#include <QStringList>

namespace oomscope::cli {

int runAnalyze(const QStringList &arguments); // analyze.cpp: kernel logs, or a recording's verdicts
int runImport(const QStringList &arguments); // import.cpp
int runEvents(const QStringList &arguments); // events.cpp
int runExport(const QStringList &arguments); // export.cpp
int runReport(const QStringList &arguments); // report.cpp: runs oomscope-report
int runAttach(const QStringList &arguments); // attach.cpp: an oomscope-agent feed
int runAttachMetrics(const QStringList &arguments); // attachmetrics.cpp: a /metrics endpoint
int runImportPrometheus(const QStringList &arguments); // importprometheus.cpp: a query_range answer

} // namespace oomscope::cli
