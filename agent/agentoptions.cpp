// SPDX-License-Identifier: GPL-3.0-or-later
#include "agentoptions.h"

#include "cgroupreader.h"
#include "tokenfile.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

#include <cmath>

using namespace Qt::StringLiterals;

namespace oomscope {

std::optional<int> parseDurationMs(const QString &text)
{
    static const QRegularExpression re(u"^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m)?\\s*$"_s);
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double value = m.captured(1).toDouble(&ok);
    const QString unit = m.captured(2);
    double ms = value;
    if (unit == u"s")
        ms = value * 1000.0;
    else if (unit == u"m")
        ms = value * 60000.0;
    if (!ok || !std::isfinite(ms) || ms < 1 || ms > 24.0 * 3600 * 1000)
        return std::nullopt;
    return int(std::lround(ms));
}

bool parseListenAddress(const QString &text, QHostAddress *address, quint16 *port)
{
    QString host;
    QString portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u"]:"_s);
        if (close < 0)
            return false;
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0)
            return false;
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.contains(u':'))
            return false; // IPv6 needs brackets
    }
    bool ok = false;
    const uint p = portText.toUInt(&ok);
    if (!ok || p > 65535)
        return false;
    QHostAddress a;
    if (host == u"localhost")
        a = QHostAddress(QHostAddress::LocalHost);
    else if (host == u"*")
        a = QHostAddress(QHostAddress::Any);
    else if (!a.setAddress(host))
        return false;
    *address = a;
    *port = quint16(p);
    return true;
}

namespace {

// The command line's options, declared once for parsing and reading back.
struct AgentCommandLineOptions {
    const QCommandLineOption help {{u"h"_s, u"help"_s}, u"Show this help."_s};
    const QCommandLineOption version {u"version"_s, u"Show the version."_s};
    const QCommandLineOption listen {
        u"listen"_s,
        u"Address and port to listen on (default 127.0.0.1:9464). Anything but loopback needs "
        "--token-file and --tls-cert/--tls-key."_s,
        u"addr:port"_s};
    const QCommandLineOption stdio {
        u"stdio"_s,
        u"Serve one client over stdin/stdout instead of listening (ssh node oomscope-agent "
        "--stdio). Logs go to stderr."_s};
    const QCommandLineOption cgroupRoot {u"cgroup-root"_s,
                                         u"cgroup filesystem root (default /sys/fs/cgroup)."_s, u"dir"_s};
    const QCommandLineOption procRoot {u"proc-root"_s, u"proc filesystem root (default /proc)."_s, u"dir"_s};
    const QCommandLineOption interval {
        u"interval"_s, u"Sampling interval: 100ms, 1s, 2.5s (default 1s, minimum 100ms)."_s, u"duration"_s};
    const QCommandLineOption buffer {u"buffer"_s, u"Records kept for replay (default 100000)."_s, u"N"_s};
    const QCommandLineOption bufferBytes {u"buffer-bytes"_s,
                                          u"Bytes kept for replay at most (default 268435456)."_s, u"N"_s};
    const QCommandLineOption tokenFile {u"token-file"_s,
                                        u"File holding the shared secret clients must present."_s, u"file"_s};
    const QCommandLineOption tlsCert {u"tls-cert"_s, u"PEM certificate (chain) for TLS."_s, u"file"_s};
    const QCommandLineOption tlsKey {u"tls-key"_s, u"PEM private key for TLS."_s, u"file"_s};
    const QCommandLineOption cgroup {
        u"cgroup"_s,
        u"Cgroup to sample, relative to the memory hierarchy root (repeatable). Default: discover "
        "all, up to --max-cgroups."_s,
        u"path"_s};
    const QCommandLineOption maxCgroups {u"max-cgroups"_s, u"Cap on discovered cgroups (default 1000)."_s,
                                         u"N"_s};
    const QCommandLineOption rediscover {
        u"rediscover"_s, u"Discover cgroups again this often; 0 = never (default 30s)."_s, u"duration"_s};
    const QCommandLineOption processes {
        u"processes"_s, u"Also sample the processes of each cgroup (costly with many cgroups)."_s};
    const QCommandLineOption kmsg {
        u"kmsg"_s, u"Kernel log to follow (default /dev/kmsg); unreadable = samples only."_s, u"path"_s};
    const QCommandLineOption noHistory {u"no-kmsg-history"_s,
                                        u"Skip kernel log records written before the agent started."_s};
    const QCommandLineOption maxClients {u"max-clients"_s, u"Concurrent connections at most (default 64)."_s,
                                         u"N"_s};
    const QCommandLineOption handshake {
        u"handshake-timeout"_s,
        u"Time a connection has to authenticate: subscribe or send its HTTP request (default 3s)."_s,
        u"duration"_s};
    const QCommandLineOption heartbeat {u"heartbeat"_s, u"Heartbeat interval on streams (default 5s)."_s,
                                        u"duration"_s};
    const QCommandLineOption maxLag {
        u"max-client-lag"_s,
        u"Records a streaming client may fall behind before it is dropped (default: the buffer size)."_s,
        u"N"_s};
    const QCommandLineOption warnHorizon {
        u"warn-horizon"_s,
        u"Send a warning record when the trend reaches the limit within this time, or the kernel "
        "signals memory pressure; 0 = no warnings (default 2m)."_s,
        u"duration"_s};
    const QCommandLineOption resetPeak {
        u"reset-v1-peak"_s,
        u"cgroup v1: reset memory.max_usage_in_bytes after every reading, for exact peaks between "
        "samples (other tools on the node see the mark reset)."_s};

