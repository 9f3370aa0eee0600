// SPDX-License-Identifier: GPL-3.0-or-later
// Read-only monospace view of an OOM report's raw lines with their line numbers in the source.
#pragma once

#include "oomevent.h"

#include <QPlainTextEdit>

namespace oomscope {

class RawReportView : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit RawReportView(QWidget *parent = nullptr);

    // Highlights the kill line and the victim's task-table row.
    void setEvent(const OomEvent &event);
    void clearEvent();
};

} // namespace oomscope
