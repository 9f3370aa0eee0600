// SPDX-License-Identifier: GPL-3.0-or-later
// `oomscope-cli attach HOST:PORT|ssh://…|exec:…`: records one node's oomscope-agent feed into a
// workspace (remote/attach.h does the work).
#include "attach.h"

#include "commands.h"

#include <QCommandLineParser>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace oomscope::cli {

int runAttach(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Record a node's oomscope-agent feed into a workspace."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"target"_s,
                                 u"HOST:PORT, ssh://user@host[:port] or exec:/path/to/oomscope-agent"_s);
    parser.addOption({u"db"_s, u"Workspace file."_s, u"file"_s});
    parser.addOption(
        {u"duration"_s, u"Stop after this many seconds (default: until Ctrl-C)."_s, u"seconds"_s});
    parser.addOption({u"token-file"_s, u"File holding the agent's token."_s, u"file"_s});
    parser.addOption({u"tls"_s, u"Use TLS (implied by the other TLS options)."_s});
    parser.addOption({u"ca-file"_s, u"PEM CA certificate(s) to trust."_s, u"file"_s});
    parser.addOption({u"pin-sha256"_s, u"Accept only the certificate with this SHA-256."_s, u"hex"_s});
    parser.addOption({u"insecure-skip-verify"_s, u"TLS without certificate checks (labs only)."_s});
    parser.addOption({u"agent-arg"_s, u"Extra agent option for exec:/ssh: (repeatable)."_s, u"arg"_s});
    QStringList args = arguments;
    if (args.isEmpty())
        args << u"oomscope-cli attach"_s;
    if (!parser.parse(args)) {
        QTextStream(stderr) << "oomscope-cli attach: " << parser.errorText() << Qt::endl;
        return 2;
    }
    if (parser.isSet(u"help"_s)) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1) {
        QTextStream(stderr) << "oomscope-cli attach: give exactly one target\n" << parser.helpText();
        return 2;
    }
    AttachOptions o;
    o.target = parser.positionalArguments().constFirst();
    o.dbPath = parser.value(u"db"_s);
    if (parser.isSet(u"duration"_s)) {
        bool ok = false;
        o.durationSeconds = parser.value(u"duration"_s).toDouble(&ok);
        if (!ok || o.durationSeconds <= 0) {
            QTextStream(stderr) << "oomscope-cli attach: --duration takes a positive number of seconds"
                                << Qt::endl;
            return 2;
        }
    }
    o.tokenFile = parser.value(u"token-file"_s);
    o.tls = parser.isSet(u"tls"_s);
    o.caFile = parser.value(u"ca-file"_s);
    o.pinnedSha256 = parser.value(u"pin-sha256"_s);
    o.insecureSkipVerify = parser.isSet(u"insecure-skip-verify"_s);
    o.agentArguments = parser.values(u"agent-arg"_s);
    return oomscope::runAttach(o);
}

} // namespace oomscope::cli
