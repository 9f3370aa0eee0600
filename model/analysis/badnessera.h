// SPDX-License-Identifier: GPL-3.0-or-later
// Which kernel era printed a report — from its release string, else from the report's format —
// and what each era's oom_badness() does (root bonus, signed badness, tie rule);
// kernel-oom-formats.md §3–4. Used by decideKill().
#pragma once

#include "killdecision.h"

namespace oomscope {

bool eraHasRootBonus(BadnessEra era);
// Unknown is treated as the current kernel: it is what an unlabelled report most likely is.
bool eraIsSigned(BadnessEra era);
bool eraDefaultLastMaximum(BadnessEra era);

struct KernelRelease {
    bool valid = false;
    int major = 0;
    int minor = 0;
    int patch = 0;
    int rhel = 0; // N of ".elN", 0 if not a RHEL-family build
};

KernelRelease parseKernelRelease(const QString &text);

struct EraChoice {
    BadnessEra era = BadnessEra::Unknown;
    bool lastMaximumWins = true;
    QString reason;
    bool fromRelease = false;
};

// The era of a report: forced by the options, else from its release, else from its format.
EraChoice chooseEra(const OomEvent &e, const DecisionOptions &options);

} // namespace oomscope
