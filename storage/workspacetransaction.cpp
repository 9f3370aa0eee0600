// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspacetransaction.h"

#include "sqlitestatement.h"
#include "workspacehandle.h"

using namespace Qt::StringLiterals;

namespace oomscope {

WorkspaceTransaction::WorkspaceTransaction(Workspace &workspace)
    : m_workspace(workspace)
{ }

WorkspaceTransaction::~WorkspaceTransaction() = default;

Result<void> WorkspaceTransaction::begin()
{
    sqlite3 *db = WorkspaceHandle::of(m_workspace);
    if (!db)
        return fail(Error::Kind::Internal, u"no workspace is open"_s);
    m_transaction = std::make_unique<SqliteTransaction>(db, "oomscope_caller");
    return m_transaction->begin();
}

Result<void> WorkspaceTransaction::commit()
{
    if (!m_transaction)
        return fail(Error::Kind::Internal, u"no transaction was begun"_s);
    return m_transaction->commit();
}

void WorkspaceTransaction::rollback()
{
    if (m_transaction)
        m_transaction->rollback();
}

} // namespace oomscope
