// SPDX-License-Identifier: GPL-3.0-or-later
#include "importjob.h"

#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

void runImportJob(QPromise<FileImportOutcome> &promise, const QString &workspacePath,
                  const QStringList &files)
{
    promise.setProgressRange(0, ImportProgressMax);
    promise.setProgressValue(0);

    Workspace workspace;
    QString error;
    if (!workspace.open(workspacePath, &error)) {
        FileImportOutcome outcome;
        outcome.filePath = files.value(0);
        outcome.result.error = u"Cannot open workspace "_s + workspacePath + u": "_s + error;
        promise.addResult(std::move(outcome));
        return;
    }

    std::vector<qint64> sizes;
    qint64 totalBytes = 0;
    for (const QString &file : files) {
        const qint64 size = std::max<qint64>(1, QFileInfo(file).size());
        sizes.push_back(size);
        totalBytes += size;
    }

    qint64 bytesBefore = 0;
    for (int i = 0; i < files.size(); ++i) {
        if (promise.isCanceled())
            return;
        const QString &file = files[i];
        const qint64 fileBytes = sizes[size_t(i)];
        promise.setProgressValueAndText(int(bytesBefore * ImportProgressMax / totalBytes),
                                        QFileInfo(file).fileName());
        // Byte counts of compressed files exceed their on-disk size; clamp per file.
        auto progress = [&](qint64 bytesDone) {
            const qint64 done = bytesBefore + std::min(bytesDone, fileBytes);
            promise.setProgressValue(int(done * ImportProgressMax / totalBytes));
            return !promise.isCanceled();
        };
        FileImportOutcome outcome;
        outcome.filePath = file;
        outcome.result = workspace.importLogFile(file, progress);
        if (promise.isCanceled())
            return; // the workspace rolled the file back; nothing to report
        promise.addResult(std::move(outcome));
        bytesBefore += fileBytes;
    }
    promise.setProgressValue(ImportProgressMax);
}

} // namespace oomscope
