// SPDX-License-Identifier: GPL-3.0-or-later
// Fixture trees (cgroupfs, /proc) copied into a test's temporary directory and changed there.
#pragma once

#include <QByteArray>
#include <QString>
#include <QTimer>

#include <cstdint>

namespace oomscope::testsupport {

// Copies the committed tree `from` (files and folders, recursively) to `to` and makes the copy
// writable by its owner (a checkout may hand the fixtures over read-only). false on any failure.
bool copyFixtureTree(const QString &from, const QString &to);

// Replaces a file atomically (write and rename), so a reader never sees a half-written counter.
bool writeFileAtomically(const QString &path, const QByteArray &content);

// Makes a fixture cgroup (a copied tree) leak while a reader samples it: every 100 ms on the
// owner's thread its anonymous memory grows by stepBytes, up to capBytes. v1 (memory.usage_in_bytes
// present): memory.stat rss/total_rss and memory.usage_in_bytes; v2: memory.stat anon and
// memory.current. Page cache (v1 cache, v2 file) is set to cacheBytes. The high-water mark (v1
// memory.max_usage_in_bytes, v2 memory.peak) follows.
class FixtureLeak
{
public:
    FixtureLeak(QString cgroupDir, std::int64_t startBytes, std::int64_t stepBytes, std::int64_t capBytes,
                std::int64_t cacheBytes = 0);
    // Writes the first reading and starts the timer; false when the cgroup's files are missing.
    bool start();
    void stop() { m_timer.stop(); }
    // One reading now (tests that step by hand instead of start()).
    bool write(std::int64_t anonBytes);
    std::int64_t anonBytes() const { return m_bytes; }

private:
    QString m_dir;
    QByteArray m_stat;
    bool m_v1 = true;
    std::int64_t m_bytes;
    std::int64_t m_step;
    std::int64_t m_cap;
    std::int64_t m_cache;
    std::int64_t m_peak = 0;
    QTimer m_timer;
};

} // namespace oomscope::testsupport
