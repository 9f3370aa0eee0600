// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end latency benchmark: a cgroup file change on a node to the sample stored in the
// workspace, through the real oomscope-agent binary, AgentClient and FeedRecorderThread.
// Prints percentiles split by stage; asserts no timings.
#include "agentclient.h"
#include "agentendpoint.h"
#include "agentprocess.h"
#include "feedrecorder.h"
#include "fixturetree.h"
#include "samplestore.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <vector>

using namespace oomscope;
using oomscope::testsupport::AgentProcess;
using namespace Qt::StringLiterals;
using oomscope::testsupport::copyFixtureTree;
using oomscope::testsupport::writeFileAtomically;

namespace {

const QString kCgroup = u"/batch.slice/report.service"_s;

// Runs the event loop for ms milliseconds (the client and the queued recorder signals need it).
void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    // Nearest rank: with few samples p99 is the maximum, which is the honest reading.
    const std::size_t rank = std::size_t(std::max(1.0, std::ceil(p / 100.0 * double(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

void printRow(const char *label, const std::vector<double> &ms)
{
    std::printf("  %-44s p50 %7.1f  p90 %7.1f  p99 %7.1f  max %7.1f ms\n", label, percentile(ms, 50),
                percentile(ms, 90), percentile(ms, 99),
                ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"End-to-end latency: cgroup file change -> sample stored in the workspace"_s);
    parser.addHelpOption();
    const QCommandLineOption countOpt(u"count"_s, u"Changes to measure (default 60)."_s, u"n"_s, u"60"_s);
    const QCommandLineOption intervalOpt(u"interval"_s, u"Agent sampling interval in ms (default 1000)."_s,
                                         u"ms"_s, u"1000"_s);
    const QCommandLineOption batchOpt(
        u"batch-ms"_s, u"AgentClient batch interval in ms (default: the client's own, 200)."_s, u"ms"_s);
    const QCommandLineOption agentOpt(u"agent"_s, u"The oomscope-agent binary."_s, u"path"_s,
                                      QStringLiteral(OOMSCOPE_AGENT_BINARY));
    const QCommandLineOption budgetOpt(u"max-seconds"_s, u"Stop measuring after this long (default 75)."_s,
                                       u"s"_s, u"75"_s);
    parser.addOptions({countOpt, intervalOpt, batchOpt, agentOpt, budgetOpt});
    parser.process(app);
    const int count = std::max(1, parser.value(countOpt).toInt());
    const int intervalMs = std::max(10, parser.value(intervalOpt).toInt());
    const qint64 budgetMs = qint64(std::max(5, parser.value(budgetOpt).toInt())) * 1000;

    QTemporaryDir dir;
    const QString cgroupRoot = dir.path() + u"/cg"_s;
    if (!dir.isValid() || !writeFileAtomically(dir.path() + u"/kmsg"_s, QByteArray())
        || !copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/v1"), cgroupRoot)
        || !copyFixtureTree(QStringLiteral(OOMSCOPE_TEST_DATA "/cgroupfs/proc"), dir.path() + u"/proc"_s)) {
        std::fprintf(stderr, "cannot set up the fixture cgroup tree\n");
        return 1;
    }
    const QString usageFile = cgroupRoot + u"/memory"_s + kCgroup + u"/memory.usage_in_bytes"_s;

    AgentProcess agent(parser.value(agentOpt));
    const quint16 port = agent.listen({u"--cgroup-root"_s, cgroupRoot, u"--proc-root"_s,
                                       dir.path() + u"/proc"_s, u"--kmsg"_s, dir.path() + u"/kmsg"_s,
                                       u"--interval"_s, u"%1ms"_s.arg(intervalMs), u"--cgroup"_s, kCgroup});
    if (!port) {
        std::fprintf(stderr, "agent did not start: %s\n", agent.errorOutput().constData());
        return 1;
    }
    auto stopAgent = [&agent] {
        if (!agent.terminate())
            agent.stop();
    };

    const QString dbPath = dir.path() + u"/ws.sqlite"_s;
    FeedRecorderThread recorder;
    if (const Result<void> started = recorder.start(dbPath); !started) {
        std::fprintf(stderr, "recorder: %s\n", qPrintable(started.error().message));
        stopAgent();
        return 1;
    }
    AgentConnectOptions options;
    options.endpoint = *AgentEndpoint::parse(u"127.0.0.1:%1"_s.arg(port));
    if (parser.isSet(batchOpt))
        options.batchIntervalMs = parser.value(batchOpt).toInt();
    const int batchMs = options.batchIntervalMs;
    AgentClient client(options);
    client.setRecorder(recorder.recorder());
    client.start();

    // The reader: its own connection to the workspace, as the workbench's views have.
    Workspace ws;
    if (!ws.open(dbPath)) {
        std::fprintf(stderr, "cannot open the workspace\n");
        stopAgent();
        return 1;
    }
    SampleStore store(ws);
    QElapsedTimer setup;
    setup.start();
    std::optional<qint64> series;
    while (setup.elapsed() < 15000 && !(client.state() == AgentClient::State::Live && series)) {
        spin(20);
        if (client.state() == AgentClient::State::Live)
            series = store.findSeries(client.status().hostname, kCgroup);
    }
    if (!series) {
        std::fprintf(stderr, "no samples stored within 15 s (client state %s: %s)\n",
                     qPrintable(AgentClient::stateName(client.state())), qPrintable(client.status().message));
        stopAgent();
        return 1;
    }

    std::vector<double> total; // file written -> visible to a reader of the workspace
    std::vector<double> toSample; // file written -> the agent's sample timestamp (the tick phase)
    std::vector<double> sampleToStored; // the agent's sample timestamp -> visible in the workspace
    int missed = 0;
    QElapsedTimer run;
    run.start();
    for (int i = 0; i < count && run.elapsed() < budgetMs; ++i) {
        // A random phase relative to the agent's tick: the previous change was seen just after
        // a tick, so waiting uniformly over one interval spreads the writes over the period.
        spin(int(QRandomGenerator::global()->bounded(quint32(intervalMs))));
        const qint64 value = 700LL * 1024 * 1024 + qint64(i + 1) * 4096; // distinct per change
        const qint64 writtenMs = QDateTime::currentMSecsSinceEpoch();
        if (!writeFileAtomically(usageFile, QByteArray::number(value) + '\n')) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(usageFile));
            break;
        }
        bool found = false;
        QElapsedTimer wait;
        wait.start();
        while (!found && wait.elapsed() < 5LL * intervalMs + 5000) {
            spin(5);
            for (const MemorySample &m : store.samples(*series, writtenMs - 2 * intervalMs,
                                                       std::numeric_limits<std::int64_t>::max())) {
                if (m.usageBytes != value)
                    continue;
                const qint64 storedMs = QDateTime::currentMSecsSinceEpoch();
                total.push_back(double(storedMs - writtenMs));
                toSample.push_back(double(m.timestampMs - writtenMs));
                sampleToStored.push_back(double(storedMs - m.timestampMs));
                found = true;
                break;
            }
        }
        if (!found)
            ++missed;
    }
    const AgentClient::Status status = client.status();
    client.detach();
    recorder.stop();
    stopAgent();

    std::printf(
        "end-to-end latency, real oomscope-agent at %d ms interval on loopback, AgentClient batch %d ms, "
        "FeedRecorderThread into SQLite, reader polling every 5 ms\n",
        intervalMs, batchMs);
    std::printf("  changes measured: %zu of %d (missed %d), samples stored %lld, reconnects %d\n",
                total.size(), count, missed, status.samplesStored, status.reconnects);
    printRow("(total) file write -> stored", total);
    printRow("(a) file write -> agent sample timestamp", toSample);
    printRow("(b) agent sample timestamp -> stored", sampleToStored);
    std::printf(
        "notes:\n"
        "  (a) is the sampling phase: a change waits for the next tick, uniform over one interval,\n"
        "      so at %d ms it averages ~%d ms and its p99 approaches %d ms whatever the transport does.\n"
        "  (b) is the pipeline the 250 ms target is about: agent encode + TCP + client batching\n"
        "      (up to %d ms by design) + one SQLite transaction + 5 ms reader polling resolution.\n"
        "  Timestamps are wall clock on one host (agent and bench share the clock); a sample's\n"
        "  timestamp is taken at the start of its tick, so (b) includes the agent's file reads.\n",
        intervalMs, intervalMs / 2, intervalMs, batchMs);
    const double p99b = percentile(sampleToStored, 99);
    std::printf("target p99 < 250 ms compared against (b) sample -> stored: p99 %.1f ms -> %s\n", p99b,
                sampleToStored.empty() ? "no data" : (p99b < 250.0 ? "MET" : "NOT MET"));
    std::printf(
        "  (total, including the sampling phase: p99 %.1f ms, %s 250 ms; its floor is the %d ms interval)\n",
        percentile(total, 99), percentile(total, 99) < 250.0 ? "under" : "over", intervalMs);
    return total.empty() ? 1 : 0;
}
