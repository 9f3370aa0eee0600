// SPDX-License-Identifier: GPL-3.0-or-later
// Spots new cgroup directories below watched subtrees between two sampler ticks, cheaply: inotify
// IN_CREATE on every directory of the subtrees (cgroupfs delivers it for mkdir: checked on cgroup
// v1 under 6.18, see docs/architecture.md), and a readdir walk of the directories where inotify is
// not available (no instance left, watch limit reached). Either way takeNew() costs nothing when
// nothing changed and one directory listing per new directory otherwise.
#pragma once

#include <QString>
#include <QStringList>

#include <map>
#include <set>

namespace oomscope {

class CgroupTreeWatch
{
public:
    // memoryRoot: the absolute directory cgroup paths are relative to (CgroupReader::memoryRoot).
    // useInotify false: always walk (tests; filesystems without inotify).
    explicit CgroupTreeWatch(QString memoryRoot, bool useInotify = true);
    ~CgroupTreeWatch();
    CgroupTreeWatch(const CgroupTreeWatch &) = delete;
    CgroupTreeWatch &operator=(const CgroupTreeWatch &) = delete;

    // The subtrees to follow (normalised relative paths, "/" for everything). Directories that
    // exist now are known, not new: only those created afterwards are reported.
    void setSubtrees(const QStringList &subtrees);
    // Directories created below the subtrees since the last call (parents before children),
    // as paths relative to the memory root. Ones that vanished again before this call are not
    // reported.
    QStringList takeNew();
    bool usesInotify() const { return m_fd >= 0; }

private:
    void addTree(const QString &relPath, QStringList *found);
    void scanAll(QStringList *found);
    void drainEvents(QStringList *found);
    QString absolute(const QString &relPath) const;

    QString m_memoryRoot;
    QStringList m_subtrees;
    int m_fd = -1;
    bool m_inotifyFailed = false; // a watch could not be added: walk instead from now on
    std::map<int, QString> m_watchPaths; // inotify watch descriptor -> relative path
    std::set<QString> m_known;
};

} // namespace oomscope