    const QCommandLineOption nodeName {
        u"node-name"_s,
        u"Name of this node in the stream and on its kills (default: $NODE_NAME, else the hostname)."_s,
        u"name"_s};
    const QCommandLineOption kubeletUrl {
        u"kubelet-url"_s,
        u"Resolve namespace/pod/container names from this kubelet's /pods, e.g. "
        "https://$(NODE_IP):10250 (default: off, nothing is fetched)."_s,
        u"url"_s};
    const QCommandLineOption kubeletToken {
        u"kubelet-token-file"_s,
        u"Bearer token for the kubelet, read before every fetch (default: the service account's "
        "token when it exists)."_s,
        u"file"_s};
    const QCommandLineOption kubeletCa {
        u"kubelet-ca"_s,
        u"PEM CA the kubelet's certificate must chain to (default: the service account's ca.crt)."_s,
        u"file"_s};
    const QCommandLineOption kubeletInsecure {
        u"kubelet-insecure"_s,
        u"Do not verify the kubelet's certificate (kubelets without serverTLSBootstrap serve a "
        "self-signed one); the token is still sent."_s};

    QList<QCommandLineOption> all() const
    {
        return {help,       version,    listen,       stdio,     cgroupRoot,     procRoot,
                interval,   buffer,     bufferBytes,  tokenFile, tlsCert,        tlsKey,
                cgroup,     maxCgroups, rediscover,   processes, kmsg,           noHistory,
                maxClients, handshake,  heartbeat,    maxLag,    resetPeak,      warnHorizon,
                nodeName,   kubeletUrl, kubeletToken, kubeletCa, kubeletInsecure};
    }
};

Result<void> readPositive(const QCommandLineParser &parser, const QCommandLineOption &opt, qint64 &target)
{
    if (!parser.isSet(opt))
        return {};
    bool ok = false;
    const qint64 v = parser.value(opt).toLongLong(&ok);
    if (!ok || v <= 0)
        return fail(
            Error::Kind::Invalid,
            u"--%1 needs a positive number, got \"%2\""_s.arg(opt.names().constLast(), parser.value(opt)));
    target = v;
    return {};
}

Result<void> readDuration(const QCommandLineParser &parser, const QCommandLineOption &opt, int &target,
                          bool zeroAllowed)
{
    if (!parser.isSet(opt))
        return {};
    const QString text = parser.value(opt).trimmed();
    if (zeroAllowed && (text == u"0" || text == u"0s")) {
        target = 0;
        return {};
    }
    const std::optional<int> ms = parseDurationMs(text);
    if (!ms)
        return fail(
            Error::Kind::Invalid,
            u"--%1: not a duration: \"%2\" (try 100ms, 1s, 2.5s)"_s.arg(opt.names().constLast(), text));
    target = *ms;
    return {};
}

// The durations and counts, each checked; the first bad one is the error.
Result<void> readNumbers(const QCommandLineParser &parser, const AgentCommandLineOptions &c, AgentOptions &o)
{
    qint64 maxCg = o.maxCgroups;
    qint64 clients = o.maxClients;
    for (const Result<void> &r :
         {readDuration(parser, c.interval, o.intervalMs, false),
          readDuration(parser, c.rediscover, o.rediscoverMs, true),
          readDuration(parser, c.handshake, o.handshakeTimeoutMs, false),
          readDuration(parser, c.heartbeat, o.heartbeatMs, false),
          readPositive(parser, c.buffer, o.bufferRecords), readPositive(parser, c.bufferBytes, o.bufferBytes),
          readPositive(parser, c.maxCgroups, maxCg), readPositive(parser, c.maxClients, clients),
          readPositive(parser, c.maxLag, o.maxClientLagRecords)}) {
        if (!r)
            return r;
    }
    o.maxCgroups = int(std::min<qint64>(maxCg, 1000000));
    o.maxClients = int(std::min<qint64>(clients, 100000));
    if (o.intervalMs < 100)
        return fail(Error::Kind::Invalid, u"--interval must be at least 100ms"_s);
    return {};
}

constexpr auto kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount/";

// --kubelet-*: the URL must be https (the token must not travel in clear); token and CA default
// to the service account's files when they exist.
Result<void> readKubelet(const QCommandLineParser &parser, const AgentCommandLineOptions &c, AgentOptions &o)
{
    o.kubeletUrl = parser.value(c.kubeletUrl);
    o.kubeletTokenFile = parser.value(c.kubeletToken);
    o.kubeletCaFile = parser.value(c.kubeletCa);
    o.kubeletInsecure = parser.isSet(c.kubeletInsecure);
    if (o.kubeletUrl.isEmpty()) {
        if (!o.kubeletTokenFile.isEmpty() || !o.kubeletCaFile.isEmpty() || o.kubeletInsecure)
            return fail(Error::Kind::Invalid,
                        u"--kubelet-token-file/--kubelet-ca/--kubelet-insecure need --kubelet-url"_s);
        return {};
    }
    const QUrl url(o.kubeletUrl, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != u"https" || url.host().isEmpty())
        return fail(Error::Kind::Invalid,
                    u"--kubelet-url: expected https://host:port, got \"%1\""_s.arg(o.kubeletUrl));
    const QString dir = QString::fromLatin1(kServiceAccountDir);
    if (o.kubeletTokenFile.isEmpty() && QFileInfo::exists(dir + u"token"_s))
        o.kubeletTokenFile = dir + u"token"_s;
    if (o.kubeletCaFile.isEmpty() && QFileInfo::exists(dir + u"ca.crt"_s))
        o.kubeletCaFile = dir + u"ca.crt"_s;
    return {};
}

Result<AgentOptions> readOptions(const QCommandLineParser &parser, const AgentCommandLineOptions &c)
{
    AgentOptions o;
    if (parser.isSet(c.listen)
        && !parseListenAddress(parser.value(c.listen), &o.listenAddress, &o.listenPort))
        return fail(Error::Kind::Invalid,
                    u"--listen: expected address:port, got \"%1\""_s.arg(parser.value(c.listen)));
    o.stdio = parser.isSet(c.stdio);
    if (parser.isSet(c.cgroupRoot))
        o.cgroupRoot = parser.value(c.cgroupRoot);
    if (parser.isSet(c.procRoot))
        o.procRoot = parser.value(c.procRoot);
    if (Result<void> numbers = readNumbers(parser, c, o); !numbers)
        return tl::unexpected(numbers.error());
    for (const QString &path : parser.values(c.cgroup)) {
        const std::optional<QString> normalized = CgroupReader::normalizePath(path);
        if (!normalized)
            return fail(Error::Kind::Invalid,
                        u"--cgroup %1: refusing a path outside the cgroup root"_s.arg(path));
        if (!o.cgroups.contains(*normalized))
            o.cgroups.append(*normalized);
    }
    o.sampleProcesses = parser.isSet(c.processes);
    o.resetV1Peak = parser.isSet(c.resetPeak);
    if (parser.isSet(c.warnHorizon)) {
        const QString text = parser.value(c.warnHorizon);
        const std::optional<int> ms = text == u"0" ? std::optional<int>(0) : parseDurationMs(text);
        if (!ms)
            return fail(Error::Kind::Invalid, u"--warn-horizon: \"%1\" is not a duration"_s.arg(text));
        o.warnHorizonMs = *ms;
    }
    if (parser.isSet(c.kmsg))
        o.kmsgPath = parser.value(c.kmsg);
    o.kmsgHistory = !parser.isSet(c.noHistory);
    o.tokenFile = parser.value(c.tokenFile);
    o.tlsCertFile = parser.value(c.tlsCert);
    o.tlsKeyFile = parser.value(c.tlsKey);
    o.nodeName = parser.value(c.nodeName);
    if (o.nodeName.isEmpty())
        o.nodeName = qEnvironmentVariable("NODE_NAME");
    if (Result<void> kubelet = readKubelet(parser, c, o); !kubelet)
        return tl::unexpected(kubelet.error());
    return o;
}

} // namespace

