// SPDX-License-Identifier: GPL-3.0-or-later
// The agent protocol's frames encoded and decoded again through their bytes on the wire: every
// field of the sample field table (and of the process table) must come back as it went out,
// measured, unmeasured and unlimited alike. A field added to kSampleFields that the encoder or
// the decoder does not carry fails here.
#include "agentprotocol.h"
#include "podjson.h"
#include "samplefields.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <cmath>

using namespace oomscope;
using namespace Qt::StringLiterals;

namespace {

QLatin1StringView key(std::string_view name)
{
    return QLatin1StringView(name.data(), qsizetype(name.size()));
}

// Through the bytes a client reads: one line, parsed back.
QJsonObject overTheWire(const QJsonObject &frame)
{
    const QByteArray line = jsonLine(frame);
    if (!line.endsWith('\n') || line.count('\n') != 1)
        qFatal("a frame must be exactly one line");
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("frame does not parse: %s", qPrintable(error.errorString()));
    return doc.object();
}

// A stored record: the agent's buffer adds the seq.
QJsonObject asRecord(QJsonObject frame, qint64 seq)
{
    frame.insert("seq"_L1, seq);
    return overTheWire(frame);
}

// Every field of the table set to a value no other field has.
MemorySample distinctSample()
{
    MemorySample m;
    m.timestampMs = 1'795'825'075'278;
    for (std::size_t i = 0; i < kSampleFields.size(); ++i) {
        const SampleFieldInfo &f = kSampleFields[i];
        if (f.integer)
            m.*f.integer = std::int64_t(1'000'003 * (i + 1));
        else
            m.*f.seconds = 1831.266 + double(i);
    }
    return m;
}

ProcessSample distinctProcess(const QString &cgroup)
{
    ProcessSample p;
    p.pid = 4242;
    p.comm = u"java"_s;
    p.cgroup = cgroup;
    p.oomScoreAdj = 937;
    for (std::size_t i = 0; i < kProcessKibFields.size(); ++i)
        p.*kProcessKibFields[i].kib = std::int64_t(7001 * (i + 1));
    return p;
}

SampleBatch batchOf(const MemorySample &m, std::vector<ProcessSample> processes = {})
{
    SampleBatch batch;
    batch.tick = 17;
    batch.timestampMs = 1'795'825'000'000;
    batch.boottimeSeconds = 999.5;
    SampledCgroup c;
    c.path = u"/kubepods.slice/pod-a/c1"_s;
    c.present = true;
    c.memory = m;
    c.processes = std::move(processes);
    batch.cgroups.push_back(std::move(c));
    return batch;
}

FeedSample roundTrip(const SampleBatch &batch, qint64 seq)
{
    const QJsonObject record = asRecord(sampleRecordJson(batch, batch.cgroups.front()), seq);
    const std::optional<FeedSample> decoded = feedSampleFromJson(record);
    if (!decoded)
        qFatal("a present sample with a timestamp must decode");
    return *decoded;
}

} // namespace

class TestAgentProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sampleCarriesEveryField()
    {
        const MemorySample sent = distinctSample();
        const SampleBatch batch = batchOf(sent);
        const QJsonObject record = asRecord(sampleRecordJson(batch, batch.cgroups.front()), 5);
        for (const SampleFieldInfo &f : kSampleFields)
            QVERIFY2(record.value(key(f.wireKey)).isDouble(), f.wireKey.data());

        const FeedSample got = roundTrip(batch, 5);
        QCOMPARE(got.seq, 5);
        QCOMPARE(got.cgroup, batch.cgroups.front().path);
        QCOMPARE(got.sample.timestampMs, sent.timestampMs);
        for (const SampleFieldInfo &f : kSampleFields) {
            if (f.integer)
                QCOMPARE(got.sample.*f.integer, sent.*f.integer);
            else
                QCOMPARE(got.sample.*f.seconds, sent.*f.seconds);
        }
    }

    void sampleUnmeasuredFieldsStayUnknown()
    {
        MemorySample sent;
        sent.timestampMs = 1'795'825'075'278;
        const SampleBatch batch = batchOf(sent);
        const QJsonObject record = asRecord(sampleRecordJson(batch, batch.cgroups.front()), 6);
        const FeedSample got = roundTrip(batch, 6);
        for (const SampleFieldInfo &f : kSampleFields) {
            if (f.integer) {
                QVERIFY2(!record.contains(key(f.wireKey)), f.wireKey.data()); // absent = not measured
                QCOMPARE(got.sample.*f.integer, MemorySample::kUnknown);
            }
        }
        // A sample without its own clock reading carries the tick's.
        QCOMPARE(got.sample.boottimeSeconds, batch.boottimeSeconds);
    }

    void sampleLimitsKeepNoLimit()
    {
        MemorySample sent = distinctSample();
        int limits = 0;
        for (const SampleFieldInfo &f : kSampleFields) {
            if (f.isLimit) {
                sent.*f.integer = MemorySample::kUnlimited;
                ++limits;
            }
        }
        QVERIFY(limits >= 2); // limit and memory.high
        const SampleBatch batch = batchOf(sent);
        const QJsonObject record = asRecord(sampleRecordJson(batch, batch.cgroups.front()), 7);
        const FeedSample got = roundTrip(batch, 7);
        for (const SampleFieldInfo &f : kSampleFields) {
            if (!f.integer)
                continue;
            if (f.isLimit)
                QVERIFY2(record.value(key(f.wireKey)).isNull(), f.wireKey.data()); // null = no limit
            QCOMPARE(got.sample.*f.integer, sent.*f.integer);
        }
    }

    void sampleOfAbsentCgroupIsDropped()
    {
        SampleBatch batch = batchOf(distinctSample());
        batch.cgroups.front().present = false;
        QVERIFY(!feedSampleFromJson(asRecord(sampleRecordJson(batch, batch.cgroups.front()), 8)));
    }

    void processesCarryEveryField()
    {
        const QString cgroup = u"/kubepods.slice/pod-a/c1"_s;
        ProcessSample unmeasured;
        unmeasured.pid = 77;
        unmeasured.comm = u"sh"_s;
        unmeasured.cgroup = cgroup;
        const SampleBatch batch = batchOf(distinctSample(), {distinctProcess(cgroup), unmeasured});
        const FeedSample got = roundTrip(batch, 9);
        QCOMPARE(got.processes.size(), std::size_t(2));
        const ProcessSample &p = got.processes[0];
        const ProcessSample sent = distinctProcess(cgroup);
        QCOMPARE(p.pid, sent.pid);
        QCOMPARE(p.comm, sent.comm);
        QCOMPARE(p.cgroup, cgroup);
        QCOMPARE(p.oomScoreAdj, sent.oomScoreAdj);
        QCOMPARE(p.timestampMs, got.sample.timestampMs);
        for (const ProcessFieldInfo &f : kProcessKibFields) {
            QCOMPARE(p.*f.kib, sent.*f.kib);
            QCOMPARE(got.processes[1].*f.kib, MemorySample::kUnknown);
        }
    }

    void helloCarriesEveryField()
    {
        AgentHello sent;
        sent.protocol = AgentProtocol::kVersion;
        sent.agentVersion = u"0.1.0"_s;
        sent.instance = u"227a677ddfbd0c0c"_s;
        sent.hostname = u"node-7"_s;
        sent.kernelRelease = u"6.1.0-18-amd64"_s;
        sent.bootTimeMs = 1'795'826'153'874;
        sent.timestampMs = 1'795'827'985'140;
        sent.boottimeSeconds = 1831.266;
        sent.cgroupVersion = 2;
        sent.cgroupRoot = u"/sys/fs/cgroup"_s;
        sent.cgroups = 29;
        sent.intervalMs = 1000;
        sent.heartbeatMs = 300;
        sent.kmsg = true;
        sent.oldestSeq = 3;
        sent.newestSeq = 291;
        sent.bufferCapacity = 100000;
        const QJsonObject frame = overTheWire(helloFrameJson(sent));
        QCOMPARE(frame.value("type"_L1).toString(), u"hello"_s);
        const AgentHello got = helloFromJson(frame);
        QCOMPARE(got.protocol, sent.protocol);
        QCOMPARE(got.agentVersion, sent.agentVersion);
        QCOMPARE(got.instance, sent.instance);
        QCOMPARE(got.hostname, sent.hostname);
        QCOMPARE(got.kernelRelease, sent.kernelRelease);
        QCOMPARE(got.bootTimeMs, sent.bootTimeMs);
        QCOMPARE(got.timestampMs, sent.timestampMs);
        QCOMPARE(got.boottimeSeconds, sent.boottimeSeconds);
        QCOMPARE(got.cgroupVersion, sent.cgroupVersion);
        QCOMPARE(got.cgroupRoot, sent.cgroupRoot);
        QCOMPARE(got.cgroups, sent.cgroups);
        QCOMPARE(got.intervalMs, sent.intervalMs);
        QCOMPARE(got.heartbeatMs, sent.heartbeatMs);
        QCOMPARE(got.kmsg, sent.kmsg);
        QCOMPARE(got.oldestSeq, sent.oldestSeq);
        QCOMPARE(got.newestSeq, sent.newestSeq);
        QCOMPARE(got.bufferCapacity, sent.bufferCapacity);
        // Every key the encoder writes is one the decoder knows: the frame's key count is the
        // struct's field count plus "type".
        QCOMPARE(frame.size(), 18);
    }

    void helloWithoutOptionalFields()
    {
        const AgentHello got = helloFromJson(overTheWire({{u"type"_s, u"hello"_s}, {u"instance"_s, u"x"_s}}));
        QVERIFY(!got.bootTimeMs);
        QCOMPARE(got.heartbeatMs, 5000);
        QCOMPARE(got.instance, u"x"_s);
        AgentHello noBoot;
        QVERIFY(!helloFrameJson(noBoot).contains("boot_time_ms"_L1));
    }

    void kmsgCarriesEveryField()
    {
        const KmsgFrame sent {812, 1'831'266'123, 3, 1,
                              "3,812,1831266123,-;Memory cgroup out of memory: Killed process 4242 (java)"};
        const QJsonObject record = asRecord(kmsgRecordJson(sent), 10);
        QCOMPARE(record.value("type"_L1).toString(), u"kmsg"_s);
        const KmsgFrame got = kmsgFromJson(record);
        QCOMPARE(got.kmsgSeq, sent.kmsgSeq);
        QCOMPARE(got.usec, sent.usec);
        QCOMPARE(got.level, sent.level);
        QCOMPARE(got.facility, sent.facility);
        QCOMPARE(got.line, sent.line);
        QCOMPARE(record.size(), 7); // type, seq and the five fields
    }

    void gapCarriesItsRange()
    {
        const FeedGap sent {12, 4711};
        const QJsonObject frame = overTheWire(gapFrameJson(sent));
        QCOMPARE(frame.value("type"_L1).toString(), u"gap"_s);
        const FeedGap got = gapFromJson(frame);
        QCOMPARE(got.fromSeq, sent.fromSeq);
        QCOMPARE(got.toSeq, sent.toSeq);
    }

    void sampleBytesAreStable()
    {
        // The exact line the agent has always sent for one sample: keys in QJsonObject's order,
        // null for no limit, unmeasured fields absent.
        MemorySample m;
        m.timestampMs = 1000;
        m.usageBytes = 10;
        m.limitBytes = MemorySample::kUnlimited;
        m.failcnt = 0;
        SampleBatch batch = batchOf(m);
        batch.boottimeSeconds = 2.5;
        QCOMPARE(jsonLine(sampleRecordJson(batch, batch.cgroups.front())),
                 QByteArray(R"({"boottime_s":2.5,"cgroup":"/kubepods.slice/pod-a/c1","failcnt":0,)"
                            R"("limit_bytes":null,"present":true,"tick":17,"timestamp":1000,"type":"sample",)"
                            R"("usage_bytes":10})"
                            "\n"));
    }

    void podsCarryTheNodesPods()
    {
        QFile file(QStringLiteral(OOMSCOPE_TEST_DATA "/kubernetes/mem-example.list.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const Result<KubeObjects> list = parseKubeJson(file.readAll());
        QVERIFY(list && list->pods.size() == 3);
        const QJsonObject record = overTheWire(podsRecordJson(list->pods, 1'795'827'986'200));
        QCOMPARE(record.value("type"_L1).toString(), u"pods"_s);
        QCOMPARE(record.value("timestamp"_L1).toInteger(), 1'795'827'986'200);
        const std::vector<KubePod> got = podsFromJson(record);
        QCOMPARE(got.size(), std::size_t(3));
        for (std::size_t i = 0; i < got.size(); ++i) {
            QCOMPARE(got[i].uid, list->pods[i].uid);
            QCOMPARE(got[i].namespaceName, list->pods[i].namespaceName);
            QCOMPARE(got[i].name, list->pods[i].name);
            QCOMPARE(got[i].statuses.size(), list->pods[i].statuses.size());
        }
        PodDirectory directory;
        directory.add(got);
        const std::optional<PodRef> ref =
            directory.byCgroupPath(u"/kubepods/besteffort/pod0f6c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f/"
                                   "8f1e5c2b9d0a4e7f6c3b2a1908d7e6f5c4b3a2918070f6e5d4c3b2a190807f6e"_s);
        QVERIFY(ref);
        QCOMPARE(ref->label(), u"batch/memory-hog-7d9c5/hog"_s);

        // Entries that are not pods are skipped; the cap holds.
        QJsonObject odd = record;
        QJsonArray items = odd.value("pods"_L1).toArray();
        items.prepend(QJsonObject {{u"metadata"_s, QJsonObject {}}});
        items.append(7);
        odd.insert("pods"_L1, items);
        QCOMPARE(podsFromJson(odd).size(), std::size_t(3));
        QCOMPARE(podsFromJson(odd, 2).size(), std::size_t(2));
        QVERIFY(podsFromJson(QJsonObject {{u"type"_s, u"pods"_s}}).empty());
    }
};

QTEST_GUILESS_MAIN(TestAgentProtocol)
#include "tst_agentprotocol.moc"
