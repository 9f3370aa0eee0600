// SPDX-License-Identifier: GPL-3.0-or-later
// clang-format off
#include "qcustomplotinclude.h" // must come first, see there
// clang-format on

#include "chartstyle.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

const std::array<const char16_t *, 5> kUnits = {u"B", u"KiB", u"MiB", u"GiB", u"TiB"};

const std::array<QColor, kStackCount> kStackColors = {QColor(0xf4, 0xa2, 0x61), QColor(0xb3, 0x9d, 0xdb),
                                                      QColor(0x81, 0xc7, 0x84), QColor(0xc5, 0xe1, 0xa5),
                                                      QColor(0xb0, 0xbe, 0xc5)};
const std::array<QColor, 5> kBadnessColors = {QColor(0x42, 0x7a, 0xc9), QColor(0x8e, 0x5e, 0xc2),
                                              QColor(0x2a, 0x9d, 0x8f), QColor(0xf0, 0x8c, 0x2e),
                                              QColor(0x9e, 0x9e, 0x9e)};

class ByteTicker : public QCPAxisTicker
{
protected:
    double getTickStep(const QCPRange &range) override
    {
        const double top = std::max(std::abs(range.lower), std::abs(range.upper));
        m_unit = 1.0;
        while (top / m_unit >= 1024.0 && m_unit < 1024.0 * 1024.0 * 1024.0 * 1024.0)
            m_unit *= 1024.0;
        const double step = cleanMantissa(range.size() / m_unit / std::max(1, tickCount())) * m_unit;
        m_decimals = step / m_unit >= 1.0 ? 0 : int(std::ceil(-std::log10(step / m_unit)));
        return step;
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        std::size_t unit = 0;
        for (double u = m_unit; u >= 1024.0; u /= 1024.0)
            ++unit;
        return QLocale::c().toString(tick / m_unit, 'f', std::clamp(m_decimals, 0, 3)) + u' '
            + QString::fromUtf16(kUnits[std::min(unit, kUnits.size() - 1)]);
    }

private:
    double m_unit = 1.0;
    int m_decimals = 0;
};

