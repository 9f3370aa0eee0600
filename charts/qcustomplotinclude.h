// SPDX-License-Identifier: GPL-3.0-or-later
// Includes Debian's qcustomplot.h, whose inline templates use `foreach`, which our strict
// QT_NO_FOREACH forbids. Must be the first include of a .cpp (before any Qt header), so that
// qforeach.h is first seen with the macro lifted; our own code stays foreach-free afterwards.
#pragma once

#ifdef QT_NO_FOREACH
#undef QT_NO_FOREACH
#define OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif

#include <qcustomplot.h>

#undef foreach
#ifdef OOMSCOPE_RESTORE_QT_NO_FOREACH
#define QT_NO_FOREACH
#undef OOMSCOPE_RESTORE_QT_NO_FOREACH
#endif
