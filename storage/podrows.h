// SPDX-License-Identifier: GPL-3.0-or-later
// Kubernetes' record in the workspace: pods and events from kubectl files (`oomscope-cli import`,
// the window's Open) and the pods an attached node's agent learned from its kubelet. Read back as
// one PodDirectory, which names kernel events, series and reports namespace/pod/container.
#pragma once

#include "kubernetes.h"
#include "podjson.h"
#include "result.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace oomscope {

class Workspace;

struct KubeImportResult {
    qint64 sourceId = 0;
    bool alreadyImported = false; // the same bytes were imported before: nothing added
    int podsAdded = 0;
    int eventsAdded = 0;
};

// True when the first bytes of the file are kubectl JSON or `kubectl describe pod` text.
bool isKubeRecordFile(const QString &path);

// Parses (by content: kubectl JSON or describe text) and stores in one transaction, as a source
// of kind 'kubernetes'. Bad input is an Error and leaves the workspace as it was.
Result<KubeImportResult> importKubeRecordFile(Workspace &workspace, const QString &path);
Result<KubeImportResult> importKubeRecord(Workspace &workspace, const QByteArray &bytes,
                                          const QString &displayName);

// The pods a node's agent resolved from its kubelet (no source file): they replace that node's
// earlier ones. Returns how many were stored.
Result<int> storeNodePods(Workspace &workspace, const QString &host, const std::vector<KubePod> &pods);

// Every stored pod, older first so newer snapshots of a pod win.
PodDirectory readPodDirectory(const Workspace &workspace);
std::vector<KubeEvent> readKubeEvents(const Workspace &workspace);

} // namespace oomscope
