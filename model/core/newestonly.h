// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <functional>
#include <optional>
#include <utility>

namespace oomscope {

// One background task at a time for a view that only wants the answer to its newest question (a
// chart's query, a range's verdict). ask() starts the task unless one runs; then the ask is
// remembered and made again when the running task returns (a thread pool cannot cancel one). A
// task whose question changed while it ran (forget()) has its answer dropped, and is asked again.
// The answer is delivered on the thread of the context object, through a QFutureWatcher: Qt 6.4's
// QFuture::then(context, …) can run a continuation twice and crash (lint_no_future_then).
template<typename T> class NewestOnly
{
public:
    // Returns the started task, or nothing when there is nothing to ask now (no series, no
    // workspace); called from ask() and again after a running task returned.
    using Start = std::function<std::optional<QFuture<T>>()>;
    using Answer = std::function<void(T &&)>;

    NewestOnly(QObject *context, Start start, Answer answer)
        : m_start(std::move(start))
        , m_answer(std::move(answer))
    {
        QObject::connect(&m_watcher, &QFutureWatcherBase::finished, context, [this] { finished(); });
    }
    NewestOnly(const NewestOnly &) = delete;
    NewestOnly &operator=(const NewestOnly &) = delete;

    void ask()
    {
        if (m_running) {
            m_askAgain = true;
            return;
        }
        std::optional<QFuture<T>> task = m_start();
        if (!task)
            return;
        m_startedGeneration = m_generation;
        m_running = true;
        m_watcher.setFuture(*task);
    }
    // The question changed: the running task's answer, if any, is not wanted.
    void forget() { ++m_generation; }
    bool isRunning() const { return m_running; }

private:
    void finished()
    {
        m_running = false;
        const bool current = m_startedGeneration == m_generation;
        if (current)
            m_answer(m_watcher.future().takeResult());
        if (m_askAgain || !current) {
            m_askAgain = false;
            ask();
        }
    }

    Start m_start;
    Answer m_answer;
    QFutureWatcher<T> m_watcher;
    quint64 m_generation = 0;
    quint64 m_startedGeneration = 0; // m_generation when the running task started
    bool m_running = false;
    bool m_askAgain = false;
};

} // namespace oomscope
