// SPDX-License-Identifier: GPL-3.0-or-later
// The /metrics scraper against endpoints that misbehave: the bearer token never leaves the
// configured origin, redirects are bounded, and one deadline covers the whole scrape.
#include "httptestserver.h"
#include "scrapepoller.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace oomscope;

namespace {

const QByteArray kToken = "cluster-service-account-token";
const QByteArray kExposition = "# TYPE container_memory_usage_bytes gauge\n"
                               "container_memory_usage_bytes{id=\"/system.slice/demo.service\"} 4096\n";

QString writeToken(const QTemporaryDir &dir)
{
    QFile f(dir.filePath(u"token"_s));
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write the token file");
    f.write(kToken + '\n');
    return f.fileName();
}

ScrapeConfig configFor(const HttpTestServer &server, const QString &tokenFile, const char *path = "/metrics")
{
    ScrapeConfig config;
    config.url = QUrl(QString::fromLatin1(server.origin() + path));
    config.intervalMs = 60'000; // one scrape per test
    config.timeoutMs = 5'000;
    config.tokenFile = tokenFile;
    return config;
}

} // namespace

class TestScrapeSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Finding 1 of the attach-path review: a 302 to another port received the Authorization header.
    void redirectToAnotherOriginIsNotFollowed()
    {
        QTemporaryDir dir;
        HttpTestServer thief([](QTcpSocket *s, const RecordedRequest &) {
            s->write(HttpTestServer::answer("200 OK", kExposition));
            s->disconnectFromHost();
        });
        QVERIFY(thief.listen());
        HttpTestServer redirector([&thief](QTcpSocket *s, const RecordedRequest &) {
            s->write(HttpTestServer::answer("302 Found", {}, "Location: " + thief.origin() + "/stolen\r\n"));
            s->disconnectFromHost();
        });
        QVERIFY(redirector.listen());

        ScrapePoller poller(configFor(redirector, writeToken(dir)));
        QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
        QSignalSpy batches(&poller, &ScrapePoller::batchReady);
        const Result<void> started = poller.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 1, 10'000);
        poller.stop();
        QCOMPARE(batches.size(), 0);
        QCOMPARE(thief.requests().size(), 0); // not followed at all, so nothing to steal
        QCOMPARE(redirector.requests().size(), 1);
        QCOMPARE(redirector.requests().at(0).authorization, "Bearer " + kToken);
        const QString message = failures.at(0).at(0).toString();
        QVERIFY2(message.contains(u"another origin"_s)
                     && message.contains(QString::fromLatin1(thief.origin())),
                 qPrintable(message));
    }

    void redirectWithinTheOriginKeepsWorking()
    {
        QTemporaryDir dir;
        HttpTestServer server([](QTcpSocket *s, const RecordedRequest &r) {
            if (r.path == "/metrics")
                s->write(
                    HttpTestServer::answer("301 Moved Permanently", {}, "Location: /metrics/cadvisor\r\n"));
            else
                s->write(HttpTestServer::answer("200 OK", kExposition));
            s->disconnectFromHost();
        });
        QVERIFY(server.listen());
        ScrapePoller poller(configFor(server, writeToken(dir)));
        QSignalSpy batches(&poller, &ScrapePoller::batchReady);
        const Result<void> started = poller.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(batches.size() >= 1, 10'000);
        poller.stop();
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests().at(1).path, QByteArray("/metrics/cadvisor"));
        QCOMPARE(server.requests().at(1).authorization, "Bearer " + kToken);
        const auto batch = batches.at(0).at(0).value<std::shared_ptr<const ScrapeBatch>>();
        QCOMPARE(int(batch->series.size()), 1);
    }

    void redirectLoopsAreBounded()
    {
        HttpTestServer server([](QTcpSocket *s, const RecordedRequest &r) {
            s->write(HttpTestServer::answer("302 Found", {}, "Location: " + r.path + "x\r\n"));
            s->disconnectFromHost();
        });
        QVERIFY(server.listen());
        ScrapePoller poller(configFor(server, {}));
        QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
        const Result<void> started = poller.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 1, 10'000);
        poller.stop();
        QVERIFY2(failures.at(0).at(0).toString().contains(u"redirects"_s),
                 qPrintable(failures.at(0).at(0).toString()));
        QCOMPARE(server.requests().size(), 6); // the first request and five redirects
    }

    // Finding 8: a byte every 200 ms reset Qt's transfer timeout forever. The server trickles for
    // 20 s; the 1 s deadline must end the scrape long before (the 8 s wait is a bound, not a
    // measurement).
    void tricklingServerHitsTheDeadline()
    {
        HttpTestServer server([](QTcpSocket *s, const RecordedRequest &) {
            s->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n");
            auto *timer = new QTimer(s);
            auto sent = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, s, [s, timer, sent] {
                s->write("#");
                if (++*sent >= 100)
                    timer->stop();
            });
            timer->start(200);
        });
        QVERIFY(server.listen());
        ScrapeConfig config = configFor(server, {});
        config.timeoutMs = 1'000;
        ScrapePoller poller(config);
        QSignalSpy failures(&poller, &ScrapePoller::scrapeFailed);
        const Result<void> started = poller.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 1, 8'000);
        poller.stop();
        QVERIFY2(failures.at(0).at(0).toString().contains(u"within 1 s"_s),
                 qPrintable(failures.at(0).at(0).toString()));
    }
};

QTEST_GUILESS_MAIN(TestScrapeSecurity)
#include "tst_scrape_security.moc"
