// SPDX-License-Identifier: GPL-3.0-or-later
// The words of a victim prediction: the one place that turns PredictedRanking's structured notes
// (PredictionNote) into the sentences the CLI's JSON, the prediction panel and the verdict panel
// show.
#pragma once

#include "prediction.h"

namespace oomscope {

// One assumption in words, and all of them in order (PredictedRanking::notes).
QString predictionNoteText(const PredictionNote &note);
QStringList predictionNotes(const PredictedRanking &ranking);

} // namespace oomscope
