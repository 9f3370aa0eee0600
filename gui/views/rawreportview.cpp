// SPDX-License-Identifier: GPL-3.0-or-later
#include "rawreportview.h"

#include <QFontDatabase>
#include <QTextBlock>

using namespace Qt::StringLiterals;

namespace oomscope {

RawReportView::RawReportView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("Select an event to see the kernel's report as it was logged."));
}

void RawReportView::clearEvent()
{
    setExtraSelections({});
    clear();
}

void RawReportView::setEvent(const OomEvent &event)
{
    qint64 maxLine = 1;
    for (const RawLine &raw : event.rawLines)
        maxLine = std::max(maxLine, raw.line);
    const int width = int(QString::number(maxLine).size());

    QString text;
    text.reserve(qsizetype(event.rawLines.size()) * 100);
    for (const RawLine &raw : event.rawLines) {
        text += QString::number(raw.line).rightJustified(width, u' ') + u"  │ "_s + raw.text + u'\n';
    }
    if (!text.isEmpty())
        text.chop(1);
    setPlainText(text);

    // Lines worth finding at a glance: the kill and the victim's row in the task table.
    std::vector<qint64> killLines;
    if (event.victim.present)
        killLines.push_back(event.victim.line);
    std::vector<qint64> victimTaskLines;
    for (const OomTask &task : event.tasks) {
        if (task.pid == event.victim.pid || task.pid == event.kernelSelectedPid())
            victimTaskLines.push_back(task.line);
    }
    QList<QTextEdit::ExtraSelection> selections;
    for (int i = 0; i < int(event.rawLines.size()); ++i) {
        const qint64 line = event.rawLines[size_t(i)].line;
        const bool kill = std::find(killLines.begin(), killLines.end(), line) != killLines.end();
        const bool row =
            std::find(victimTaskLines.begin(), victimTaskLines.end(), line) != victimTaskLines.end();
        if (!kill && !row)
            continue;
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(document()->findBlockByNumber(i));
        selection.format.setBackground(kill ? QColor(0xff, 0xcd, 0xc4) : QColor(0xff, 0xec, 0xb8));
        selection.format.setProperty(QTextFormat::FullWidthSelection, true);
        selections.append(selection);
    }
    setExtraSelections(selections);
    moveCursor(QTextCursor::Start);
}

} // namespace oomscope
