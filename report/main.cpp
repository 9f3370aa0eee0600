// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-report: incident reports (PDF, PNG, HTML) without a display.
#include "reportcommand.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    // The charts are widgets; off screen they need no display server (a CI job, an SSH session).
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("oomscope-report"));
    QApplication::setApplicationVersion(QStringLiteral(OOMSCOPE_VERSION));
    return oomscope::runReportCommand(QApplication::arguments());
}
