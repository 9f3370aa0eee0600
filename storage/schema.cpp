// SPDX-License-Identifier: GPL-3.0-or-later
#include "schema.h"

#include "eventrows.h"
#include "sqlitestatement.h"

#include <array>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace oomscope::schema {

namespace {

// Migration 1: imported sources and everything of an OomEvent needed to rebuild it. Enums are
// stored as stable text keys (see workspace.cpp), not as display names or enum ordinals, so the
// file stays readable when an enum gains a value. Optional values are NULL when not printed.
constexpr const char *kMigration1 = R"sql(
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL UNIQUE,   -- XXH3-128 hex of the uncompressed bytes
    bytes         INTEGER NOT NULL,
    lines         INTEGER NOT NULL DEFAULT 0,
    imported_at   TEXT    NOT NULL           -- ISO 8601 UTC with milliseconds
);

CREATE TABLE events (
    id                       INTEGER PRIMARY KEY,
    source_id                INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    first_line               INTEGER NOT NULL,
    last_line                INTEGER NOT NULL,
    host                     TEXT,
    wall_time                TEXT,      -- ISO 8601 with ms, offset kept as parsed
    wall_time_ms             INTEGER,   -- ms since the epoch, for sorting and range queries
    uptime_s                 REAL,
    prefix_style             TEXT NOT NULL,
    trigger_comm             TEXT,
    trigger_pid              INTEGER NOT NULL,
    gfp_mask                 TEXT,
    alloc_order              INTEGER NOT NULL,
    trigger_oom_score_adj    INTEGER,
    trigger_uses_old_oom_adj INTEGER NOT NULL,
    kernel_release           TEXT,
    cpuset                   TEXT,
    mems_allowed             TEXT,
    oom_constraint           TEXT NOT NULL,   -- constraintName(): global, memcg, cpuset, mempolicy, unknown
    oom_memcg                TEXT,
    task_memcg               TEXT,
    memory_present           INTEGER NOT NULL,
    usage_kb                 INTEGER NOT NULL,
    limit_kb                 INTEGER NOT NULL,
    failcnt                  INTEGER NOT NULL,
    memsw_present            INTEGER NOT NULL,
    memsw_usage_kb           INTEGER NOT NULL,
    memsw_limit_kb           INTEGER NOT NULL,
    memsw_failcnt            INTEGER NOT NULL,
    kmem_present             INTEGER NOT NULL,
    kmem_usage_kb            INTEGER NOT NULL,
    kmem_limit_kb            INTEGER NOT NULL,
    kmem_failcnt             INTEGER NOT NULL,
    swap_present             INTEGER NOT NULL,
    swap_usage_kb            INTEGER NOT NULL,
    swap_limit_kb            INTEGER NOT NULL,
    swap_failcnt             INTEGER NOT NULL,
    memcg_stats_path         TEXT,
    ram_pages                INTEGER,
    reserved_pages           INTEGER,
    managed_kb_sum           INTEGER,
    total_swap_kb            INTEGER,
    free_swap_kb             INTEGER,
    page_size_bytes          INTEGER NOT NULL,
    layout                   TEXT NOT NULL,
    has_tasks_state_line     INTEGER NOT NULL,
    selected_pid             INTEGER,
    selected_comm            TEXT,
    selected_score           INTEGER,
    has_summary_line         INTEGER NOT NULL,
    summary_pid              INTEGER,
    summary_uid              INTEGER,
    summary_comm             TEXT,
    victim_present           INTEGER NOT NULL,
    victim_pid               INTEGER NOT NULL,
    victim_comm              TEXT,
    victim_uid               INTEGER,
    victim_total_vm_kb       INTEGER NOT NULL,
    victim_anon_rss_kb       INTEGER NOT NULL,
    victim_file_rss_kb       INTEGER NOT NULL,
    victim_shmem_rss_kb      INTEGER,
    victim_pgtables_kb       INTEGER,
    victim_oom_score_adj     INTEGER,   -- as printed on the kill line
    victim_message           TEXT,
    victim_line              INTEGER NOT NULL,
    victim_adj               INTEGER,   -- kill line, else the victim's task-table row
    oom_group                INTEGER NOT NULL,
    oom_group_memcg          TEXT,
    reaped_pid               INTEGER,
    complete                 INTEGER NOT NULL,
    missing                  TEXT,      -- JSON array of strings
    kernel_format            TEXT,
    -- Computed at import by decideKill().
    totalpages               INTEGER NOT NULL,
    totalpages_exact         INTEGER NOT NULL,
    badness_era              TEXT    NOT NULL,
    kernel_selected_pid      INTEGER NOT NULL,
    recomputed_selected_pid  INTEGER,
    agrees                   INTEGER NOT NULL
);
CREATE INDEX events_source ON events(source_id, first_line);
CREATE INDEX events_wall_time ON events(wall_time_ms);
CREATE INDEX events_oom_memcg ON events(oom_memcg);

