// SPDX-License-Identifier: GPL-3.0-or-later
// The words of an incident report, composed once for the painted page (PNG, PDF) and the HTML:
// titles, times, the header lines, the verdict's figures and advice, table cells.
#pragma once

#include "chartstyle.h"
#include "killdecision.h"
#include "oomevent.h"
#include "verdict.h"

#include <QColor>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace oomscope {

struct ReportPage;

// "2026-11-28 00:18:54 UTC".
QString formatWallMs(qint64 ms);
// The kill's time on the chart's axis (else the log's wall time), and the kernel's uptime.
QString eventTime(const OomEvent &e, std::optional<qint64> killMs);
// "OOM kill of checkout_svc.py (pid 23026)".
QString killTitle(const OomEvent &e);
// "checkout_svc.py (23026)", as the chart's kill markers name the victim.
QString victimName(const QString &comm, qint64 pid);
QString pagesToMiB(std::int64_t pages, std::int64_t pageSizeBytes);

// The header's two lines, each a list of "Label: value" parts.
std::pair<QStringList, QStringList> headerLines(const ReportPage &page);

// "Incident: kill 2 of 2 within 5.7 ms"; empty for a page that is not part of an incident report.
QString incidentText(const ReportPage &page);
// The title of the anatomy panel, and the line shown when an event has no anatomy at all.
QString anatomyPanelTitle(const ReportPage &page);

// "LEAK · 95 % confidence".
QString verdictHeadline(const Verdict &v);
// Verdict figures as (label, value) rows.
std::vector<std::pair<QString, QString>> verdictRows(const Verdict &v);
QString limitAdvice(const Verdict &v);
QColor verdictColor(Verdict::Kind kind, const ChartPalette &p);
extern const QString kNoVerdictText;

// The kill-decision table: headers and the cells of one candidate.
std::vector<QString> decisionHeaders();
std::vector<QString> decisionCells(const RankedTask &t, bool victim, std::int64_t pageSizeBytes);
// "kernel agrees with" / "kernel disagrees with" the recomputation.
QString agreementText(const KillDecision &d);

} // namespace oomscope
