// SPDX-License-Identifier: GPL-3.0-or-later
#include "cgroupwatch.h"

#include <QFile>

#include <cerrno>
#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString childPath(const QString &parent, const QString &name)
{
    return parent == u"/" ? QString(u'/' + name) : QString(parent + u'/' + name);
}

// The subdirectories of dir (names only); empty when it cannot be listed.
QStringList subdirectories(const QString &dir)
{
    QStringList out;
    DIR *d = ::opendir(QFile::encodeName(dir).constData());
    if (!d)
        return out;
    while (const dirent *entry = ::readdir(d)) {
        if (entry->d_name[0] == '.' || (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN))
            continue;
        if (entry->d_type == DT_UNKNOWN) {
            DIR *probe =
                ::opendir(QFile::encodeName(dir + u'/' + QFile::decodeName(entry->d_name)).constData());
            if (!probe)
                continue;
            ::closedir(probe);
        }
        out << QFile::decodeName(entry->d_name);
    }
    ::closedir(d);
    return out;
}

} // namespace

CgroupTreeWatch::CgroupTreeWatch(QString memoryRoot, bool useInotify)
    : m_memoryRoot(std::move(memoryRoot))
    , m_fd(useInotify ? ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1)
{ }

CgroupTreeWatch::~CgroupTreeWatch()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

QString CgroupTreeWatch::absolute(const QString &relPath) const
{
    return relPath == u"/" ? m_memoryRoot : m_memoryRoot + relPath;
}

void CgroupTreeWatch::setSubtrees(const QStringList &subtrees)
{
    if (subtrees == m_subtrees)
        return;
    m_subtrees = subtrees;
    for (const auto &[wd, path] : m_watchPaths)
        ::inotify_rm_watch(m_fd, wd);
    m_watchPaths.clear();
    m_known.clear();
    for (const QString &subtree : m_subtrees)
        addTree(subtree, nullptr);
}

// Watches relPath and everything below it; directories not known yet go to *found (when given).
// The watch is added before the listing, so a directory made in between is seen by one of them.
void CgroupTreeWatch::addTree(const QString &relPath, QStringList *found)
{
    if (m_fd >= 0 && !m_inotifyFailed) {
        const int wd = ::inotify_add_watch(m_fd, QFile::encodeName(absolute(relPath)).constData(),
                                           IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
        if (wd >= 0)
            m_watchPaths[wd] = relPath;
        else if (errno == ENOSPC || errno == ENOMEM)
            m_inotifyFailed = true; // out of watches: the walk in takeNew() covers everything
    }
    if (!m_known.insert(relPath).second && found)
        return;
    if (found && !m_subtrees.contains(relPath))
        found->append(relPath);
    for (const QString &name : subdirectories(absolute(relPath)))
        addTree(childPath(relPath, name), found);
}

void CgroupTreeWatch::scanAll(QStringList *found)
{
    // Vanished directories are forgotten, so one made again under the same name is new.
    std::set<QString> before;
    before.swap(m_known);
    std::vector<QString> stack(m_subtrees.begin(), m_subtrees.end());
    while (!stack.empty()) {
        const QString rel = stack.back();
        stack.pop_back();
        const QStringList names = subdirectories(absolute(rel));
        if (names.isEmpty() && ::access(QFile::encodeName(absolute(rel)).constData(), F_OK) != 0)
            continue;
        m_known.insert(rel);
        if (!before.count(rel) && !m_subtrees.contains(rel))
            found->append(rel);
        for (const QString &name : names)
            stack.push_back(childPath(rel, name));
    }
}

void CgroupTreeWatch::drainEvents(QStringList *found)
{
    alignas(inotify_event) char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
        if (n <= 0)
            return; // EAGAIN: drained
        for (ssize_t offset = 0; offset < n;) {
            const auto *event = reinterpret_cast<const inotify_event *>(buffer + offset);
            offset += ssize_t(sizeof(inotify_event) + event->len);
            if (event->mask & IN_Q_OVERFLOW) {
                m_inotifyFailed = true; // events were lost: walk from now on
                continue;
            }
            if (event->mask & IN_IGNORED) {
                // The directory is gone: forget it, so one made again under its name is new.
                if (const auto gone = m_watchPaths.find(event->wd); gone != m_watchPaths.end()) {
                    if (!m_subtrees.contains(gone->second))
                        m_known.erase(gone->second);
                    m_watchPaths.erase(gone);
                }
                continue;
            }
            if (!(event->mask & IN_ISDIR) || event->len == 0)
                continue;
            const auto parent = m_watchPaths.find(event->wd);
            if (parent == m_watchPaths.end())
                continue;
            addTree(childPath(parent->second, QFile::decodeName(event->name)), found);
        }
    }
}

QStringList CgroupTreeWatch::takeNew()
{
    QStringList found;
    if (m_subtrees.isEmpty())
        return found;
    if (m_fd >= 0)
        drainEvents(&found);
    if (m_fd < 0 || m_inotifyFailed)
        scanAll(&found);
    // A directory created and removed before this call: nothing to sample.
    found.removeIf([this](const QString &rel) {
        return ::access(QFile::encodeName(absolute(rel)).constData(), F_OK) != 0;
    });
    return found;
}

} // namespace oomscope
