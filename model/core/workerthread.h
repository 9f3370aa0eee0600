// SPDX-License-Identifier: GPL-3.0-or-later
// A worker thread that owns the QObjects moved onto it, for samplers, storage writers and
// recorders alike.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

namespace oomscope {

// A QThread that owns the QObjects moved onto it: deleted there (deleteLater on finished), and
// the thread is stopped and joined when this goes out of scope, so nothing outlives its thread.
class WorkerThread
{
public:
    explicit WorkerThread(const QString &name);
    ~WorkerThread();
    WorkerThread(const WorkerThread &) = delete;
    WorkerThread &operator=(const WorkerThread &) = delete;

    // Moves obj (which must have no parent) onto the thread; it is deleted on the thread when
    // the thread finishes.
    template<typename T> T *adopt(T *obj)
    {
        obj->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, obj, &QObject::deleteLater);
        return obj;
    }
    void start() { m_thread.start(); }
    void stop(); // quit and wait; idempotent
    QThread *thread() { return &m_thread; }

private:
    QThread m_thread;
};

} // namespace oomscope
