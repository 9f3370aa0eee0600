// SPDX-License-Identifier: GPL-3.0-or-later
#include "qcustomplotinclude.h" // must come first, see there

#include "verdictpanel.h"

#include "chartstyle.h"
#include "limitreplayplot.h"
#include "sizeformat.h"

#include <QDateTime>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString bytesText(std::int64_t bytes)
{
    return humanSizeKb(bytes / 1024);
}

QString number(double value, int decimals)
{
    return QLocale::c().toString(value, 'f', decimals);
}

QString durationText(double seconds)
{
    if (seconds < 1)
        return number(seconds, 2) + u" s"_s;
    if (seconds < 120)
        return number(seconds, seconds < 10 ? 1 : 0) + u" s"_s;
    if (seconds < 2 * 3600)
        return number(seconds / 60, 1) + VerdictPanel::tr(" min");
    if (seconds < 3 * 86400)
        return number(seconds / 3600, 1) + u" h"_s;
    return number(seconds / 86400, 1) + VerdictPanel::tr(" days");
}

// "+12.3 MiB/h"; a fast leak also per second, which is how it reads on a chart of minutes.
QString rateText(double miBPerHour)
{
    QString text = (miBPerHour >= 0 ? u"+"_s : QString())
        + QLocale::c().toString(miBPerHour, 'f', std::abs(miBPerHour) >= 100 ? 0 : 1)
        + VerdictPanel::tr(" MiB/h");
    if (std::abs(miBPerHour) >= 360)
        text += u" ("_s + QLocale::c().toString(miBPerHour / 3600.0, 'f', 2) + VerdictPanel::tr(" MiB/s)");
    return text;
}

QColor kindColor(Verdict::Kind kind)
{
    switch (kind) {
    case Verdict::Kind::Leak:
        return QColor(0xc6, 0x28, 0x28);
    case Verdict::Kind::Undersized:
        return QColor(0xd8, 0x43, 0x15);
    case Verdict::Kind::Spike:
        return QColor(0xad, 0x14, 0x57);
    case Verdict::Kind::PageCache:
        return QColor(0x00, 0x69, 0x7c);
    case Verdict::Kind::Fits:
        return QColor(0x2e, 0x7d, 0x32);
    case Verdict::Kind::InsufficientData:
        break;
    }
    return QColor(0x61, 0x61, 0x61);
}

QString timeText(std::int64_t ms, bool withDate)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    return t.toString(withDate ? u"yyyy-MM-dd hh:mm:ss"_s : u"hh:mm:ss"_s);
}

QString row(const QString &name, const QString &value, QStringList *plain = nullptr)
{
    if (plain)
        *plain << name + u": "_s + value;
    return u"<tr><td style='color:#555; padding-right:8px'>"_s + name.toHtmlEscaped() + u"</td><td>"_s
        + value.toHtmlEscaped() + u"</td></tr>"_s;
}

QLabel *wrappingLabel()
{
    auto *label = new QLabel;
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

} // namespace

VerdictPanel::VerdictPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"verdictPanel"_s);
    m_headline = wrappingLabel();
    m_headline->setObjectName(u"verdictHeadline"_s);
    QFont headlineFont = m_headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.45);
    headlineFont.setBold(true);
    m_headline->setFont(headlineFont);
    m_confidence = wrappingLabel();
    m_range = wrappingLabel();
    m_range->setObjectName(u"verdictRange"_s);
    QFont small = m_range->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_range->setFont(small);
    m_range->setStyleSheet(u"color:#555"_s);
    m_summary = wrappingLabel();
    m_evidence = wrappingLabel();
    m_evidence->setTextFormat(Qt::RichText);
    m_limits = wrappingLabel();
    m_limits->setTextFormat(Qt::RichText);
    m_chaseWarning = wrappingLabel();
    m_chaseWarning->setStyleSheet(u"color:#b71c1c"_s);
    m_warnings = wrappingLabel();
    m_warnings->setFont(small);
    m_warnings->setStyleSheet(u"color:#6d4c41"_s);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(5);
    layout->addWidget(m_headline);
    layout->addWidget(m_confidence);
    layout->addWidget(m_range);
    layout->addWidget(m_summary);
    layout->addWidget(m_evidence);
    layout->addWidget(m_limits);
    m_replayPlot = new QCustomPlot(this);
    m_replayPlot->setObjectName(u"limitReplayPlot"_s);
    m_replayPlot->setFixedHeight(130);
    m_replayPlot->setToolTip(
        tr("Limit replay: how many kills the recorded unreclaimable memory would have caused at each limit "
           "(file cache assumed reclaimed first; dashed: above the limit of a recording with kills, never "
           "seen)."));
    m_replayPlot->hide();
    layout->addWidget(m_replayPlot);
    layout->addWidget(m_chaseWarning);
    layout->addWidget(m_warnings);
    layout->addStretch(1);
    showMessage(tr("No series charted."));
}

