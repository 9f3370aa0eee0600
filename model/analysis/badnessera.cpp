// SPDX-License-Identifier: GPL-3.0-or-later
#include "badnessera.h"

#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace oomscope {

bool eraHasRootBonus(BadnessEra era)
{
    return era == BadnessEra::Linux310 || era == BadnessEra::Linux41to414 || era == BadnessEra::Linux415to416;
}

bool eraIsSigned(BadnessEra era)
{
    return era == BadnessEra::Linux59Plus || era == BadnessEra::Unknown;
}

bool eraDefaultLastMaximum(BadnessEra era)
{
    return era == BadnessEra::Linux53to58 || era == BadnessEra::Linux59Plus || era == BadnessEra::Unknown;
}

KernelRelease parseKernelRelease(const QString &text)
{
    KernelRelease r;
    static const QRegularExpression versionRe(u"^\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?"_s);
    const QRegularExpressionMatch m = versionRe.match(text);
    if (!m.hasMatch())
        return r;
    r.valid = true;
    r.major = m.captured(1).toInt();
    r.minor = m.captured(2).toInt();
    r.patch = m.captured(3).isEmpty() ? 0 : m.captured(3).toInt();
    static const QRegularExpression elRe(u"\\.el(\\d+)"_s);
    const QRegularExpressionMatch el = elRe.match(text);
    if (el.hasMatch())
        r.rhel = el.captured(1).toInt();
    return r;
}

namespace {

std::optional<EraChoice> eraFromRelease(const QString &releaseText)
{
    const KernelRelease r = parseKernelRelease(releaseText);
    if (!r.valid || r.major < 3)
        return std::nullopt;
    EraChoice c;
    c.fromRelease = true;
    const QString rel = u"kernel release %1"_s.arg(releaseText.trimmed());
    const int v = r.major * 1000 + r.minor;
    if (r.rhel == 7 || r.major == 3) {
        c.era = BadnessEra::Linux310;
        c.reason = rel
            % (r.rhel == 7 ? u" (RHEL 7): 3.10 badness with the 3 % root bonus"_s
                           : u": 3.x badness with the 3 % root bonus"_s);
    } else if (r.rhel == 8 || (v == 4018 && releaseText.contains(u"el8"_s))) {
        c.era = BadnessEra::Linux417to52;
        c.reason = rel
            % u" (RHEL 8): 4.17+ badness without root bonus, but the 5.3 tie rule "
              u"(last maximum wins) is backported"_s;
        c.lastMaximumWins = true;
        return c;
    } else if (v <= 4014) {
        c.era = BadnessEra::Linux41to414;
        c.reason = rel % u": nr_ptes(+nr_pmds) badness with the 3 % root bonus"_s;
    } else if (v <= 4016) {
        c.era = BadnessEra::Linux415to416;
        c.reason = rel % u": pgtables_bytes badness, root bonus still present"_s;
    } else if (v <= 5002) {
        c.era = BadnessEra::Linux417to52;
        c.reason = rel % u": no root bonus, first maximum wins"_s;
    } else if (v <= 5008) {
        // Late 5.4.y stable trees carry the 5.9 signed badness (5.4.286 does, 5.4.59 does not).
        if (v == 5004 && r.patch > 59) {
            c.era = BadnessEra::Linux59Plus;
            c.reason = rel
                % u": late 5.4.y stable with the 5.9 signed badness backported "
                  u"(present in 5.4.286, absent in 5.4.59; releases in between are "
                  u"not verified)"_s;
        } else {
            c.era = BadnessEra::Linux53to58;
            c.reason = rel % u": last maximum wins, badness clamped to 1"_s;
            if (v == 5004)
                c.reason += u" (distribution 5.4 builds may carry the 5.9 signed badness)"_s;
        }
    } else {
        c.era = BadnessEra::Linux59Plus;
        c.reason = rel % u": signed badness, last maximum wins"_s;
    }
    c.lastMaximumWins = eraDefaultLastMaximum(c.era);
    return c;
}

bool hasStat(const OomEvent &e, QLatin1StringView key)
{
    return std::any_of(e.memcgStats.begin(), e.memcgStats.end(),
                       [&](const auto &kv) { return kv.first == key; });
}

EraChoice eraFromFormat(const OomEvent &e)
{
    EraChoice c;
    const bool sacrifice = e.selectedPid.has_value();
    switch (e.layout) {
    case TaskTableLayout::NrPtes:
        c.era = BadnessEra::Linux310;
        c.reason = u"task table with nr_ptes only (3.10 / RHEL 7 layout)"_s;
        break;
    case TaskTableLayout::NrPtesNrPmds:
        c.era = BadnessEra::Linux41to414;
        c.reason = u"task table with nr_ptes and nr_pmds (4.1 – 4.14 layout)"_s;
        break;
    case TaskTableLayout::RssSplit:
        c.era = BadnessEra::Linux59Plus;
        c.reason = u"task table with rss_anon/rss_file/rss_shmem columns (6.8+)"_s;
        break;
    case TaskTableLayout::PgtablesBytes:
        if (!e.hasTasksStateLine && e.hasSummaryLine) {
            c.era = BadnessEra::Linux417to52;
            c.reason = u"pgtables_bytes table without a \"Tasks state\" line but with an "
                       u"oom-kill: summary line: RHEL 8 (4.18), whose tie rule is last maximum"_s;
            c.lastMaximumWins = true;
            return c;
        }
        if (!e.hasTasksStateLine) {
            // Upstream 4.17/4.18 look the same; 4.15 (Ubuntu 18.04) is by far the common one.
            c.era = BadnessEra::Linux415to416;
            c.reason = u"pgtables_bytes table without a \"Tasks state\" line (4.15 – 4.18); "
                       u"assumed 4.15/4.16 with the root bonus"_s;
        } else if (sacrifice || (!e.hasSummaryLine && e.memcgStats.empty())) {
            c.era = BadnessEra::Linux417to52;
            c.reason = sacrifice ? u"\"Tasks state\" table with a \"Kill process … or sacrifice "
                                   u"child\" line (4.19 – 5.0)"_s
                                 : u"\"Tasks state\" table without an oom-kill: line (4.19)"_s;
        } else if (hasStat(e, "cache"_L1) && !hasStat(e, "total_cache"_L1)
                   && !hasStat(e, "hierarchical_memory_limit"_L1)) {
            c.era = BadnessEra::Linux417to52;
            c.reason = u"single-line \"Memory cgroup stats\" (<= 5.2)"_s;
        } else if (hasStat(e, "total_cache"_L1) || hasStat(e, "hierarchical_memory_limit"_L1)) {
            c.era = BadnessEra::Linux59Plus;
            c.reason = u"multi-line cgroup v1 memory.stat dump (6.6+)"_s;
        } else if (e.victim.present && !e.victim.oomScoreAdj) {
            c.era = BadnessEra::Linux53to58;
            c.reason = u"kill line without oom_score_adj (5.1 – 5.3)"_s;
        } else {
            c.era = BadnessEra::Linux59Plus;
            c.reason = u"pgtables_bytes table with the 5.4+ kill line; assumed 5.9+ (5.4 – 5.8 "
                       u"clamp badness to 1 instead of letting it go negative)"_s;
        }
        break;
    case TaskTableLayout::Unknown:
        if (sacrifice) {
            c.era = BadnessEra::Linux417to52;
            c.reason = u"no task table; \"or sacrifice child\" line (<= 5.0)"_s;
        } else {
            c.era = BadnessEra::Unknown;
            c.reason = u"no task table and no kernel release; modern (5.9+) rules assumed"_s;
        }
        break;
    }
    c.lastMaximumWins = eraDefaultLastMaximum(c.era);
    return c;
}

} // namespace

