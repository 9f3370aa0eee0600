// SPDX-License-Identifier: GPL-3.0-or-later
// What the workspace suites (tst_workspace, tst_workspacefile) share: the fixture directory, a raw
// SQLite connection of their own on the workspace file, and opening a workspace with its reason.
#pragma once

#include "rawdb.h"
#include "workspace.h"

#include <QFile>
#include <QTest>

#include <sqlite3.h>

namespace workspacetest {

using namespace oomscope;
inline QString dataDir()
{
    return QStringLiteral(OOMSCOPE_TEST_DATA);
}

// The reason the workspace did not open, empty when it did.
inline QString openError(Workspace &ws, const QString &path)
{
    const Result<void> opened = ws.open(path);
    return opened ? QString() : opened.error().message;
}

#define QVERIFY_OPENS(ws, path)                                                                              \
    do {                                                                                                     \
        const QString openError_ = openError(ws, path);                                                      \
        QVERIFY2(openError_.isEmpty(), qPrintable(openError_));                                              \
    } while (false)

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

} // namespace workspacetest
