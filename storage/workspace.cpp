// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace.h"

#include "killdecision.h"
#include "logsource.h"
#include "schema.h"
#include "sqlitestatement.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

#include <algorithm>
#include <array>
#include <sqlite3.h>
#include <string_view>
#include <xxhash.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// Stable text keys for enums in the file. They are part of the file format: never change one,
// only add.
template<typename E> struct EnumKey {
    E value;
    std::string_view key;
};

constexpr std::array kPrefixStyleKeys {
    EnumKey<PrefixStyle> {PrefixStyle::Unknown, "unknown"},
    EnumKey<PrefixStyle> {PrefixStyle::None, "none"},
    EnumKey<PrefixStyle> {PrefixStyle::Dmesg, "dmesg"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgCaller, "dmesg-caller"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgHuman, "dmesg-human"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgIso, "dmesg-iso"},
    EnumKey<PrefixStyle> {PrefixStyle::DmesgRaw, "dmesg-raw"},
    EnumKey<PrefixStyle> {PrefixStyle::Syslog, "syslog"},
    EnumKey<PrefixStyle> {PrefixStyle::SyslogPrecise, "syslog-precise"},
    EnumKey<PrefixStyle> {PrefixStyle::SyslogIso, "syslog-iso"},
    EnumKey<PrefixStyle> {PrefixStyle::JournalMonotonic, "journal-monotonic"},
    EnumKey<PrefixStyle> {PrefixStyle::Kmsg, "kmsg"},
    EnumKey<PrefixStyle> {PrefixStyle::Rfc5424, "rfc5424"},
};

constexpr std::array kLayoutKeys {
    EnumKey<TaskTableLayout> {TaskTableLayout::Unknown, "unknown"},
    EnumKey<TaskTableLayout> {TaskTableLayout::NrPtes, "nr_ptes"},
    EnumKey<TaskTableLayout> {TaskTableLayout::NrPtesNrPmds, "nr_ptes+nr_pmds"},
    EnumKey<TaskTableLayout> {TaskTableLayout::PgtablesBytes, "pgtables_bytes"},
    EnumKey<TaskTableLayout> {TaskTableLayout::RssSplit, "rss_split"},
};

// Same words as constraintName(), so the column reads naturally in SQL.
constexpr std::array kConstraintKeys {
    EnumKey<Constraint> {Constraint::Unknown, "unknown"},
    EnumKey<Constraint> {Constraint::None, "global"},
    EnumKey<Constraint> {Constraint::Cpuset, "cpuset"},
    EnumKey<Constraint> {Constraint::MemoryPolicy, "mempolicy"},
    EnumKey<Constraint> {Constraint::Memcg, "memcg"},
};

constexpr std::array kWarningKindKeys {
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Truncated, "truncated"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Binary, "binary"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::LongLine, "long-line"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Malformed, "malformed"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Orphan, "orphan"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Interleaved, "interleaved"},
    EnumKey<ParseWarning::Kind> {ParseWarning::Kind::Encoding, "encoding"},
};

constexpr std::array kEraKeys {
    EnumKey<BadnessEra> {BadnessEra::Unknown, "unknown"},
    EnumKey<BadnessEra> {BadnessEra::Linux310, "3.10"},
    EnumKey<BadnessEra> {BadnessEra::Linux41to414, "4.1-4.14"},
    EnumKey<BadnessEra> {BadnessEra::Linux415to416, "4.15-4.16"},
    EnumKey<BadnessEra> {BadnessEra::Linux417to52, "4.17-5.2"},
    EnumKey<BadnessEra> {BadnessEra::Linux53to58, "5.3-5.8"},
    EnumKey<BadnessEra> {BadnessEra::Linux59Plus, "5.9+"},
};

template<typename E, std::size_t N> QByteArray toKey(const std::array<EnumKey<E>, N> &table, E value)
{
    for (const auto &entry : table) {
        if (entry.value == value)
            return QByteArray(entry.key.data(), qsizetype(entry.key.size()));
    }
    return QByteArray(table.front().key.data(), qsizetype(table.front().key.size()));
}

