// SPDX-License-Identifier: GPL-3.0-or-later
// What the workspace suites (tst_workspace, tst_workspacefile) share: the fixture directory, a raw
// SQLite connection of their own on the workspace file, and opening a workspace with its reason.
#pragma once

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

// An independent connection on the workspace file for raw checks: the workspace's own
// connection stays inside storage/.
class RawDb
{
public:
    explicit RawDb(const QString &path)
    {
        sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE, nullptr);
        sqlite3_busy_timeout(m_db, 5000);
    }
    ~RawDb() { sqlite3_close(m_db); }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;
    operator sqlite3 *() const { return m_db; }

private:
    sqlite3 *m_db = nullptr;
};

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