void styleAxis(QCPAxis *axis, const ChartStyle &style)
{
    const ChartPalette &p = style.palette;
    axis->setBasePen(QPen(p.muted, 1));
    axis->setTickPen(QPen(p.muted, 1));
    axis->setSubTickPen(QPen(p.muted, 1));
    axis->setTickLabelColor(p.foreground);
    axis->setLabelColor(p.foreground);
    axis->setTickLabelFont(style.font);
    axis->setLabelFont(style.axisLabelFont);
    axis->grid()->setPen(QPen(p.grid, 1, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

} // namespace

ChartPalette ChartPalette::light()
{
    ChartPalette p;
    p.background = QColor(0xff, 0xff, 0xff);
    p.foreground = QColor(0x1f, 0x23, 0x28);
    p.muted = QColor(0x5f, 0x66, 0x70);
    p.panel = QColor(0xf4, 0xf6, 0xf8);
    p.border = QColor(0xd0, 0xd5, 0xdb);
    p.grid = QColor(0xe3, 0xe6, 0xea);
    p.victimRow = QColor(0xfd, 0xe4, 0xe4);
    p.headerRow = QColor(0xe8, 0xec, 0xf0);
    p.series = QColor(0x1f, 0x4e, 0x9c);
    p.kill = QColor(0xc6, 0x28, 0x28);
    p.trend = QColor(0x4a, 0x14, 0x8c);
    p.warning = QColor(0xd9, 0x82, 0x0b);
    p.good = QColor(0x1a, 0x8f, 0x7e);
    p.stack = kStackColors;
    p.badness = kBadnessColors;
    p.selected = QColor(0xa0, 0x6a, 0x00);
    p.processes = {QColor(0xd8, 0x1b, 0x60), QColor(0x00, 0x89, 0x7b), QColor(0x6d, 0x4c, 0x41)};
    p.labelBackground = QColor(255, 255, 255, 225);
    return p;
}

ChartPalette ChartPalette::dark()
{
    ChartPalette p = light();
    p.background = QColor(0x1e, 0x20, 0x24);
    p.foreground = QColor(0xe6, 0xe6, 0xe6);
    p.muted = QColor(0x9a, 0xa0, 0xa8);
    p.panel = QColor(0x2a, 0x2d, 0x33);
    p.border = QColor(0x44, 0x48, 0x50);
    p.grid = QColor(0x3a, 0x3e, 0x46);
    p.victimRow = QColor(0x5a, 0x2a, 0x2e);
    p.headerRow = QColor(0x33, 0x37, 0x3e);
    p.series = QColor(0x6c, 0xa8, 0xf0);
    p.kill = QColor(0xff, 0x6b, 0x6b);
    p.trend = QColor(0xc3, 0xa6, 0xff);
    p.warning = QColor(0xf5, 0xb0, 0x41);
    p.good = QColor(0x5f, 0xc9, 0xb8);
    p.selected = QColor(0xf5, 0xb0, 0x41);
    p.processes = {QColor(0xf0, 0x62, 0x92), QColor(0x4d, 0xd0, 0xc0), QColor(0xbc, 0xaa, 0xa4)};
    p.labelBackground = QColor(0x1e, 0x20, 0x24, 225);
    return p;
}

ChartStyle ChartStyle::screen(const QFont &widgetFont)
{
    ChartStyle s;
    s.palette = ChartPalette::light();
    s.font = widgetFont;
    s.legendFont = widgetFont;
    s.legendFont.setPointSize(std::max(7, widgetFont.pointSize() - 1));
    s.axisLabelFont = widgetFont;
    return s;
}

ChartStyle ChartStyle::report(bool dark, const QFont &font, const QFont &axisLabelFont)
{
    ChartStyle s;
    s.palette = dark ? ChartPalette::dark() : ChartPalette::light();
    s.themedFrame = true;
    s.time = TimeBasis::Utc;
    s.font = font;
    s.legendFont = font;
    s.axisLabelFont = axisLabelFont;
    return s;
}

QColor withAlpha(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

QFont scaledFont(QFont font, double factor)
{
    if (font.pixelSize() > 0)
        font.setPixelSize(std::max(1, int(std::lround(font.pixelSize() * factor))));
    else
        font.setPointSizeF(font.pointSizeF() * factor);
    return font;
}

QString humanBytes(double bytes)
{
    double value = bytes;
    std::size_t unit = 0;
    while (std::abs(value) >= 1024.0 && unit + 1 < kUnits.size()) {
        value /= 1024.0;
        ++unit;
    }
    const int decimals = unit == 0 ? 0 : (std::abs(value) < 10 ? 2 : 1);
    return QLocale::c().toString(value, 'f', decimals) + u' ' + QString::fromUtf16(kUnits[unit]);
}

QString exactBytes(double bytes)
{
    return QLocale(QLocale::English).toString(qint64(std::llround(bytes))) + u" B"_s;
}

QSharedPointer<QCPAxisTicker> makeByteTicker()
{
    return QSharedPointer<ByteTicker>::create();
}

void setUpTimeAxis(QCPAxis *axis, TimeBasis basis, int tickCount)
{
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    if (basis == TimeBasis::Utc)
        ticker->setTimeZone(QTimeZone::utc());
    else
        ticker->setDateTimeSpec(Qt::LocalTime);
    ticker->setTickCount(tickCount);
    axis->setTicker(ticker);
}

void updateTimeAxis(QCPAxis *axis, TimeBasis basis)
{
    auto ticker = axis->ticker().dynamicCast<QCPAxisTickerDateTime>();
    if (!ticker)
        return;
    const QCPRange range = axis->range();
    const double span = range.size();
    QString format;
    // Milliseconds only when the ticks are less than a second apart: "08:57:41.000" under every
    // whole-second tick crowded the labels into each other.
    if (span < ticker->tickCount())
        format = u"hh:mm:ss.zzz"_s;
    else if (span <= 3 * 3600)
        format = u"hh:mm:ss"_s;
    else if (span <= 3 * 86400)
        format = u"ddd hh:mm"_s;
    else
        format = u"yyyy-MM-dd"_s;
    ticker->setDateTimeFormat(format);
    const auto startMs = qint64(range.lower * 1000.0);
    if (basis == TimeBasis::Utc) {
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(startMs, QTimeZone::utc());
        axis->setLabel(u"time (UTC), from "_s + start.toString(u"ddd yyyy-MM-dd hh:mm:ss"_s));
        return;
    }
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(startMs);
    axis->setLabel(u"local time ("_s + start.timeZoneAbbreviation() + u"), from "_s
                   + start.toString(u"ddd yyyy-MM-dd hh:mm:ss"_s));
}

void applyFrameStyle(QCustomPlot &plot, const ChartStyle &style)
{
    if (!style.themedFrame)
        return;
    const ChartPalette &p = style.palette;
    plot.setBackground(p.background);
    plot.axisRect()->setBackground(p.background);
    styleAxis(plot.xAxis, style);
    styleAxis(plot.yAxis, style);
    plot.legend->setFont(style.legendFont);
    plot.legend->setTextColor(p.foreground);
    plot.legend->setBrush(withAlpha(p.background, 225));
    plot.legend->setBorderPen(QPen(p.border, 1));
}

} // namespace oomscope
