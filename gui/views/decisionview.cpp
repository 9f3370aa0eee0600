// SPDX-License-Identifier: GPL-3.0-or-later
#include "decisionview.h"

#include "badnesschart.h"
#include "sizeformat.h"
#include "taskrankingmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

QString commOf(const KillDecision &decision, std::int64_t pid)
{
    for (const RankedTask &r : decision.ranking) {
        if (r.task.pid == pid)
            return r.task.comm;
    }
    return {};
}

QString taskLabel(const QString &comm, std::int64_t pid)
{
    return (comm.isEmpty() ? u"pid"_s : comm.toHtmlEscaped()) + u" ("_s + QString::number(pid) + u')';
}

} // namespace

DecisionView::DecisionView(QWidget *parent)
    : QWidget(parent)
{
    auto *header = new QFrame(this);
    header->setObjectName(u"decisionHeader"_s);
    header->setFrameShape(QFrame::StyledPanel);
    header->setAutoFillBackground(true);
    QPalette headerPalette = header->palette();
    headerPalette.setColor(QPalette::Window, headerPalette.color(QPalette::Base));
    header->setPalette(headerPalette);

    m_title = new QLabel(header);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true); // long cgroup paths must not widen the window

    m_explanation = new QLabel(header);
    m_explanation->setWordWrap(true);
    m_explanation->setTextFormat(Qt::RichText);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse
                                           | Qt::LinksAccessibleByKeyboard);
    connect(m_explanation, &QLabel::linkActivated, this, [this](const QString &link) {
        if (const std::optional<WayIn> way = wayInFromLink(link))
            Q_EMIT wayInRequested(*way);
    });
    m_facts = new QLabel(header);
    m_facts->setWordWrap(true);
    m_facts->setTextFormat(Qt::RichText);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes = new QLabel(header);
    m_notes->setWordWrap(true);
    m_notes->setTextFormat(Qt::RichText);
    QPalette notesPalette = m_notes->palette();
    notesPalette.setColor(QPalette::WindowText, notesPalette.color(QPalette::PlaceholderText));
    m_notes->setPalette(notesPalette);

    auto *headerLayout = new QVBoxLayout(header);
    headerLayout->setContentsMargins(12, 8, 12, 8);
    headerLayout->setSpacing(4);
    headerLayout->addWidget(m_title);
    headerLayout->addWidget(m_explanation);
    headerLayout->addWidget(m_facts);
    headerLayout->addWidget(m_notes);
    buildWhatIfBar(header, headerLayout);

    m_taskModel = new TaskRankingModel(this);
    m_taskProxy = new QSortFilterProxyModel(this);
    m_taskProxy->setSourceModel(m_taskModel);
    m_taskProxy->setSortRole(TaskRankingModel::SortRole);
    m_taskView = new QTableView(this);
    m_taskView->setObjectName(u"taskView"_s);
    m_taskView->setModel(m_taskProxy);
    m_taskView->setSortingEnabled(true);
    m_taskView->sortByColumn(TaskRankingModel::RankColumn, Qt::AscendingOrder);
    m_taskView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_taskView->setAlternatingRowColors(true);
    m_taskView->verticalHeader()->hide();
    m_taskView->verticalHeader()->setDefaultSectionSize(m_taskView->fontMetrics().height() + 8);
    m_taskView->horizontalHeader()->setStretchLastSection(true);
    m_taskView->horizontalHeader()->setHighlightSections(false);

    m_chart = new BadnessChart(this);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_details = splitter;
    splitter->addWidget(m_taskView);
    splitter->addWidget(m_chart);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({800, 580});
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(header);
    layout->addWidget(splitter, 1);
    layout->addStretch(0); // keeps the header on top while the details are hidden

    clear();
}