CREATE TABLE tasks (
    event_id         INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord              INTEGER NOT NULL,
    pid              INTEGER NOT NULL,
    uid              INTEGER NOT NULL,
    tgid             INTEGER NOT NULL,
    total_vm_pages   INTEGER NOT NULL,
    rss_pages        INTEGER NOT NULL,
    rss_anon_pages   INTEGER,
    rss_file_pages   INTEGER,
    rss_shmem_pages  INTEGER,
    nr_ptes          INTEGER,
    nr_pmds          INTEGER,
    pgtables_bytes   INTEGER,
    swapents_pages   INTEGER NOT NULL,
    oom_score_adj    INTEGER NOT NULL,
    comm             TEXT,
    line             INTEGER NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;
CREATE INDEX tasks_pid ON tasks(pid);

-- Further "Killed process" lines of one report (memory.oom.group).
CREATE TABLE group_kills (
    event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord            INTEGER NOT NULL,
    pid            INTEGER NOT NULL,
    comm           TEXT,
    uid            INTEGER,
    total_vm_kb    INTEGER NOT NULL,
    anon_rss_kb    INTEGER NOT NULL,
    file_rss_kb    INTEGER NOT NULL,
    shmem_rss_kb   INTEGER,
    pgtables_kb    INTEGER,
    oom_score_adj  INTEGER,
    message        TEXT,
    line           INTEGER NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;

CREATE TABLE memcg_stats (
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    key       TEXT    NOT NULL,
    value     INTEGER NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;

CREATE TABLE raw_lines (
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    PRIMARY KEY (event_id, ord)
) WITHOUT ROWID;

CREATE TABLE warnings (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT
);
CREATE INDEX warnings_source ON warnings(source_id, line);
)sql";

// Migration 2: cgroup memory samples over time (see samplestore.h for the chunk format and the
// levels of detail). A workload stitches the incarnations (cgroup paths) of one pod, container or
// unit; a series is one cgroup path on one host. Samples live in column-wise blobs of up to a few
// thousand records ("chunks"); level 0 holds raw samples, levels 1… hold min/max/last per
// time bucket, maintained on append so wide charts never aggregate millions of rows per query.
constexpr const char *kMigration2 = R"sql(
ALTER TABLE sources ADD COLUMN kind TEXT NOT NULL DEFAULT 'log';  -- log, samples, procs

CREATE TABLE workloads (
    id         INTEGER PRIMARY KEY,
    host       TEXT    NOT NULL,
    key        TEXT    NOT NULL,   -- "pod/<uid>", "docker/<id>", "unit/<name>" or the cgroup path
    kind       TEXT    NOT NULL,   -- cgroupKindName(): docker, kubernetes, systemd, other
    pod_uid    TEXT,
    container  TEXT,
    unit       TEXT,
    UNIQUE (host, key)
);

CREATE TABLE series (
    id           INTEGER PRIMARY KEY,
    workload_id  INTEGER NOT NULL REFERENCES workloads(id) ON DELETE CASCADE,
    host         TEXT    NOT NULL,
    cgroup_path  TEXT    NOT NULL,
    incarnation  INTEGER NOT NULL,   -- 1, 2, … in order of creation within the workload
    first_ms     INTEGER,            -- NULL while empty
    last_ms      INTEGER,
    count        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL,
    UNIQUE (host, cgroup_path)
);
CREATE INDEX series_workload ON series(workload_id, incarnation);

-- level 0: raw MemorySamples; level n: buckets of SampleStore::levelWidthsMs()[n - 1].
-- A rowid table, not WITHOUT ROWID: rows are tens of KiB, far above 1/20 of a page.
CREATE TABLE sample_chunks (
    id         INTEGER PRIMARY KEY,
    series_id  INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    level      INTEGER NOT NULL,
    seq        INTEGER NOT NULL,   -- order within (series, level); times never decrease with seq
    t_first    INTEGER NOT NULL,
    t_last     INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    UNIQUE (series_id, level, seq)
);
-- Covering for range counts: choosing a level reads no chunk row, only this index.
CREATE INDEX sample_chunks_time ON sample_chunks(series_id, level, t_last, t_first, count);

-- Per-process readings of a series (for the predicted victim). NULL = not measured (kUnknown).
CREATE TABLE process_samples (
    series_id      INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    time_ms        INTEGER NOT NULL,
    pid            INTEGER NOT NULL,
    comm           TEXT,
    cgroup         TEXT,
    rss_kb         INTEGER,
    rss_anon_kb    INTEGER,
    rss_file_kb    INTEGER,
    rss_shmem_kb   INTEGER,
    swap_kb        INTEGER,
    pgtables_kb    INTEGER,
    oom_score_adj  INTEGER NOT NULL,
    boottime_s     REAL
);
CREATE INDEX process_samples_time ON process_samples(series_id, time_ms);

-- Where an OOM event sits on a series' timeline (an event may be placed on several series).
CREATE TABLE event_placement (
    event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    series_id  INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    time_ms    INTEGER NOT NULL,
    PRIMARY KEY (event_id, series_id)
) WITHOUT ROWID;
CREATE INDEX event_placement_series ON event_placement(series_id, time_ms);
)sql";

// Migration 3: nodes the workbench attached to (oomscope-agent feeds). The cursor (instance,
// last_seq) lets a later attach resume where the stored data ends; gaps are kept so that
// records the agent could no longer replay are visible, never silently missing.
constexpr const char *kMigration3 = R"sql(
CREATE TABLE remote_nodes (
    node            TEXT    PRIMARY KEY,   -- the address attached to: host:port, ssh://user@host, exec:path
    hostname        TEXT,                  -- the agent's hello; samples are stored under it
    instance        TEXT,                  -- agent instance the cursor belongs to
    last_seq        INTEGER NOT NULL DEFAULT 0,
    boot_time_ms    INTEGER,
    kernel_release  TEXT,
    cgroup_version  INTEGER,
    samples_stored  INTEGER NOT NULL DEFAULT 0,
    events_stored   INTEGER NOT NULL DEFAULT 0,
    last_stored_ms  INTEGER                -- wall clock of the last stored batch
);

CREATE TABLE remote_gaps (
    id           INTEGER PRIMARY KEY,
    node         TEXT    NOT NULL,
    instance     TEXT,
    from_seq     INTEGER NOT NULL,
    to_seq       INTEGER NOT NULL,
    detected_ms  INTEGER NOT NULL
);
CREATE INDEX remote_gaps_node ON remote_gaps(node, detected_ms);
)sql";

