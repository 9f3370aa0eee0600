// SPDX-License-Identifier: GPL-3.0-or-later
// A bounded, ordered hand-off from one producer to one consumer thread: the producer (a parser)
// goes on with the next input while the consumer (analysis and output) works on what it handed
// over. Header-only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace oomscope {

// Items are consumed in the order they were pushed, one at a time, on a thread of their own. At
// most `capacity` items wait: push() blocks while that many do, so memory stays bounded whatever
// the producer's pace. finish() (or the destructor) waits until every item is consumed — unless
// the hand-off was stopped (a store failed, the input was cancelled): from then on what waits and
// what is pushed is dropped unconsumed, and either side can see it.
template<typename T> class Handoff
{
public:
    Handoff(std::size_t capacity, std::function<void(T &&)> consume)
        : m_capacity(capacity == 0 ? 1 : capacity)
        , m_consume(std::move(consume))
        , m_thread([this] { run(); })
    { }
    ~Handoff() { finish(); }
    Handoff(const Handoff &) = delete;
    Handoff &operator=(const Handoff &) = delete;

    // False (the item dropped) once stopped, also when stop() comes while it waits for room.
    bool push(T item)
    {
        std::unique_lock lock(m_mutex);
        m_notFull.wait(lock, [this] { return m_queue.size() < m_capacity || stopped(); });
        if (stopped())
            return false;
        m_queue.push_back(std::move(item));
        if (m_queue.size() > m_highWater)
            m_highWater = m_queue.size();
        m_notEmpty.notify_one();
        return true;
    }

    // From either thread, the consumer's callback included: the items waiting are dropped, later
    // pushes too; the item being consumed finishes. Idempotent.
    void stop()
    {
        std::deque<T> dropped;
        {
            const std::lock_guard lock(m_mutex);
            m_stopped.store(true, std::memory_order_relaxed);
            dropped.swap(m_queue);
        }
        m_notFull.notify_all();
        m_notEmpty.notify_one();
    }

    // Cheap enough to ask per item (an atomic load).
    bool stopped() const { return m_stopped.load(std::memory_order_relaxed); }

    // Every pushed item consumed (or dropped, once stopped), the thread joined; idempotent. No
    // push() after it.
    void finish()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_closed = true;
        }
        m_notEmpty.notify_one();
        if (m_thread.joinable())
            m_thread.join();
    }

    // The most items that ever waited at once (<= capacity).
    std::size_t highWater() const
    {
        const std::lock_guard lock(m_mutex);
        return m_highWater;
    }

private:
    void run()
    {
        for (;;) {
            T item;
            {
                std::unique_lock lock(m_mutex);
                m_notEmpty.wait(lock, [this] { return !m_queue.empty() || m_closed; });
                if (m_queue.empty())
                    return; // closed and drained
                item = std::move(m_queue.front());
                m_queue.pop_front();
            }
            m_notFull.notify_one();
            m_consume(std::move(item));
        }
    }

    const std::size_t m_capacity;
    const std::function<void(T &&)> m_consume;
    mutable std::mutex m_mutex;
    std::condition_variable m_notEmpty;
    std::condition_variable m_notFull;
    std::deque<T> m_queue;
    std::size_t m_highWater = 0;
    bool m_closed = false;
    std::atomic<bool> m_stopped {false}; // written under m_mutex
    std::thread m_thread; // last: started once everything above is constructed
};

} // namespace oomscope
