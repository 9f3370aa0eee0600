// SPDX-License-Identifier: GPL-3.0-or-later
// The Timeline tab's predicted-next-victim panel: whom the OOM killer would pick if the series'
// cgroup hit its limit at the end of the visible range, and, for the latest kill in view, whether
// the same prediction just before it named the process the kernel killed.
#pragma once

#include "rangeevaluation.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace oomscope {

class PredictionModel;

class PredictionPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PredictionPanel(QWidget *parent = nullptr);

    void setEvaluation(const RangeEvaluation &evaluation);
    void showMessage(const QString &text);

    PredictionModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    std::optional<KillComparison> killComparison() const { return m_kill; }
    QString killComparisonText() const;
    QString emptyText() const; // the empty-state text when shown, else empty
    QString notesText() const; // the ranking's notes (assumptions: era, page size, …) when shown

private:
    PredictionModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_basis = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_killLabel = nullptr;
    QLabel *m_notes = nullptr;
    std::optional<KillComparison> m_kill;
};

} // namespace oomscope
