// SPDX-License-Identifier: GPL-3.0-or-later
#include "reporttext.h"

#include "incidentreport.h"

#include <QDateTime>
#include <QTimeZone>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

const QString kNoVerdictText = u"No verdict: no memory samples for this cgroup around the kill."_s;

QString formatWallMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
}

QString eventTime(const OomEvent &e, std::optional<qint64> killMs)
{
    QStringList parts;
    if (killMs)
        parts << formatWallMs(*killMs);
    else if (e.wallTime)
        parts << e.wallTime->toUTC().toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
    if (e.uptimeSeconds)
        parts << u"uptime %1 s"_s.arg(*e.uptimeSeconds, 0, 'f', 3);
    return parts.isEmpty() ? u"time unknown"_s : parts.join(u" · "_s);
}

QString killTitle(const OomEvent &e)
{
    return e.victim.present ? u"OOM kill of %1 (pid %2)"_s.arg(e.victim.comm).arg(e.victim.pid)
                            : u"OOM report without a kill"_s;
}

QString victimName(const QString &comm, qint64 pid)
{
    return comm + u" ("_s + QString::number(pid) + u')';
}

QString pagesToMiB(std::int64_t pages, std::int64_t pageSizeBytes)
{
    return QString::number(double(pages) * double(pageSizeBytes) / 1048576.0, 'f', 1);
}

QString reportBytes(std::int64_t bytes)
{
    const double b = double(bytes);
    if (std::abs(b) >= 1024.0 * 1048576.0)
        return QString::number(b / (1024.0 * 1048576.0), 'f', 2) + u" GiB"_s;
    if (std::abs(b) >= 1048576.0)
        return QString::number(b / 1048576.0, 'f', 1) + u" MiB"_s;
    return QString::number(b / 1024.0, 'f', 0) + u" KiB"_s;
}

std::pair<QStringList, QStringList> headerLines(const ReportPage &page)
{
    QStringList line1;
    QStringList line2;
    if (!page.event) {
        line1 << u"cgroup: "_s + page.cgroupPath;
        if (!page.podLabel.isEmpty())
            line1 << u"Pod: "_s + page.podLabel;
        line1 << u"From "_s + formatWallMs(page.fromMs) + u" to "_s + formatWallMs(page.toMs);
        line2 << u"No OOM kill placed in this range"_s;
        return {line1, line2};
    }
    const OomEvent &e = *page.event;
    line1 << u"Host: "_s + (e.host.isEmpty() ? u"unknown"_s : e.host);
    const QString cgroup =
        !e.oomMemcg.isEmpty() ? e.oomMemcg : (!e.taskMemcg.isEmpty() ? e.taskMemcg : page.cgroupPath);
    if (!page.podLabel.isEmpty())
        line1 << u"Pod: "_s + page.podLabel;
    line1 << u"cgroup: "_s + (cgroup.isEmpty() ? u"(global OOM)"_s : cgroup);
    line1 << u"Time: "_s + eventTime(e, page.killMs);
    if (const QString incident = incidentText(page); !incident.isEmpty())
        line1 << incident;
    line2 << u"Kernel: "_s + (e.kernelRelease.isEmpty() ? u"release not printed"_s : e.kernelRelease);
    line2 << u"Format: "_s + e.kernelFormat();
    line2 << u"Constraint: "_s + constraintName(e.constraint);
    if (e.memory.present && !e.memory.unlimited())
        line2 << u"usage %1 of limit %2"_s.arg(reportBytes(e.memory.usageKb * 1024),
                                               reportBytes(e.memory.limitKb * 1024));
    line2 << u"Triggered by: "_s + (e.triggerComm.isEmpty() ? u"?"_s : e.triggerComm);
    return {line1, line2};
}

QString incidentText(const ReportPage &page)
{
    if (!page.incident || page.incident->count < 2)
        return QString();
    const ReportIncident &i = *page.incident;
    const QString span = i.spanSeconds < 1.0 ? u"%1 ms"_s.arg(i.spanSeconds * 1000.0, 0, 'f', 1)
                                             : u"%1 s"_s.arg(i.spanSeconds, 0, 'f', 1);
    return u"Incident: kill %1 of %2 within %3"_s.arg(i.position).arg(i.count).arg(span);
}

