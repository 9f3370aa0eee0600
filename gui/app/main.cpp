// SPDX-License-Identifier: GPL-3.0-or-later
// The oomscope desktop application: `oomscope [--db W.sqlite] [--samples S.csv …] [FILE…]`.
#include "appicon.h"
#include "mainwindow.h"

#include <QApplication>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"oomscope"_s);
    QApplication::setOrganizationName(u"oomscope"_s);
    QApplication::setApplicationVersion(QStringLiteral(OOMSCOPE_VERSION));
    QApplication::setWindowIcon(oomscope::appIcon());
    // Matches the window to the installed .desktop file (icon, name) on Wayland and in docks.
    QGuiApplication::setDesktopFileName(u"io.github.oomscope.OOMScope"_s);

    const oomscope::CommandLineOptions options = oomscope::parseCommandLine(app.arguments());
    oomscope::MainWindow window(options.workspacePath);
    if (!options.screenshotPath.isEmpty())
        window.resize(1400, 900);
    window.show();
    if (!options.files.isEmpty())
        window.importFiles(options.files);
    if (options.recording)
        window.importRecording(*options.recording);
    if (!options.screenshotPath.isEmpty())
        window.requestScreenshot(options.screenshotPath,
                                 options.screenshotEventGiven ? options.screenshotEventRow : 0,
                                 options.screenshotTab);
    return app.exec();
}
