// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixturetree.h"

#include <QFile>
#include <QSaveFile>

#include <algorithm>
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

FixtureLeak::FixtureLeak(QString cgroupDir, std::int64_t startBytes, std::int64_t stepBytes,
                         std::int64_t capBytes, std::int64_t cacheBytes)
    : m_dir(std::move(cgroupDir))
    , m_bytes(startBytes)
    , m_step(stepBytes)
    , m_cap(capBytes)
    , m_cache(cacheBytes)
{
    QFile stat(m_dir + QStringLiteral("/memory.stat"));
    if (stat.open(QIODevice::ReadOnly))
        m_stat = stat.readAll();
    m_v1 = QFile::exists(m_dir + QStringLiteral("/memory.usage_in_bytes"));
    QObject::connect(&m_timer, &QTimer::timeout, [this] { write(std::min(m_bytes + m_step, m_cap)); });
}

bool FixtureLeak::start()
{
    if (m_stat.isEmpty() || !write(m_bytes))
        return false;
    m_timer.start(100);
    return true;
}

bool FixtureLeak::write(std::int64_t anonBytes)
{
    m_bytes = anonBytes;
    const QByteArray anon = QByteArray::number(qint64(anonBytes));
    const QByteArray cache = QByteArray::number(qint64(m_cache));
    QByteArray stat;
    bool sawAnon = false;
    for (const QByteArray &line : m_stat.split('\n')) {
        const QByteArray key = line.left(line.indexOf(' '));
        if (line.isEmpty())
            continue;
        if (m_v1 && (key == "rss" || key == "total_rss"))
            stat += key + ' ' + anon + '\n';
        else if (m_v1 && (key == "cache" || key == "total_cache"))
            stat += key + ' ' + cache + '\n';
        else if (!m_v1 && key == "anon")
            stat += key + ' ' + anon + '\n';
        else if (!m_v1 && key == "file")
            stat += key + ' ' + cache + '\n';
        else
            stat += line + '\n';
        sawAnon = sawAnon || key == "rss" || key == "anon";
    }
    if (!sawAnon)
        stat += (m_v1 ? "rss " : "anon ") + anon + '\n';
    const QString usageFile =
        m_dir + (m_v1 ? QStringLiteral("/memory.usage_in_bytes") : QStringLiteral("/memory.current"));
    // The kernel's high-water mark follows: v1 memory.max_usage_in_bytes, v2 memory.peak.
    m_peak = std::max(m_peak, anonBytes + m_cache);
    const QString peakFile =
        m_dir + (m_v1 ? QStringLiteral("/memory.max_usage_in_bytes") : QStringLiteral("/memory.peak"));
    return writeFileAtomically(m_dir + QStringLiteral("/memory.stat"), stat)
        && writeFileAtomically(usageFile, QByteArray::number(qint64(anonBytes + m_cache)))
        && writeFileAtomically(peakFile, QByteArray::number(qint64(m_peak)));
}

} // namespace oomscope::testsupport
