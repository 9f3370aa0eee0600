// SPDX-License-Identifier: GPL-3.0-or-later
// Handoff (model/core/handoff.h), the queue between `analyze`'s parser and its printing thread:
// order kept, the producer held back when the consumer lags (bounded memory), nothing lost when
// it finishes or goes out of scope; once stopped (from either side), what waits and what comes
// after is dropped, and a producer held back is let go.
#include "handoff.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

using namespace oomscope;
using namespace std::chrono_literals;

class TestHandoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void consumesInPushOrder()
    {
        std::vector<int> seen;
        Handoff<int> handoff(4, [&](int &&v) { seen.push_back(v); });
        for (int i = 0; i < 20000; ++i)
            handoff.push(i);
        handoff.finish();
        std::vector<int> expected(20000);
        std::iota(expected.begin(), expected.end(), 0);
        QCOMPARE(seen, expected);
        QVERIFY(handoff.highWater() <= 4);
    }

    void producerWaitsWhileTheQueueIsFull()
    {
        std::atomic<bool> open {false};
        std::atomic<int> consumed {0};
        Handoff<int> handoff(3, [&](int &&) {
            while (!open.load())
                std::this_thread::sleep_for(1ms);
            ++consumed;
        });
        // One item in the consumer's hands, three waiting: the queue is full.
        for (int i = 0; i < 4; ++i)
            handoff.push(i);
        QTRY_COMPARE(handoff.highWater(), std::size_t(3));
        std::atomic<bool> fifthIn {false};
        std::thread producer([&] {
            handoff.push(4);
            fifthIn = true;
        });
        std::this_thread::sleep_for(200ms);
        const bool pushedWhileFull = fifthIn.load();
        open = true;
        producer.join();
        handoff.finish();
        QVERIFY2(!pushedWhileFull, "push() returned while the queue was full");
        QCOMPARE(consumed.load(), 5);
        QCOMPARE(handoff.highWater(), std::size_t(3));
    }

    void goingOutOfScopeConsumesWhatWaits()
    {
        int sum = 0;
        {
            Handoff<std::unique_ptr<int>> handoff(2, [&](std::unique_ptr<int> &&p) {
                std::this_thread::sleep_for(1ms);
                sum += *p;
            });
            for (int i = 1; i <= 50; ++i)
                handoff.push(std::make_unique<int>(i));
        }
        QCOMPARE(sum, 50 * 51 / 2);
    }

    void stopFromTheConsumerDropsWhatWaits()
    {
        std::vector<int> seen;
        std::atomic<bool> open {false};
        Handoff<int> handoff(4, [&](int &&v) {
            while (!open.load())
                std::this_thread::sleep_for(1ms);
            seen.push_back(v);
            if (v == 2) // a store failed: nothing after it is stored
                handoff.stop();
        });
        for (int i = 0; i < 5; ++i) // 0 in the consumer's hands, 1..4 waiting
            QVERIFY(handoff.push(i));
        QTRY_COMPARE(handoff.highWater(), std::size_t(4));
        QVERIFY(!handoff.stopped());
        open = true;
        QTRY_VERIFY(handoff.stopped());
        QVERIFY(!handoff.push(5));
        handoff.finish();
        QCOMPARE(seen, (std::vector<int> {0, 1, 2}));
    }

    void stopLetsABlockedProducerGo()
    {
        std::atomic<bool> open {false};
        std::atomic<int> consumed {0};
        Handoff<int> handoff(2, [&](int &&) {
            while (!open.load())
                std::this_thread::sleep_for(1ms);
            ++consumed;
        });
        for (int i = 0; i < 3; ++i) // one in hand, two waiting: full
            QVERIFY(handoff.push(i));
        QTRY_COMPARE(handoff.highWater(), std::size_t(2));
        std::atomic<int> pushed {-1};
        std::thread producer([&] { pushed = handoff.push(3) ? 1 : 0; });
        std::this_thread::sleep_for(100ms);
        QCOMPARE(pushed.load(), -1); // held back while full
        handoff.stop(); // the reader was cancelled
        producer.join();
        QCOMPARE(pushed.load(), 0); // let go, its item dropped
        open = true;
        handoff.finish();
        QCOMPARE(consumed.load(), 1); // only the item already in the consumer's hands
    }

    void finishTwiceAndWithNothingPushed()
    {
        int calls = 0;
        Handoff<int> handoff(1, [&](int &&) { ++calls; });
        handoff.finish();
        handoff.finish();
        QCOMPARE(calls, 0);
        QCOMPARE(handoff.highWater(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestHandoff)
#include "tst_handoff.moc"
