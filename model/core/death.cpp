// SPDX-License-Identifier: GPL-3.0-or-later
#include "death.h"

#include "killerline.h"

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr std::array<std::pair<Killer, const char *>, 8> kKillerKeys {{
    {Killer::Unknown, "unknown"},
    {Killer::KernelMemcg, "kernel_memcg"},
    {Killer::KernelGlobal, "kernel_global"},
    {Killer::SystemdOomd, "systemd_oomd"},
    {Killer::Earlyoom, "earlyoom"},
    {Killer::KubeletEviction, "kubelet_eviction"},
    {Killer::RuntimeOom, "runtime_oom"},
    {Killer::SigkillOther, "sigkill_other"},
}};

} // namespace

QString killerKey(Killer killer)
{
    for (const auto &[k, key] : kKillerKeys)
        if (k == killer)
            return QString::fromLatin1(key);
    return u"unknown"_s;
}

std::optional<Killer> killerFromKey(const QString &key)
{
    for (const auto &[k, name] : kKillerKeys)
        if (key == QLatin1StringView(name))
            return k;
    return std::nullopt;
}

QString confidenceKey(DeathConfidence confidence)
{
    switch (confidence) {
    case DeathConfidence::High:
        return u"high"_s;
    case DeathConfidence::Medium:
        return u"medium"_s;
    case DeathConfidence::Low:
        break;
    }
    return u"low"_s;
}

std::optional<DeathConfidence> confidenceFromKey(const QString &key)
{
    if (key == u"high"_s)
        return DeathConfidence::High;
    if (key == u"medium"_s)
        return DeathConfidence::Medium;
    if (key == u"low"_s)
        return DeathConfidence::Low;
    return std::nullopt;
}

QString killerLineKindName(KillerLine::Kind kind)
{
    switch (kind) {
    case KillerLine::Kind::OomdKill:
        return u"systemd-oomd kill"_s;
    case KillerLine::Kind::OomdUnitKilled:
        return u"systemd: unit killed by systemd-oomd"_s;
    case KillerLine::Kind::UnitOomKilled:
        return u"systemd: unit hit by the kernel OOM killer"_s;
    case KillerLine::Kind::EarlyoomLowMemory:
        return u"earlyoom low memory"_s;
    case KillerLine::Kind::EarlyoomKill:
        return u"earlyoom kill"_s;
    case KillerLine::Kind::KubeletReclaim:
        return u"kubelet eviction threshold"_s;
    case KillerLine::Kind::KubeletRanked:
        return u"kubelet pods ranked"_s;
    case KillerLine::Kind::KubeletEvicted:
        return u"kubelet pod evicted"_s;
    case KillerLine::Kind::RuntimeOom:
        return u"runtime OOM event"_s;
    case KillerLine::Kind::RuntimeExit:
        return u"runtime container exit"_s;
    }
    return u"unknown"_s;
}

} // namespace oomscope
