// SPDX-License-Identifier: GPL-3.0-or-later
#include "childrun.h"

#include <QCoreApplication>
#include <QProcess>

namespace oomscope::bench {

ChildRun runChild(const QStringList &args)
{
    ChildRun run;
    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QCoreApplication::applicationFilePath(), args);
    if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
        run.error = QString::fromLocal8Bit(child.readAllStandardError()).trimmed();
        if (run.error.isEmpty())
            run.error = child.errorString();
        return run;
    }
    const QString output = QString::fromUtf8(child.readAllStandardOutput()).trimmed();
    for (const QString &pair : output.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(u'=');
        if (eq > 0)
            run.values[pair.left(eq)] = pair.mid(eq + 1);
    }
    run.ok = true;
    return run;
}

} // namespace oomscope::bench
