// SPDX-License-Identifier: GPL-3.0-or-later
#include "deathrows.h"

#include "deathjson.h"
#include "sqlitestatement.h"
#include "workspace.h"
#include "workspacehandle.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// What makes two rows the same death: who killed, when (the kernel's own clock when printed, since
// a wall time or node may be learnt later from pod JSON), pid and cgroup; names and node only when
// neither pid nor cgroup says who died.
QString identityOf(const Death &d)
{
    const QString when = d.uptimeSeconds ? QString::number(*d.uptimeSeconds, 'f', 6)
        : d.time                         ? QString::number(d.time->toMSecsSinceEpoch())
                                         : QString();
    QStringList parts {killerKey(d.killer), when, d.pid ? QString::number(*d.pid) : QString(), d.cgroup};
    if (!d.pid && d.cgroup.isEmpty())
        parts << d.node << d.namespaceName << d.pod << d.container << d.containerId;
    return parts.join(u'|');
}

} // namespace

Result<DeathStoreResult> storeDeaths(Workspace &workspace, const std::vector<Death> &deaths)
{
    return storeDeaths(workspace, [&deaths](const DeathSink &sink) -> Result<void> {
        for (const Death &d : deaths)
            sink(Death(d));
        return {};
    });
}

Result<DeathStoreResult> storeDeaths(Workspace &workspace,
                                     const std::function<Result<void>(const DeathSink &)> &produce)
{
    sqlite3 *db = WorkspaceHandle::of(workspace);
    if (!db)
        return fail(Error::Kind::Invalid, u"no workspace is open"_s);
    // The transaction begins with the first death: a table without rows does not wait for the
    // workspace's lock.
    SqliteTransaction transaction(db, "oomscope_deaths");
    SqliteStatement find;
    SqliteStatement upsert;
    auto begin = [&]() -> Result<void> {
        if (Result<void> begun = transaction.begin(); !begun)
            return begun;
        if (!find.prepare(db, "SELECT id FROM deaths WHERE identity = ?1")
            || !upsert.prepare(
                db,
                "INSERT INTO deaths (identity, time_ms, killer, node, namespace, pod, container, "
                "event_id, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                "(SELECT id FROM events WHERE id = ?8), ?9) "
                "ON CONFLICT(identity) DO UPDATE SET time_ms = ?2, node = ?4, namespace = ?5, "
                "pod = ?6, container = ?7, event_id = (SELECT id FROM events WHERE id = ?8), "
                "record = ?9"))
            return sqliteFail(db, u"cannot prepare the deaths statements: "_s);
        return {};
    };
    bool begun = false;
    DeathStoreResult result;
    std::optional<Error> failed; // the first row that could not be stored; the rest are skipped
    const Result<void> produced = produce([&](Death &&d) {
        if (failed)
            return;
        if (!std::exchange(begun, true))
            if (Result<void> ok = begin(); !ok) {
                failed = ok.error();
                return;
            }
        const QString identity = identityOf(d);
        find.bind(1, identity);
        const bool exists = find.step() == SQLITE_ROW;
        find.reset();
        upsert.bind(1, identity);
        if (d.time)
            upsert.bind(2, qint64(d.time->toMSecsSinceEpoch()));
        else
            upsert.bindNull(2);
        upsert.bind(3, killerKey(d.killer));
        upsert.bind(4, d.node);
        upsert.bind(5, d.namespaceName);
        upsert.bind(6, d.pod);
        upsert.bind(7, d.container);
        upsert.bind(8, d.eventId);
        upsert.bind(9, QJsonDocument(deathToJson(d)).toJson(QJsonDocument::Compact));
        if (!upsert.run()) {
            failed = sqliteFail(db, u"cannot store a death: "_s).value();
            return;
        }
        ++(exists ? result.updated : result.added);
    });
    if (failed)
        return tl::unexpected(*failed);
    if (!produced)
        return tl::unexpected(produced.error());
    if (!begun)
        return result;
    if (Result<void> committed = transaction.commit(); !committed)
        return tl::unexpected(committed.error());
    return result;
}

Result<std::vector<StoredDeath>> readDeaths(const Workspace &workspace)
{
    sqlite3 *db = WorkspaceHandle::of(workspace);
    if (!db)
        return fail(Error::Kind::Invalid, u"no workspace is open"_s);
    SqliteStatement select;
    if (!select.prepare(db, "SELECT id, event_id, record FROM deaths ORDER BY time_ms IS NULL, time_ms, id"))
        return sqliteFail(db, u"cannot read the deaths: "_s);
    std::vector<StoredDeath> deaths;
    while (select.step() == SQLITE_ROW) {
        const QJsonDocument doc = QJsonDocument::fromJson(select.text(2).toUtf8());
        Result<Death> death = deathFromJson(doc.object());
        if (!death)
            return fail(Error::Kind::Invalid,
                        u"death %1: %2"_s.arg(select.int64(0)).arg(death.error().message));
        death->eventId = select.optInt64(1);
        deaths.push_back({select.int64(0), std::move(*death)});
    }
    return deaths;
}

} // namespace oomscope
