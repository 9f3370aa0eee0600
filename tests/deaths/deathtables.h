// SPDX-License-Identifier: GPL-3.0-or-later
// Comparing two deaths tables in tests: as the JSON `analyze --json` prints, row by row.
#pragma once

#include "deathjson.h"

#include <QJsonArray>

#include <vector>

namespace oomscope::testsupport {

inline QJsonArray tableJson(const std::vector<Death> &deaths)
{
    QJsonArray a;
    for (const Death &d : deaths)
        a.append(deathToJson(d));
    return a;
}

} // namespace oomscope::testsupport
