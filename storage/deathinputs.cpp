// SPDX-License-Identifier: GPL-3.0-or-later
#include "deathinputs.h"

#include "podjson.h"

using namespace Qt::StringLiterals;

namespace oomscope {

Result<bool> DeathCollector::takeKubeRecord(OpenedLog &log)
{
    const QByteArray head = log.device->peek(64 * 1024);
    if (log.content != LogContent::Text || !(looksLikeKubeJson(head) || looksLikeDescribePod(head)))
        return false;
    const QByteArray bytes = log.device->readAll();
    Result<KubeObjects> objects = parseKubeRecord(bytes);
    if (!objects)
        return fail(objects.error().kind, log.displayName + u": "_s + objects.error().message);
    m_kubeObjects += int(objects->pods.size() + objects->events.size());
    m_inputs.kube.push_back({log.displayName, std::move(objects->pods), std::move(objects->events)});
    return true;
}

ParseSinks DeathCollector::sinks()
{
    m_scanner = std::make_unique<KillerLineScanner>();
    ParseSinks sinks;
    KillerLineScanner *scanner = m_scanner.get();
    sinks.onBlock = [scanner](const char *data, qsizetype size) {
        scanner->feed(data, size);
    };
    return sinks;
}

void DeathCollector::finishLog(const QString &source, const ParseResult &result,
                               const std::vector<qint64> &eventIds)
{
    for (std::size_t i = 0; i < result.events.size(); ++i) {
        const qint64 id = i < eventIds.size() ? eventIds[i] : 0;
        if (std::optional<KernelKill> k = kernelKillOf(result.events[i], id, source))
            m_inputs.kernel.push_back(std::move(*k));
    }
    if (!m_scanner)
        return;
    for (KillerLine &l : m_scanner->finish().lines)
        m_inputs.lines.push_back({source, std::move(l)});
    m_scanner.reset();
}

Result<void> DeathCollector::scanLines(OpenedLog &log)
{
    KillerLineScanner scanner;
    QByteArray block(256 * 1024, Qt::Uninitialized);
    while (true) {
        const qint64 n = log.device->read(block.data(), block.size());
        if (n < 0)
            return fail(Error::Kind::Io, log.displayName + u": "_s + log.device->errorString());
        if (n == 0 && (log.device->atEnd() || !log.device->waitForReadyRead(-1)))
            break;
        scanner.feed(block.constData(), qsizetype(n));
    }
    for (KillerLine &l : scanner.finish().lines)
        m_inputs.lines.push_back({log.displayName, std::move(l)});
    return {};
}

} // namespace oomscope
