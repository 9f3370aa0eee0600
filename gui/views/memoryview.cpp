// SPDX-License-Identifier: GPL-3.0-or-later
#include "memoryview.h"

#include "anatomyexplanation.h"

#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace oomscope {

// Paints the anatomy with the report's drawing code, in the widget's colours.
class AnatomyCanvas : public QWidget
{
public:
    explicit AnatomyCanvas(QWidget *parent = nullptr)
        : QWidget(parent)
    {
        setMinimumSize(420, 360);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }
    void setData(const AnatomyData *anatomy)
    {
        m_data = anatomy;
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing, true);
        const QPalette &pal = palette();
        ChartPalette p = ChartPalette::light();
        p.background = pal.color(QPalette::Base);
        p.foreground = pal.color(QPalette::Text);
        p.muted = pal.color(QPalette::PlaceholderText);
        painter.fillRect(rect(), p.background);
        if (!m_data)
            return;
        paintMemoryAnatomy(painter, QRectF(rect()).adjusted(12, 10, -12, -10), *m_data,
                           AnatomyStyle::from(p, font()));
    }

private:
    const AnatomyData *m_data = nullptr;
};

MemoryView::MemoryView(QWidget *parent)
    : QWidget(parent)
{
    m_canvas = new AnatomyCanvas;
    m_canvas->setObjectName(u"anatomyCanvas"_s);

    m_request = new QLabel;
    m_request->setObjectName(u"anatomyRequest"_s);
    m_request->setWordWrap(true);
    m_request->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_request->font();
    bold.setBold(true);
    m_request->setFont(bold);

    m_statements = new QLabel;
    m_statements->setObjectName(u"anatomyStatements"_s);
    m_statements->setWordWrap(true);
    m_statements->setTextFormat(Qt::RichText);
    m_statements->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statements->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    m_gfp = new QLabel;
    m_gfp->setObjectName(u"gfpFlags"_s);
    m_gfp->setWordWrap(true);
    m_gfp->setTextFormat(Qt::RichText);
    m_gfp->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_gfpNote = new QLabel;
    m_gfpNote->setWordWrap(true);

    auto *side = new QWidget;
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(6, 6, 6, 6);
    sideLayout->addWidget(m_request);
    sideLayout->addWidget(m_statements);
    sideLayout->addWidget(m_gfpNote);
    sideLayout->addWidget(m_gfp);
    sideLayout->addStretch(); // keeps the texts at the top when there is no flag table

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_canvas);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    m_content = splitter;

    m_empty = new QLabel;
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_content, 1);
    layout->addWidget(m_empty, 1);
    clear();
}

void MemoryView::clear(const QString &message)
{
    m_data.reset();
    m_statementList.clear();
    m_canvas->setData(nullptr);
    m_gfp->clear();
    m_gfpRows.clear();
    m_content->hide();
    m_empty->setText(message.isEmpty() ? tr("Select an event to see what filled the memory.") : message);
    m_empty->show();
}

void MemoryView::setEvent(const OomEvent &event)
{
    m_data = anatomyOf(event);
    const AnatomyData &d = *m_data;
    m_canvas->setData(&*m_data);
    m_request->setText(tr("Failed request: %1").arg(anatomyRequestLine(d)));

    // The sentences are the anatomy analysis's (anatomyexplanation.cpp); what the report lacked
    // follows in grey.
    m_statementList = d.anatomy.statements;
    QString html;
    for (const QString &s : m_statementList)
        html += u"<li>"_s + s.toHtmlEscaped() + u"</li>"_s;
    m_statements->setText(html.isEmpty() ? tr("<i>No statement: the report has too little to go on.</i>")
                                         : u"<ul style=\"margin-left:-20px\">"_s + html + u"</ul>"_s);

    const GfpDecode &gfp = d.anatomy.trigger.gfp;
    m_gfpRows.clear();
    QString flagsHtml;
    for (const QString &flag : gfp.flags) {
        m_gfpRows.emplace_back(flag, gfpFlagMeaning(flag));
        flagsHtml += u"<tr><td style=\"padding-right:8px\"><b>"_s + flag.toHtmlEscaped() + u"</b></td><td>"_s
            + m_gfpRows.back().second.toHtmlEscaped() + u"</td></tr>"_s;
    }
    m_gfp->setText(u"<table>"_s + flagsHtml + u"</table>"_s);
    QStringList notes;
    if (!gfp.parsed)
        notes << tr("The GFP mask could not be read from \"%1\".").arg(d.gfpMaskText);
    else
        notes << tr("GFP mask 0x%1, decoded with the flag values of kernel %2.")
                     .arg(QString::number(gfp.mask, 16), gfpEraName(gfp.era));
    if (gfp.unknownBits != 0)
        notes << tr("Bits no flag of that kernel covers: 0x%1.").arg(QString::number(gfp.unknownBits, 16));
    if (gfp.parsed && !gfp.matchesPrinted)
        notes << tr("The kernel printed %1.").arg(gfp.printedFlags.join(u'|'));
    m_gfpNote->setText(notes.join(u' '));
    m_gfp->setVisible(!gfp.flags.isEmpty());

    m_empty->hide();
    m_content->show();
}

AnatomySections MemoryView::sections() const
{
    return m_data ? anatomySections(*m_data) : AnatomySections {};
}

QString MemoryView::requestText() const
{
    return m_request->text();
}

QStringList MemoryView::statements() const
{
    return m_statementList;
}

QStringList MemoryView::gaps() const
{
    return m_data ? anatomyGaps(*m_data) : QStringList {};
}

QStringList MemoryView::gfpFlags() const
{
    QStringList flags;
    for (const auto &[flag, meaning] : m_gfpRows)
        flags << flag;
    return flags;
}

QString MemoryView::gfpMeaning(const QString &flag) const
{
    for (const auto &[name, meaning] : m_gfpRows) {
        if (name == flag)
            return meaning;
    }
    return QString();
}

QWidget *MemoryView::canvas() const
{
    return m_canvas;
}

} // namespace oomscope