void DecisionView::clear(const QString &message)
{
    m_title->setText(message.isEmpty() ? tr("No event selected") : message);
    m_explanation->setText(
        tr("Select an OOM event in the list above to see why the kernel chose its victim."));
    m_facts->clear();
    m_notes->clear();
    m_notes->setVisible(false);
    m_taskModel->clear();
    m_chart->clearDecision();
    m_details->hide();
    m_event.reset();
    m_change = {};
    m_whatIf.reset();
    m_whatIfBar->hide();
}

void DecisionView::showEmptyWorkspace()
{
    clear(tr("No OOM events in this workspace yet"));
    m_explanation->setText(
        tr("<p>Bring in what you have:</p><ul>"
           "<li><a href=\"%1\"><b>Open kernel logs…</b></a> (Ctrl+O), or drop files on this window: saved "
           "kernel logs (dmesg, syslog, journal, kmsg; gzip is fine). Every OOM-killer report in them is "
           "listed above.</li>"
           "<li><a href=\"%2\"><b>Import a recording…</b></a> (Ctrl+Shift+O): a memory recording (samples "
           "CSV) with its kernel log, to see memory climb to the limit on the Timeline.</li>"
           "<li><a href=\"%3\"><b>Watch cgroups…</b></a> (Ctrl+W) or <a href=\"%4\"><b>attach to a "
           "node…</b></a> (Ctrl+Shift+A): sample memory live, on this machine or through a node's "
           "oomscope-agent.</li></ul>")
            .arg(wayInLink(WayIn::OpenLogs), wayInLink(WayIn::ImportRecording),
                 wayInLink(WayIn::WatchCgroups), wayInLink(WayIn::AttachToNode)));
}

void DecisionView::setDecision(const OomEvent &event, const KillDecision &decision)
{
    const QLocale locale(QLocale::English);
    const QString victimComm =
        event.victim.present ? event.victim.comm : commOf(decision, decision.victimPid);

    QString where;
    if (event.constraint == Constraint::Memcg || !event.oomMemcg.isEmpty()) {
        where = tr("memory cgroup ") + (event.oomMemcg.isEmpty() ? u"?"_s : event.oomMemcg);
        if (event.memory.present && !event.memory.unlimited())
            where += tr(" hit its ") + humanSizeKb(event.memory.limitKb) + tr(" limit");
    } else if (event.constraint == Constraint::None) {
        where = tr("the whole system ran out of memory");
    } else {
        where = constraintName(event.constraint) + tr(" constraint");
    }
    if (decision.victimPid != 0) {
        m_title->setText(victimComm + u" ("_s + QString::number(decision.victimPid) + tr(") was killed — ")
                         + where);
    } else {
        m_title->setText(tr("No kill line found — ") + where);
    }
    if (decision.explanation.isEmpty()) {
        m_explanation->setText(tr("No explanation could be derived for this report."));
    } else {
        // The explanation quotes names in `backticks`; show them as code.
        static const QRegularExpression quoted(u"`([^`]*)`"_s);
        QString html = decision.explanation.toHtmlEscaped();
        html.replace(quoted, u"<b>\\1</b>"_s);
        m_explanation->setText(html);
    }

    QStringList facts;
    facts << tr("<b>totalpages</b> ") + locale.toString(qint64(decision.totalPages))
            + (decision.totalPagesSource.isEmpty()
                   ? QString()
                   : u" <span style='color:gray'>("_s + decision.totalPagesSource.toHtmlEscaped()
                       + (decision.totalPagesExact || decision.totalPagesSource.contains(u"assum"_s)
                              ? u")"_s
                              : tr(", assumed)"))
                       + u"</span>"_s);
    facts << tr("<b>Era</b> ") + badnessEraName(decision.era).toHtmlEscaped()
            + (decision.eraReason.isEmpty()
                   ? QString()
                   : u" <span style='color:gray'>("_s + decision.eraReason.toHtmlEscaped() + u")</span>"_s);
    facts << (decision.agrees
                  ? tr("<b>Recomputation</b> <span style='color:#2e7d32'>✓ agrees with the kernel</span>")
                  : tr("<b>Recomputation</b> <span style='color:#c62828'>✗ selects ")
                      + taskLabel(commOf(decision, decision.recomputedSelectedPid.value_or(0)),
                                  decision.recomputedSelectedPid.value_or(0))
                      + tr(", the kernel selected ")
                      + taskLabel(commOf(decision, decision.kernelSelectedPid), decision.kernelSelectedPid)
                      + u"</span>"_s);
    if (decision.runnerUpPid) {
        QString margin = tr("<b>Margin</b> ") + locale.toString(qint64(decision.pointsMargin))
            + tr(" points over ") + taskLabel(commOf(decision, *decision.runnerUpPid), *decision.runnerUpPid);
        if (decision.runnerUpAdjToWin)
            margin += tr("; it would have been chosen with oom_score_adj ≥ ")
                + QString::number(*decision.runnerUpAdjToWin);
        facts << margin;
    }
    if (decision.victimQos != QosTier::None)
        facts << tr("<b>Kubernetes QoS</b> ") + qosTierName(decision.victimQos).toHtmlEscaped();
    if (!event.kernelRelease.isEmpty())
        facts << tr("<b>Kernel</b> ") + event.kernelRelease.toHtmlEscaped();
    m_facts->setText(facts.join(u" &nbsp;·&nbsp; "_s));

    if (decision.notes.isEmpty()) {
        m_notes->clear();
        m_notes->setVisible(false);
    } else {
        QString notes;
        for (const QString &note : decision.notes)
            notes += u"• "_s + note.toHtmlEscaped() + u"<br>"_s;
        notes.chop(4);
        m_notes->setText(notes);
        m_notes->setVisible(true);
    }

    m_details->show();
    m_taskModel->setDecision(decision, event.pageSizeBytes);
    m_taskView->resizeColumnsToContents();
    m_chart->setDecision(decision);

    m_event = event;
    m_decision = decision;
    m_change = {};
    m_whatIf.reset();
    m_whatIfTask->clear();
    for (const OomTask &t : event.tasks)
        m_whatIfTask->addItem(u"%1 (%2), adj %3"_s.arg(t.comm).arg(t.pid).arg(t.oomScoreAdj), qint64(t.pid));
    m_whatIfLimitMiB->setValue(0);
    m_whatIfResult->clear();
    m_whatIfBar->setVisible(!event.tasks.empty());
}

