// SPDX-License-Identifier: GPL-3.0-or-later
// How the charts look, in one place for the screen and the reports: the palettes (the screen's,
// the report's light and dark themes), the fonts, the byte axis ("96 MiB") and the time axis.
#pragma once

#include <QColor>
#include <QFont>
#include <QSharedPointer>
#include <QString>

#include <array>

class QCPAxis;
class QCPAxisTicker;
class QCustomPlot;

namespace oomscope {

constexpr int kStackCount = 5; // anon, shmem, active file, inactive file, kernel

struct ChartPalette {
    // The page and frame.
    QColor background, foreground, muted, panel, border, grid;
    // Report tables: the victim's row and the header row.
    QColor victimRow, headerRow;
    // The data: the first series, kills, the verdict's trend line, verdict words.
    QColor series, kill, trend, warning, good;
    std::array<QColor, kStackCount> stack;
    // Badness components: RSS, swap, page tables, oom_score_adj, root bonus.
    std::array<QColor, 5> badness;
    QColor selected; // the kernel's selection when it killed a child of it
    std::array<QColor, 3> processes; // the top growing processes' lines, largest first
    QColor labelBackground; // behind labels drawn over the curves

    static ChartPalette light(); // the screen's colours, and the light report
    static ChartPalette dark(); // the dark report
};

enum class TimeBasis { Local, Utc };

struct ChartStyle {
    ChartPalette palette;
    // false: the frame (axes, grid, background) keeps QCustomPlot's defaults, as on screen.
    bool themedFrame = false;
    TimeBasis time = TimeBasis::Local;
    QFont font; // texts in the plot (markers, labels, title)
    QFont legendFont;
    QFont axisLabelFont; // used when themedFrame

    // The screen: QCustomPlot's frame, the widget's font, local time.
    static ChartStyle screen(const QFont &widgetFont);
    // A report page: the themed frame, the given (pixel-sized, bundled) fonts, UTC.
    static ChartStyle report(bool dark, const QFont &font, const QFont &axisLabelFont);
};

QColor withAlpha(QColor color, int alpha);
// The font scaled by factor, whether it is sized in points or in pixels.
QFont scaledFont(QFont font, double factor);

// "96.0 MiB" (binary units; 0 decimals for bytes, 2 below 10, else 1) and "100,663,296 B".
QString humanBytes(double bytes);
QString exactBytes(double bytes);

// Value-axis ticks at round multiples of KiB/MiB/GiB, labelled "96 MiB".
QSharedPointer<QCPAxisTicker> makeByteTicker();

// A date-time ticker in the style's time basis; updateTimeAxis() picks the tick format for the
// axis' span (ms … days) and labels it with the time zone and the start of the range.
void setUpTimeAxis(QCPAxis *axis, TimeBasis basis, int tickCount);
void updateTimeAxis(QCPAxis *axis, TimeBasis basis);

// Background, axes, grid and legend in the style's colours and fonts (nothing when !themedFrame
// except the legend font).
void applyFrameStyle(QCustomPlot &plot, const ChartStyle &style);

} // namespace oomscope
