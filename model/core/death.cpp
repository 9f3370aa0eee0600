// SPDX-License-Identifier: GPL-3.0-or-later
#include "death.h"

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

} // namespace oomscope
