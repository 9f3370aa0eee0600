// SPDX-License-Identifier: GPL-3.0-or-later
// What the anatomy's drawings (anatomychart.cpp, anatomytables.cpp) share to write their labels:
// one translation context and one way to print a size in kB. Private to charts/.
#pragma once

#include "anatomyexplanation.h"

#include <QCoreApplication>

#include <cstdint>

namespace oomscope::anatomytext {

inline QString tr(const char *text)
{
    return QCoreApplication::translate("AnatomyChart", text);
}

inline QString kb(std::int64_t sizeKb)
{
    return humanBytes(double(sizeKb) * 1024.0);
}

} // namespace oomscope::anatomytext
