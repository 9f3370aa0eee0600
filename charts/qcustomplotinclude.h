// SPDX-License-Identifier: GPL-3.0-or-later
// Includes Debian's qcustomplot.h, whose inline templates use `foreach` and whose classes declare
// `signals:`, which our strict QT_NO_FOREACH and QT_NO_KEYWORDS forbid. Must be the first include of a .cpp
// (before any Qt header), so that qforeach.h is first seen with the macro lifted; our own code stays
// foreach-free afterwards.
#pragma once

#ifdef QT_NO_FOREACH
#undef QT_NO_FOREACH
#define OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif

#ifdef QT_NO_KEYWORDS
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#define OOMSCOPE_RESTORE_QT_NO_KEYWORDS
#endif

#include <qcustomplot.h>

#ifdef OOMSCOPE_RESTORE_QT_NO_KEYWORDS
#undef signals
#undef OOMSCOPE_RESTORE_QT_NO_KEYWORDS
#endif
#undef foreach
#ifdef OOMSCOPE_RESTORE_QT_NO_FOREACH
#define QT_NO_FOREACH
#undef OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif
