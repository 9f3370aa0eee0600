// SPDX-License-Identifier: GPL-3.0-or-later
// Reading cgroupfs and procfs pseudo-files without trusting them: the cgroup reader's file
// buffer (regular files only, no symbolic links followed, a size cap) and a descriptor closer.
// Internal to oomscope_live.
#pragma once

#include <QString>

#include <cstddef>
#include <memory>
#include <string_view>

namespace oomscope::live {

enum class ReadStatus { Ok, Missing, Failed };

// A reusable read buffer for pseudo-files. Allocated once per public call, never zero-filled.
class FileBuffer
{
public:
    // cgroupfs and procfs single-record files hand over their whole content in the first read()
    // when the buffer is large enough, so a short read means "complete" and the EOF read is
    // skipped (one syscall saved per file). Record-iterating files (cgroup.procs) may return
    // one page per read(); those pass untilEof.
    ReadStatus readAt(int dirFd, const char *name, bool untilEof = false);

    // Why the last readAt() failed, in words (never the file's content).
    const QString &failure() const { return m_failure; }

    std::string_view view() const { return {m_data.get(), m_size}; }

private:
    void grow(size_t capacity);

    // cgroup.procs of a cgroup with 100k tasks is ~700 KiB; memory.stat is ~2 KiB.
    static constexpr size_t kMaxBytes = size_t(4) << 20;

    std::unique_ptr<char[]> m_data;
    size_t m_capacity = 0;
    size_t m_size = 0;
    QString m_failure;
};

// Closes a descriptor on scope exit.
struct Fd {
    int fd = -1;
    explicit Fd(int f)
        : fd(f)
    { }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd();
};

} // namespace oomscope::live