template<typename E, std::size_t N> E fromKey(const std::array<EnumKey<E>, N> &table, const QString &key)
{
    const QByteArray latin = key.toLatin1();
    for (const auto &entry : table) {
        if (std::string_view(latin.constData(), std::size_t(latin.size())) == entry.key)
            return entry.value;
    }
    return table.front().value;
}

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

// Forwards reads to the caller's device and remembers a failed read, so an I/O error in the
// middle of a file can never be mistaken for its end (which would store a truncated source).
class ReadGuardDevice : public QIODevice
{
public:
    explicit ReadGuardDevice(QIODevice &inner)
        : m_inner(inner)
    { }

    bool isSequential() const override { return true; }
    bool atEnd() const override { return QIODevice::bytesAvailable() == 0 && m_inner.atEnd(); }
    qint64 bytesAvailable() const override { return QIODevice::bytesAvailable() + m_inner.bytesAvailable(); }
    bool failed() const { return m_failed; }
    QString innerError() const { return m_inner.errorString(); }
    qint64 bytesPassed() const { return m_bytes; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_failed)
            return -1;
        qint64 n = m_inner.read(data, maxSize);
        // A sequential device with nothing buffered yet (a pipe) blocks until data or its end.
        if (n == 0 && !m_inner.atEnd() && m_inner.isSequential() && m_inner.waitForReadyRead(-1))
            n = m_inner.read(data, maxSize);
        if (n < 0) {
            m_failed = true;
            setErrorString(m_inner.errorString());
            return -1;
        }
        m_bytes += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QIODevice &m_inner;
    bool m_failed = false;
    qint64 m_bytes = 0;
};

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

constexpr std::array kTaskColumns {
    "event_id",
    "ord",
    "pid",
    "uid",
    "tgid",
    "total_vm_pages",
    "rss_pages",
    "rss_anon_pages",
    "rss_file_pages",
    "rss_shmem_pages",
    "nr_ptes",
    "nr_pmds",
    "pgtables_bytes",
    "swapents_pages",
    "oom_score_adj",
    "comm",
    "line",
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

} // namespace

struct Workspace::Private {
    sqlite3 *db = nullptr;
    QString path;
    int schemaVersion = 0;

    // Import statements, prepared once per connection and reset after every row.
    SqliteStatement insertSource;
    SqliteStatement findHash;
    SqliteStatement finishSource;
    SqliteStatement insertEvent;
    SqliteStatement insertTask;
    SqliteStatement insertKill;
    SqliteStatement insertStat;
    SqliteStatement insertRawLine;
    SqliteStatement insertWarning;

    bool prepareImportStatements(QString *error);
    bool storeEvent(qint64 sourceId, const OomEvent &event, QString *error);
    void closeDb();
};

bool Workspace::Private::prepareImportStatements(QString *error)
{
    if (insertEvent.isValid())
        return true;
    const std::array<std::pair<SqliteStatement *, QByteArray>, 9> statements {{
        {&insertSource,
         "INSERT INTO sources (name, content_hash, bytes, lines, imported_at) "
         "VALUES (?, ?, 0, 0, ?)"},
        {&findHash, "SELECT id FROM sources WHERE content_hash = ? AND id <> ?"},
        {&finishSource, "UPDATE sources SET content_hash = ?, bytes = ?, lines = ? WHERE id = ?"},
        {&insertEvent, insertSql("events", kEventColumns)},
        {&insertTask, insertSql("tasks", kTaskColumns)},
        {&insertKill, insertSql("group_kills", kKillColumns)},
        {&insertStat, "INSERT INTO memcg_stats (event_id, ord, key, value) VALUES (?, ?, ?, ?)"},
        {&insertRawLine, "INSERT INTO raw_lines (event_id, ord, line, text) VALUES (?, ?, ?, ?)"},
        {&insertWarning, "INSERT INTO warnings (source_id, line, kind, detail) VALUES (?, ?, ?, ?)"},
    }};
    for (const auto &[stmt, sql] : statements) {
        if (!stmt->prepare(db, sql, true)) {
            if (error)
                *error = u"cannot prepare statement: "_s + sqliteLastError(db);
            return false;
        }
    }
    return true;
}

