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

ThreadConnection &threadConnection()
{
    thread_local ThreadConnection connection;
    return connection;
}

} // namespace

Result<SampleStore *> threadSampleStore(const QString &workspacePath)
{
    ThreadConnection &connection = threadConnection();
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

Result<Workspace *> threadWorkspace(const QString &workspacePath)
{
    const Result<SampleStore *> store = threadSampleStore(workspacePath);
    if (!store)
        return tl::unexpected(store.error());
    return threadConnection().workspace.get();
}

} // namespace oomscope
