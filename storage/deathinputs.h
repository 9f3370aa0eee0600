// SPDX-License-Identifier: GPL-3.0-or-later
// Gathers what the deaths table joins from the files a user gives, recognised by content:
// Kubernetes' own record (kubectl pod/event JSON, `kubectl describe pod`), and for every log (text,
// gzip, journal JSON/export/files) its kernel OOM kills and other killers' lines. Used by
// `analyze` and `import` alike; no SQL here (deathrows.h stores the result).
#pragma once

#include "deaths.h"
#include "deathspill.h"
#include "killerlines.h"
#include "logsource.h"
#include "oomreportparser.h"
#include "result.h"
#include "workspace.h"

namespace oomscope {

class DeathCollector
{
public:
    // When the opened input is a Kubernetes record, reads it (to its end) and returns true; an
    // input that looks like one but does not parse is an error. Otherwise leaves it unread.
    Result<bool> takeKubeRecord(OpenedLog &log);

    // Hooks for OomReportParser::parse so the same single read also scans killer lines.
    ParseSinks sinks();
    // After the parse of one log: its kernel kills (eventIds: one per result event, in order)
    // and the killer lines scanned during the parse.
    void finishLog(const QString &source, const ParseResult &result, const std::vector<qint64> &eventIds);
    // Kernel kills already parsed elsewhere.
    void addKernelKill(KernelKill &&kill) { m_kills.add(std::move(kill)); }
    // Imports the opened log into ws and gathers its deaths in the same single read: its kernel
    // kills as they are stored (with their event ids) and its killer lines. Content already in the
    // workspace gives the kills of the events stored then. Nothing is gathered when it fails.
    ImportResult importLog(Workspace &ws, OpenedLog &log, const ProgressFn &progress = {});

    // The Kubernetes records and killer lines gathered (the kernel kills are not kept here).
    const DeathInputs &inputs() const { return m_inputs; }
    // Every death, in the table's order (by time, rows without a wall time last), to visit, row by
    // row: kernel kills beyond the first thousand wait in a temporary file, and the rows no other
    // input joins are finished at once and wait there too, so memory does not grow with them.
    // Once: the gathered inputs are used up. Fails only when the temporary file does.
    Result<void> forEachDeath(const std::function<void(Death &&)> &visit);
    // The same, into memory (the GUI's import and small inputs).
    Result<std::vector<Death>> deaths();
    int kubeObjects() const { return m_kubeObjects; }

private:
    DeathInputs m_inputs; // all but the kernel kills
    KillSpill m_kills;
    std::unique_ptr<KillerLineScanner> m_scanner;
    int m_kubeObjects = 0;
};

} // namespace oomscope
