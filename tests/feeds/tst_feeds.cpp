// SPDX-License-Identifier: GPL-3.0-or-later
// Metric feeds: the Prometheus text parser on kubelet-shaped output, the cAdvisor mapping, saved
// query_range answers, storage of feeds, and the /metrics poller against a loopback server.
#include "cadvisorfeed.h"
#include "feedcommands.h"
#include "feedimport.h"
#include "metricsserver.h"
#include "prometheustext.h"
#include "promrange.h"
#include "samplestore.h"
#include "scrapepoller.h"
#include "workspace.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QString kPod =
    u"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f1c2a9e_4b7d_4e2a_9c1f_8d2e6b5a7c10.slice"_s;
const QString kContainer =
    kPod + u"/cri-containerd-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b.scope"_s;
const QString kBatch =
    u"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod7e6d5c4b_3a29_4180_9f8e_7d6c5b4a3921.slice/cri-containerd-aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44cc55dd66.scope"_s;

QByteArray readData(const char *name)
{
    QFile f(QStringLiteral(FEEDS_DATA "/") + QLatin1StringView(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll();
}

const MetricSeries *findSeries(const std::vector<MetricSeries> &series, const QString &path,
                               const QString &host = {})
{
    for (const MetricSeries &s : series) {
        if (s.cgroupPath == path && (host.isEmpty() || s.host == host))
            return &s;
    }
    return nullptr;
}

qint64 countRows(Workspace &ws, const char *sql)
{
    // A connection of the test's own on the workspace file: the workspace's stays in storage/.
    sqlite3 *db = nullptr;
    sqlite3_open_v2(QFile::encodeName(ws.path()).constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    qint64 n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

// An agent-style exposition (id label only, no timestamps) whose values move with n.
QByteArray agentExposition(int n)
{
    QByteArray out = "# TYPE container_memory_usage_bytes gauge\n";
    out += "container_memory_usage_bytes{id=\"/system.slice/demo.service\"} "
        + QByteArray::number(1000000 + n * 4096) + '\n';
    out += "# TYPE container_memory_working_set_bytes gauge\n";
    out += "container_memory_working_set_bytes{id=\"/system.slice/demo.service\"} "
        + QByteArray::number(900000 + n * 4096) + '\n';
    out += "container_spec_memory_limit_bytes{id=\"/system.slice/demo.service\"} 0\n";
    return out;
}

} // namespace

class TestFeeds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesKubeletExposition()
    {
        const QByteArray text = readData("cadvisor.prom");
        const PromParseResult r = parsePrometheusText(text);
        QVERIFY2(r.warnings.empty(), r.warnings.empty() ? "" : qPrintable(r.warnings.front().detail));
        QCOMPARE(r.skippedLines, 0);
        QCOMPARE(r.lines, int(text.count('\n')));
        // Every non-comment, non-empty line of the fixture is one sample.
        int expected = 0;
        for (const QByteArray &line : text.split('\n'))
            expected += (!line.isEmpty() && !line.startsWith('#')) ? 1 : 0;
        QCOMPARE(int(r.samples.size()), expected);

        QCOMPARE(r.types.value("kubelet_http_requests_duration_seconds"), QByteArray("histogram"));
        QCOMPARE(r.types.value("go_gc_duration_seconds"), QByteArray("summary"));
        QCOMPARE(
            r.help.value("go_gc_duration_seconds"),
            u"A summary of the pause duration of garbage collection cycles.\nSecond line with a backslash \\ in it."_s);

        const PromSample *inf = nullptr;
        const PromSample *escape = nullptr;
        const PromSample *gcMax = nullptr;
        const PromSample *batchCache = nullptr;
        for (const PromSample &s : r.samples) {
            if (s.name == "kubelet_http_requests_duration_seconds_bucket" && s.label("le"_L1) == u"+Inf"_s)
                inf = &s;
            if (s.name == "escape_test")
                escape = &s;
            if (s.name == "go_gc_duration_seconds" && s.label("quantile"_L1) == u"1"_s)
                gcMax = &s;
            if (s.name == "container_memory_cache" && s.label("id"_L1) == kBatch)
                batchCache = &s;
        }
        QVERIFY(inf && escape && gcMax && batchCache);
        QCOMPARE(inf->value, 41.0);
        QVERIFY(!inf->timestampMs);
        QVERIFY(std::isnan(gcMax->value));
        QVERIFY(std::isinf(escape->value) && escape->value < 0);
        QCOMPARE(escape->label("path"_L1), u"C:\\temp"_s);
        QCOMPARE(escape->label("quote"_L1), u"say \"hi\""_s);
        QCOMPARE(escape->label("nl"_L1), u"a\nb"_s);
        QCOMPARE(escape->label("unicode"_L1), u"größe"_s);
        QCOMPARE(batchCache->label("container"_L1), u"batch \"nightly\""_s);
        QCOMPARE(batchCache->label("image"_L1), u"registry.example.com/tools/re\\port:2"_s);
        QCOMPARE(batchCache->timestampMs.value_or(0), 1717000000200);
        QCOMPARE(batchCache->value, 1048576.0);

        // The filter keeps only the named families.
        PromParseOptions only;
        only.keepNames = {"machine_memory_bytes"};
        const PromParseResult one = parsePrometheusText(text, only);
        QCOMPARE(int(one.samples.size()), 1);
        QCOMPARE(one.samples.front().value, 16777216000.0);
    }

    void reportsMalformedLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("no value") << QByteArray("metric_a{a=\"1\"}");
        QTest::newRow("bad number") << QByteArray("metric_a 12abc");
        QTest::newRow("unterminated label") << QByteArray("metric_a{a=\"1} 3");
        QTest::newRow("missing equals") << QByteArray("metric_a{a \"1\"} 3");
        QTest::newRow("bad label name") << QByteArray("metric_a{1a=\"1\"} 3");
        QTest::newRow("bad timestamp") << QByteArray("metric_a 3 12.5");
        QTest::newRow("trailing junk") << QByteArray("metric_a 3 1000 extra");
        QTest::newRow("bad name") << QByteArray("9metric 3");
        QTest::newRow("name junk") << QByteArray("metric-a 3");
        QTest::newRow("no close") << QByteArray("metric_a{a=\"1\" 3");
    }
    void reportsMalformedLines()
    {
        QFETCH(QByteArray, line);
        const QByteArray text = "good_before 1\n" + line + "\r\ngood_after{x=\"y\",} +Inf 1717000000000\n";
        const PromParseResult r = parsePrometheusText(text);
        QCOMPARE(r.skippedLines, 1);
        QCOMPARE(int(r.warnings.size()), 1);
        QCOMPARE(r.warnings.front().line, 2);
        QCOMPARE(int(r.samples.size()), 2);
        QCOMPARE(r.samples[0].name, QByteArray("good_before"));
        QCOMPARE(r.samples[1].label("x"_L1), u"y"_s);
        QVERIFY(std::isinf(r.samples[1].value));
        QCOMPARE(r.samples[1].timestampMs.value_or(0), 1717000000000);
    }

    void survivesGarbage()
    {
        const QByteArray text = readData("cadvisor.prom");
        // Every prefix cut mid-token, and random corruptions: no crash, warnings capped.
        for (qsizetype cut = 0; cut < text.size(); cut += 37)
            parsePrometheusText(QByteArrayView(text).first(cut));
        QRandomGenerator rng(42);
        PromParseOptions tight;
        tight.maxWarnings = 5;
        tight.maxLineBytes = 200;
        for (int i = 0; i < 300; ++i) {
            QByteArray mutated = text;
            for (int k = 0; k < 20; ++k)
                mutated[rng.bounded(int(mutated.size()))] = char(rng.bounded(256));
            const PromParseResult r = parsePrometheusText(mutated, tight);
            QVERIFY(r.warnings.size() <= 6);
            parseCadvisorScrape(mutated, 0);
        }
    }

    void mapsCadvisorScrape()
    {
        const ScrapeBatch batch = parseCadvisorScrape(readData("cadvisor.prom"), 1717000005000);
        // Root, pod cgroup, checkout container, batch container; the pause container dropped.
        QCOMPARE(int(batch.series.size()), 4);
        QCOMPARE(batch.skippedSeries, 1);

        const MetricSeries *c = findSeries(batch.series, kContainer);
        QVERIFY(c);
        QCOMPARE(c->workloadKey, u"pod/shop/checkout-7d9f8b6c5-x2x4q/checkout"_s);
        QCOMPARE(int(c->samples.size()), 1);
        const MemorySample &m = c->samples.front();
        QCOMPARE(m.timestampMs, 1717000000123); // cAdvisor's own stamp, the newest of the lines
        QCOMPARE(m.usageBytes, 536870912);
        QCOMPARE(m.inactiveFileBytes, 536870912 - 503316480); // usage − working set
        QCOMPARE(m.workingSetBytes(), 503316480);
        QCOMPARE(m.anonBytes, 461373440);
        QCOMPARE(m.fileBytes, 67108864);
        QCOMPARE(m.swapBytes, MemorySample::kUnknown); // NaN
        QCOMPARE(m.limitBytes, 536870912);
        QCOMPARE(m.failcnt, 17);
        QCOMPARE(m.oomKillCount, 2);

        const MetricSeries *pod = findSeries(batch.series, kPod);
        QVERIFY(pod);
        QCOMPARE(pod->workloadKey, u"pod/shop/checkout-7d9f8b6c5-x2x4q"_s);
        QCOMPARE(pod->samples.front().limitBytes, MemorySample::kUnlimited); // 0 = no limit
        QCOMPARE(pod->samples.front().oomKillCount, MemorySample::kUnknown);

        const MetricSeries *root = findSeries(batch.series, u"/"_s);
        QVERIFY(root);
        QVERIFY(root->workloadKey.isEmpty());
        QCOMPARE(root->samples.front().usageBytes, 8589934592);

        const MetricSeries *b = findSeries(batch.series, kBatch);
        QVERIFY(b);
        QCOMPARE(b->workloadKey, u"pod/jobs/report-28611234-abcde/batch \"nightly\""_s);
        // v1's PAGE_COUNTER_MAX in bytes is no limit either.
        QCOMPARE(b->samples.front().limitBytes, MemorySample::kUnlimited);
        QCOMPARE(b->samples.front().inactiveFileBytes, 0);

        CadvisorMapOptions keepAll;
        keepAll.keepPauseContainers = true;
        keepAll.keepPodCgroups = false;
        const ScrapeBatch other = parseCadvisorScrape(readData("cadvisor.prom"), 0, keepAll);
        QCOMPARE(int(other.series.size()), 4);
        QVERIFY(!findSeries(other.series, kPod));
        QVERIFY(std::any_of(other.series.begin(), other.series.end(),
                            [](const MetricSeries &s) { return s.workloadKey.endsWith(u"/POD"_s); }));
    }

    void mapsAgentExposition()
    {
        const ScrapeBatch batch = parseCadvisorScrape(agentExposition(0), 1717000009000);
        QCOMPARE(int(batch.series.size()), 1);
        const MetricSeries &s = batch.series.front();
        QCOMPARE(s.cgroupPath, u"/system.slice/demo.service"_s);
        QVERIFY(s.workloadKey.isEmpty()); // the store derives unit/demo.service
        QCOMPARE(s.samples.front().timestampMs, 1717000009000); // no stamps: scrape time
        QCOMPARE(s.samples.front().workingSetBytes(), 900000);
        QCOMPARE(s.samples.front().limitBytes, MemorySample::kUnlimited);
    }

    void readsQueryRange()
    {
        const PromRangeResult r = parsePromQueryRange(readData("query_range.json"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(int(r.series.size()), 2);
        QCOMPARE(r.skippedResults, 1); // the cpu counter
        QCOMPARE(r.points, 3 + 3 + 3 + 2 + 3 + 2);

        const MetricSeries *c = findSeries(r.series, kContainer, u"worker-1"_s);
        QVERIFY(c);
        QCOMPARE(c->workloadKey, u"pod/shop/checkout-7d9f8b6c5-x2x4q/checkout"_s);
        QCOMPARE(int(c->samples.size()), 3);
        QCOMPARE(c->samples[0].timestampMs, 1717000000500);
        QCOMPARE(c->samples[2].timestampMs, 1717000030500);
        QCOMPARE(c->samples[1].usageBytes, 530579456);
        QCOMPARE(c->samples[1].workingSetBytes(), 499122176);
        QCOMPARE(c->samples[2].limitBytes, 536870912);
        QCOMPARE(c->samples[0].oomKillCount, MemorySample::kUnknown); // no point at t0
        QCOMPARE(c->samples[2].oomKillCount, 1);

        const MetricSeries *pod = findSeries(r.series, kPod, u"worker-2"_s);
        QVERIFY(pod);
        QCOMPARE(int(pod->samples.size()), 3);
        QCOMPARE(pod->samples[1].usageBytes, MemorySample::kUnknown); // "NaN"
        QCOMPARE(pod->samples[2].limitBytes, MemorySample::kUnlimited);

        // An array of answers (one query per family) merges the same way.
        const QByteArray ws = R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"container_memory_working_set_bytes","id":"/a","instance":"127.0.0.1:9"},
             "values":[[10,"100"],[20.25,"200"]]}]}})";
        const QByteArray usage = R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"id":"/a","instance":"127.0.0.1:9"},"values":[[10,"150"],[20.25,"250"]]}]}})";
        PromRangeOptions hint;
        hint.metricNameHint = "container_memory_usage_bytes";
        const PromRangeResult merged = parsePromQueryRange("[" + ws + "," + usage + "]", hint);
        QVERIFY2(merged.ok, qPrintable(merged.error));
        QCOMPARE(int(merged.series.size()), 1);
        QCOMPARE(merged.series[0].host, u"127.0.0.1"_s);
        QCOMPARE(merged.series[0].samples[1].timestampMs, 20250);
        QCOMPARE(merged.series[0].samples[1].usageBytes, 250);
        QCOMPARE(merged.series[0].samples[1].inactiveFileBytes, 50);
    }

    void rejectsBadQueryRange_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("truncated") << QByteArray(
            R"({"status":"success","data":{"resultType":"matrix","result":[)")
                                   << u"not valid JSON"_s;
        QTest::newRow("error answer")
            << QByteArray(R"({"status":"error","errorType":"bad_data","error":"parse error"})")
            << u"bad_data"_s;
        QTest::newRow("scalar") << QByteArray(
            R"({"status":"success","data":{"resultType":"scalar","result":[1,"2"]}})")
                                << u"scalar"_s;
        QTest::newRow("not an answer") << QByteArray(R"({"hello":1})") << u"status"_s;
        QTest::newRow("empty") << QByteArray() << u"not valid JSON"_s;
    }
    void rejectsBadQueryRange()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, errorPart);
        const PromRangeResult r = parsePromQueryRange(json);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(errorPart), qPrintable(r.error));
        QVERIFY(r.series.empty());
    }

    void importsQueryRangeFile()
    {
        QTemporaryDir dir;
        Workspace ws;
        QVERIFY(ws.open(dir.filePath(u"ws.sqlite"_s)));
        SampleStore store(ws);
        MetricFeedStore feed(ws, store);
        const QString path = QStringLiteral(FEEDS_DATA "/query_range.json");
        const MetricStoreResult r = feed.importPromRangeFile(path, u"fallback"_s);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!r.alreadyImported);
        QCOMPARE(r.samplesAdded, 6);
        QCOMPARE(int(r.seriesIds.size()), 2);
        const std::optional<qint64> id = store.findSeries(u"worker-1"_s, kContainer);
        QVERIFY(id);
        const std::vector<MemorySample> stored =
            store.samples(*id, 0, std::numeric_limits<std::int64_t>::max());
        QCOMPARE(int(stored.size()), 3);
        QCOMPARE(stored[1].timestampMs, 1717000015500);
        QCOMPARE(stored[1].workingSetBytes(), 499122176);
        QCOMPARE(stored[2].oomKillCount, 1);
        const auto workloads = store.workloads();
        QVERIFY(std::any_of(workloads.begin(), workloads.end(), [](const WorkloadInfo &w) {
            return w.key == u"pod/shop/checkout-7d9f8b6c5-x2x4q/checkout"_s && w.host == u"worker-1"_s;
        }));
        QVERIFY(store.findSeries(u"worker-2"_s, kPod));

        const MetricStoreResult again = feed.importPromRangeFile(path, u"fallback"_s);
        QVERIFY(again.ok && again.alreadyImported);
        QCOMPARE(again.sourceId, r.sourceId);
        QCOMPARE(countRows(ws, "SELECT count(*) FROM sources WHERE kind = 'prometheus'"), 1);

        // A malformed file: clear error, nothing stored.
        QFile bad(dir.filePath(u"bad.json"_s));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(readData("query_range.json").left(1000));
        bad.close();
        const qint64 seriesBefore = qint64(store.series().size());
        const MetricStoreResult failed = feed.importPromRangeFile(bad.fileName(), u"fallback"_s);
        QVERIFY(!failed.ok);
        QVERIFY2(failed.error.contains(u"bad.json"_s) && failed.error.contains(u"JSON"_s),
                 qPrintable(failed.error));
        QCOMPARE(qint64(store.series().size()), seriesBefore);
        QCOMPARE(countRows(ws, "SELECT count(*) FROM sources"), 1);

        // --host overrides the node labels.
        QFile other(dir.filePath(u"other.json"_s));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write(R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"container_memory_usage_bytes","id":"/x.slice","instance":"h:1"},"values":[[5,"7"]]}]}})");
        other.close();
        const MetricStoreResult overridden =
            feed.importPromRangeFile(other.fileName(), u"fallback"_s, {}, u"lab"_s);
        QVERIFY2(overridden.ok, qPrintable(overridden.error));
        QVERIFY(store.findSeries(u"lab"_s, u"/x.slice"_s));
    }

    void storesPolledBatches()
    {
        QTemporaryDir dir;
        Workspace ws;
        QVERIFY(ws.open(dir.filePath(u"ws.sqlite"_s)));
        SampleStore store(ws);
        MetricFeedStore feed(ws, store);
        const ScrapeBatch first = parseCadvisorScrape(readData("cadvisor.prom"), 1717000005000);
        MetricStoreResult r = feed.storeSeries(first.series, u"node-a"_s, u"node-a"_s);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.samplesAdded, 4);
        // The same cAdvisor readings again (cAdvisor had not refreshed): skipped, not an error.
        r = feed.storeSeries(first.series, u"node-a"_s, u"node-a"_s);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.samplesAdded, 0);
        QCOMPARE(r.samplesSkipped, 4);
        // Agent scrapes: one sample per poll. A second MetricFeedStore reads the stored tail.
        MetricFeedStore fresh(ws, store);
        for (int n = 0; n < 3; ++n) {
            const ScrapeBatch b = parseCadvisorScrape(agentExposition(n), 1717000010000 + n * 1000);
            r = fresh.storeSeries(b.series, u"node-a"_s);
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(r.samplesAdded, 1);
        }
        const std::optional<qint64> id = store.findSeries(u"node-a"_s, u"/system.slice/demo.service"_s);
        QVERIFY(id);
        const auto samples = store.samples(*id, 0, std::numeric_limits<std::int64_t>::max());
        QCOMPARE(int(samples.size()), 3);
        QCOMPARE(samples[2].usageBytes, 1000000 + 2 * 4096);
        QCOMPARE(store.seriesInfo(*id)->workloadId > 0, true);
        const auto workloads = store.workloads();
        QVERIFY(std::any_of(workloads.begin(), workloads.end(),
                            [](const WorkloadInfo &w) { return w.key == u"unit/demo.service"_s; }));
    }

    void backoffDoublesAndCaps()
    {
        QCOMPARE(ScrapePoller::backoffMs(1000, 0, 60000), 1000);
        QCOMPARE(ScrapePoller::backoffMs(1000, 1, 60000), 2000);
        QCOMPARE(ScrapePoller::backoffMs(1000, 3, 60000), 8000);
        QCOMPARE(ScrapePoller::backoffMs(1000, 10, 60000), 60000);
        QCOMPARE(ScrapePoller::backoffMs(1000, 1000, 60000), 60000);
    }

    void pollsLocalServer()
    {
        MetricsServer server([](int n) { return agentExposition(n); });
        QVERIFY(server.listen());
        ScrapeConfig config;
        config.url = QUrl(QString::fromLatin1(server.url()));
        config.intervalMs = 200;
        ScrapePoller poller(config);
        QSignalSpy batches(&poller, &ScrapePoller::batchReady);
        QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
        const Result<void> started = poller.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(batches.size() >= 3, 10000);
        poller.stop();
        QCOMPARE(failures.size(), 0);
        const auto third = batches.at(2).at(0).value<std::shared_ptr<const ScrapeBatch>>();
        QCOMPARE(int(third->series.size()), 1);
        QCOMPARE(third->series.front().samples.front().usageBytes, 1000000 + 2 * 4096);
        QVERIFY(server.lastAccept().startsWith("text/plain;version=0.0.4"));
        QVERIFY(server.lastAuthorization().isEmpty());
    }

    void pollerHandlesTokens()
    {
        QTemporaryDir dir;
        MetricsServer server([](int n) { return agentExposition(n); }, "s3cret-token-value");
        QVERIFY(server.listen());
        ScrapeConfig config;
        config.url = QUrl(QString::fromLatin1(server.url()));
        config.intervalMs = 100;
        config.maxBackoffMs = 400;
        {
            ScrapePoller poller(config); // no token: 401, a message that says so, backoff
            QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
            QVERIFY(poller.start());
            QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 2, 10000);
            poller.stop();
            const QString message = failures.at(0).at(0).toString();
            QVERIFY2(message.contains(u"401"_s) && message.contains(u"token"_s), qPrintable(message));
            QCOMPARE(failures.at(0).at(1).toInt(), 200);
            QCOMPARE(failures.at(1).at(1).toInt(), 400);
            QCOMPARE(server.goodRequests(), 0);
        }
        QFile wrong(dir.filePath(u"wrong"_s));
        QVERIFY(wrong.open(QIODevice::WriteOnly));
        wrong.write("not-the-token\n");
        wrong.close();
        config.tokenFile = wrong.fileName();
        {
            ScrapePoller poller(config);
            QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
            QVERIFY(poller.start());
            QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 1, 10000);
            poller.stop();
            QVERIFY(failures.at(0).at(0).toString().contains(u"was refused"_s));
            QCOMPARE(server.lastAuthorization(), QByteArray("Bearer not-the-token"));
        }
        QFile right(dir.filePath(u"right"_s));
        QVERIFY(right.open(QIODevice::WriteOnly));
        right.write("s3cret-token-value\n");
        right.close();
        config.tokenFile = right.fileName();
        ScrapePoller poller(config);
        QSignalSpy batches(&poller, &ScrapePoller::batchReady);
        QVERIFY(poller.start());
        QTRY_VERIFY_WITH_TIMEOUT(batches.size() >= 1, 10000);
        poller.stop();
        QCOMPARE(server.goodRequests(), 1);

        config.tokenFile = dir.filePath(u"missing"_s);
        ScrapePoller missing(config);
        const Result<void> refused = missing.start();
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::Io);
        QVERIFY2(refused.error().message.contains(u"token file"_s), qPrintable(refused.error().message));
        QVERIFY(!missing.isRunning());
    }

    void pollerReportsRefusedConnection()
    {
        quint16 port = 0;
        {
            QTcpServer probe; // a port that was free a moment ago and has no listener now
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        ScrapeConfig config;
        config.url = QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(port));
        ScrapePoller poller(config);
        QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
        QVERIFY(poller.start());
        QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 1, 10000);
        poller.stop();
        QVERIFY2(failures.at(0).at(0).toString().contains(u"refused"_s),
                 qPrintable(failures.at(0).at(0).toString()));

        ScrapePoller bad(ScrapeConfig {});
        const Result<void> refused = bad.start();
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::Invalid);
        QVERIFY(refused.error().message.contains(u"http"_s));
    }

    void attachStoresScrapes()
    {
        QTemporaryDir dir;
        MetricsServer server([](int n) { return agentExposition(n); });
        QVERIFY(server.listen());
        AttachMetricsOptions o;
        o.scrape.url = QUrl(QString::fromLatin1(server.url()));
        o.workspacePath = dir.filePath(u"ws.sqlite"_s);
        o.durationSeconds = 0; // one scrape
        QString outText;
        QString errText;
        QTextStream out(&outText);
        QTextStream err(&errText);
        QCOMPARE(runAttachMetrics(o, out, err), 0);
        QVERIFY2(outText.contains(u"1 samples stored"_s), qPrintable(outText));
        Workspace ws;
        QVERIFY(ws.open(o.workspacePath));
        SampleStore store(ws);
        QVERIFY(store.findSeries(u"127.0.0.1"_s, u"/system.slice/demo.service"_s));

        // A server that wants a token we do not have: exit 1 with the reason.
        MetricsServer locked([](int) { return QByteArray(); }, "token-needed");
        QVERIFY(locked.listen());
        o.scrape.url = QUrl(QString::fromLatin1(locked.url()));
        QCOMPARE(runAttachMetrics(o, out, err), 1);
        QVERIFY2(errText.contains(u"401"_s), qPrintable(errText));
    }

    void importPrometheusCommand()
    {
        QTemporaryDir dir;
        QString outText;
        QString errText;
        QTextStream out(&outText);
        QTextStream err(&errText);
        const QString db = dir.filePath(u"ws.sqlite"_s);
        QCOMPARE(runImportPrometheus(QStringLiteral(FEEDS_DATA "/query_range.json"), db, {}, {}, out, err),
                 0);
        QVERIFY2(outText.contains(u"6 samples in 2 series"_s), qPrintable(outText));
        QCOMPARE(runImportPrometheus(QStringLiteral(FEEDS_DATA "/query_range.json"), db, {}, {}, out, err),
                 0);
        QVERIFY(outText.contains(u"already imported"_s));
        QCOMPARE(runImportPrometheus(dir.filePath(u"absent.json"_s), db, {}, {}, out, err), 1);
        QVERIFY(errText.contains(u"cannot open"_s));
    }
};

QTEST_GUILESS_MAIN(TestFeeds)
#include "tst_feeds.moc"
