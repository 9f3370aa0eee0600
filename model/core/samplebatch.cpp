// SPDX-License-Identifier: GPL-3.0-or-later
#include "samplebatch.h"

#include "cgrouppath.h"

namespace oomscope {

const SampledCgroup *SampleBatch::find(const QString &path) const
{
    const std::optional<QString> normalized = normalizeCgroupPath(path);
    for (const SampledCgroup &c : cgroups) {
        if (normalized && c.path == *normalized)
            return &c;
    }
    return nullptr;
}

} // namespace oomscope
