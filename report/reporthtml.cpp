// SPDX-License-Identifier: GPL-3.0-or-later
// The report as one self-contained HTML file: the same words as the painted page, the charts as
// embedded PNGs.
#include "anatomyexplanation.h"
#include "badnessplot.h"
#include "incidentreport.h"
#include "reportpanels.h"
#include "reporttext.h"

#include <QBuffer>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString png64(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return u"data:image/png;base64,"_s + QString::fromLatin1(bytes.toBase64());
}

QString htmlHead(const std::vector<ReportPage> &pages, const ChartPalette &p)
{
    QString out = u"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"_s
        + esc(pages.empty() ? u"OOM incident report"_s : pages.front().title) + u"</title>\n<style>\n"_s;
    out += u"body{background:%1;color:%2;font-family:'DejaVu Sans',sans-serif;margin:24px;}\n"
           u".muted{color:%3}\n.panel{background:%4;border:1px solid %5;border-radius:6px;padding:10px "
           u"14px;margin:12px 0}\n"
           u"h1{font-size:24px;margin:0 0 6px}\nh2{font-size:13px;text-transform:uppercase;color:%3;margin:0 "
           u"0 8px}\n"
           u"table{border-collapse:collapse;font-size:13px}\nth,td{padding:3px 8px;text-align:right}\n"
           u"th{background:%6}\ntd.comm,th.comm{text-align:left}\ntr.victim "
           u"td{background:%7;color:%8;font-weight:bold}\n"
           u".pill{display:inline-block;color:#fff;border-radius:14px;padding:3px 12px;font-weight:bold}\n"
           u"pre{font-family:'DejaVu Sans Mono',monospace;font-size:11px;white-space:pre-wrap;margin:0}\n"
           u"img{max-width:100%;height:auto}\nsection{page-break-after:always}\n"_s.arg(
               p.background.name(), p.foreground.name(), p.muted.name(), p.panel.name(), p.border.name(),
               p.headerRow.name(), p.victimRow.name(), p.kill.name());
    out += u"</style>\n</head>\n<body>\n"_s;
    return out;
}

QString htmlFacts(const ReportPage &page)
{
    if (!page.event)
        return u"<p class=\"muted\">cgroup: "_s + esc(page.cgroupPath) + u" · "_s
            + esc(formatWallMs(page.fromMs)) + u" – "_s + esc(formatWallMs(page.toMs)) + u"</p>\n"_s;
    const OomEvent &e = *page.event;
    return u"<p class=\"muted\">Host: "_s + esc(e.host.isEmpty() ? u"unknown"_s : e.host) + u" · cgroup: "_s
        + esc(!e.oomMemcg.isEmpty() ? e.oomMemcg : (e.taskMemcg.isEmpty() ? page.cgroupPath : e.taskMemcg))
        + u" · Time: "_s + esc(eventTime(e, page.killMs)) + u"<br>Kernel: "_s
        + esc(e.kernelRelease.isEmpty() ? u"release not printed"_s : e.kernelRelease) + u" · Format: "_s
        + esc(e.kernelFormat()) + u" · Constraint: "_s + esc(constraintName(e.constraint)) + u"</p>\n"_s;
}

QString htmlGrowth(const ReportPage &page, const ReportOptions &chartOptions)
{
    QString out = u"<div class=\"panel\"><h2>Memory around the kill</h2>"_s;
    if (!page.samples.empty()) {
        const QSize size(960, 420);
        out += u"<img alt=\"growth chart\" width=\"%1\" height=\"%2\" src=\"%3\">"_s.arg(size.width())
                   .arg(size.height())
                   .arg(png64(IncidentReport::renderGrowthChart(page, chartOptions, size)));
    } else {
        out += u"<p class=\"muted\">"_s + esc(page.chartNote) + u"</p>"_s;
    }
    return out + u"</div>\n"_s;
}

// The memory at the kill, from the kernel's report: the drawing, the request, the statements and
// the GFP flags with their meaning.
QString htmlAnatomy(const ReportPage &page, const ReportOptions &chartOptions)
{
    if (!page.anatomy)
        return QString();
    const AnatomyData &a = *page.anatomy;
    QString out = u"<div class=\"panel\"><h2>"_s + esc(anatomyPanelTitle(page)) + u"</h2>"_s;
    const QSize size(960, anatomySections(a).zones || anatomySections(a).buddy ? 520 : 260);
    out += u"<img alt=\"memory anatomy\" width=\"%1\" height=\"%2\" src=\"%3\">"_s.arg(size.width())
               .arg(size.height())
               .arg(png64(IncidentReport::renderAnatomyChart(page, chartOptions, size)));
    out += u"<p><b>Request: "_s + esc(anatomyRequestLine(a)) + u"</b></p><ul>"_s;
    for (const QString &statement : a.anatomy.statements)
        out += u"<li>"_s + esc(statement) + u"</li>"_s;
    out += u"</ul>"_s;
    if (!a.anatomy.trigger.gfp.flags.isEmpty()) {
        out += u"<table>"_s;
        for (const QString &flag : a.anatomy.trigger.gfp.flags)
            out += u"<tr><td class=\"comm\"><b>"_s + esc(flag) + u"</b></td><td class=\"comm\">"_s
                + esc(gfpFlagMeaning(flag)) + u"</td></tr>"_s;
        out += u"</table>"_s;
    }
    return out + u"</div>\n"_s;
}

