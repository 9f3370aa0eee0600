// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark for the agent: CPU per 100 cgroups sampled at 1 Hz, stream throughput to one
// loopback client and resident memory with a full buffer. Prints figures, asserts nothing.
#include "agentprotocol.h"
#include "agentserver.h"
#include "cgroupreader.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <cstdio>
#include <sys/resource.h>

using namespace oomscope;
using namespace Qt::StringLiterals;

namespace {

double cpuSeconds()
{
    rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(content);
}

// A v2 tree with n leaf cgroups holding the files the reader looks at.
void makeTree(const QString &root, int n)
{
    QDir().mkpath(root);
    writeFile(root + u"/cgroup.controllers"_s, "cpu memory pids\n");
    for (int i = 0; i < n; ++i) {
        const QString dir = root + u"/bench.slice/c%1"_s.arg(i);
        QDir().mkpath(dir);
        writeFile(dir + u"/memory.current"_s, QByteArray::number(100000000 + i) + '\n');
        writeFile(dir + u"/memory.max"_s, "536870912\n");
        writeFile(dir + u"/memory.high"_s, "max\n");
        writeFile(dir + u"/memory.swap.current"_s, "0\n");
        writeFile(dir + u"/memory.events"_s, "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");
        writeFile(dir + u"/memory.stat"_s,
                  "anon 60000000\nfile 40000000\nkernel 1000000\nshmem 0\nactive_file 20000000\n"
                  "inactive_file 20000000\nslab 500000\n");
        writeFile(dir + u"/cgroup.procs"_s, "");
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir tmp;
    const int cgroups = 100;
    makeTree(tmp.path() + u"/cg"_s, cgroups);

    // 1. CPU per 100 cgroups at 1 Hz: sampleNow() ticks back to back, scaled to one per second.
    {
        SamplerConfig sc;
        sc.cgroupRoot = tmp.path() + u"/cg"_s;
        sc.procRoot = tmp.path();
        for (int i = 0; i < cgroups; ++i)
            sc.paths.append(u"/bench.slice/c%1"_s.arg(i));
        sc.sampleProcesses = false;
        Sampler sampler(sc);
        AgentOptions o;
        AgentServer server(o);
        QObject::connect(&sampler, &Sampler::batchReady, &server, &AgentServer::ingestBatch,
                         Qt::DirectConnection);
        const int ticks = 200;
        const double cpu0 = cpuSeconds();
        QElapsedTimer wall;
        wall.start();
        for (int i = 0; i < ticks; ++i)
            sampler.sampleNow();
        const double cpuPerTick = (cpuSeconds() - cpu0) / ticks;
        std::printf(
            "agent CPU per %d cgroups per tick (read + encode): %.3f ms -> %.3f %% of one core at 1 Hz "
            "(wall %.3f ms/tick)\n",
            cgroups, cpuPerTick * 1e3, cpuPerTick * 100.0, double(wall.nsecsElapsed()) / 1e6 / ticks);
        std::printf("  records buffered: %lld, %.1f bytes/record\n", server.buffer().size(),
                    double(server.buffer().bytes()) / double(std::max<qint64>(1, server.buffer().size())));
    }

    // 2. Stream throughput: replay a full buffer of sample records to one loopback client.
    {
        AgentOptions o;
        o.listenPort = 0;
        o.cgroupRoot = tmp.path() + u"/cg"_s;
        o.procRoot = tmp.path();
        o.cgroups = {u"/bench.slice/c0"_s};
        o.intervalMs = 3600 * 1000;
        o.kmsgPath = tmp.path() + u"/no-kmsg"_s;
        o.bufferRecords = 200000;
        AgentServer server(o);
        if (const Result<void> started = server.start(); !started) {
            std::fprintf(stderr, "%s\n", qPrintable(started.error().message));
            return 1;
        }
        SampleBatch batch;
        batch.timestampMs = 1;
        batch.cgroups.resize(1000);
        CgroupReader reader(o.cgroupRoot, o.procRoot);
        for (std::size_t i = 0; i < batch.cgroups.size(); ++i) {
            batch.cgroups[i].path = u"/bench.slice/c%1"_s.arg(i % cgroups);
            batch.cgroups[i].present = true;
            batch.cgroups[i].memory.usageBytes = qint64(i) * 4096;
            batch.cgroups[i].memory.limitBytes = 1 << 29;
            batch.cgroups[i].memory.anonBytes = 1 << 20;
            batch.cgroups[i].memory.fileBytes = 1 << 21;
            batch.cgroups[i].memory.boottimeSeconds = 1234.5;
        }
        const auto shared = std::make_shared<const SampleBatch>(batch);
        QElapsedTimer encode;
        encode.start();
        for (int i = 0; i < 200; ++i)
            server.ingestBatch(shared);
        const double encodeS = double(encode.nsecsElapsed()) / 1e9;
        const qint64 newest = server.buffer().newestSeq();
        std::printf("encode: %lld records in %.3f s = %.0f records/s\n", newest, encodeS,
                    double(newest) / encodeS);
        const AgentSelfStats full = server.selfStats();
        std::printf(
            "resident memory with %lld records (%.1f MiB of JSON) buffered: %.1f MiB (peak %.1f MiB)\n",
            full.bufferRecords, double(full.bufferBytes) / 1048576.0, double(full.residentBytes) / 1048576.0,
            double(full.peakResidentBytes) / 1048576.0);

        QTcpSocket client;
        client.connectToHost(u"127.0.0.1"_s, server.serverPort());
        client.waitForConnected(5000);
        client.write("{\"type\":\"subscribe\"}\n");
        qint64 lines = 0;
        qint64 bytes = 0;
        QElapsedTimer t;
        t.start();
        while (lines < newest + 1 && t.elapsed() < 60000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
            while (client.canReadLine()) {
                bytes += client.readLine().size();
                ++lines;
            }
        }
        const double s = double(t.nsecsElapsed()) / 1e9;
        std::printf("stream throughput (one loopback client, same process): %lld lines, %.1f MiB in %.3f s = "
                    "%.0f samples/s, %.1f MiB/s\n",
                    lines, double(bytes) / 1048576.0, s, double(lines) / s, double(bytes) / 1048576.0 / s);
        server.stop();
    }
    return 0;
}
