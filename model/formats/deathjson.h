// SPDX-License-Identifier: GPL-3.0-or-later
// The stable JSON form of one death of the deaths table (README.md, "JSON output", `deaths`), and
// back: deathFromJson(deathToJson(d)) gives d again (the workspace stores evidence this way).
#pragma once

#include "death.h"
#include "result.h"

#include <QJsonArray>
#include <QJsonObject>

namespace oomscope {

QJsonObject deathToJson(const Death &death);
Result<Death> deathFromJson(const QJsonObject &object);

QJsonArray evidenceToJson(const std::vector<DeathEvidence> &evidence);
std::vector<DeathEvidence> evidenceFromJson(const QJsonArray &array);

} // namespace oomscope