QString htmlVerdict(const ReportPage &page, const ChartPalette &p)
{
    QString out = u"<div class=\"panel\"><h2>Verdict on the charted range</h2>"_s;
    if (!page.verdict)
        return out + u"<p class=\"muted\">"_s + esc(kNoVerdictText) + u"</p></div>\n"_s;
    const Verdict &v = *page.verdict;
    out += u"<p><span class=\"pill\" style=\"background:%1\">%2</span></p><table>"_s.arg(
        verdictColor(v.kind, p).name(), esc(verdictHeadline(v)));
    for (const auto &[label, value] : verdictRows(v))
        out += u"<tr><td class=\"comm muted\">"_s + esc(label) + u"</td><td class=\"comm\">"_s + esc(value)
            + u"</td></tr>"_s;
    out += u"</table><p><b>"_s + esc(limitAdvice(v)) + u"</b></p>"_s;
    if (!v.summary.isEmpty())
        out += u"<p>"_s + esc(v.summary) + u"</p>"_s;
    return out + u"</div>\n"_s;
}

QString htmlDecision(const ReportPage &page, const ReportOptions &options, const ReportOptions &chartOptions)
{
    if (!page.decision || page.decision->ranking.empty())
        return QString();
    const KillDecision &d = *page.decision;
    const std::int64_t pageSize = page.event ? page.event->pageSizeBytes : 4096;
    QString out = u"<div class=\"panel\"><h2>Kill decision (recomputed badness)</h2><table><tr>"_s;
    const std::vector<QString> headers = decisionHeaders();
    for (std::size_t c = 0; c < headers.size(); ++c)
        out += (c == 2 ? u"<th class=\"comm\">"_s : u"<th>"_s) + esc(headers[c]) + u"</th>"_s;
    out += u"</tr>\n"_s;
    for (const RankedTask *t : shownCandidates(d, options.maxTasks)) {
        const bool victim = t->task.pid == d.victimPid;
        const std::vector<QString> cells = decisionCells(*t, victim, pageSize);
        out += victim ? u"<tr class=\"victim\">"_s : u"<tr>"_s;
        for (std::size_t c = 0; c < cells.size(); ++c)
            out += (c == 2 ? u"<td class=\"comm\">"_s : u"<td>"_s) + esc(cells[c]) + u"</td>"_s;
        out += u"</tr>\n"_s;
    }
    out += u"</table><p class=\"muted\">"_s + esc(badnessEraName(d.era)) + u" · kernel "_s + agreementText(d)
        + u" the recomputation</p>"_s;
    out += u"<img alt=\"badness chart\" width=\"760\" height=\"340\" src=\"%1\">"_s.arg(
        png64(IncidentReport::renderBadnessChart(page, chartOptions, QSize(760, 340))));
    return out + u"<h2>Why this process</h2><p>"_s + esc(d.explanation) + u"</p></div>\n"_s;
}

QString htmlRawLines(const ReportPage &page, const ReportOptions &options)
{
    if (!page.event)
        return QString();
    QString out = u"<div class=\"panel\"><h2>Kernel report (raw lines)</h2><pre>"_s;
    const auto &lines = page.event->rawLines;
    // HTML has no page size: a longer cut than the printed page.
    const int limit = std::max(options.maxRawLines, 200);
    for (int i = 0; i < int(lines.size()) && i < limit; ++i)
        out += esc(lines[size_t(i)].text) + u'\n';
    if (int(lines.size()) > limit)
        out += u"… %1 more lines\n"_s.arg(int(lines.size()) - limit);
    return out + u"</pre></div>\n"_s;
}

} // namespace

QString IncidentReport::html(const std::vector<ReportPage> &pages, const ReportOptions &options)
{
    const ChartPalette p = paletteOf(options);
    ReportOptions chartOptions = options;
    chartOptions.scale = 2; // sharp on HiDPI screens, shown at half size
    QString out = htmlHead(pages, p);
    for (const ReportPage &page : pages) {
        out += u"<section>\n<h1>"_s + esc(page.title) + u"</h1>\n"_s + htmlFacts(page);
        if (const QString incident = incidentText(page); !incident.isEmpty())
            out += u"<p><b>"_s + esc(incident) + u"</b></p>\n"_s;
        // Without samples the anatomy takes the growth chart's place (as on the painted page).
        if (page.samples.empty() && page.anatomy)
            out += htmlAnatomy(page, chartOptions) + htmlVerdict(page, p);
        else
            out += htmlGrowth(page, chartOptions) + htmlVerdict(page, p) + htmlAnatomy(page, chartOptions);
        out += htmlDecision(page, options, chartOptions) + htmlRawLines(page, options) + u"</section>\n"_s;
    }
    out += u"</body>\n</html>\n"_s;
    return out;
}

Result<void> IncidentReport::writeHtml(const std::vector<ReportPage> &pages, const QString &path,
                                       const ReportOptions &options)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(html(pages, options).toUtf8()) < 0 || !file.commit())
        return fail(Error::Kind::Io, u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    return {};
}

} // namespace oomscope
