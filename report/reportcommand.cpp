// SPDX-License-Identifier: GPL-3.0-or-later
#include "reportcommand.h"

#include "incidentreport.h"
#include "recordingcsv.h"
#include "recordingimport.h"
#include "samplestore.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

int fail(const QString &message, int code = 1)
{
    QTextStream err(stderr);
    err << "oomscope-report: " << message << Qt::endl;
    return code;
}

std::optional<qint64> parseTime(const QString &text)
{
    return parseCsvTimestampMs(text.trimmed().toUtf8());
}

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        u"Writes an incident report (PDF, PNG or self-contained HTML) of OOM kills: the growth chart "
        u"around each kill (the memory at the kill, from the kernel's report, follows on a second sheet; "
        u"without a recording it takes the chart's place), the verdict, the kill decision and the raw "
        u"report. Reads a workspace (--db) or "
        u"imports kernel logs (and a recording: --samples, --procs) into a temporary one."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({u"db"_s, u"Workspace to read."_s, u"W.sqlite"_s});
    parser.addOption({u"samples"_s, u"Samples CSV of a recording to import first."_s, u"S.csv"_s});
    parser.addOption({u"procs"_s, u"Per-process CSV of the same recording."_s, u"P.csv"_s});
    parser.addOption({u"event"_s,
                      u"Event id to report (default: the latest incident — every kill of the last "
                      u"event's cgroup, or of the node, seconds apart — one page per kill)."_s,
                      u"ID"_s});
    parser.addOption({u"all"_s, u"One page per event."_s});
    parser.addOption({u"cgroup"_s, u"Report a cgroup over --from … --to instead of an event."_s, u"PATH"_s});
    parser.addOption({u"from"_s, u"Range start (ISO-8601 or epoch s/ms)."_s, u"T"_s});
    parser.addOption({u"to"_s, u"Range end (ISO-8601 or epoch s/ms)."_s, u"T"_s});
    parser.addOption(
        {u"context"_s, u"Minutes of samples either side of the kill (default 10)."_s, u"MIN"_s, u"10"_s});
    parser.addOption({{u"o"_s, u"output"_s}, u"Output file: .pdf, .png or .html."_s, u"FILE"_s});
    parser.addOption(
        {u"width"_s, u"Page width in logical pixels (PNG; default 1600)."_s, u"PX"_s, u"1600"_s});
    parser.addOption(
        {u"height"_s, u"Page height in logical pixels (PNG; default 1131)."_s, u"PX"_s, u"1131"_s});
    parser.addOption({u"scale"_s, u"Device pixels per logical pixel (PNG; 2 for HiDPI)."_s, u"F"_s, u"1"_s});
    parser.addOption({u"theme"_s, u"light or dark."_s, u"THEME"_s, u"light"_s});
    parser.addPositionalArgument(u"FILE"_s, u"Kernel logs to import into a temporary workspace."_s,
                                 u"[FILE…]"_s);
}

// The page options from the command line; the exit code (after the message) when they are wrong.
tl::expected<ReportOptions, int> readOptions(const QCommandLineParser &parser)
{
    ReportOptions options;
    bool ok = false;
    options.widthPx = parser.value(u"width"_s).toInt(&ok);
    if (!ok || options.widthPx < 200 || options.widthPx > 20000)
        return tl::unexpected(fail(u"--width must be a number of pixels between 200 and 20000"_s, 2));
    options.heightPx = parser.value(u"height"_s).toInt(&ok);
    if (!ok || options.heightPx < 150 || options.heightPx > 20000)
        return tl::unexpected(fail(u"--height must be a number of pixels between 150 and 20000"_s, 2));
    options.scale = parser.value(u"scale"_s).toDouble(&ok);
    if (!ok || options.scale < 0.25 || options.scale > 8)
        return tl::unexpected(fail(u"--scale must be between 0.25 and 8"_s, 2));
    const int contextMin = parser.value(u"context"_s).toInt(&ok);
    if (!ok || contextMin < 1)
        return tl::unexpected(fail(u"--context must be a positive number of minutes"_s, 2));
    options.contextMs = qint64(contextMin) * 60'000;
    const QString theme = parser.value(u"theme"_s).toLower();
    if (theme == u"dark"_s)
        options.theme = ReportOptions::Theme::Dark;
    else if (theme != u"light"_s)
        return tl::unexpected(fail(u"--theme must be light or dark"_s, 2));

    return options;
}

