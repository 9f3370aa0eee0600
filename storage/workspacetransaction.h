// SPDX-License-Identifier: GPL-3.0-or-later
// A transaction on a workspace's connection, for callers that group several storage calls into
// one all-or-nothing step (each call then uses a savepoint inside it). Rolled back unless
// commit() succeeds.
#pragma once

#include "result.h"

#include <memory>

namespace oomscope {

class SqliteTransaction;
class Workspace;

class WorkspaceTransaction
{
public:
    explicit WorkspaceTransaction(Workspace &workspace);
    ~WorkspaceTransaction();
    WorkspaceTransaction(const WorkspaceTransaction &) = delete;
    WorkspaceTransaction &operator=(const WorkspaceTransaction &) = delete;

    Result<void> begin();
    Result<void> commit();
    void rollback();

private:
    Workspace &m_workspace;
    std::unique_ptr<SqliteTransaction> m_transaction;
};

} // namespace oomscope
