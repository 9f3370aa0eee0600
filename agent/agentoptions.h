// SPDX-License-Identifier: GPL-3.0-or-later
// The agent's command line: parsed into one settings value, checked for unsafe combinations
// (a non-loopback listener without token and TLS) before anything is opened.
#pragma once

#include "result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

namespace oomscope {

struct AgentOptions {
    // Where to listen; ignored in stdio mode.
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 listenPort = 9464; // 0 = any free port (tests)
    bool stdio = false;

    QString cgroupRoot = QStringLiteral("/sys/fs/cgroup");
    QString procRoot = QStringLiteral("/proc");
    QStringList cgroups; // normalised; empty = discover
    int maxCgroups = 1000; // cap on discovered cgroups
    int rediscoverMs = 30000; // 0 = discover once
    int intervalMs = 1000;
    bool sampleProcesses = false;
    int warnHorizonMs =
        120000; // --warn-horizon: warn when the trend reaches the limit this soon; 0 = no warnings
    bool resetV1Peak = false; // --reset-v1-peak (opt-in: the mark is shared by every tool)

    QString kmsgPath = QStringLiteral("/dev/kmsg");
    bool kmsgHistory = true; // replay the kernel ring buffer's records at start

    qint64 bufferRecords = 100000;
    qint64 bufferBytes = 256LL * 1024 * 1024;

    QString tokenFile;
    QByteArray token; // read from tokenFile by loadSecrets()
    QString tlsCertFile;
    QString tlsKeyFile;

    // The node's name in its hello and on its kills: --node-name, else $NODE_NAME (a DaemonSet
    // sets it from spec.nodeName: a pod's own hostname is the pod's name), else the hostname.
    QString nodeName;

    // The kubelet whose /pods names this node's cgroups (--kubelet-url; empty = off, nothing is
    // fetched). Token and CA default to the pod's service account files when those exist.
    QString kubeletUrl;
    QString kubeletTokenFile;
    QString kubeletCaFile;
    bool kubeletInsecure = false; // --kubelet-insecure: kubelet serving certs are often self-signed

    int maxClients = 64;
    int handshakeTimeoutMs = 3000; // unauthenticated connections are cut after this
    int heartbeatMs = 5000;
    qint64 maxLineBytes = 64 * 1024;
    qint64 clientHighWaterBytes = 1024 * 1024; // socket write buffer kept per client at most
    qint64 maxClientLagRecords = 0; // 0 = the buffer's capacity

    bool tls() const { return !tlsCertFile.isEmpty(); }
};

// "100ms", "1s", "2.5s", "2m", or a bare number of milliseconds; empty optional if malformed
// or not positive.
std::optional<int> parseDurationMs(const QString &text);

// "127.0.0.1:9464", "[::1]:9464", "localhost:0", "0.0.0.0:9464".
bool parseListenAddress(const QString &text, QHostAddress *address, quint16 *port);

// What the command line asks for: run with these options, or print a text and exit 0.
struct AgentCommand {
    AgentOptions options;
    QString output; // --help or --version: the text to print instead of running
};

// Parses argv (arguments.first() is the program name). A bad argument is an Invalid error
// saying why.
Result<AgentCommand> parseAgentArguments(const QStringList &arguments);

// The checks that must pass before the agent opens anything: non-loopback needs a token and
// TLS, configured cgroup paths stay inside the root, files are readable. Reads the token.
Result<void> loadSecretsAndValidate(AgentOptions &options);

} // namespace oomscope