bool Workspace::Private::storeEvent(qint64 sourceId, const OomEvent &e, QString *error)
{
    const KillDecision decision = decideKill(e);

    SqliteStatement &s = insertEvent;
    int i = 1;
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
    Q_ASSERT(i == int(kEventColumns.size()) + 1);
    if (!s.run()) {
        if (error)
            *error = u"cannot store an event: "_s + sqliteLastError(db);
        return false;
    }
    const std::int64_t eventId = sqlite3_last_insert_rowid(db);

    bool ok = true;
    std::int64_t ord = 0;
    for (const OomTask &t : e.tasks) {
        SqliteStatement &ts = insertTask;
        int j = 1;
        ts.bind(j++, eventId);
        ts.bind(j++, ord++);
        ts.bind(j++, t.pid);
        ts.bind(j++, t.uid);
        ts.bind(j++, t.tgid);
        ts.bind(j++, t.totalVmPages);
        ts.bind(j++, t.rssPages);
        ts.bind(j++, t.rssAnonPages);
        ts.bind(j++, t.rssFilePages);
        ts.bind(j++, t.rssShmemPages);
        ts.bind(j++, t.nrPtes);
        ts.bind(j++, t.nrPmds);
        ts.bind(j++, t.pgtablesBytes);
        ts.bind(j++, t.swapEntsPages);
        ts.bind(j++, t.oomScoreAdj);
        ts.bind(j++, t.comm);
        ts.bind(j++, std::int64_t(t.line));
        ok = ok && ts.run();
    }
    ord = 0;
    for (const KilledProcess &k : e.groupKilled) {
        int j = 1;
        insertKill.bind(j++, eventId);
        insertKill.bind(j++, ord++);
        insertKill.bind(j++, k.pid);
        bindKillDetails(insertKill, j, k);
        ok = ok && insertKill.run();
    }
    ord = 0;
    for (const auto &[key, value] : e.memcgStats) {
        insertStat.bind(1, eventId);
        insertStat.bind(2, ord++);
        insertStat.bind(3, key);
        insertStat.bind(4, value);
        ok = ok && insertStat.run();
    }
    ord = 0;
    for (const RawLine &raw : e.rawLines) {
        insertRawLine.bind(1, eventId);
        insertRawLine.bind(2, ord++);
        insertRawLine.bind(3, std::int64_t(raw.line));
        insertRawLine.bind(4, raw.text);
        ok = ok && insertRawLine.run();
    }
    if (!ok && error)
        *error = u"cannot store the details of an event: "_s + sqliteLastError(db);
    return ok;
}

void Workspace::Private::closeDb()
{
    for (SqliteStatement *stmt : {&insertSource, &findHash, &finishSource, &insertEvent, &insertTask,
                                  &insertKill, &insertStat, &insertRawLine, &insertWarning})
        *stmt = SqliteStatement();
    if (db)
        sqlite3_close_v2(db);
    db = nullptr;
    path.clear();
    schemaVersion = 0;
}

Workspace::Workspace()
    : d(std::make_unique<Private>())
{ }

Workspace::~Workspace()
{
    close();
}

bool Workspace::isWorkspaceFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray header = file.read(72);
    if (header.size() < 72 || !header.startsWith(QByteArrayView("SQLite format 3\0", 16)))
        return false;
    const auto byte = [&](int i) {
        return quint32(quint8(header[i]));
    };
    const quint32 applicationId = byte(68) << 24 | byte(69) << 16 | byte(70) << 8 | byte(71);
    return applicationId == quint32(schema::kApplicationId);
}

QString Workspace::defaultPath()
{
    // GenericDataLocation + our own folder, so the path does not depend on the application and
    // organisation names set by whichever executable (GUI, CLI) opens the workspace.
    const QString dir =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/oomscope"_s;
    QDir().mkpath(dir);
    return dir + u"/workspace.sqlite"_s;
}

