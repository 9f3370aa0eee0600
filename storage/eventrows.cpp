// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventrows.h"

#include "killdecision.h"
#include "storagekeys.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringEncoder>

#include <array>

using namespace Qt::StringLiterals;

namespace oomscope {

using namespace keys;

namespace {

QString wallTimeText(const QDateTime &dt)
{
    return dt.toString(Qt::ISODateWithMs);
}

QDateTime wallTimeFromText(const QString &text)
{
    // ISO text without an offset comes back as local time, "Z" as UTC, "+hh:mm" as that offset:
    // the time spec the parser chose survives the round trip.
    return QDateTime::fromString(text, Qt::ISODateWithMs);
}

QString stringListToJson(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QStringList stringListFromJson(const QString &text)
{
    QStringList out;
    if (text.isEmpty())
        return out;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    out.reserve(array.size());
    for (const QJsonValue &v : array)
        out.append(v.toString());
    return out;
}

// The oom_score_adj the victim had: printed on the kill line since 4.x, else its task-table row.
std::optional<int> victimAdjOf(const OomEvent &event)
{
    if (!event.victim.present)
        return std::nullopt;
    if (event.victim.oomScoreAdj)
        return event.victim.oomScoreAdj;
    for (const OomTask &task : event.tasks) {
        if (task.pid == event.victim.pid)
            return task.oomScoreAdj;
    }
    return std::nullopt;
}

// Column order of the events table for insert and select; the binders below follow it exactly.
constexpr std::array kEventColumns {
    "source_id",
    "first_line",
    "last_line",
    "host",
    "wall_time",
    "wall_time_ms",
    "uptime_s",
    "prefix_style",
    "trigger_comm",
    "trigger_pid",
    "gfp_mask",
    "alloc_order",
    "trigger_oom_score_adj",
    "trigger_uses_old_oom_adj",
    "kernel_release",
    "cpuset",
    "mems_allowed",
    "oom_constraint",
    "oom_memcg",
    "task_memcg",
    "memory_present",
    "usage_kb",
    "limit_kb",
    "failcnt",
    "memsw_present",
    "memsw_usage_kb",
    "memsw_limit_kb",
    "memsw_failcnt",
    "kmem_present",
    "kmem_usage_kb",
    "kmem_limit_kb",
    "kmem_failcnt",
    "swap_present",
    "swap_usage_kb",
    "swap_limit_kb",
    "swap_failcnt",
    "memcg_stats_path",
    "ram_pages",
    "reserved_pages",
    "managed_kb_sum",
    "total_swap_kb",
    "free_swap_kb",
    "page_size_bytes",
    "layout",
    "has_tasks_state_line",
    "selected_pid",
    "selected_comm",
    "selected_score",
    "has_summary_line",
    "summary_pid",
    "summary_uid",
    "summary_comm",
    "victim_present",
    "victim_pid",
    "victim_comm",
    "victim_uid",
    "victim_total_vm_kb",
    "victim_anon_rss_kb",
    "victim_file_rss_kb",
    "victim_shmem_rss_kb",
    "victim_pgtables_kb",
    "victim_oom_score_adj",
    "victim_message",
    "victim_line",
    "victim_adj",
    "oom_group",
    "oom_group_memcg",
    "reaped_pid",
    "complete",
    "missing",
    "kernel_format",
    "totalpages",
    "totalpages_exact",
    "badness_era",
    "kernel_selected_pid",
    "recomputed_selected_pid",
    "agrees",
};

constexpr std::array kKillColumns {
    "event_id",    "ord",          "pid",         "comm",          "uid",     "total_vm_kb", "anon_rss_kb",
    "file_rss_kb", "shmem_rss_kb", "pgtables_kb", "oom_score_adj", "message", "line",
};

template<std::size_t N>
QByteArray columnList(const std::array<const char *, N> &columns, std::size_t skip = 0)
{
    QByteArray out;
    for (std::size_t i = skip; i < N; ++i) {
        if (!out.isEmpty())
            out += ", ";
        out += columns[i];
    }
    return out;
}

template<std::size_t N> QByteArray insertSql(const char *table, const std::array<const char *, N> &columns)
{
    QByteArray placeholders;
    for (std::size_t i = 0; i < N; ++i)
        placeholders += i == 0 ? "?" : ", ?";
    return "INSERT INTO " + QByteArray(table) + " (" + columnList(columns) + ") VALUES (" + placeholders
        + ")";
}

void bindCounter(SqliteStatement &s, int &i, const CounterLine &c)
{
    s.bind(i++, c.present);
    s.bind(i++, c.usageKb);
    s.bind(i++, c.limitKb);
    s.bind(i++, c.failcnt);
}

CounterLine readCounter(const SqliteStatement &s, int &c)
{
    CounterLine out;
    out.present = s.boolean(c++);
    out.usageKb = s.int64(c++);
    out.limitKb = s.int64(c++);
    out.failcnt = s.int64(c++);
    return out;
}

// Binds the KilledProcess columns shared by events (victim_*) and group_kills, minus present/pid.
void bindKillDetails(SqliteStatement &s, int &i, const KilledProcess &k)
{
    s.bind(i++, k.comm);
    s.bind(i++, k.uid);
    s.bind(i++, k.totalVmKb);
    s.bind(i++, k.anonRssKb);
    s.bind(i++, k.fileRssKb);
    s.bind(i++, k.shmemRssKb);
    s.bind(i++, k.pgtablesKb);
    s.bind(i++, k.oomScoreAdj);
    s.bind(i++, k.message);
    s.bind(i++, k.line);
}

void readKillDetails(const SqliteStatement &s, int &c, KilledProcess &k)
{
    k.comm = s.text(c++);
    k.uid = s.optInt64(c++);
    k.totalVmKb = s.int64(c++);
    k.anonRssKb = s.int64(c++);
    k.fileRssKb = s.int64(c++);
    k.shmemRssKb = s.optInt64(c++);
    k.pgtablesKb = s.optInt64(c++);
    k.oomScoreAdj = s.optInt(c++);
    k.message = s.text(c++);
    k.line = s.int64(c++);
}

// Binds the columns of kEventColumns up to and including the victim's (the event's own data).
void bindEventData(SqliteStatement &s, int &i, qint64 sourceId, const OomEvent &e)
{
    s.bind(i++, std::int64_t(sourceId));
    s.bind(i++, std::int64_t(e.firstLine));
    s.bind(i++, std::int64_t(e.lastLine));
    s.bind(i++, e.host);
    if (e.wallTime && e.wallTime->isValid()) {
        s.bind(i++, wallTimeText(*e.wallTime));
        s.bind(i++, std::int64_t(e.wallTime->toMSecsSinceEpoch()));
    } else {
        s.bindNull(i++);
        s.bindNull(i++);
    }
    s.bind(i++, e.uptimeSeconds);
    s.bind(i++, toKey(kPrefixStyleKeys, e.prefixStyle));
    s.bind(i++, e.triggerComm);
    s.bind(i++, e.triggerPid);
    s.bind(i++, e.gfpMask);
    s.bind(i++, e.order);
    s.bind(i++, e.triggerOomScoreAdj);
    s.bind(i++, e.triggerUsesOldOomAdj);
    s.bind(i++, e.kernelRelease);
    s.bind(i++, e.cpuset);
    s.bind(i++, e.memsAllowed);
    s.bind(i++, toKey(kConstraintKeys, e.constraint));
    s.bind(i++, e.oomMemcg);
    s.bind(i++, e.taskMemcg);
    bindCounter(s, i, e.memory);
    bindCounter(s, i, e.memsw);
    bindCounter(s, i, e.kmem);
    bindCounter(s, i, e.swap);
    s.bind(i++, e.memcgStatsPath);
    s.bind(i++, e.ramPages);
    s.bind(i++, e.reservedPages);
    s.bind(i++, e.managedKbSum);
    s.bind(i++, e.totalSwapKb);
    s.bind(i++, e.freeSwapKb);
    s.bind(i++, e.pageSizeBytes);
    s.bind(i++, toKey(kLayoutKeys, e.layout));
    s.bind(i++, e.hasTasksStateLine);
    s.bind(i++, e.selectedPid);
    s.bind(i++, e.selectedComm);
    s.bind(i++, e.selectedScore);
    s.bind(i++, e.hasSummaryLine);
    s.bind(i++, e.summaryPid);
    s.bind(i++, e.summaryUid);
    s.bind(i++, e.summaryComm);
    s.bind(i++, e.victim.present);
    s.bind(i++, e.victim.pid);
    bindKillDetails(s, i, e.victim);
}

// Binds the remaining columns: the victim's adj and the event's state, and what decideKill()
// derives (kept in the row so lists and SQL need not recompute it).
void bindEventDerived(SqliteStatement &s, int &i, const OomEvent &e)
{
    const KillDecision decision = decideKill(e);
    s.bind(i++, victimAdjOf(e));
    s.bind(i++, e.oomGroup);
    s.bind(i++, e.oomGroupMemcg);
    s.bind(i++, e.reapedPid);
    s.bind(i++, e.complete);
    s.bind(i++, stringListToJson(e.missing));
    s.bind(i++, e.kernelFormat());
    s.bind(i++, decision.totalPages);
    s.bind(i++, decision.totalPagesExact);
    s.bind(i++, toKey(kEraKeys, decision.era));
    s.bind(i++, decision.kernelSelectedPid);
    s.bind(i++, decision.recomputedSelectedPid);
    s.bind(i++, decision.agrees);
}

// The event's own columns (see bindEventData), from a row of "SELECT kEventColumns".
void readEventData(const SqliteStatement &s, OomEvent &e)
{
    int c = 1; // column 0 is source_id
    e.firstLine = s.int64(c++);
    e.lastLine = s.int64(c++);
    e.host = s.text(c++);
    if (!s.isNull(c))
        e.wallTime = wallTimeFromText(s.text(c));
    c += 2; // wall_time, wall_time_ms
    e.uptimeSeconds = s.optReal(c++);
    e.prefixStyle = fromKey(kPrefixStyleKeys, s.text(c++));
    e.triggerComm = s.text(c++);
    e.triggerPid = s.int64(c++);
    e.gfpMask = s.text(c++);
    e.order = s.integer(c++);
    e.triggerOomScoreAdj = s.optInt(c++);
    e.triggerUsesOldOomAdj = s.boolean(c++);
    e.kernelRelease = s.text(c++);
    e.cpuset = s.text(c++);
    e.memsAllowed = s.text(c++);
    e.constraint = fromKey(kConstraintKeys, s.text(c++));
    e.oomMemcg = s.text(c++);
    e.taskMemcg = s.text(c++);
    e.memory = readCounter(s, c);
    e.memsw = readCounter(s, c);
    e.kmem = readCounter(s, c);
    e.swap = readCounter(s, c);
    e.memcgStatsPath = s.text(c++);
    e.ramPages = s.optInt64(c++);
    e.reservedPages = s.optInt64(c++);
    e.managedKbSum = s.optInt64(c++);
    e.totalSwapKb = s.optInt64(c++);
    e.freeSwapKb = s.optInt64(c++);
    e.pageSizeBytes = s.int64(c++);
    e.layout = fromKey(kLayoutKeys, s.text(c++));
    e.hasTasksStateLine = s.boolean(c++);
    e.selectedPid = s.optInt64(c++);
    e.selectedComm = s.text(c++);
    e.selectedScore = s.optInt64(c++);
    e.hasSummaryLine = s.boolean(c++);
    e.summaryPid = s.optInt64(c++);
    e.summaryUid = s.optInt64(c++);
    e.summaryComm = s.text(c++);
    e.victim.present = s.boolean(c++);
    e.victim.pid = s.int64(c++);
    readKillDetails(s, c, e.victim);
    ++c; // victim_adj is derived
    e.oomGroup = s.boolean(c++);
    e.oomGroupMemcg = s.text(c++);
    e.reapedPid = s.optInt64(c++);
    e.complete = s.boolean(c++);
    e.missing = stringListFromJson(s.text(c++));
    // The remaining columns (kernel_format, decideKill results) are derived, not event data.
}

bool readTasks(sqlite3 *db, qint64 eventId, OomEvent &e)
{
    SqliteStatement tasks;
    if (!tasks.prepare(db, "SELECT tasks FROM task_tables WHERE event_id = ?"))
        return false;
    tasks.bind(1, std::int64_t(eventId));
    // No row: an event without a task table. A damaged one makes the event unreadable rather than
    // ranked on part of its table.
    return tasks.step() != SQLITE_ROW || decodeTasks(tasks.bytes(0), e.tasks);
}

bool readKills(sqlite3 *db, qint64 eventId, OomEvent &e)
{
    SqliteStatement kills;
    if (!kills.prepare(db,
                       "SELECT " + columnList(kKillColumns, 2)
                           + " FROM group_kills WHERE event_id = ? ORDER BY ord"))
        return false;
    kills.bind(1, std::int64_t(eventId));
    while (kills.step() == SQLITE_ROW) {
        KilledProcess k;
        k.present = true;
        int j = 0;
        k.pid = kills.int64(j++);
        readKillDetails(kills, j, k);
        e.groupKilled.push_back(std::move(k));
    }

    return true;
}

bool readStatsAndRawLines(sqlite3 *db, qint64 eventId, OomEvent &e)
{
    SqliteStatement stats;
    if (!stats.prepare(db, "SELECT key, value FROM memcg_stats WHERE event_id = ? ORDER BY ord"))
        return false;
    stats.bind(1, std::int64_t(eventId));
    while (stats.step() == SQLITE_ROW)
        e.memcgStats.emplace_back(stats.text(0), stats.int64(1));

    SqliteStatement raw;
    if (!raw.prepare(db, "SELECT text, line_numbers FROM raw_reports WHERE event_id = ?"))
        return false;
    raw.bind(1, std::int64_t(eventId));
    if (raw.step() == SQLITE_ROW)
        e.rawLines = decodeRawLines(raw.bytes(0), raw.bytes(1));
    return true;
}

void appendVarint(QByteArray &out, std::uint64_t value)
{
    while (value >= 0x80) {
        out.append(char(value | 0x80));
        value >>= 7;
    }
    out.append(char(value));
}

// False at the end of the data or on a varint longer than 64 bits.
bool takeVarint(QByteArrayView data, qsizetype &pos, std::uint64_t &value)
{
    value = 0;
    for (int shift = 0; shift < 64 && pos < data.size(); shift += 7) {
        const auto byte = std::uint8_t(data[pos++]);
        value |= std::uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

} // namespace

Result<void> EventWriter::prepare(sqlite3 *db)
{
    if (m_insertEvent.isValid() && m_db == db)
        return {};
    clear();
    m_db = db;
    const std::array<std::pair<SqliteStatement *, QByteArray>, 5> statements {{
        {&m_insertEvent, insertSql("events", kEventColumns)},
        {&m_insertTaskTable, "INSERT INTO task_tables (event_id, tasks) VALUES (?, ?)"},
        {&m_insertKill, insertSql("group_kills", kKillColumns)},
        {&m_insertStat, "INSERT INTO memcg_stats (event_id, ord, key, value) VALUES (?, ?, ?, ?)"},
        {&m_insertRawReport, "INSERT INTO raw_reports (event_id, text, line_numbers) VALUES (?, ?, ?)"},
    }};
    for (const auto &[stmt, sql] : statements) {
        if (!stmt->prepare(db, sql, true)) {
            const Error error = sqliteError(db, u"cannot prepare statement: "_s);
            clear();
            return tl::unexpected<Error>(error);
        }
    }
    return {};
}

void EventWriter::clear()
{
    for (SqliteStatement *stmt :
         {&m_insertEvent, &m_insertTaskTable, &m_insertKill, &m_insertStat, &m_insertRawReport})
        *stmt = SqliteStatement();
    m_db = nullptr;
}

Result<qint64> EventWriter::store(qint64 sourceId, const OomEvent &event)
{
    const Result<qint64> eventId = storeEventRow(sourceId, event);
    if (!eventId)
        return eventId;
    if (!storeTasks(*eventId, event) || !storeDetails(*eventId, event) || !storeRawLines(*eventId, event))
        return sqliteFail(m_db, u"cannot store the details of an event: "_s);
    return eventId;
}

Result<qint64> EventWriter::storeEventRow(qint64 sourceId, const OomEvent &event)
{
    int i = 1;
    bindEventData(m_insertEvent, i, sourceId, event);
    bindEventDerived(m_insertEvent, i, event);
    Q_ASSERT(i == int(kEventColumns.size()) + 1);
    if (!m_insertEvent.run())
        return sqliteFail(m_db, u"cannot store an event: "_s);
    return qint64(sqlite3_last_insert_rowid(m_db));
}

bool EventWriter::storeTasks(std::int64_t eventId, const OomEvent &e)
{
    if (e.tasks.empty())
        return true;
    m_taskBlob.resize(0); // keeps the capacity of earlier events
    encodeTasks(e.tasks, m_taskBlob, m_scratch);
    m_insertTaskTable.bind(1, eventId);
    sqlite3_bind_blob(m_insertTaskTable.get(), 2, m_taskBlob.constData(), int(m_taskBlob.size()),
                      SQLITE_STATIC);
    return m_insertTaskTable.run();
}

bool EventWriter::storeDetails(std::int64_t eventId, const OomEvent &e)
{
    bool ok = true;
    std::int64_t ord = 0;
    for (const KilledProcess &k : e.groupKilled) {
        int j = 1;
        m_insertKill.bind(j++, eventId);
        m_insertKill.bind(j++, ord++);
        m_insertKill.bind(j++, k.pid);
        bindKillDetails(m_insertKill, j, k);
        ok = ok && m_insertKill.run();
    }
    ord = 0;
    for (const auto &[key, value] : e.memcgStats) {
        m_insertStat.bind(1, eventId);
        m_insertStat.bind(2, ord++);
        m_insertStat.bind(3, key);
        m_insertStat.bind(4, value);
        ok = ok && m_insertStat.run();
    }
    return ok;
}

bool EventWriter::storeRawLines(std::int64_t eventId, const OomEvent &e)
{
    if (e.rawLines.empty())
        return true;
    m_rawText.resize(0); // keeps the capacity of earlier events
    m_rawLineNumbers.resize(0);
    encodeRawLines(e.rawLines, m_rawText, m_rawLineNumbers);
    m_insertRawReport.bind(1, eventId);
    sqlite3_bind_text(m_insertRawReport.get(), 2, m_rawText.constData(), int(m_rawText.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(m_insertRawReport.get(), 3, m_rawLineNumbers.constData(), int(m_rawLineNumbers.size()),
                      SQLITE_STATIC);
    return m_insertRawReport.run();
}

namespace {

void appendSigned(QByteArray &out, std::int64_t value)
{
    appendVarint(out, (std::uint64_t(value) << 1) ^ std::uint64_t(value >> 63));
}

bool takeSigned(QByteArrayView data, qsizetype &pos, std::int64_t &value)
{
    std::uint64_t zigzag = 0;
    if (!takeVarint(data, pos, zigzag))
        return false;
    value = std::int64_t(zigzag >> 1) ^ -std::int64_t(zigzag & 1);
    return true;
}

// The optional columns of a task, in the order of their presence bits.
constexpr std::array kOptionalTaskFields {&OomTask::rssAnonPages,  &OomTask::rssFilePages,
                                          &OomTask::rssShmemPages, &OomTask::nrPtes,
                                          &OomTask::nrPmds,        &OomTask::pgtablesBytes};

} // namespace

void encodeTasks(const std::vector<OomTask> &tasks, QByteArray &out, QByteArray &scratch)
{
    QStringEncoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    out.append(char(kTaskTableFormat));
    appendVarint(out, tasks.size());
    std::int64_t previousLine = 0;
    for (const OomTask &t : tasks) {
        std::uint64_t present = 0;
        for (std::size_t i = 0; i < kOptionalTaskFields.size(); ++i)
            present |= std::uint64_t((t.*kOptionalTaskFields[i]).has_value()) << i;
        appendVarint(out, present);
        for (const std::int64_t v : {t.pid, t.uid, t.tgid, t.totalVmPages, t.rssPages})
            appendSigned(out, v);
        for (const auto field : kOptionalTaskFields) {
            if (const std::optional<std::int64_t> &v = t.*field)
                appendSigned(out, *v);
        }
        appendSigned(out, t.swapEntsPages);
        appendSigned(out, t.oomScoreAdj);
        appendSigned(out, std::int64_t(t.line) - previousLine);
        previousLine = std::int64_t(t.line);
        scratch.resize(utf8.requiredSpace(t.comm.size()));
        scratch.resize(utf8.appendToBuffer(scratch.data(), t.comm) - scratch.constData());
        appendVarint(out, std::uint64_t(scratch.size()));
        out.append(scratch);
    }
}

bool decodeTasks(QByteArrayView data, std::vector<OomTask> &tasks)
{
    if (data.isEmpty() || std::uint8_t(data[0]) != kTaskTableFormat)
        return false;
    qsizetype pos = 1;
    std::uint64_t count = 0;
    if (!takeVarint(data, pos, count))
        return false;
    std::int64_t line = 0;
    for (std::uint64_t n = 0; n < count; ++n) {
        OomTask t;
        std::uint64_t present = 0;
        std::int64_t adj = 0;
        std::int64_t lineDelta = 0;
        std::uint64_t commBytes = 0;
        bool ok = takeVarint(data, pos, present) && takeSigned(data, pos, t.pid)
            && takeSigned(data, pos, t.uid) && takeSigned(data, pos, t.tgid)
            && takeSigned(data, pos, t.totalVmPages) && takeSigned(data, pos, t.rssPages);
        for (std::size_t i = 0; ok && i < kOptionalTaskFields.size(); ++i) {
            if (present & (std::uint64_t(1) << i))
                ok = takeSigned(data, pos, (t.*kOptionalTaskFields[i]).emplace());
        }
        ok = ok && takeSigned(data, pos, t.swapEntsPages) && takeSigned(data, pos, adj)
            && takeSigned(data, pos, lineDelta) && takeVarint(data, pos, commBytes)
            && commBytes <= std::uint64_t(data.size() - pos);
        if (!ok)
            return false;
        t.oomScoreAdj = int(adj);
        line += lineDelta;
        t.line = line;
        t.comm = QString::fromUtf8(data.sliced(pos, qsizetype(commBytes)));
        pos += qsizetype(commBytes);
        tasks.push_back(std::move(t));
    }
    return pos == data.size();
}

Result<void> moveTaskRowsToTables(sqlite3 *db)
{
    SqliteStatement read;
    SqliteStatement insert;
    if (!read.prepare(db,
                      "SELECT event_id, pid, uid, tgid, total_vm_pages, rss_pages, rss_anon_pages, "
                      "rss_file_pages, rss_shmem_pages, nr_ptes, nr_pmds, pgtables_bytes, swapents_pages, "
                      "oom_score_adj, comm, line FROM tasks ORDER BY event_id, ord")
        || !insert.prepare(db, "INSERT INTO task_tables (event_id, tasks) VALUES (?, ?)"))
        return sqliteFail(db, u"cannot move the task tables: "_s);
    std::optional<std::int64_t> eventId;
    std::vector<OomTask> tasks;
    QByteArray blob;
    QByteArray scratch;
    auto flush = [&]() -> bool {
        if (!eventId)
            return true;
        blob.resize(0);
        encodeTasks(tasks, blob, scratch);
        insert.bind(1, *eventId);
        sqlite3_bind_blob(insert.get(), 2, blob.constData(), int(blob.size()), SQLITE_STATIC);
        tasks.clear();
        return insert.run();
    };
    int rc = SQLITE_ROW;
    while ((rc = read.step()) == SQLITE_ROW) {
        const std::int64_t id = read.int64(0);
        if (eventId != id && !flush())
            return sqliteFail(db, u"cannot move the task tables: "_s);
        eventId = id;
        OomTask t;
        int j = 1;
        t.pid = read.int64(j++);
        t.uid = read.int64(j++);
        t.tgid = read.int64(j++);
        t.totalVmPages = read.int64(j++);
        t.rssPages = read.int64(j++);
        t.rssAnonPages = read.optInt64(j++);
        t.rssFilePages = read.optInt64(j++);
        t.rssShmemPages = read.optInt64(j++);
        t.nrPtes = read.optInt64(j++);
        t.nrPmds = read.optInt64(j++);
        t.pgtablesBytes = read.optInt64(j++);
        t.swapEntsPages = read.int64(j++);
        t.oomScoreAdj = read.integer(j++);
        t.comm = read.text(j++);
        t.line = read.int64(j++);
        tasks.push_back(std::move(t));
    }
    if (rc != SQLITE_DONE || !flush())
        return sqliteFail(db, u"cannot move the task tables: "_s);
    read = SqliteStatement(); // a table cannot be dropped while a statement reads it
    return sqliteExec(db, "DROP TABLE tasks");
}

void encodeRawLines(const std::vector<RawLine> &lines, QByteArray &text, QByteArray &lineNumbers)
{
    // Stateless: each line is encoded on its own, exactly as QString::toUtf8() would.
    QStringEncoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    std::int64_t previous = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const RawLine &line = lines[i];
        Q_ASSERT(!line.text.contains(u'\n'));
        if (i > 0)
            text.append('\n');
        const qsizetype at = text.size();
        text.resize(at + utf8.requiredSpace(line.text.size()));
        const char *end = utf8.appendToBuffer(text.data() + at, line.text);
        text.resize(end - text.constData());
        const std::int64_t delta = std::int64_t(line.line) - previous;
        previous = std::int64_t(line.line);
        appendVarint(lineNumbers, (std::uint64_t(delta) << 1) ^ std::uint64_t(delta >> 63));
    }
}

std::vector<RawLine> decodeRawLines(QByteArrayView text, QByteArrayView lineNumbers)
{
    std::vector<RawLine> lines;
    qsizetype numberPos = 0;
    qsizetype textPos = 0;
    std::int64_t previous = 0;
    std::uint64_t zigzag = 0;
    while (textPos <= text.size() && takeVarint(lineNumbers, numberPos, zigzag)) {
        previous += std::int64_t(zigzag >> 1) ^ -std::int64_t(zigzag & 1);
        qsizetype end = text.indexOf('\n', textPos);
        if (end < 0)
            end = text.size();
        lines.push_back(RawLine {previous, QString::fromUtf8(text.sliced(textPos, end - textPos))});
        textPos = end + 1;
    }
    return lines;
}

Result<void> moveRawLinesToReports(sqlite3 *db)
{
    SqliteStatement read;
    SqliteStatement insert;
    if (!read.prepare(db, "SELECT event_id, line, text FROM raw_lines ORDER BY event_id, ord")
        || !insert.prepare(db, "INSERT INTO raw_reports (event_id, text, line_numbers) VALUES (?, ?, ?)"))
        return sqliteFail(db, u"cannot move the raw lines: "_s);
    std::optional<std::int64_t> eventId;
    std::vector<RawLine> lines;
    auto flush = [&]() -> bool {
        if (!eventId)
            return true;
        QByteArray text;
        QByteArray numbers;
        encodeRawLines(lines, text, numbers);
        insert.bind(1, *eventId);
        insert.bind(2, text);
        sqlite3_bind_blob(insert.get(), 3, numbers.constData(), int(numbers.size()), SQLITE_TRANSIENT);
        lines.clear();
        return insert.run();
    };
    int rc = SQLITE_ROW;
    while ((rc = read.step()) == SQLITE_ROW) {
        const std::int64_t id = read.int64(0);
        if (eventId != id && !flush())
            return sqliteFail(db, u"cannot move the raw lines: "_s);
        eventId = id;
        lines.push_back(RawLine {read.int64(1), read.text(2)});
    }
    if (rc != SQLITE_DONE || !flush())
        return sqliteFail(db, u"cannot move the raw lines: "_s);
    read = SqliteStatement(); // a table cannot be dropped while a statement reads it
    return sqliteExec(db, "DROP TABLE raw_lines");
}

std::optional<OomEvent> readEvent(sqlite3 *db, qint64 eventId)
{
    SqliteStatement s;
    if (!db || !s.prepare(db, "SELECT " + columnList(kEventColumns) + " FROM events WHERE id = ?"))
        return std::nullopt;
    s.bind(1, std::int64_t(eventId));
    if (s.step() != SQLITE_ROW)
        return std::nullopt;
    OomEvent e;
    readEventData(s, e);
    if (!readTasks(db, eventId, e) || !readKills(db, eventId, e) || !readStatsAndRawLines(db, eventId, e))
        return std::nullopt;
    return e;
}

std::vector<EventSummary> readEventSummaries(sqlite3 *db)
{
    std::vector<EventSummary> out;
    SqliteStatement s;
    if (!db
        || !s.prepare(db,
                      "SELECT id, source_id, host, wall_time, uptime_s, oom_constraint, oom_memcg, "
                      "task_memcg, limit_kb, usage_kb, totalpages, victim_pid, victim_comm, "
                      "victim_adj, agrees, complete, kernel_format "
                      "FROM events ORDER BY source_id, first_line, id"))
        return out;
    while (s.step() == SQLITE_ROW) {
        EventSummary e;
        e.id = s.int64(0);
        e.sourceId = s.int64(1);
        e.host = s.text(2);
        if (!s.isNull(3))
            e.wallTime = wallTimeFromText(s.text(3));
        e.uptimeSeconds = s.optReal(4);
        e.constraint = constraintName(fromKey(kConstraintKeys, s.text(5)));
        e.oomMemcg = s.text(6);
        e.taskMemcg = s.text(7);
        e.limitKb = s.int64(8);
        e.usageKb = s.int64(9);
        e.totalPages = s.int64(10);
        e.victimPid = s.int64(11);
        e.victimComm = s.text(12);
        e.victimAdj = s.optInt(13);
        e.agrees = s.boolean(14);
        e.complete = s.boolean(15);
        e.kernelFormat = s.text(16);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<qint64> readEventIdsOfSource(sqlite3 *db, qint64 sourceId)
{
    std::vector<qint64> out;
    SqliteStatement s;
    if (!db || !s.prepare(db, "SELECT id FROM events WHERE source_id = ? ORDER BY first_line, id"))
        return out;
    s.bind(1, std::int64_t(sourceId));
    while (s.step() == SQLITE_ROW)
        out.push_back(s.int64(0));
    return out;
}

} // namespace oomscope
