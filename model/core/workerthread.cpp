// SPDX-License-Identifier: GPL-3.0-or-later
#include "workerthread.h"

namespace oomscope {

WorkerThread::WorkerThread(const QString &name)
{
    m_thread.setObjectName(name);
}

WorkerThread::~WorkerThread()
{
    stop();
}

void WorkerThread::stop()
{
    m_thread.quit();
    m_thread.wait();
}

} // namespace oomscope
