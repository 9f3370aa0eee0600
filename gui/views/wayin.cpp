// SPDX-License-Identifier: GPL-3.0-or-later
#include "wayin.h"

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr std::array<std::pair<WayIn, QStringView>, 4> kLinks {{
    {WayIn::OpenLogs, u"oomscope:open-logs"},
    {WayIn::ImportRecording, u"oomscope:import-recording"},
    {WayIn::WatchCgroups, u"oomscope:watch-cgroups"},
    {WayIn::AttachToNode, u"oomscope:attach-to-node"},
}};

} // namespace

QString wayInLink(WayIn way)
{
    for (const auto &[w, link] : kLinks) {
        if (w == way)
            return link.toString();
    }
    return {};
}

std::optional<WayIn> wayInFromLink(const QString &link)
{
    for (const auto &[w, text] : kLinks) {
        if (text == link)
            return w;
    }
    return std::nullopt;
}

} // namespace oomscope
