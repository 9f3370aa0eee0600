// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixturetree.h"

#include <QFile>
#include <QSaveFile>

#include <filesystem>
#include <system_error>

namespace oomscope::testsupport {

bool copyFixtureTree(const QString &from, const QString &to)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path target(QFile::encodeName(to).toStdString());
    fs::create_directories(target, ec);
    if (ec)
        return false;
    fs::copy(fs::path(QFile::encodeName(from).toStdString()), target,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec)
        return false;
    for (const fs::directory_entry &entry : fs::recursive_directory_iterator(target, ec))
        fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add,
                        ec);
    return !ec;
}

bool writeFileAtomically(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(content);
    return file.commit();
}

} // namespace oomscope::testsupport
