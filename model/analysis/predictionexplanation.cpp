// SPDX-License-Identifier: GPL-3.0-or-later
#include "predictionexplanation.h"

using namespace Qt::StringLiterals;

namespace oomscope {

QString predictionNoteText(const PredictionNote &note)
{
    switch (note.kind) {
    case PredictionNote::Kind::NoLimit:
        return u"No limit is known: the oom_score_adj term is taken as 0."_s;
    case PredictionNote::Kind::RssUnknown:
        return u"Some processes have no rss figure; they were counted as 0."_s;
    case PredictionNote::Kind::RootBonusGranted:
        return u"Every process was granted the 3 % root bonus of this era (uid unknown)."_s;
    case PredictionNote::Kind::RootBonusWithheld:
        return u"No process was granted the 3 % root bonus of this era (uid unknown)."_s;
    case PredictionNote::Kind::SelectionDisagreement:
        return u"Internal disagreement between the selection and its what-if search; the kill "
               u"decision's selection is shown."_s;
    case PredictionNote::Kind::TopTie:
        return u"Equal points at the top: the %1 maximum in pid order wins, assuming the kernel walks "
               u"the cgroup's tasks in pid order."_s.arg(note.lastMaximumWins ? u"last"_s : u"first"_s);
    case PredictionNote::Kind::EarlierVictimsExcluded:
        return u"Left out as victims of earlier kills: %1 pid(s)."_s.arg(note.count);
    case PredictionNote::Kind::EraFromKernelLog:
        return u"Scored with the %1 formula and %2 KiB pages, as this node's kernel reports show."_s.arg(
            badnessEraName(note.era), QString::number(note.pageSizeBytes / 1024));
    case PredictionNote::Kind::EraDefault:
        return u"No kernel report of this node: scored with the default, the %1 formula and %2 KiB pages."_s
            .arg(badnessEraName(note.era), QString::number(note.pageSizeBytes / 1024));
    }
    return {};
}

QStringList predictionNotes(const PredictedRanking &ranking)
{
    QStringList out;
    for (const PredictionNote &note : ranking.noteFacts)
        out << predictionNoteText(note);
    return out;
}

} // namespace oomscope
