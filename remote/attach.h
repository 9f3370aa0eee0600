// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli attach`: records one node's agent feed into a workspace headlessly, for a
// duration or until SIGINT, and prints what was stored.
#pragma once

#include <QString>
#include <QStringList>

class QTextStream;

namespace oomscope {

struct AttachOptions {
    QString target; // HOST:PORT, ssh://user@host[:port] or exec:/path/to/agent
    QString dbPath;
    double durationSeconds = 0; // 0: until SIGINT/SIGTERM
    QString tokenFile;
    bool tls = false; // implied by caFile, pin, trustOnFirstUse and insecureSkipVerify
    QString caFile;
    QString pinnedSha256;
    bool insecureSkipVerify = false;
    QStringList agentArguments; // exec:/ssh: extra agent options after --stdio
};

// Exit codes: 0 recorded, 1 the feed failed for good (token refused, untrusted certificate, never
// reached), 2 bad options or workspace. Output goes to out (summary) and err (problems).
int runAttach(const AttachOptions &options, QTextStream &out, QTextStream &err);
int runAttach(const AttachOptions &options); // stdout, stderr

} // namespace oomscope
