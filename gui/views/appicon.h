// SPDX-License-Identifier: GPL-3.0-or-later
// The application icon, painted in code so it needs no image-format plugin (Debian ships Qt
// without the SVG plugin unless qt6-svg is installed).
#pragma once

#include <QIcon>

namespace oomscope {

QIcon appIcon();

} // namespace oomscope
