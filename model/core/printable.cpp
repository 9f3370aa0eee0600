// SPDX-License-Identifier: GPL-3.0-or-later
#include "printable.h"

namespace oomscope {

namespace {

bool needsEscape(char16_t c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

} // namespace

QString printable(QStringView text, qsizetype maxChars)
{
    QString out;
    out.reserve(std::min(text.size(), maxChars) + 8);
    qsizetype shown = 0;
    for (const QChar qc : text) {
        if (shown >= maxChars) {
            out += QChar(0x2026);
            break;
        }
        const char16_t c = qc.unicode();
        if (c == u'\\')
            out += QLatin1StringView("\\\\");
        else if (!needsEscape(c))
            out += qc;
        else if (c < 0x100)
            out += QStringLiteral("\\x%1").arg(unsigned(c), 2, 16, QLatin1Char('0'));
        else
            out += QStringLiteral("\\u%1").arg(unsigned(c), 4, 16, QLatin1Char('0'));
        ++shown;
    }
    return out;
}

} // namespace oomscope