bool Workspace::open(const QString &path, QString *error)
{
    close();
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        d->closeDb();
        return false;
    };

    // Check the header ourselves before SQLite touches the file: a wrong file must stay untouched
    // and the person should learn what it is not.
    const QFileInfo info(path);
    if (info.exists() && info.size() > 0) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(u"cannot open %1: %2"_s.arg(path, file.errorString()));
        const QByteArray header = file.read(16);
        if (header != QByteArrayView("SQLite format 3\0", 16))
            return fail(u"%1 is not an oomscope workspace (not an SQLite database)"_s.arg(path));
    }

    const QByteArray nativePath = QFile::encodeName(path);
    if (sqlite3_open_v2(nativePath.constData(), &d->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        return fail(u"cannot open %1: %2"_s.arg(path, d->db ? sqliteLastError(d->db) : u"out of memory"_s));
    }
    sqlite3_extended_result_codes(d->db, 1);
    sqlite3_busy_timeout(d->db, 5000);

    // Read-only probes first: nothing below writes until the file is known to be ours.
    auto readInt = [&](const char *sql, bool *ok) {
        SqliteStatement s;
        *ok = s.prepare(d->db, sql) && s.step() == SQLITE_ROW;
        return *ok ? s.int64(0) : 0;
    };
    bool ok = false;
    const qint64 tableCount = readInt("SELECT count(*) FROM sqlite_master", &ok);
    if (!ok)
        return fail(u"%1 is not a usable workspace: %2"_s.arg(path, sqliteLastError(d->db)));
    const qint64 applicationId = readInt("PRAGMA application_id", &ok);
    const int version = int(readInt("PRAGMA user_version", &ok));
    if (!ok)
        return fail(u"cannot read the schema version of %1: %2"_s.arg(path, sqliteLastError(d->db)));
    if ((applicationId != 0 && applicationId != schema::kApplicationId)
        || (applicationId == 0 && version == 0 && tableCount > 0))
        return fail(u"%1 is an SQLite database of another program, not an oomscope workspace"_s.arg(path));
    if (version > schema::latestVersion())
        return fail(u"%1 has schema version %2, newer than this oomscope supports (%3); "
                    "update oomscope to open it"_s.arg(path)
                        .arg(version)
                        .arg(schema::latestVersion()));

    QString message;
    if (!sqliteExec(d->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                    &message))
        return fail(u"cannot configure %1: %2"_s.arg(path, message));
    if (!schema::migrate(d->db, &message))
        return fail(message);
    d->schemaVersion = schema::userVersion(d->db);
    d->path = path;
    return true;
}

void Workspace::close()
{
    d->closeDb();
}

bool Workspace::isOpen() const
{
    return d->db != nullptr;
}

QString Workspace::path() const
{
    return d->path;
}

int Workspace::schemaVersion() const
{
    return d->schemaVersion;
}

int Workspace::latestSchemaVersion()
{
    return schema::latestVersion();
}

sqlite3 *Workspace::handle() const
{
    return d->db;
}

ImportResult Workspace::importLogFile(const QString &filePath, const ProgressFn &progress)
{
    OpenedLog log = openLog(filePath);
    if (!log.device) {
        ImportResult result;
        result.error = log.error.isEmpty() ? u"cannot open %1"_s.arg(filePath) : log.error;
        return result;
    }
    return importLog(*log.device,
                     log.displayName.isEmpty() ? QFileInfo(filePath).fileName() : log.displayName, progress);
}