QString badnessEraName(BadnessEra era)
{
    switch (era) {
    case BadnessEra::Unknown:
        return u"unknown"_s;
    case BadnessEra::Linux310:
        return u"3.10 / RHEL 7"_s;
    case BadnessEra::Linux41to414:
        return u"4.1 – 4.14"_s;
    case BadnessEra::Linux415to416:
        return u"4.15 – 4.16"_s;
    case BadnessEra::Linux417to52:
        return u"4.17 – 5.2"_s;
    case BadnessEra::Linux53to58:
        return u"5.3 – 5.8"_s;
    case BadnessEra::Linux59Plus:
        return u"5.9+"_s;
    }
    return u"unknown"_s;
}
EraChoice chooseEra(const OomEvent &e, const DecisionOptions &options)
{
    EraChoice c;
    if (options.era) {
        c.era = *options.era;
        c.reason = u"era forced to %1"_s.arg(badnessEraName(c.era));
        c.lastMaximumWins = eraDefaultLastMaximum(c.era);
    } else if (const auto fromRelease = eraFromRelease(e.kernelRelease)) {
        c = *fromRelease;
        const EraChoice fromFormat = eraFromFormat(e);
        if (e.layout != TaskTableLayout::Unknown && fromFormat.era != c.era)
            c.reason += u"; the report's format suggests %1 (%2), the release was preferred"_s.arg(
                badnessEraName(fromFormat.era), fromFormat.reason);
    } else {
        c = eraFromFormat(e);
    }
    if (options.lastMaximumWins) {
        c.lastMaximumWins = *options.lastMaximumWins;
        c.reason += u"; tie rule forced"_s;
    }
    return c;
}

} // namespace oomscope
