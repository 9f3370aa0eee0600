// SPDX-License-Identifier: GPL-3.0-or-later
// Text from the network or a file, made safe to put in a log line or on a terminal: control
// characters (C0, DEL, C1, line and paragraph separators, bidi overrides) become \xNN or \uNNNN
// escapes, and the text is cut at a length with "…".
#pragma once

#include <QString>
#include <QStringView>

namespace oomscope {

QString printable(QStringView text, qsizetype maxChars = 200);

} // namespace oomscope
