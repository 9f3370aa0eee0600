// SPDX-License-Identifier: GPL-3.0-or-later
#include "attach.h"

#include "agentclient.h"
#include "feedrecorder.h"
#include "printable.h"
#include "samplestore.h"
#include "workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTextStream>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace oomscope {

namespace {

std::atomic<bool> g_interrupted {false};

extern "C" void onInterrupt(int)
{
    g_interrupted = true;
}

} // namespace

int runAttach(const AttachOptions &options, QTextStream &out, QTextStream &err)
{
    const Result<AgentEndpoint> endpoint = AgentEndpoint::parse(options.target);
    if (!endpoint) {
        err << "oomscope-cli attach: " << endpoint.error().message << Qt::endl;
        return 2;
    }
    if (options.dbPath.isEmpty()) {
        err << "oomscope-cli attach: --db is required" << Qt::endl;
        return 2;
    }
    AgentConnectOptions connect;
    connect.endpoint = *endpoint;
    connect.tokenFile = options.tokenFile;
    connect.caFile = options.caFile;
    connect.pinnedSha256 = options.pinnedSha256;
    connect.insecureSkipVerify = options.insecureSkipVerify;
    connect.tls = options.tls || !options.caFile.isEmpty() || !options.pinnedSha256.isEmpty()
        || options.insecureSkipVerify;
    connect.agentArguments = options.agentArguments;

    // The CLI does nothing else, so the recorder writes on this thread (a direct connection):
    // every batch is stored before detach() returns.
    FeedRecorder recorder;
    if (const Result<void> opened = recorder.open(options.dbPath); !opened) {
        err << "oomscope-cli attach: " << opened.error().message << Qt::endl;
        return 2;
    }
    AgentClient client(connect);
    client.setRecorder(&recorder);

    QEventLoop loop;
    QObject::connect(&client, &AgentClient::stateChanged, &loop, [&](AgentClient::State s) {
        if (s == AgentClient::State::Error)
            loop.quit();
        if (s == AgentClient::State::Live)
            err << "attached to " << printable(client.status().hostname) << " (" << client.node() << ")"
                << Qt::endl;
        if (s == AgentClient::State::Reconnecting)
            err << "link lost (" << printable(client.status().message) << "), retrying" << Qt::endl;
    });
    QObject::connect(&client, &AgentClient::gapDetected, &loop, [&](qint64 from, qint64 to) {
        err << "gap: records " << from << "-" << to << " are no longer on the agent" << Qt::endl;
    });
    // The agent's early warnings, one line each, in the words of earlywarning.cpp; the node's
    // strings escaped like everything else it sends.
    QObject::connect(&client, &AgentClient::warningReceived, &loop, [&](const EarlyWarning &w) {
        err << "warning: " << printable(earlyWarningText(w), 4096) << Qt::endl;
    });
    g_interrupted = false;
    auto previousInt = std::signal(SIGINT, onInterrupt);
    auto previousTerm = std::signal(SIGTERM, onInterrupt);
    QTimer poll; // a signal handler may only set a flag; the loop looks at it
    poll.setInterval(100);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (g_interrupted)
            loop.quit();
    });
    poll.start();
    QTimer deadline;
    deadline.setSingleShot(true);
    deadline.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early: --duration is a promise
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    if (options.durationSeconds > 0)
        deadline.start(int(options.durationSeconds * 1000));

    client.start();
    if (client.state() != AgentClient::State::Error)
        loop.exec();
    const bool failed = client.state() == AgentClient::State::Error;
    const AgentClient::Status status = client.status();
    client.detach(); // hands the last batch to the recorder
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);

    // What the node sent (names, reasons) reaches the terminal escaped: no control sequences.
    if (failed) {
        err << "oomscope-cli attach: " << printable(status.message) << Qt::endl;
        return 1;
    }
    if (status.hostname.isEmpty()) {
        err << "oomscope-cli attach: never reached the agent"
            << (status.message.isEmpty() ? QString() : u": "_s + printable(status.message)) << Qt::endl;
        return 1;
    }
    SampleStore store(*recorder.workspace());
    out << "node " << printable(status.hostname) << " (" << client.node() << "), instance "
        << printable(status.instance) << ", last seq " << status.lastSeq << "\n";
    for (const SeriesInfo &s : store.series()) {
        if (s.host == status.hostname)
            out << "  " << printable(s.cgroupPath, 4096) << "\t" << s.count << " samples\n";
    }
    const std::vector<StoredGap> gaps = recorder.gaps(client.node());
    out << "stored this run: " << status.samplesStored << " samples, " << status.eventsStored
        << " OOM events; " << status.reconnects << " reconnects; " << status.gapCount << " gaps\n";
    for (const StoredGap &g : gaps)
        out << "  gap " << g.fromSeq << "-" << g.toSeq << " (instance " << printable(g.instance) << ")\n";
    out.flush();
    return 0;
}

int runAttach(const AttachOptions &options)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    return runAttach(options, out, err);
}

} // namespace oomscope
