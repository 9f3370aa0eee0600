// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: an OomEvent as rows of the event tables (events, tasks, group_kills,
// memcg_stats, raw_lines), written with statements prepared once per connection, and read back.
#pragma once

#include "oomevent.h"
#include "result.h"
#include "sqlitestatement.h"
#include "workspace.h" // EventSummary

#include <optional>
#include <vector>

namespace oomscope {

class EventWriter
{
public:
    // Prepares the inserts on db once (persistent statements); again after clear().
    Result<void> prepare(sqlite3 *db);
    void clear(); // finalises the statements, before the connection closes
    // Stores the event with its details under sourceId; returns the new event's id.
    Result<qint64> store(qint64 sourceId, const OomEvent &event);

private:
    Result<qint64> storeEventRow(qint64 sourceId, const OomEvent &event);
    bool storeTasks(std::int64_t eventId, const OomEvent &event);
    bool storeDetails(std::int64_t eventId, const OomEvent &event);

    sqlite3 *m_db = nullptr;
    SqliteStatement m_insertEvent;
    SqliteStatement m_insertTask;
    SqliteStatement m_insertKill;
    SqliteStatement m_insertStat;
    SqliteStatement m_insertRawLine;
};

// The full event (tasks, kills, memcg stats, raw lines); nullopt when there is none.
std::optional<OomEvent> readEvent(sqlite3 *db, qint64 eventId);
// Every event, ordered by source, then first line.
std::vector<EventSummary> readEventSummaries(sqlite3 *db);
// The events of one source, in the order of readEventSummaries().
std::vector<qint64> readEventIdsOfSource(sqlite3 *db, qint64 sourceId);

} // namespace oomscope