// Migration 4: the deaths table (deathrows.h) — every death by memory, whoever killed it, with the
// kernel OOM event behind it when there is one. The whole death (evidence, notes) is kept as the
// JSON of model/formats/deathjson.h; the columns beside it are for queries.
constexpr const char *kMigration4 = R"sql(
CREATE TABLE deaths (
    id         INTEGER PRIMARY KEY,
    identity   TEXT    NOT NULL UNIQUE,   -- killer|node|time|uptime|pid|cgroup (names when neither)
    time_ms    INTEGER,                   -- wall clock, ms since the epoch; NULL when unknown
    killer     TEXT    NOT NULL,          -- killerKey(): kernel_memcg, systemd_oomd, earlyoom, …
    node       TEXT,
    namespace  TEXT,
    pod        TEXT,
    container  TEXT,
    event_id   INTEGER REFERENCES events(id) ON DELETE SET NULL,
    record     TEXT    NOT NULL           -- deathToJson()
);
CREATE INDEX deaths_time ON deaths(time_ms);
CREATE INDEX deaths_pod ON deaths(namespace, pod, container);
)sql";

// Migration 5: Kubernetes' own record (podrows.cpp). Pods are kept as the JSON subset podjson.h
// writes and reads back (podToJson), with the columns a lookup needs beside it; a pod comes from
// an imported kubectl file (source_id) or from an attached node's agent (reported_by, no source).
constexpr const char *kMigration5 = R"sql(
CREATE TABLE kube_pods (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id) ON DELETE CASCADE,
    reported_by  TEXT,                  -- hostname of the agent that sent it (no source file)
    node         TEXT,                  -- spec.nodeName
    uid          TEXT,                  -- metadata.uid; empty from `kubectl describe`
    namespace    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    pod_json     TEXT    NOT NULL,
    stored_ms    INTEGER NOT NULL
);
CREATE INDEX kube_pods_uid ON kube_pods(uid);
CREATE INDEX kube_pods_reported_by ON kube_pods(reported_by);

