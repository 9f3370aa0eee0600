// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: the raw connection of a Workspace, for the storage .cpp files that
// extend it (samples, feeds, sources). Nothing outside storage/ includes this header.
#pragma once

struct sqlite3;

namespace oomscope {

class Workspace;

struct WorkspaceHandle {
    // nullptr while the workspace is not open.
    static sqlite3 *of(const Workspace &workspace);
};

} // namespace oomscope
