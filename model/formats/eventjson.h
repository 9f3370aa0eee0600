// SPDX-License-Identifier: GPL-3.0-or-later
// The stable JSON form of an analysed OOM event (documented in README.md, "JSON output").
#pragma once

#include "killdecision.h"
#include "oomevent.h"

#include <QJsonObject>

namespace oomscope {

QJsonObject eventToJson(const OomEvent &event, const KillDecision &decision);
QJsonObject warningToJson(const ParseWarning &warning);

} // namespace oomscope
