// SPDX-License-Identifier: GPL-3.0-or-later
// The oomscope desktop application: `oomscope [--db W.sqlite] [FILE…]`.
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

    const oomscope::CommandLineOptions options = oomscope::parseCommandLine(app.arguments());
    oomscope::MainWindow window(options.workspacePath);
    if (!options.screenshotPath.isEmpty())
        window.resize(1400, 900);
    window.show();
    if (!options.files.isEmpty())
        window.importFiles(options.files);
    if (!options.screenshotPath.isEmpty())
        window.requestScreenshot(options.screenshotPath, options.screenshotEventRow, options.screenshotTab);
    return app.exec();
}