Result<AgentCommand> parseAgentArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"oomscope-agent samples memory cgroups and the kernel log of this node and serves them "
        "as a resumable stream (newline-delimited JSON, see docs/agent-protocol.md) and as "
        "Prometheus metrics (GET /metrics on the same port). It never writes to cgroups."_s);
    const AgentCommandLineOptions c;
    parser.addOptions(c.all());
    if (!parser.parse(arguments))
        return fail(Error::Kind::Invalid, parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return fail(Error::Kind::Invalid,
                    u"unexpected argument: %1"_s.arg(parser.positionalArguments().first()));
    AgentCommand command;
    if (parser.isSet(c.help)) {
        command.output = parser.helpText();
        return command;
    }
    if (parser.isSet(c.version)) {
        command.output = u"oomscope-agent " OOMSCOPE_VERSION "\n"_s;
        return command;
    }
    Result<AgentOptions> options = readOptions(parser, c);
    if (!options)
        return tl::unexpected(options.error());
    command.options = std::move(*options);
    return command;
}

Result<void> loadSecretsAndValidate(AgentOptions &o)
{
    if (o.tlsCertFile.isEmpty() != o.tlsKeyFile.isEmpty()) {
        return fail(Error::Kind::Invalid, u"--tls-cert and --tls-key go together"_s);
    }
    if (!o.stdio && !o.listenAddress.isLoopback()) {
        if (o.tokenFile.isEmpty() || !o.tls()) {
            return fail(
                Error::Kind::Invalid,
                u"refusing to listen on %1 (not loopback) without --token-file and --tls-cert/--tls-key: "
                "anyone on the network could read this node's memory data"_s.arg(o.listenAddress.toString()));
        }
    }
    if (!o.tokenFile.isEmpty()) {
        Result<QByteArray> token = readTokenFile(o.tokenFile, {4096, 8, true});
        if (!token)
            return fail(token.error().kind, u"--token-file: "_s + token.error().message);
        o.token = std::move(*token);
        if (QFileInfo(o.tokenFile).permissions() & QFileDevice::ReadOther)
            qWarning("token file %s is readable by everyone", qPrintable(o.tokenFile));
    }
    for (const QString &file : {o.tlsCertFile, o.tlsKeyFile}) {
        if (!file.isEmpty() && !QFileInfo(file).isReadable()) {
            return fail(Error::Kind::Io, u"cannot read %1"_s.arg(file));
        }
    }
    if (!QFileInfo(o.cgroupRoot).isDir()) {
        return fail(Error::Kind::NotFound, u"--cgroup-root %1 is not a directory"_s.arg(o.cgroupRoot));
    }
    return {};
}

} // namespace oomscope
