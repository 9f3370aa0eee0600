// SPDX-License-Identifier: GPL-3.0-or-later
#include "deathspill.h"

#include <QDir>

#include <algorithm>
#include <cerrno>
#include <cstring>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

// The records' form in the file: QDataStream's, field by field (the file lives as long as one
// analyze or import and is read by the same program).
template<typename T> void put(QDataStream &s, const std::optional<T> &v)
{
    s << v.has_value();
    if (v)
        s << *v;
}

template<typename T> void get(QDataStream &s, std::optional<T> &v)
{
    bool has = false;
    s >> has;
    v.reset();
    if (has) {
        T value {};
        s >> value;
        v = std::move(value);
    }
}

void put(QDataStream &s, const std::vector<DeathEvidence> &evidence)
{
    s << quint32(evidence.size());
    for (const DeathEvidence &e : evidence)
        s << e.source << e.line << e.text;
}

void get(QDataStream &s, std::vector<DeathEvidence> &evidence)
{
    quint32 n = 0;
    s >> n;
    evidence.clear();
    for (quint32 i = 0; i < n && s.status() == QDataStream::Ok; ++i) {
        DeathEvidence e;
        s >> e.source >> e.line >> e.text;
        evidence.push_back(std::move(e));
    }
}

void write(QDataStream &s, const KernelKill &k)
{
    s << k.eventId << k.source << k.host;
    put(s, k.wallTime);
    put(s, k.uptimeSeconds);
    s << qint32(k.constraint) << k.taskMemcg << k.oomMemcg << qint64(k.pid) << k.comm;
    s << quint32(k.groupKilled.size());
    for (const auto &[pid, comm] : k.groupKilled)
        s << qint64(pid) << comm;
    put(s, k.evidence);
}

void read(QDataStream &s, KernelKill &k)
{
    k = {};
    qint32 constraint = 0;
    qint64 pid = 0;
    s >> k.eventId >> k.source >> k.host;
    get(s, k.wallTime);
    get(s, k.uptimeSeconds);
    s >> constraint >> k.taskMemcg >> k.oomMemcg >> pid >> k.comm;
    k.constraint = Constraint(constraint);
    k.pid = pid;
    quint32 n = 0;
    s >> n;
    for (quint32 i = 0; i < n && s.status() == QDataStream::Ok; ++i) {
        qint64 groupPid = 0;
        QString comm;
        s >> groupPid >> comm;
        k.groupKilled.emplace_back(groupPid, std::move(comm));
    }
    get(s, k.evidence);
}

void write(QDataStream &s, const OrderedDeath &o)
{
    const Death &d = o.death;
    s << quint64(o.order);
    put(s, d.time);
    put(s, d.uptimeSeconds);
    s << d.node << d.namespaceName << d.pod << d.container << d.cgroup << d.podUid << d.containerId;
    put(s, d.pid ? std::optional<qint64>(*d.pid) : std::nullopt);
    s << d.comm << qint32(d.killer);
    put(s, d.exitCode);
    put(s, d.restartCount);
    put(s, d.evidence);
    s << qint32(d.confidence);
    put(s, d.eventId);
    s << d.notes;
}

void read(QDataStream &s, OrderedDeath &o)
{
    o = {};
    Death &d = o.death;
    quint64 order = 0;
    s >> order;
    o.order = order;
    get(s, d.time);
    get(s, d.uptimeSeconds);
    s >> d.node >> d.namespaceName >> d.pod >> d.container >> d.cgroup >> d.podUid >> d.containerId;
    std::optional<qint64> pid;
    get(s, pid);
    if (pid)
        d.pid = *pid;
    qint32 killer = 0, confidence = 0;
    s >> d.comm >> killer;
    d.killer = Killer(killer);
    get(s, d.exitCode);
    get(s, d.restartCount);
    get(s, d.evidence);
    s >> confidence;
    d.confidence = DeathConfidence(confidence);
    get(s, d.eventId);
    s >> d.notes;
}

// $TMPDIR, else /tmp, as given: QDir::tempPath() makes a missing $TMPDIR an empty path, and a
// temporary file in the current directory.
QString spillDirectory()
{
    const QString dir = qEnvironmentVariable("TMPDIR");
    return dir.isEmpty() ? u"/tmp"_s : dir;
}

} // namespace

bool SpillFile::open()
{
    if (m_file)
        return true;
    if (m_error)
        return false;
    auto file =
        std::make_unique<QTemporaryFile>(QDir(spillDirectory()).filePath(u"oomscope-deaths-XXXXXX"_s));
    if (!file->open()) {
        m_error = Error {Error::Kind::Io,
                         u"cannot make a temporary file for the deaths table in %1 ($TMPDIR): %2"_s.arg(
                             spillDirectory(), file->errorString())};
        return false;
    }
    m_file = std::move(file);
    m_stream.setDevice(m_file.get());
    m_stream.setVersion(QDataStream::Qt_6_4);
    m_writing = true;
    return true;
}

void SpillFile::failWith(const QString &what)
{
    const int cause = errno; // the failed write's or read's (QFile does not always keep it)
    if (m_error)
        return;
    const bool full = cause == ENOSPC || (m_file && m_file->error() == QFileDevice::ResourceError);
    const QString reason = cause != 0 ? QString::fromLocal8Bit(std::strerror(cause))
        : m_file                      ? m_file->errorString()
                                      : QString();
    m_error = Error {
        full ? Error::Kind::DiskFull : Error::Kind::Io,
        u"cannot %1 the deaths table's temporary file in %2: %3"_s.arg(what, spillDirectory(), reason)};
}