void DecisionView::buildWhatIfBar(QWidget *parent, QVBoxLayout *layout)
{
    m_whatIfBar = new QWidget(parent);
    m_whatIfBar->setObjectName(u"whatIfBar"_s);
    auto *row = new QHBoxLayout(m_whatIfBar);
    row->setContentsMargins(0, 4, 0, 0);
    m_whatIfTask = new QComboBox(m_whatIfBar);
    m_whatIfTask->setObjectName(u"whatIfTask"_s);
    m_whatIfAdj = new QSpinBox(m_whatIfBar);
    m_whatIfAdj->setRange(-1000, 1000);
    m_whatIfAdj->setPrefix(tr("adj "));
    m_whatIfRemove = new QCheckBox(tr("remove"), m_whatIfBar);
    m_whatIfLimitMiB = new QSpinBox(m_whatIfBar);
    m_whatIfLimitMiB->setRange(0, 16 * 1024 * 1024);
    m_whatIfLimitMiB->setSuffix(tr(" MiB"));
    m_whatIfLimitMiB->setSpecialValueText(tr("limit as printed"));
    auto *apply = new QPushButton(tr("What if"), m_whatIfBar);
    apply->setObjectName(u"whatIfApply"_s);
    auto *reset = new QPushButton(tr("Reset"), m_whatIfBar);
    m_whatIfResult = new QLabel(m_whatIfBar);
    m_whatIfResult->setObjectName(u"whatIfResult"_s);
    m_whatIfResult->setWordWrap(true);
    row->addWidget(new QLabel(tr("What if:"), m_whatIfBar));
    row->addWidget(m_whatIfTask, 1);
    row->addWidget(m_whatIfAdj);
    row->addWidget(m_whatIfRemove);
    row->addWidget(m_whatIfLimitMiB);
    row->addWidget(apply);
    row->addWidget(reset);
    layout->addWidget(m_whatIfBar);
    layout->addWidget(m_whatIfResult);
    connect(m_whatIfTask, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!m_event || index < 0 || index >= int(m_event->tasks.size()))
            return;
        const OomTask &t = m_event->tasks[std::size_t(index)];
        const auto it = m_change.adjByPid.find(t.pid);
        m_whatIfAdj->setValue(it != m_change.adjByPid.end() ? it->second : t.oomScoreAdj);
        m_whatIfRemove->setChecked(m_change.removedPids.count(t.pid) > 0);
    });
    connect(apply, &QPushButton::clicked, this, [this] {
        const std::int64_t pid = m_whatIfTask->currentData().toLongLong();
        const int limitMiB = m_whatIfLimitMiB->value();
        applyWhatIf(pid, m_whatIfAdj->value(), m_whatIfRemove->isChecked(),
                    limitMiB > 0 ? std::optional<std::int64_t>(std::int64_t(limitMiB) << 20) : std::nullopt);
    });
    connect(reset, &QPushButton::clicked, this, &DecisionView::resetWhatIf);
}