ImportResult Workspace::importLog(QIODevice &device, const QString &displayName, const ProgressFn &progress)
{
    ImportResult result;
    if (!d->db) {
        result.error = u"no workspace is open"_s;
        return result;
    }
    if (!d->prepareImportStatements(&result.error))
        return result;

    SqliteTransaction transaction(d->db);
    if (!transaction.begin(&result.error)) {
        result.error = u"cannot start the import: "_s + result.error;
        return result;
    }

    // The source row is inserted first under a placeholder hash (unique within this
    // transaction, which holds the write lock), because events reference it and the real hash
    // is only known once the last byte has been read.
    d->insertSource.bind(1, displayName);
    d->insertSource.bind(2, u"pending"_s);
    d->insertSource.bind(3, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    if (!d->insertSource.run()) {
        result.error = u"cannot store the source: "_s + sqliteLastError(d->db);
        return result;
    }
    const qint64 sourceId = sqlite3_last_insert_rowid(d->db);

    struct HashState {
        XXH3_state_t *state = XXH3_createState();
        ~HashState() { XXH3_freeState(state); }
    } hash;
    if (!hash.state) {
        result.error = u"out of memory"_s;
        return result;
    }
    XXH3_128bits_reset(hash.state);
    qint64 hashedBytes = 0;

    ReadGuardDevice guard(device);
    if (!guard.open(QIODevice::ReadOnly)) {
        result.error = u"cannot read %1"_s.arg(displayName);
        return result;
    }

    QString storeError;
    ParseSinks sinks;
    sinks.onBlock = [&](const char *data, qsizetype size) {
        XXH3_128bits_update(hash.state, data, std::size_t(size));
        hashedBytes += size;
    };
    sinks.onEvent = [&](OomEvent &&event) {
        if (!storeError.isEmpty())
            return;
        if (d->storeEvent(sourceId, event, &storeError))
            ++result.eventsAdded;
    };
    // Always passed, so a storage or read error stops the parser at its next progress call.
    const ProgressFn guardedProgress = [&](qint64 bytesDone) {
        if (!storeError.isEmpty() || guard.failed())
            return false;
        return progress ? progress(bytesDone) : true;
    };

    ParseResult parsed = OomReportParser().parse(guard, guardedProgress, sinks);
    result.bytesRead = hashedBytes;

    auto abandon = [&](const QString &error) {
        transaction.rollback();
        result.error = error;
        result.eventsAdded = 0;
        return result;
    };
    if (guard.failed())
        return abandon(u"read error in %1: %2"_s.arg(displayName, guard.innerError()));
    if (!storeError.isEmpty())
        return abandon(storeError);
    if (!parsed.error.isEmpty())
        return abandon(parsed.error);
    if (parsed.canceled) {
        transaction.rollback();
        result.canceled = true;
        result.eventsAdded = 0;
        return result;
    }
    // The content hash is the source's identity; if the parser ever handed over fewer bytes than
    // it read, storing that hash would make a different file look already imported.
    if (hashedBytes != guard.bytesPassed())
        return abandon(
            u"internal error: hashed %1 of %2 bytes read"_s.arg(hashedBytes).arg(guard.bytesPassed()));

    const XXH128_hash_t digest = XXH3_128bits_digest(hash.state);
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, digest);
    const QByteArray hexHash =
        QByteArray(reinterpret_cast<const char *>(canonical.digest), sizeof(canonical.digest)).toHex();

    d->findHash.bind(1, hexHash);
    d->findHash.bind(2, std::int64_t(sourceId));
    const bool seen = d->findHash.step() == SQLITE_ROW;
    const qint64 existingId = seen ? d->findHash.int64(0) : 0;
    d->findHash.reset();
    if (seen) {
        transaction.rollback();
        result.ok = true;
        result.alreadyImported = true;
        result.sourceId = existingId;
        result.eventsAdded = 0;
        result.warnings = std::move(parsed.warnings);
        return result;
    }

    d->finishSource.bind(1, hexHash);
    d->finishSource.bind(2, std::int64_t(hashedBytes));
    d->finishSource.bind(3, std::int64_t(parsed.linesRead));
    d->finishSource.bind(4, std::int64_t(sourceId));
    if (!d->finishSource.run())
        return abandon(u"cannot store the source: "_s + sqliteLastError(d->db));

    for (const ParseWarning &w : parsed.warnings) {
        d->insertWarning.bind(1, std::int64_t(sourceId));
        d->insertWarning.bind(2, std::int64_t(w.line));
        d->insertWarning.bind(3, toKey(kWarningKindKeys, w.kind));
        d->insertWarning.bind(4, w.detail);
        if (!d->insertWarning.run())
            return abandon(u"cannot store a warning: "_s + sqliteLastError(d->db));
    }

    QString commitError;
    if (!transaction.commit(&commitError))
        return abandon(u"cannot commit the import: "_s + commitError);
    result.ok = true;
    result.sourceId = sourceId;
    result.warnings = std::move(parsed.warnings);
    return result;
}

std::vector<SourceInfo> Workspace::sources() const
{
    std::vector<SourceInfo> out;
    if (!d->db)
        return out;
    SqliteStatement s;
    if (!s.prepare(d->db,
                   "SELECT s.id, s.name, s.content_hash, s.bytes, s.imported_at, "
                   "(SELECT count(*) FROM events e WHERE e.source_id = s.id), "
                   "(SELECT count(*) FROM warnings w WHERE w.source_id = s.id) "
                   "FROM sources s ORDER BY s.id"))
        return out;
    while (s.step() == SQLITE_ROW) {
        SourceInfo info;
        info.id = s.int64(0);
        info.name = s.text(1);
        info.contentHash = s.text(2);
        info.bytes = s.int64(3);
        info.importedAt = QDateTime::fromString(s.text(4), Qt::ISODateWithMs);
        info.eventCount = s.integer(5);
        info.warningCount = s.integer(6);
        out.push_back(std::move(info));
    }
    return out;
}

