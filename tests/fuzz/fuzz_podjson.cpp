// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: Kubernetes' record as users hand it over (kubectl pod/event JSON, `kubectl
// describe pod` text), then the directory lookups over whatever pods came out of it.
#include "podjson.h"

#include <cstddef>
#include <cstdint>

using namespace oomscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    (void)looksLikeKubeJson(bytes);
    (void)looksLikeDescribePod(bytes);
    for (const Result<KubeObjects> &objects : {parseKubeJson(bytes), parseDescribePod(bytes)}) {
        if (!objects)
            continue;
        PodDirectory directory;
        directory.add(objects->pods);
        for (const KubePod &pod : objects->pods) {
            // What the workspace stores must read back.
            const Result<KubePod> back = podFromJson(podToJson(pod));
            if (!back || back->name != pod.name || back->uid != pod.uid
                || back->statuses.size() != pod.statuses.size())
                __builtin_trap();
            (void)directory.byPodUid(pod.uid);
            for (const KubeContainerStatus &status : pod.statuses)
                (void)directory.byContainerId(status.containerId);
        }
        for (const KubeEvent &event : objects->events)
            (void)kubeEventFromJson(kubeEventToJson(event));
    }
    (void)parseKubeQuantityBytes(QString::fromUtf8(bytes.first(std::min<qsizetype>(bytes.size(), 64))));
    (void)PodDirectory().byCgroupPath(QString::fromUtf8(bytes.first(std::min<qsizetype>(bytes.size(), 512))));
    return 0;
}
