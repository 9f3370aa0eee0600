// SPDX-License-Identifier: GPL-3.0-or-later
// The words of a verdict: the one place that turns classify()'s structured results — each
// incarnation's SegmentFinding, the VerdictWarnings, the regions and the verdict itself — into
// the summary, reasons, warnings and labels that the CLI, the verdict panel and the report show.
#pragma once

#include "verdict.h"

namespace oomscope {

// Why one incarnation got its verdict, e.g. "it levels off at 92 % of the limit".
QString segmentReason(const SegmentFinding &finding);
QString verdictWarningText(const VerdictWarning &warning);
QString regionLabel(const Region &region);
QString vpaBasisText(const Evidence &evidence);
// The plain-language sentence of the whole verdict.
QString verdictSummary(const Verdict &verdict);

// Fills every text field of the verdict from its structured results (classify() calls it).
void composeVerdictText(Verdict &verdict);

} // namespace oomscope
