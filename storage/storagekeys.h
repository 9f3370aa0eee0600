// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: stable text keys for the enums stored in the workspace file. They are
// part of the file format: never change one, only add.
#pragma once

#include "killdecision.h"
#include "oomevent.h"
#include "oomreportparser.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <string_view>

namespace oomscope::keys {

template<typename E> struct EnumKey {
    E value;
    std::string_view key;
};

inline constexpr std::array kPrefixStyleKeys {
    EnumKey<PrefixStyle> {PrefixStyle::Unknown, "unknown"},
    EnumKey<PrefixStyle> {PrefixStyle::None, "none"},
    EnumKey<PrefixStyle> {PrefixStyle::Dmesg, "dmesg"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgCaller, "dmesg-caller"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgHuman, "dmesg-human"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgIso, "dmesg-iso"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgRaw, "dmesg-raw"},
    EnumKey<PrefixStyle> {PrefixStyle::Syslog, "syslog"},
    EnumKey<PrefixStyle> {PrefixStyle::SyslogPrecise, "syslog-precise"},
    EnumKey<PrefixStyle> {PrefixStyle::SyslogIso, "syslog-iso"},
    EnumKey<PrefixStyle> {PrefixStyle::JournalMonotonic, "journal-monotonic"},
    EnumKey<PrefixStyle> {PrefixStyle::Kmsg, "kmsg"},
    EnumKey<PrefixStyle> {PrefixStyle::Rfc5424, "rfc5424"},
};

inline constexpr std::array kLayoutKeys {
    EnumKey<TaskTableLayout> {TaskTableLayout::Unknown, "unknown"},
    EnumKey<TaskTableLayout> {TaskTableLayout::NrPtes, "nr_ptes"},
    EnumKey<TaskTableLayout> {TaskTableLayout::NrPtesNrPmds, "nr_ptes+nr_pmds"},
    EnumKey<TaskTableLayout> {TaskTableLayout::PgtablesBytes, "pgtables_bytes"},
    EnumKey<TaskTableLayout> {TaskTableLayout::RssSplit, "rss_split"},
};

// Same words as constraintName(), so the column reads naturally in SQL.
inline constexpr std::array kConstraintKeys {
    EnumKey<Constraint> {Constraint::Unknown, "unknown"},
    EnumKey<Constraint> {Constraint::None, "global"},
    EnumKey<Constraint> {Constraint::Cpuset, "cpuset"},
    EnumKey<Constraint> {Constraint::MemoryPolicy, "mempolicy"},
    EnumKey<Constraint> {Constraint::Memcg, "memcg"},
};

inline constexpr std::array kWarningKindKeys {
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Truncated, "truncated"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Binary, "binary"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::LongLine, "long-line"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Malformed, "malformed"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Orphan, "orphan"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Interleaved, "interleaved"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Encoding, "encoding"},
};

inline constexpr std::array kEraKeys {
    EnumKey<BadnessEra> {BadnessEra::Unknown, "unknown"},
    EnumKey<BadnessEra> {BadnessEra::Linux310, "3.10"},
    EnumKey<BadnessEra> {BadnessEra::Linux41to414, "4.1-4.14"},
    EnumKey<BadnessEra> {BadnessEra::Linux415to416, "4.15-4.16"},
    EnumKey<BadnessEra> {BadnessEra::Linux417to52, "4.17-5.2"},
    EnumKey<BadnessEra> {BadnessEra::Linux53to58, "5.3-5.8"},
    EnumKey<BadnessEra> {BadnessEra::Linux59Plus, "5.9+"},
};

template<typename E, std::size_t N> QByteArray toKey(const std::array<EnumKey<E>, N> &table, E value)
{
    for (const auto &entry : table) {
        if (entry.value == value)
            return QByteArray(entry.key.data(), qsizetype(entry.key.size()));
    }
    return QByteArray(table.front().key.data(), qsizetype(table.front().key.size()));
}

template<typename E, std::size_t N> E fromKey(const std::array<EnumKey<E>, N> &table, const QString &key)
{
    const QByteArray latin = key.toLatin1();
    for (const auto &entry : table) {
        if (std::string_view(latin.constData(), std::size_t(latin.size())) == entry.key)
            return entry.value;
    }
    return table.front().value;
}

} // namespace oomscope::keys
