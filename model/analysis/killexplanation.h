// SPDX-License-Identifier: GPL-3.0-or-later
// The words of a kill decision: the one place that turns KillDecision's structured facts
// (KillFacts, DecisionNote) into the plain-language explanation and notes that the event JSON,
// the CLI, the decision view and the incident report show.
#pragma once

#include "killdecision.h"

namespace oomscope {

// The explanation paragraph (decideKill() stores it in KillDecision::explanation).
QString killExplanation(const KillDecision &decision);

// One assumption in words, and all of them in order (KillDecision::notes).
QString decisionNoteText(const DecisionNote &note);
QStringList killNotes(const KillDecision &decision);

} // namespace oomscope
