// SPDX-License-Identifier: GPL-3.0-or-later
#include "sizeformat.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace oomscope {

QString humanSizeKb(std::int64_t sizeKb)
{
    const double absKb = sizeKb < 0 ? -double(sizeKb) : double(sizeKb);
    const QString sign = sizeKb < 0 ? u"-"_s : QString();
    const QLocale locale = QLocale::c();
    if (absKb < 1024.0)
        return sign + QString::number(qint64(absKb)) + u" KiB"_s;
    if (absKb < 1024.0 * 1024.0)
        return sign + locale.toString(absKb / 1024.0, 'f', 1) + u" MiB"_s;
    if (absKb < 1024.0 * 1024.0 * 1024.0)
        return sign + locale.toString(absKb / (1024.0 * 1024.0), 'f', 2) + u" GiB"_s;
    return sign + locale.toString(absKb / (1024.0 * 1024.0 * 1024.0), 'f', 2) + u" TiB"_s;
}

QString exactSizeKb(std::int64_t sizeKb, std::int64_t pageSizeBytes)
{
    QLocale locale(QLocale::English);
    QString text = locale.toString(qint64(sizeKb)) + u" kB"_s;
    if (pageSizeBytes > 0)
        text += u" ("_s + locale.toString(qint64(sizeKb * 1024 / pageSizeBytes)) + u" pages)"_s;
    return text;
}

QString humanSizePages(std::int64_t pages, std::int64_t pageSizeBytes)
{
    return humanSizeKb(pages * pageSizeBytes / 1024);
}

bool isUnlimitedKb(std::int64_t limitKb)
{
    return limitKb >= (std::int64_t(1) << 52);
}

} // namespace oomscope
