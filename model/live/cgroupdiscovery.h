// SPDX-License-Identifier: GPL-3.0-or-later
// Lists the memory cgroups of a hierarchy (what runs in each: see cgrouppath.h).
#pragma once

#include "cgrouppath.h"

#include <QString>

#include <vector>

namespace oomscope {

class CgroupReader;

class CgroupDiscovery
{
public:
    explicit CgroupDiscovery(const CgroupReader &reader);

    // Every cgroup directory under the reader's memory root (the root itself included), sorted
    // by path, down to maxDepth levels.
    std::vector<CgroupInfo> discover(int maxDepth = 32) const;

    // classifyCgroupPath(); kept for the callers that discover and classify together.
    static CgroupInfo classify(const QString &path);

private:
    QString m_memoryRoot;
};

} // namespace oomscope
