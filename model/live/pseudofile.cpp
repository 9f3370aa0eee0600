// SPDX-License-Identifier: GPL-3.0-or-later
#include "pseudofile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope::live {

ReadStatus FileBuffer::readAt(int dirFd, const char *name, bool untilEof)
{
    m_size = 0;
    m_failure.clear();
    // Outside cgroupfs (a fixture tree, a copied node's root) a file may be a symbolic link to
    // a secret, a FIFO that never answers or /dev/zero: only regular files are read, links
    // are not followed, and no file is read past kMaxBytes.
    const Fd fd(::openat(dirFd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (fd.fd < 0) {
        if (errno == ENOENT || errno == ESRCH)
            return ReadStatus::Missing;
        m_failure = errno == ELOOP ? u"a symbolic link (not followed)"_s
                                   : QString::fromLocal8Bit(std::strerror(errno));
        return ReadStatus::Failed;
    }
    struct stat st {
    };
    if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        m_failure = u"not a regular file"_s;
        return ReadStatus::Failed;
    }
    if (m_capacity == 0)
        grow(16384);
    for (;;) {
        const ssize_t n = ::read(fd.fd, m_data.get() + m_size, m_capacity - m_size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ESRCH || errno == ENOENT)
                return ReadStatus::Missing;
            m_failure = QString::fromLocal8Bit(std::strerror(errno));
            return ReadStatus::Failed;
        }
        m_size += size_t(n);
        if (n == 0 || (!untilEof && m_size < m_capacity))
            break;
        if (m_size == m_capacity) {
            if (m_capacity >= kMaxBytes) {
                m_failure = u"larger than %1 MiB"_s.arg(kMaxBytes >> 20);
                m_size = 0;
                return ReadStatus::Failed;
            }
            grow(std::min(m_capacity * 2, kMaxBytes));
        }
    }
    return ReadStatus::Ok;
}

void FileBuffer::grow(size_t capacity)
{
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (m_size)
        std::memcpy(bigger.get(), m_data.get(), m_size);
    m_data = std::move(bigger);
    m_capacity = capacity;
}

Fd::~Fd()
{
    if (fd >= 0)
        ::close(fd);
}

} // namespace oomscope::live