QString VerdictPanel::headlineFor(const Verdict &verdict)
{
    switch (verdict.kind) {
    case Verdict::Kind::Leak:
        if (verdict.leakingProcess) {
            const ProcessGrowth &g = verdict.growthByProcess.processes[*verdict.leakingProcess];
            return tr("Leak in %1 (pid %2) — fix the code").arg(g.comm).arg(g.pid);
        }
        return tr("Leak — fix the code");
    case Verdict::Kind::Undersized:
        return verdict.recommendedLimitBytes
            ? tr("Undersized limit — raise it to ") + bytesText(*verdict.recommendedLimitBytes)
            : tr("Undersized limit — raise it");
    case Verdict::Kind::Spike:
        return tr("Spike");
    case Verdict::Kind::PageCache:
        return tr("Page cache — no risk");
    case Verdict::Kind::Fits:
        return tr("Fits");
    case Verdict::Kind::InsufficientData:
        break;
    }
    return tr("Not enough data");
}

void VerdictPanel::showMessage(const QString &text)
{
    m_kind.reset();
    m_rangeMs.reset();
    m_headline->setText(tr("No verdict"));
    m_headline->setStyleSheet(u"color:#616161"_s);
    m_confidence->clear();
    m_range->clear();
    m_summary->setText(text);
    for (QLabel *label : {m_confidence, m_range, m_evidence, m_limits, m_chaseWarning, m_warnings})
        label->hide();
}

void VerdictPanel::setPending(bool pending)
{
    setEnabled(!pending || !m_kind);
}

