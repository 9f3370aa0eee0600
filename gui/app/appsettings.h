// SPDX-License-Identifier: GPL-3.0-or-later
// The application's settings (recent files, last directories, window geometry).
#pragma once

#include <QSettings>

namespace oomscope {

inline QSettings appSettings()
{
    // Explicit names, so tests and the app agree even without QCoreApplication names set.
    return QSettings(QStringLiteral("oomscope"), QStringLiteral("oomscope"));
}

} // namespace oomscope
