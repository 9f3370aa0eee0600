// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to storage/: an OomEvent as rows of the event tables (events, tasks, group_kills,
// memcg_stats, raw_reports), written with statements prepared once per connection, and read back.
//
// task_tables holds an event's task table in one blob: a format byte (kTaskTableFormat), the
// number of tasks, then per task the presence bits of the optional columns (rss_anon, rss_file,
// rss_shmem, nr_ptes, nr_pmds, pgtables_bytes); pid, uid, tgid, total_vm, rss, the present
// optional columns, swapents, oom_score_adj and the line number's difference to the previous
// task's (zigzag); the comm's length and its UTF-8 bytes. Every number is an LEB128 varint.
//
// raw_reports holds an event's raw lines in one row: text is the lines joined by "\n" (a parsed
// line never holds one), line_numbers each line's number in the log as the difference to the
// previous line's (the first: to 0), zigzag-encoded as an unsigned LEB128 varint.
#pragma once

#include "oomevent.h"
#include "result.h"
#include "sqlitestatement.h"
#include "workspace.h" // EventSummary

#include <cstdint>
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
    bool storeRawLines(std::int64_t eventId, const OomEvent &event);

    sqlite3 *m_db = nullptr;
    SqliteStatement m_insertEvent;
    SqliteStatement m_insertTaskTable;
    SqliteStatement m_insertKill;
    SqliteStatement m_insertStat;
    SqliteStatement m_insertRawReport;
    // Reused between events: bound without a copy.
    QByteArray m_taskBlob;
    QByteArray m_scratch;
    QByteArray m_rawText;
    QByteArray m_rawLineNumbers;
};

// The full event (tasks, kills, memcg stats, raw lines); nullopt when there is none.
std::optional<OomEvent> readEvent(sqlite3 *db, qint64 eventId);
inline constexpr std::uint8_t kTaskTableFormat = 1;
// The task_tables form of tasks (see above), appended to out; scratch is reused for each comm.
void encodeTasks(const std::vector<OomTask> &tasks, QByteArray &out, QByteArray &scratch);
// Appends the tasks of a task_tables blob; false (with the tasks before the damage) when damaged.
bool decodeTasks(QByteArrayView data, std::vector<OomTask> &tasks);
// Schema migration 7: the rows of tasks (one per task) into task_tables, then drops tasks.
Result<void> moveTaskRowsToTables(sqlite3 *db);

// The raw_reports form of lines (see above), appended to text and lineNumbers.
void encodeRawLines(const std::vector<RawLine> &lines, QByteArray &text, QByteArray &lineNumbers);
// The lines back; a damaged row gives the lines before the damage.
std::vector<RawLine> decodeRawLines(QByteArrayView text, QByteArrayView lineNumbers);
// Schema migration 6: the rows of raw_lines (one per line) into raw_reports, then drops raw_lines.
Result<void> moveRawLinesToReports(sqlite3 *db);

// Every event, ordered by source, then first line.
std::vector<EventSummary> readEventSummaries(sqlite3 *db);
// The events of one source, in the order of readEventSummaries().
std::vector<qint64> readEventIdsOfSource(sqlite3 *db, qint64 sourceId);

} // namespace oomscope
