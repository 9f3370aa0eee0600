// SPDX-License-Identifier: GPL-3.0-or-later
// NewestOnly (model/core/newestonly.h), how the growth chart's queries and the range verdict run
// off the GUI thread: one task at a time, an ask while one runs made again once it returns, an
// answer to a question that changed dropped. The tasks here are promises the test finishes.
#include "newestonly.h"

#include <QPromise>
#include <QTest>

#include <memory>
#include <vector>

using namespace oomscope;

namespace {

// Starts a task for each ask (a promise held open) and records the answers.
struct Asker {
    std::vector<std::unique_ptr<QPromise<int>>> tasks;
    std::vector<int> answers;
    bool nothingToAsk = false;

    std::optional<QFuture<int>> start()
    {
        if (nothingToAsk)
            return std::nullopt;
        tasks.push_back(std::make_unique<QPromise<int>>());
        tasks.back()->start();
        return tasks.back()->future();
    }
    void finish(std::size_t task, int answer)
    {
        tasks.at(task)->addResult(answer);
        tasks.at(task)->finish();
    }
};

} // namespace

class TestNewestOnly : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void asksWhileRunningAreMadeOnceAfterIt()
    {
        QObject context;
        Asker asker;
        NewestOnly<int> newest(
            &context, [&] { return asker.start(); }, [&](int &&v) { asker.answers.push_back(v); });
        newest.ask();
        QVERIFY(newest.isRunning());
        newest.ask();
        newest.ask();
        QCOMPARE(asker.tasks.size(), std::size_t(1)); // one at a time
        asker.finish(0, 1);
        QTRY_COMPARE(asker.answers, std::vector<int>({1}));
        // The two asks made while it ran: one more task, not two.
        QCOMPARE(asker.tasks.size(), std::size_t(2));
        QVERIFY(newest.isRunning());
        asker.finish(1, 2);
        QTRY_COMPARE(asker.answers, std::vector<int>({1, 2}));
        QVERIFY(!newest.isRunning());
        QCOMPARE(asker.tasks.size(), std::size_t(2));
    }

    void anAnswerToAChangedQuestionIsDroppedAndAskedAgain()
    {
        QObject context;
        Asker asker;
        NewestOnly<int> newest(
            &context, [&] { return asker.start(); }, [&](int &&v) { asker.answers.push_back(v); });
        newest.ask();
        newest.forget();
        asker.finish(0, 1);
        QTRY_COMPARE(asker.tasks.size(), std::size_t(2)); // asked again, unasked
        QVERIFY(asker.answers.empty());
        asker.finish(1, 2);
        QTRY_COMPARE(asker.answers, std::vector<int>({2}));
        QVERIFY(!newest.isRunning());
    }

    void nothingToAskStartsNothing()
    {
        QObject context;
        Asker asker;
        asker.nothingToAsk = true;
        NewestOnly<int> newest(
            &context, [&] { return asker.start(); }, [&](int &&v) { asker.answers.push_back(v); });
        newest.ask();
        QVERIFY(!newest.isRunning());
        QVERIFY(asker.tasks.empty());
        asker.nothingToAsk = false;
        newest.ask();
        QVERIFY(newest.isRunning());
        asker.finish(0, 7);
        QTRY_COMPARE(asker.answers, std::vector<int>({7}));
    }
};

QTEST_GUILESS_MAIN(TestNewestOnly)
#include "tst_newestonly.moc"