// Opens --db, or imports the given logs and recording into a workspace in tempDir.
tl::expected<void, int> openWorkspace(const QCommandLineParser &parser, Workspace &workspace,
                                      QTemporaryDir &tempDir)
{
    const QStringList logs = parser.positionalArguments();
    const bool importing = !logs.isEmpty() || parser.isSet(u"samples"_s) || parser.isSet(u"procs"_s);
    if (parser.isSet(u"db"_s) && importing)
        return tl::unexpected(fail(u"give either --db or files to import, not both"_s, 2));
    if (!parser.isSet(u"db"_s) && !importing)
        return tl::unexpected(
            fail(u"nothing to report: give --db W.sqlite or kernel logs (with --samples/--procs)"_s, 2));
    if (parser.isSet(u"procs"_s) && !parser.isSet(u"samples"_s))
        return tl::unexpected(fail(u"--procs needs the --samples of the same recording"_s, 2));
    if (parser.isSet(u"cgroup"_s) && (parser.isSet(u"event"_s) || parser.isSet(u"all"_s)))
        return tl::unexpected(fail(u"--cgroup cannot be combined with --event or --all"_s, 2));

    if (importing) {
        if (!tempDir.isValid())
            return tl::unexpected(fail(u"cannot create a temporary directory: "_s + tempDir.errorString()));
        if (const Result<void> opened = workspace.open(tempDir.filePath(u"report.sqlite"_s)); !opened)
            return tl::unexpected(fail(opened.error().message));
        SampleStore store(workspace);
        RecordingImportRequest request;
        request.samplesPath = parser.value(u"samples"_s);
        request.procsPath = parser.value(u"procs"_s);
        request.logPaths = logs;
        for (const QString &path : logs) {
            if (!QFileInfo::exists(path))
                return tl::unexpected(fail(path + u": no such file"_s));
        }
        const RecordingImportResult result = importRecording(workspace, store, request);
        if (!result.ok)
            return tl::unexpected(fail(result.error));
    } else {
        const QString db = parser.value(u"db"_s);
        if (!QFileInfo::exists(db))
            return tl::unexpected(fail(db + u": no such workspace"_s));
        if (const Result<void> opened = workspace.open(db); !opened)
            return tl::unexpected(fail(db + u": "_s + opened.error().message));
    }
    return {};
}

// The pages asked for: a cgroup range, every event, one event or the last one.
tl::expected<std::vector<ReportPage>, int> gatherPages(const QCommandLineParser &parser, Workspace &workspace,
                                                       const ReportOptions &options)
{
    std::vector<ReportPage> pages;
    if (parser.isSet(u"cgroup"_s)) {
        if (!parser.isSet(u"from"_s) || !parser.isSet(u"to"_s))
            return tl::unexpected(fail(u"--cgroup needs --from and --to"_s, 2));
        const std::optional<qint64> from = parseTime(parser.value(u"from"_s));
        const std::optional<qint64> to = parseTime(parser.value(u"to"_s));
        if (!from || !to)
            return tl::unexpected(fail(u"--from/--to must be ISO-8601 or epoch seconds/milliseconds"_s, 2));
        Result<ReportPage> page =
            reportPageForRange(workspace, parser.value(u"cgroup"_s), *from, *to, options);
        if (!page)
            return tl::unexpected(fail(page.error().message));
        pages.push_back(std::move(*page));
    } else {
        const std::vector<EventSummary> events = workspace.events();
        if (events.empty())
            return tl::unexpected(fail(u"no OOM events in the workspace"_s));
        std::vector<qint64> ids;
        if (parser.isSet(u"all"_s)) {
            for (const EventSummary &e : events)
                ids.push_back(e.id);
        } else if (parser.isSet(u"event"_s)) {
            bool ok = false;
            const qint64 id = parser.value(u"event"_s).toLongLong(&ok);
            if (!ok)
                return tl::unexpected(fail(u"--event must be an event id (see oomscope-cli list)"_s, 2));
            ids.push_back(id);
        } else {
            Result<std::vector<ReportPage>> incident = reportPagesForLatestIncident(workspace, options);
            if (!incident)
                return tl::unexpected(fail(incident.error().message));
            return std::move(*incident);
        }
        for (qint64 id : ids) {
            Result<ReportPage> page = reportPageForEvent(workspace, id, options);
            if (!page)
                return tl::unexpected(fail(page.error().message));
            pages.push_back(std::move(*page));
        }
    }
    return pages;
}

} // namespace

int runReportCommand(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser);
    parser.process(args);

    const QString output = parser.value(u"output"_s);
    if (output.isEmpty())
        return fail(u"--output FILE.{pdf,png,html} is required"_s, 2);
    if (!IncidentReport::isSupportedOutput(output))
        return fail(u"%1: unsupported output type (use .pdf, .png or .html)"_s.arg(output), 2);
    const tl::expected<ReportOptions, int> options = readOptions(parser);
    if (!options)
        return options.error();
    Workspace workspace;
    QTemporaryDir tempDir;
    if (const tl::expected<void, int> opened = openWorkspace(parser, workspace, tempDir); !opened)
        return opened.error();
    const tl::expected<std::vector<ReportPage>, int> pages = gatherPages(parser, workspace, *options);
    if (!pages)
        return pages.error();

    if (!IncidentReport::loadFonts())
        QTextStream(stderr)
            << "oomscope-report: warning: bundled fonts not loaded; output depends on system fonts"
            << Qt::endl;
    if (const Result<void> written = IncidentReport::write(*pages, output, *options); !written)
        return fail(written.error().message);
    QTextStream(stdout) << output << ": " << pages->size() << " page(s)" << Qt::endl;
    return 0;
}

} // namespace oomscope