void VerdictPanel::setEvaluation(const RangeEvaluation &e, const QString &seriesLabel)
{
    setEnabled(true);
    if (!e.error.isEmpty()) {
        showMessage(tr("Cannot read the samples: ") + e.error);
        return;
    }
    const Verdict &v = e.verdict;
    const Evidence &ev = v.evidence;
    m_kind = v.kind;
    m_rangeMs = std::make_pair(e.fromMs, e.toMs);

    m_headline->setText(headlineFor(v));
    m_headline->setStyleSheet(u"color:"_s + kindColor(v.kind).name());
    m_confidence->setText(tr("Confidence ") + number(v.confidence * 100.0, 0) + u" %"_s);

    const bool sameDay =
        QDateTime::fromMSecsSinceEpoch(e.fromMs).date() == QDateTime::fromMSecsSinceEpoch(e.toMs).date();
    QString range = seriesLabel + u"\n"_s + timeText(e.fromMs, true) + u" – "_s + timeText(e.toMs, !sameDay)
        + u" ("_s + durationText(double(e.toMs - e.fromMs) / 1000.0) + u"), "_s
        + QLocale().toString(e.samplesClassified) + tr(" samples");
    const QString bucket = durationText(double(e.bucketMs) / 1000.0);
    switch (e.reading) {
    case RangeEvaluation::Reading::Raw:
        break;
    case RangeEvaluation::Reading::Thinned:
        range +=
            tr(" of %1 (lowest and highest of each %2)").arg(QLocale().toString(e.samplesInRange), bucket);
        break;
    case RangeEvaluation::Reading::LevelLast:
        range +=
            tr(" (last value of each %1 bucket of %2)").arg(bucket, QLocale().toString(e.samplesInRange));
        break;
    }
    m_range->setText(range);
    m_summary->setText(v.summary);

    // The evidence, compact: one line per figure.
    m_evidenceLines.clear();
    m_limitLines.clear();
    auto evidenceRow = [this](const QString &name, const QString &value) {
        return row(name, value, &m_evidenceLines);
    };
    auto limitRow = [this](const QString &name, const QString &value) {
        return row(name, value, &m_limitLines);
    };
    QString table = u"<table cellspacing='0' cellpadding='1'>"_s;
    const QString trend = rateText(ev.slopeMiBPerHour) + u", R² "_s + number(ev.slopeR2, 2);
    table += evidenceRow(tr("Slope"), trend);
    if (v.trend.onFloor)
        table += evidenceRow(tr("Floor slope"),
                             rateText(ev.floorSlopeMiBPerHour) + u", R² "_s + number(ev.floorR2, 2));
    table += evidenceRow(tr("Plateau"),
                         ev.plateauPercentOfLimit ? number(*ev.plateauPercentOfLimit, 0) + tr(" % of limit")
                                                  : u"—"_s);
    table += evidenceRow(tr("≥ 90 % of limit"),
                         durationText(ev.timeAtOrAbove90PercentS) + u" ("_s
                             + number(ev.fractionAtOrAbove90Percent * 100.0, 1) + u" %)"_s);
    table += evidenceRow(tr("Reclaimable at limit"),
                         ev.reclaimableShareAtLimit ? number(*ev.reclaimableShareAtLimit * 100.0, 0) + u" %"_s
                                                    : u"—"_s);
    table += evidenceRow(tr("Largest jump"),
                         ev.largestJumpBytes > 0 ? bytesText(ev.largestJumpBytes) + tr(" in ")
                                 + durationText(double(ev.largestJumpDurationMs) / 1000.0)
                                                 : u"—"_s);
    table += evidenceRow(tr("Time to limit"),
                         v.timeToLimitS
                             ? (*v.timeToLimitS <= 0 ? u"reached"_s : durationText(double(*v.timeToLimitS)))
                             : tr("not growing"));
    table +=
        evidenceRow(tr("Peak usage"),
                    bytesText(ev.peakUsageBytes) + tr(" (demand ") + bytesText(ev.peakDemandBytes) + u')');
    table += evidenceRow(tr("Kills in range"), QString::number(ev.kills));
    if (!v.growthByProcess.processes.empty()) {
        const ProcessGrowth &g = v.growthByProcess.processes.front();
        table += evidenceRow(tr("Top grower"),
                             u"%1 (%2): "_s.arg(g.comm).arg(g.pid)
                                 + rateText(g.slopeBytesPerS * 3600.0 / (1024.0 * 1024.0))
                                 + tr(", %1 % of the growth").arg(number(g.shareOfGrowth * 100, 0)));
    }
    table += u"</table>"_s;
    m_evidence->setText(table);

    QString limits = u"<table cellspacing='0' cellpadding='1'>"_s;
    limits += limitRow(tr("Limit"), ev.limitBytes ? bytesText(*ev.limitBytes) : tr("unknown"));
    limits += limitRow(tr("Recommended"),
                       v.recommendedLimitBytes
                           ? bytesText(*v.recommendedLimitBytes)
                           : (v.kind == Verdict::Kind::Leak ? tr("none — no limit fits a leak") : u"—"_s));
    limits += limitRow(tr("VPA-style"), v.vpaLimitBytes ? bytesText(*v.vpaLimitBytes) : u"—"_s);
    limits += limitRow(tr("KRR-style"), v.krrLimitBytes ? bytesText(*v.krrLimitBytes) : u"—"_s);
    limits += limitRow(tr("Replay-based"),
                       v.limitReplay.recommendedLimitBytes ? bytesText(*v.limitReplay.recommendedLimitBytes)
                                                           : tr("— (no kill-free limit seen)"));
    limits += u"</table>"_s;
    m_replayPlot->setVisible(drawLimitReplay(m_replayPlot, v.limitReplay, ChartStyle::screen(font())));
    m_replayPlot->replot();
    m_limits->setText(limits);
    m_limits->setToolTip(ev.vpaBasis.isEmpty()
                             ? QString()
                             : tr("VPA-style: ") + ev.vpaBasis + tr("\nKRR-style: max working set + 15 %"));

    if (v.kind == Verdict::Kind::Leak) {
        m_chaseWarning->setText(tr("VPA- and KRR-style figures would only chase the leak: any limit is "
                                   "outgrown, each raise only delays the next kill."));
        m_chaseWarning->show();
    } else {
        m_chaseWarning->hide();
    }
    // The leak warning is said above in plain words; the rest as the classifier put them.
    QStringList warnings;
    if (e.reading == RangeEvaluation::Reading::LevelLast)
        warnings << u"• "_s
                + tr("Judged on the last value of each stored bucket: short jumps may look smaller than they "
                     "were.");
    for (const QString &w : v.warnings) {
        if (!(v.kind == Verdict::Kind::Leak && w.startsWith(u"Leak:"_s)))
            warnings << u"• "_s + w;
    }
    m_warnings->setText(warnings.join(u'\n'));
    m_warnings->setVisible(!warnings.isEmpty());
    for (QLabel *label : {m_confidence, m_range, m_evidence, m_limits})
        label->show();
}

QString VerdictPanel::kindName() const
{
    return m_kind ? verdictKindName(*m_kind) : QString();
}

QString VerdictPanel::headlineText() const
{
    return m_headline->text();
}

QString VerdictPanel::evidenceText() const
{
    return m_kind ? m_evidenceLines.join(u'\n') : QString();
}

QString VerdictPanel::limitsText() const
{
    return m_kind ? m_limitLines.join(u'\n') : QString();
}

} // namespace oomscope
