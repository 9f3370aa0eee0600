// SPDX-License-Identifier: GPL-3.0-or-later
#include "appicon.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace oomscope {

namespace {

QPixmap paintIcon(int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const double s = size / 64.0;
    painter.scale(s, s);

    QPainterPath background;
    background.addRoundedRect(QRectF(2, 2, 60, 60), 12, 12);
    painter.fillPath(background, QColor(0x26, 0x3a, 0x5c));

    // A ranking: the top bar (the victim) in red, the others in blue.
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xe5, 0x48, 0x3b));
    painter.drawRoundedRect(QRectF(11, 14, 42, 9), 2, 2);
    painter.setBrush(QColor(0x6f, 0xa8, 0xe8));
    painter.drawRoundedRect(QRectF(11, 28, 28, 9), 2, 2);
    painter.drawRoundedRect(QRectF(11, 42, 18, 9), 2, 2);
    return pixmap;
}

} // namespace

QIcon appIcon()
{
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(paintIcon(size));
    return icon;
}

} // namespace oomscope