CREATE TABLE kube_events (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    namespace      TEXT,
    involved_kind  TEXT,
    involved_name  TEXT,
    reason         TEXT,
    first_ms       INTEGER,               -- firstTimestamp (or eventTime), epoch ms UTC
    event_json     TEXT    NOT NULL
);
CREATE INDEX kube_events_involved ON kube_events(namespace, involved_name);
)sql";

// Migration 6: an event's raw report lines as one row (eventrows.h: the lines joined by "\n", their
// numbers in the log as varints) instead of a row per line. They are only ever read whole, per
// event, and inserting them line by line was a sixth of a report-heavy import. The rows of
// raw_lines move over (moveRawLinesToReports) and the table goes.
constexpr const char *kMigration6 = R"sql(
CREATE TABLE raw_reports (
    event_id      INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    text          TEXT NOT NULL,   -- the lines as printed, joined by "\n"
    line_numbers  BLOB NOT NULL    -- each line's number in the log (eventrows.h)
);
)sql";

// Migration 7: an event's task table as one blob (eventrows.h) instead of a row per task, for the
// same reason: tasks are only ever read whole, per event, and their rows (with the tasks_pid index
// no query used) were a fifth of a report-heavy import. The rows move over (moveTaskRowsToTables)
// and the table goes, its index with it.
constexpr const char *kMigration7 = R"sql(
CREATE TABLE task_tables (
    event_id  INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    tasks     BLOB NOT NULL   -- the task table in the order printed (eventrows.h)
);
)sql";

constexpr std::array kMigrations {
    Migration {1, kMigration1},
    Migration {2, kMigration2},
    Migration {3, kMigration3},
    Migration {4, kMigration4},
    Migration {5, kMigration5},
    Migration {6, kMigration6, &moveRawLinesToReports},
    Migration {7, kMigration7, &moveTaskRowsToTables},
    // Append new migrations here (2: samples tables, ...). Never edit a released one.
};

} // namespace

std::span<const Migration> migrations()
{
    return kMigrations;
}

int latestVersion()
{
    return kMigrations.back().version;
}

int userVersion(sqlite3 *db)
{
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
        return -1;
    int version = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return version;
}

// Applies one migration unless another connection (another oomscope process opening the same new
// file at the same moment) already did: the version is read again under the write lock.
static Result<void> applyMigration(sqlite3 *db, const Migration &m)
{
    if (Result<void> begun = sqliteExec(db, "BEGIN IMMEDIATE"); !begun)
        return begun;
    const int current = userVersion(db);
    if (current < 0 || current >= m.version) {
        (void)sqliteExec(db, "ROLLBACK");
        return current < 0 ? sqliteFail(db, u"cannot read the schema version: "_s) : Result<void> {};
    }
    const QByteArray bump = "PRAGMA user_version = " + QByteArray::number(m.version)
        + ";\nPRAGMA application_id = " + QByteArray::number(kApplicationId) + ";\nCOMMIT;";
    Result<void> applied = sqliteExec(db, m.sql);
    if (applied && m.moveData)
        applied = m.moveData(db);
    if (applied)
        applied = sqliteExec(db, bump.constData());
    if (!applied && !sqlite3_get_autocommit(db))
        (void)sqliteExec(db, "ROLLBACK");
    return applied;
}

Result<void> migrate(sqlite3 *db)
{
    const int current = userVersion(db);
    if (current < 0)
        return sqliteFail(db, u"cannot read the schema version: "_s);
    if (current > latestVersion())
        return fail(Error::Kind::TooNew,
                    u"the workspace was written by a newer oomscope (schema version %1, this oomscope "
                    "knows up to %2); update oomscope to open it"_s.arg(current)
                        .arg(latestVersion()));
    for (const Migration &m : kMigrations) {
        if (m.version <= current)
            continue;
        if (Result<void> applied = applyMigration(db, m); !applied)
            return fail(applied.error().kind,
                        u"schema migration %1 failed: %2"_s.arg(m.version).arg(applied.error().message));
    }
    return {};
}

} // namespace oomscope::schema
