// SPDX-License-Identifier: GPL-3.0-or-later
#include "oomevent.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString prefixStyleName(PrefixStyle style)
{
    switch (style) {
    case PrefixStyle::Unknown:
        return u"unknown"_s;
    case PrefixStyle::None:
        return u"none"_s;
    case PrefixStyle::Dmesg:
        return u"dmesg"_s;
    case PrefixStyle::DmesgCaller:
        return u"dmesg-caller"_s;
    case PrefixStyle::DmesgHuman:
        return u"dmesg-T"_s;
    case PrefixStyle::DmesgIso:
        return u"dmesg-iso"_s;
    case PrefixStyle::DmesgRaw:
        return u"dmesg-raw"_s;
    case PrefixStyle::Syslog:
        return u"syslog"_s;
    case PrefixStyle::SyslogPrecise:
        return u"syslog-precise"_s;
    case PrefixStyle::SyslogIso:
        return u"syslog-iso"_s;
    case PrefixStyle::JournalMonotonic:
        return u"journal-monotonic"_s;
    case PrefixStyle::Kmsg:
        return u"kmsg"_s;
    case PrefixStyle::Rfc5424:
        return u"rfc5424"_s;
    }
    return u"unknown"_s;
}

QString taskTableLayoutName(TaskTableLayout layout)
{
    switch (layout) {
    case TaskTableLayout::Unknown:
        return u"unknown"_s;
    case TaskTableLayout::NrPtes:
        return u"nr_ptes"_s;
    case TaskTableLayout::NrPtesNrPmds:
        return u"nr_ptes+nr_pmds"_s;
    case TaskTableLayout::PgtablesBytes:
        return u"pgtables_bytes"_s;
    case TaskTableLayout::RssSplit:
        return u"rss_anon/rss_file/rss_shmem"_s;
    }
    return u"unknown"_s;
}

QString constraintName(Constraint c)
{
    switch (c) {
    case Constraint::Unknown:
        return u"unknown"_s;
    case Constraint::None:
        return u"global"_s;
    case Constraint::Cpuset:
        return u"cpuset"_s;
    case Constraint::MemoryPolicy:
        return u"mempolicy"_s;
    case Constraint::Memcg:
        return u"memcg"_s;
    }
    return u"unknown"_s;
}

QString parseWarningKindName(ParseWarning::Kind kind)
{
    switch (kind) {
    case ParseWarning::Kind::Truncated:
        return u"truncated"_s;
    case ParseWarning::Kind::Binary:
        return u"binary"_s;
    case ParseWarning::Kind::LongLine:
        return u"long-line"_s;
    case ParseWarning::Kind::Malformed:
        return u"malformed"_s;
    case ParseWarning::Kind::Orphan:
        return u"orphan"_s;
    case ParseWarning::Kind::Interleaved:
        return u"interleaved"_s;
    case ParseWarning::Kind::Encoding:
        return u"encoding"_s;
    }
    return u"malformed"_s;
}

std::int64_t OomTask::pageTablePages(std::int64_t pageSizeBytes) const
{
    // >= 4.15 badness adds mm_pgtables_bytes / PAGE_SIZE (integer division); older kernels add
    // the nr_ptes (and from ~4.1 nr_pmds) counters, which are already pages.
    if (pgtablesBytes)
        return pageSizeBytes > 0 ? *pgtablesBytes / pageSizeBytes : 0;
    return nrPtes.value_or(0) + nrPmds.value_or(0);
}

std::int64_t OomEvent::kernelSelectedPid() const
{
    if (selectedPid)
        return *selectedPid;
    if (victim.present)
        return victim.pid;
    if (summaryPid)
        return *summaryPid;
    return 0;
}

QString OomEvent::kernelFormat() const
{
    switch (layout) {
    case TaskTableLayout::NrPtes:
        return u"3.10 / RHEL 7 (nr_ptes)"_s;
    case TaskTableLayout::NrPtesNrPmds:
        return u"4.1 – 4.14 (nr_ptes, nr_pmds)"_s;
    case TaskTableLayout::PgtablesBytes:
        if (!hasTasksStateLine)
            return u"4.15 – 4.18 / RHEL 8 (pgtables_bytes)"_s;
        if (selectedPid)
            return u"4.19 – 5.0 (pgtables_bytes, sacrifice child)"_s;
        return u"4.19 – 6.7 (pgtables_bytes)"_s;
    case TaskTableLayout::RssSplit:
        return u"6.8+ (rss_anon columns)"_s;
    case TaskTableLayout::Unknown:
        break;
    }
    if (hasSummaryLine)
        return u"5.0+ (no task table)"_s;
    if (selectedPid)
        return u"<= 5.0 (no task table)"_s;
    return u"unknown"_s;
}

} // namespace oomscope
