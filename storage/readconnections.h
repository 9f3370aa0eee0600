// SPDX-License-Identifier: GPL-3.0-or-later
// Per-thread read connections: background readers (chart queries, range verdicts) each use a
// connection of their own thread, opened on first use and kept for the thread's life. A SQLite
// connection must stay in the thread that opened it, and opening one per query would cost more
// than the query.
#pragma once

#include "result.h"

#include <QString>

namespace oomscope {

class SampleStore;
class Workspace;

// The calling thread's store on workspacePath (opened on first use, reopened when the thread
// asks for another path). The pointer stays valid until the thread asks for another path or ends;
// only the calling thread may use it. Callers only read through it.
Result<SampleStore *> threadSampleStore(const QString &workspacePath);
// The workspace of that same connection (events, sources), on the same terms.
Result<Workspace *> threadWorkspace(const QString &workspacePath);

} // namespace oomscope