std::vector<EventSummary> Workspace::events() const
{
    std::vector<EventSummary> out;
    if (!d->db)
        return out;
    SqliteStatement s;
    if (!s.prepare(d->db,
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

std::optional<OomEvent> Workspace::event(qint64 eventId) const
{
    if (!d->db)
        return std::nullopt;
    SqliteStatement s;
    if (!s.prepare(d->db, "SELECT " + columnList(kEventColumns) + " FROM events WHERE id = ?"))
        return std::nullopt;
    s.bind(1, std::int64_t(eventId));
    if (s.step() != SQLITE_ROW)
        return std::nullopt;

    OomEvent e;
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

    SqliteStatement tasks;
    if (!tasks.prepare(
            d->db, "SELECT " + columnList(kTaskColumns, 2) + " FROM tasks WHERE event_id = ? ORDER BY ord"))
        return std::nullopt;
    tasks.bind(1, std::int64_t(eventId));
    while (tasks.step() == SQLITE_ROW) {
        OomTask t;
        int j = 0;
        t.pid = tasks.int64(j++);
        t.uid = tasks.int64(j++);
        t.tgid = tasks.int64(j++);
        t.totalVmPages = tasks.int64(j++);
        t.rssPages = tasks.int64(j++);
        t.rssAnonPages = tasks.optInt64(j++);
        t.rssFilePages = tasks.optInt64(j++);
        t.rssShmemPages = tasks.optInt64(j++);
        t.nrPtes = tasks.optInt64(j++);
        t.nrPmds = tasks.optInt64(j++);
        t.pgtablesBytes = tasks.optInt64(j++);
        t.swapEntsPages = tasks.int64(j++);
        t.oomScoreAdj = tasks.integer(j++);
        t.comm = tasks.text(j++);
        t.line = tasks.int64(j++);
        e.tasks.push_back(std::move(t));
    }

    SqliteStatement kills;
    if (!kills.prepare(d->db,
                       "SELECT " + columnList(kKillColumns, 2)
                           + " FROM group_kills WHERE event_id = ? ORDER BY ord"))
        return std::nullopt;
    kills.bind(1, std::int64_t(eventId));
    while (kills.step() == SQLITE_ROW) {
        KilledProcess k;
        k.present = true;
        int j = 0;
        k.pid = kills.int64(j++);
        readKillDetails(kills, j, k);
        e.groupKilled.push_back(std::move(k));
    }

    SqliteStatement stats;
    if (!stats.prepare(d->db, "SELECT key, value FROM memcg_stats WHERE event_id = ? ORDER BY ord"))
        return std::nullopt;
    stats.bind(1, std::int64_t(eventId));
    while (stats.step() == SQLITE_ROW)
        e.memcgStats.emplace_back(stats.text(0), stats.int64(1));

    SqliteStatement raw;
    if (!raw.prepare(d->db, "SELECT line, text FROM raw_lines WHERE event_id = ? ORDER BY ord"))
        return std::nullopt;
    raw.bind(1, std::int64_t(eventId));
    while (raw.step() == SQLITE_ROW)
        e.rawLines.push_back(RawLine {raw.int64(0), raw.text(1)});

    return e;
}

std::vector<ParseWarning> Workspace::warnings(qint64 sourceId) const
{
    std::vector<ParseWarning> out;
    if (!d->db)
        return out;
    SqliteStatement s;
    if (!s.prepare(d->db,
                   "SELECT line, kind, detail FROM warnings WHERE source_id = ? "
                   "ORDER BY id"))
        return out;
    s.bind(1, std::int64_t(sourceId));
    while (s.step() == SQLITE_ROW) {
        ParseWarning w;
        w.line = s.int64(0);
        w.kind = fromKey(kWarningKindKeys, s.text(1));
        w.detail = s.text(2);
        out.push_back(std::move(w));
    }
    return out;
}

} // namespace oomscope
