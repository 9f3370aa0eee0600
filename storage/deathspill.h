// SPDX-License-Identifier: GPL-3.0-or-later
// Where the deaths table keeps what it must not hold in memory (a log of a crash-looping
// container has tens of thousands of kills): the kernel kills gathered while the logs are read,
// and the rows finished at once (buildDeaths' streams), each in an unnamed temporary file
// (QTemporaryFile, in $TMPDIR) read back in turn. The first kHeldInMemory records of each stay in
// memory, so the usual inputs never touch the disk. Internal to deathinputs.cpp (and its tests).
#pragma once

#include "deaths.h"
#include "result.h"

#include <QDataStream>
#include <QTemporaryFile>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace oomscope {

// Records of one kind, appended to a temporary file and read back from a position. A failed write
// (the temporary directory full or missing) is kept as error(); what was added before stays.
class SpillFile
{
public:
    // The file is made at the first append.
    qint64 position() const { return m_end; }
    template<typename T> void append(const T &record);
    // Reads the record at pos into record and returns where the next one starts.
    template<typename T> qint64 readAt(qint64 pos, T &record);
    void truncate(qint64 pos); // drops the records from pos on
    const std::optional<Error> &error() const { return m_error; }

private:
    bool open();
    void failWith(const QString &what);

    std::unique_ptr<QTemporaryFile> m_file;
    QDataStream m_stream;
    qint64 m_end = 0; // where the next record goes
    bool m_writing = false; // the file's position is at m_end, records are being written
    std::optional<Error> m_error;
};

// The kernel kills of the logs read so far, in the order they were added.
class KillSpill
{
public:
    static constexpr std::size_t kHeldInMemory = 1024;

    void add(KernelKill &&kill);
    std::size_t size() const { return m_held.size() + m_spilled; }
    // Where it stands, to drop what is added after (an import that failed gathers nothing).
    struct Mark {
        std::size_t held = 0, spilled = 0;
        qint64 position = 0;
    };
    Mark mark() const { return {m_held.size(), m_spilled, m_file.position()}; }
    void rollBack(const Mark &mark);
    // The kills held in memory (the first ones) and, after them, a reader of the rest, in order.
    const std::vector<KernelKill> &held() const { return m_held; }
    std::function<bool(KernelKill &)> spilledReader();
    // The held kills, moved out: the spill is then used up but for spilledReader().
    std::vector<KernelKill> takeHeld() { return std::exchange(m_held, {}); }
    const std::optional<Error> &error() const { return m_file.error(); }

private:
    std::vector<KernelKill> m_held;
    SpillFile m_file;
    std::size_t m_spilled = 0;
};

// The rows of the table buildDeaths finished at once (in the order they were made), merged at the
// end with the rows it held into the table's order (deathBefore). The finished rows come mostly
// in time order (a log's kills are), so they are kept as runs of rows in order, merged by at most
// kMergeWidth at a time: memory does not grow with the number of rows.
class FinishedDeaths
{
public:
    static constexpr std::size_t kMergeWidth = 32;

    void add(OrderedDeath &&death);
    // Every row, merged with held (sorted by deathBefore), in the table's order, to visit. Once.
    Result<void> merge(std::vector<OrderedDeath> &&held, const std::function<void(Death &&)> &visit);
    std::size_t runs() const { return m_runs.size(); }

private:
    struct Run {
        qint64 begin = 0, end = 0; // file positions
    };
    Result<void> mergeRuns(SpillFile &file, std::vector<Run> runs, std::vector<OrderedDeath> *held,
                           const std::function<void(OrderedDeath &&)> &visit);

    std::vector<OrderedDeath> m_held; // the first rows, before any file
    SpillFile m_file;
    SpillFile m_scratch; // the other file of a merge in passes
    std::vector<Run> m_runs;
    std::optional<OrderedDeath> m_last; // the key of the newest row (time and order; no evidence)
};

} // namespace oomscope
