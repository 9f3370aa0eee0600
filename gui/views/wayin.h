// SPDX-License-Identifier: GPL-3.0-or-later
// The ways into an empty workspace, as links the empty views offer (`<a href="…">`): a view emits
// the way the user clicked and the window runs the same action as its File menu item.
#pragma once

#include <QString>

#include <optional>

namespace oomscope {

enum class WayIn { OpenLogs, ImportRecording, WatchCgroups, AttachToNode };

QString wayInLink(WayIn way);
std::optional<WayIn> wayInFromLink(const QString &link);

} // namespace oomscope
