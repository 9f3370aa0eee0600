// SPDX-License-Identifier: GPL-3.0-or-later
// The Timeline tab's verdict panel: what the visible range of a series says — leak, undersized
// limit, spike, page cache or fits — in words, with the evidence numbers, the process the growth
// comes from, the limit advice and the limit replay's curve.
#pragma once

#include "rangeevaluation.h"

#include <QStringList>
#include <QWidget>

#include <optional>
#include <utility>

class QCustomPlot;
class QLabel;

namespace oomscope {

class VerdictPanel : public QWidget
{
    Q_OBJECT
public:
    explicit VerdictPanel(QWidget *parent = nullptr);

    // Shows the evaluation of seriesLabel's range.
    void setEvaluation(const RangeEvaluation &evaluation, const QString &seriesLabel);
    // No verdict: the reason instead (no series checked, no samples in view, an error).
    void showMessage(const QString &text);
    // A newer range is being evaluated: the shown verdict is marked as being updated.
    void setPending(bool pending);

    std::optional<Verdict::Kind> kind() const { return m_kind; }
    QString kindName() const; // verdictKindName(), empty when none is shown
    // The range the shown verdict was computed for (epoch ms); nullopt when none is shown.
    std::optional<std::pair<std::int64_t, std::int64_t>> evaluatedRangeMs() const { return m_rangeMs; }
    QString headlineText() const;
    QString evidenceText() const; // the evidence table as plain text
    QString limitsText() const;
    // The limit replay's curve (kills per candidate limit); hidden when there is none.
    QCustomPlot *replayPlot() const { return m_replayPlot; }

    // "Leak — fix the code", "Undersized limit — raise it to 160 MiB", …
    static QString headlineFor(const Verdict &verdict);

private:
    QLabel *m_headline = nullptr;
    QLabel *m_confidence = nullptr;
    QLabel *m_range = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_evidence = nullptr;
    QLabel *m_limits = nullptr;
    QLabel *m_chaseWarning = nullptr;
    QLabel *m_warnings = nullptr;
    QCustomPlot *m_replayPlot = nullptr;
    QStringList m_evidenceLines; // the tables as "name: value" lines
    QStringList m_limitLines;
    std::optional<Verdict::Kind> m_kind;
    std::optional<std::pair<std::int64_t, std::int64_t>> m_rangeMs;
};

} // namespace oomscope
