// SPDX-License-Identifier: GPL-3.0-or-later
// What the anatomy suites share: reading fixture logs into events.
#pragma once

#include "oomreportparser.h"

#include <QFile>
#include <QTest>

namespace anatomytest {

using namespace oomscope;
using namespace Qt::StringLiterals;

inline QString dataPath(const QString &relative)
{
    return QStringLiteral(OOMSCOPE_TEST_DATA) + u'/' + relative;
}

inline QByteArray readData(const QString &relative)
{
    QFile f(dataPath(relative));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("fixture missing: %s", qPrintable(relative)); // a missing fixture fails, never skips
    return f.readAll();
}

inline std::vector<OomEvent> parseEvents(const QByteArray &bytes)
{
    return OomReportParser().parse(bytes).events;
}

inline OomEvent firstEvent(const QString &relative)
{
    std::vector<OomEvent> events = parseEvents(readData(relative));
    if (events.empty())
        qFatal("no OOM report in %s", qPrintable(relative));
    return events.front();
}

inline const char *kArchLog = "real/oomanalyser-archlinux-6.1.1-global-swap-full.log";
inline const char *kRhel7Log = "real/oomanalyser-rhel7-3.10-global-numa-012.log";
inline const char *kSysrqLog = "real/oomanalyser-ubuntu21.10-5.13-sysrq-manual.log";
inline const char *kReal618Log = "real/linux-6.18-cgroup-v1-three-kills.dmesg.log";

} // namespace anatomytest
