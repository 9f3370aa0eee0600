// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: the state behind a Workspace, shared by workspace.cpp (opening, schema)
// and logimport.cpp (importing kernel logs).
#pragma once

#include "eventrows.h"
#include "sourceregistry.h"
#include "workspace.h"

#include <chrono>
#include <memory>

namespace oomscope {

struct Workspace::Private {
    sqlite3 *db = nullptr;
    QString path;
    int schemaVersion = 0;

    // Import statements, prepared once per connection and reset after every row.
    EventWriter eventWriter;
    std::unique_ptr<SourceRegistry> registry;

    LockWait lockWait;
    std::chrono::steady_clock::time_point waitStarted;
    bool waitReported = false;

    void closeDb();
    // sqlite3_busy_handler: sleeps and retries until the lock is free, canceled or over the limit.
    static int busyHandler(void *context, int count);
};

} // namespace oomscope
