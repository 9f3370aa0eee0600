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

ImportResult DeathCollector::importLog(Workspace &ws, OpenedLog &log, const ProgressFn &progress)
{
    KillerLineScanner scanner;
    std::vector<KernelKill> kills;
    ImportTap tap;
    tap.onBlock = [&scanner](const char *data, qsizetype size) {
        scanner.feed(data, size);
    };
    // The kill from the event as parsed, not read back: the workspace stores what it was given.
    tap.onStored = [&kills, &log](const OomEvent &event, qint64 eventId) {
        if (std::optional<KernelKill> k = kernelKillOf(event, eventId, log.displayName))
            kills.push_back(std::move(*k));
    };
    ImportResult result = ws.importLog(*log.device, log.displayName, progress, tap);
    if (!result.ok)
        return result;
    if (result.alreadyImported) {
        // This import's events were rolled back; the deaths name the ones stored before.
        kills.clear();
        for (const qint64 id : ws.eventIds(result.sourceId)) {
            if (const std::optional<OomEvent> e = ws.event(id))
                if (std::optional<KernelKill> k = kernelKillOf(*e, id, log.displayName))
                    kills.push_back(std::move(*k));
        }
    }
    for (KernelKill &k : kills)
        m_inputs.kernel.push_back(std::move(k));
    for (KillerLine &l : scanner.finish().lines)
        m_inputs.lines.push_back({log.displayName, std::move(l)});
    return result;
}

} // namespace oomscope
