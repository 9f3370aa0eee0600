// SPDX-License-Identifier: GPL-3.0-or-later
#include "podrows.h"

#include "sourceregistry.h"
#include "sqlitestatement.h"
#include "workspace.h"
#include "workspacehandle.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<void> insertPod(sqlite3 *db, std::optional<qint64> sourceId, const QString &host, const KubePod &pod)
{
    SqliteStatement st;
    if (!st.prepare(db,
                    "INSERT INTO kube_pods (source_id, reported_by, node, uid, namespace, name, "
                    "pod_json, stored_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))
        return sqliteFail(db, u"cannot store a pod: "_s);
    st.bind(1, sourceId);
    if (host.isEmpty())
        st.bindNull(2);
    else
        st.bind(2, host);
    st.bind(3, pod.nodeName);
    st.bind(4, pod.uid);
    st.bind(5, pod.namespaceName);
    st.bind(6, pod.name);
    st.bind(7, compact(podToJson(pod)));
    st.bind(8, QDateTime::currentMSecsSinceEpoch());
    if (!st.run())
        return sqliteFail(db, u"cannot store pod %1/%2: "_s.arg(pod.namespaceName, pod.name));
    return {};
}

Result<void> insertEvent(sqlite3 *db, qint64 sourceId, const KubeEvent &event)
{
    SqliteStatement st;
    if (!st.prepare(db,
                    "INSERT INTO kube_events (source_id, namespace, involved_kind, involved_name, "
                    "reason, first_ms, event_json) VALUES (?, ?, ?, ?, ?, ?, ?)"))
        return sqliteFail(db, u"cannot store an event: "_s);
    st.bind(1, sourceId);
    st.bind(2, event.namespaceName);
    st.bind(3, event.involvedKind);
    st.bind(4, event.involvedName);
    st.bind(5, event.reason);
    if (event.firstTimestamp.isValid())
        st.bind(6, event.firstTimestamp.toMSecsSinceEpoch());
    else
        st.bindNull(6);
    st.bind(7, compact(kubeEventToJson(event)));
    if (!st.run())
        return sqliteFail(db, u"cannot store event %1 of %2: "_s.arg(event.reason, event.involvedName));
    return {};
}

Result<KubeImportResult> storeObjects(sqlite3 *db, const KubeObjects &objects, const QString &name,
                                      const SourceContent &content)
{
    SqliteTransaction tx(db, "oomscope_kube");
    if (Result<void> begun = tx.begin(); !begun)
        return tl::unexpected(begun.error());
    SourceRegistry registry(db);
    const Result<qint64> sourceId = registry.add(
        NewSource {name, content, qint64(objects.pods.size() + objects.events.size()), "kubernetes"});
    if (!sourceId)
        return tl::unexpected(sourceId.error());
    KubeImportResult result;
    result.sourceId = *sourceId;
    for (const KubePod &pod : objects.pods) {
        if (Result<void> stored = insertPod(db, *sourceId, QString(), pod); !stored)
            return tl::unexpected(stored.error());
        ++result.podsAdded;
    }
    for (const KubeEvent &event : objects.events) {
        if (Result<void> stored = insertEvent(db, *sourceId, event); !stored)
            return tl::unexpected(stored.error());
        ++result.eventsAdded;
    }
    if (Result<void> committed = tx.commit(); !committed)
        return tl::unexpected(committed.error());
    return result;
}

} // namespace

bool isKubeRecordFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(4096);
    return looksLikeKubeJson(head) || looksLikeDescribePod(head);
}

Result<KubeImportResult> importKubeRecord(Workspace &workspace, const QByteArray &bytes,
                                          const QString &displayName)
{
    sqlite3 *db = WorkspaceHandle::of(workspace);
    if (!db)
        return fail(Error::Kind::Invalid, u"no workspace is open"_s);
    const SourceContent content = ContentHasher::ofBytes(bytes);
    SourceRegistry registry(db);
    const Result<std::optional<qint64>> existing = registry.find(content.hash);
    if (!existing)
        return tl::unexpected(existing.error());
    if (*existing) {
        KubeImportResult result;
        result.alreadyImported = true;
        result.sourceId = **existing;
        return result;
    }
    const Result<KubeObjects> parsed = parseKubeRecord(bytes);
    if (!parsed)
        return fail(parsed.error().kind, displayName + u": "_s + parsed.error().message);
    return storeObjects(db, *parsed, displayName, content);
}

Result<KubeImportResult> importKubeRecordFile(Workspace &workspace, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Kind::NotFound, u"cannot open %1: %2"_s.arg(path, file.errorString()));
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(Error::Kind::Io, u"read error in %1: %2"_s.arg(path, file.errorString()));
    return importKubeRecord(workspace, bytes, QFileInfo(path).fileName());
}

Result<int> storeNodePods(Workspace &workspace, const QString &host, const std::vector<KubePod> &pods)
{
    sqlite3 *db = WorkspaceHandle::of(workspace);
    if (!db)
        return fail(Error::Kind::Invalid, u"no workspace is open"_s);
    SqliteTransaction tx(db, "oomscope_nodepods");
    if (Result<void> begun = tx.begin(); !begun)
        return tl::unexpected(begun.error());
    SqliteStatement drop;
    if (!drop.prepare(db, "DELETE FROM kube_pods WHERE source_id IS NULL AND reported_by = ?"))
        return sqliteFail(db, u"cannot replace the pods of %1: "_s.arg(host));
    drop.bind(1, host);
    if (!drop.run())
        return sqliteFail(db, u"cannot replace the pods of %1: "_s.arg(host));
    for (const KubePod &pod : pods) {
        if (Result<void> stored = insertPod(db, std::nullopt, host, pod); !stored)
            return tl::unexpected(stored.error());
    }
    if (Result<void> committed = tx.commit(); !committed)
        return tl::unexpected(committed.error());
    return int(pods.size());
}

PodDirectory readPodDirectory(const Workspace &workspace)
{
    PodDirectory directory;
    sqlite3 *db = WorkspaceHandle::of(workspace);
    SqliteStatement q;
    if (!db || !q.prepare(db, "SELECT pod_json FROM kube_pods ORDER BY stored_ms, id"))
        return directory;
    while (q.step() == SQLITE_ROW) {
        if (Result<KubePod> pod = podFromJson(QJsonDocument::fromJson(q.text(0).toUtf8()).object()))
            directory.add(*pod);
    }
    return directory;
}

std::vector<KubeEvent> readKubeEvents(const Workspace &workspace)
{
    std::vector<KubeEvent> events;
    sqlite3 *db = WorkspaceHandle::of(workspace);
    SqliteStatement q;
    if (!db || !q.prepare(db, "SELECT event_json FROM kube_events ORDER BY first_ms, id"))
        return events;
    while (q.step() == SQLITE_ROW) {
        if (Result<KubeEvent> e = kubeEventFromJson(QJsonDocument::fromJson(q.text(0).toUtf8()).object()))
            events.push_back(std::move(*e));
    }
    return events;
}

} // namespace oomscope
