// SPDX-License-Identifier: GPL-3.0-or-later
// Where an oomscope-agent feed comes from (TCP/TLS address, SSH destination or a local command)
// and how to authenticate to it, parsed from what a user types.
#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace oomscope {

struct AgentEndpoint {
    enum class Kind { Tcp, Ssh, Exec };
    Kind kind = Kind::Tcp;
    QString host; // Tcp, Ssh
    quint16 port = 9464; // Tcp; Ssh: 0 = ssh's default
    QString user; // Ssh, optional
    QString program; // Exec: the agent binary (run with --stdio)

    // "HOST:PORT" (IPv6 as "[::1]:9464"; port 9464 when omitted), "ssh://[user@]host[:port]",
    // "exec:/path/to/oomscope-agent". An Invalid error that quotes the text when malformed.
    static Result<AgentEndpoint> parse(const QString &text);
    // The canonical spelling of parse()'s input: the node's key in the workspace and settings.
    QString key() const;
    bool isStdio() const { return kind != Kind::Tcp; }
};

struct AgentConnectOptions {
    AgentEndpoint endpoint;
    // The shared secret. Held in memory only; tokenFile is read at connect time when set.
    QByteArray token;
    QString tokenFile;

    bool tls = false;
    QString caFile; // PEM CA certificate(s) to trust in addition to the system's
    // SHA-256 of the agent's certificate (hex, colons allowed): accepted whatever the CA says,
    // anything else refused.
    QString pinnedSha256;
    // No pin yet: accept the first certificate seen and pin it (AgentClient::certificatePinned).
    bool trustOnFirstUse = false;
    bool insecureSkipVerify = false; // tests and labs only

    // Extra agent arguments after --stdio (Ssh, Exec), e.g. --interval 1s.
    QStringList agentArguments;
    QStringList sshArguments; // extra ssh options, before the destination
    // Ssh: the agent command run on the node (a shell word there: an absolute path without
    // spaces when it is not on the remote PATH).
    QString remoteAgentPath = QStringLiteral("oomscope-agent");

    int minBackoffMs = 500;
    int maxBackoffMs = 30000;
    int batchIntervalMs = 200;
    int batchMaxRecords = 5000;
    // The link counts as dead after this many heartbeat periods without a byte.
    int missedHeartbeats = 3;
    int connectTimeoutMs = 10000; // until the hello
};

// The token: options.token when set, else the trimmed content of options.tokenFile. Empty
// without either; an error when the file cannot be read or is empty.
Result<QByteArray> resolveToken(const AgentConnectOptions &options);

// A token never crosses the network in cleartext: over TCP without TLS it is sent only to a
// loopback address (127.0.0.0/8, ::1, "localhost"); ssh:// and exec: carry it over their own
// channel. Checked before anything is connected.
Result<void> checkTokenTransport(const AgentConnectOptions &options, const QByteArray &token);

} // namespace oomscope