template<typename T> void SpillFile::append(const T &record)
{
    if (!open() || m_error)
        return;
    if (!m_writing) {
        m_file->seek(m_end);
        m_writing = true;
    }
    errno = 0;
    write(m_stream, record);
    m_end = m_file->pos();
    if (m_stream.status() != QDataStream::Ok || m_file->error() != QFileDevice::NoError)
        failWith(u"write"_s);
}

template<typename T> qint64 SpillFile::readAt(qint64 pos, T &record)
{
    if (!m_file || m_error)
        return pos;
    errno = 0;
    if (m_writing && !m_file->flush()) {
        failWith(u"write"_s);
        return pos;
    }
    m_writing = false;
    if (m_file->pos() != pos)
        m_file->seek(pos);
    read(m_stream, record);
    if (m_stream.status() != QDataStream::Ok) {
        failWith(u"read"_s);
        return pos;
    }
    return m_file->pos();
}

void SpillFile::truncate(qint64 pos)
{
    if (!m_file || pos >= m_end)
        return;
    if (m_writing)
        m_file->flush();
    m_file->resize(pos);
    m_end = pos;
    m_writing = false;
}

template void SpillFile::append(const KernelKill &);
template void SpillFile::append(const OrderedDeath &);
template qint64 SpillFile::readAt(qint64, KernelKill &);
template qint64 SpillFile::readAt(qint64, OrderedDeath &);

void KillSpill::add(KernelKill &&kill)
{
    if (m_held.size() < kHeldInMemory) {
        m_held.push_back(std::move(kill));
        return;
    }
    m_file.append(kill);
    ++m_spilled;
}

void KillSpill::rollBack(const Mark &mark)
{
    if (mark.held < m_held.size())
        m_held.resize(mark.held);
    m_spilled = std::min(m_spilled, mark.spilled);
    m_file.truncate(mark.position);
}

std::function<bool(KernelKill &)> KillSpill::spilledReader()
{
    return [this, pos = qint64(0), left = m_spilled](KernelKill &kill) mutable {
        if (left == 0 || m_file.error())
            return false;
        pos = m_file.readAt(pos, kill);
        --left;
        return !m_file.error();
    };
}

void FinishedDeaths::add(OrderedDeath &&death)
{
    if (m_runs.empty() && m_held.size() < KillSpill::kHeldInMemory) {
        m_held.push_back(std::move(death));
        return;
    }
    // A row before the previous one starts a new run.
    if (m_runs.empty() || (m_last && deathBefore(death, *m_last)))
        m_runs.push_back({m_file.position(), m_file.position()});
    m_last = OrderedDeath {death.order, {}};
    m_last->death.time = death.death.time;
    m_file.append(death);
    m_runs.back().end = m_file.position();
}

Result<void> FinishedDeaths::mergeRuns(SpillFile &file, std::vector<Run> runs,
                                       std::vector<OrderedDeath> *held,
                                       const std::function<void(OrderedDeath &&)> &visit)
{
    // One head per run (and one for the rows in memory): take the first, read that run's next.
    struct Head {
        OrderedDeath row;
        std::size_t run; // runs.size(): the rows in memory
    };
    std::vector<Head> heads;
    std::size_t nextHeld = 0;
    auto advance = [&](std::size_t run) -> bool {
        Head h {{}, run};
        if (run == runs.size()) {
            if (!held || nextHeld == held->size())
                return false;
            h.row = std::move((*held)[nextHeld++]);
        } else {
            Run &r = runs[run];
            if (r.begin >= r.end)
                return false;
            r.begin = file.readAt(r.begin, h.row);
            if (file.error())
                return false;
        }
        heads.push_back(std::move(h));
        std::push_heap(heads.begin(), heads.end(),
                       [](const Head &a, const Head &b) { return deathBefore(b.row, a.row); });
        return true;
    };
    for (std::size_t run = 0; run <= runs.size(); ++run)
        advance(run);
    while (!heads.empty() && !file.error()) {
        std::pop_heap(heads.begin(), heads.end(),
                      [](const Head &a, const Head &b) { return deathBefore(b.row, a.row); });
        Head h = std::move(heads.back());
        heads.pop_back();
        visit(std::move(h.row));
        advance(h.run);
    }
    if (const std::optional<Error> &e = file.error())
        return tl::unexpected(*e);
    return {};
}

Result<void> FinishedDeaths::merge(std::vector<OrderedDeath> &&held,
                                   const std::function<void(Death &&)> &visit)
{
    if (const std::optional<Error> &e = m_file.error())
        return tl::unexpected(*e);
    // More runs than can be merged at once (a log whose times jump back and forth): merge them a
    // group at a time into longer runs in a second file, and back, until few are left.
    std::vector<Run> runs = std::move(m_runs);
    SpillFile *from = &m_file, *to = &m_scratch;
    while (runs.size() > kMergeWidth) {
        std::vector<Run> longer;
        to->truncate(0);
        for (std::size_t first = 0; first < runs.size(); first += kMergeWidth) {
            const std::vector<Run> group(runs.begin() + qsizetype(first),
                                         runs.begin()
                                             + qsizetype(std::min(runs.size(), first + kMergeWidth)));
            Run merged {to->position(), to->position()};
            const Result<void> ok =
                mergeRuns(*from, group, nullptr, [to](OrderedDeath &&row) { to->append(row); });
            if (!ok)
                return ok;
            if (const std::optional<Error> &e = to->error())
                return tl::unexpected(*e);
            merged.end = to->position();
            longer.push_back(merged);
        }
        runs = std::move(longer);
        std::swap(from, to);
    }
    std::move(m_held.begin(), m_held.end(), std::back_inserter(held));
    m_held.clear();
    std::sort(held.begin(), held.end(), deathBefore);
    return mergeRuns(*from, runs, &held, [&visit](OrderedDeath &&row) { visit(std::move(row.death)); });
}

} // namespace oomscope
