// SPDX-License-Identifier: GPL-3.0-or-later
// The Memory tab: the memory at the kill as the kernel's report printed it — where the memory went
// (against the limit or RAM), the zones against their watermarks and the buddy free lists (node-wide
// OOMs), swap — drawn by charts/anatomychart like the report; beside it the failed request, the
// statements of the anatomy analysis and the GFP flags with a one-line meaning each.
#pragma once

#include "anatomychart.h"
#include "oomevent.h"

#include <QStringList>
#include <QWidget>

#include <optional>

class QLabel;

namespace oomscope {

class AnatomyCanvas;

class MemoryView : public QWidget
{
    Q_OBJECT
public:
    explicit MemoryView(QWidget *parent = nullptr);

    // Parses the event's Mem-Info and memcg stats and analyses them (cheap: one report's lines).
    void setEvent(const OomEvent &event);
    void clear(const QString &message = {});

    // What the tab shows, for tests and accessibility.
    const std::optional<AnatomyData> &data() const { return m_data; }
    AnatomySections sections() const;
    QString requestText() const;
    QStringList statements() const;
    QStringList gaps() const; // what the report did not contain, as shown
    QStringList gfpFlags() const; // the flag column of the GFP table
    QString gfpMeaning(const QString &flag) const; // its meaning column
    QWidget *canvas() const;

private:
    AnatomyCanvas *m_canvas = nullptr;
    QLabel *m_request = nullptr;
    QLabel *m_statements = nullptr;
    QLabel *m_gfp = nullptr; // flag — meaning, one per line
    QLabel *m_gfpNote = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_content = nullptr;
    std::optional<AnatomyData> m_data;
    QStringList m_statementList;
    std::vector<std::pair<QString, QString>> m_gfpRows;
};

} // namespace oomscope
