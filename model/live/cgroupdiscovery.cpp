// SPDX-License-Identifier: GPL-3.0-or-later
#include "cgroupdiscovery.h"

#include "cgroupreader.h"

#include <QFile>
#include <QList>
#include <QStringView>

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

void walk(const std::string &dirPath, const QString &relPath, int depth, int maxDepth,
          std::vector<CgroupInfo> &out)
{
    out.push_back(CgroupDiscovery::classify(relPath));
    if (depth >= maxDepth)
        return;
    DIR *dir = ::opendir(dirPath.c_str());
    if (!dir)
        return;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        std::string child = dirPath;
        child.append(1, '/').append(entry->d_name);
        if (entry->d_type == DT_UNKNOWN) {
            // Some filesystems (fixture trees on odd mounts) do not fill d_type.
            const int fd = ::open(child.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0)
                continue;
            ::close(fd);
        } else if (entry->d_type != DT_DIR) {
            continue;
        }
        const QString name = QFile::decodeName(entry->d_name);
        const QString childRel = relPath == u"/" ? QString(u'/' + name) : QString(relPath + u'/' + name);
        walk(child, childRel, depth + 1, maxDepth, out);
    }
    ::closedir(dir);
}

} // namespace

CgroupDiscovery::CgroupDiscovery(const CgroupReader &reader)
    : m_memoryRoot(reader.memoryRoot())
{ }

std::vector<CgroupInfo> CgroupDiscovery::discover(int maxDepth) const
{
    std::vector<CgroupInfo> out;
    const QByteArray root = QFile::encodeName(m_memoryRoot);
    walk(std::string(root.constData(), size_t(root.size())), u"/"_s, 0, maxDepth, out);
    std::sort(out.begin(), out.end(),
              [](const CgroupInfo &a, const CgroupInfo &b) { return a.path < b.path; });
    return out;
}

CgroupInfo CgroupDiscovery::classify(const QString &path)
{
    return classifyCgroupPath(path);
}

} // namespace oomscope
