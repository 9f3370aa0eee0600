// SPDX-License-Identifier: GPL-3.0-or-later
// Kubernetes' own record as users save it: `kubectl get pods -o json` (one Pod or a List),
// `kubectl get events -o json`, and `kubectl describe pod` text. Bytes in, values out (pure);
// untrusted input, fuzzed in tests/fuzz/fuzz_podjson.cpp.
#pragma once

#include "kubernetes.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QStringView>

#include <cstdint>
#include <optional>
#include <vector>

namespace oomscope {

struct KubeObjects {
    std::vector<KubePod> pods;
    std::vector<KubeEvent> events;
    bool isEmpty() const { return pods.empty() && events.empty(); }
};

// A Kubernetes quantity as bytes: "128Mi", "1Gi", "500M", "1e9", "0.5Gi", "129e6", "100m" (milli,
// rounded down). nullopt for anything else or out of range.
std::optional<std::int64_t> parseKubeQuantityBytes(QStringView quantity);

// True when the bytes look like kubectl JSON: an object whose "kind" is Pod, PodList, Event,
// EventList or List, or whose "apiVersion" is v1 / events.k8s.io. Cheap (looks at the start only).
bool looksLikeKubeJson(QByteArrayView bytes);
// True when the text starts like `kubectl describe pod` ("Name:" … "Namespace:" lines).
bool looksLikeDescribePod(QByteArrayView bytes);

// `kubectl get pods -o json`, `kubectl get events -o json`, `kubectl get pods,events -o json`: a
// Pod, an Event, or a List/PodList/EventList of them. Other kinds inside a List are skipped.
// Invalid JSON, or JSON that is not a Kubernetes object, is an Error::Kind::Invalid naming why.
Result<KubeObjects> parseKubeJson(QByteArrayView bytes);
// One or more `kubectl describe pod` outputs concatenated. Describe has no pod UID; the
// directory merges it by namespace/name with a JSON pod that has one.
Result<KubeObjects> parseDescribePod(QByteArrayView bytes);
// Either of the two, by content.
Result<KubeObjects> parseKubeRecord(QByteArrayView bytes);

// One pod as the Kubernetes JSON subset oomscope reads back (for storing in the workspace and for
// the agent protocol): parseKubeJson(podToJson(p)) gives p again.
QJsonObject podToJson(const KubePod &pod);
Result<KubePod> podFromJson(const QJsonObject &object);
QJsonObject kubeEventToJson(const KubeEvent &event);
Result<KubeEvent> kubeEventFromJson(const QJsonObject &object);

} // namespace oomscope
