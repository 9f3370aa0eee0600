// SPDX-License-Identifier: GPL-3.0-or-later
#include "verdictsummary.h"

#include <QLocale>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

QString mib(double bytes)
{
    const double m = bytes / kMiB;
    if (std::abs(m) >= 10240)
        return u"%1 GiB"_s.arg(QLocale::c().toString(m / 1024.0, 'f', 1));
    return u"%1 MiB"_s.arg(QLocale::c().toString(m, 'f', std::abs(m) >= 100 ? 0 : 1));
}

QString percent(double share)
{
    return u"%1 %"_s.arg(QLocale::c().toString(share * 100.0, 'f', 0));
}

QString duration(double seconds)
{
    const auto c = QLocale::c();
    if (seconds < 120)
        return u"%1 s"_s.arg(c.toString(seconds, 'f', seconds < 10 ? 1 : 0));
    if (seconds < 7200)
        return u"%1 min"_s.arg(c.toString(seconds / 60.0, 'f', 0));
    if (seconds < 172800)
        return u"%1 h"_s.arg(c.toString(seconds / 3600.0, 'f', 1));
    return u"%1 days"_s.arg(c.toString(seconds / 86400.0, 'f', 1));
}

QString rate(double bytesPerS)
{
    const double perHour = bytesPerS * 3600.0 / kMiB;
    const auto c = QLocale::c();
    if (perHour >= 1000)
        return u"%1 MiB/s (%2 MiB/h)"_s.arg(c.toString(bytesPerS / kMiB, 'f', 2),
                                            c.toString(perHour, 'f', 0));
    return u"%1 MiB/h"_s.arg(c.toString(perHour, 'f', perHour >= 100 ? 0 : 1));
}

QString leakSummary(const Verdict &v, const QString &reason, const QString &limitText)
{
    const Evidence &ev = v.evidence;
    const bool killed = v.decidingSegment && v.segments[*v.decidingSegment].endedByKill;
    QString when;
    if (killed && ev.limitBytes)
        when = u" It reached the %1 limit and was killed."_s.arg(limitText);
    else if (v.timeToLimitS && *v.timeToLimitS > 0)
        when = u" At this rate it reaches the %1 limit in %2."_s.arg(limitText,
                                                                     duration(double(*v.timeToLimitS)));
    else if (ev.limitBytes && v.trend.limitCrossingMs)
        when = u" It reached the %1 limit."_s.arg(limitText);
    const QString again = ev.growingIncarnations > 1
        ? u" Each of %1 incarnations (between kills) grew the same way."_s.arg(ev.growingIncarnations)
        : QString();
    const SegmentFinding *f = v.decidingSegment ? &v.segments[*v.decidingSegment].finding : nullptr;
    // A ProcessLeak reason names the process itself; a leak on the cgroup's line is named here.
    const QString who = f && !f->processComm.isEmpty() && f->rule != SegmentFinding::Rule::ProcessLeak
        ? u" in %1 (pid %2, %3 of the growth)"_s.arg(f->processComm)
              .arg(f->processPid)
              .arg(percent(f->processShare))
        : QString();
    return u"Leak%1: %2.%3%4 A bigger limit only delays the next kill; fix what retains memory%5."_s.arg(
        who, reason, again, when, f && !f->processComm.isEmpty() ? u" in "_s + f->processComm : QString());
}

QString insufficientSummary(const Evidence &ev)
{
    if (ev.sampleCount == 0)
        return u"No sample has a usable memory reading: nothing to judge."_s;
    if (ev.sampleCount == 1)
        return u"Only one usable sample: nothing to judge."_s;
    return u"%1 usable samples over %2: too few to judge."_s.arg(ev.sampleCount)
        .arg(duration(double(ev.durationMs) / 1000.0));
}

} // namespace

