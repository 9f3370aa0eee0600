// SPDX-License-Identifier: GPL-3.0-or-later
// What the sampler suites record of Sampler::killDetected, on the test's thread.
#pragma once

#include "sampler.h"

#include <QObject>
#include <QString>

#include <vector>

namespace samplertest {

struct Kill {
    QString path;
    qint64 timestampMs = 0;
    qint64 count = 0;
};

// Appends every kill sampler reports to kills (queued to context's thread) while current()
// holds: signals an earlier case's sampler queued may still arrive and must not count.
template<typename Current>
void collectKills(oomscope::Sampler *sampler, QObject *context, std::vector<Kill> &kills, Current current)
{
    QObject::connect(sampler, &oomscope::Sampler::killDetected, context,
                     [&kills, current](const QString &path, qint64 timestampMs, qint64 count) {
                         if (current())
                             kills.push_back({path, timestampMs, count});
                     });
}

} // namespace samplertest
