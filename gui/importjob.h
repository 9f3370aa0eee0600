// SPDX-License-Identifier: GPL-3.0-or-later
// The background import job: imports files into a workspace through its own connection, reporting
// one result per file and byte progress, and stopping when the promise is canceled.
#pragma once

#include "workspace.h"

#include <QPromise>
#include <QStringList>

namespace oomscope {

struct FileImportOutcome {
    QString filePath;
    ImportResult result;
};

// Progress range is 0..ImportProgressMax over the bytes of all files together. Runs on a pool
// thread; opens (and closes) its own Workspace on workspacePath, since a connection must stay in
// the thread that made it.
inline constexpr int ImportProgressMax = 1000;
void runImportJob(QPromise<FileImportOutcome> &promise, const QString &workspacePath,
                  const QStringList &files);

} // namespace oomscope
