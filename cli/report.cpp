// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli report …`: runs oomscope-report (installed next to the CLI) with the same
// arguments, so the CLI itself never links Widgets or QCustomPlot.
#include "commands.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

// Path of oomscope-report beside the running executable; empty when it is not there.
QString reportExecutablePath()
{
    // Installed, both sit in bin/; in a build tree the renderer is in report/ beside cli/.
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate :
         {here.filePath(u"oomscope-report"_s), here.filePath(u"../report/oomscope-report"_s)}) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable())
            return info.canonicalFilePath();
    }
    return QString();
}

} // namespace

int runReport(const QStringList &arguments)
{
    const QStringList args = arguments.mid(1); // without the program name
    const QString program = reportExecutablePath();
    QTextStream err(stderr);
    if (program.isEmpty()) {
        err << "oomscope-cli: report: oomscope-report not found next to "
            << QCoreApplication::applicationFilePath() << " (it is built with the GUI: OOMSCOPE_BUILD_GUI=ON)"
            << Qt::endl;
        return 127;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.setInputChannelMode(QProcess::ForwardedInputChannel);
    process.start(program, args);
    if (!process.waitForStarted(-1)) {
        err << "oomscope-cli: report: cannot start " << program << ": " << process.errorString() << Qt::endl;
        return 127;
    }
    process.waitForFinished(-1);
    if (process.exitStatus() != QProcess::NormalExit) {
        err << "oomscope-cli: report: " << program << " crashed" << Qt::endl;
        return 1;
    }
    return process.exitCode();
}

} // namespace oomscope::cli
