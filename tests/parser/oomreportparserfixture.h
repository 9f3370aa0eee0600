// SPDX-License-Identifier: GPL-3.0-or-later
// What the parser suites (tst_oomreportparser, tst_oomreportrobustness) share: the fixture
// directory, the real 6.18 log and its first report as bare kernel text, and parsing bytes.
#pragma once

#include "oomreportparser.h"

#include <QFile>
#include <QRegularExpression>

namespace oomreportparsertest {

using namespace oomscope;
using namespace Qt::StringLiterals;

inline QString dataDir()
{
    return QStringLiteral(OOMSCOPE_TEST_DATA);
}

inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

inline QString realLog()
{
    return dataDir() + u"/real/linux-6.18-cgroup-v1-three-kills.dmesg.log"_s;
}

inline ParseResult parseBytes(const QByteArray &bytes, ParseOptions options = {})
{
    return OomReportParser(options).parse(bytes);
}

// The kernel text of the first report of the real 6.18 log, dmesg prefix removed; the base for
// re-prefixing into every other style.
inline QList<QByteArray> bareReport()
{
    const QList<QByteArray> lines = readFile(realLog()).split('\n');
    QList<QByteArray> out;
    static const QRegularExpression prefix(u"^\\[\\s*\\d+\\.\\d+\\] "_s);
    for (int i = 342; i < 421 && i < lines.size(); ++i) // lines 343..421, 1-based
        out << QString::fromUtf8(lines[i]).remove(prefix).toUtf8();
    return out;
}

} // namespace oomreportparsertest