QString segmentReason(const SegmentFinding &f)
{
    using R = SegmentFinding::Rule;
    switch (f.rule) {
    case R::None:
        return {};
    case R::TooFewSamples:
        return u"%1 samples over %2: too few to judge"_s.arg(f.samples).arg(duration(f.durationS));
    case R::KilledAtStartup:
        return u"it was killed %1 after it started (%2 samples), during its startup climb"_s
            .arg(duration(f.durationS))
            .arg(f.samples);
    case R::Leak:
        return u"unreclaimable memory rises %1 (R² %2) without levelling off"_s.arg(
            rate(f.slopeBytesPerS), QString::number(f.r2, 'f', 2));
    case R::LeakFloor:
        return u"the floor of its allocate/free cycles rises %1 (R² %2)"_s.arg(rate(f.slopeBytesPerS),
                                                                               QString::number(f.r2, 'f', 2));
    case R::NoLimitNoGrowth:
        return u"memory does not grow steadily (no limit is known to compare with)"_s;
    case R::SpikeJump:
        return u"a stable baseline of %1 (%2 of the limit) jumped by %3 within %4 to %5"_s.arg(
            mib(f.baselineBytes), percent(f.share), mib(f.jumpBytes), duration(f.jumpS),
            f.intoKill ? u"a kill"_s : u"the limit"_s);
    case R::SpikeUnseen:
        return u"killed while no sample came near the limit (peak %1, %2 of it): a spike faster "
               u"than the sampling interval"_s.arg(mib(f.peakUsageBytes), percent(f.share));
    case R::KilledAtPlateau:
        return u"it held %1 of the limit before it was killed"_s.arg(percent(f.share));
    case R::KilledInBursts:
        return u"bursts from a plateau at %1 of the limit reached it and it was killed"_s.arg(
            percent(f.share));
    case R::KilledDuringClimb:
        return u"it was killed %1 after it started, during a climb that had not levelled off "
               u"(a startup footprint larger than the limit, or a leak too fast to tell)"_s.arg(
                   duration(f.durationS));
    case R::Plateau:
        return u"it levels off at %1 of the limit"_s.arg(percent(f.share));
    case R::Bursts:
        return u"its working level is %1 of the limit and %2 bursts reached >= 90 % of it"_s
            .arg(percent(f.share))
            .arg(f.bursts);
    case R::PageCache:
        return u"usage sits at the limit but unreclaimable memory stays at %1 of it"_s.arg(percent(f.share));
    case R::Fits:
        return u"unreclaimable memory stays at most %1 of the limit"_s.arg(percent(f.share));
    case R::PageCacheBrief:
        return u"over %1 (%2 samples) usage sat at the limit, %3 of it reclaimable file cache, and "
               u"failcnt rose by %4 with no kill"_s.arg(duration(f.durationS))
                   .arg(f.samples)
                   .arg(percent(f.share))
                   .arg(f.failcntRise);
    case R::ProcessLeak:
        return u"%1 (pid %2) grows %3 (R² %4) without levelling off over %5 while the other processes "
               u"hold (%6 of the growth is its own)"_s.arg(f.processComm)
                   .arg(f.processPid)
                   .arg(rate(f.slopeBytesPerS), QString::number(f.r2, 'f', 2), duration(f.durationS),
                        percent(f.processShare));
    }
    return {};
}

QString verdictWarningText(const VerdictWarning &w)
{
    using K = VerdictWarning::Kind;
    switch (w.kind) {
    case K::WorkingSetStandsIn:
        return u"anon is not measured: the working set (usage - inactive_file) stands in for "
               u"unreclaimable memory, so active file cache counts as demand."_s;
    case K::UsageStandsIn:
        return u"Neither anon nor inactive_file is measured: usage stands in for demand, so file "
               u"cache cannot be told from it (no page_cache verdict possible)."_s;
    case K::LimitChanged:
        return u"The limit changed from %1 to %2 in this range; the last is used."_s.arg(mib(w.fromBytes),
                                                                                         mib(w.toBytes));
    case K::NoLimit:
        return u"No limit is known: only leak, fits and insufficient_data can be told apart."_s;
    case K::InferredKills:
        return u"No kill times or oom_kill counter: %1 fall(s) from the limit were taken as kills."_s.arg(
            w.count);
    case K::PeakCensored:
        return u"A kill cut the growth short, so the real peak is unknown: %1 is a lower bound; "
               u"watch the next run."_s.arg(mib(w.bytes));
    case K::LeakOutgrowsAdvice: {
        const QString buys = w.buysS
            ? u" (at %1, the KRR figure buys only %2 more)"_s.arg(rate(w.rateBytesPerS), duration(*w.buysS))
            : QString();
        return u"Leak: VPA-style (%1) and KRR-style (%2) recommendations would only chase it; any "
               u"limit is outgrown%3. Fix the retention instead."_s.arg(mib(w.fromBytes), mib(w.toBytes),
                                                                        buys);
    }
    case K::Gaps:
        return u"%1 gap(s) in the samples (longest %2); no jump was read across them."_s.arg(w.count).arg(
            duration(w.seconds));
    case K::LittleHeadroom:
        return u"Less than 20 % headroom at the peak."_s;
    }
    return {};
}

