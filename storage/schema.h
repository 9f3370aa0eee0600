// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace schema as an ordered list of numbered migrations; PRAGMA user_version records how
// many have been applied, so later features (live cgroup samples) append a migration, never edit one.
#pragma once

#include "result.h"

#include <QString>

#include <span>

struct sqlite3;

namespace oomscope::schema {

// "ooms" — PRAGMA application_id, so another program's SQLite file is never mistaken for a workspace.
inline constexpr int kApplicationId = 0x6f6f6d73;

struct Migration {
    int version; // 1, 2, 3 … in order, no gaps
    const char *sql; // one or more statements, run inside the migration's transaction
    // Moves rows SQL alone cannot (re-encoded data), after sql in the same transaction; may be null.
    Result<void> (*moveData)(sqlite3 *db) = nullptr;
};

std::span<const Migration> migrations();
int latestVersion();

// Applies every migration above the file's user_version, each in its own transaction together
// with the user_version bump, so a failure leaves the file at the last complete version.
Result<void> migrate(sqlite3 *db);

// Reads PRAGMA user_version; -1 on error.
int userVersion(sqlite3 *db);

} // namespace oomscope::schema