QString anatomyPanelTitle(const ReportPage &page)
{
    Q_UNUSED(page);
    return u"Memory at the kill (from the kernel's report)"_s;
}

QString verdictHeadline(const Verdict &v)
{
    QString word = verdictKindName(v.kind).toUpper().replace(u'_', u' ');
    return u"%1 · %2 % confidence"_s.arg(word).arg(int(std::lround(v.confidence * 100)));
}

std::vector<std::pair<QString, QString>> verdictRows(const Verdict &v)
{
    const Evidence &ev = v.evidence;
    std::vector<std::pair<QString, QString>> rows;
    rows.emplace_back(u"Trend of unreclaimable memory"_s,
                      u"%1 MiB/h (R² %2)"_s.arg(ev.slopeMiBPerHour, 0, 'f', 1).arg(ev.slopeR2, 0, 'f', 2));
    rows.emplace_back(u"Peak usage / limit"_s,
                      reportBytes(ev.peakUsageBytes) + u" / "_s
                          + (ev.limitBytes && *ev.limitBytes != MemorySample::kUnlimited
                                 ? reportBytes(*ev.limitBytes)
                                 : u"none"_s));
    if (ev.plateauPercentOfLimit)
        rows.emplace_back(u"Plateau (2nd half median)"_s,
                          u"%1 % of the limit"_s.arg(*ev.plateauPercentOfLimit, 0, 'f', 1));
    rows.emplace_back(u"Time at ≥ 90 % of the limit"_s, u"%1 s"_s.arg(ev.timeAtOrAbove90PercentS, 0, 'f', 1));
    if (v.timeToLimitS)
        rows.emplace_back(u"Line meets the limit"_s,
                          *v.timeToLimitS <= 0 ? u"already reached"_s : u"after %1 s"_s.arg(*v.timeToLimitS));
    rows.emplace_back(u"Kills / incarnations"_s, u"%1 / %2"_s.arg(ev.kills).arg(ev.incarnations));
    rows.emplace_back(u"Samples"_s,
                      u"%1 over %2 s (every %3 s)"_s.arg(ev.sampleCount)
                          .arg(double(ev.durationMs) / 1000.0, 0, 'f', 0)
                          .arg(ev.medianIntervalS, 0, 'g', 3));
    return rows;
}

QString limitAdvice(const Verdict &v)
{
    if (v.kind == Verdict::Kind::Leak)
        return u"No limit recommended: memory keeps growing (a leak). A bigger limit only delays the next "
               u"kill; "
               u"find what retains memory."_s;
    if (v.recommendedLimitBytes)
        return u"Recommended limit: %1 (peak demand %2 + headroom)"_s.arg(
            reportBytes(*v.recommendedLimitBytes), reportBytes(v.evidence.peakDemandBytes));
    return u"No limit advice: not enough data."_s;
}

QColor verdictColor(Verdict::Kind kind, const ChartPalette &p)
{
    switch (kind) {
    case Verdict::Kind::Leak:
    case Verdict::Kind::Spike:
        return p.kill;
    case Verdict::Kind::Undersized:
        return p.warning;
    case Verdict::Kind::PageCache:
    case Verdict::Kind::Fits:
        return p.good;
    case Verdict::Kind::InsufficientData:
        break;
    }
    return p.muted;
}

std::vector<QString> decisionHeaders()
{
    return {u"#"_s, u"pid"_s, u"comm"_s, u"rss MiB"_s, u"swap MiB"_s, u"adj"_s, u"points"_s, u"share"_s};
}

std::vector<QString> decisionCells(const RankedTask &t, bool victim, std::int64_t pageSizeBytes)
{
    return {QString::number(t.rank),
            QString::number(t.task.pid),
            (victim ? u"▶ "_s : QString()) + t.task.comm,
            pagesToMiB(t.rssPages, pageSizeBytes),
            pagesToMiB(t.swapPages, pageSizeBytes),
            QString::number(t.task.oomScoreAdj),
            QString::number(t.points),
            QString::number(t.share * 100, 'f', 1) + u" %"_s};
}

QString agreementText(const KillDecision &d)
{
    return d.agrees ? u"agrees with"_s : u"disagrees with"_s;
}

} // namespace oomscope