void DecisionView::applyWhatIf(std::int64_t pid, std::optional<int> adj, bool remove,
                               std::optional<std::int64_t> limitBytes)
{
    if (!m_event)
        return;
    if (pid != 0) {
        if (adj)
            m_change.adjByPid[pid] = *adj;
        if (remove)
            m_change.removedPids.insert(pid);
        else
            m_change.removedPids.erase(pid);
    }
    m_change.memcgLimitBytes = limitBytes;
    m_whatIf = decideWhatIf(*m_event, m_decision, m_change);
    showWhatIf();
}

void DecisionView::resetWhatIf()
{
    if (!m_event)
        return;
    m_change = {};
    m_whatIf.reset();
    m_whatIfLimitMiB->setValue(0);
    showWhatIf();
}

// The ranking and chart of the what-if (or the original), and one line saying what changed.
void DecisionView::showWhatIf()
{
    const KillDecision &shown = m_whatIf ? *m_whatIf : m_decision;
    m_taskModel->setDecision(shown, m_event->pageSizeBytes);
    m_chart->setDecision(shown);
    m_whatIfResult->setText(whatIfText());
}

QString DecisionView::whatIfText() const
{
    if (!m_whatIf)
        return {};
    const auto label = [this](std::int64_t pid) {
        return taskLabel(commOf(m_decision, pid), pid);
    };
    const std::optional<std::int64_t> before = m_decision.recomputedSelectedPid;
    const std::optional<std::int64_t> after = m_whatIf->recomputedSelectedPid;
    QStringList changes;
    for (const auto &[pid, adj] : m_change.adjByPid)
        changes << tr("%1 at adj %2").arg(label(pid)).arg(adj);
    for (std::int64_t pid : m_change.removedPids)
        changes << tr("%1 removed").arg(label(pid));
    if (m_change.memcgLimitBytes)
        changes << tr("limit %1").arg(humanSizeKb(*m_change.memcgLimitBytes / 1024));
    const QString what = changes.isEmpty() ? tr("as printed") : changes.join(u", "_s);
    if (!after)
        return tr("With %1: no task would be eligible.").arg(what);
    const QString who = label(*after);
    if (before && *before == *after)
        return tr("With %1: still %2 would be selected (ranking below).").arg(what, who);
    return tr("With %1: %2 would be selected instead of %3 (ranking below).")
        .arg(what, who, before ? label(*before) : tr("none"));
}

std::optional<std::int64_t> DecisionView::whatIfSelectedPid() const
{
    return m_whatIf ? m_whatIf->recomputedSelectedPid : m_decision.recomputedSelectedPid;
}

} // namespace oomscope