QString regionLabel(const Region &r)
{
    switch (r.kind) {
    case Region::Kind::Plateau:
        return u"plateau %1"_s.arg(percent(r.amount));
    case Region::Kind::Spike:
        return u"spike +%1"_s.arg(mib(r.amount));
    case Region::Kind::NearLimit:
        return u">= 90 % of the limit"_s;
    case Region::Kind::Gap:
        return u"no samples"_s;
    case Region::Kind::Incarnation:
        return r.endedByKill ? u"killed"_s : u"running"_s;
    }
    return {};
}

QString vpaBasisText(const Evidence &e)
{
    if (e.vpaWindows == 0)
        return {};
    return e.vpaDaily ? u"p90 of %1 daily working-set peaks + 15 %"_s.arg(e.vpaWindows)
                      : u"p90 of the working-set peaks of %1 windows of %2 + 15 % (less than a day of data)"_s
                            .arg(e.vpaWindows)
                            .arg(duration(e.vpaWindowS));
}

QString verdictSummary(const Verdict &v)
{
    const Evidence &ev = v.evidence;
    const QString limitText = ev.limitBytes ? mib(double(*ev.limitBytes)) : u"(unknown)"_s;
    const QString reason = v.decidingSegment ? v.segments[*v.decidingSegment].reason : QString();
    switch (v.kind) {
    case Verdict::Kind::Leak:
        return leakSummary(v, reason, limitText);
    case Verdict::Kind::Undersized:
        return u"Undersized limit: %1; the %2 limit is too small for this workload — about %3 would fit."_s
            .arg(reason, limitText, mib(double(v.recommendedLimitBytes.value_or(0))));
    case Verdict::Kind::Spike:
        return u"Spike: %1. Find what allocates that much at once (a large request or batch), or allow "
               u"about %2."_s.arg(reason, mib(double(v.recommendedLimitBytes.value_or(0))));
    case Verdict::Kind::PageCache:
        return u"Page cache, no risk: %1 — %2 of usage at the limit is reclaimable file cache, which the "
               u"kernel keeps while there is room and drops at the limit, so the usage graph looks "
               u"pinned without danger (working set peak %3)."_s.arg(
                   reason, percent(ev.reclaimableShareAtLimit.value_or(0)),
                   mib(double(ev.peakWorkingSetBytes)));
    case Verdict::Kind::Fits:
        return ev.limitBytes ? u"Fits: %1 and is stable; the %2 limit has room."_s.arg(reason, limitText)
                             : u"No steady growth: %1."_s.arg(reason);
    case Verdict::Kind::InsufficientData:
        return v.decidingSegment ? reason : insufficientSummary(ev);
    }
    return {};
}

void composeVerdictText(Verdict &v)
{
    for (Verdict::Segment &s : v.segments)
        s.reason = segmentReason(s.finding);
    for (Region &r : v.regions)
        r.label = regionLabel(r);
    v.evidence.vpaBasis = vpaBasisText(v.evidence);
    v.warnings.clear();
    for (const VerdictWarning &w : v.warningFacts)
        v.warnings << verdictWarningText(w);
    v.summary = verdictSummary(v);
}

} // namespace oomscope
