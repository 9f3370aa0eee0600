// SPDX-License-Identifier: GPL-3.0-or-later
// Handoff (model/core/handoff.h), the queue between `analyze`'s parser and its printing thread:
// order kept, the producer held back when the consumer lags (bounded memory), nothing lost when
// it finishes or goes out of scope.
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
