// SPDX-License-Identifier: GPL-3.0-or-later
#include "readconnections.h"

#include "samplestore.h"
#include "workspace.h"

#include <memory>

namespace oomscope {

namespace {

// One workspace and store per thread; destroyed (store first) when the thread exits.
struct ThreadConnection {
    QString path;
    std::unique_ptr<Workspace> workspace;
    std::unique_ptr<SampleStore> store;
    ~ThreadConnection()
    {
        store.reset();
        workspace.reset();
    }
};

} // namespace

Result<SampleStore *> threadSampleStore(const QString &workspacePath)
{
    thread_local ThreadConnection connection;
    if (connection.store && connection.path == workspacePath)
        return connection.store.get();
    connection.store.reset();
    connection.workspace = std::make_unique<Workspace>();
    if (const Result<void> opened = connection.workspace->open(workspacePath); !opened) {
        connection.workspace.reset();
        return tl::unexpected(opened.error());
    }
    connection.path = workspacePath;
    connection.store = std::make_unique<SampleStore>(*connection.workspace);
    return connection.store.get();
}

} // namespace oomscope
