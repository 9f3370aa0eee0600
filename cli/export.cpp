// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli export`: writes stored samples back out in the recording format, so what was
// sampled live or attached from a node can be shared, archived or re-imported elsewhere.
#include "clicommon.h"
#include "commands.h"
#include "recordingcsv.h"
#include "result.h"
#include "samplestore.h"
#include "workspace.h"

#include <QFile>

#include <algorithm>
#include <limits>
#include <span>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

namespace {

struct TimeRange {
    std::int64_t fromMs = std::numeric_limits<std::int64_t>::min();
    std::int64_t toMs = std::numeric_limits<std::int64_t>::max();
};

struct Selection {
    std::vector<RecordedSeries> series;
    std::vector<ProcessSample> processes; // only with --procs
};

void addExportOptions(QCommandLineParser &parser)
{
    setUpParser(parser, true, false);
    parser.addOption({u"output"_s, u"Samples CSV to write (- for standard output)."_s, u"FILE.csv"_s});
    parser.addOption({u"procs"_s, u"Also write the per-process samples to this CSV."_s, u"FILE.csv"_s});
    parser.addOption({u"cgroup"_s, u"Only this cgroup path (repeatable; default: all)."_s, u"PATH"_s});
    parser.addOption({u"host"_s, u"Only series of this host."_s, u"NAME"_s});
    parser.addOption({u"from"_s, u"Start time (ISO-8601 or epoch)."_s, u"T"_s});
    parser.addOption({u"to"_s, u"End time (ISO-8601 or epoch)."_s, u"T"_s});
}

Result<TimeRange> timeRange(const QCommandLineParser &parser)
{
    TimeRange range;
    for (const auto &[option, target] :
         {std::pair {u"from"_s, &range.fromMs}, std::pair {u"to"_s, &range.toMs}}) {
        if (!parser.isSet(option))
            continue;
        const std::optional<qint64> ms = parseTimeOption(parser.value(option));
        if (!ms)
            return fail(Error::Kind::Invalid, badTimeMessage(u"export"_s, option, parser.value(option)));
        *target = *ms;
    }
    return range;
}

// The stored series (and their process samples) that --cgroup, --host, --from and --to select.
Selection selectSamples(const QCommandLineParser &parser, const SampleStore &store, const TimeRange &range)
{
    Selection selected;
    const QStringList cgroups = parser.values(u"cgroup"_s);
    for (const SeriesInfo &info : store.series()) {
        if ((!cgroups.isEmpty() && !cgroups.contains(info.cgroupPath))
            || (parser.isSet(u"host"_s) && info.host != parser.value(u"host"_s)))
            continue;
        RecordedSeries series;
        series.cgroup = info.cgroupPath;
        series.samples = store.samples(info.id, range.fromMs, range.toMs);
        if (series.samples.empty())
            continue;
        if (parser.isSet(u"procs"_s)) {
            for (ProcessSample p : store.processSamples(info.id, range.fromMs, range.toMs)) {
                p.cgroup = info.cgroupPath;
                selected.processes.push_back(std::move(p));
            }
        }
        selected.series.push_back(std::move(series));
    }
    std::stable_sort(
        selected.processes.begin(), selected.processes.end(),
        [](const ProcessSample &a, const ProcessSample &b) { return a.timestampMs < b.timestampMs; });
    return selected;
}

// Writes one CSV to path ("-": standard output); empty, or what went wrong.
template<typename Writer> QString writeCsv(const QString &path, const Writer &writer)
{
    QFile file;
    const bool opened = path == u"-"_s
        ? file.open(stdout, QIODevice::WriteOnly)
        : (file.setFileName(path), file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    if (!opened)
        return u"cannot write %1: %2"_s.arg(path, file.errorString());
    if (const Result<void> written = writer(file); !written)
        return path + u": "_s + written.error().message;
    return QString();
}

QString writeSelection(const QCommandLineParser &parser, const Selection &selected)
{
    QString error = writeCsv(parser.value(u"output"_s), [&](QIODevice &device) {
        return writeSamplesCsv(device, std::span<const RecordedSeries>(selected.series));
    });
    if (error.isEmpty() && parser.isSet(u"procs"_s)) {
        error = writeCsv(parser.value(u"procs"_s), [&](QIODevice &device) {
            return writeProcsCsv(device, std::span<const ProcessSample>(selected.processes));
        });
    }
    return error;
}

} // namespace

int runExport(const QStringList &arguments)
{
    QCommandLineParser parser;
    addExportOptions(parser);
    parser.process(arguments);
    if (!parser.isSet(u"output"_s))
        return errorExit(u"export: --output FILE.csv is required"_s);
    const Result<TimeRange> range = timeRange(parser);
    if (!range)
        return errorExit(range.error().message);
    Workspace ws;
    if (const int code = openWorkspace(ws, parser))
        return code;
    const SampleStore store(ws);
    const Selection selected = selectSamples(parser, store, *range);
    if (selected.series.empty())
        return errorExit(
            u"export: no samples match (see oomscope-cli events, or check --cgroup/--from/--to)"_s, 1);
    const QString error = writeSelection(parser, selected);
    if (!error.isEmpty())
        return errorExit(u"export: "_s + error, 1);
    if (parser.value(u"output"_s) != u"-"_s) {
        qint64 count = 0;
        for (const RecordedSeries &s : selected.series)
            count += qint64(s.samples.size());
        out() << count << " sample(s) of " << selected.series.size() << " cgroup(s) written to "
              << parser.value(u"output"_s) << "\n";
        out().flush();
    }
    return 0;
}

} // namespace oomscope::cli
