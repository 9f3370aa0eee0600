// SPDX-License-Identifier: GPL-3.0-or-later
// Fixture trees (cgroupfs, /proc) copied into a test's temporary directory and changed there.
#pragma once

#include <QByteArray>
#include <QString>

namespace oomscope::testsupport {

// Copies the committed tree `from` (files and folders, recursively) to `to` and makes the copy
// writable by its owner (a checkout may hand the fixtures over read-only). false on any failure.
bool copyFixtureTree(const QString &from, const QString &to);

// Replaces a file atomically (write and rename), so a reader never sees a half-written counter.
bool writeFileAtomically(const QString &path, const QByteArray &content);

} // namespace oomscope::testsupport
