// SPDX-License-Identifier: GPL-3.0-or-later
#include "peaktracker.h"

#include "memorysample.h"

#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace oomscope {

namespace {

constexpr long kCgroup2Magic = 0x63677270; // CGROUP2_SUPER_MAGIC

// A decimal counter at the start of fd's file, read from offset 0; -1 when unreadable.
std::int64_t preadCounter(int fd)
{
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0)
        return -1;
    char *end = nullptr;
    errno = 0;
    const long long v = std::strtoll(buffer, &end, 10);
    return errno == 0 && end != buffer && v >= 0 ? std::int64_t(v) : -1;
}

} // namespace

PeakTracker::PeakTracker(QString memoryRoot, CgroupVersion version, bool resetV1)
    : m_memoryRoot(std::move(memoryRoot))
    , m_version(version)
    , m_resetV1(resetV1)
{ }

PeakTracker::~PeakTracker()
{
    for (const auto &[path, st] : m_state) {
        if (st.fd >= 0)
            ::close(st.fd);
    }
}

void PeakTracker::forget(const QString &path)
{
    const auto it = m_state.find(path);
    if (it == m_state.end())
        return;
    if (it->second.fd >= 0)
        ::close(it->second.fd);
    m_state.erase(it);
}

bool PeakTracker::exact(const QString &path) const
{
    const auto it = m_state.find(path);
    return (m_version == CgroupVersion::V1 && m_resetV1) || (it != m_state.end() && it->second.fd >= 0);
}

// v2 >= 6.12: the peak on our own descriptor since our last reset, then reset; -1 where the
// kernel has no per-file reset (the file is read-only before 6.12) or this is not cgroupfs.
std::int64_t PeakTracker::ownPeak(const QString &path, State &st)
{
    if (!st.fdTried) {
        st.fdTried = true;
        const QString file =
            (path == QLatin1String("/") ? m_memoryRoot : m_memoryRoot + path) + QLatin1String("/memory.peak");
        const int fd = ::open(QFile::encodeName(file).constData(), O_RDWR | O_CLOEXEC);
        struct statfs fs {
        };
        // Only the kernel's file: writing to a copy in a fixture tree would overwrite it.
        if (fd >= 0 && ::fstatfs(fd, &fs) == 0 && long(fs.f_type) == kCgroup2Magic)
            st.fd = fd;
        else if (fd >= 0)
            ::close(fd);
    }
    if (st.fd < 0)
        return -1;
    const std::int64_t peak = preadCounter(st.fd);
    if (peak < 0 || ::pwrite(st.fd, "reset\n", 6, 0) != 6) {
        ::close(st.fd); // no per-file reset after all: fall back to the shared mark
        st.fd = -1;
        return -1;
    }
    return peak;
}

std::int64_t PeakTracker::intervalPeak(const QString &path, const CgroupSample &reading)
{
    if (!reading.usageBytes)
        return MemorySample::kUnknown;
    const std::int64_t usage = *reading.usageBytes;
    State &st = m_state[path];
    std::int64_t peak = -1;
    if (m_version == CgroupVersion::V2)
        peak = ownPeak(path, st);
    if (peak < 0 && reading.peakBytes) {
        const std::int64_t mark = *reading.peakBytes;
        if (m_version == CgroupVersion::V1 && m_resetV1) {
            peak = mark;
            const QString file = (path == QLatin1String("/") ? m_memoryRoot : m_memoryRoot + path)
                + QLatin1String("/memory.max_usage_in_bytes");
            QFile f(file);
            if (f.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
                f.write("0");
        } else if (st.lastMark < 0 || mark != st.lastMark) {
            // A rise (or a reset by someone else): the mark was reached since the last sample.
            // The first reading's mark may be days old: its usage is all that is known.
            peak = st.lastMark < 0 ? usage : mark;
        } else {
            peak = std::max(usage, st.lastUsage);
        }
        st.lastMark = mark;
    }
    st.lastUsage = usage;
    return std::max(peak, usage);
}

} // namespace oomscope
