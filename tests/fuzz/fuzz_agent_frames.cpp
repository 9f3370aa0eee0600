// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for what the workbench reads from a node: the bytes are split into lines the
// way AgentClient reads them (complete lines only, trimmed, blank ones skipped, the link lost at
// the first line that is not a JSON object) and every frame goes through the decoder
// AgentClient applies to its type. Nothing may crash, hang or trip a sanitizer, and a decoded
// frame must survive its own encoder.
#include "agentprotocol.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace Qt::StringLiterals;

namespace {

using namespace oomscope;

void check(bool invariant)
{
    if (!invariant)
        __builtin_trap();
}

void hello(const QJsonObject &frame)
{
    const AgentHello h = helloFromJson(frame);
    const AgentHello again = helloFromJson(helloFrameJson(h));
    check(again.protocol == h.protocol && again.instance == h.instance && again.hostname == h.hostname);
    check(again.bootTimeMs == h.bootTimeMs && again.timestampMs == h.timestampMs);
    check(again.heartbeatMs == h.heartbeatMs && again.newestSeq == h.newestSeq);
}

void sample(const QJsonObject &record)
{
    const std::optional<FeedSample> s = feedSampleFromJson(record);
    if (!s)
        return;
    check(record.value("timestamp"_L1).isDouble());
    check(s->processes.size() <= std::size_t(record.value("processes"_L1).toArray().size()));
    for (const ProcessSample &p : s->processes)
        check(p.pid > 0 && p.timestampMs == s->sample.timestampMs);
}

void kmsg(const QJsonObject &record)
{
    const KmsgFrame k = kmsgFromJson(record);
    const KmsgFrame again = kmsgFromJson(kmsgRecordJson(k));
    check(again.kmsgSeq == k.kmsgSeq && again.usec == k.usec && again.level == k.level);
    check(again.facility == k.facility && again.line == k.line);
}

void gap(const QJsonObject &frame)
{
    const FeedGap g = gapFromJson(frame);
    const FeedGap again = gapFromJson(gapFrameJson(g));
    check(again.fromSeq == g.fromSeq && again.toSeq == g.toSeq);
}

// A pods record: what it decodes to is what it encodes to, and never more than asked for.
void pods(const QJsonObject &record)
{
    const std::vector<KubePod> decoded = podsFromJson(record, 64);
    check(decoded.size() <= 64 && decoded.size() <= std::size_t(record.value("pods"_L1).toArray().size()));
    const std::vector<KubePod> again = podsFromJson(podsRecordJson(decoded, 0), 64);
    check(again.size() == decoded.size());
    for (std::size_t i = 0; i < again.size(); ++i)
        check(again[i].uid == decoded[i].uid && again[i].name == decoded[i].name);
}

// AgentClient::handleFrame and handleRecord; false where the client drops the link.
bool frame(const QJsonObject &f, bool &helloSeen)
{
    const QString type = f.value("type"_L1).toString();
    if (f.contains("seq"_L1)) {
        if (!helloSeen)
            return false; // a record before the hello
        (void)f.value("seq"_L1).toInteger();
        if (type == "sample"_L1)
            sample(f);
        else if (type == "kmsg"_L1)
            kmsg(f);
        else if (type == "oom_event"_L1)
            (void)oomEventFromJson(f);
        else if (type == "pods"_L1)
            pods(f);
        return true;
    }
    if (type == "hello"_L1) {
        hello(f);
        helloSeen = true;
    } else if (type == "gap"_L1) {
        gap(f);
    } else if (type == "error"_L1) {
        (void)f.value("reason"_L1).toString();
        return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    bool helloSeen = false;
    qsizetype pos = 0;
    for (;;) {
        const qsizetype nl = bytes.indexOf('\n', pos);
        if (nl < 0)
            return 0; // canReadLine(): an unterminated frame waits for more bytes
        const QByteArray line = bytes.mid(pos, nl + 1 - pos).trimmed();
        pos = nl + 1;
        if (line.isEmpty())
            continue;
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (!doc.isObject() || !frame(doc.object(), helloSeen))
            return 0; // the link is lost
    }
}
